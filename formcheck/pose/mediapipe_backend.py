"""Pose estimation with MediaPipe's legacy BlazePose solution.

This is the only module of formcheck that imports :mod:`mediapipe`, and it
does so lazily (when an estimator is created), so ``import formcheck`` stays
light.

The legacy ``Pose`` solution tracks a single person. To notice a second person
in view (a therapist, a child), the estimator can also run MediaPipe's
full-range face detector every ``people_every_ms`` of video time, on the frame
and on the frame turned a quarter turn each way (faces of people lying down
are sideways, and the detector only finds roughly upright faces).

MediaPipe's native code logs informational lines (TFLite, absl) straight to
standard error while its graphs start and on the first frames; they are
filtered out there (:func:`formcheck._quiet.native_stderr_filtered`), so a
command's output keeps to formcheck's own lines.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
from types import TracebackType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from formcheck._quiet import native_stderr_filtered
from formcheck.errors import PoseBackendError
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.types import PoseFrame

logger = logging.getLogger(__name__)

_MODEL_NAMES = {0: "lite", 1: "full", 2: "heavy"}

#: Rotations tried by the face counter: upright, then a quarter turn each way.
_FACE_ROTATIONS: tuple[int | None, ...] = (
    None,
    cv2.ROTATE_90_CLOCKWISE,
    cv2.ROTATE_90_COUNTERCLOCKWISE,
)


def _download_error(model_complexity: int) -> PoseBackendError:
    name = _MODEL_NAMES[model_complexity]
    return PoseBackendError(
        f"model_complexity={model_complexity} needs the {name} pose model, which "
        "mediapipe downloads on first use, and the download failed (offline?). "
        "Use model_complexity=1 (bundled) instead."
    )


def _wait_started(*solutions: Any) -> None:
    """Wait until the graphs have opened (their start-up lines are written).

    MediaPipe starts a solution's graph on worker threads; waiting for it to
    go idle keeps its start-up logging inside the filtered block.
    """
    for solution in solutions:
        graph = getattr(solution, "_graph", None)
        if graph is not None and hasattr(graph, "wait_until_idle"):
            graph.wait_until_idle()


class MediaPipePoseEstimator:
    """BlazePose (MediaPipe legacy ``Pose`` solution, video mode).

    Calls must come in video order with strictly increasing timestamps: the
    model tracks the person from one frame to the next.

    Example:
        >>> with MediaPipePoseEstimator() as estimator:  # doctest: +SKIP
        ...     pose = estimator(image_bgr, timestamp_ms=0.0, frame_index=0)
        >>> pose.has_person  # doctest: +SKIP
        True
    """

    def __init__(
        self,
        model_complexity: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        smooth_landmarks: bool = True,
        count_people: bool = True,
        people_every_ms: float = 500.0,
        face_rotations: bool = True,
    ) -> None:
        """Load the model.

        Args:
            model_complexity: 0 (lite), 1 (full, bundled in the wheel) or
                2 (heavy). 0 and 2 are downloaded by mediapipe on first use.
            min_detection_confidence: Person detection threshold in [0, 1].
            min_tracking_confidence: Tracking threshold in [0, 1]; below it the
                person is detected again.
            smooth_landmarks: Let MediaPipe smooth landmarks over time.
            count_people: Count faces to report ``PoseFrame.num_people`` > 1
                when several people are in view.
            people_every_ms: Video time between two face counts; frames in
                between reuse the last count.
            face_rotations: Also look for sideways faces (3 detector runs per
                count instead of 1).

        Raises:
            ValueError: If an argument is out of range.
            PoseBackendError: If the model cannot be created (e.g. it must be
                downloaded and the machine is offline).
        """
        if model_complexity not in _MODEL_NAMES:
            raise ValueError(
                f"`model_complexity` must be 0, 1 or 2, but got {model_complexity!r}"
            )
        for name, value in (
            ("min_detection_confidence", min_detection_confidence),
            ("min_tracking_confidence", min_tracking_confidence),
        ):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"`{name}` must be in [0, 1], but got {value!r}")
        if not people_every_ms >= 0.0:
            raise ValueError(
                f"`people_every_ms` must be >= 0, but got {people_every_ms!r}"
            )
        self.model_complexity = model_complexity
        self.count_people = count_people
        self.people_every_ms = float(people_every_ms)
        self.face_rotations = face_rotations
        self._last_timestamp_ms = -math.inf
        self._last_people_ms = -math.inf
        self._last_face_count = 1
        self._face_detector: Any = None
        self._closed = False
        # Until the first person is found, frames run with stderr filtered too.
        self._quiet_frames = True
        with native_stderr_filtered():
            self._pose: Any = self._create_pose(
                model_complexity=model_complexity,
                smooth_landmarks=smooth_landmarks,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
            if count_people:
                try:
                    self._face_detector = self._create_face_detector()
                except PoseBackendError:
                    self._pose.close()
                    raise
            _wait_started(self._pose, self._face_detector)

    @staticmethod
    def _create_pose(
        *,
        model_complexity: int,
        smooth_landmarks: bool,
        min_detection_confidence: float,
        min_tracking_confidence: float,
    ) -> Any:
        try:
            import mediapipe as mp
        except ImportError as exc:
            raise PoseBackendError(f"mediapipe cannot be imported ({exc})") from exc
        # mediapipe print()s "Downloading model to ..." for models not in the wheel.
        captured = io.StringIO()
        try:
            with contextlib.redirect_stdout(captured):
                return mp.solutions.pose.Pose(
                    static_image_mode=False,
                    model_complexity=model_complexity,
                    smooth_landmarks=smooth_landmarks,
                    enable_segmentation=False,
                    min_detection_confidence=min_detection_confidence,
                    min_tracking_confidence=min_tracking_confidence,
                )
        except (OSError, RuntimeError, ValueError) as exc:
            # urllib's URLError is an OSError; a half-downloaded model file
            # makes the graph fail with a RuntimeError.
            logger.debug("mediapipe Pose creation failed: %r", exc)
            downloading = "download" in (captured.getvalue() + str(exc)).lower()
            if model_complexity != 1 and (downloading or isinstance(exc, OSError)):
                raise _download_error(model_complexity) from exc
            raise PoseBackendError(
                f"cannot create the mediapipe pose model "
                f"(model_complexity={model_complexity}): {exc}"
            ) from exc
        finally:
            if captured.getvalue():
                logger.info("mediapipe: %s", captured.getvalue().strip())

    @staticmethod
    def _create_face_detector() -> Any:
        import mediapipe as mp

        try:
            return mp.solutions.face_detection.FaceDetection(
                model_selection=1, min_detection_confidence=0.6
            )
        except (OSError, RuntimeError, ValueError) as exc:
            raise PoseBackendError(
                f"cannot create the mediapipe face detector used to count people: {exc}"
            ) from exc

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        """Estimate the pose in one frame.

        Args:
            image_bgr: ``(H, W, 3)`` uint8 BGR image.
            timestamp_ms: Time of the frame; must be greater than the last one.
            frame_index: Index of the frame in its source (stored in the result).

        Returns:
            The pose in pixels, or :meth:`PoseFrame.empty` when nobody is found.

        Raises:
            ValueError: If the image is not ``(H, W, 3)`` uint8, or the
                timestamp does not increase.
            PoseBackendError: If the estimator is closed or MediaPipe fails.
        """
        if self._closed:
            raise PoseBackendError("this MediaPipePoseEstimator is closed")
        if (
            image_bgr.ndim != 3
            or image_bgr.shape[2] != 3
            or image_bgr.dtype != np.uint8
        ):
            raise ValueError(
                "`image_bgr` must be an (H, W, 3) uint8 array, but got "
                f"shape {image_bgr.shape} dtype {image_bgr.dtype}"
            )
        if not timestamp_ms > self._last_timestamp_ms:
            raise ValueError(
                f"timestamps must increase: got {timestamp_ms} after "
                f"{self._last_timestamp_ms}"
            )
        self._last_timestamp_ms = timestamp_ms
        if not self._quiet_frames:
            return self._estimate(image_bgr, timestamp_ms, frame_index)
        with native_stderr_filtered():
            pose = self._estimate(image_bgr, timestamp_ms, frame_index)
        self._quiet_frames = not pose.has_person
        return pose

    def _estimate(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        height, width = image_bgr.shape[:2]
        rgb = np.asarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        rgb.flags.writeable = False
        try:
            result = self._pose.process(rgb)
        except (RuntimeError, ValueError) as exc:
            raise PoseBackendError(
                f"mediapipe pose failed on frame {frame_index}: {exc}"
            ) from exc
        if result.pose_landmarks is None:
            return PoseFrame.empty(timestamp_ms, frame_index, (width, height))

        values = np.array(
            [(lm.x, lm.y, lm.visibility) for lm in result.pose_landmarks.landmark],
            dtype=np.float32,
        )
        xy = values[:, :2] * np.array([width, height], dtype=np.float32)
        visibility = np.clip(values[:, 2], 0.0, 1.0)
        world = None
        if result.pose_world_landmarks is not None:
            world = np.array(
                [(lm.x, lm.y, lm.z) for lm in result.pose_world_landmarks.landmark],
                dtype=np.float32,
            )
            if world.shape != (NUM_LANDMARKS, 3):
                world = None
        return PoseFrame(
            xy=xy,
            visibility=visibility,
            timestamp_ms=timestamp_ms,
            frame_index=frame_index,
            resolution_wh=(width, height),
            xyz_world=world,
            num_people=self._people(rgb, timestamp_ms),
        )

    def _people(self, rgb: npt.NDArray[np.uint8], timestamp_ms: float) -> int:
        """People in view, given that the pose model found one."""
        if self._face_detector is None:
            return 1
        if timestamp_ms - self._last_people_ms >= self.people_every_ms:
            self._last_people_ms = timestamp_ms
            self._last_face_count = self.count_faces(rgb)
        return max(1, self._last_face_count)

    def count_faces(self, rgb: npt.NDArray[np.uint8]) -> int:
        """Count the distinct faces in an RGB image.

        Runs the full-range face detector on the image and, when
        ``face_rotations`` is set, on the image turned a quarter turn each way;
        detections of one face under several rotations count once.

        Args:
            rgb: ``(H, W, 3)`` uint8 RGB image.

        Returns:
            The number of faces found (0 when counting is disabled).
        """
        if self._face_detector is None:
            return 0
        height, width = rgb.shape[:2]
        rotations = _FACE_ROTATIONS if self.face_rotations else (None,)
        faces: list[tuple[float, float, float]] = []  # centre x, centre y, size (px)
        for rotation in rotations:
            image = rgb if rotation is None else cv2.rotate(rgb, rotation)
            try:
                result = self._face_detector.process(image)
            except (RuntimeError, ValueError) as exc:
                logger.warning("face detection failed: %s", exc)
                continue
            for detection in result.detections or []:
                box = detection.location_data.relative_bounding_box
                cx = box.xmin + box.width / 2.0
                cy = box.ymin + box.height / 2.0
                bw, bh = box.width, box.height
                if rotation == cv2.ROTATE_90_CLOCKWISE:
                    cx, cy, bw, bh = cy, 1.0 - cx, bh, bw
                elif rotation == cv2.ROTATE_90_COUNTERCLOCKWISE:
                    cx, cy, bw, bh = 1.0 - cy, cx, bh, bw
                face = (cx * width, cy * height, max(bw * width, bh * height))
                if all(
                    math.hypot(face[0] - other[0], face[1] - other[1])
                    > 0.6 * max(face[2], other[2])
                    for other in faces
                ):
                    faces.append(face)
        return len(faces)

    def close(self) -> None:
        """Release the MediaPipe graphs. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for solution in (self._pose, self._face_detector):
            if solution is not None:
                solution.close()

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

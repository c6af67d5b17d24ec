"""Pose estimation with MediaPipe's legacy BlazePose solution.

This is the only module of formcheck that imports :mod:`mediapipe`, and it
does so lazily (when an estimator is created), so ``import formcheck`` stays
light.

The legacy ``Pose`` solution tracks a single person from frame to frame. To
see everyone in view (a therapist beside the patient, a child walking past),
the estimator also runs MediaPipe Tasks' multi-person ``PoseLandmarker`` on a
still frame every ``people_every_ms`` of video time. Its ``.task`` bundle is
built offline from the two ``.tflite`` models inside the mediapipe wheel (with
the image-normalisation metadata the Tasks graph needs, written by mediapipe's
own metadata writers) and cached (:func:`people_model_path`); nothing is ever
downloaded. The people found besides the tracked person travel with each
frame (``PoseFrame.others_xy``), so the checker can tell who is exercising.

MediaPipe's native code logs informational lines (TFLite, absl) straight to
standard error while its graphs start and on the first frames; they are
filtered out there (:func:`formcheck._quiet.native_stderr_filtered`), so a
command's output keeps to formcheck's own lines.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import math
import os
import tempfile
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from formcheck._quiet import native_stderr_filtered
from formcheck.errors import PoseBackendError
from formcheck.fileio import atomic_write_bytes
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.pose.people import Person, look_slot, others_than
from formcheck.types import PoseFrame

logger = logging.getLogger(__name__)

_MODEL_NAMES = {0: "lite", 1: "full", 2: "heavy"}
#: The multi-person model looks for up to this many people.
_MAX_PEOPLE = 4
_BUNDLE_NAME = "pose_landmarker_full-{version}.task"
#: The two models inside the wheel, with the image normalisation each needs
#: (mean, std) as in mediapipe's own pose graphs.
_BUNDLE_MODELS = (
    (
        "pose_detector.tflite",
        "modules/pose_detection/pose_detection.tflite",
        127.5,
        127.5,
    ),
    (
        "pose_landmarks_detector.tflite",
        "modules/pose_landmark/pose_landmark_full.tflite",
        0.0,
        255.0,
    ),
)


def cache_dir() -> Path:
    """Where formcheck keeps files it builds once (``FORMCHECK_CACHE``)."""
    configured = os.environ.get("FORMCHECK_CACHE")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "formcheck"


def build_people_bundle() -> bytes:
    """The multi-person ``.task`` bundle, built from the models in the wheel.

    Raises:
        PoseBackendError: If the models are missing or cannot be annotated.
    """
    import mediapipe as mp
    from mediapipe.tasks.python.metadata.metadata_writers import (
        metadata_writer,
        model_asset_bundle_utils,
    )

    base = Path(mp.__file__).parent
    # mediapipe's metadata writer leaves temporary files open: close them here
    # (by collecting its objects) rather than warn later at a random moment.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            bundle = _annotated_bundle(base, metadata_writer, model_asset_bundle_utils)
        finally:
            gc.collect()
    return bundle


def _annotated_bundle(base: Path, metadata_writer: Any, bundle_utils: Any) -> bytes:
    models: dict[str, bytes] = {}
    try:
        for name, relative, mean, std in _BUNDLE_MODELS:
            writer = metadata_writer.MetadataWriter.create(
                bytearray((base / relative).read_bytes())
            )
            writer.add_general_info(name.removesuffix(".tflite"), "built by formcheck")
            writer.add_image_input(norm_mean=[mean], norm_std=[std])
            models[name] = bytes(writer.populate()[0])
        buffer = io.BytesIO()
        with bundle_utils.AlignZipFile(buffer, mode="w", alignment=4) as zf:
            for name, content in models.items():
                zf.writestr(name, content)
    except (OSError, ValueError, RuntimeError) as exc:
        raise PoseBackendError(
            f"cannot build the multi-person pose model from the mediapipe wheel: {exc}"
        ) from exc
    return buffer.getvalue()


def people_model_path() -> Path:
    """The cached multi-person bundle, built on first use (atomically).

    Raises:
        PoseBackendError: If it cannot be built.
    """
    import mediapipe as mp

    path = cache_dir() / _BUNDLE_NAME.format(version=mp.__version__)
    if _usable(path):
        return path
    bundle = build_people_bundle()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, bundle)
    except OSError as exc:
        logger.info("cannot cache the multi-person model in %s: %s", path, exc)
        fallback = Path(tempfile.gettempdir()) / f"formcheck-{os.getuid()}" / path.name
        try:
            fallback.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(fallback, bundle)
        except OSError as again:
            raise PoseBackendError(
                f"cannot keep the multi-person pose model in {path.parent} "
                f"({exc.strerror or exc}) nor in {fallback.parent} "
                f"({again.strerror or again}); set FORMCHECK_CACHE to a folder "
                "you can write to"
            ) from again
        return fallback
    return path


def _usable(path: Path) -> bool:
    """Whether a cached file is there, not empty and readable."""
    try:
        return path.is_file() and path.stat().st_size > 0 and os.access(path, os.R_OK)
    except OSError:
        return False


def _create_people_detector() -> Any:
    """MediaPipe Tasks ``PoseLandmarker`` (image mode) for several people."""
    from mediapipe.tasks import python as mp_tasks
    from mediapipe.tasks.python import vision

    options = vision.PoseLandmarkerOptions(
        base_options=mp_tasks.BaseOptions(model_asset_path=str(people_model_path())),
        running_mode=vision.RunningMode.IMAGE,
        num_poses=_MAX_PEOPLE,
        min_pose_detection_confidence=0.5,
        min_pose_presence_confidence=0.5,
        output_segmentation_masks=False,
    )
    try:
        return vision.PoseLandmarker.create_from_options(options)
    except (OSError, RuntimeError, ValueError) as exc:
        raise PoseBackendError(
            f"cannot create the multi-person pose model used to see everyone in view: {exc}"
        ) from exc


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
        people_every_ms: float = 1000.0,
    ) -> None:
        """Load the model.

        Args:
            model_complexity: 0 (lite), 1 (full, bundled in the wheel) or
                2 (heavy). 0 and 2 are downloaded by mediapipe on first use.
            min_detection_confidence: Person detection threshold in [0, 1].
            min_tracking_confidence: Tracking threshold in [0, 1]; below it the
                person is detected again.
            smooth_landmarks: Let MediaPipe smooth landmarks over time.
            count_people: Look for everyone in view (``PoseFrame.num_people``
                and ``others_xy``), not only the tracked person.
            people_every_ms: How often to look for everyone in view: on the
                first frame of each ``people_every_ms`` of video time, counted
                from time 0 (:func:`~formcheck.pose.people.look_slot`);
                frames in between reuse the last look.

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
        self._last_timestamp_ms = -math.inf
        self._people_slot = -math.inf
        self._people_seen: list[Person] = []
        self._people_detector: Any = None
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
                    self._people_detector = _create_people_detector()
                except PoseBackendError:
                    self._pose.close()
                    raise
            _wait_started(self._pose)

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
        others = self._others(rgb, xy, visibility, timestamp_ms)
        return PoseFrame(
            xy=xy,
            visibility=visibility,
            timestamp_ms=timestamp_ms,
            frame_index=frame_index,
            resolution_wh=(width, height),
            xyz_world=world,
            num_people=1 + len(others),
            others_xy=np.stack([o.xy for o in others]) if others else None,
            others_visibility=(
                np.stack([o.visibility for o in others]) if others else None
            ),
        )

    def _others(
        self,
        rgb: npt.NDArray[np.uint8],
        xy: npt.NDArray[np.float32],
        visibility: npt.NDArray[np.float32],
        timestamp_ms: float,
    ) -> list[Person]:
        """The people in view other than the tracked one (from the last look)."""
        if self._people_detector is None:
            return []
        slot = look_slot(timestamp_ms, self.people_every_ms)
        if slot != self._people_slot:
            self._people_slot = slot
            found = self.find_people(rgb)
            self._people_seen = others_than(found, xy, visibility)
        return self._people_seen

    def find_people(self, rgb: npt.NDArray[np.uint8]) -> list[Person]:
        """Everyone the multi-person pose model finds in one still image.

        Args:
            rgb: ``(H, W, 3)`` uint8 RGB image.

        Returns:
            One entry per person, landmarks in pixels (empty when people
            counting is off).
        """
        if self._people_detector is None:
            return []
        import mediapipe as mp

        height, width = rgb.shape[:2]
        image = mp.Image(
            image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)
        )
        try:
            result = self._people_detector.detect(image)
        except (RuntimeError, ValueError) as exc:
            logger.warning("looking for other people failed: %s", exc)
            return []
        scale = np.array([width, height], dtype=np.float32)
        people = []
        for landmarks in result.pose_landmarks:
            values = np.array(
                [(lm.x, lm.y, lm.visibility or 0.0) for lm in landmarks],
                dtype=np.float32,
            )
            if values.shape != (NUM_LANDMARKS, 3):
                continue
            people.append(
                Person(values[:, :2] * scale, np.clip(values[:, 2], 0.0, 1.0))
            )
        return people

    def close(self) -> None:
        """Release the MediaPipe graphs. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for graph in (self._pose, self._people_detector):
            if graph is not None:
                graph.close()

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

"""Analyse a recorded video (or saved landmarks) end to end.

``analyze_video`` reads frames, runs the pose model, the checker and the
annotators, writes an H.264 MP4 that browsers play, and returns the session
record. It is what ``formcheck analyze`` and the app's Review page call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from formcheck.annotate import ResultAnnotator
from formcheck.engine.exercise_set import ExerciseSet, Source
from formcheck.errors import InputError, OutputError
from formcheck.landmarks import Side
from formcheck.pose import PoseEstimator, ReplayPoseEstimator, create_estimator
from formcheck.record import SessionRecord
from formcheck.results import FrameResult
from formcheck.specs.schema import ExerciseSpec
from formcheck.types import PoseFrame, PoseSequence
from formcheck.video import FrameReader, VideoWriter

logger = logging.getLogger(__name__)

#: Share of frames with several people above which a video is rejected.
SEVERAL_PEOPLE_LIMIT = 0.5

ProgressCallback = Callable[[int, int], None]


@dataclass
class AnalysisTimings:
    """Where the time went (seconds, summed over frames)."""

    decode_s: float = 0.0
    pose_s: float = 0.0
    check_s: float = 0.0
    draw_s: float = 0.0
    write_s: float = 0.0
    frames: int = 0

    @property
    def total_s(self) -> float:
        """All measured time."""
        return self.decode_s + self.pose_s + self.check_s + self.draw_s + self.write_s


@dataclass
class AnalysisResult:
    """What an analysis produced."""

    session: SessionRecord
    video_path: Path | None
    landmarks: PoseSequence | None
    timings: AnalysisTimings
    problems: list[str] = field(default_factory=list)

    @property
    def no_person(self) -> bool:
        """True when nobody was found in any frame."""
        return self.session.source.frames_with_person == 0

    @property
    def several_people(self) -> bool:
        """True when more than one person was in view for most of the video."""
        src = self.session.source
        return src.frames_with_person > 0 and (
            src.frames_with_several_people / src.frames_with_person
            > SEVERAL_PEOPLE_LIMIT
        )


def _run(
    frames: Iterator[tuple[PoseFrame, npt.NDArray[np.uint8] | None]],
    exercise: ExerciseSet,
    writer: VideoWriter | None,
    total: int,
    progress: ProgressCallback | None,
    timings: AnalysisTimings,
    keep_landmarks: bool,
    on_result: Callable[[FrameResult], None] | None,
) -> list[PoseFrame]:
    annotator = ResultAnnotator(exercise.spec) if writer is not None else None
    poses: list[PoseFrame] = []
    for i, (pose, image) in enumerate(frames):
        t0 = time.perf_counter()
        result = exercise.update(pose)
        t1 = time.perf_counter()
        timings.check_s += t1 - t0
        if keep_landmarks:
            poses.append(pose)
        if on_result is not None:
            on_result(result)
        if writer is not None and annotator is not None and image is not None:
            scene = annotator.annotate(image, result)
            t2 = time.perf_counter()
            timings.draw_s += t2 - t1
            writer.write(scene, pose.timestamp_ms)
            timings.write_s += time.perf_counter() - t2
        timings.frames += 1
        if progress is not None:
            progress(i + 1, total)
    return poses


def analyze_video(
    video: str | Path,
    spec: ExerciseSpec,
    side: Side | None = None,
    out_video: str | Path | None = None,
    save_landmarks: bool = False,
    model_complexity: int = 1,
    progress: ProgressCallback | None = None,
    estimator: PoseEstimator | None = None,
    on_result: Callable[[FrameResult], None] | None = None,
) -> AnalysisResult:
    """Analyse a video file.

    Args:
        video: The video file.
        spec: The exercise spec.
        side: The user's chosen/painful side, if any.
        out_video: Where to write the annotated MP4 (``None``: no video).
        save_landmarks: Keep the pose sequence (to save with ``save_npz``).
        model_complexity: MediaPipe model (1 is bundled; 0 and 2 download).
        progress: Called as ``progress(done, total)`` after each frame.
        estimator: A pose estimator to use instead of MediaPipe (tests).
        on_result: Called with every frame result (e.g. to stream to a UI).

    Returns:
        The :class:`AnalysisResult`. A video that ends early (truncated) still
        gives the results up to the break, with the problem noted.

    Raises:
        VideoError: If the video cannot be opened or has no frames.
        OutputError: If the annotated video cannot be written.
        PoseBackendError: If the pose model cannot be created.
    """
    path = Path(video)
    reader = FrameReader(path)
    info = reader.info
    timings = AnalysisTimings()
    own_estimator = estimator is None
    est = estimator or create_estimator(model_complexity=model_complexity)
    writer = VideoWriter(out_video, fps=info.fps) if out_video is not None else None

    def frames() -> Iterator[tuple[PoseFrame, npt.NDArray[np.uint8] | None]]:
        it = reader.frames()
        while True:
            t0 = time.perf_counter()
            frame = next(it, None)
            t1 = time.perf_counter()
            timings.decode_s += t1 - t0
            if frame is None:
                return
            pose = est(frame.image_bgr, frame.timestamp_ms, frame.index)
            timings.pose_s += time.perf_counter() - t1
            yield pose, frame.image_bgr

    exercise = ExerciseSet(spec, side, source=Source("video", path.name, info.fps))
    try:
        poses = _run(
            frames(),
            exercise,
            writer,
            info.frame_count,
            progress,
            timings,
            save_landmarks,
            on_result,
        )
    finally:
        if writer is not None:
            writer.close()
        if own_estimator:
            est.close()
    if exercise.frames == 0:
        raise InputError(f"{path}: no frame could be decoded")
    problems = [reader.problem] if reader.ended_early and reader.problem else []
    session = exercise.finish(warnings=list(problems), problem=reader.problem)
    sequence = (
        PoseSequence.from_frames(poses, info.fps, source=str(path))
        if save_landmarks and poses
        else None
    )
    return AnalysisResult(
        session=session,
        video_path=Path(out_video) if out_video is not None else None,
        landmarks=sequence,
        timings=timings,
        problems=problems,
    )


def analyze_landmarks(
    sequence: PoseSequence,
    spec: ExerciseSpec,
    side: Side | None = None,
    progress: ProgressCallback | None = None,
) -> AnalysisResult:
    """Analyse a recorded landmark sequence (no video, no model).

    Args:
        sequence: Landmarks saved with ``--save-landmarks``.
        spec: The exercise spec.
        side: The user's chosen/painful side, if any.
        progress: Called as ``progress(done, total)``.
    """
    timings = AnalysisTimings()
    replay = ReplayPoseEstimator(sequence)
    frames = ((pose, None) for pose in replay.frames())
    name = Path(sequence.source).name if sequence.source else "landmarks"
    exercise = ExerciseSet(spec, side, source=Source("landmarks", name, sequence.fps))
    _run(frames, exercise, None, len(sequence), progress, timings, False, None)
    session = exercise.finish()
    return AnalysisResult(
        session=session, video_path=None, landmarks=sequence, timings=timings
    )


def check_output_folder(folder: str | Path) -> Path:
    """Create the output folder if needed and check it can be written.

    Raises:
        OutputError: Naming the folder and the problem.
    """
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".formcheck-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(
            f"{out}: output folder cannot be written ({exc.strerror or exc})"
        ) from None
    return out

"""Analyse a recorded video (or saved landmarks) end to end.

``analyze_video`` reads frames, runs the pose model, the checker and the
annotators, writes an H.264 MP4 that browsers play, and returns the session
record. It is what ``formcheck analyze`` and the app's Review page call.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from formcheck import messages
from formcheck.engine.exercise_set import ExerciseSet, Source
from formcheck.errors import InputError, OutputError, StoppedBeforeStart
from formcheck.interrupt import StopRequest
from formcheck.landmarks import Side
from formcheck.outputs import (
    MAX_STEM_BYTES as MAX_STEM_BYTES,
    check_output_folder as check_output_folder,
    output_lock as output_lock,
    output_stem as output_stem,
)
from formcheck.parallel.plan import DEFAULT_OVERLAP_S, MIN_CHUNK_S, Chunk, plan_chunks
from formcheck.parallel.pose_stream import PoseStream
from formcheck.pose import PoseEstimator, ReplayPoseEstimator, create_estimator
from formcheck.record import SessionRecord
from formcheck.results import FrameResult
from formcheck.specs.schema import ExerciseSpec
from formcheck.timings import AnalysisTimings
from formcheck.types import PoseFrame, PoseSequence
from formcheck.video import FrameReader, VideoInfo, VideoWriter

logger = logging.getLogger(__name__)

#: Share of frames with several people above which a video is rejected.
SEVERAL_PEOPLE_LIMIT = 0.5

ProgressCallback = Callable[[int, int], None]
EstimatorFactory = Callable[[], PoseEstimator]


@dataclass
class AnalysisResult:
    """What an analysis produced."""

    session: SessionRecord
    video_path: Path | None
    landmarks: PoseSequence | None
    timings: AnalysisTimings
    problems: list[str] = field(default_factory=list)
    #: Why the annotated video asked for was not written (e.g. a full disk);
    #: the analysis went on without it.
    video_problem: str | None = None

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
    items: Iterator[tuple[PoseFrame, npt.NDArray[np.uint8] | None]],
    exercise: ExerciseSet,
    writer: VideoWriter | None,
    total: int,
    progress: ProgressCallback | None,
    timings: AnalysisTimings,
    keep_landmarks: bool,
    on_result: Callable[[FrameResult], None] | None,
    stop: StopRequest | None = None,
) -> tuple[list[PoseFrame], str | None]:
    """Check every pose (and draw it while the video can be written).

    Returns:
        The poses kept, and why the annotated video stopped being written
        (the writer is then aborted and the checking goes on without it).
    """
    video_problem = None
    annotator = None
    if writer is not None:
        from formcheck.annotate import ResultAnnotator  # drawing only when asked

        annotator = ResultAnnotator(exercise.spec)
    poses: list[PoseFrame] = []
    for i, (pose, image) in enumerate(items):
        if stop is not None and stop.requested:
            break  # keep what was analysed; the caller marks the record
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
            try:
                writer.write(scene, pose.timestamp_ms)
            except OutputError as exc:
                video_problem = str(exc)
                writer.abort()  # no half video under its name
                writer = None
            timings.write_s += time.perf_counter() - t2
        timings.frames += 1
        if progress is not None:
            progress(i + 1, total)
    return poses, video_problem


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
    *,
    jobs: int = 1,
    estimator_factory: EstimatorFactory | None = None,
    overlap_s: float = DEFAULT_OVERLAP_S,
    min_chunk_s: float = MIN_CHUNK_S,
    stop: StopRequest | None = None,
    pose_stream: PoseStream | None = None,
) -> AnalysisResult:
    """Analyse a video file.

    With ``jobs`` > 1 and a video long enough, the pose model runs in
    parallel chunks in ``jobs`` processes (:mod:`formcheck.parallel`) and the
    checker then runs over the merged poses in time order; otherwise one
    process decodes, estimates and checks, each on its own thread.

    Args:
        video: The video file.
        spec: The exercise spec.
        side: The user's chosen/painful side, if any.
        out_video: Where to write the annotated MP4 (``None``: no video).
        save_landmarks: Keep the pose sequence (to save with ``save_npz``).
        model_complexity: MediaPipe model (1 is bundled; 0 and 2 download).
        progress: Called as ``progress(done, total)`` as the work goes on,
            always in the calling thread.
        estimator: A pose estimator to use instead of MediaPipe (tests); it
            runs in this process, so ``jobs`` is ignored.
        on_result: Called with every frame result, in frame order, in the
            calling thread (e.g. to stream to a UI).
        jobs: Processes for pose estimation (1: this process only).
        estimator_factory: Makes the estimator of each process (picklable;
            default: MediaPipe with ``model_complexity``).
        overlap_s: Warm-up before each parallel chunk (estimated, dropped).
        min_chunk_s: Shortest parallel chunk (shorter videos: one process).
        stop: Read between frames: once requested, the analysis ends there
            and returns what it has (see :mod:`formcheck.interrupt`).
        pose_stream: The poses of ``video``, already being estimated
            (:func:`~formcheck.parallel.pose_stream.start_pose_stream`): the
            analysis runs in this process with the stream's estimator
            (``model_complexity`` is then the stream's) and closes the
            stream, also when it fails.

    Returns:
        The :class:`AnalysisResult`. A video that ends early (truncated) or a
        run stopped part-way still gives the results up to the break (and
        the annotated video so far), with the problem noted in the record.

    Raises:
        StoppedBeforeStart: If ``stop`` was requested before the first frame.
        VideoError: If the video cannot be opened or has no frames.
        OutputError: If the annotated video cannot be started (its temporary
            file cannot be made); a video that fails later (a full disk) is
            dropped and the analysis goes on (``AnalysisResult.video_problem``).
        PoseBackendError: If the pose model cannot be created.
        ValueError: If ``jobs`` < 1, or ``pose_stream`` is of another video (or
            was given none), keeps no images for the asked ``out_video``, or
            comes with an ``estimator`` or ``estimator_factory``.
    """
    path = Path(video)
    try:
        _check_arguments(
            path, jobs, out_video, pose_stream, estimator, estimator_factory
        )
        reader = pose_stream.reader if pose_stream is not None else FrameReader(path)
        info = reader.info
        exercise = ExerciseSet(spec, side, source=Source("video", path.name, info.fps))
    except BaseException:
        if pose_stream is not None:
            pose_stream.close()  # handed over: never left running (_analyze_here closes it)
        raise
    factory = estimator_factory or functools.partial(
        create_estimator, model_complexity=model_complexity
    )
    here = estimator is not None or pose_stream is not None
    chunks = [] if here else _plan(info, jobs, overlap_s, min_chunk_s)
    timings = pose_stream.timings if pose_stream is not None else AnalysisTimings()
    if len(chunks) > 1:
        from formcheck.parallel.run import ParallelRun  # only for several jobs

        run = ParallelRun(path, info, chunks, factory, jobs)
        poses, problem, video_problem = run.analyze(
            exercise, out_video, save_landmarks, progress, on_result, timings, stop
        )
    else:
        stream = pose_stream or _stream(reader, estimator, factory, out_video, timings)
        poses, video_problem = _analyze_here(
            stream,
            exercise,
            out_video=out_video,
            keep_landmarks=save_landmarks,
            progress=progress,
            on_result=on_result,
            timings=timings,
            stop=stop,
        )
        problem = reader.problem if reader.ended_early else None
    problem = _ending_problem(stop, exercise, info.frame_count, problem)
    if exercise.frames == 0:
        raise InputError(f"{path}: no frame could be decoded")
    problems = [problem] if problem else []
    if video_problem and out_video is not None and _exists(Path(out_video)):
        video_problem += "; the annotated video of an earlier run is still there"
    notes = (
        [*problems, messages.video_not_written(video_problem)]
        if video_problem
        else list(problems)
    )
    sequence = (
        PoseSequence.from_frames(poses, info.fps, source=str(path)) if poses else None
    )
    written = out_video is not None and video_problem is None
    return AnalysisResult(
        session=exercise.finish(warnings=notes, problem=problem),
        video_path=Path(out_video) if written and out_video is not None else None,
        landmarks=sequence,
        timings=timings,
        problems=problems,
        video_problem=video_problem,
    )


def _exists(path: Path) -> bool:
    """Whether ``path`` exists (``False`` when it cannot even be looked at)."""
    try:
        return path.exists()
    except OSError:
        return False


def _check_arguments(
    path: Path,
    jobs: int,
    out_video: str | Path | None,
    stream: PoseStream | None,
    estimator: PoseEstimator | None,
    factory: EstimatorFactory | None,
) -> None:
    if jobs < 1:
        raise ValueError(f"`jobs` must be >= 1, but got {jobs!r}")
    if stream is None:
        return
    if estimator is not None or factory is not None:
        raise ValueError("a pose stream brings its own estimator: give no other")
    try:
        reader = stream.reader
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None
    if reader.path.resolve() != path.resolve():
        raise ValueError(f"the pose stream reads {reader.path}, not {path}")
    if out_video is not None and not stream.keep_images:
        raise ValueError("an annotated video needs a pose stream that keeps images")


def _stream(
    reader: FrameReader,
    estimator: PoseEstimator | None,
    factory: EstimatorFactory,
    out_video: str | Path | None,
    timings: AnalysisTimings,
) -> PoseStream:
    """The poses of ``reader``'s video, from ``estimator`` (the caller's) or a new one."""
    keep = out_video is not None
    if estimator is None:
        return PoseStream(reader, factory, keep_images=keep, timings=timings)
    given = estimator
    return PoseStream(
        reader, lambda: given, close_estimator=False, keep_images=keep, timings=timings
    )


def _plan(
    info: VideoInfo, jobs: int, overlap_s: float, min_chunk_s: float
) -> list[Chunk]:
    """The parallel chunks for a video (one chunk: a single process will do)."""
    return plan_chunks(
        info.frame_count, info.fps, jobs, overlap_s=overlap_s, min_chunk_s=min_chunk_s
    )


def _ending_problem(
    stop: StopRequest | None, exercise: ExerciseSet, total: int, problem: str | None
) -> str | None:
    """Why the run ended early, if it did: a stop request, else ``problem``.

    Raises:
        StoppedBeforeStart: If the stop came before the first frame.
    """
    if stop is None or not stop.requested:
        return problem
    if exercise.frames == 0:
        raise StoppedBeforeStart(messages.stopped_before_start(stop.how))
    return messages.stopped_early(stop.how, exercise.frames, total)


def _analyze_here(
    stream: PoseStream,
    exercise: ExerciseSet,
    *,
    out_video: str | Path | None,
    keep_landmarks: bool,
    progress: ProgressCallback | None,
    on_result: Callable[[FrameResult], None] | None,
    timings: AnalysisTimings,
    stop: StopRequest | None,
) -> tuple[list[PoseFrame], str | None]:
    """Check ``stream``'s poses (decoded and estimated on threads of their own) here.

    Returns:
        The poses kept, and why the annotated video could not be written.
    """
    info = stream.reader.info
    writer: VideoWriter | None = None
    try:
        writer = VideoWriter(out_video, fps=info.fps) if out_video is not None else None
        try:
            poses, video_problem = _run(
                iter(stream),
                exercise,
                writer,
                info.frame_count,
                progress,
                timings,
                keep_landmarks,
                on_result,
                stop,
            )
        finally:
            stream.close()  # stops the threads at once after a stop or a failure
        if writer is not None and video_problem is None and writer.frames_written > 0:
            try:
                writer.close()  # the finished video replaces any earlier one
            except OutputError as exc:
                video_problem = str(exc)
        return poses, video_problem
    finally:
        stream.close()  # also when the video could not be opened for writing
        if writer is not None:
            writer.abort()  # after a failure (or no frame): no file under its name


def analyze_landmarks(
    sequence: PoseSequence,
    spec: ExerciseSpec,
    side: Side | None = None,
    progress: ProgressCallback | None = None,
    stop: StopRequest | None = None,
) -> AnalysisResult:
    """Analyse a recorded landmark sequence (no video, no model).

    Args:
        sequence: Landmarks saved with ``--save-landmarks``.
        spec: The exercise spec.
        side: The user's chosen/painful side, if any.
        progress: Called as ``progress(done, total)``.
        stop: As for :func:`analyze_video`.

    Raises:
        StoppedBeforeStart: If ``stop`` was requested before the first frame.
    """
    timings = AnalysisTimings()
    replay = ReplayPoseEstimator(sequence)
    frames = ((pose, None) for pose in replay.frames())
    name = Path(sequence.source).name if sequence.source else "landmarks"
    exercise = ExerciseSet(spec, side, source=Source("landmarks", name, sequence.fps))
    _run(frames, exercise, None, len(sequence), progress, timings, False, None, stop)
    problem = _ending_problem(stop, exercise, len(sequence), None)
    problems = [problem] if problem else []
    session = exercise.finish(warnings=list(problems), problem=problem)
    return AnalysisResult(
        session=session,
        video_path=None,
        landmarks=sequence,
        timings=timings,
        problems=problems,
    )

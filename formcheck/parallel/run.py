"""One video analysed by several processes: parallel pose, ordered checking.

:class:`ParallelRun` is what :func:`formcheck.analyze.analyze_video` does
when ``jobs`` > 1 and the video is long enough:

1. every chunk's poses are estimated in a worker process
   (:mod:`~formcheck.parallel.pose_chunks`);
2. the exercise set checks the merged poses in frame order, in this process,
   while later chunks are still being estimated;
3. with an annotated video, each chunk is drawn and encoded by a worker into a
   segment, and the segments are joined without re-encoding
   (:mod:`~formcheck.parallel.segments`).
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.engine.exercise_set import ExerciseSet
from formcheck.errors import OutputError
from formcheck.parallel.plan import Chunk
from formcheck.parallel.pool import MessageKind, WorkerDied, WorkerPool
from formcheck.parallel.pose_chunks import (
    EstimatorFactory,
    MergeState,
    ProgressCallback,
    ordered_poses,
)
from formcheck.parallel.segments import (
    SegmentJoinError,
    join_segments,
    render_segment,
    save_results,
)
from formcheck.results import FrameResult
from formcheck.types import PoseFrame
from formcheck.video import VideoInfo

if TYPE_CHECKING:
    from formcheck.interrupt import StopRequest
    from formcheck.timings import AnalysisTimings

logger = logging.getLogger(__name__)


class ParallelRun:
    """Analyse one video with ``jobs`` worker processes.

    Args:
        path: The video.
        info: What :func:`~formcheck.video.probe_video` found.
        chunks: The chunks (more than one).
        factory: Makes each worker's estimator (picklable).
        jobs: Worker processes.
    """

    def __init__(
        self,
        path: Path,
        info: VideoInfo,
        chunks: list[Chunk],
        factory: EstimatorFactory,
        jobs: int,
    ) -> None:
        self.path = path
        self.info = info
        self.chunks = chunks
        self.factory = factory
        self.jobs = max(1, min(jobs, len(chunks)))
        self._keep_problem: str | None = None  # why no video can be drawn

    def analyze(
        self,
        exercise: ExerciseSet,
        out_video: str | Path | None,
        keep_landmarks: bool,
        progress: ProgressCallback | None,
        on_result: Callable[[FrameResult], None] | None,
        timings: AnalysisTimings,
        stop: StopRequest | None = None,
    ) -> tuple[list[PoseFrame], str | None, str | None]:
        """Estimate, check (and draw); return the kept poses and any problems.

        Progress counts estimated frames, then (with a video) drawn frames:
        ``total`` is twice the frame count when a video is drawn. Once
        ``stop`` is requested, checking ends at the next frame, the workers
        still estimating are stopped, and the frames checked so far are drawn.

        Returns:
            The poses kept, why the video ended early (if it did), and why
            the annotated video could not be written (if it could not; the
            checked results are kept all the same).
        """
        video_problem = None
        frames = max(self.info.frame_count, 1)
        total = frames * (2 if out_video is not None else 1)
        state = MergeState()
        with (
            tempfile.TemporaryDirectory(prefix="formcheck-") as scratch,
            WorkerPool(self.jobs) as pool,
        ):
            folder = Path(scratch)
            poses = self._check(
                pool,
                exercise,
                folder if out_video is not None else None,
                keep_landmarks,
                on_result,
                timings,
                state,
                (progress, total),
                stop,
            )
            if self._keep_problem is not None:
                video_problem = self._keep_problem
            elif out_video is not None and exercise.frames > 0:
                t0 = time.perf_counter()
                try:
                    if stop is not None and stop.requested:
                        # The workers are busy with frames nobody will check.
                        pool.terminate()
                        with WorkerPool(self.jobs) as drawing:
                            self._draw(
                                drawing,
                                folder,
                                Path(out_video),
                                exercise,
                                progress,
                                total,
                            )
                    else:
                        self._draw(
                            pool, folder, Path(out_video), exercise, progress, total
                        )
                except (OutputError, WorkerDied) as exc:  # a full disk: results stay
                    video_problem = str(exc)
                timings.write_s += time.perf_counter() - t0
        return poses, state.problem, video_problem

    def _check(
        self,
        pool: WorkerPool,
        exercise: ExerciseSet,
        folder: Path | None,
        keep_landmarks: bool,
        on_result: Callable[[FrameResult], None] | None,
        timings: AnalysisTimings,
        state: MergeState,
        progress: tuple[ProgressCallback | None, int],
        stop: StopRequest | None,
    ) -> list[PoseFrame]:
        """Check the poses in frame order; keep each chunk's results in ``folder``."""
        poses: list[PoseFrame] = []
        pending: list[FrameResult] = []
        chunk = 0
        merged = ordered_poses(
            pool, self.path, self.chunks, self.factory, state, progress[1], progress[0]
        )
        try:
            for pose in merged:
                if stop is not None and stop.requested:
                    break
                t0 = time.perf_counter()
                result = exercise.update(pose)
                timings.check_s += time.perf_counter() - t0
                timings.frames += 1
                if keep_landmarks:
                    poses.append(pose)
                if on_result is not None:
                    on_result(result)
                if folder is None:
                    continue
                end = self.chunks[chunk].stop
                if end is not None and pose.frame_index >= end:
                    folder = self._keep(pending, folder, chunk)
                    pending, chunk = [], chunk + 1
                pending.append(result)
        finally:
            merged.close()
        timings.decode_s += state.decode_s
        timings.pose_s += state.pose_s
        timings.chunks = len(self.chunks)
        timings.replayed_chunks = state.replays
        if folder is not None and pending:
            self._keep(pending, folder, chunk)
        return poses

    def _keep(
        self, results: list[FrameResult], folder: Path | None, chunk: int
    ) -> Path | None:
        """Keep a chunk's results for drawing; ``None`` once they cannot be kept.

        A full temporary folder costs the annotated video, never the results.
        """
        if folder is None:
            return None
        try:
            save_results(results, folder / f"results{chunk}.pickle")
        except OutputError as exc:
            self._keep_problem = str(exc)
            return None
        return folder

    def _draw(
        self,
        pool: WorkerPool,
        folder: Path,
        out: Path,
        exercise: ExerciseSet,
        progress: ProgressCallback | None,
        total: int,
    ) -> None:
        """Draw and encode the chunks in the workers, then join the segments."""
        count = len(list(folder.glob("results*.pickle")))
        segments = [folder / f"segment{i}.mp4" for i in range(count)]
        for i in range(count):
            chunk = self.chunks[i]
            pool.submit(
                i,
                render_segment,
                str(self.path),
                chunk.start,
                chunk.stop,
                str(folder / f"results{i}.pickle"),
                exercise.spec,
                str(segments[i]),
                self.info.fps,
            )
        drawn: dict[int, int] = {}
        base = total // 2
        for message in pool.messages():
            if message.kind is MessageKind.ERROR:
                raise message.payload
            drawn[message.task] = int(message.payload)
            if progress is not None:
                done = base + sum(drawn.values())
                progress(done, max(total, done))
        try:
            join_segments(segments, out)
        except SegmentJoinError as exc:
            logger.info(
                "%s: segments not joined by copying (%s); re-encoding", out, exc
            )
            from formcheck.parallel.segments import reencode_segments

            reencode_segments(segments, out, self.info.fps)

"""Pose estimation of one video in parallel chunks, served back in time order.

Every chunk (:mod:`formcheck.parallel.plan`) is estimated in a worker process
with its own estimator made by a picklable factory (by default
:func:`formcheck.pose.create_estimator`); the poses come back in batches while
the workers run. :func:`ordered_poses` yields them in frame order, handing
over from one chunk to the next only where both estimates agree
(:mod:`formcheck.parallel.merge`), so the form checker runs over one merged
sequence exactly as over a sequential one.

What can still differ from one sequential run: after the hand-over, the next
chunk's model has a history of its own (a warm-up instead of the whole video
before it), so its landmarks can stay a fraction of a pixel to a few pixels
off; ``formcheck bench --speed`` measures that and checks that counts, hold
times and faults are the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.parallel.merge import PoseMerger
from formcheck.parallel.plan import Chunk
from formcheck.parallel.pool import MessageKind, WorkerPool, send
from formcheck.pose import PoseEstimator
from formcheck.types import PoseFrame

#: Poses per message from a worker.
BATCH_FRAMES = 16

EstimatorFactory = Callable[[], PoseEstimator]
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ChunkReport:
    """What a worker reports when its chunk is done.

    Attributes:
        chunk: The chunk's index.
        kept: Poses sent (the chunk's own frames).
        estimated: Frames estimated, warm-up included.
        frames_read: Frames decoded, with those skipped before the warm-up.
        problem: Why the video ended early (only the last chunk knows).
        decode_s: Seconds spent decoding.
        pose_s: Seconds spent in the pose model.
    """

    chunk: int
    kept: int
    estimated: int
    frames_read: int
    problem: str | None
    decode_s: float
    pose_s: float


def estimate_chunk(video: str, chunk: Chunk, factory: EstimatorFactory) -> ChunkReport:
    """Estimate the poses of one chunk (runs in a worker process).

    Frames from ``chunk.start`` to ``chunk.end`` (the run-on included) are
    sent to the parent in batches (``DATA`` messages: lists of poses).
    """
    from formcheck.video import FrameReader

    reader = FrameReader(video)
    batch: list[PoseFrame] = []
    kept = estimated = 0
    decode_s = pose_s = 0.0
    with factory() as estimator:
        frames = reader.frames(chunk.warm_start, chunk.end)
        while True:
            t0 = time.perf_counter()
            frame = next(frames, None)
            t1 = time.perf_counter()
            decode_s += t1 - t0
            if frame is None:
                break
            pose = estimator(frame.image_bgr, frame.timestamp_ms, frame.index)
            pose_s += time.perf_counter() - t1
            estimated += 1
            if frame.index < chunk.start:
                continue
            batch.append(pose)
            kept += 1
            if len(batch) >= BATCH_FRAMES:
                send(MessageKind.DATA, batch)
                batch = []
    if batch:
        send(MessageKind.DATA, batch)
    return ChunkReport(
        chunk=chunk.index,
        kept=kept,
        estimated=estimated,
        frames_read=reader.frames_read,
        problem=reader.problem if reader.ended_early else None,
        decode_s=decode_s,
        pose_s=pose_s,
    )


@dataclass
class MergeState:
    """What :func:`ordered_poses` learnt while merging.

    Attributes:
        reports: Each task's report.
        problem: Why the video ended early, if it did.
        replays: Chunks whose own poses were not used (no safe hand-over).
    """

    reports: dict[int, ChunkReport] = field(default_factory=dict)
    problem: str | None = None
    replays: int = 0

    @property
    def decode_s(self) -> float:
        """Decoding seconds, summed over the workers."""
        return sum(r.decode_s for r in self.reports.values())

    @property
    def pose_s(self) -> float:
        """Pose-model seconds, summed over the workers."""
        return sum(r.pose_s for r in self.reports.values())


def ordered_poses(
    pool: WorkerPool,
    video: Path,
    chunks: list[Chunk],
    factory: EstimatorFactory,
    state: MergeState,
    total: int = 0,
    progress: ProgressCallback | None = None,
) -> Generator[PoseFrame, None, None]:
    """Estimate ``chunks`` on ``pool`` and yield the poses in frame order.

    Args:
        pool: Worker processes (one per chunk is best).
        video: The video file.
        chunks: From :func:`~formcheck.parallel.plan.plan_chunks`.
        factory: Makes each worker's estimator (picklable).
        state: Filled in with the tasks' reports and the video's problem.
        total: Frames expected, for ``progress``.
        progress: Called as ``progress(frames estimated, total)`` as batches
            arrive (in the calling thread).

    Yields:
        Every pose, frame 0 first, each frame once (see
        :class:`~formcheck.parallel.merge.PoseMerger` for the hand-over).

    Raises:
        PoseBackendError: If a worker failed or lost its place.
        FormcheckError: A worker's own error (e.g. the model cannot load).
    """
    merger = PoseMerger(pool, video, chunks, factory, estimate_chunk)
    yield from merger.poses(progress, total)
    reports = [r for r in merger.reports.values() if isinstance(r, ChunkReport)]
    state.reports = {i: r for i, r in enumerate(reports)}
    state.replays = merger.replays
    ended = [r.problem for r in reports if r.problem]
    state.problem = ended[0] if ended else None

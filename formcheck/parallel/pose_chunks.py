"""Pose estimation of one video in parallel chunks, served back in time order.

Every chunk (:mod:`formcheck.parallel.plan`) is estimated in a worker process
with its own estimator made by a picklable factory (by default
:func:`formcheck.pose.create_estimator`); the poses come back in batches while
the workers run. :func:`ordered_poses` yields them in frame order — all of
chunk 0, then chunk 1, ... — so the form checker runs over the merged
sequence exactly as it runs over a sequential one.

What differs from one sequential run: each chunk's model starts fresh
``overlap`` frames before the chunk. Those frames are dropped, but the
model's landmark smoothing and tracking region carry a little of their
history, so the first frames of a chunk can differ from a sequential run by
a fraction of a pixel; ``formcheck bench --speed`` measures that difference
and checks that counts, hold times and faults are the same.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.errors import InputError, PoseBackendError
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


def estimate_chunk(
    video: str, chunk: Chunk, factory: EstimatorFactory, batch_frames: int
) -> ChunkReport:
    """Estimate the poses of one chunk (runs in a worker process).

    The kept poses are sent to the parent in batches (``DATA`` messages of
    ``(chunk index, [PoseFrame, ...])``).
    """
    from formcheck.video import FrameReader

    reader = FrameReader(video)
    batch: list[PoseFrame] = []
    kept = estimated = 0
    decode_s = pose_s = 0.0
    with factory() as estimator:
        frames = reader.frames(chunk.warm_start, chunk.stop)
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
            if len(batch) >= batch_frames:
                send(MessageKind.DATA, (chunk.index, batch))
                batch = []
    if batch:
        send(MessageKind.DATA, (chunk.index, batch))
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
        reports: Each chunk's report, by chunk index.
        problem: Why the video ended early, if it did.
    """

    reports: dict[int, ChunkReport] = field(default_factory=dict)
    problem: str | None = None

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
) -> Iterator[PoseFrame]:
    """Estimate ``chunks`` on ``pool`` and yield the kept poses in frame order.

    Args:
        pool: Worker processes (one per chunk is best).
        video: The video file.
        chunks: From :func:`~formcheck.parallel.plan.plan_chunks`.
        factory: Makes each worker's estimator (picklable).
        state: Filled in with the chunks' reports and the video's problem.
        total: Frames expected, for ``progress``.
        progress: Called as ``progress(frames estimated, total)`` as batches
            arrive (in the calling thread).

    Yields:
        Every pose, frame 0 first, each frame once.

    Raises:
        PoseBackendError: If a worker failed or its poses are not contiguous.
        FormcheckError: A worker's own error (e.g. the model cannot load).
    """
    for chunk in chunks:
        pool.submit(
            chunk.index, estimate_chunk, str(video), chunk, factory, BATCH_FRAMES
        )
    buffers: dict[int, deque[PoseFrame]] = {c.index: deque() for c in chunks}
    current, expected, done = 0, 0, 0
    for message in pool.messages():
        if message.kind is MessageKind.ERROR:
            raise message.payload
        if message.kind is MessageKind.DATA:
            index, poses = message.payload
            buffers[index].extend(poses)
            done += len(poses)
            if progress is not None:
                progress(done, max(total, done))
        elif message.kind is MessageKind.DONE:
            state.reports[message.task] = message.payload
        while current < len(chunks):
            buffer = buffers[current]
            while buffer:
                pose = buffer.popleft()
                if pose.frame_index != expected:
                    raise PoseBackendError(
                        f"{video}: parallel pose estimation lost its place "
                        f"(frame {pose.frame_index} where {expected} was due); "
                        "try again with --jobs 1"
                    )
                expected += 1
                yield pose
            if current not in state.reports:
                break
            current += 1
    last = state.reports.get(chunks[-1].index)
    state.problem = last.problem if last is not None else None
    if expected == 0:
        raise InputError(f"{video}: no frame could be decoded")

"""Merging parallel chunks into one pose sequence, handing over only when safe.

Each chunk's model starts cold, a little before its first frame. Usually it
has found the same person as the previous chunk's model by then; but with
someone else in view it may have picked the other person, and right after a
cold start its landmarks can still be settling. So the previous chunk runs on
past its end (``run_on`` frames), and :class:`PoseMerger` compares the two
estimates of those frames:

* the hand-over happens at the first frame from which both agree for
  :data:`AGREE_FRAMES` frames in a row (the same landmarks within
  :data:`AGREE_TOLERANCE` of the image diagonal, or nobody in both); until
  then the previous chunk's poses are used;
* if they never agree in the run-on (another person, or still settling), the
  next chunk's poses are not used at all: the previous chunk's process is
  replayed from its own start and carried on through the next chunk (a
  worker model is deterministic, so the replay continues exactly as the
  first run would have). That costs a chunk's work, and is rare.

Frames are yielded strictly in order: frame 0, 1, 2 …, each once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from formcheck.errors import InputError, PoseBackendError
from formcheck.parallel.plan import Chunk
from formcheck.parallel.pool import MessageKind, WorkerPool
from formcheck.pose import PoseEstimator
from formcheck.types import PoseFrame

#: Consecutive frames on which two chunks must agree before handing over.
AGREE_FRAMES = 3
#: Largest mean landmark distance for "the same pose", as a share of the
#: image diagonal (0.5 %: about 5 px at 854x480).
AGREE_TOLERANCE = 0.005
#: Landmarks compared: those at least this visible in both estimates.
_VISIBLE = 0.5

EstimatorFactory = Callable[[], PoseEstimator]
ProgressCallback = Callable[[int, int], None]


def same_pose(a: PoseFrame, b: PoseFrame, tolerance: float = AGREE_TOLERANCE) -> bool:
    """Whether two estimates of one frame show the same pose of the same person."""
    if a.has_person != b.has_person:
        return False
    if not a.has_person:
        return True
    seen = (a.visibility >= _VISIBLE) & (b.visibility >= _VISIBLE)
    seen &= np.isfinite(a.xy).all(axis=1) & np.isfinite(b.xy).all(axis=1)
    if not seen.any():
        return False
    gap = float(np.linalg.norm(a.xy[seen] - b.xy[seen], axis=1).mean())
    width, height = a.resolution_wh
    return gap <= tolerance * math.hypot(width, height)


@dataclass
class _Source:
    """One task's poses, by frame index."""

    chunk: Chunk
    poses: dict[int, PoseFrame] = field(default_factory=dict)
    done: bool = False
    last: int = -1  # highest frame index received
    dropped: bool = False  # replaced by a replay: its poses are not kept

    def ready_through(self, index: int) -> bool:
        """Whether every frame up to ``index`` has arrived (or never will)."""
        return self.done or self.last >= index


class PoseMerger:
    """Runs the chunk tasks on a pool and yields their poses in frame order.

    Args:
        pool: Worker processes.
        video: The video.
        chunks: The plan (more than one chunk).
        factory: Makes each worker's estimator (picklable).
        estimate: The task function (``estimate(video, chunk, factory)``).
    """

    def __init__(
        self,
        pool: WorkerPool,
        video: Path,
        chunks: list[Chunk],
        factory: EstimatorFactory,
        estimate: Callable[..., object],
    ) -> None:
        self.pool = pool
        self.video = video
        self.chunks = chunks
        self.factory = factory
        self.estimate = estimate
        self.sources: dict[int, _Source] = {}
        self.reports: dict[int, object] = {}
        self.replays = 0
        self._next_task = 0

    def _submit(self, chunk: Chunk) -> int:
        task = self._next_task
        self._next_task += 1
        self.sources[task] = _Source(chunk)
        self.pool.submit(task, self.estimate, str(self.video), chunk, self.factory)
        return task

    def poses(
        self, progress: ProgressCallback | None, total: int
    ) -> Iterator[PoseFrame]:
        """Every pose, frame 0 first (see the module's description)."""
        tasks = [self._submit(c) for c in self.chunks]
        state = _Walk(source=tasks[0], chunk=0, index=0)
        received = 0
        for message in self.pool.messages():
            if message.kind is MessageKind.ERROR:
                raise message.payload
            source = self.sources[message.task]
            if message.kind is MessageKind.DATA:
                for pose in message.payload:
                    source.last = max(source.last, pose.frame_index)
                    if not source.dropped:
                        source.poses[pose.frame_index] = pose
                received += len(message.payload)
                if progress is not None:
                    progress(min(received, total), max(total, 1))
            elif message.kind is MessageKind.DONE:
                source.done = True
                self.reports[message.task] = message.payload
            yield from self._advance(state, tasks)
        if not state.finished:
            raise PoseBackendError(
                f"{self.video}: parallel pose estimation stopped at frame "
                f"{state.index}; try again with --jobs 1"
            )
        if state.index == 0:
            raise InputError(f"{self.video}: no frame could be decoded")

    def _advance(self, state: _Walk, tasks: list[int]) -> Iterator[PoseFrame]:
        """Yield every frame that can be yielded now; hand over at boundaries."""
        while not state.finished:
            source = self.sources[state.source]
            stop = self.chunks[state.chunk].stop
            if stop is None or state.index < stop:
                pose = source.poses.pop(state.index, None)
                if pose is None:
                    if source.done:
                        state.finished = True  # the video ended
                    return
                yield pose
                state.index += 1
                continue
            handed = self._hand_over(state, tasks)
            if handed is None:
                return
            yield from handed

    def _hand_over(self, state: _Walk, tasks: list[int]) -> list[PoseFrame] | None:
        """At a chunk's end: decide where the next chunk's poses take over.

        Returns the frames to yield from the current source first, or
        ``None`` while more frames are needed to decide.
        """
        current = self.sources[state.source]
        nxt_chunk = state.chunk + 1
        following = self.sources[tasks[nxt_chunk]]
        boundary = state.index
        last = boundary + self.chunks[state.chunk].run_on - 1
        if not (current.ready_through(last) and following.ready_through(last)):
            return None
        run_on = [current.poses.get(i) for i in range(boundary, last + 1)]
        if None in run_on:  # the video ended before the run-on did
            state.finished = True
            return [p for p in run_on[: run_on.index(None)] if p is not None]
        ahead = [following.poses.get(i) for i in range(boundary, last + 1)]
        take = self._agreement(run_on, ahead)
        emitted: list[PoseFrame] = []
        if take is not None:
            emitted = [p for p in run_on[:take] if p is not None]
            state.source, state.index = tasks[nxt_chunk], boundary + take
            for i in range(boundary, boundary + take):
                following.poses.pop(i, None)
        else:
            emitted = [p for p in run_on if p is not None]
            state.index = boundary + len(emitted)
            state.source = self._replay(current.chunk, nxt_chunk, state.index)
            following.dropped = True
            following.poses.clear()
            self.replays += 1
        state.chunk = nxt_chunk
        current.poses.clear()
        return emitted

    @staticmethod
    def _agreement(
        run_on: list[PoseFrame | None], ahead: list[PoseFrame | None]
    ) -> int | None:
        """Offset of the first frame from which both agree long enough."""
        streak = 0
        for offset, (a, b) in enumerate(zip(run_on, ahead, strict=True)):
            if a is None or b is None:
                return None
            streak = streak + 1 if same_pose(a, b) else 0
            if streak >= AGREE_FRAMES:
                return offset - AGREE_FRAMES + 1
        return None

    def _replay(self, previous: Chunk, chunk_index: int, first: int) -> int:
        """Carry the previous chunk's process on through chunk ``chunk_index``."""
        target = self.chunks[chunk_index]
        carried = replace(target, warm_start=previous.warm_start, start=first)
        return self._submit(carried)


@dataclass
class _Walk:
    """Where the merge is: the source in use, its chunk, the next frame."""

    source: int
    chunk: int
    index: int
    finished: bool = False

"""How a video is cut into chunks for parallel pose estimation.

Each chunk is estimated by its own process with its own (fresh) pose model.
The model tracks the person from frame to frame and smooths the landmarks
over time, so a chunk starts ``overlap_s`` before its first frame: those
warm-up frames are estimated and thrown away, and by the chunk's first frame
the tracker has usually settled on the person as it would have in one long
run. Each chunk but the last also runs on ``run_on_s`` past its end: those
frames are compared with the next chunk's own, to check that both follow the
same person before handing over (:mod:`formcheck.parallel.merge`).

The frames before a chunk's warm-up are decoded too (frame-exact indexes and
timestamps, see :meth:`formcheck.video.FrameReader.frames`), which costs a
little; later chunks are made slightly shorter so that every process has
about the same work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Seconds of video estimated before each chunk (after the first) and dropped.
DEFAULT_OVERLAP_S = 2.0
#: Seconds estimated after each chunk (but the last) to check the hand-over.
DEFAULT_RUN_ON_S = 1.0
#: A chunk is at least this long: shorter videos are not worth the start-up of
#: another process (a fresh interpreter and pose model).
MIN_CHUNK_S = 8.0
#: Cost of decoding a frame that is skipped, relative to decoding and
#: estimating one (used to balance the chunks).
SKIP_COST = 0.04


@dataclass(frozen=True)
class Chunk:
    """One part of a video for one process.

    Attributes:
        index: Position of the chunk, from 0.
        warm_start: First frame estimated (``start`` minus the overlap).
        start: First frame whose pose is kept.
        stop: Frame after the last one kept (``None``: to the end of the video).
        run_on: Frames estimated after ``stop`` to check the hand-over.
    """

    index: int
    warm_start: int
    start: int
    stop: int | None
    run_on: int = 0

    @property
    def end(self) -> int | None:
        """Frame after the last one estimated (``None``: to the end)."""
        return None if self.stop is None else self.stop + self.run_on

    @property
    def overlap(self) -> int:
        """Warm-up frames estimated and dropped."""
        return self.start - self.warm_start


def _boundaries(
    frames: int, parts: int, overlap: int, run_on: int, skip_cost: float
) -> list[int]:
    """Chunk starts that give every process about the same work."""

    def starts_for(cost: float) -> list[int]:
        starts = [0]
        for _ in range(parts - 1):
            warm = max(0, starts[-1] - overlap) if len(starts) > 1 else 0
            starts.append(round(cost - run_on + warm * (1.0 - skip_cost)))
        return starts

    low, high = 0.0, float(frames + run_on)
    for _ in range(60):
        mid = (low + high) / 2.0
        warm = max(0, starts_for(mid)[-1] - overlap)
        if warm * skip_cost + (frames - warm) > mid:
            low = mid
        else:
            high = mid
    return starts_for(high)


def plan_chunks(
    frame_count: int,
    fps: float,
    jobs: int,
    *,
    overlap_s: float = DEFAULT_OVERLAP_S,
    min_chunk_s: float = MIN_CHUNK_S,
    skip_cost: float = SKIP_COST,
    run_on_s: float = DEFAULT_RUN_ON_S,
) -> list[Chunk]:
    """Cut a video of ``frame_count`` frames into at most ``jobs`` chunks.

    Args:
        frame_count: Frames the container announces (may be an estimate: the
            last chunk always reads to the real end).
        fps: Frame rate.
        jobs: Processes available.
        overlap_s: Warm-up before each chunk but the first.
        min_chunk_s: Shortest chunk worth a process.
        skip_cost: Relative cost of a skipped frame (see :data:`SKIP_COST`).
        run_on_s: Estimated after each chunk but the last, for the hand-over.

    Returns:
        The chunks in order; one chunk (the whole video) when parallel
        estimation is not worth it.

    Raises:
        ValueError: If an argument is out of range.
    """
    if jobs < 1:
        raise ValueError(f"`jobs` must be >= 1, but got {jobs!r}")
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"`fps` must be positive, but got {fps!r}")
    if overlap_s < 0 or run_on_s < 0 or min_chunk_s <= 0 or not 0 <= skip_cost < 1:
        raise ValueError(
            "`overlap_s` and `run_on_s` must be >= 0, `min_chunk_s` > 0 and "
            f"`skip_cost` in [0, 1), but got {overlap_s!r}, {run_on_s!r}, "
            f"{min_chunk_s!r}, {skip_cost!r}"
        )
    min_frames = max(1, round(min_chunk_s * fps))
    parts = max(1, min(jobs, frame_count // min_frames))
    if parts == 1:
        return [Chunk(0, 0, 0, None)]
    overlap = round(overlap_s * fps)
    run_on = round(run_on_s * fps)
    starts = _boundaries(frame_count, parts, overlap, run_on, skip_cost)
    chunks: list[Chunk] = []
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < parts else None
        chunks.append(
            Chunk(
                i, max(0, start - overlap), start, stop, 0 if stop is None else run_on
            )
        )
    return chunks

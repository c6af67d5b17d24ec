"""Where the time of one analysis went (a plain record; imports nothing heavy)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class AnalysisTimings:
    """Where the time went (seconds, summed over frames and processes).

    ``chunks`` is how many parallel chunks the video was cut into, and
    ``replayed_chunks`` how many of them were estimated again because their
    own poses could not be handed over to (see :mod:`formcheck.parallel.merge`).
    """

    decode_s: float = 0.0
    pose_s: float = 0.0
    check_s: float = 0.0
    draw_s: float = 0.0
    write_s: float = 0.0
    frames: int = 0
    chunks: int = 1
    replayed_chunks: int = 0

    @property
    def total_s(self) -> float:
        """All measured time."""
        return self.decode_s + self.pose_s + self.check_s + self.draw_s + self.write_s

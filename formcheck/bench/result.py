"""How formcheck did on one benchmark clip."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class ClipResult:
    """How formcheck did on one clip."""

    file: str
    exercise: str
    view: str
    source: str
    confidence: str
    expected_reps: int | None
    found_reps: int | None
    expected_per_side: dict[str, int] | None
    found_per_side: dict[str, int] | None
    expected_holds_s: list[float] | None
    found_holds_s: list[float] | None
    hold_error_s: float | None
    faults_injected: int
    faults_flagged: int
    faults_missed: list[str]
    clean_reps: int
    clean_reps_flagged: int
    flagged_rules: list[str]
    angle_error_median_deg: float | None
    angle_error_p90_deg: float | None
    tracked_share: float
    frames: int
    duration_s: float
    pose_ms_per_frame: float
    formcheck_ms_per_frame: float
    processing_s: float
    error: str | None = None
    formcheck_isolated_ms_per_frame: float = math.nan

    @property
    def count_error(self) -> int | None:
        """Found minus expected repetitions (``None`` when not a rep clip)."""
        if self.expected_reps is None or self.found_reps is None:
            return None
        return self.found_reps - self.expected_reps

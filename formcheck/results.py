"""What the checker reports: per-frame results, repetitions, holds, faults, cues.

These plain frozen dataclasses cross from the computation to the annotators,
the session record and the app; none of them draws or knows about video.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from formcheck.counting import HoldState
from formcheck.types import PoseFrame

RuleStatus = Literal["pass", "fail", "unknown", "inactive"]
CueKind = Literal["safety", "setup", "fault", "tip"]
CUE_RANK: dict[str, int] = {"safety": 0, "setup": 1, "fault": 2, "tip": 3}


@dataclass(frozen=True)
class RuleState:
    """One rule in one frame.

    Attributes:
        rule_id: The rule's id in the spec.
        status: ``pass``, ``fail`` (failing but not yet for ``persist_s``, or a
            reported fault), ``unknown`` (cannot be judged: hidden landmark,
            wrong camera view, not calibrated) or ``inactive`` (not checked in
            this phase).
        value: The signal value (NaN when unknown).
        fault: True once the failure has persisted long enough to report.
        reason: Why the rule is unknown, in plain language.
    """

    rule_id: str
    status: RuleStatus
    value: float
    fault: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Cue:
    """The single message shown (and optionally spoken) to the user."""

    kind: CueKind
    text: str
    severity: Literal["stop", "warn", "info"] = "info"
    rule_id: str | None = None

    @property
    def rank(self) -> int:
        """Lower is more important: safety < setup < fault < tip."""
        return CUE_RANK[self.kind]


@dataclass(frozen=True)
class FaultEvent:
    """A fault that persisted, with when it happened."""

    rule_id: str
    cue: str
    severity: str
    start_s: float
    end_s: float
    worst_value: float
    side: str | None
    rep_index: int | None = None


@dataclass(frozen=True)
class RepRecord:
    """One repetition (counted) or attempt (not counted)."""

    index: int
    side: str | None
    start_s: float
    end_s: float
    active_s: float
    counted: bool
    correct: bool
    reason: str
    faults: tuple[str, ...]
    cues: tuple[str, ...]
    signal_min: dict[str, float]
    signal_max: dict[str, float]
    range_of_motion: float

    @property
    def duration_s(self) -> float:
        """Length of the repetition."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class HoldRecord:
    """One timed hold."""

    index: int
    side: str | None
    start_s: float
    end_s: float
    held_s: float
    min_s: float
    target_s: float
    completed: bool
    faults: tuple[str, ...] = ()


@dataclass(frozen=True)
class RepTally:
    """Repetition counts for one side (or all, when ``side`` is None)."""

    side: str | None
    counted: int
    correct: int

    @property
    def incorrect(self) -> int:
        """Counted repetitions that had a fault."""
        return self.counted - self.correct


@dataclass(frozen=True)
class FrameResult:
    """Everything the checker knows after one frame."""

    pose: PoseFrame
    timestamp_ms: float
    phase: str
    near_side: str | None
    work_side: str | None
    view: str
    view_ok: bool
    calibrated: bool
    signals: dict[str, float]
    rules: tuple[RuleState, ...]
    cue: Cue | None
    tallies: tuple[RepTally, ...]
    hold: HoldState | None
    new_rep: RepRecord | None = None
    new_hold: HoldRecord | None = None
    new_faults: tuple[FaultEvent, ...] = field(default_factory=tuple)
    setup_issues: tuple[str, ...] = field(default_factory=tuple)

    @property
    def setup_ok(self) -> bool:
        """True when nothing about the set-up (view, framing, people, position) is wrong."""
        return self.pose.has_person and not self.setup_issues

    @property
    def total_reps(self) -> int:
        """Counted repetitions, all sides."""
        return sum(t.counted for t in self.tallies if t.side is None) or sum(
            t.counted for t in self.tallies
        )

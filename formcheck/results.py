"""What the checker reports: per-frame results, repetitions, holds, faults, cues.

These types cross from the computation to the annotators, the session record
and the app; none of them draws or knows about video. Repetitions, holds and
faults are immutable once emitted, and the very same objects land in the
session record (:mod:`formcheck.record.model`), so what a frame reported and
what the record says never disagree.

States are enums, never free text (defined in :mod:`formcheck.states` and
re-exported here): :class:`RepOutcome` says why a movement did or did not
count; its plain-language sentence lives in :mod:`formcheck.messages`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from formcheck.landmarks import Side
from formcheck.states import (  # re-exported: defined there to stay light
    CUE_RANK as CUE_RANK,
    CueKind as CueKind,
    HoldStatus as HoldStatus,
    ObservedView as ObservedView,
    Phase as Phase,
    RepOutcome as RepOutcome,
    RuleStatus as RuleStatus,
    Severity as Severity,
)
from formcheck.types import PoseFrame


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


#: A float that is ``None`` when unknown (NaN never reaches a record or JSON).
OptFloat = Annotated[float | None, BeforeValidator(_nan_to_none)]


def rounded(value: float, digits: int) -> float | None:
    """``value`` rounded, or ``None`` when it is not finite."""
    return round(float(value), digits) if math.isfinite(value) else None


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FaultEvent(_Record):
    """A fault that persisted, with when it happened.

    Attributes:
        rule_id: The rule that failed.
        cue: The rule's cue.
        severity: ``warn`` (a fault) or ``info`` (a tip).
        start_s: When the failure began.
        end_s: When it ended.
        worst_value: The worst value of the rule's signal meanwhile.
        side: The working side when it happened, if sided.
        rep_index: The counted repetition it belongs to, if any.
    """

    rule_id: str
    cue: str
    severity: Severity
    start_s: float
    end_s: float
    worst_value: OptFloat
    side: Side | None
    rep_index: int | None = None


def _outcome_from_reason(data: Any) -> Any:
    # Records written before outcomes existed carry only the reason text.
    if isinstance(data, dict) and "outcome" not in data:
        from formcheck.messages import outcome_for_reason

        reason = str(data.get("reason", ""))
        counted = bool(data.get("counted"))
        return {**data, "outcome": outcome_for_reason(reason, counted)}
    return data


class RepRecord(_Record):
    """One repetition (counted) or attempt (not counted).

    Attributes:
        index: 1-based number among counted repetitions (0 for attempts).
        side: The side that worked, for sided exercises.
        start_s: When the movement began.
        end_s: When it ended.
        duration_s: ``end_s - start_s``.
        active_s: Time in the end position.
        counted: Whether it counted.
        correct: Counted and without a fault that counts against it.
        outcome: Why it counted or not.
        reason: ``outcome`` in plain language (empty when counted).
        faults: Ids of the rules that made it incorrect.
        cues: Their cues.
        tips: Ids of rules that failed during it without making it incorrect
            (tips, and checks the spec does not count against a repetition).
        range_of_motion: Range of the counting signal, in its unit.
        signal_min: Smallest value of every signal during it (``None`` when
            the signal was seen for less than half of it).
        signal_max: Largest value of every signal during it.
    """

    index: int
    side: Side | None
    start_s: float
    end_s: float
    duration_s: float
    active_s: float
    counted: bool
    correct: bool
    outcome: RepOutcome
    reason: str
    faults: tuple[str, ...]
    cues: tuple[str, ...]
    tips: tuple[str, ...] = ()
    range_of_motion: OptFloat
    signal_min: dict[str, OptFloat]
    signal_max: dict[str, OptFloat]

    _from_reason = model_validator(mode="before")(_outcome_from_reason)


class HoldRecord(_Record):
    """One timed hold.

    Attributes:
        index: 1-based number of the hold.
        side: The side held, for sided exercises.
        start_s: When the hold began.
        end_s: When it ended.
        held_s: Seconds held in the pose.
        min_s: Minimum for it to count as done.
        target_s: The target time.
        completed: Whether ``min_s`` was reached.
        faults: Ids of the rules that failed during it.
    """

    index: int
    side: Side | None
    start_s: float
    end_s: float
    held_s: float
    min_s: float
    target_s: float
    completed: bool
    faults: tuple[str, ...] = Field(default_factory=tuple)


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
    severity: Severity = Severity.INFO
    rule_id: str | None = None

    @property
    def rank(self) -> int:
        """Lower is more important: safety < setup < fault < tip."""
        return CUE_RANK[self.kind]


@dataclass(frozen=True)
class RepTally:
    """Repetition counts for one side (or all, when ``side`` is None)."""

    side: Side | None
    counted: int
    correct: int

    @property
    def incorrect(self) -> int:
        """Counted repetitions that had a fault."""
        return self.counted - self.correct


def tally(
    reps: tuple[RepRecord, ...] | list[RepRecord], per_side: bool
) -> tuple[RepTally, ...]:
    """Counted and correct repetitions, overall and (``per_side``) per side.

    The one place repetitions are totalled: the checker, the session record
    and the live page all use it.
    """
    counted = [r for r in reps if r.counted]
    out = [RepTally(None, len(counted), sum(r.correct for r in counted))]
    if per_side:
        for side in (Side.LEFT, Side.RIGHT):
            mine = [r for r in counted if r.side == side]
            out.append(RepTally(side, len(mine), sum(r.correct for r in mine)))
    return tuple(out)


@dataclass(frozen=True)
class HoldState:
    """What the hold timer shows right now."""

    status: HoldStatus
    held_s: float
    min_s: float
    target_s: float
    holds_done: int


@dataclass(frozen=True)
class FrameResult:
    """Everything the checker knows after one frame."""

    pose: PoseFrame
    timestamp_ms: float
    phase: Phase
    near_side: Side | None
    work_side: Side | None
    view: ObservedView
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

"""Records: repetitions, holds and faults, attributed once and never rewritten.

:class:`RecordBook` receives the faults that ended, the repetition and hold
events, and emits immutable :class:`~formcheck.results.RepRecord`,
:class:`~formcheck.results.HoldRecord` and
:class:`~formcheck.results.FaultEvent` objects.

A fault that ends while a repetition is in progress may belong to that
repetition, which is numbered only when it ends (and only if it counts). Such
a fault is held back until then and emitted once, with its repetition number
already set: the fault a frame reports is the fault the record keeps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from formcheck import messages
from formcheck.engine.counting import RepEvent, RepNote
from formcheck.engine.holds import HoldEvent
from formcheck.engine.rules import FaultSpan, in_bounds, rep_statistic
from formcheck.landmarks import Side
from formcheck.results import (
    FaultEvent,
    HoldRecord,
    RepRecord,
    RepTally,
    Severity,
    rounded,
    tally,
)
from formcheck.specs.schema import RuleSpec

#: Repetition statistics that are times: the video's end cuts them short.
_TIMES = ("duration_s", "active_s")


def _cut_short(rule: RuleSpec, value: float) -> bool:
    """Whether a failed time check only says the video stopped first.

    The time of a repetition the video ended in (noted unfinished) is a
    lower bound: "too quick" or "end not held" cannot be told from it.
    """
    return rule.stat in _TIMES and rule.min is not None and value < rule.min


def _overlaps(
    start_s: float, end_s: float, other_start_s: float, other_end_s: float
) -> bool:
    return start_s <= other_end_s and end_s >= other_start_s


def _fault(span: FaultSpan, rep_index: int | None) -> FaultEvent:
    return FaultEvent(
        rule_id=span.rule.id,
        cue=span.rule.cue,
        severity=Severity(span.rule.severity),
        start_s=round(span.start_s, 3),
        end_s=round(span.end_s, 3),
        worst_value=rounded(span.worst_value, 3),
        side=span.side,
        rep_index=rep_index,
    )


@dataclass
class _RepVerdict:
    """What went wrong on one repetition: faults (make it incorrect) and tips."""

    faults: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)

    def add(self, rule: RuleSpec) -> None:
        """A check of ``rule`` failed during the repetition."""
        if rule.counts_against_rep:
            if rule.id not in self.faults:
                self.faults.append(rule.id)
                self.cues.append(rule.cue)
        elif rule.kind != "setup" and rule.id not in self.tips:
            self.tips.append(rule.id)


@dataclass(frozen=True)
class RepResult:
    """A repetition record, the event it came from and the rep-scope rules it failed."""

    record: RepRecord
    event: RepEvent
    failed_rules: tuple[RuleSpec, ...]


class RecordBook:
    """Keeps the records of one set.

    Args:
        rep_rules: The spec's repetition-scope rules.
        per_side: Whether repetitions are counted per side (alternating).
    """

    def __init__(self, rep_rules: list[RuleSpec], per_side: bool) -> None:
        self._rep_rules = rep_rules
        self._per_side = per_side
        self._reps: list[RepRecord] = []
        self._holds: list[HoldRecord] = []
        self._faults: list[FaultEvent] = []
        self._pending: list[FaultSpan] = []
        self._spans: list[tuple[str, float, float]] = []  # every fault, unrounded
        self._claims: dict[int, int] = {}  # id(span) -> rep index
        # rule id -> (rep index, rep end): faults in progress when a rep ended
        self._open_claims: dict[str, tuple[int, float]] = {}
        self._emitted_now: list[FaultEvent] = []
        self._rep_index = 0
        self._last_rep_side: Side | None = None
        self._tally: tuple[int, tuple[RepTally, ...]] | None = None

    # ------------------------------------------------------------- faults
    def fault_ended(self, span: FaultSpan) -> None:
        """A fault ended; it is emitted when :meth:`settle` says it may be.

        A fault that was still in progress when a counted repetition ended
        (and so made it incorrect) belongs to that repetition.
        """
        claim = self._open_claims.pop(span.rule.id, None)
        if claim is not None and span.start_s <= claim[1]:
            self._claims[id(span)] = claim[0]
        self._pending.append(span)

    def settle(self, rep_in_progress: bool) -> None:
        """Emit the held-back faults unless a repetition may still claim them."""
        if rep_in_progress:
            return
        for span in self._pending:
            self._emit(span, self._claims.pop(id(span), None))
        self._pending.clear()

    def _emit(self, span: FaultSpan, rep_index: int | None) -> None:
        event = _fault(span, rep_index)
        self._faults.append(event)
        self._emitted_now.append(event)
        self._spans.append((span.rule.id, span.start_s, span.end_s))

    def take_new_faults(self) -> tuple[FaultEvent, ...]:
        """Faults emitted since the last call (for the frame result)."""
        new = tuple(self._emitted_now)
        self._emitted_now.clear()
        return new

    # -------------------------------------------------------- repetitions
    def rep(
        self,
        event: RepEvent,
        side: Side | None,
        lo: dict[str, float],
        hi: dict[str, float],
        open_faults: list[RuleSpec],
    ) -> RepResult:
        """Record a repetition (or an attempt that did not count).

        Args:
            event: The counter's event.
            side: The side that worked (already decided by the caller).
            lo: Minimum of every signal during the repetition.
            hi: Maximum of every signal during the repetition.
            open_faults: Rules whose fault is still in progress as it ends.
        """
        verdict = _RepVerdict()
        failed: list[RuleSpec] = []
        index = 0
        if event.counted:
            self._rep_index += 1
            index = self._rep_index
            self._claim(event, side, index)
            for rule in open_faults:
                verdict.add(rule)
                self._open_claims.setdefault(rule.id, (index, event.end_s))
            for span in self._pending:
                if self._claims.get(id(span)) == index:
                    verdict.add(span.rule)
        self.settle(rep_in_progress=False)
        if event.counted:
            failed = self._rep_rule_faults(event, side, index, lo, hi, verdict)
            if self._per_side:
                self._last_rep_side = side
        record = RepRecord(
            index=index,
            side=side,
            start_s=round(event.start_s, 3),
            end_s=round(event.end_s, 3),
            duration_s=round(event.duration_s, 3),
            active_s=round(event.active_s, 3),
            counted=event.counted,
            correct=event.counted and not verdict.faults,
            outcome=event.outcome,
            reason=(
                messages.COUNTED_UNFINISHED
                if RepNote.UNFINISHED in event.notes
                else messages.outcome_text(event.outcome)
            ),
            faults=tuple(verdict.faults),
            cues=tuple(verdict.cues),
            tips=tuple(verdict.tips),
            range_of_motion=rounded(event.range_of_motion, 2),
            signal_min={k: rounded(v, 2) for k, v in lo.items()},
            signal_max={k: rounded(v, 2) for k, v in hi.items()},
        )
        self._reps.append(record)
        return RepResult(record, event, tuple(failed))

    def _claim(self, event: RepEvent, side: Side | None, index: int) -> None:
        for span in self._pending:
            if id(span) in self._claims:
                continue
            if not _overlaps(span.start_s, span.end_s, event.start_s, event.end_s):
                continue
            if self._per_side and span.side not in (None, side):
                continue
            self._claims[id(span)] = index

    def _rep_rule_faults(
        self,
        event: RepEvent,
        side: Side | None,
        index: int,
        lo: dict[str, float],
        hi: dict[str, float],
        verdict: _RepVerdict,
    ) -> list[RuleSpec]:
        failed: list[RuleSpec] = []
        unfinished = RepNote.UNFINISHED in event.notes
        for rule in self._rep_rules:
            value = rep_statistic(rule, event.active_s, event.duration_s, lo, hi)
            if not math.isfinite(value) or in_bounds(rule, value):
                continue
            if unfinished and _cut_short(rule, value):
                continue
            self._emit(FaultSpan(rule, event.start_s, event.end_s, value, side), index)
            failed.append(rule)
            verdict.add(rule)
        return failed

    # -------------------------------------------------------------- holds
    def hold(self, event: HoldEvent, side: Side | None) -> HoldRecord:
        """Record a finished hold with the faults that overlapped it."""
        faults = tuple(
            sorted(
                {
                    rule_id
                    for rule_id, start_s, end_s in self._spans
                    if _overlaps(start_s, end_s, event.start_s, event.end_s)
                }
            )
        )
        record = HoldRecord(
            index=len(self._holds) + 1,
            side=side,
            start_s=round(event.start_s, 3),
            end_s=round(event.end_s, 3),
            held_s=round(event.held_s, 2),
            min_s=event.min_s,
            target_s=event.target_s,
            completed=event.completed,
            faults=faults,
        )
        self._holds.append(record)
        return record

    # ---------------------------------------------------------- read only
    @property
    def reps(self) -> tuple[RepRecord, ...]:
        """Repetitions and attempts so far."""
        return tuple(self._reps)

    @property
    def holds(self) -> tuple[HoldRecord, ...]:
        """Holds so far."""
        return tuple(self._holds)

    @property
    def faults(self) -> tuple[FaultEvent, ...]:
        """Faults emitted so far."""
        return tuple(self._faults)

    @property
    def counted(self) -> int:
        """Counted repetitions so far."""
        return self._rep_index

    @property
    def last_rep_side(self) -> Side | None:
        """The side of the last counted repetition (alternating exercises)."""
        return self._last_rep_side

    def tallies(self) -> tuple[RepTally, ...]:
        """Counted and correct repetitions, overall and per side."""
        if self._tally is None or self._tally[0] != len(self._reps):
            self._tally = (len(self._reps), tally(self._reps, self._per_side))
        return self._tally[1]

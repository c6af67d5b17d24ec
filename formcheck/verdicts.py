"""What a repetition and a reported problem amount to: one rule, used everywhere.

The Live and Review pages, the command line's table, the CSV and the report
all read verdicts from here, so they can never disagree:

* A counted repetition is **correct** or **with a fault**: with a fault exactly
  when a check that counts against a repetition failed during it
  (:attr:`RepRecord.faults`). A paced repetition of a guided exercise (which
  the camera cannot measure) without a fault is **paced**, not "correct". A
  movement that did not count is **not counted**.
* A reported problem (:class:`~formcheck.results.FaultEvent`) is a **fault**
  when it made its repetition incorrect, and a **tip** when it did not (its
  rule is listed in :attr:`RepRecord.tips`). A problem between repetitions is
  a fault or a tip by its severity (``warn`` or ``info``).

The words for these verdicts are in :mod:`formcheck.messages`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from formcheck.states import RepOutcome, Severity

if TYPE_CHECKING:
    from formcheck.results import FaultEvent, RepRecord


class RepVerdict(StrEnum):
    """What one repetition (or attempt) was."""

    CORRECT = "correct"
    WITH_FAULT = "with_fault"
    PACED = "paced"
    NOT_COUNTED = "not_counted"


class EventKind(StrEnum):
    """Whether a reported problem counts against a repetition."""

    FAULT = "fault"
    TIP = "tip"


def rep_verdict(rep: RepRecord) -> RepVerdict:
    """Correct, with a fault, paced (guided: not measured) or not counted."""
    if not rep.counted:
        return RepVerdict.NOT_COUNTED
    if rep.faults:
        return RepVerdict.WITH_FAULT
    return RepVerdict.PACED if rep.outcome is RepOutcome.PACED else RepVerdict.CORRECT


def event_kind(event: FaultEvent, reps: Sequence[RepRecord]) -> EventKind:
    """Whether ``event`` is a fault (its repetition is incorrect) or a tip.

    Args:
        event: A reported problem.
        reps: The set's repetitions (to find the one it happened in).
    """
    if event.rep_index:
        for rep in reps:
            if rep.counted and rep.index == event.rep_index:
                return EventKind.FAULT if event.rule_id in rep.faults else EventKind.TIP
    return EventKind.TIP if event.severity is Severity.INFO else EventKind.FAULT


def split_events(
    events: Sequence[FaultEvent], reps: Sequence[RepRecord]
) -> tuple[list[FaultEvent], list[FaultEvent]]:
    """``(faults, tips)`` among ``events``, each in the given order."""
    faults: list[FaultEvent] = []
    tips: list[FaultEvent] = []
    for event in events:
        (faults if event_kind(event, reps) is EventKind.FAULT else tips).append(event)
    return faults, tips

"""RecordBook with hand-made rules, repetition events and fault spans."""

from __future__ import annotations

import dataclasses
import math

from formcheck.engine.counting import RepEvent, RepNote
from formcheck.engine.holds import HoldEvent
from formcheck.engine.records import RecordBook
from formcheck.engine.rules import FaultSpan
from formcheck.landmarks import Side
from formcheck.results import RepOutcome, RepTally, Severity
from formcheck.specs.schema import RuleSpec

LEFT, RIGHT = Side.LEFT, Side.RIGHT

ARCH = RuleSpec(id="over_arch", signal="hip", max=190.0, cue="Don't arch your back.")
TIP = RuleSpec(
    id="breathe", kind="tip", severity="info", signal="hip", max=190.0, cue="Breathe."
)
START = RuleSpec(id="knees_bent", kind="setup", signal="knee", max=100.0, cue="Bend.")
NOT_HIGH = RuleSpec(
    id="not_high",
    scope="rep",
    stat="max",
    signal="hip",
    min=170.0,
    cue="Lift a little higher.",
)


def rep_event(
    start_s: float,
    end_s: float,
    outcome: RepOutcome = RepOutcome.COUNTED,
    side: Side | None = None,
) -> RepEvent:
    return RepEvent(
        start_s=start_s,
        end_s=end_s,
        active_s=(end_s - start_s) / 2,
        peak=180.0,
        trough=130.0,
        side=side,
        outcome=outcome,
    )


def span(
    rule: RuleSpec, start_s: float, end_s: float, side: Side | None = None
) -> FaultSpan:
    return FaultSpan(rule, start_s, end_s, 200.0, side)


LO = {"hip": 130.0}
HI = {"hip": 180.0}


# -------------------------------------------------------- faults and repetitions
def test_a_fault_ending_mid_rep_carries_that_reps_number() -> None:
    book = RecordBook([], per_side=False)
    book.rep(rep_event(0.0, 2.0), None, LO, HI, [])  # rep 1
    # Rep 2 runs from 3 s to 6 s; a fault from 4 s ends at 5 s.
    book.fault_ended(span(ARCH, 4.0, 5.0))
    book.settle(rep_in_progress=True)
    assert book.take_new_faults() == ()  # held back while rep 2 may claim it
    result = book.rep(rep_event(3.0, 6.0), None, LO, HI, [])
    assert [(f.rule_id, f.rep_index) for f in book.take_new_faults()] == [
        ("over_arch", 2)
    ]
    assert result.record.index == 2
    assert not result.record.correct
    assert result.record.faults == ("over_arch",)
    assert result.record.cues == ("Don't arch your back.",)


def test_a_fault_is_emitted_exactly_once() -> None:
    book = RecordBook([], per_side=False)
    book.fault_ended(span(ARCH, 1.0, 1.5))
    book.settle(rep_in_progress=True)
    book.rep(rep_event(0.5, 2.0), None, LO, HI, [])
    book.settle(rep_in_progress=False)
    first = book.take_new_faults()
    book.settle(rep_in_progress=False)
    assert len(first) == 1
    assert book.take_new_faults() == ()
    assert book.faults == first


def test_a_fault_outside_any_rep_is_emitted_at_once_without_a_rep() -> None:
    book = RecordBook([], per_side=False)
    book.fault_ended(span(ARCH, 1.0, 1.5))
    book.settle(rep_in_progress=False)
    assert [(f.rule_id, f.rep_index) for f in book.take_new_faults()] == [
        ("over_arch", None)
    ]


def test_a_fault_in_a_rep_marks_it_incorrect_but_a_tip_does_not() -> None:
    book = RecordBook([], per_side=False)
    book.fault_ended(span(TIP, 1.0, 1.5))
    faulty_tip = book.rep(rep_event(0.5, 2.0), None, LO, HI, []).record
    book.fault_ended(span(ARCH, 3.0, 3.5))
    faulty = book.rep(rep_event(2.5, 4.0), None, LO, HI, []).record
    assert (faulty_tip.correct, faulty_tip.faults, faulty_tip.tips) == (
        True,
        (),
        ("breathe",),
    )
    assert (faulty.correct, faulty.faults, faulty.tips) == (False, ("over_arch",), ())
    assert [f.severity for f in book.faults] == [Severity.INFO, Severity.WARN]


def test_a_fault_still_in_progress_at_the_end_of_a_rep_marks_it_incorrect() -> None:
    book = RecordBook([], per_side=False)
    record = book.rep(rep_event(0.0, 2.0), None, LO, HI, [ARCH]).record
    assert not record.correct
    assert record.faults == ("over_arch",)


def test_a_fault_that_made_a_rep_incorrect_carries_its_number() -> None:
    book = RecordBook([], per_side=False)
    # Failing from 1.5 s; still failing as the rep ends at 2 s; ends at 2.5 s.
    record = book.rep(rep_event(0.0, 2.0), None, LO, HI, [ARCH]).record
    book.fault_ended(span(ARCH, 1.5, 2.5))
    book.settle(rep_in_progress=False)
    assert record.faults == ("over_arch",)
    assert [f.rep_index for f in book.faults] == [1]


def test_an_uncounted_attempt_gets_no_fault_attribution() -> None:
    book = RecordBook([], per_side=False)
    book.fault_ended(span(ARCH, 1.0, 1.5))
    book.settle(rep_in_progress=True)
    attempt = book.rep(
        rep_event(0.5, 2.0, RepOutcome.NOT_FAR_ENOUGH), None, LO, HI, [ARCH]
    ).record
    assert (attempt.counted, attempt.index, attempt.faults) == (False, 0, ())
    assert attempt.reason == "did not go far enough"
    assert [f.rep_index for f in book.take_new_faults()] == [None]
    # The next counted repetition is number 1, and the fault is not its own.
    assert book.rep(rep_event(3.0, 5.0), None, LO, HI, []).record.index == 1


def test_a_setup_check_failing_during_a_rep_is_neither_a_fault_nor_a_tip() -> None:
    book = RecordBook([], per_side=False)
    record = book.rep(rep_event(0.0, 2.0), None, LO, HI, [START]).record
    assert (record.correct, record.faults, record.tips) == (True, (), ())


def test_a_rule_is_listed_once_per_rep_however_often_it_failed() -> None:
    book = RecordBook([], per_side=False)
    book.fault_ended(span(ARCH, 0.5, 0.8))
    book.fault_ended(span(ARCH, 1.2, 1.6))
    record = book.rep(rep_event(0.0, 2.0), None, LO, HI, [ARCH]).record
    assert record.faults == ("over_arch",)
    assert [f.rep_index for f in book.faults] == [1, 1]


def test_per_side_a_fault_of_the_other_side_is_not_claimed() -> None:
    book = RecordBook([], per_side=True)
    book.fault_ended(span(ARCH, 1.0, 1.5, side=RIGHT))
    record = book.rep(rep_event(0.5, 2.0, side=LEFT), LEFT, LO, HI, []).record
    assert record.correct
    assert [(f.side, f.rep_index) for f in book.faults] == [(RIGHT, None)]


# ------------------------------------------------------------- repetition rules
def test_a_failed_rep_rule_is_a_fault_of_that_rep() -> None:
    book = RecordBook([NOT_HIGH], per_side=False)
    result = book.rep(rep_event(0.0, 2.0), None, LO, {"hip": 160.0}, [])
    assert not result.record.correct
    assert result.record.faults == ("not_high",)
    assert result.failed_rules == (NOT_HIGH,)
    (fault,) = book.take_new_faults()
    assert (fault.rep_index, fault.start_s, fault.end_s, fault.worst_value) == (
        1,
        0.0,
        2.0,
        160.0,
    )


def test_a_rep_rule_on_a_signal_not_seen_gives_no_fault() -> None:
    book = RecordBook([NOT_HIGH], per_side=False)
    result = book.rep(rep_event(0.0, 2.0), None, LO, {"hip": math.nan}, [])
    assert result.record.correct
    assert book.faults == ()


def test_rep_rules_are_not_checked_on_uncounted_attempts() -> None:
    book = RecordBook([NOT_HIGH], per_side=False)
    book.rep(rep_event(0.0, 2.0, RepOutcome.TOO_QUICK), None, LO, {"hip": 150.0}, [])
    assert book.faults == ()


TOO_QUICK_RULE = RuleSpec(
    id="too_fast", scope="rep", stat="duration_s", signal="hip", min=2.0, cue="Slow."
)
TOO_SLOW_RULE = RuleSpec(
    id="too_slow", scope="rep", stat="duration_s", signal="hip", max=1.5, cue="Go on."
)


def test_an_unfinished_rep_is_not_called_too_quick_for_the_video_stopping() -> None:
    """The last repetition, 1.8 s in when the video ended, may not be a quick one."""
    book = RecordBook([TOO_QUICK_RULE, TOO_SLOW_RULE, NOT_HIGH], per_side=False)
    cut = dataclasses.replace(
        rep_event(7.2, 9.0), notes=frozenset({RepNote.UNFINISHED})
    )
    result = book.rep(cut, None, LO, {"hip": 160.0}, [])
    # Too long already, and not high enough: both known. Too quick: not known.
    assert result.record.faults == ("too_slow", "not_high")
    finished = book.rep(rep_event(10.0, 11.8), None, LO, HI, [])
    assert finished.record.faults == ("too_fast", "too_slow")


# ---------------------------------------------------------------- holds, totals
def test_a_hold_lists_the_faults_that_overlapped_it() -> None:
    book = RecordBook([], per_side=False)
    book.fault_ended(span(ARCH, 1.0, 2.0))  # before the hold
    book.fault_ended(span(TIP, 4.0, 5.0))  # during
    book.fault_ended(span(ARCH, 9.5, 11.0))  # overlapping its end
    book.settle(rep_in_progress=False)
    hold = book.hold(HoldEvent(3.0, 10.0, 6.5, min_s=5.0, target_s=10.0), None)
    assert hold.faults == ("breathe", "over_arch")
    assert (hold.index, hold.held_s, hold.completed) == (1, 6.5, True)
    second = book.hold(HoldEvent(12.0, 14.0, 2.0, min_s=5.0, target_s=10.0), None)
    assert (second.index, second.faults, second.completed) == (2, (), False)


def test_tallies_count_correct_reps_per_side() -> None:
    book = RecordBook([], per_side=True)
    book.rep(rep_event(0.0, 2.0, side=LEFT), LEFT, LO, HI, [])
    book.rep(rep_event(3.0, 5.0, side=RIGHT), RIGHT, LO, HI, [ARCH])
    book.rep(rep_event(6.0, 8.0, side=RIGHT), RIGHT, LO, HI, [])
    book.rep(rep_event(9.0, 9.5, RepOutcome.TOO_QUICK, LEFT), LEFT, LO, HI, [])
    assert book.tallies() == (
        RepTally(None, 3, 2),
        RepTally(LEFT, 1, 1),
        RepTally(RIGHT, 2, 1),
    )
    assert book.counted == 3
    assert book.last_rep_side is RIGHT

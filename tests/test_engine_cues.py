"""CueSelector with hand-made cues: one cue by kind, severity, priority; hold time; tips."""

from __future__ import annotations

from typing import Any

import pytest

from formcheck.engine.counting import RepEvent
from formcheck.engine.cues import CUE_HOLD_S, TIP_SHOW_S, CueSelector
from formcheck.engine.records import RepResult
from formcheck.results import (
    Cue,
    CueKind,
    RepOutcome,
    RepRecord,
    RuleState,
    RuleStatus,
    Severity,
)
from formcheck.specs.schema import Reminder, RuleSpec
from tests.engine_support import make_spec

LOW = RuleSpec(id="low", signal="knee", min=70.0, cue="Low priority fault.")
HIGH = RuleSpec(
    id="high", signal="knee", min=70.0, priority=90, cue="High priority fault."
)
SAFE = RuleSpec(id="danger", kind="safety", signal="knee", min=60.0, cue="Stop now.")
NOT_HIGH = RuleSpec(
    id="not_high", scope="rep", signal="knee", max=120.0, cue="Lift higher."
)

A = Cue(CueKind.FAULT, LOW.cue, Severity.WARN, LOW.id)
B = Cue(CueKind.FAULT, HIGH.cue, Severity.WARN, HIGH.id)
SETUP = Cue(CueKind.SETUP, "Move back.", Severity.WARN)
TIP = Cue(CueKind.TIP, "A tip.")


def selector(**spec_fields: Any) -> CueSelector:
    spec_fields.setdefault("rules", [LOW, HIGH, SAFE, NOT_HIGH])
    return CueSelector(make_spec(**spec_fields))


Frames = list[tuple[float, list[Cue]]]


def shown(cues: CueSelector, frames: Frames) -> list[str]:
    """The cue text chosen in each frame (``""`` for none)."""
    out = []
    for t, candidates in frames:
        cue = cues.choose(candidates, t)
        out.append(cue.text if cue else "")
    return out


# ------------------------------------------------------------------ choosing
def test_the_more_important_kind_wins() -> None:
    cues = selector()
    assert shown(cues, [(0.0, [TIP, A, SETUP])]) == ["Move back."]


def test_a_warning_beats_an_info_of_the_same_kind() -> None:
    info = Cue(CueKind.FAULT, "Info fault.", Severity.INFO)
    assert shown(selector(), [(0.0, [info, A])]) == [A.text]


def test_the_higher_priority_wins_among_equals() -> None:
    assert shown(selector(), [(0.0, [A, B])]) == [B.text]


def test_a_safety_fault_says_stop() -> None:
    cues = selector()
    states = [
        RuleState("danger", RuleStatus.FAIL, 50.0, fault=True),
        RuleState("low", RuleStatus.FAIL, 65.0, fault=False),  # not yet a fault
    ]
    assert cues.fault_cues(states) == [
        Cue(CueKind.SAFETY, "Stop now.", Severity.STOP, "danger")
    ]


def test_no_candidates_no_cue() -> None:
    # Once nothing applies the cue goes, even within its hold time.
    assert shown(selector(), [(0.0, []), (1.0, [A]), (1.2, [])]) == ["", A.text, ""]


# --------------------------------------------------------------- staying up
def test_a_cue_stays_up_for_at_least_the_hold_time() -> None:
    cues = selector()
    frames: Frames = [(0.0, [A]), (0.5, [A, B]), (1.4, [A, B]), (CUE_HOLD_S, [A, B])]
    # B is more important but A has not been up for 1.5 s yet.
    assert shown(cues, frames) == [A.text, A.text, A.text, B.text]


def test_a_more_important_kind_interrupts_at_once() -> None:
    cues = selector()
    assert shown(cues, [(0.0, [A]), (0.2, [A, SETUP])]) == [A.text, SETUP.text]


def test_a_cue_that_no_longer_applies_is_replaced_at_once() -> None:
    cues = selector()
    assert shown(cues, [(0.0, [B]), (0.2, [A])]) == [B.text, A.text]


def test_the_hold_time_counts_from_when_the_cue_first_showed() -> None:
    cues = selector()
    frames: Frames = [(t / 10, [A]) for t in range(10)] + [(1.0, [A, B]), (1.6, [A, B])]
    assert shown(cues, frames)[-2:] == [A.text, B.text]


# ---------------------------------------------------------- after a repetition
def result(
    index: int,
    outcome: RepOutcome = RepOutcome.COUNTED,
    start_s: float = 0.0,
    end_s: float = 2.0,
    failed: tuple[RuleSpec, ...] = (),
) -> RepResult:
    counted = outcome.counted
    event = RepEvent(start_s, end_s, 0.5, 90.0, 175.0, None, outcome)
    record = RepRecord(
        index=index if counted else 0,
        side=None,
        start_s=start_s,
        end_s=end_s,
        duration_s=end_s - start_s,
        active_s=0.5,
        counted=counted,
        correct=True,
        outcome=outcome,
        reason="",
        faults=(),
        cues=(),
        range_of_motion=85.0,
        signal_min={},
        signal_max={},
    )
    return RepResult(record, event, failed)


def test_a_failed_rep_check_is_a_tip_for_a_few_seconds() -> None:
    cues = selector()
    cues.after_rep(result(1, failed=(NOT_HIGH,)))
    frames: Frames = [(2.0, []), (2.0 + TIP_SHOW_S, []), (2.1 + TIP_SHOW_S, [])]
    assert shown(cues, frames) == ["Lift higher.", "Lift higher.", ""]


def test_a_real_attempt_that_did_not_count_says_why() -> None:
    cues = selector()
    cues.after_rep(result(0, RepOutcome.NOT_FAR_ENOUGH, 0.0, 1.2))
    assert shown(cues, [(1.3, [])]) == ["That one didn't count: did not go far enough."]


def test_blips_and_lost_tracking_are_not_explained() -> None:
    cues = selector()
    cues.after_rep(result(0, RepOutcome.NOT_FAR_ENOUGH, 0.0, 0.5))  # a blip
    blip = shown(cues, [(0.6, [])])
    cues.after_rep(result(0, RepOutcome.LOST_SIGHT, 1.0, 4.0))
    lost = shown(cues, [(4.1, [])])
    cues.after_rep(result(0, RepOutcome.OUT_OF_POSITION, 5.0, 8.0))
    out_of_position = shown(cues, [(8.1, [])])
    assert (blip, lost, out_of_position) == ([""], [""], [""])


def test_a_fault_beats_a_tip_whatever_its_priority() -> None:
    breathe = RuleSpec(
        id="breathe",
        kind="tip",
        scope="rep",
        signal="knee",
        max=120.0,
        priority=90,
        cue="Breathe out as you bend.",
    )
    cues = CueSelector(make_spec(rules=[LOW, breathe]))
    cues.after_rep(result(1, failed=(breathe,)))
    assert shown(cues, [(2.1, []), (2.2, [A])]) == [breathe.cue, A.text]


# ----------------------------------------------------------------- reminders
def test_a_reminder_every_n_reps() -> None:
    cues = selector(reminders=[Reminder(text="Keep breathing.", every_n_reps=2)])
    cues.after_rep(result(1, end_s=2.0))
    first = shown(cues, [(2.1, [])])
    cues.after_rep(result(2, start_s=3.0, end_s=5.0))
    second = shown(cues, [(5.1, [])])
    assert (first, second) == ([""], ["Keep breathing."])


def test_a_reminder_at_the_start() -> None:
    cues = selector(reminders=[Reminder(text="Stop if it hurts.", at_start=True)])
    cues.start(10.0)
    frames: Frames = [
        (10.0, []),
        (10.0 + 2 * TIP_SHOW_S, []),
        (10.1 + 2 * TIP_SHOW_S, []),
    ]
    assert shown(cues, frames) == ["Stop if it hurts."] * 2 + [""]


def test_a_reminder_every_few_seconds() -> None:
    cues = selector(reminders=[Reminder(text="Relax your neck.", every_s=30.0)])
    cues.start(0.0)
    frames: Frames = [(i / 10, []) for i in range(650)]  # 65 s at 10 fps
    on = [t for (t, _), text in zip(frames, shown(cues, frames), strict=True) if text]
    stretches = [[on[0]]]
    for t in on[1:]:
        if t - stretches[-1][-1] > 0.15:
            stretches.append([])
        stretches[-1].append(t)
    # Up about every 30 s, for TIP_SHOW_S each time (a frame late at most).
    assert [(s[0], s[-1]) for s in stretches] == [
        (pytest.approx(30.0, abs=0.11), pytest.approx(30.0 + TIP_SHOW_S, abs=0.11)),
        (pytest.approx(60.0, abs=0.11), pytest.approx(60.0 + TIP_SHOW_S, abs=0.11)),
    ]

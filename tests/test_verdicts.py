"""A repetition and its faults agree everywhere: record, CSV, tables, CLI, units."""

from __future__ import annotations

import csv
import io

import pytest

from formcheck.analyze import analyze_landmarks
from formcheck.app_support import report
from formcheck.app_support.set_summary import SetCounts, set_figures
from formcheck.record import SessionRecord
from formcheck.record.recorder import summarise
from formcheck.results import FaultEvent, RepOutcome
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from formcheck.units import everyday_length, format_value, limits_text, plain_amount
from formcheck.verdicts import EventKind, RepVerdict, event_kind, rep_verdict
from tests.conftest import DATA


@pytest.fixture(scope="module")
def bird_dog_session() -> SessionRecord:
    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    return analyze_landmarks(seq, load_spec("bird_dog")).session


def _event(rule_id: str, severity: str, rep_index: int | None) -> FaultEvent:
    return FaultEvent(
        rule_id=rule_id,
        cue=f"cue of {rule_id}",
        severity=severity,  # type: ignore[arg-type]
        start_s=2.0,
        end_s=3.0,
        worst_value=1.0,
        side=None,
        rep_index=rep_index,
    )


@pytest.fixture(scope="module")
def bridge_like(bird_dog_session: SessionRecord) -> SessionRecord:
    """Rep 1 correct with a tip (feet too close), rep 2 with a fault (over arch)."""
    first, second = bird_dog_session.reps[:2]
    reps = [
        first.model_copy(update={"tips": ("feet_too_close",)}),
        second.model_copy(
            update={
                "faults": ("over_arch",),
                "cues": ("cue of over_arch",),
                "correct": False,
            }
        ),
    ]
    events = [
        _event("feet_too_close", "info", 1),
        _event("over_arch", "warn", 2),
        _event("back_moving", "warn", None),
    ]
    summary = summarise(reps, [], events, per_side=True)
    return bird_dog_session.model_copy(
        update={"reps": reps, "faults": events, "summary": summary}
    )


def test_a_tip_in_a_correct_rep_is_a_tip_and_a_fault_spoils_its_rep(
    bridge_like: SessionRecord,
) -> None:
    first, second = bridge_like.reps
    assert rep_verdict(first) is RepVerdict.CORRECT
    assert rep_verdict(second) is RepVerdict.WITH_FAULT
    kinds = [event_kind(e, bridge_like.reps) for e in bridge_like.faults]
    assert kinds == [EventKind.TIP, EventKind.FAULT, EventKind.FAULT]
    s = bridge_like.summary
    assert (s.correct, s.incorrect, s.faults, s.tips) == (1, 1, 2, 1)


def test_a_warn_check_that_did_not_spoil_its_rep_is_counted_as_a_tip(
    bird_dog_session: SessionRecord,
) -> None:
    """The rep's verdict decides: a correct rep never sits beside a 'fault' of it."""
    events = [_event("hold_extension", "warn", 1)]
    reps = bird_dog_session.reps
    assert reps[0].correct
    assert event_kind(events[0], reps) is EventKind.TIP
    summary = summarise(reps, [], events, per_side=True)
    assert (summary.correct, summary.faults, summary.tips) == (2, 0, 1)


def test_uncounted_and_paced_reps_have_their_own_verdicts(
    bird_dog_session: SessionRecord,
) -> None:
    rep = bird_dog_session.reps[0]
    attempt = rep.model_copy(update={"counted": False, "correct": False, "index": 0})
    paced = rep.model_copy(update={"outcome": RepOutcome.PACED})
    assert rep_verdict(attempt) is RepVerdict.NOT_COUNTED
    assert rep_verdict(paced) is RepVerdict.PACED


def test_csv_names_the_verdict_and_lists_tips_apart(bridge_like: SessionRecord) -> None:
    rows = list(csv.DictReader(io.StringIO(bridge_like.reps_csv())))
    assert [r["verdict"] for r in rows] == ["correct", "with a fault"]
    assert [r["faults"] for r in rows] == ["", "over_arch"]
    assert [r["tips"] for r in rows] == ["feet_too_close", ""]


def test_tables_show_verdict_kind_and_units(bridge_like: SessionRecord) -> None:
    spec = load_spec("bird_dog")
    reps = report.rep_rows(bridge_like, spec)
    assert [r["result"] for r in reps] == ["correct", "with a fault"]
    assert [r["tips"] for r in reps] == ["cue of feet_too_close", "–"]
    assert "range of motion (degrees)" in reps[0]
    faults = report.fault_rows(bridge_like)
    assert [r["kind"] for r in faults] == ["tip", "fault", "fault"]
    assert [r["check"] for r in report.fault_rows(bridge_like, EventKind.TIP)] == [
        "feet too close"
    ]
    row = report.summary_row(bridge_like, "x", spec)
    assert (row["correct"], row["with a fault"], row["faults"], row["tips"]) == (
        1,
        1,
        2,
        1,
    )
    assert row["mean range of motion"].endswith("°")


def test_hold_exercises_show_hold_figures_only() -> None:
    counts = SetCounts(kind="hold", holds_done=1, holds=2, longest_hold_s=31.4)
    labels = [f.label for f in set_figures(counts)]
    assert labels == ["Holds done", "Longest hold", "Faults", "Tips"]
    assert not any("Rep" in label for label in labels)
    guided = [f.label for f in set_figures(SetCounts(kind="guided", reps=3))]
    assert guided[0] == "Paced reps" and "Correct" not in guided
    reps = set_figures(
        SetCounts(
            kind="reps", reps=5, correct=4, mean_range=0.45, range_unit="hip_width"
        )
    )
    values = {f.label: f.value for f in reps}
    assert values["With a fault"] == "1"
    assert values["Typical range"] == "about a hand's width"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (84.4, "deg", "84°"),
        (-43.0, "deg", "-43°"),
        (0.42, "hip_width", "0.42 hip widths"),
        (12.25, "s", "12.2 s"),
    ],
)
def test_numbers_carry_their_unit(value: float, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


def test_ratios_read_as_everyday_sizes() -> None:
    assert everyday_length(0.1, "hip_width") == "less than half a hand's width"
    assert everyday_length(0.25, "hip_width") == "about half a hand's width"
    assert everyday_length(-0.4, "hip_width") == "about a hand's width"
    assert everyday_length(1.0, "hip_width") == "about 2 hands' widths"
    assert everyday_length(30.0, "deg") is None
    assert plain_amount(84.0, "deg") == "84°"
    assert limits_text(155, 175, "deg") == "between 155° and 175°"
    assert limits_text(5, 120, "s") == "between 5 and 120 s"

"""Rules with hand-made rule objects and values: verdicts, statistics, faults."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest

from formcheck import messages
from formcheck.engine.rules import (
    FaultSpan,
    FaultTracker,
    RuleContext,
    evaluate_rule,
    in_bounds,
    rep_statistic,
    worse,
)
from formcheck.landmarks import Side
from formcheck.results import Phase, RuleStatus
from formcheck.specs.schema import RuleSpec

NAN = math.nan
FAIL, PASS, UNKNOWN = RuleStatus.FAIL, RuleStatus.PASS, RuleStatus.UNKNOWN

CTX = RuleContext(
    phase=Phase.ACTIVE,
    has_person=True,
    judgeable=True,
    calibrated=True,
    from_start=frozenset(),
    hidden_parts=lambda _signal: (),
)


def rule(**fields: Any) -> RuleSpec:
    base: dict[str, Any] = {
        "id": "knee_range",
        "signal": "knee",
        "min": 80.0,
        "max": 100.0,
        "cue": "Keep the knee at a right angle.",
    }
    base.update(fields)
    return RuleSpec(**base)


# --------------------------------------------------------------- evaluate_rule
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (79.9, FAIL),
        (80.0, PASS),
        (90.0, PASS),
        (100.0, PASS),
        (100.1, FAIL),
    ],
)
def test_a_value_passes_within_the_bounds_inclusive(
    value: float, expected: RuleStatus
) -> None:
    assert evaluate_rule(rule(), value, CTX).status is expected


@pytest.mark.parametrize(
    ("bounds", "value", "expected"),
    [
        ({"min": 80.0, "max": None}, 1000.0, PASS),
        ({"min": 80.0, "max": None}, 10.0, FAIL),
        ({"min": None, "max": 100.0}, -1000.0, PASS),
        ({"min": None, "max": 100.0}, 120.0, FAIL),
    ],
)
def test_a_one_sided_rule_checks_one_bound(
    bounds: dict[str, float | None], value: float, expected: RuleStatus
) -> None:
    assert evaluate_rule(rule(**bounds), value, CTX).status is expected
    assert in_bounds(rule(**bounds), value) is (expected is PASS)


def test_a_rule_is_inactive_outside_its_phases() -> None:
    r = rule(phases=["active"])
    assert evaluate_rule(r, 10.0, replace(CTX, phase=Phase.REST)).status is (
        RuleStatus.INACTIVE
    )
    assert evaluate_rule(r, 10.0, CTX).status is FAIL


def test_nobody_in_view_is_unknown_with_the_reason() -> None:
    verdict = evaluate_rule(rule(), 90.0, replace(CTX, has_person=False))
    assert (verdict.status, verdict.reason) == (UNKNOWN, messages.UNKNOWN_NOBODY)


def test_a_wrong_camera_view_makes_rules_unknown_but_not_posture_gates() -> None:
    ctx = replace(CTX, judgeable=False)
    verdict = evaluate_rule(rule(), 10.0, ctx)
    assert (verdict.status, verdict.reason) == (
        UNKNOWN,
        messages.UNKNOWN_VIEW_OR_PEOPLE,
    )
    assert evaluate_rule(rule(gate=True), 10.0, ctx).status is FAIL


def test_a_hidden_body_part_is_named() -> None:
    ctx = replace(CTX, hidden_parts=lambda signal: ("knee", "ankle"))
    verdict = evaluate_rule(rule(), NAN, ctx)
    assert verdict.status is UNKNOWN
    assert verdict.hidden == ("knee", "ankle")
    assert verdict.reason == "I can't see your knees and ankles"


def test_a_signal_from_the_start_pose_is_unknown_until_calibrated() -> None:
    from_start = replace(CTX, from_start=frozenset({"knee"}))
    assert evaluate_rule(rule(), NAN, from_start).reason == (
        messages.UNKNOWN_NOT_CALIBRATED
    )
    not_yet = replace(CTX, calibrated=False)
    assert evaluate_rule(rule(), NAN, not_yet).reason == (
        messages.UNKNOWN_NOT_CALIBRATED
    )
    assert evaluate_rule(rule(), NAN, CTX).reason == messages.UNKNOWN_CANNOT_MEASURE


# ------------------------------------------------------------- worse, statistics
@pytest.mark.parametrize(
    ("bounds", "a", "b", "expected"),
    [
        ({"min": None, "max": 100.0}, 110.0, 130.0, 130.0),
        ({"min": None, "max": 100.0}, 130.0, 110.0, 130.0),
        ({"min": 80.0, "max": None}, 70.0, 50.0, 50.0),
        ({"min": 80.0, "max": None}, 50.0, 70.0, 50.0),
        ({"min": 80.0, "max": 100.0}, 110.0, 120.0, 120.0),
        ({"min": 80.0, "max": 100.0}, 70.0, 60.0, 60.0),
        ({"min": 80.0, "max": None}, NAN, 70.0, 70.0),
    ],
)
def test_worse_is_further_outside_the_bounds(
    bounds: dict[str, float | None], a: float, b: float, expected: float
) -> None:
    assert worse(rule(**bounds), a, b) == expected


LO = {"knee": 90.0}
HI = {"knee": 170.0}


@pytest.mark.parametrize(
    ("stat", "expected"),
    [
        ("max", 170.0),
        ("min", 90.0),
        ("range", 80.0),
        ("active_s", 1.5),
        ("duration_s", 3.0),
    ],
)
def test_rep_statistic_is_the_rules_stat_of_the_rep(stat: str, expected: float) -> None:
    r = rule(scope="rep", stat=stat, min=0.0, max=None)
    assert rep_statistic(r, 1.5, 3.0, LO, HI) == expected


def test_rep_statistic_is_unknown_for_a_signal_not_seen() -> None:
    r = rule(scope="rep", stat="max", signal="hip")
    assert math.isnan(rep_statistic(r, 1.5, 3.0, LO, HI))


# ---------------------------------------------------------------- FaultTracker
def track(
    tracker: FaultTracker,
    r: RuleSpec,
    statuses: list[RuleStatus],
    values: list[float] | None = None,
    side: Side | None = None,
    dt: float = 0.125,
) -> tuple[list[bool], list[FaultSpan]]:
    """Feed one status per frame (8 fps, exact times); the fault flags and the
    spans that ended."""
    values = values or [120.0 if s is FAIL else 90.0 for s in statuses]
    flags, spans = [], []
    for i, (status, value) in enumerate(zip(statuses, values, strict=True)):
        fault, ended = tracker.update(r, status, value, i * dt, side)
        flags.append(fault)
        if ended is not None:
            spans.append(ended)
    return flags, spans


def test_a_rule_becomes_a_fault_only_after_persist_s() -> None:
    r = rule(persist_s=0.5)
    tracker = FaultTracker([r])
    flags, spans = track(tracker, r, [PASS] + [FAIL] * 8 + [PASS, PASS])
    # Failing from t=0.125: a fault from t=0.625 (0.5 s later) until it passes.
    assert flags == [False] * 5 + [True] * 4 + [False, False]
    assert len(spans) == 1
    assert (spans[0].start_s, spans[0].end_s) == (0.125, 1.125)


def test_a_failure_shorter_than_persist_s_is_no_fault() -> None:
    r = rule(persist_s=0.5)
    tracker = FaultTracker([r])
    flags, spans = track(tracker, r, [FAIL] * 4 + [PASS] + [FAIL] * 4 + [PASS])
    assert not any(flags)
    assert spans == []
    assert tracker.finish(1.0) == []


def test_a_fault_keeps_its_worst_value_and_side() -> None:
    r = rule(persist_s=0.2, min=None, max=100.0)
    tracker = FaultTracker([r])
    values = [110.0, 130.0, 125.0, 105.0, 90.0]
    _, spans = track(tracker, r, [FAIL] * 4 + [PASS], values, side=Side.RIGHT)
    assert [(s.worst_value, s.side) for s in spans] == [(130.0, Side.RIGHT)]


def test_an_unknown_frame_is_not_a_failure() -> None:
    r = rule(persist_s=0.5)
    tracker = FaultTracker([r])
    flags, _ = track(tracker, r, [FAIL, FAIL, FAIL, UNKNOWN, FAIL, FAIL, FAIL])
    assert not any(flags)


def test_setup_rules_never_become_faults() -> None:
    r = rule(kind="setup", persist_s=0.2)
    tracker = FaultTracker([r])
    _, spans = track(tracker, r, [FAIL] * 10 + [PASS] + [FAIL] * 10)
    assert spans == []
    assert tracker.finish(2.5) == []


def test_finish_closes_the_faults_still_in_progress() -> None:
    knee, back = rule(persist_s=0.2), rule(id="back_flat", persist_s=0.2)
    tracker = FaultTracker([knee, back])
    track(tracker, knee, [FAIL] * 5)
    track(tracker, back, [PASS] * 5)
    assert tracker.in_progress() == [knee]
    spans = tracker.finish(3.0)
    assert [(s.rule.id, s.start_s, s.end_s) for s in spans] == [
        ("knee_range", 0.0, 3.0)
    ]
    assert tracker.in_progress() == []

"""Hold timing on its own: a hold under way, looking back for when it began."""

from __future__ import annotations

import math

import pytest

from formcheck.engine.holds import HoldTimer, pose_held_since
from formcheck.results import HoldStatus


def test_a_hold_under_way_is_credited_from_when_it_began() -> None:
    timer = HoldTimer(min_s=5.0, target_s=10.0, enter_after_s=1.0)
    timer.start_under_way(since_s=0.5, timestamp_s=3.5)
    assert timer.state().status is HoldStatus.HOLDING
    assert timer.held_s == pytest.approx(3.0)
    for i in range(1, 31):
        timer.update(True, 3.5 + i / 10)
    event = timer.finish(6.5)
    assert event is not None
    assert (event.start_s, round(event.held_s, 1)) == (0.5, 6.0)
    assert event.completed


def test_a_hold_under_way_shorter_than_enter_after_s_is_not_taken() -> None:
    timer = HoldTimer(min_s=5.0, target_s=10.0, enter_after_s=1.0)
    timer.start_under_way(since_s=3.0, timestamp_s=3.5)
    assert timer.state().status is HoldStatus.IDLE


def test_a_running_hold_is_not_restarted_by_a_hold_under_way() -> None:
    timer = HoldTimer(min_s=5.0, target_s=10.0, enter_after_s=0.0)
    for i in range(21):
        timer.update(True, i / 10)
    timer.start_under_way(since_s=-10.0, timestamp_s=2.0)
    assert timer.held_s == pytest.approx(2.0)


def samples(*runs: tuple[float, float, bool | None]) -> list[tuple[float, bool | None]]:
    """(start, end, in_pose) runs as 10 fps samples."""
    out = []
    for start, end, in_pose in runs:
        n = round((end - start) * 10)
        out += [(round(start + i / 10, 3), in_pose) for i in range(n)]
    return out


def test_the_pose_held_since_its_last_break() -> None:
    seen = samples((0.0, 2.0, False), (2.0, 6.0, True))
    assert pose_held_since(seen, 6.0) == pytest.approx(2.0)


def test_wobble_and_short_blind_spells_do_not_break_the_run() -> None:
    seen = samples(
        (0.0, 1.0, False),
        (1.0, 3.0, True),
        (3.0, 3.2, False),
        (3.2, 4.0, True),
        (4.0, 5.5, None),
        (5.5, 6.0, True),
    )
    assert pose_held_since(seen, 6.0) == pytest.approx(1.0)


def test_a_real_break_ends_the_run() -> None:
    seen = samples((0.0, 2.0, True), (2.0, 2.5, False), (2.5, 6.0, True))
    assert pose_held_since(seen, 6.0) == pytest.approx(2.5)
    blind = samples((0.0, 2.0, True), (2.0, 4.5, None), (4.5, 6.0, True))
    assert pose_held_since(blind, 6.0) == pytest.approx(4.5)


def test_not_in_pose_now_or_frames_missing_means_no_run() -> None:
    assert pose_held_since(samples((0.0, 6.0, True), (6.0, 7.0, False)), 7.0) is None
    # The newest frame kept is long before now (not in position since).
    assert pose_held_since(samples((0.0, 3.0, True)), 6.0) is None
    assert pose_held_since([], 6.0) is None


# ------------------------------------------- in the checker: a late calibration
def test_a_hold_in_place_before_the_start_pose_is_known_is_timed_from_the_start() -> (
    None
):
    """Already holding when first seen: timed from then, not from calibration.

    The hold's rule is a height above the floor, which only exists once the
    floor has been calibrated (1 s still, here): the frames kept meanwhile are
    judged again then.
    """
    from formcheck.engine import FormChecker
    from formcheck.specs.schema import (
        CalibrationSpec,
        FloorSpec,
        HeightSignal,
        HoldSpec,
    )
    from tests.engine_support import KNEE, body_frame, make_spec, rule, times

    spec = make_spec(
        kind="hold",
        reps=None,
        signals={
            "knee": KNEE,
            "ankle_up": HeightSignal(type="height", point="left.ankle"),
        },
        calibration=CalibrationSpec(
            still_s=1.0,
            floor=FloorSpec(method="fit", points=["right.heel", "right.foot_index"]),
        ),
        rules=[rule(id="ankle_lifted", signal="ankle_up", min=0.3, max=None)],
        hold=HoldSpec(rules=["ankle_lifted"], min_s=2.0, target_s=4.0),
    )
    checker = FormChecker(spec)
    before = [
        checker.update(body_frame(t, knee_deg=90.0, right_knee_deg=175.0))
        for t in times(5.0)
    ]
    assert math.isnan(before[0].signals["ankle_up"])  # no floor yet: no height
    assert before[-1].calibrated
    checker.finish()
    (hold,) = checker.holds
    assert hold.start_s == pytest.approx(0.0, abs=0.1)
    assert hold.held_s == pytest.approx(4.95, abs=0.1)

"""Hold timing on its own: a hold under way, looking back for when it began."""

from __future__ import annotations

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

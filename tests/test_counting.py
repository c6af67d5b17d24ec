"""Repetition counter, hold timer, guided pacer and smoothing on synthetic signals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.engine.counting import RepCounter, RepNote
from formcheck.engine.holds import HoldTimer
from formcheck.engine.pacing import GuidedPacer, PacedStep
from formcheck.results import RepOutcome
from formcheck.smoothing import OneEuroFilter


def feed(
    counter: RepCounter, values: list[float], dt: float = 0.1, side: str | None = None
):
    events = []
    for i, v in enumerate(values):
        e = counter.update(v, i * dt, side)
        if e is not None:
            events.append(e)
    return events


def cycle(low: float, high: float, n: int = 20) -> list[float]:
    half = [low + (high - low) * (1 - math.cos(math.pi * i / n)) / 2 for i in range(n)]
    return half + half[::-1]


def test_rep_counter_counts_full_cycles() -> None:
    c = RepCounter(enter=160, exit=145, min_amplitude=15)
    events = feed(c, [130] * 5 + cycle(130, 175) * 3 + [130] * 5)
    assert c.count == 3
    assert [e.counted for e in events] == [True, True, True]
    assert all(e.range_of_motion == pytest.approx(45, abs=1) for e in events)


def test_rep_counter_hysteresis_ignores_jitter_around_one_threshold() -> None:
    c = RepCounter(enter=160, exit=145)
    jitter = [130, 162, 158, 161, 159, 162, 158, 160.5, 130]
    feed(c, jitter)
    assert c.count == 1


def test_rep_counter_shallow_reps_do_not_count_but_are_reported() -> None:
    c = RepCounter(enter=160, exit=145, min_amplitude=15)
    events = feed(c, [130] * 3 + cycle(130, 155) + [130] * 3)
    assert c.count == 0
    assert len(events) == 1
    assert not events[0].counted
    assert events[0].outcome is RepOutcome.NOT_FAR_ENOUGH


def test_rep_counter_a_blip_is_not_a_repetition() -> None:
    c = RepCounter(enter=160, exit=145)
    events = feed(c, [130, 170, 130], dt=0.1)  # 0.2 s up and back: noise
    assert c.count == 0
    assert events[0].outcome is RepOutcome.TOO_QUICK


def test_rep_counter_counts_a_quick_but_real_repetition() -> None:
    # 1.0 s up and back: quicker than any tempo target, but a repetition.
    c = RepCounter(enter=160, exit=145)
    events = feed(c, [130] * 3 + cycle(130, 170, n=5) + [130] * 3)
    assert c.count == 1
    assert events[0].counted


def test_rep_counter_levels_come_from_the_person_when_the_rest_stays_high() -> None:
    # A banded clamshell: the knees never close back to the exercise's exit
    # (0.2 hip widths) between repetitions, only to 0.3-0.7.
    c = RepCounter(enter=0.6, exit=0.2, min_amplitude=0.4)
    values = [0.05] * 5
    for trough in (0.7, 0.3, 0.5, 0.6, 0.4):
        values += cycle(0.3, 2.8, n=15) + [trough] * 5
    feed(c, values)
    assert c.count == 5


def test_rep_counter_a_wobble_small_against_the_persons_range_is_not_counted() -> None:
    c = RepCounter(enter=160, exit=145, min_amplitude=15)
    feed(c, [130] * 3 + cycle(130, 180) + [130] * 3)
    assert c.count == 1
    events = feed(c, cycle(130, 150) + [130] * 3)  # 20 of a 50-degree range
    assert c.count == 1
    assert events and not events[0].counted


def test_rep_counter_counts_a_repetition_done_but_for_the_return_at_the_end() -> None:
    c = RepCounter(enter=160, exit=145, min_amplitude=15)
    values = [130] * 3 + cycle(130, 175)[:20] + [175] * 25  # up, held 2.5 s
    feed(c, values)
    event = c.finish(0.1 * (len(values) - 1))
    assert event is not None and event.counted
    assert RepNote.UNFINISHED in event.notes
    c2 = RepCounter(enter=160, exit=145, min_amplitude=15)
    values = [130] * 3 + cycle(130, 175)[:20] + [175] * 3  # just got up
    feed(c2, values)
    assert c2.finish(0.1 * (len(values) - 1)) is None


def test_rep_counter_down_direction() -> None:
    c = RepCounter(enter=70, exit=100, direction="down")
    feed(c, [130] + cycle(130, 60)[:20] + cycle(130, 60)[20:] + [130])
    assert c.count == 1


def test_rep_counter_per_side_majority() -> None:
    c = RepCounter(enter=65, exit=35)
    feed(c, [10] + cycle(10, 90), side="left")
    feed(c, [10] + cycle(10, 90), side="right")
    assert c.count == 2
    assert c.count_for("left") == 1
    assert c.count_for("right") == 1


def test_rep_counter_abandons_after_long_gap() -> None:
    c = RepCounter(enter=160, exit=145, max_gap_s=1.0)
    c.update(130, 0.0)
    c.update(170, 0.5)
    assert c.update(float("nan"), 0.9) is None
    event = c.update(float("nan"), 2.0)
    assert event is not None and not event.counted
    assert c.state == "rest"


def test_rep_counter_rejects_inconsistent_thresholds() -> None:
    with pytest.raises(ValueError, match="'enter'"):
        RepCounter(enter=100, exit=140, direction="up")


def hold_run(timer: HoldTimer, states: list[bool | None], dt: float = 0.1):
    events = []
    for i, s in enumerate(states):
        e = timer.update(s, i * dt)
        if e is not None:
            events.append(e)
    e = timer.finish(len(states) * dt)
    if e is not None:
        events.append(e)
    return events


def test_hold_timer_counts_only_in_pose() -> None:
    timer = HoldTimer(
        min_s=5, target_s=10, enter_after_s=1.0, grace_s=1.0, reset_after_s=3.0
    )
    # 8 s in pose, 2 s wrong (paused), 4 s in pose again.
    states: list[bool | None] = [True] * 80 + [False] * 20 + [True] * 40
    events = hold_run(timer, states)
    assert len(events) == 1
    assert events[0].held_s == pytest.approx(12.0, abs=0.25)
    assert events[0].completed


def test_hold_timer_survives_short_tracking_drop() -> None:
    timer = HoldTimer(min_s=5, target_s=10, grace_s=2.0, reset_after_s=5.0)
    states: list[bool | None] = [True] * 50 + [None] * 15 + [True] * 50
    events = hold_run(timer, states)
    assert len(events) == 1
    assert events[0].held_s == pytest.approx(11.5, abs=0.25)


def test_hold_timer_long_dropout_ends_without_crediting_the_gap() -> None:
    """Grace time is credited only if the pose is seen again; a hold that ends unseen loses it."""
    timer = HoldTimer(min_s=5, target_s=10, grace_s=1.0, reset_after_s=3.0)
    states: list[bool | None] = [True] * 60 + [None] * 40
    events = hold_run(timer, states)
    assert len(events) == 1
    assert events[0].held_s == pytest.approx(6.0, abs=0.25)


def test_hold_timer_released_early_is_not_completed() -> None:
    timer = HoldTimer(min_s=20, target_s=30, reset_after_s=2.0)
    events = hold_run(timer, [True] * 120 + [False] * 30)
    assert len(events) == 1
    assert not events[0].completed
    assert events[0].held_s == pytest.approx(12.0, abs=0.25)


def test_hold_timer_needs_confirmation_before_starting() -> None:
    timer = HoldTimer(min_s=1, target_s=2, enter_after_s=1.0)
    events = hold_run(timer, [True, False] * 30)
    assert events == []
    assert timer.state().status == "idle"


def test_guided_pacer_counts_cycles_only_while_ready() -> None:
    steps = [
        PacedStep("tilt", 2, "moving"),
        PacedStep("hold", 2, "active"),
        PacedStep("release", 2, "rest"),
    ]
    pacer = GuidedPacer(steps, target_reps=3, start_after_s=1.0)
    events = []
    t = 0.0
    for i in range(400):  # 40 s at 10 Hz; not ready between 10 s and 12 s
        ready = not (10.0 <= t < 12.0)
        e = pacer.update(ready, t)
        if e is not None:
            events.append(e)
        t += 0.1
    assert pacer.count == 3
    assert all(e.outcome is RepOutcome.PACED for e in events)
    assert pacer.finished


def test_one_euro_filter_is_causal_and_smooths() -> None:
    rng = np.random.default_rng(0)
    f = OneEuroFilter(1, min_cutoff_hz=1.0, beta=0.0)
    noisy = 100 + rng.normal(0, 3, 300)
    out = np.array([f(np.array([v]), i / 30)[0] for i, v in enumerate(noisy)])
    assert np.std(out[100:]) < np.std(noisy[100:]) / 2
    # Causal: the output at frame k does not depend on later samples.
    g = OneEuroFilter(1, min_cutoff_hz=1.0, beta=0.0)
    out2 = np.array([g(np.array([v]), i / 30)[0] for i, v in enumerate(noisy[:150])])
    np.testing.assert_allclose(out[:150], out2)


def test_one_euro_filter_passes_nan_without_losing_state() -> None:
    f = OneEuroFilter(2)
    f(np.array([10.0, 20.0]), 0.0)
    out = f(np.array([np.nan, 21.0]), 0.033)
    assert math.isnan(out[0])
    assert 20.0 <= out[1] <= 21.0
    out = f(np.array([10.0, 21.0]), 0.066)
    assert out[0] == pytest.approx(10.0)


def test_one_euro_filter_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="min_cutoff_hz"):
        OneEuroFilter(1, min_cutoff_hz=0)


def test_rep_counter_starts_a_movement_already_under_way_at_late_calibration() -> None:
    # Someone who lifts as soon as they are in position is calibrated late,
    # from the frames at rest; the lift under way then is the first rep,
    # begun when they were last seen at rest.
    c = RepCounter(enter=160, exit=145, min_amplitude=15)
    assert c.start_under_way(168.0, now_s=3.0, start_s=2.0, start_value=130.0)
    values = [170] * 5 + cycle(130, 170)[20:] + [130] * 5
    events = [c.update(v, 3.1 + 0.1 * i, None) for i, v in enumerate(values)]
    (event,) = [e for e in events if e is not None]
    assert c.count == 1 and event.counted
    assert event.start_s == 2.0


def test_rep_counter_a_small_shift_at_late_calibration_is_not_a_rep() -> None:
    c = RepCounter(enter=160, exit=145, min_amplitude=15)
    assert not c.start_under_way(138.0, now_s=3.0, start_s=2.0, start_value=130.0)
    for i, v in enumerate([138] * 5 + [130] * 5):
        c.update(v, 3.1 + 0.1 * i, None)
    assert c.count == 0

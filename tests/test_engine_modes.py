"""Exercise modes behind one interface: counted reps, timed holds, paced reps."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from formcheck.engine.counting import RepEvent, RepNote
from formcheck.engine.holds import HoldEvent
from formcheck.engine.modes import (
    ExerciseMode,
    GuidedMode,
    HoldMode,
    ModeFrame,
    RepMode,
    mode_for,
)
from formcheck.landmarks import Side
from formcheck.results import (
    HoldStatus,
    Phase,
    RepOutcome,
    RuleState,
    RuleStatus,
)
from formcheck.specs.schema import ExerciseSpec, GuidedSpec, GuidedStep, HoldSpec
from tests.engine_support import make_spec, rule

FPS = 10.0


def frame(t: float, **fields: Any) -> ModeFrame:
    base: dict[str, Any] = {
        "t": t,
        "has_person": True,
        "ready": True,
        "gated": False,
        "states": {},
        "still": lambda: True,
        "settled": True,
    }
    base.update(fields)
    return ModeFrame(**base)


# ------------------------------------------------------------------ RepMode
def knee_cycle(low: float = 90.0) -> list[float]:
    """Rest 1 s at 175, bend to ``low`` over 1 s, hold 1 s, back over 1 s, rest 1 s."""
    down = [175.0 - (175.0 - low) * i / 10 for i in range(1, 11)]
    return [175.0] * 10 + down + [low] * 10 + down[::-1] + [175.0] * 10


def run_reps(
    mode: ExerciseMode, values: Sequence[Mapping[Side | None, float]], **kw: Any
) -> tuple[list[RepEvent], list[Phase]]:
    """Observe and update once per value (10 fps); events and phases."""
    events, phases = [], []
    for i, by_side in enumerate(values):
        phases.append(mode.phase())
        mode.observe({side: {"knee": v} for side, v in by_side.items()})
        update = mode.update(frame(i / FPS, **kw))
        if update.rep is not None:
            events.append(update.rep)
    return events, phases


def test_rep_mode_counts_a_full_knee_bend() -> None:
    mode = RepMode(make_spec())
    events, phases = run_reps(mode, [{None: v} for v in knee_cycle() * 2])
    assert [e.outcome for e in events] == [RepOutcome.COUNTED] * 2
    assert events[0].range_of_motion == pytest.approx(85.0)
    assert {Phase.REST, Phase.MOVING, Phase.ACTIVE} <= set(phases)


def test_rep_mode_reports_a_shallow_bend_as_an_attempt() -> None:
    mode = RepMode(make_spec())
    events, _ = run_reps(mode, [{None: v} for v in knee_cycle(low=120.0)])
    assert [e.outcome for e in events] == [RepOutcome.NOT_FAR_ENOUGH]


def test_rep_mode_is_busy_during_a_cycle_only() -> None:
    mode = RepMode(make_spec())
    busy = []
    for i, v in enumerate(knee_cycle()):
        mode.observe({None: {"knee": v}})
        mode.update(frame(i / FPS))
        busy.append(mode.busy)
    assert not busy[5] and busy[25] and not busy[-1]


def run_gated(mode: RepMode, values: list[float], gated: set[int]) -> list[RepEvent]:
    events = []
    for i, v in enumerate(values):
        mode.observe({None: {"knee": v}})
        update = mode.update(frame(i / FPS, gated=i in gated))
        if update.rep is not None:
            events.append(update.rep)
    return events


def test_rep_mode_drops_the_cycle_while_out_of_position() -> None:
    # The posture gate fails from the middle of the hold to the end.
    events = run_gated(RepMode(make_spec()), knee_cycle(), set(range(25, 50)))
    assert [(e.outcome, e.counted) for e in events] == [
        (RepOutcome.OUT_OF_POSITION, False)
    ]


def test_the_rest_of_a_dropped_cycle_is_not_counted() -> None:
    # The posture gate fails for one frame in the middle of the hold.
    events = run_gated(RepMode(make_spec()), knee_cycle(), {25})
    assert [(e.outcome, e.counted) for e in events] == [
        (RepOutcome.OUT_OF_POSITION, False)
    ]


def quick_cycle() -> list[float]:
    """Rest 1 s, bend to 90 and back within 0.6 s (quicker than 0.8 s), rest 1.5 s."""
    return [175.0] * 10 + [130.0, 90.0, 90.0, 90.0, 130.0, 175.0] + [175.0] * 15


def test_a_quick_repetition_counts_once_the_person_stays_in_position() -> None:
    events = run_gated(RepMode(make_spec()), quick_cycle(), set())
    assert [e.outcome for e in events] == [RepOutcome.COUNTED]


def test_a_quick_repetition_as_the_person_leaves_is_the_way_out() -> None:
    """The legs part as the person gets up: an attempt, not a repetition."""
    values = quick_cycle()
    events = run_gated(RepMode(make_spec()), values, set(range(18, len(values))))
    assert [(e.outcome, e.counted) for e in events] == [
        (RepOutcome.OUT_OF_POSITION, False)
    ]


def test_a_quick_repetition_at_the_end_of_the_video_counts() -> None:
    mode = RepMode(make_spec())
    events = run_gated(mode, quick_cycle()[:17], set())
    assert events == []
    last = mode.finish(1.7).rep
    assert last is not None and last.outcome is RepOutcome.COUNTED


def test_rep_mode_counts_the_side_that_moved() -> None:
    mode = RepMode(make_spec())
    values = [{Side.LEFT: 175.0, Side.RIGHT: v} for v in knee_cycle()]
    values += [{Side.LEFT: v, Side.RIGHT: 175.0} for v in knee_cycle()]
    events, _ = run_reps(mode, values)
    assert [(e.side, e.counted) for e in events] == [
        (Side.RIGHT, True),
        (Side.LEFT, True),
    ]


def test_rep_mode_observes_the_side_furthest_into_the_movement() -> None:
    mode = RepMode(make_spec())
    moving = mode.observe({Side.LEFT: {"knee": 160.0}, Side.RIGHT: {"knee": 95.0}})
    assert (moving, mode.counting_value) == (Side.RIGHT, 95.0)
    assert mode.observe({Side.LEFT: {"knee": math.nan}}) is None
    assert math.isnan(mode.counting_value)


# ----------------------------------------------------------------- HoldMode
def hold_spec(**hold: Any) -> ExerciseSpec:
    level = rule(id="level", min=80.0, max=100.0)
    fields = {"rules": ["level"], "min_s": 3.0, "target_s": 5.0}
    fields.update(hold)
    return make_spec(kind="hold", reps=None, rules=[level], hold=HoldSpec(**fields))


def state(status: RuleStatus, fault: bool = False) -> dict[str, RuleState]:
    return {"level": RuleState("level", status, 90.0, fault)}


PASSING = state(RuleStatus.PASS)
FAULT = state(RuleStatus.FAIL, fault=True)
UNSEEN = state(RuleStatus.UNKNOWN)


def run_hold(mode: HoldMode, frames: list[dict[str, Any]]) -> list[HoldEvent]:
    """One ModeFrame per dict of fields (10 fps); the hold events."""
    events = []
    for i, fields in enumerate(frames):
        update = mode.update(frame(i / FPS, **fields))
        if update.hold is not None:
            events.append(update.hold)
    return events


def held_s(mode: HoldMode) -> float:
    hold = mode.hold_state()
    assert hold is not None
    return hold.held_s


def test_hold_mode_times_while_the_rules_pass_and_the_pose_is_still() -> None:
    mode = HoldMode(hold_spec(enter_after_s=1.0))
    run_hold(mode, [{"states": PASSING}] * 41)  # 4 s
    assert held_s(mode) == pytest.approx(4.0)
    assert mode.phase() is Phase.ACTIVE
    event = mode.finish(4.0).hold
    assert event is not None and event.completed


def test_hold_mode_does_not_time_while_moving_into_the_pose() -> None:
    mode = HoldMode(hold_spec())
    run_hold(mode, [{"states": PASSING, "still": lambda: False}] * 41)
    hold = mode.hold_state()
    assert hold is not None and hold.status is HoldStatus.IDLE
    assert held_s(mode) == 0.0
    assert mode.finish(4.0).hold is None


def test_hold_mode_pauses_during_a_fault() -> None:
    mode = HoldMode(hold_spec(enter_after_s=0.0, reset_after_s=5.0))
    frames = [{"states": PASSING}] * 21 + [{"states": FAULT}] * 20
    frames += [{"states": PASSING}] * 10
    run_hold(mode, frames)
    # 2 s + 1 s in the pose; the 2 s of fault are not credited.
    assert held_s(mode) == pytest.approx(3.0, abs=0.11)


def test_hold_mode_bridges_a_short_tracking_blip() -> None:
    mode = HoldMode(hold_spec(enter_after_s=0.0, grace_s=2.0))
    frames = [{"states": PASSING}] * 21 + [{"states": UNSEEN}] * 5
    frames += [{"states": PASSING}] * 10
    run_hold(mode, frames)
    assert held_s(mode) == pytest.approx(3.5)


def test_hold_mode_ends_the_hold_after_reset_after_s_out_of_pose() -> None:
    mode = HoldMode(hold_spec(enter_after_s=0.0, reset_after_s=1.0))
    frames = [{"states": PASSING}] * 41 + [{"states": FAULT}] * 15
    events = run_hold(mode, frames)
    assert [(round(e.held_s, 1), e.completed) for e in events] == [(4.0, True)]
    assert mode.phase() is Phase.REST


def test_hold_mode_keeps_timing_while_easing_deeper_into_the_pose() -> None:
    """Moving within a held pose (pulling the knee in further) is holding."""
    mode = HoldMode(hold_spec(enter_after_s=1.0))
    easing = {"states": PASSING, "still": lambda: False}
    run_hold(
        mode, [{"states": PASSING}] * 21 + [easing] * 20 + [{"states": PASSING}] * 10
    )
    assert held_s(mode) == pytest.approx(5.0)


def test_hold_mode_does_not_credit_the_way_out() -> None:
    """A movement that ends with the pose lost was the way out of the hold."""
    mode = HoldMode(hold_spec(enter_after_s=0.0, reset_after_s=1.0))
    leaving = {"states": PASSING, "still": lambda: False, "moving_since": lambda: 3.0}
    frames = [{"states": PASSING}] * 31 + [leaving] * 10 + [{"states": FAULT}] * 15
    events = run_hold(mode, frames)
    assert [round(e.held_s, 1) for e in events] == [3.0]
    assert events[0].end_s == pytest.approx(3.0)


def test_hold_mode_forgives_a_blip_of_movement_while_confirming() -> None:
    mode = HoldMode(hold_spec(enter_after_s=1.0))
    blip = {"states": PASSING, "still": lambda: False}
    run_hold(mode, [{"states": PASSING}] * 5 + [blip] * 3 + [{"states": PASSING}] * 13)
    assert held_s(mode) == pytest.approx(2.0)


def test_hold_mode_starts_afresh_after_a_long_movement_while_confirming() -> None:
    """Crossing the ankle, a pause, then pulling in: the hold starts after the pull."""
    mode = HoldMode(hold_spec(enter_after_s=1.0))
    pull = {"states": PASSING, "still": lambda: False}
    run_hold(mode, [{"states": PASSING}] * 5 + [pull] * 10 + [{"states": PASSING}] * 21)
    assert held_s(mode) == pytest.approx(2.0)


def test_hold_mode_waits_to_start_while_stillness_cannot_be_told() -> None:
    """Just after a calibration nothing tells whether the person is still yet."""
    mode = HoldMode(hold_spec(enter_after_s=1.0))
    unknown = {"states": PASSING, "still": lambda: None}
    run_hold(mode, [unknown] * 5 + [{"states": PASSING}] * 16)
    assert held_s(mode) == pytest.approx(1.5)  # from 0.5 s, not from 0
    # A hold under way carries on through it.
    mode = HoldMode(hold_spec(enter_after_s=0.0))
    run_hold(mode, [{"states": PASSING}] * 11 + [unknown] * 10)
    assert held_s(mode) == pytest.approx(2.0)


def test_hold_mode_takes_a_hold_already_under_way() -> None:
    """Held since 0.5 s, seen to be so only at 3 s (a late calibration)."""
    mode = HoldMode(hold_spec(enter_after_s=1.0))
    mode.start_under_way(0.5, 3.0)
    for i in range(1, 11):
        mode.update(frame(3.0 + i / FPS, states=PASSING))
    assert held_s(mode) == pytest.approx(3.5)
    event = mode.finish(4.0).hold
    assert event is not None and event.start_s == 0.5 and event.completed


# --------------------------------------------------------------- GuidedMode
def guided_spec() -> ExerciseSpec:
    steps = [
        GuidedStep(cue="Tilt your pelvis.", seconds=2.0, phase="moving"),
        GuidedStep(cue="Hold it.", seconds=3.0, phase="active"),
        GuidedStep(cue="Let go.", seconds=2.0, phase="rest"),
    ]
    guided = GuidedSpec(steps=steps, target_reps=2, start_after_s=1.0)
    return make_spec(kind="guided", reps=None, guided=guided)


def run_guided(
    mode: GuidedMode, ready: list[bool]
) -> tuple[list[str], list[tuple[float, RepEvent]]]:
    cues, events = [], []
    for i, r in enumerate(ready):
        update = mode.update(frame(i / FPS, ready=r))
        cues.append(update.cue.text if update.cue else "")
        if update.rep is not None:
            events.append((i / FPS, update.rep))
    return cues, events


def test_guided_mode_says_each_step_in_turn() -> None:
    mode = GuidedMode(guided_spec())
    cues, events = run_guided(mode, [True] * 200)
    # 1 s to start, then 2 s tilt, 3 s hold, 2 s let go: a repetition at 8 s.
    assert cues[5] == ""
    assert cues[20] == "Tilt your pelvis."
    assert cues[40] == "Hold it."
    assert cues[70] == "Let go."
    assert [(t, e.outcome) for t, e in events] == [
        (pytest.approx(8.0), RepOutcome.PACED),
        (pytest.approx(15.0), RepOutcome.PACED),
    ]
    assert cues[-1] == ""  # both target repetitions done


def test_guided_mode_does_not_pace_while_not_ready() -> None:
    mode = GuidedMode(guided_spec())
    cues, events = run_guided(mode, [False] * 50)
    assert set(cues) == {""} and events == []
    assert not mode.busy and mode.phase() is Phase.REST


def test_guided_phase_follows_the_step() -> None:
    mode = GuidedMode(guided_spec())
    phases = []
    for i in range(80):
        mode.update(frame(i / FPS))
        phases.append(mode.phase())
    assert (phases[20], phases[40], phases[70]) == (
        Phase.MOVING,
        Phase.ACTIVE,
        Phase.REST,
    )


# --------------------------------------------------------------------- choice
def test_each_kind_of_spec_gets_its_mode() -> None:
    assert isinstance(mode_for(make_spec()), RepMode)
    assert isinstance(mode_for(hold_spec()), HoldMode)
    assert isinstance(mode_for(guided_spec()), GuidedMode)


def test_a_mode_without_its_section_names_the_spec_and_the_section() -> None:
    with pytest.raises(ValueError, match=r"knee_bend: a repetition exercise needs"):
        RepMode(hold_spec())
    with pytest.raises(ValueError, match=r"knee_bend: a hold exercise needs"):
        HoldMode(make_spec())
    with pytest.raises(ValueError, match=r"knee_bend: a guided exercise needs"):
        GuidedMode(make_spec())


def test_only_rep_mode_has_a_counting_signal() -> None:
    assert RepMode(make_spec()).count_signal == "knee"
    assert HoldMode(hold_spec()).count_signal is None
    assert GuidedMode(guided_spec()).count_signal is None
    assert RepMode(make_spec()).hold_state() is None


def held_then_gated(hold_s: float, seen_until_gate: bool) -> list[RepEvent]:
    """Bend, hold ``hold_s`` s, then the posture gate fails (the person got up)."""
    down = [175.0 - 85.0 * i / 10 for i in range(1, 11)]
    held = [90.0] * int(hold_s * FPS)
    if not seen_until_gate:  # the knee went out of sight for the last second
        held[-10:] = [math.nan] * 10
    values = [175.0] * 10 + down + held
    gated = set(range(len(values), len(values) + 10))
    return run_gated(RepMode(make_spec()), values + [120.0] * 10, gated)


def test_a_held_rep_cut_short_by_getting_up_counts_if_it_was_watched() -> None:
    (event,) = held_then_gated(hold_s=4.0, seen_until_gate=True)
    assert event.counted and RepNote.UNFINISHED in event.notes


def test_a_rep_cut_short_soon_after_reaching_the_end_is_dropped() -> None:
    (event,) = held_then_gated(hold_s=1.5, seen_until_gate=True)
    assert (event.outcome, event.counted) == (RepOutcome.OUT_OF_POSITION, False)


def test_a_rep_lost_from_sight_before_the_posture_broke_is_dropped() -> None:
    (event,) = held_then_gated(hold_s=4.0, seen_until_gate=False)
    assert (event.outcome, event.counted) == (RepOutcome.OUT_OF_POSITION, False)


def test_a_rep_on_its_way_back_when_the_person_gets_up_is_not_a_held_rep() -> None:
    # 0.3 s at the bottom, one frame on the way back, then the posture breaks:
    # getting up, not a deliberate hold, whatever the counter's state.
    down = [175.0 - 85.0 * i / 10 for i in range(1, 11)]
    values = [175.0] * 10 + down + [90.0] * 3 + [101.0]
    gated = set(range(len(values), len(values) + 10))
    (event,) = run_gated(RepMode(make_spec()), values + [120.0] * 10, gated)
    assert (event.outcome, event.counted) == (RepOutcome.OUT_OF_POSITION, False)

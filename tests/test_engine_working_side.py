"""Working side: which leg does the exercise.

WorkingSideChooser is fed per-side signal values; a few checker tests on
hand-made frames cover what the user sees (reps on the far leg, a fixed side).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from formcheck.engine.checker import FormChecker
from formcheck.engine.working_side import SWITCH_AFTER_S, WorkingSideChooser
from formcheck.landmarks import Landmark as L, Side
from formcheck.specs.schema import ExerciseSpec, HoldSpec, RepSpec, SideSpec
from tests.engine_support import body_frame, make_spec, rule

#: 16 fps: frame times are exact binary fractions, so switch times are exact.
FPS = 16.0
#: The knee bend of :func:`make_spec` is counted downwards from a straight knee.
REST = 175.0
BENT = 90.0
#: Not measurable this frame (the leg is hidden or not seen well enough).
HIDDEN = math.nan

LEFT, RIGHT = Side.LEFT, Side.RIGHT

#: ``(seconds, left knee, right knee)``: a stretch of frames with these values.
Stretch = tuple[float, float, float]


def painful_spec(**fields: Any) -> ExerciseSpec:
    """The knee bend as a one-sided exercise whose side is observed."""
    return make_spec(side=SideSpec(mode="painful"), **fields)


def run(
    stretches: list[Stretch],
    near: Side = LEFT,
    chooser: WorkingSideChooser | None = None,
) -> list[tuple[float, Side, Side | None]]:
    """Feed the stretches frame by frame.

    Returns:
        Per frame: its time, the side returned, and the side chosen so far.
    """
    chooser = chooser or WorkingSideChooser(painful_spec())
    out = []
    t0 = 0.0
    for seconds, left, right in stretches:
        for i in range(round(seconds * FPS)):
            t = t0 + i / FPS
            side = chooser.update(
                {LEFT: {"knee": left}, RIGHT: {"knee": right}}, t, near
            )
            out.append((t, side, chooser.side))
        t0 += seconds
    return out


def returned(frames: list[tuple[float, Side, Side | None]]) -> list[Side]:
    return [side for _, side, _ in frames]


def choices(frames: list[tuple[float, Side, Side | None]]) -> list[tuple[float, Side]]:
    """When the chooser chose a side, and which (one entry per change)."""
    out: list[tuple[float, Side]] = []
    for t, _, chosen in frames:
        if chosen is not None and (not out or out[-1][1] is not chosen):
            out.append((t, chosen))
    return out


def right_rep() -> list[Stretch]:
    """The (far) right leg bends for 1 s and comes back; the left leg rests."""
    return [(1.0, REST, REST), (1.0, REST, BENT), (1.0, REST, REST)]


# ------------------------------------------------------------ before any movement
@pytest.mark.parametrize("near", [LEFT, RIGHT])
def test_before_any_movement_the_near_side_is_used(near: Side) -> None:
    frames = run([(3.0, REST, REST)], near=near)
    assert set(returned(frames)) == {near}
    assert frames[-1][2] is None  # nothing chosen yet


def test_before_any_movement_the_near_side_is_followed_as_it_changes() -> None:
    chooser = WorkingSideChooser(painful_spec())
    frames = run([(1.0, REST, REST)], near=LEFT, chooser=chooser)
    frames += run([(1.0, REST, REST)], near=RIGHT, chooser=chooser)
    assert returned(frames) == [LEFT] * 16 + [RIGHT] * 16
    assert chooser.side is None


def test_a_movement_smaller_than_the_margin_chooses_nothing() -> None:
    # 5 degrees is a tenth of the knee bend's 50-degree range (margin: a quarter).
    frames = run([(1.0, REST, REST), (2.0, REST, REST - 5.0)], near=LEFT)
    assert set(returned(frames)) == {LEFT}
    assert frames[-1][2] is None


def test_a_leg_hidden_at_rest_does_not_hand_the_choice_to_the_visible_leg() -> None:
    # Side-on, the far leg is often not measurable while it rests behind the
    # near one: that alone must not make the near leg the working leg.
    frames = run([(2.0, REST, HIDDEN)], near=LEFT)
    assert frames[-1][2] is None


# ---------------------------------------------------------- the leg that moves
@pytest.mark.parametrize("near", [LEFT, RIGHT])
def test_the_far_leg_that_moves_is_chosen(near: Side) -> None:
    far = near.other
    bend = (2.0, REST, BENT) if far is RIGHT else (2.0, BENT, REST)
    frames = run([(1.0, REST, REST), bend, (2.0, REST, REST)], near=near)
    # From the first frame of the bend, and kept once the leg rests again.
    assert returned(frames) == [near] * 16 + [far] * 64
    assert frames[-1][2] is far


def test_the_near_leg_that_moves_is_chosen() -> None:
    frames = run([(1.0, REST, REST), (2.0, BENT, REST)], near=LEFT)
    assert frames[-1][2] is LEFT


def test_the_far_leg_is_chosen_though_it_was_hidden_before_it_moved() -> None:
    frames = run([(1.0, REST, HIDDEN), (1.0, REST, REST), (1.0, REST, BENT)])
    assert returned(frames) == [LEFT] * 32 + [RIGHT] * 16


def test_a_leg_first_seen_bent_is_measured_from_its_rest() -> None:
    # Already bent when first seen: not a movement. Once it has rested, a
    # bend short of where it was first seen is a movement.
    frames = run([(1.0, REST, BENT), (1.0, REST, REST), (1.0, REST, 110.0)])
    assert choices(frames) == [(2.0, RIGHT)]


def test_the_far_leg_is_chosen_though_it_drops_out_of_view() -> None:
    # Less visible: measurable only every other frame while it bends.
    chooser = WorkingSideChooser(painful_spec())
    frames = run([(1.0, REST, REST)], chooser=chooser)
    for _ in range(8):
        frames += run([(1 / FPS, REST, BENT), (1 / FPS, REST, HIDDEN)], chooser=chooser)
    assert chooser.side is RIGHT


@pytest.mark.parametrize(
    ("direction", "enter_deg", "exit_deg", "right_moves_to", "chosen"),
    [
        # The counted movement bends the knee: the bending leg works.
        ("down", 100.0, 150.0, 120.0, RIGHT),
        ("down", 100.0, 150.0, 180.0, LEFT),
        # The counted movement straightens it: the straightening leg works.
        ("up", 150.0, 100.0, 180.0, RIGHT),
        ("up", 150.0, 100.0, 120.0, LEFT),
    ],
)
def test_the_leg_moving_the_counted_way_is_chosen(
    direction: str,
    enter_deg: float,
    exit_deg: float,
    right_moves_to: float,
    chosen: Side,
) -> None:
    reps = RepSpec(
        signal="knee",
        direction=direction,
        enter=enter_deg,
        exit=exit_deg,
        min_amplitude=10.0,
    )
    chooser = WorkingSideChooser(painful_spec(reps=reps))
    # Both start at 150; the left leg moves 30 degrees the other way from the right.
    left_moves_to = 300.0 - right_moves_to
    run([(1.0, 150.0, 150.0), (2.0, left_moves_to, right_moves_to)], chooser=chooser)
    assert chooser.side is chosen


def knee_hold_spec() -> ExerciseSpec:
    """A one-sided hold defined by the knee drawn up (below 120)."""
    return painful_spec(
        kind="hold",
        reps=None,
        rules=[rule(id="knee_drawn_up", max=120.0)],
        hold=HoldSpec(rules=["knee_drawn_up"], min_s=5.0, target_s=10.0),
    )


def test_a_hold_chooses_the_leg_in_the_hold_position() -> None:
    chooser = WorkingSideChooser(knee_hold_spec())
    frames = run([(1.0, REST, REST), (2.0, REST, BENT)], chooser=chooser)
    assert choices(frames) == [(1.0, RIGHT)]


def test_a_hold_is_not_given_to_a_leg_because_the_other_is_hidden() -> None:
    """Both knees drawn up, the far one hidden now and then: nothing to choose yet."""
    chooser = WorkingSideChooser(knee_hold_spec())
    frames = run(
        [(1.0, BENT, BENT), (1.0, HIDDEN, BENT), (1.0, BENT, BENT)], chooser=chooser
    )
    assert choices(frames) == []
    assert set(returned(frames)) == {LEFT}  # the near side, until one leg is clearly in


# -------------------------------------------------------- re-checked, not flipped
@pytest.mark.parametrize("wobble_s", [0.5, SWITCH_AFTER_S - 1 / FPS])
def test_a_brief_wobble_of_the_other_leg_does_not_flip_the_choice(
    wobble_s: float,
) -> None:
    frames = run([*right_rep(), (wobble_s, BENT, REST), (2.0, REST, REST)])
    assert choices(frames) == [(1.0, RIGHT)]
    assert set(returned(frames[16:])) == {RIGHT}


def test_wobbles_separated_by_rest_do_not_add_up() -> None:
    wobble = (1.5, BENT, REST)
    frames = run([*right_rep(), wobble, (0.5, REST, REST), wobble, (1.0, REST, REST)])
    assert set(returned(frames[16:])) == {RIGHT}


def test_the_working_leg_lost_from_view_is_kept() -> None:
    # The working leg stays hidden for longer than the re-check while the
    # other leg rests in view: the resting leg did not move, so it is not chosen.
    frames = run([*right_rep(), (3 * SWITCH_AFTER_S, REST, HIDDEN)])
    assert set(returned(frames[16:])) == {RIGHT}


@pytest.mark.parametrize("old_leg", [REST, HIDDEN], ids=["old-leg-rests", "hidden"])
def test_a_sustained_switch_to_the_other_leg_is_followed(old_leg: float) -> None:
    # The person changes legs: the left leg now bends and stays bent.
    frames = run([*right_rep(), (4.0, BENT, old_leg)])
    # The left leg is clearly further in from 3.0 s on.
    assert choices(frames) == [(1.0, RIGHT), (3.0 + SWITCH_AFTER_S, LEFT)]


def test_the_first_leg_is_followed_again_after_a_second_switch() -> None:
    frames = run([*right_rep(), (3.0, BENT, REST), (3.0, REST, BENT)])
    assert choices(frames) == [
        (1.0, RIGHT),
        (3.0 + SWITCH_AFTER_S, LEFT),
        (6.0 + SWITCH_AFTER_S, RIGHT),
    ]


# ------------------------------------------------------------- a fixed side
def bend_far_leg(checker: FormChecker) -> list[Side | None]:
    """Three knee bends of the far (right) leg; the work side of each frame."""
    cycle = [REST] * 20 + [BENT] * 20 + [REST] * 20
    return [
        checker.update(body_frame(i / 20, knee_deg=REST, right_knee_deg=v)).work_side
        for i, v in enumerate(cycle * 3)
    ]


def test_without_side_the_checker_follows_the_far_leg_that_moves() -> None:
    checker = FormChecker(painful_spec())
    work = bend_far_leg(checker)
    assert work[0] is LEFT  # near, before any movement
    assert work[-1] is RIGHT
    assert [r.side for r in checker.reps] == [RIGHT] * 3


def test_the_far_leg_hidden_at_the_start_has_its_bends_counted() -> None:
    # The far leg is out of sight for the first half second, then bends at a
    # brisk tempo (under a second fully bent): every bend counts, on its side.
    right = tuple(lm for lm in L if lm.name.startswith("RIGHT_"))
    down = [REST - (REST - BENT) * i / 10 for i in range(1, 11)]
    cycle = [REST] * 10 + down + [BENT] * 10 + down[::-1] + [REST] * 10
    checker = FormChecker(painful_spec())
    for i, v in enumerate([REST] * 10 + cycle * 4):
        frame = body_frame(
            i / 20, knee_deg=REST, right_knee_deg=v, hidden=right if i < 10 else ()
        )
        checker.update(frame)
    assert [r.side for r in checker.reps] == [RIGHT] * 4


@pytest.mark.parametrize(
    ("spec", "side"),
    [
        (painful_spec(), "left"),  # --side left
        (make_spec(side=SideSpec(mode="left")), None),  # fixed by the spec
    ],
    ids=["--side", "spec"],
)
def test_a_fixed_side_is_kept_whichever_leg_moves(
    spec: ExerciseSpec, side: str | None
) -> None:
    checker = FormChecker(spec, side=side)
    assert set(bend_far_leg(checker)) == {LEFT}
    assert checker.reps == ()

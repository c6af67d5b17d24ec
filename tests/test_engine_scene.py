"""SceneTracker on hand-made frames: near side, camera view, facing, people, cuts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from formcheck.engine.scene import SceneTracker
from formcheck.landmarks import Landmark as L, Side
from formcheck.results import ObservedView
from formcheck.specs.schema import CameraSpec, SideSpec
from formcheck.types import PoseFrame
from tests.conftest import make_frame
from tests.engine_support import (
    body_frame,
    make_spec,
    side_visibility,
    times,
)

FPS = 20.0
LEFT_NEAR = {Side.LEFT: 0.95, Side.RIGHT: 0.4}
RIGHT_NEAR = {Side.LEFT: 0.4, Side.RIGHT: 0.95}


def nears(tracker: SceneTracker, visibilities: list[dict[Side, float]]) -> list[Side]:
    """The near side after each frame (one frame per visibility, at 20 fps)."""
    out = []
    for i, vis in enumerate(visibilities):
        t = i / FPS
        out.append(tracker.update(side_visibility(body_frame(t), vis), t).near)
    return out


# ------------------------------------------------------------------ near side
def test_near_side_does_not_flip_on_a_brief_visibility_blip() -> None:
    tracker = SceneTracker(make_spec(side=SideSpec(lock_s=0.5)))
    # 1 s left near, 0.3 s right looks nearer (a blip), then left again.
    sequence = [LEFT_NEAR] * 20 + [RIGHT_NEAR] * 6 + [LEFT_NEAR] * 20
    assert nears(tracker, sequence) == [Side.LEFT] * 46


def test_near_side_switches_once_the_other_side_is_nearer_for_lock_s() -> None:
    tracker = SceneTracker(make_spec(side=SideSpec(lock_s=0.5)))
    sequence = [LEFT_NEAR] * 20 + [RIGHT_NEAR] * 20
    # The right side must look nearer for 0.5 s (10 frames) before it wins.
    expected = [Side.LEFT] * 30 + [Side.RIGHT] * 10
    assert nears(tracker, sequence) == expected


def test_near_side_ignores_a_small_visibility_difference() -> None:
    tracker = SceneTracker(make_spec(side=SideSpec(lock_s=0.5)))
    almost_equal = {Side.LEFT: 0.85, Side.RIGHT: 0.9}
    sequence = [LEFT_NEAR] * 10 + [almost_equal] * 30
    assert nears(tracker, sequence) == [Side.LEFT] * 40


def test_near_side_is_kept_while_nobody_is_in_view() -> None:
    tracker = SceneTracker(make_spec(), default_near=Side.LEFT)
    nears(tracker, [RIGHT_NEAR] * 5)
    empty = PoseFrame.empty(500.0, 10, (640, 480))
    scene = tracker.update(empty, 0.5)
    assert not scene.has_person
    assert scene.near is Side.RIGHT


def test_default_near_side_is_used_before_anyone_is_seen() -> None:
    tracker = SceneTracker(make_spec(), default_near=Side.RIGHT)
    scene = tracker.update(PoseFrame.empty(0.0, 0, (640, 480)), 0.0)
    assert scene.near is Side.RIGHT
    assert tracker.near is None


# ---------------------------------------------------------------- camera view
def views(tracker: SceneTracker, frontal: list[bool]) -> list[ObservedView]:
    return [
        tracker.update(body_frame(t, frontal=f), t).view
        for t, f in zip(times(len(frontal) / FPS, FPS), frontal, strict=True)
    ]


def test_view_is_side_on_or_frontal_from_body_proportions() -> None:
    side_spec = make_spec()
    side_on = SceneTracker(side_spec).update(body_frame(0.0), 0.0)
    facing = SceneTracker(side_spec).update(body_frame(0.0, frontal=True), 0.0)
    assert (side_on.view, side_on.view_ok) == (ObservedView.SIDE, True)
    assert (facing.view, facing.view_ok) == (ObservedView.FRONTAL, False)


def test_frontal_view_is_right_for_a_front_view_spec() -> None:
    front_spec = make_spec(
        camera=CameraSpec(
            view="front", height_m=(0.5, 1.0), distance_m=(2, 3), framing="Face it."
        )
    )
    scene = SceneTracker(front_spec).update(body_frame(0.0, frontal=True), 0.0)
    assert scene.view_ok
    scene = SceneTracker(front_spec).update(body_frame(0.0), 0.0)
    assert not scene.view_ok


def test_view_is_judged_over_the_last_second() -> None:
    tracker = SceneTracker(make_spec())
    # 1 s side-on, then the person turns to face the camera.
    seen = views(tracker, [False] * 20 + [True] * 20)
    assert seen[:20] == [ObservedView.SIDE] * 20
    # 0.3 s after turning, most of the last second was still side-on ...
    assert seen[20 + 6] is ObservedView.SIDE
    # ... 0.8 s after, most of it was frontal.
    assert seen[20 + 16] is ObservedView.FRONTAL


def test_forget_view_judges_the_view_afresh() -> None:
    tracker = SceneTracker(make_spec())
    views(tracker, [False] * 20)
    tracker.forget_view()
    assert tracker.update(body_frame(1.0, frontal=True), 1.0).view is (
        ObservedView.FRONTAL
    )


def test_side_lying_view_is_judged_by_the_shoulders_only() -> None:
    # Lying on one side, the top hip rolls forward: hips look wide while
    # the shoulders stay stacked.
    frame = body_frame(0.0)
    xy = frame.xy.copy()
    xy[L.LEFT_HIP, 0] -= 90.0
    xy[L.RIGHT_HIP, 0] += 90.0
    rolled = PoseFrame(xy, frame.visibility, 0.0, 0, frame.resolution_wh)
    standing = SceneTracker(make_spec()).update(rolled, 0.0)
    lying = SceneTracker(make_spec(posture="side_lying")).update(rolled, 0.0)
    assert standing.view is ObservedView.FRONTAL
    assert lying.view is ObservedView.SIDE


# --------------------------------------------------------------------- facing
@pytest.mark.parametrize(("facing", "expected"), [(1.0, 1.0), (-1.0, -1.0)])
def test_standing_facing_follows_the_feet(facing: float, expected: float) -> None:
    scene = SceneTracker(make_spec()).update(body_frame(0.0, facing=facing), 0.0)
    assert scene.forward_sign == expected


def test_lying_facing_follows_hips_to_head() -> None:
    head_right = {
        L.LEFT_HIP: (200.0, 300.0),
        L.RIGHT_HIP: (203.0, 297.0),
        L.LEFT_SHOULDER: (350.0, 300.0),
        L.RIGHT_SHOULDER: (353.0, 297.0),
    }
    head_left = {lm: (600.0 - x, y) for lm, (x, y) in head_right.items()}
    spec = make_spec(posture="supine")
    assert SceneTracker(spec).update(make_frame(head_right), 0.0).forward_sign == 1.0
    assert SceneTracker(spec).update(make_frame(head_left), 0.0).forward_sign == -1.0


# --------------------------------------------------------------------- people
def several(tracker: SceneTracker, people: list[int]) -> list[bool]:
    return [
        tracker.update(body_frame(t, num_people=n), t).several_people
        for t, n in zip(times(len(people) / FPS, FPS), people, strict=True)
    ]


def test_two_people_for_most_of_two_seconds_is_several_people() -> None:
    tracker = SceneTracker(make_spec())
    flags = several(tracker, [1] * 40 + [2] * 40)
    assert not any(flags[:40])
    # 0.5 s after a second person arrives: not yet most of the last 2 s.
    assert not flags[40 + 10]
    # 1.5 s after: most of the last 2 s had two people.
    assert flags[40 + 30]
    assert flags[-1]


def test_a_second_person_glimpsed_in_one_frame_is_not_several_people() -> None:
    tracker = SceneTracker(make_spec())
    assert not any(several(tracker, [1] * 20 + [2] + [1] * 20))


def test_a_second_person_in_a_third_of_the_frames_is_not_several_people() -> None:
    tracker = SceneTracker(make_spec())
    assert not any(several(tracker, [1, 1, 2] * 30))


# ----------------------------------------------------------------------- cuts
Body = dict[str, Any] | None


def cuts(tracker: SceneTracker, bodies: Sequence[Body]) -> list[bool]:
    """Cut flags, one per frame at 20 fps (``None``: nobody in view)."""
    out = []
    for i, body in enumerate(bodies):
        t = i / FPS
        if body is None:
            frame = PoseFrame.empty(t * 1000.0, i, (640, 480))
        else:
            frame = body_frame(t, **body)
        out.append(tracker.update(frame, t).cut)
    return out


def test_a_jump_of_the_hips_is_a_cut() -> None:
    tracker = SceneTracker(make_spec())
    # Torso 150 px: a jump of 200 px in one frame is another shot.
    bodies: list[Body] = [{"x": 200.0}] * 20 + [{"x": 400.0}] * 20
    assert cuts(tracker, bodies) == [False] * 20 + [True] + [False] * 19


def test_walking_across_the_picture_is_not_a_cut() -> None:
    tracker = SceneTracker(make_spec())
    # 100 px/s: 30 px within the 0.3 s a cut is judged over.
    bodies: list[Body] = [{"x": 100.0 + 5.0 * i} for i in range(80)]
    assert not any(cuts(tracker, bodies))


def test_a_sudden_change_of_size_is_a_cut() -> None:
    tracker = SceneTracker(make_spec())
    bodies: list[Body] = [{}] * 20 + [{"scale": 1.8}] * 5
    assert cuts(tracker, bodies) == [False] * 20 + [True] + [False] * 4


def test_a_cut_through_a_short_black_gap_is_found() -> None:
    tracker = SceneTracker(make_spec())
    # 0.5 s with nobody in view, then the body elsewhere.
    bodies: list[Body] = [{"x": 200.0}] * 20 + [None] * 10 + [{"x": 450.0}] * 5
    assert cuts(tracker, bodies) == [False] * 30 + [True] + [False] * 4


def test_a_body_seen_again_after_a_long_gap_is_not_compared() -> None:
    tracker = SceneTracker(make_spec())
    # 1.5 s with nobody in view: too long ago to tell a cut from a new start.
    bodies: list[Body] = [{"x": 200.0}] * 20 + [None] * 30 + [{"x": 450.0}] * 5
    assert not any(cuts(tracker, bodies))

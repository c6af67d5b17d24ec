"""Who else is in view: the tracked person told apart from anyone else."""

from __future__ import annotations

import numpy as np

from formcheck.landmarks import NUM_LANDMARKS
from formcheck.pose.people import Person, look_slot, others_than


def _person(box: tuple[float, float, float, float], shift: float = 0.0) -> Person:
    """A made-up body filling ``box``; ``shift`` moves every landmark along x."""
    x0, y0, x1, y1 = box
    i = np.arange(NUM_LANDMARKS)
    xy = np.stack(
        [x0 + (i % 5) / 4 * (x1 - x0) + shift, y0 + (i // 5) / 6 * (y1 - y0)], axis=1
    ).astype(np.float32)
    return Person(xy, np.ones(NUM_LANDMARKS, dtype=np.float32))


def test_the_tracked_person_found_again_is_not_someone_else() -> None:
    me = _person((200, 200, 400, 300))
    assert (
        others_than([_person((200, 200, 400, 300), shift=3)], me.xy, me.visibility)
        == []
    )


def test_a_body_fitted_differently_by_the_two_models_is_one_person() -> None:
    """Getting up from the floor: the multi-person model's box holds the tracked one."""
    me = _person((280, 227, 420, 297))
    found = [_person((170, 214, 515, 302), shift=60)]
    assert others_than(found, me.xy, me.visibility) == []


def test_someone_beside_the_person_exercising_is_someone_else() -> None:
    me = _person((100, 300, 300, 400))
    therapist = _person((350, 50, 450, 400))
    others = others_than(
        [_person((100, 300, 300, 400)), therapist], me.xy, me.visibility
    )
    assert len(others) == 1 and others[0] is therapist


def test_someone_standing_over_the_person_is_still_someone_else() -> None:
    """The therapist's box holds the patient's, but the patient is found too."""
    me = _person((100, 300, 300, 400))
    therapist = _person((50, 20, 350, 420))
    found = [therapist, _person((100, 300, 300, 400), shift=2)]
    assert others_than(found, me.xy, me.visibility) == [therapist]


def test_look_slots_lie_on_a_grid_of_video_time() -> None:
    slots = [look_slot(t, 1000.0) for t in (0.0, 999.9, 1000.0, 1999.9, 2000.0)]
    assert slots == [0.0, 0.0, 1.0, 1.0, 2.0]
    # A look every frame when asked for.
    assert len({look_slot(t, 0.0) for t in (0.0, 33.3, 66.7)}) == 3

"""Posture from one body's landmarks, on hand-made side-view bodies.

Bodies face right (x grows to the right, y down); only the named landmarks
are visible.
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.engine.posture import Posture, classify_posture
from formcheck.landmarks import Landmark as L

Point = tuple[float, float]


def body(**points: Point) -> Posture:
    """The posture of a body with these landmarks (both sides at one place)."""
    xy = np.full((33, 2), np.nan)
    vis = np.zeros(33)
    for name, where in points.items():
        marks = (
            [L[name.upper()]]
            if name == "nose"
            else [L[f"LEFT_{name.upper()}"], L[f"RIGHT_{name.upper()}"]]
        )
        for mark in marks:
            xy[mark], vis[mark] = where, 1.0
    return classify_posture(xy, vis)


def test_standing() -> None:
    assert (
        body(shoulder=(300, 100), hip=(300, 250), knee=(300, 380), ankle=(300, 500))
        is Posture.STANDING
    )


def test_sitting_thighs_forward_face_forward() -> None:
    posture = body(
        shoulder=(300, 100), hip=(300, 250), knee=(420, 255), ankle=(425, 380),
        nose=(335, 45), ear=(300, 50),
    )  # fmt: skip
    assert posture is Posture.SITTING


def test_sitting_seen_from_the_front_is_not_taken_for_standing() -> None:
    # Thighs pointing at the camera look short and hang "down" in the picture:
    # upright (sitting or standing), never "standing".
    posture = body(
        shoulder=(300, 100), hip=(300, 250), knee=(305, 300), ankle=(305, 420),
    )  # fmt: skip
    assert posture is Posture.UPRIGHT


def test_top_of_a_press_up_is_lying_on_the_front_not_sitting() -> None:
    # Hips on the floor, trunk propped up on the arms, legs behind, face
    # looking forward, away from the legs: a cobra, not a chair.
    posture = body(
        shoulder=(380, 300), hip=(300, 400), knee=(200, 405), ankle=(100, 410),
        nose=(440, 250), ear=(405, 245),
    )  # fmt: skip
    assert posture is Posture.LYING_FRONT


def test_sitting_with_the_face_unseen_stays_sitting() -> None:
    posture = body(shoulder=(380, 300), hip=(300, 400), knee=(200, 405))
    assert posture is Posture.SITTING


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        (  # on the back, knees bent up
            {"shoulder": (500, 400), "hip": (320, 405), "knee": (230, 320),
             "ankle": (160, 405), "nose": (560, 370), "ear": (550, 395)},
            Posture.LYING_BACK,
        ),
        (  # face down, flat
            {"shoulder": (500, 400), "hip": (320, 405), "knee": (200, 405),
             "ankle": (100, 405), "nose": (560, 420), "ear": (550, 395)},
            Posture.LYING_FRONT,
        ),
        (  # hands and knees
            {"shoulder": (450, 250), "hip": (280, 250), "knee": (280, 400),
             "ankle": (150, 405), "wrist": (450, 400), "elbow": (450, 325)},
            Posture.ALL_FOURS,
        ),
    ],
)  # fmt: skip
def test_floor_postures(points: dict[str, Point], expected: Posture) -> None:
    assert body(**points) is expected


def test_no_torso_is_unknown() -> None:
    assert body(knee=(300, 380), ankle=(300, 500)) is Posture.UNKNOWN


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_mean_point_is_numpy_s_mean_exactly(dtype: type) -> None:
    from formcheck.engine.posture import _point

    rng = np.random.default_rng(7)
    xy = (rng.random((33, 2)) * 1000).astype(dtype)
    vis = np.ones(33, dtype=dtype)
    xy[L.LEFT_EAR] = [np.nan, 3.0]  # not a point
    xy[L.RIGHT_EAR, 0] = np.inf
    vis[L.LEFT_HIP] = 0.1  # not seen
    both = _point(xy, vis, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    assert both is not None and both.dtype == dtype
    expected = np.mean([xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER]], axis=0)
    assert np.array_equal(both, expected)
    one = _point(xy, vis, L.LEFT_HIP, L.RIGHT_HIP)
    assert one is not None and np.array_equal(one, xy[L.RIGHT_HIP])
    assert one is not xy[L.RIGHT_HIP] and not np.shares_memory(one, xy)
    assert _point(xy, vis, L.LEFT_EAR, L.RIGHT_EAR) is None

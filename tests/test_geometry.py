"""Angle conventions (pose_specs/README.md), each pinned by a test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck import geometry as g
from formcheck.landmarks import Landmark as L
from formcheck.signals import BodyContext, compute_signals
from formcheck.specs import load_spec
from tests.conftest import make_frame


def test_joint_angle_straight() -> None:
    assert g.joint_angle_deg([0, 0], [0, 50], [0, 100]) == pytest.approx(180.0)


def test_joint_angle_right_angle() -> None:
    assert g.joint_angle_deg([0, 0], [0, 50], [50, 50]) == pytest.approx(90.0)


def test_joint_angle_vectorised() -> None:
    a = np.array([[0, 0], [0, 0]])
    b = np.array([[0, 50], [0, 50]])
    c = np.array([[0, 100], [50, 50]])
    np.testing.assert_allclose(g.joint_angle_deg(a, b, c), [180.0, 90.0])


def test_missing_landmark_gives_nan() -> None:
    assert math.isnan(g.joint_angle_deg([np.nan, 0], [0, 50], [0, 100]))
    assert math.isnan(g.joint_angle_deg([0, 50], [0, 50], [0, 100]))  # zero-length
    assert math.isnan(g.elevation_deg([np.nan, np.nan], [1, 1]))
    assert math.isnan(g.side_of_line([1, 1], [0, 0], [0, 0], g.IMAGE_UP))


def test_angle_from_down() -> None:
    shoulder = [100, 100]
    assert g.angle_from_down_deg(shoulder, [100, 200]) == pytest.approx(0.0)
    assert g.angle_from_down_deg(shoulder, [200, 100]) == pytest.approx(90.0)
    assert g.angle_from_down_deg(shoulder, [0, 100]) == pytest.approx(90.0)
    assert g.angle_from_down_deg(shoulder, [100, 0]) == pytest.approx(180.0)


def test_elevation_is_mirror_invariant_and_signed() -> None:
    assert g.elevation_deg([0, 0], [10, -10]) == pytest.approx(45.0)
    assert g.elevation_deg([0, 0], [-10, -10]) == pytest.approx(45.0)
    assert g.elevation_deg([0, 0], [10, 10]) == pytest.approx(-45.0)


def test_elevation_against_tilted_floor() -> None:
    floor = np.array([math.cos(math.radians(10)), math.sin(math.radians(10))])
    # A segment lying along the tilted floor has no elevation.
    assert g.elevation_deg([0, 0], floor * 100, floor) == pytest.approx(0.0, abs=1e-9)


def test_anticlockwise_wraps() -> None:
    just_above = g.anticlockwise_angle_deg([0, 0], [-100, -0.01])
    just_below = g.anticlockwise_angle_deg([0, 0], [-100, 0.01])
    assert just_above == pytest.approx(180.0, abs=0.01)
    assert just_below == pytest.approx(-180.0, abs=0.01)
    assert -180.0 < float(just_below) <= 180.0
    assert g.wrap_deg(540.0) == pytest.approx(180.0)
    assert g.wrap_deg(-180.0) == pytest.approx(180.0)
    assert g.wrap_deg(190.0) == pytest.approx(-170.0)


def test_anticlockwise_mirrored_for_left_facing() -> None:
    right = g.anticlockwise_angle_deg([0, 0], [100, -50], forward_sign=1.0)
    left = g.anticlockwise_angle_deg([0, 0], [-100, -50], forward_sign=-1.0)
    assert float(right) == pytest.approx(float(left))
    assert float(right) > 0


def test_reflex_angle_above_line() -> None:
    # shoulder (0,0) — hip lifted above the shoulder–knee line — knee (200,0)
    hip_y = -100 * math.tan(math.radians(5))
    value = g.reflex_joint_angle_deg([0, 0], [100, hip_y], [200, 0], g.IMAGE_UP)
    assert value == pytest.approx(190.0, abs=1e-6)
    below = g.reflex_joint_angle_deg([0, 0], [100, -hip_y], [200, 0], g.IMAGE_UP)
    assert below == pytest.approx(170.0, abs=1e-6)


def test_fit_line_orients_right_and_ignores_nan() -> None:
    centre, direction = g.fit_line([[0, 10], [100, 10], [np.nan, 5], [50, 10]])
    np.testing.assert_allclose(direction, [1.0, 0.0], atol=1e-9)
    assert centre[1] == pytest.approx(10.0)
    _, none = g.fit_line([[1, 1]])
    assert np.isnan(none).all()


def _bridge_pose(
    width: float = 640.0, mirror: bool = False
) -> dict[L, tuple[float, float]]:
    pts = {
        L.LEFT_SHOULDER: (100.0, 300.0),
        L.LEFT_HIP: (250.0, 240.0),
        L.LEFT_KNEE: (380.0, 200.0),
        L.LEFT_ANKLE: (400.0, 310.0),
        L.LEFT_HEEL: (395.0, 318.0),
        L.RIGHT_SHOULDER: (102.0, 298.0),
        L.RIGHT_HIP: (252.0, 238.0),
        L.RIGHT_KNEE: (382.0, 198.0),
        L.RIGHT_ANKLE: (402.0, 308.0),
        L.RIGHT_HEEL: (397.0, 316.0),
    }
    if mirror:
        pts = {k: (width - x, y) for k, (x, y) in pts.items()}
    return pts


def test_mirrored_view_gives_same_values() -> None:
    spec = load_spec("glute_bridge")
    ctx = BodyContext(near="left", work="left")
    a = compute_signals(spec, make_frame(_bridge_pose()), ctx)
    b = compute_signals(spec, make_frame(_bridge_pose(mirror=True)), ctx)
    for name in ("hip_extension", "knee"):
        assert math.isfinite(a[name])
        assert a[name] == pytest.approx(b[name], abs=1e-6), name


def test_signal_with_hidden_landmark_is_nan_not_error() -> None:
    spec = load_spec("glute_bridge")
    frame = make_frame(_bridge_pose(), hidden=(L.LEFT_KNEE,))
    values = compute_signals(spec, frame, BodyContext(near="left", work="left"))
    assert math.isnan(values["hip_extension"])
    assert math.isnan(values["knee"])


def test_single_point_fast_path_matches_vectorised() -> None:
    rng = np.random.default_rng(3)
    pts = rng.uniform(0, 500, (50, 3, 2))
    floor = np.array([1.0, 0.15])
    for a, b, c in pts:
        assert float(g.joint_angle_deg(a, b, c)) == pytest.approx(
            float(g.joint_angle_deg([a], [b], [c])[0])
        )
        assert float(g.elevation_deg(a, b, floor)) == pytest.approx(
            float(g.elevation_deg([a], [b], floor)[0])
        )


def test_support_line_is_not_tilted_by_a_raised_foot() -> None:
    """Lying on the back with the heel lifted: the floor runs under shoulder and hip."""
    shoulder, hip, heel = [400, 300], [250, 302], [100, 240]
    _, fitted = g.fit_line([shoulder, hip, heel])
    assert abs(fitted[1]) > 0.1  # a least-squares floor tilts toward the foot
    centre, direction = g.support_line([shoulder, hip, heel])
    assert direction[0] > 0
    assert abs(direction[1]) < 0.02
    assert centre[1] == pytest.approx(301.0)


def test_support_line_lies_under_every_point_and_ignores_nan() -> None:
    pts = [[0, 100], [50, 90], [100, 100], [np.nan, 500]]
    centre, direction = g.support_line(pts)
    np.testing.assert_allclose(direction, [1.0, 0.0], atol=1e-9)
    assert centre[1] == pytest.approx(100.0)
    _, none = g.support_line([[1, 1]])
    assert np.isnan(none).all()

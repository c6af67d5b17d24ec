"""Calibrator on hand-made frames: the still start pose, floor, lengths, start values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from formcheck.engine.calibration import FALLBACK_S, Calibrator
from formcheck.landmarks import Landmark as L, Side
from formcheck.signals import BodyContext, raw_signals, signal_order
from formcheck.specs.schema import (
    CalibrationSpec,
    ExerciseSpec,
    FloorSpec,
    JointAngleSignal,
)
from formcheck.types import PoseFrame
from tests.conftest import make_frame
from tests.engine_support import TORSO_PX, body_frame, body_points, make_spec

#: 16 fps: frame times are exact binary fractions (1/16 s).
FPS = 16.0
KNEE_FROM_START = JointAngleSignal(
    type="joint_angle",
    points=("work.hip", "work.knee", "work.ankle"),
    change_from_start=True,
)


def from_start_spec(**calibration: Any) -> ExerciseSpec:
    return make_spec(
        signals={"knee": KNEE_FROM_START},
        calibration=CalibrationSpec(**calibration),
    )


def calibrator(spec: ExerciseSpec, fixed: Side | None = None) -> Calibrator:
    return Calibrator(spec, [None], signal_order(spec), fixed)


def feed(
    cal: Calibrator, frames: list[PoseFrame], ready: list[bool] | None = None
) -> list[bool]:
    """``update`` for each frame (t from its timestamp); the list of returns."""
    ready = ready or [True] * len(frames)
    return [
        cal.update(f, f.timestamp_ms / 1000.0, r, Side.LEFT, 1.0)
        for f, r in zip(frames, ready, strict=True)
    ]


def still(n: int, start: int = 0, **body: Any) -> list[PoseFrame]:
    """``n`` frames of the same pose at 16 fps, from frame ``start``."""
    return [body_frame((start + i) / FPS, **body) for i in range(n)]


# -------------------------------------------------------------- waiting for still
def test_calibration_waits_for_still_s_of_stillness() -> None:
    cal = calibrator(from_start_spec(still_s=1.0))
    done = feed(cal, still(20))
    # Still from t=0: calibrated by the frame at t=1.0 s (the 17th), once.
    assert done == [False] * 16 + [True] + [False] * 3
    assert cal.done


def test_a_longer_still_s_waits_longer() -> None:
    cal = calibrator(from_start_spec(still_s=2.0))
    done = feed(cal, still(40))
    assert done.index(True) == 32


def test_a_quick_move_restarts_the_wait() -> None:
    cal = calibrator(from_start_spec(still_s=1.0, max_motion=0.5))
    # 0.6 s still, then the body shifts 40 px in one frame (4 torso/s), then still.
    frames = still(10) + still(30, start=10, x=340.0)
    done = feed(cal, frames)
    # The move at frame 10 breaks the stillness; the wait restarts at frame 11.
    assert done.index(True) == 11 + 16


def test_a_slow_drift_below_max_motion_still_counts_as_still() -> None:
    cal = calibrator(from_start_spec(still_s=1.0, max_motion=0.5))
    # 15 px/s = 0.1 torso lengths per second.
    frames = [body_frame(i / FPS, x=300.0 + 15.0 * i / FPS) for i in range(20)]
    assert feed(cal, frames).index(True) == 16


def test_calibration_waits_while_not_in_the_start_position() -> None:
    cal = calibrator(from_start_spec(still_s=1.0))
    frames = still(40)
    ready = [True] * 10 + [False] + [True] * 29
    assert feed(cal, frames, ready).index(True) == 11 + 16


def test_calibration_waits_while_the_floor_points_are_hidden() -> None:
    cal = calibrator(from_start_spec(still_s=1.0))
    shoulders_hidden = still(40, hidden=(L.LEFT_SHOULDER, L.RIGHT_SHOULDER))
    assert not any(feed(cal, shoulders_hidden))
    assert not cal.done


def test_nobody_in_view_is_not_calibrated() -> None:
    cal = calibrator(from_start_spec(still_s=1.0))
    empty = [PoseFrame.empty(i * 1000.0 / FPS, i, (640, 480)) for i in range(40)]
    assert not any(feed(cal, empty))


# ---------------------------------------------------------- what is measured
def test_start_values_are_the_signals_in_the_still_pose() -> None:
    cal = calibrator(from_start_spec(still_s=1.0))
    assert cal.start_values(None) is None
    feed(cal, still(17, knee_deg=160.0))
    start = cal.start_values(None)
    assert start is not None
    assert start["knee"] == pytest.approx(160.0, abs=0.01)


def test_start_values_are_per_side_assignment() -> None:
    spec = from_start_spec(still_s=1.0)
    cal = Calibrator(spec, [Side.LEFT, Side.RIGHT], signal_order(spec), None)
    feed(cal, still(17, knee_deg=160.0, right_knee_deg=120.0))
    left, right = cal.start_values(Side.LEFT), cal.start_values(Side.RIGHT)
    assert left is not None and right is not None
    assert left["knee"] == pytest.approx(160.0, abs=0.01)
    assert right["knee"] == pytest.approx(120.0, abs=0.01)


def test_body_lengths_are_used_only_once_calibrated() -> None:
    cal = calibrator(from_start_spec(still_s=1.0))
    assert cal.context(None, Side.LEFT, 1.0).lengths_px == {}
    feed(cal, still(17))
    lengths = cal.context(None, Side.LEFT, 1.0).lengths_px
    assert lengths["torso"] == pytest.approx(TORSO_PX, abs=0.5)
    assert lengths["thigh"] == pytest.approx(100.0, abs=0.5)


def test_image_floor_is_the_lowest_point_of_the_still_pose() -> None:
    cal = calibrator(from_start_spec(still_s=1.0))
    feed(cal, still(17))
    ctx = cal.context(None, Side.LEFT, 1.0)
    lowest_y = max(y for _, y in body_points().values())
    assert ctx.floor_point[1] == pytest.approx(lowest_y)
    assert ctx.floor_dir.tolist() == pytest.approx([1.0, 0.0])


def lying(
    shoulder_xy: tuple[float, float], heel_xy: tuple[float, float]
) -> list[PoseFrame]:
    """A person lying along the line from the shoulders to the heels."""
    (sx, sy), (hx, hy) = shoulder_xy, heel_xy
    hip = (sx + (hx - sx) * 0.4, sy + (hy - sy) * 0.4)
    points = {
        L.LEFT_SHOULDER: (sx, sy),
        L.RIGHT_SHOULDER: (sx + 2, sy - 2),
        L.LEFT_HIP: hip,
        L.RIGHT_HIP: (hip[0] + 2, hip[1] - 2),
        L.LEFT_HEEL: (hx, hy),
        L.RIGHT_HEEL: (hx + 2, hy - 2),
    }
    return [make_frame(points, timestamp_ms=i * 1000.0 / FPS) for i in range(17)]


def fit_spec() -> ExerciseSpec:
    floor = FloorSpec(method="fit", points=["near.shoulder", "near.heel"])
    return make_spec(calibration=CalibrationSpec(still_s=1.0, floor=floor))


def test_fitted_floor_follows_a_slightly_tilted_camera() -> None:
    cal = calibrator(fit_spec())
    feed(cal, lying((100.0, 300.0), (500.0, 340.0)))  # about 5.7 deg
    direction = cal.context(None, Side.LEFT, 1.0).floor_dir
    tilt_deg = math.degrees(math.atan2(abs(direction[1]), abs(direction[0])))
    assert tilt_deg == pytest.approx(5.71, abs=0.05)


def test_an_implausibly_tilted_floor_falls_back_to_the_image_horizontal() -> None:
    cal = calibrator(fit_spec())
    feed(cal, lying((100.0, 100.0), (400.0, 340.0)))  # about 39 deg
    ctx = cal.context(None, Side.LEFT, 1.0)
    assert ctx.floor_dir.tolist() == pytest.approx([1.0, 0.0])
    assert ctx.floor_point[1] == pytest.approx(340.0)


# ----------------------------------------------------------- context, reset
def test_context_working_side_is_the_assignment_then_the_fixed_side_then_near() -> None:
    spec = from_start_spec()
    fixed = calibrator(spec, fixed=Side.RIGHT)
    free = calibrator(spec)
    assert fixed.context(Side.LEFT, Side.LEFT, 1.0).work is Side.LEFT
    assert fixed.context(None, Side.LEFT, 1.0).work is Side.RIGHT
    assert free.context(None, Side.LEFT, 1.0).work is Side.LEFT
    assert free.context(None, Side.RIGHT, -1.0).forward_sign == -1.0


def test_reset_forgets_the_calibration() -> None:
    cal = calibrator(from_start_spec(still_s=1.0))
    feed(cal, still(17))
    cal.reset()
    assert not cal.done
    assert cal.start_values(None) is None
    assert cal.context(None, Side.LEFT, 1.0).lengths_px == {}
    # ... and needs a full still_s again.
    assert feed(cal, still(17, start=100)).index(True) == 16
    assert np.isfinite(cal.context(None, Side.LEFT, 1.0).lengths_px["torso"])


def restless(n: int, start: int = 0) -> list[PoseFrame]:
    """In the start position but never still: swaying, the knee bending and back."""
    return [
        body_frame(
            (start + i) / FPS,
            x=300.0 + 30.0 * math.sin(i / 2.0),
            knee_deg=175.0 - 60.0 * abs(math.sin(i / 3.0)),
        )
        for i in range(n)
    ]


def restless_calibrator() -> Calibrator:
    """A knee-bend calibrator that knows rest is the straight knee."""
    spec = from_start_spec(still_s=1.0, max_motion=0.5)
    order = signal_order(spec)

    def bend(frame: PoseFrame, ctx: BodyContext) -> float:
        return -raw_signals(spec, frame, ctx, order)["knee"]

    return Calibrator(spec, [None], order, None, rest_key=bend)


def test_someone_who_never_keeps_still_is_calibrated_from_their_rest_frames() -> None:
    # In position from the first frame but never still: calibrated FALLBACK_S
    # later, from the frames nearest rest (the straight knee), never before.
    cal = restless_calibrator()
    done = feed(cal, restless(int(FALLBACK_S * FPS) + 1))
    assert done.index(True) == int(FALLBACK_S * FPS)
    start = cal.start_values(None)
    # The quarter of frames nearest rest (straight, 175°), not the average (~130°).
    assert start is not None and start["knee"] > 160.0
    assert cal.rest_seen_s is not None and cal.rest_seen_s < FALLBACK_S


def test_the_wait_for_a_restless_start_begins_again_after_an_absence() -> None:
    cal = restless_calibrator()
    frames = restless(6) + restless(200, start=6)
    ready = [True] * 6 + [False] * 60 + [True] * 140  # away for 3.75 s
    done = feed(cal, frames, ready)
    assert done.index(True) == 66 + int(FALLBACK_S * FPS)


def test_no_fallback_calibration_while_out_of_the_start_position() -> None:
    cal = restless_calibrator()
    ready = [True] * 12 + [False] * 200  # in position 0.75 s, then not
    assert not any(feed(cal, restless(212), ready))

"""The ``turn`` signal (seated torso twist) on hand-made poses seen from the front."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from formcheck.engine import FormChecker
from formcheck.errors import SpecError
from formcheck.landmarks import NUM_LANDMARKS, Landmark as L
from formcheck.signals import BodyContext, compute_signal, turn_about_axis_deg
from formcheck.specs import load_spec, load_spec_file
from formcheck.specs.schema import TurnSignal
from formcheck.types import PoseFrame

# Calibrated start pose, facing the camera (pixels): shoulders 180 px apart,
# hips 100 px apart, torso 160 px.
START_LENGTHS = {"torso": 160.0, "shoulder_width": 180.0, "hip_width": 100.0}


def front_pose(
    chest_turn_deg: float,
    hips_turn_deg: float = 0.0,
    timestamp_ms: float = 0.0,
    scale: float = 1.0,
    world: bool = True,
) -> PoseFrame:
    """A person sitting facing the camera, chest turned to their LEFT by ``chest_turn_deg``.

    World landmarks follow MediaPipe: metres, x to the image right, y down,
    z away from the camera. Facing the camera, the person's left is image
    right; turning to their left takes the left shoulder away from the camera.
    ``scale`` moves the person nearer (> 1) or further away in the picture.
    """
    xy = np.full((NUM_LANDMARKS, 2), np.nan, dtype=np.float32)
    xyz = np.full((NUM_LANDMARKS, 3), np.nan, dtype=np.float32)
    vis = np.zeros(NUM_LANDMARKS, dtype=np.float32)
    c, s = (
        math.cos(math.radians(chest_turn_deg)),
        math.sin(math.radians(chest_turn_deg)),
    )
    hc, hs = (
        math.cos(math.radians(hips_turn_deg)),
        math.sin(math.radians(hips_turn_deg)),
    )
    parts = {
        # landmark: (image x offset, image y, world xyz)
        L.LEFT_SHOULDER: (90 * c, 140, (0.18 * c, -0.5, 0.18 * s)),
        L.RIGHT_SHOULDER: (-90 * c, 140, (-0.18 * c, -0.5, -0.18 * s)),
        L.LEFT_HIP: (50 * hc, 300, (0.1 * hc, 0.0, 0.1 * hs)),
        L.RIGHT_HIP: (-50 * hc, 300, (-0.1 * hc, 0.0, -0.1 * hs)),
        L.LEFT_KNEE: (60, 330, (0.12, 0.05, -0.4)),
        L.RIGHT_KNEE: (-60, 330, (-0.12, 0.05, -0.4)),
    }
    for lm, (dx, y, w) in parts.items():
        xy[lm] = (320 + dx * scale, 240 + (y - 240) * scale)
        xyz[lm] = w
        vis[lm] = 0.99
    return PoseFrame(
        xy=xy,
        visibility=vis,
        timestamp_ms=timestamp_ms,
        frame_index=int(timestamp_ms // 33),
        resolution_wh=(640, 480),
        xyz_world=xyz if world else None,
    )


def turn(**kw: object) -> TurnSignal:
    return TurnSignal.model_validate({"type": "turn", **kw})


def ctx(work: str = "left", calibrated: bool = True) -> BodyContext:
    return BodyContext(
        near="left",
        work=work,  # type: ignore[arg-type]
        lengths_px=dict(START_LENGTHS) if calibrated else {},
    )


def value(signal: TurnSignal, frame: PoseFrame, context: BodyContext) -> float:
    return compute_signal(signal, frame, context, {})


def test_turn_about_axis_sign_follows_the_right_hand_rule() -> None:
    up = np.array([0.0, 0.0, 1.0])
    x, y = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    assert turn_about_axis_deg(y, x, up) == pytest.approx(90.0)
    assert turn_about_axis_deg(x, y, up) == pytest.approx(-90.0)
    # A line tilted along the axis is projected first.
    assert turn_about_axis_deg(y + up, x, up) == pytest.approx(90.0)
    assert math.isnan(turn_about_axis_deg(up, x, up))
    assert math.isnan(turn_about_axis_deg(y, x, np.zeros(3)))


@pytest.mark.parametrize("turn_deg", [15.0, 40.0, -30.0])
def test_chest_turned_gives_the_angle_toward_that_side(turn_deg: float) -> None:
    frame = front_pose(turn_deg)
    left, right = ctx("left"), ctx("right")
    for size in ("image", "world"):
        toward_work = turn(size=size)
        assert value(toward_work, frame, left) == pytest.approx(turn_deg, abs=0.5)
        assert value(toward_work, frame, right) == pytest.approx(-turn_deg, abs=0.5)
        assert value(turn(size=size, toward="left"), frame, right) == pytest.approx(
            turn_deg, abs=0.5
        )
        assert value(turn(size=size, toward="any"), frame, left) == pytest.approx(
            abs(turn_deg), abs=0.5
        )


def test_facing_forward_reads_zero_turn() -> None:
    frame = front_pose(0.0)
    assert value(turn(), frame, ctx()) == pytest.approx(0.0, abs=1e-6)
    assert value(turn(size="world"), frame, ctx()) == pytest.approx(0.0, abs=1e-6)


def test_image_size_does_not_depend_on_the_distance_to_the_camera() -> None:
    nearer = front_pose(30.0, scale=1.25)
    assert value(turn(), nearer, ctx()) == pytest.approx(30.0, abs=0.5)


def test_whole_body_turn_is_not_a_twist_in_the_world_but_shows_in_the_hips() -> None:
    frame = front_pose(30.0, hips_turn_deg=30.0)
    assert value(turn(size="world"), frame, ctx()) == pytest.approx(0.0, abs=0.5)
    hips = turn(line="hip", against="shoulder", toward="any")
    assert value(hips, frame, ctx()) == pytest.approx(30.0, abs=0.5)


def test_turn_is_unknown_without_world_landmarks_or_calibration() -> None:
    no_world = front_pose(30.0, world=False)
    assert math.isnan(value(turn(), no_world, ctx()))
    assert math.isnan(value(turn(size="world"), no_world, ctx()))
    # The size alone needs no world landmarks.
    assert value(turn(toward="any"), no_world, ctx()) == pytest.approx(30.0, abs=0.5)
    assert math.isnan(value(turn(), front_pose(30.0), ctx(calibrated=False)))


def test_hidden_shoulder_gives_nan() -> None:
    frame = front_pose(30.0)
    vis = frame.visibility.copy()
    vis[L.LEFT_SHOULDER] = 0.1
    hidden = PoseFrame(
        xy=frame.xy,
        visibility=vis,
        timestamp_ms=0,
        frame_index=0,
        resolution_wh=(640, 480),
        xyz_world=frame.xyz_world,
    )
    assert math.isnan(value(turn(), hidden, ctx()))
    assert math.isnan(value(turn(size="world"), hidden, ctx()))


def test_a_turn_needs_two_different_lines(tmp_path: Path) -> None:
    text = (
        (Path(__file__).resolve().parents[1] / "pose_specs" / "seated_torso_twist.yaml")
        .read_text(encoding="utf-8")
        .replace("    against: hip\n", "    against: shoulder\n", 1)
    )
    path = tmp_path / "seated_torso_twist.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=r"signals\.twist.*must differ"):
        load_spec_file(path)


def test_twist_spec_counts_turns_per_side_on_hand_made_poses() -> None:
    """Still start, two slow turns to the right, then a quick one to the left."""
    checker = FormChecker(load_spec("seated_torso_twist"))
    fps = 15.0
    plan = [0.0] * 30  # 2 s still: calibration
    for side_sign, ramp_s in ((-1.0, 1.5), (-1.0, 1.5), (1.0, 1.0)):
        n = round(ramp_s * fps)
        ramp = [35.0 * math.sin(math.pi / 2 * i / n) for i in range(n)]
        plan += [side_sign * a for a in ramp] + [side_sign * 35.0] * 15
        plan += [side_sign * a for a in reversed(ramp)] + [0.0] * 15
    for i, chest in enumerate(plan):
        checker.update(front_pose(chest, timestamp_ms=i * 1000.0 / fps))
    checker.finish()
    counted = [(r.side, r.faults) for r in checker.reps if r.counted]
    assert [side for side, _ in counted] == ["right", "right", "left"]
    # The quick turn gets the "slowly" tip; tips do not make a rep incorrect.
    assert [(f.rule_id, f.side) for f in checker.faults] == [("rushing", "left")]
    assert all(faults == () for _, faults in counted)

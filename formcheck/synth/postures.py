"""Start positions (standing, kneeling, tabletop, lying, seated) as keyframes.

Each function returns a :class:`~formcheck.synth.keyframes.PoseSpec` for a
body shape, with hands and feet planted where the position needs them. The
body's sagittal plane is the world ``x-z`` plane and its left side faces
``+y``, except side-lying, where the top side faces up.

Sagittal helper angles ("world angles") are measured in the ``x-z`` plane
from straight down toward ``+x``: a segment pointing down is 0, pointing
``+x`` is 90 and pointing ``-x`` is -90. With pelvis pitch ``P``, a thigh at
world angle ``a`` needs ``hip_flex = a + P`` and a shin at world angle ``b``
needs ``knee_flex = a - b``; arms work the same way with ``shoulder_flex``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np

from formcheck.synth.keyframes import Anchor, Goal, PoseSpec, pose_skeleton
from formcheck.synth.measures import signal
from formcheck.synth.skeleton import BodyShape, Skeleton, landmarks_3d

Side = Literal["left", "right"]


def pfx(side: Side) -> str:
    """Parameter prefix of a side (``l`` or ``r``)."""
    return "l" if side == "left" else "r"


def other(side: Side) -> Side:
    """The other side."""
    return "right" if side == "left" else "left"


def bisect(
    fn: Callable[[float], float], lo: float, hi: float, iters: int = 36
) -> float:
    """Root of ``fn`` between ``lo`` and ``hi`` (or the nearer end if none)."""
    f_lo, f_hi = fn(lo), fn(hi)
    if f_lo == 0:
        return lo
    if f_lo * f_hi > 0:
        return lo if abs(f_lo) < abs(f_hi) else hi
    for _ in range(iters):
        mid = (lo + hi) / 2.0
        f_mid = fn(mid)
        if (f_mid < 0) == (f_lo < 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def measure(shape: BodyShape, pose: PoseSpec, name: str) -> float:
    """A named truth signal (see :mod:`formcheck.synth.measures`) of a pose."""
    return float(signal(landmarks_3d(pose_skeleton(shape, pose)), name))


def ankle_floor_z(shape: BodyShape) -> float:
    """Ankle-joint height of a foot standing flat on the floor."""
    d = shape.dims
    return 0.50 * d.ankle_height + 0.046 * d.scale * d.build + 0.002


def wrist_floor_z(shape: BodyShape) -> float:
    """Wrist height of a hand lying flat on the floor."""
    return 0.030 * shape.scale


def hand_goal(
    shape: BodyShape,
    palm_xy: tuple[float, float],
    heading: tuple[float, float],
    pole: tuple[float, float, float] | None = None,
    floor_z: float = 0.0,
) -> Goal:
    """Plant a hand flat with its palm centre at ``palm_xy``."""
    h = np.array(heading, dtype=np.float64)
    h /= np.linalg.norm(h)
    back = 0.42 * shape.dims.hand
    target = (
        palm_xy[0] - h[0] * back,
        palm_xy[1] - h[1] * back,
        floor_z + wrist_floor_z(shape),
    )
    return Goal(target=target, pole=pole, flat=(float(h[0]), float(h[1])))


def foot_goal(
    shape: BodyShape,
    ankle_xy: tuple[float, float],
    heading: tuple[float, float],
    pole: tuple[float, float, float] | None = None,
    floor_z: float = 0.0,
) -> Goal:
    """Plant a foot flat with its ankle above ``ankle_xy``."""
    return Goal(
        target=(ankle_xy[0], ankle_xy[1], floor_z + ankle_floor_z(shape)),
        pole=pole,
        flat=heading,
    )


def skeleton(shape: BodyShape, pose: PoseSpec) -> Skeleton:
    """Shorthand for :func:`~formcheck.synth.keyframes.pose_skeleton`."""
    return pose_skeleton(shape, pose)


def xy(sk: Skeleton, name: str) -> tuple[float, float]:
    """Horizontal position of a skeleton point (``mid_*`` allowed)."""
    if name.startswith("mid_"):
        p = (sk.joints[f"l_{name[4:]}"] + sk.joints[f"r_{name[4:]}"]) / 2.0
    else:
        p = sk.joints[name]
    return (float(p[0]), float(p[1]))


# ------------------------------------------------------------------ standing
def standing(shape: BodyShape, at: tuple[float, float] = (0.0, 0.0)) -> PoseSpec:
    """Standing upright facing ``+x``, arms relaxed."""
    angles = {
        "l_shoulder_abd": 7.0,
        "r_shoulder_abd": 7.0,
        "l_elbow_flex": 10.0,
        "r_elbow_flex": 10.0,
        "l_shoulder_flex": 3.0,
        "r_shoulder_flex": 3.0,
    }
    return PoseSpec(angles, Anchor("pelvis", at, ground=("l_foot", "r_foot")))


def standing_planted(
    shape: BodyShape, at: tuple[float, float] = (0.0, 0.0)
) -> PoseSpec:
    """Standing, with both feet planted (for transitions that keep the feet)."""
    pose = standing(shape, at)
    sk = skeleton(shape, pose)
    return pose.with_goals(
        l_leg=foot_goal(shape, xy(sk, "l_ankle"), (1.0, 0.0)),
        r_leg=foot_goal(shape, xy(sk, "r_ankle"), (1.0, 0.0)),
    )


# ------------------------------------------------------------------ kneeling
def tall_kneeling(shape: BodyShape, at: tuple[float, float] = (0.0, 0.0)) -> PoseSpec:
    """Kneeling upright on both knees, shins on the floor, facing ``+x``."""
    angles = {
        "l_knee_flex": 90.0,
        "r_knee_flex": 90.0,
        "l_ankle_flex": -70.0,
        "r_ankle_flex": -70.0,
        "l_shoulder_abd": 8.0,
        "r_shoulder_abd": 8.0,
        "l_elbow_flex": 12.0,
        "r_elbow_flex": 12.0,
        "l_hip_abd": 3.0,
        "r_hip_abd": 3.0,
    }
    return PoseSpec(angles, Anchor("mid_knee", at, ground=("l_shin", "r_shin")))


def kneel_angles(pitch: float, thigh: float, shin: float = -90.0) -> dict[str, float]:
    """Hip and knee flexion for both legs from world angles (see module doc)."""
    return {
        "pitch": pitch,
        "l_hip_flex": thigh + pitch,
        "r_hip_flex": thigh + pitch,
        "l_knee_flex": thigh - shin,
        "r_knee_flex": thigh - shin,
    }


def _arm_length(shape: BodyShape) -> float:
    d = shape.dims
    return d.upper_arm + d.forearm


def tabletop(shape: BodyShape, at: tuple[float, float] = (0.0, 0.0)) -> PoseSpec:
    """Hands and knees: thighs vertical, straight arms under the shoulders.

    The trunk tilt (shoulders a little higher than the hips) is solved so the
    straight arms just reach the floor, as it is on a real body.
    """
    base = tall_kneeling(shape, at)
    arm = _arm_length(shape)

    def pose_for(tilt: float) -> PoseSpec:
        pitch = 90.0 - tilt
        angles = {
            **base.angles,
            **kneel_angles(pitch, 0.0),
            "l_shoulder_flex": pitch,
            "r_shoulder_flex": pitch,
            "l_shoulder_abd": 3.0,
            "r_shoulder_abd": 3.0,
            "l_elbow_flex": 0.0,
            "r_elbow_flex": 0.0,
            "neck_flex": -12.0,
            "l_hip_abd": 2.0,
            "r_hip_abd": 2.0,
        }
        return PoseSpec(angles, base.anchor)

    def reach(tilt: float) -> float:
        sk = skeleton(shape, pose_for(tilt))
        return float(sk.joints["l_shoulder"][2]) - wrist_floor_z(shape) - 0.993 * arm

    tilt = bisect(reach, 0.0, 40.0)
    pose = pose_for(tilt)
    sk = skeleton(shape, pose)
    pole = (0.0, 0.0, -1.0)  # elbows point toward the feet
    goals = {
        f"{s}_arm": hand_goal(
            shape,
            (
                float(sk.joints[f"{s}_shoulder"][0]) + 0.02,
                float(sk.joints[f"{s}_shoulder"][1]),
            ),
            (1.0, 0.0),
            pole=(pole[0], 0.25 if s == "l" else -0.25, pole[2]),
        )
        for s in ("l", "r")
    }
    return pose.with_goals(**goals)


# ------------------------------------------------------------------- lying
def supine(shape: BodyShape, at: tuple[float, float] = (0.0, 0.0)) -> PoseSpec:
    """Lying on the back, head toward ``-x``, legs straight, arms at the sides."""
    angles = {
        "pitch": -90.0,
        "l_shoulder_abd": 12.0,
        "r_shoulder_abd": 12.0,
        "l_elbow_flex": 8.0,
        "r_elbow_flex": 8.0,
        "l_ankle_flex": -25.0,
        "r_ankle_flex": -25.0,
        "l_hip_abd": 4.0,
        "r_hip_abd": 4.0,
        "neck_flex": 6.0,
    }
    return PoseSpec(angles, Anchor("pelvis", at, ground=("torso",)))


def hook_lying(
    shape: BodyShape,
    at: tuple[float, float] = (0.0, 0.0),
    hip_flex: float = 45.0,
    knee_flex: float = 95.0,
    sides: tuple[str, ...] = ("l", "r"),
) -> PoseSpec:
    """Lying on the back with knees bent and feet flat on the floor."""
    pose = supine(shape, at)
    changes: dict[str, float] = {}
    for s in sides:
        changes[f"{s}_hip_flex"] = hip_flex
        changes[f"{s}_knee_flex"] = knee_flex
        changes[f"{s}_ankle_flex"] = 0.0
        changes[f"{s}_hip_abd"] = 3.0
    pose = pose.with_angles(**changes)
    sk = skeleton(shape, pose)
    goals = {
        f"{s}_leg": foot_goal(
            shape, xy(sk, f"{s}_ankle"), (1.0, 0.0), pole=(1.0, 0.0, 0.0)
        )
        for s in sides
    }
    return pose.with_goals(**goals)


def long_sitting(shape: BodyShape, at: tuple[float, float] = (0.0, 0.0)) -> PoseSpec:
    """Sitting on the floor, legs straight toward ``+x``, hands on the floor behind.

    Sitting up from (and lying back to) :func:`supine` at the same ``at``.
    """
    angles = {
        "pitch": -12.0,
        "spine_flex": 18.0,
        "l_hip_flex": 78.0,
        "r_hip_flex": 78.0,
        "l_ankle_flex": -20.0,
        "r_ankle_flex": -20.0,
        "l_shoulder_flex": -25.0,
        "r_shoulder_flex": -25.0,
        "l_shoulder_abd": 18.0,
        "r_shoulder_abd": 18.0,
        "neck_flex": 5.0,
    }
    pose = PoseSpec(angles, Anchor("pelvis", at, ground=("torso",)))
    sk = skeleton(shape, pose)
    goals = {
        f"{s}_arm": hand_goal(
            shape,
            (
                xy(sk, "pelvis")[0] - 0.22 * shape.scale,
                xy(sk, f"{s}_shoulder")[1] * 1.15,
            ),
            (1.0, 0.0),
            pole=(-1.0, 0.4 if s == "l" else -0.4, 0.0),
        )
        for s in ("l", "r")
    }
    return pose.with_goals(**goals)


def prone(shape: BodyShape, at: tuple[float, float] = (0.0, 0.0)) -> PoseSpec:
    """Lying face down, head toward ``+x``, palms on the floor by the shoulders."""
    angles = {
        "pitch": 90.0,
        "l_hip_flex": -3.0,
        "r_hip_flex": -3.0,
        "l_hip_abd": 5.0,
        "r_hip_abd": 5.0,
        "l_ankle_flex": -60.0,
        "r_ankle_flex": -60.0,
        "l_shoulder_flex": 120.0,
        "r_shoulder_flex": 120.0,
        "l_shoulder_abd": 40.0,
        "r_shoulder_abd": 40.0,
        "l_elbow_flex": 110.0,
        "r_elbow_flex": 110.0,
        "neck_flex": -25.0,
    }
    pose = PoseSpec(angles, Anchor("pelvis", at, ground=("torso",)))
    sk = skeleton(shape, pose)
    goals = {}
    for s, m in (("l", 1.0), ("r", -1.0)):
        sh = sk.joints[f"{s}_shoulder"]
        palm = (
            float(sh[0]) + 0.06 * shape.scale,
            float(sh[1]) + m * 0.10 * shape.scale,
        )
        goals[f"{s}_arm"] = hand_goal(
            shape, palm, (1.0, 0.0), pole=(0.0, m * 0.8, -1.0)
        )
    return pose.with_goals(**goals)


def side_lying(
    shape: BodyShape, top: Side, at: tuple[float, float] = (0.0, 0.0)
) -> PoseSpec:
    """Lying on the side (``top`` side up), head toward ``+x``, clamshell legs.

    Hips flexed 45 degrees and knees 90 degrees, stacked; the bottom arm is
    under the head and the top hand rests on the floor in front of the chest.
    """
    m = 1.0 if top == "left" else -1.0
    t, b = pfx(top), pfx(other(top))
    angles = {
        "roll": 90.0 * m,
        "yaw": 90.0 * m,
        "spine_bend": -7.0 * m,
        "neck_flex": 8.0,
        "l_hip_flex": 45.0,
        "r_hip_flex": 45.0,
        "l_knee_flex": 90.0,
        "r_knee_flex": 90.0,
        "l_ankle_flex": -10.0,
        "r_ankle_flex": -10.0,
        f"{b}_shoulder_flex": 165.0,
        f"{b}_elbow_flex": 95.0,
        f"{b}_shoulder_abd": 10.0,
        f"{t}_shoulder_flex": 60.0,
        f"{t}_elbow_flex": 40.0,
    }
    pose = PoseSpec(angles, Anchor("pelvis", at, ground=("torso",)))
    sk = skeleton(shape, pose)
    front = sk.frames["pelvis"][:, 0]
    chest = sk.joints["spine1"]
    palm = (
        float(chest[0] + front[0] * 0.25 * shape.scale),
        float(chest[1] + front[1] * 0.25 * shape.scale),
    )
    return pose.with_goals(
        **{f"{t}_arm": hand_goal(shape, palm, (1.0, 0.0), pole=(-0.3, 0.0, -1.0))}
    )


# ------------------------------------------------------------------ seated
def seat_height(shape: BodyShape) -> float:
    """Height of a chair seat that fits ``shape`` (knees at about 90 degrees)."""
    d = shape.dims
    return ankle_floor_z(shape) + d.shin - 0.095 * d.scale


def seated(shape: BodyShape, at: tuple[float, float] = (0.0, 0.0)) -> PoseSpec:
    """Sitting upright on a chair (seat under the pelvis at ``at``), feet flat."""
    angles = {
        "pitch": -4.0,
        "spine_flex": 6.0,
        "l_hip_flex": 88.0,
        "r_hip_flex": 88.0,
        "l_knee_flex": 88.0,
        "r_knee_flex": 88.0,
        "l_hip_abd": 5.0,
        "r_hip_abd": 5.0,
        "l_shoulder_abd": 8.0,
        "r_shoulder_abd": 8.0,
    }
    anchor = Anchor(
        "pelvis", at, ground=("torso", "l_thigh", "r_thigh"), floor_z=seat_height(shape)
    )
    pose = PoseSpec(angles, anchor)
    sk = skeleton(shape, pose)
    goals: dict[str, Goal] = {
        f"{s}_leg": foot_goal(shape, xy(sk, f"{s}_ankle"), (1.0, 0.0))
        for s in ("l", "r")
    }
    for s, m in (("l", 1.0), ("r", -1.0)):
        goals[f"{s}_arm"] = Goal(
            attach=(f"{s}_hip", f"{s}_knee", 0.62),
            offset=(0.0, m * 0.03, 0.09 * shape.scale),
            pole=(-1.0, m * 0.6, 0.0),
        )
    return pose.with_goals(**goals)


def chair_props(
    shape: BodyShape, at: tuple[float, float]
) -> tuple[tuple[tuple[float, float, float], tuple[float, float, float]], ...]:
    """Boxes ``(centre, half size)`` of a chair whose seat is under ``at``."""
    h = seat_height(shape)
    x, y = at[0] + 0.02, at[1]
    leg = (0.02, 0.02, h / 2)
    parts = [((x, y, h - 0.025), (0.22, 0.22, 0.025))]
    for dx in (-0.19, 0.19):
        for dy in (-0.19, 0.19):
            parts.append(
                ((x + dx, y + dy, (h - 0.05) / 2), (leg[0], leg[1], (h - 0.05) / 2))
            )
    parts.append(((x - 0.21, y, h + 0.25), (0.02, 0.21, 0.25)))
    return tuple(parts)


def angle_deg(v: tuple[float, float]) -> float:
    """Compass angle of a horizontal vector."""
    return math.degrees(math.atan2(v[1], v[0]))

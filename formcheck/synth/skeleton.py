"""The mannequin: body shapes, kinematics, landmarks and volumes.

World frame: metres, ``z`` up, the floor is ``z = 0``. The body frame of the
pelvis (and of every segment at rest) has ``x`` forward (anterior), ``y`` to
the body's left and ``z`` up; the rest pose is standing upright with the arms
hanging at the sides (anatomical position, palms facing the thighs).

Joint angles are in degrees and named ``<side>_<joint>_<motion>`` with the
side prefix ``l_`` or ``r_``:

============================ ====================================================
name                         positive direction
============================ ====================================================
``yaw pitch roll``           pelvis: turn left / tip forward (90 = face down,
                             -90 = face up) / roll onto the right side
``turn``                     pelvis: rotation about its own long axis, applied
                             last (left hip backward; on all fours: left hip
                             up; lying on the right side: rolling back)
``spine_flex``               trunk bends forward (negative = extension)
``spine_bend``               trunk bends to the left
``spine_twist``              chest turns to the left
``neck_flex head_flex``      chin toward the chest
``head_turn``                face turns to the left
``*_shoulder_flex``          arm forward and up (180 = overhead)
``*_shoulder_abd``           arm out to the side
``*_shoulder_rot``           internal rotation
``*_elbow_flex``             0 = straight
``*_wrist_flex``             palm toward the forearm
``*_hip_flex``               thigh forward and up
``*_hip_abd``                thigh out to the side
``*_hip_rot``                internal rotation
``*_knee_flex``              0 = straight
``*_ankle_flex``             dorsiflexion (toes up); negative = pointing
============================ ====================================================

``root_x root_y root_z`` place the pelvis centre (midway between the hip
joints); motions usually leave them at 0 and pin the body with an anchor
instead (see :mod:`formcheck.synth.motions`).

Example:
    >>> skel = forward_kinematics(SHAPES["medium"], {})
    >>> round(float(skel.joints["head"][2]), 2)  # head centre, standing
    1.64
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import NUM_LANDMARKS, Landmark

Vec = npt.NDArray[np.float64]
Mat = npt.NDArray[np.float64]

SIDES: Final = ("l", "r")
LIMBS: Final = ("l_arm", "r_arm", "l_leg", "r_leg")

#: Every joint-angle parameter (degrees) and root coordinate (metres).
PARAMETERS: Final[tuple[str, ...]] = (
    "root_x",
    "root_y",
    "root_z",
    "yaw",
    "pitch",
    "roll",
    "turn",
    "spine_flex",
    "spine_bend",
    "spine_twist",
    "neck_flex",
    "head_flex",
    "head_turn",
    *(
        f"{s}_{j}"
        for s in SIDES
        for j in (
            "shoulder_flex",
            "shoulder_abd",
            "shoulder_rot",
            "elbow_flex",
            "wrist_flex",
            "hip_flex",
            "hip_abd",
            "hip_rot",
            "knee_flex",
            "ankle_flex",
        )
    ),
)
_PARAM_SET: Final = frozenset(PARAMETERS)

#: Reference height of the proportions below (metres).
_REF_H: Final = 1.75


def rot_x(deg: float) -> Mat:
    """Rotation about ``x`` by ``deg`` degrees (right-handed)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(deg: float) -> Mat:
    """Rotation about ``y`` by ``deg`` degrees (right-handed)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(deg: float) -> Mat:
    """Rotation about ``z`` by ``deg`` degrees (right-handed)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rot_axis(axis: Vec, deg: float) -> Mat:
    """Rotation about a unit ``axis`` by ``deg`` degrees (Rodrigues)."""
    a = np.asarray(axis, dtype=np.float64)
    a = a / (np.linalg.norm(a) + 1e-12)
    theta = math.radians(deg)
    k = np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
    out: Mat = np.eye(3) + math.sin(theta) * k + (1.0 - math.cos(theta)) * (k @ k)
    return out


def rotation_between(u: Vec, v: Vec) -> Mat:
    """The smallest rotation that turns direction ``u`` into direction ``v``."""
    a = u / (np.linalg.norm(u) + 1e-12)
    b = v / (np.linalg.norm(v) + 1e-12)
    axis = np.cross(a, b)
    s = float(np.linalg.norm(axis))
    c = float(np.clip(np.dot(a, b), -1.0, 1.0))
    if s < 1e-9:
        if c > 0:
            return np.eye(3)
        perp = np.cross(a, [1.0, 0.0, 0.0])
        if np.linalg.norm(perp) < 1e-6:
            perp = np.cross(a, [0.0, 1.0, 0.0])
        return rot_axis(perp, 180.0)
    return rot_axis(axis / s, math.degrees(math.atan2(s, c)))


def frame_from_down(down: Vec, ref_x: Vec) -> Mat:
    """A segment frame whose ``-z`` is ``down`` and whose ``x`` is near ``ref_x``."""
    z = -down / (np.linalg.norm(down) + 1e-12)
    x = ref_x - float(np.dot(ref_x, z)) * z
    if np.linalg.norm(x) < 1e-6:
        alt = np.array([0.0, 0.0, 1.0]) if abs(z[2]) < 0.9 else np.array([1.0, 0, 0])
        x = alt - float(np.dot(alt, z)) * z
    x = x / np.linalg.norm(x)
    y = np.cross(z, x)
    return np.stack([x, y, z], axis=1)


def slerp_rot(r0: Mat, r1: Mat, w: float) -> Mat:
    """Interpolate between two rotations (``w`` = 0 gives ``r0``)."""
    if w <= 0.0:
        return r0
    if w >= 1.0:
        return r1
    rel = r0.T @ r1
    cos = float(np.clip((np.trace(rel) - 1.0) / 2.0, -1.0, 1.0))
    angle = math.acos(cos)
    if angle < 1e-9:
        return r0
    axis = np.array(
        [rel[2, 1] - rel[1, 2], rel[0, 2] - rel[2, 0], rel[1, 0] - rel[0, 1]]
    )
    n = float(np.linalg.norm(axis))
    if n < 1e-9:  # 180 degrees: any consistent axis
        diag = np.clip((np.diag(rel) + 1.0) / 2.0, 0.0, None)
        axis = np.sqrt(diag)
        n = float(np.linalg.norm(axis))
    return r0 @ rot_axis(axis / n, math.degrees(angle) * w)


@dataclass(frozen=True)
class BodyShape:
    """Height and build of a mannequin.

    Attributes:
        name: Short id (``small``, ``medium``, ``tall``).
        height_m: Standing height, heel to crown.
        build: Width factor for the volumes (1.0 average, 0.9 slim, 1.15 heavier).
        skin_bgr: Skin colour.
        hair_bgr: Hair colour.
    """

    name: str
    height_m: float
    build: float
    skin_bgr: tuple[int, int, int] = (120, 150, 200)
    hair_bgr: tuple[int, int, int] = (30, 40, 60)

    def __post_init__(self) -> None:
        if not 1.2 <= self.height_m <= 2.2:
            raise ValueError(
                f"`height_m` must be in [1.2, 2.2], but got {self.height_m!r}"
            )
        if not 0.7 <= self.build <= 1.5:
            raise ValueError(f"`build` must be in [0.7, 1.5], but got {self.build!r}")

    @property
    def scale(self) -> float:
        """Length scale relative to the 1.75 m reference body."""
        return self.height_m / _REF_H

    @property
    def dims(self) -> BodyDims:
        """Segment lengths and radii for this shape."""
        return BodyDims.for_shape(self)


#: The body shapes clips can use.
SHAPES: Final[dict[str, BodyShape]] = {
    "small": BodyShape("small", 1.58, 0.9, skin_bgr=(140, 170, 215), hair_bgr=(20, 25, 35)),
    "medium": BodyShape("medium", 1.75, 1.0, skin_bgr=(105, 140, 190), hair_bgr=(35, 55, 90)),
    "tall": BodyShape("tall", 1.90, 1.15, skin_bgr=(70, 100, 150), hair_bgr=(25, 30, 40)),
}  # fmt: skip


@dataclass(frozen=True)
class Clothing:
    """Colours of one outfit (BGR).

    Attributes:
        name: Short id.
        top_bgr: Shirt (trunk and upper arms).
        bottom_bgr: Trousers or leggings (pelvis and legs).
        shoe_bgr: Shoes.
    """

    name: str
    top_bgr: tuple[int, int, int]
    bottom_bgr: tuple[int, int, int]
    shoe_bgr: tuple[int, int, int]


#: The outfits clips can use.
CLOTHING: Final[dict[str, Clothing]] = {
    "teal": Clothing("teal", top_bgr=(150, 140, 40), bottom_bgr=(50, 45, 45), shoe_bgr=(225, 225, 225)),
    "red": Clothing("red", top_bgr=(45, 50, 175), bottom_bgr=(120, 80, 45), shoe_bgr=(40, 40, 40)),
}  # fmt: skip


@dataclass(frozen=True)
class BodyDims:
    """Lengths (m) and radii (m) of the segments of one body shape.

    Proportions follow standard anthropometric tables (segment length as a
    share of standing height); widths scale with ``build``.
    """

    height_m: float
    hip_half: float
    shoulder_half: float
    shoulder_drop: float
    spine0: tuple[
        float, float
    ]  # (forward, up) of the lumbosacral joint from the pelvis centre
    lumbar: float
    thorax: float
    neck: float
    head_offset: tuple[
        float, float
    ]  # (forward, up) of the head centre from the upper neck
    head_radii: tuple[float, float, float]
    upper_arm: float
    forearm: float
    hand: float
    thigh: float
    shin: float
    ankle_height: float
    heel_back: float
    toe_fwd: float
    r_upper_arm: tuple[float, float]
    r_forearm: tuple[float, float]
    r_thigh: tuple[float, float]
    r_shin: tuple[float, float]
    r_neck: float
    pelvis_radii: tuple[float, float, float]
    abdomen_radii: tuple[float, float, float]
    chest_radii: tuple[float, float, float]
    build: float
    scale: float

    @classmethod
    def for_shape(cls, shape: BodyShape) -> BodyDims:
        """Derive the dimensions of ``shape``."""
        h = shape.height_m
        s = shape.scale
        w = shape.build
        wide = 0.85 + 0.15 * w  # skeleton widths change less than soft tissue

        def r(a: float, b: float) -> tuple[float, float]:
            return (a * s * w, b * s * w)

        return cls(
            height_m=h,
            hip_half=0.050 * h * wide,
            shoulder_half=0.104 * h * wide,
            shoulder_drop=0.027 * h,
            spine0=(-0.012 * h, 0.055 * h),
            lumbar=0.115 * h,
            thorax=0.145 * h,
            neck=0.056 * h,
            head_offset=(0.012 * h, 0.037 * h),
            head_radii=(0.096 * s, 0.077 * s, 0.114 * s),
            upper_arm=0.186 * h,
            forearm=0.146 * h,
            hand=0.108 * h,
            thigh=0.245 * h,
            shin=0.246 * h,
            ankle_height=0.039 * h,
            heel_back=0.040 * h,
            toe_fwd=0.112 * h,
            r_upper_arm=r(0.049, 0.038),
            r_forearm=r(0.039, 0.027),
            r_thigh=r(0.086, 0.054),
            r_shin=r(0.054, 0.034),
            r_neck=0.050 * s * w,
            pelvis_radii=(0.102 * s * w, 0.168 * s * w, 0.125 * s),
            abdomen_radii=(0.100 * s * w, 0.142 * s * w, 0.150 * s),
            chest_radii=(0.115 * s * w, 0.160 * s * w, 0.190 * s),
            build=w,
            scale=s,
        )


@dataclass
class Skeleton:
    """A posed body: joint positions and segment frames in world coordinates.

    Attributes:
        shape: The body shape.
        joints: Name -> ``(3,)`` position (m).
        frames: Segment name -> ``(3, 3)`` rotation (columns = segment x, y, z).
    """

    shape: BodyShape
    joints: dict[str, Vec] = field(default_factory=dict)
    frames: dict[str, Mat] = field(default_factory=dict)

    def translate(self, offset: Vec) -> None:
        """Move the whole body by ``offset`` (m)."""
        for name in self.joints:
            self.joints[name] = self.joints[name] + offset

    def copy(self) -> Skeleton:
        """A deep copy."""
        return Skeleton(
            self.shape,
            {k: v.copy() for k, v in self.joints.items()},
            {k: v.copy() for k, v in self.frames.items()},
        )


def check_parameters(angles: Mapping[str, float]) -> None:
    """Raise ``KeyError`` naming any unknown parameter in ``angles``."""
    unknown = sorted(set(angles) - _PARAM_SET)
    if unknown:
        raise KeyError(f"unknown pose parameter(s) {unknown}; see skeleton.PARAMETERS")


def _hand_offsets(side: str, dims: BodyDims) -> dict[str, Vec]:
    """Hand points in the hand frame (x thumb side, -z along the fingers)."""
    m = 1.0 if side == "l" else -1.0  # medial is -y for the left hand
    hl, s = dims.hand, dims.scale
    return {
        "palm": np.array([0.0, 0.0, -0.42 * hl]),
        "index": np.array([0.018 * s, 0.0, -0.52 * hl]),
        "pinky": np.array([-0.020 * s, 0.0, -0.47 * hl]),
        "thumb": np.array([0.040 * s, -0.012 * m * s, -0.36 * hl]),
        "tip": np.array([0.0, 0.0, -0.95 * hl]),
    }


def _foot_offsets(dims: BodyDims) -> dict[str, Vec]:
    """Foot points in the foot frame (x toward the toes, z up the shin)."""
    ah = dims.ankle_height
    return {
        "heel": np.array([-dims.heel_back, 0.0, -0.62 * ah]),
        "toe": np.array([dims.toe_fwd * 0.98, 0.0, -0.70 * ah]),
    }


def forward_kinematics(shape: BodyShape, angles: Mapping[str, float]) -> Skeleton:
    """Pose the mannequin from joint angles.

    Args:
        shape: Body shape.
        angles: Parameters from :data:`PARAMETERS` (missing ones are 0).

    Returns:
        The posed :class:`Skeleton`.

    Raises:
        KeyError: If ``angles`` names an unknown parameter.
    """
    check_parameters(angles)
    d = shape.dims

    def a(name: str) -> float:
        return float(angles.get(name, 0.0))

    sk = Skeleton(shape)
    jt, fr = sk.joints, sk.frames
    root = np.array([a("root_x"), a("root_y"), a("root_z")])
    r_pelvis = rot_z(a("yaw")) @ rot_y(a("pitch")) @ rot_x(a("roll")) @ rot_z(a("turn"))
    jt["pelvis"] = root
    fr["pelvis"] = r_pelvis
    # Spine: two joints share flexion, bend and twist.
    half = (a("spine_flex") / 2, -a("spine_bend") / 2, a("spine_twist") / 2)
    spine_rot = rot_y(half[0]) @ rot_x(half[1]) @ rot_z(half[2])
    jt["spine0"] = root + r_pelvis @ np.array([d.spine0[0], 0.0, d.spine0[1]])
    r_lumbar = r_pelvis @ spine_rot
    fr["lumbar"] = r_lumbar
    jt["spine1"] = jt["spine0"] + r_lumbar @ np.array([0.0, 0.0, d.lumbar])
    r_thorax = r_lumbar @ spine_rot
    fr["thorax"] = r_thorax
    jt["neck"] = jt["spine1"] + r_thorax @ np.array([0.0, 0.0, d.thorax])
    r_neck = r_thorax @ rot_y(a("neck_flex"))
    fr["neck"] = r_neck
    jt["head_base"] = jt["neck"] + r_neck @ np.array([0.006, 0.0, d.neck])
    r_head = r_neck @ rot_y(a("head_flex")) @ rot_z(a("head_turn"))
    fr["head"] = r_head
    jt["head"] = jt["head_base"] + r_head @ np.array(
        [d.head_offset[0], 0.0, d.head_offset[1]]
    )
    for side in SIDES:
        m = 1.0 if side == "l" else -1.0
        # Arm.
        sh = jt["neck"] + r_thorax @ np.array(
            [0.004 * d.height_m, m * d.shoulder_half, -d.shoulder_drop]
        )
        jt[f"{side}_shoulder"] = sh
        r_up = (
            r_thorax
            @ rot_y(-a(f"{side}_shoulder_flex"))
            @ rot_x(m * a(f"{side}_shoulder_abd"))
            @ rot_z(-m * a(f"{side}_shoulder_rot"))
        )
        fr[f"{side}_upperarm"] = r_up
        jt[f"{side}_elbow"] = sh + r_up @ np.array([0.0, 0.0, -d.upper_arm])
        r_fore = r_up @ rot_y(-a(f"{side}_elbow_flex"))
        fr[f"{side}_forearm"] = r_fore
        jt[f"{side}_wrist"] = jt[f"{side}_elbow"] + r_fore @ np.array(
            [0.0, 0.0, -d.forearm]
        )
        # Palm faces medially at rest: flexion turns the palm side (medial) inward.
        r_hand = r_fore @ rot_x(-m * a(f"{side}_wrist_flex"))
        fr[f"{side}_hand"] = r_hand
        # Leg.
        hip = root + r_pelvis @ np.array([0.0, m * d.hip_half, 0.0])
        jt[f"{side}_hip"] = hip
        r_thigh = (
            r_pelvis
            @ rot_y(-a(f"{side}_hip_flex"))
            @ rot_x(m * a(f"{side}_hip_abd"))
            @ rot_z(-m * a(f"{side}_hip_rot"))
        )
        fr[f"{side}_thigh"] = r_thigh
        jt[f"{side}_knee"] = hip + r_thigh @ np.array([0.0, 0.0, -d.thigh])
        r_shin = r_thigh @ rot_y(a(f"{side}_knee_flex"))
        fr[f"{side}_shin"] = r_shin
        jt[f"{side}_ankle"] = jt[f"{side}_knee"] + r_shin @ np.array(
            [0.0, 0.0, -d.shin]
        )
        fr[f"{side}_foot"] = r_shin @ rot_y(-a(f"{side}_ankle_flex"))
    update_extremities(sk)
    return sk


def update_extremities(sk: Skeleton) -> None:
    """Recompute hand and foot points from the wrist/ankle and their frames."""
    d = sk.shape.dims
    feet = _foot_offsets(d)
    for side in SIDES:
        hand = _hand_offsets(side, d)
        r_hand = sk.frames[f"{side}_hand"]
        wrist = sk.joints[f"{side}_wrist"]
        for name in ("palm", "index", "pinky", "thumb", "tip"):
            sk.joints[f"{side}_{name}"] = wrist + r_hand @ hand[name]
        r_foot = sk.frames[f"{side}_foot"]
        ankle = sk.joints[f"{side}_ankle"]
        for name in ("heel", "toe"):
            sk.joints[f"{side}_{name}"] = ankle + r_foot @ feet[name]


def two_link_ik(
    base: Vec, target: Vec, l1: float, l2: float, pole: Vec
) -> tuple[Vec, Vec]:
    """Solve a two-segment chain (hip-knee-ankle or shoulder-elbow-wrist).

    Args:
        base: Root joint position.
        target: Wanted end position. If out of reach, the chain points at it
            as far as it can (straight or fully folded).
        l1: Length of the first segment.
        l2: Length of the second segment.
        pole: Direction the middle joint should bend toward.

    Returns:
        ``(middle, end)`` joint positions.
    """
    delta = target - base
    dist = float(np.linalg.norm(delta))
    axis = delta / dist if dist > 1e-9 else np.array([0.0, 0.0, -1.0])
    dist = float(np.clip(dist, abs(l1 - l2) + 1e-4, l1 + l2 - 1e-6))
    cos_a = (l1 * l1 + dist * dist - l2 * l2) / (2.0 * l1 * dist)
    sin_a = math.sqrt(max(0.0, 1.0 - cos_a * cos_a))
    perp = pole - float(np.dot(pole, axis)) * axis
    if np.linalg.norm(perp) < 1e-9:
        perp = np.cross(axis, [0.0, 1.0, 0.0])
        if np.linalg.norm(perp) < 1e-9:
            perp = np.cross(axis, [1.0, 0.0, 0.0])
    perp = perp / np.linalg.norm(perp)
    middle = base + l1 * (cos_a * axis + sin_a * perp)
    end = base + dist * axis
    return middle, end


def apply_limb_ik(
    sk: Skeleton,
    limb: str,
    end_target: Vec,
    pole: Vec,
    end_frame: Mat | None = None,
) -> None:
    """Move a limb so its wrist/ankle reaches ``end_target`` (in place).

    Args:
        sk: The skeleton to change.
        limb: ``l_arm``, ``r_arm``, ``l_leg`` or ``r_leg``.
        end_target: World position for the wrist or ankle.
        pole: World direction the elbow/knee points to.
        end_frame: Hand/foot world frame; ``None`` keeps its orientation
            relative to the forearm/shin.

    Raises:
        KeyError: For an unknown limb name.
    """
    if limb not in LIMBS:
        raise KeyError(f"unknown limb {limb!r}; expected one of {LIMBS}")
    side, kind = limb.split("_")
    d = sk.shape.dims
    if kind == "arm":
        names = ("shoulder", "elbow", "wrist", "upperarm", "forearm", "hand")
        l1, l2 = d.upper_arm, d.forearm
    else:
        names = ("hip", "knee", "ankle", "thigh", "shin", "foot")
        l1, l2 = d.thigh, d.shin
    base_n, mid_n, end_n, seg1, seg2, ext = (f"{side}_{n}" for n in names)
    base = sk.joints[base_n]
    old_mid, old_end = sk.joints[mid_n], sk.joints[end_n]
    old_dir2 = old_end - old_mid
    mid, end = two_link_ik(base, end_target, l1, l2, pole)
    sk.joints[mid_n], sk.joints[end_n] = mid, end
    r1_old, r2_old = sk.frames[seg1], sk.frames[seg2]
    # Keep each segment's twist by choosing x near the bend direction.
    sk.frames[seg1] = rotation_between(base - old_mid, base - mid) @ r1_old
    new_r2 = rotation_between(old_dir2, end - mid) @ r2_old
    sk.frames[seg2] = new_r2
    if end_frame is not None:
        sk.frames[ext] = end_frame
    else:
        sk.frames[ext] = new_r2 @ (r2_old.T @ sk.frames[ext])
    update_extremities(sk)


def flat_frame(kind: Literal["hand", "foot"], side: str, heading: Vec) -> Mat:
    """World frame of a hand (palm down) or foot (sole down) lying flat.

    Args:
        kind: ``"hand"`` or ``"foot"``.
        side: ``"l"`` or ``"r"``.
        heading: Horizontal direction the fingers/toes point to.

    Returns:
        The ``(3, 3)`` frame.
    """
    h = np.array([heading[0], heading[1], 0.0])
    h = h / (np.linalg.norm(h) + 1e-12)
    up = np.array([0.0, 0.0, 1.0])
    if kind == "foot":
        x, z = h, up
        return np.stack([x, np.cross(z, x), z], axis=1)
    # Hand: -z along the fingers; the palm normal (medial, -m*y) points down.
    m = 1.0 if side == "l" else -1.0
    z = -h
    y = m * up  # palm (-m*y) faces the floor
    x = np.cross(y, z)
    return np.stack([x, y, z], axis=1)


# ----------------------------------------------------------------- landmarks
#: Face points in the head frame, for the 1.75 m body: (forward, left, up).
_FACE: Final[dict[int, tuple[float, float, float]]] = {
    Landmark.NOSE: (0.104, 0.0, -0.012),
    Landmark.LEFT_EYE_INNER: (0.090, 0.016, 0.018),
    Landmark.LEFT_EYE: (0.088, 0.032, 0.019),
    Landmark.LEFT_EYE_OUTER: (0.082, 0.046, 0.019),
    Landmark.RIGHT_EYE_INNER: (0.090, -0.016, 0.018),
    Landmark.RIGHT_EYE: (0.088, -0.032, 0.019),
    Landmark.RIGHT_EYE_OUTER: (0.082, -0.046, 0.019),
    Landmark.LEFT_EAR: (-0.004, 0.080, 0.004),
    Landmark.RIGHT_EAR: (-0.004, -0.080, 0.004),
    Landmark.MOUTH_LEFT: (0.086, 0.024, -0.048),
    Landmark.MOUTH_RIGHT: (0.086, -0.024, -0.048),
}

#: Landmark index -> skeleton point name (body landmarks).
_BODY_POINTS: Final[dict[int, str]] = {
    Landmark.LEFT_SHOULDER: "l_shoulder",
    Landmark.RIGHT_SHOULDER: "r_shoulder",
    Landmark.LEFT_ELBOW: "l_elbow",
    Landmark.RIGHT_ELBOW: "r_elbow",
    Landmark.LEFT_WRIST: "l_wrist",
    Landmark.RIGHT_WRIST: "r_wrist",
    Landmark.LEFT_PINKY: "l_pinky",
    Landmark.RIGHT_PINKY: "r_pinky",
    Landmark.LEFT_INDEX: "l_index",
    Landmark.RIGHT_INDEX: "r_index",
    Landmark.LEFT_THUMB: "l_thumb",
    Landmark.RIGHT_THUMB: "r_thumb",
    Landmark.LEFT_HIP: "l_hip",
    Landmark.RIGHT_HIP: "r_hip",
    Landmark.LEFT_KNEE: "l_knee",
    Landmark.RIGHT_KNEE: "r_knee",
    Landmark.LEFT_ANKLE: "l_ankle",
    Landmark.RIGHT_ANKLE: "r_ankle",
    Landmark.LEFT_HEEL: "l_heel",
    Landmark.RIGHT_HEEL: "r_heel",
    Landmark.LEFT_FOOT_INDEX: "l_toe",
    Landmark.RIGHT_FOOT_INDEX: "r_toe",
}


def landmarks_3d(sk: Skeleton) -> Vec:
    """The 33 BlazePose landmarks of a posed body.

    Body landmarks are joint centres (as pose models are trained to place
    them); hand landmarks are the knuckles and thumb, the heel is the back of
    the heel and ``foot_index`` the tip of the shoe; face points lie on the
    head surface.

    Returns:
        float64 ``(33, 3)`` world positions in metres.
    """
    out = np.zeros((NUM_LANDMARKS, 3))
    r_head, head = sk.frames["head"], sk.joints["head"]
    s = sk.shape.scale
    for idx, off in _FACE.items():
        out[idx] = head + r_head @ (np.array(off) * s)
    for idx, name in _BODY_POINTS.items():
        out[idx] = sk.joints[name]
    return out


# ------------------------------------------------------------------- volumes
PartKind = Literal["sphere", "ellipsoid", "cone"]


@dataclass(frozen=True)
class Part:
    """One volume of the mannequin.

    Attributes:
        name: Unique name.
        group: Body group used for occlusion tests and grounding (e.g.
            ``l_thigh``, ``torso``, ``head``).
        material: Colour key (``skin``, ``top``, ``bottom``, ``shoe``,
            ``hair``, ``eye``, ``lip``).
        kind: ``sphere``, ``ellipsoid`` or ``cone`` (a tapered capsule: two
            spheres joined by a tangent cone).
        a: Centre (sphere, ellipsoid) or first end (cone).
        b: Second end (cone); unused otherwise.
        r1: Radius (sphere) or radius at ``a`` (cone).
        r2: Radius at ``b`` (cone).
        rot: Ellipsoid axes (columns).
        radii: Ellipsoid semi-axes along its axes.
    """

    name: str
    group: str
    material: str
    kind: PartKind
    a: Vec
    b: Vec | None = None
    r1: float = 0.0
    r2: float = 0.0
    rot: Mat | None = None
    radii: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def min_z(self) -> float:
        """Lowest point of the surface (m)."""
        if self.kind == "sphere":
            return float(self.a[2] - self.r1)
        if self.kind == "cone":
            assert self.b is not None
            return float(min(self.a[2] - self.r1, self.b[2] - self.r2))
        assert self.rot is not None
        extent = math.sqrt(sum((self.rot[2, i] * self.radii[i]) ** 2 for i in range(3)))
        return float(self.a[2] - extent)

    def bound(self) -> tuple[Vec, float]:
        """A bounding sphere ``(centre, radius)``."""
        if self.kind == "sphere":
            return self.a, self.r1
        if self.kind == "cone":
            assert self.b is not None
            c = (self.a + self.b) / 2
            half = float(np.linalg.norm(self.b - self.a)) / 2
            return c, half + max(self.r1, self.r2)
        return self.a, max(self.radii)


def _ell(
    name: str,
    group: str,
    material: str,
    centre: Vec,
    rot: Mat,
    radii: tuple[float, float, float],
) -> Part:
    return Part(name, group, material, "ellipsoid", centre, rot=rot, radii=radii)


def _cone(
    name: str, group: str, material: str, a: Vec, b: Vec, r1: float, r2: float
) -> Part:
    return Part(name, group, material, "cone", a, b=b, r1=r1, r2=r2)


def _sphere(name: str, group: str, material: str, c: Vec, r: float) -> Part:
    return Part(name, group, material, "sphere", c, r1=r)


def body_parts(sk: Skeleton) -> list[Part]:
    """The volumes that make up the posed mannequin.

    Returns:
        Parts for the torso, head (with face and hair), arms, hands, legs and
        shoes, in that order.
    """
    return [*_torso_parts(sk), *_head_parts(sk), *_arm_parts(sk), *_leg_parts(sk)]


def _torso_parts(sk: Skeleton) -> list[Part]:
    """Pelvis, abdomen, chest, the shoulders' bar and the neck."""
    d = sk.shape.dims
    s, w = d.scale, d.build
    j, f = sk.joints, sk.frames
    rp, rl, rt = f["pelvis"], f["lumbar"], f["thorax"]
    return [
        _ell(
            "pelvis", "torso", "bottom",
            j["pelvis"] + rp @ np.array([-0.015 * s, 0.0, 0.030 * s]), rp, d.pelvis_radii,
        ),
        _ell(
            "abdomen", "torso", "top",
            (j["spine0"] + j["spine1"]) / 2 + rl @ np.array([0.030 * s * w, 0.0, 0.0]),
            rl, d.abdomen_radii,
        ),
        _ell(
            "chest", "torso", "top",
            j["spine1"] + rt @ np.array([0.028 * s * w, 0.0, 0.090 * s]), rt, d.chest_radii,
        ),
        _cone(
            "shoulders", "torso", "top", j["l_shoulder"], j["r_shoulder"],
            0.056 * s * w, 0.056 * s * w,
        ),
        _cone(
            "neck", "head", "skin", j["neck"], j["head_base"], d.r_neck, d.r_neck * 0.9
        ),
    ]  # fmt: skip


def _head_parts(sk: Skeleton) -> list[Part]:
    """Head, hair, nose, eyes, ears and mouth."""
    d = sk.shape.dims
    s = d.scale
    rh, head = sk.frames["head"], sk.joints["head"]
    hr = d.head_radii

    def hp(x: float, y: float, z: float) -> Vec:
        return head + rh @ (np.array([x, y, z]) * s)

    parts = [
        _ell("head", "head", "skin", head, rh, hr),
        _ell(
            "hair", "head", "hair", head + rh @ (np.array([-0.020, 0.0, 0.020]) * s), rh,
            (hr[0] * 0.99, hr[1] * 1.03, hr[2] * 0.96),
        ),
        _sphere("nose", "head", "skin", hp(0.092, 0.0, -0.012), 0.016 * s),
    ]  # fmt: skip
    for side, m in (("l", 1.0), ("r", -1.0)):
        parts.append(
            _sphere(
                f"{side}_eye", "head", "eye", hp(0.078, m * 0.032, 0.019), 0.013 * s
            )
        )
        parts.append(
            _ell(
                f"{side}_ear", "head", "skin", hp(-0.004, m * 0.074, 0.004), rh,
                (0.022 * s, 0.012 * s, 0.032 * s),
            )
        )  # fmt: skip
    parts.append(
        _ell(
            "mouth",
            "head",
            "lip",
            hp(0.080, 0.0, -0.048),
            rh,
            (0.014 * s, 0.024 * s, 0.006 * s),
        )
    )
    return parts


def _arm_parts(sk: Skeleton) -> list[Part]:
    """Upper arms, forearms, hands and thumbs, left then right."""
    d = sk.shape.dims
    s, w = d.scale, d.build
    j, f = sk.joints, sk.frames
    parts: list[Part] = []
    for side, m in (("l", 1.0), ("r", -1.0)):
        sh, el, wr = j[f"{side}_shoulder"], j[f"{side}_elbow"], j[f"{side}_wrist"]
        parts.append(
            _cone(f"{side}_upperarm", f"{side}_upperarm", "top", sh, el, *d.r_upper_arm)
        )
        parts.append(
            _cone(f"{side}_forearm", f"{side}_forearm", "skin", el, wr, *d.r_forearm)
        )
        rhand = f[f"{side}_hand"]
        parts.append(
            _ell(
                f"{side}_hand", f"{side}_hand", "skin",
                wr + rhand @ np.array([0.0, 0.0, -0.45 * d.hand]), rhand,
                (0.041 * s * w, 0.017 * s * w, 0.50 * d.hand),
            )
        )  # fmt: skip
        parts.append(
            _cone(
                f"{side}_thumb", f"{side}_hand", "skin",
                wr + rhand @ (np.array([0.025, -m * 0.004, -0.03]) * s),
                j[f"{side}_thumb"], 0.013 * s, 0.010 * s,
            )
        )  # fmt: skip
    return parts


def _leg_parts(sk: Skeleton) -> list[Part]:
    """Thighs, shins, shoes and ankles, left then right."""
    d = sk.shape.dims
    s, w = d.scale, d.build
    j, f = sk.joints, sk.frames
    parts: list[Part] = []
    for side in SIDES:
        hip, kn, an = j[f"{side}_hip"], j[f"{side}_knee"], j[f"{side}_ankle"]
        parts.append(
            _cone(f"{side}_thigh", f"{side}_thigh", "bottom", hip, kn, *d.r_thigh)
        )
        parts.append(_cone(f"{side}_shin", f"{side}_shin", "bottom", kn, an, *d.r_shin))
        rf = f[f"{side}_foot"]
        ah = d.ankle_height
        heel = an + rf @ np.array([-0.055 * s, 0.0, -0.50 * ah])
        toe = an + rf @ np.array([d.toe_fwd * 0.80, 0.0, -0.62 * ah])
        parts.append(
            _cone(
                f"{side}_shoe",
                f"{side}_foot",
                "shoe",
                heel,
                toe,
                0.046 * s * w,
                0.036 * s * w,
            )
        )
        parts.append(
            _sphere(f"{side}_ankle", f"{side}_foot", "shoe", an, 0.043 * s * w)
        )
    return parts


#: Groups whose surface may cover each body landmark (for the visibility test).
LANDMARK_GROUPS: Final[dict[int, frozenset[str]]] = {
    **{int(i): frozenset({"head"}) for i in _FACE},
    **{
        int(Landmark[f"{side.upper()}_{part}"]): frozenset(groups)
        for side, s in (("left", "l"), ("right", "r"))
        for part, groups in (
            ("SHOULDER", {"torso", f"{s}_upperarm"}),
            ("ELBOW", {f"{s}_upperarm", f"{s}_forearm"}),
            ("WRIST", {f"{s}_forearm", f"{s}_hand"}),
            ("PINKY", {f"{s}_hand"}),
            ("INDEX", {f"{s}_hand"}),
            ("THUMB", {f"{s}_hand"}),
            ("HIP", {"torso", f"{s}_thigh"}),
            ("KNEE", {f"{s}_thigh", f"{s}_shin"}),
            ("ANKLE", {f"{s}_shin", f"{s}_foot"}),
            ("HEEL", {f"{s}_foot"}),
            ("FOOT_INDEX", {f"{s}_foot"}),
        )
    },
}


def ground_offset(parts: list[Part], groups: tuple[str, ...]) -> float:
    """Vertical shift that sets the lowest point of ``groups`` on the floor.

    Args:
        parts: The body's parts.
        groups: Part groups (``torso``, ``l_shin`` ...) or ``"*"`` for all.

    Returns:
        The ``z`` offset to add (m); 0 if no part matches.
    """
    zs = [p.min_z() for p in parts if "*" in groups or p.group in groups]
    return -min(zs) if zs else 0.0

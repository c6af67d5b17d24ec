"""Keyframed poses: anchors, limb goals, interpolation and labels.

A :class:`PoseSpec` is a set of joint angles plus an :class:`Anchor` (which
body point is pinned where, and which parts rest on the floor) plus optional
:class:`Goal` s that plant hands and feet with two-link inverse kinematics.
A :class:`Timeline` strings poses together in time; between two keys the
angles, anchor translations and goal targets are blended with cosine easing,
so pinned points stay pinned and planted hands stay planted.

Example:
    >>> shape = SHAPES["medium"]
    >>> stand = PoseSpec({}, Anchor("pelvis", (0.0, 0.0), ground=("l_foot", "r_foot")))
    >>> tl = Timeline(shape, stand)
    >>> tl.move(stand.with_angles(l_hip_flex=30.0), 1.0)
    >>> skel = tl.skeleton_at(0.5)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from formcheck.synth.skeleton import (
    LIMBS,
    BodyShape,
    Skeleton,
    apply_limb_ik,
    body_parts,
    check_parameters,
    flat_frame,
    forward_kinematics,
    ground_offset,
    rot_axis,
    slerp_rot,
    update_extremities,
)

Vec = npt.NDArray[np.float64]

_LIMB_JOINTS: Final[dict[str, tuple[str, str]]] = {
    "l_arm": ("l_wrist", "l_hand"),
    "r_arm": ("r_wrist", "r_hand"),
    "l_leg": ("l_ankle", "l_foot"),
    "r_leg": ("r_ankle", "r_foot"),
}
#: Default bend direction of the elbow/knee, in the pelvis frame.
_DEFAULT_POLE: Final[dict[str, tuple[float, float, float]]] = {
    "l_arm": (-1.0, 0.3, 0.0),
    "r_arm": (-1.0, -0.3, 0.0),
    "l_leg": (1.0, 0.0, 0.0),
    "r_leg": (1.0, 0.0, 0.0),
}


@dataclass(frozen=True)
class Anchor:
    """Where the body is pinned in a pose.

    Attributes:
        point: Skeleton point whose horizontal position is fixed (e.g.
            ``l_knee``, ``pelvis``, ``mid_shoulder``, ``mid_knee``).
        xy: Its world ``(x, y)``.
        ground: Part groups that rest on the support surface (sets ``z``);
            ``("*",)`` = the lowest part of the body.
        floor_z: Height of the support surface (0 = floor; a chair seat).
        z: Without ``ground``: the point's world ``z`` (``None`` = keep).
    """

    point: str
    xy: tuple[float, float]
    ground: tuple[str, ...] = ()
    floor_z: float = 0.0
    z: float | None = None


@dataclass(frozen=True)
class Goal:
    """Plant a wrist or ankle with inverse kinematics.

    Attributes:
        target: World position of the wrist/ankle.
        attach: Or a body point ``(joint_a, joint_b, fraction)`` between two
            joints of the FK pose, plus ``offset`` in the pelvis frame.
        offset: Added to ``attach`` (pelvis frame, m).
        pole: Direction the elbow/knee points to, pelvis frame.
        swivel_deg: Turn of the elbow/knee about the base-to-target axis.
        flat: Horizontal heading of fingers/toes for a hand or foot lying flat
            on the support; ``None`` keeps its orientation to the forearm/shin.
        weight: 0 = ignore (pure FK), 1 = reach the target.
    """

    target: tuple[float, float, float] | None = None
    attach: tuple[str, str, float] | None = None
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    pole: tuple[float, float, float] | None = None
    swivel_deg: float = 0.0
    flat: tuple[float, float] | None = None
    weight: float = 1.0

    def __post_init__(self) -> None:
        if (self.target is None) == (self.attach is None):
            raise ValueError("a Goal needs exactly one of `target` and `attach`")


@dataclass(frozen=True)
class PoseSpec:
    """Joint angles, an anchor and limb goals: one keyframe.

    Attributes:
        angles: Parameters from :data:`~formcheck.synth.skeleton.PARAMETERS`.
        anchor: How the body is pinned.
        goals: Limb name (``l_arm`` ...) -> :class:`Goal`.
    """

    angles: Mapping[str, float]
    anchor: Anchor
    goals: Mapping[str, Goal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_parameters(self.angles)
        unknown = sorted(set(self.goals) - set(LIMBS))
        if unknown:
            raise KeyError(f"unknown limb(s) {unknown}; expected {LIMBS}")

    def with_angles(self, **changes: float) -> PoseSpec:
        """A copy with some angles changed."""
        return replace(self, angles={**self.angles, **changes})

    def add_angles(self, **deltas: float) -> PoseSpec:
        """A copy with some angles increased by ``deltas``."""
        new = dict(self.angles)
        for k, v in deltas.items():
            new[k] = new.get(k, 0.0) + v
        return replace(self, angles=new)

    def with_anchor(self, anchor: Anchor) -> PoseSpec:
        """A copy with another anchor."""
        return replace(self, anchor=anchor)

    def with_goals(self, **goals: Goal | None) -> PoseSpec:
        """A copy with goals set (``None`` removes a goal)."""
        new = dict(self.goals)
        for k, g in goals.items():
            if g is None:
                new.pop(k, None)
            else:
                new[k] = g
        return replace(self, goals=new)


def _point(sk: Skeleton, name: str) -> Vec:
    if name.startswith("mid_"):
        part = name[4:]
        mid: Vec = (sk.joints[f"l_{part}"] + sk.joints[f"r_{part}"]) / 2.0
        return mid
    return sk.joints[name]


def _anchor_offset(sk: Skeleton, anchor: Anchor) -> Vec:
    p = _point(sk, anchor.point)
    dx, dy = anchor.xy[0] - p[0], anchor.xy[1] - p[1]
    if anchor.ground:
        dz = ground_offset(body_parts(sk), anchor.ground) + anchor.floor_z
    elif anchor.z is not None:
        dz = anchor.z - p[2]
    else:
        dz = 0.0
    return np.array([dx, dy, dz])


def _goal_target(sk: Skeleton, goal: Goal) -> Vec:
    if goal.target is not None:
        target: Vec = np.array(goal.target, dtype=np.float64) + np.array(goal.offset)
        return target
    assert goal.attach is not None
    a, b, frac = goal.attach
    base = (1.0 - frac) * _point(sk, a) + frac * _point(sk, b)
    attached: Vec = base + sk.frames["pelvis"] @ np.array(goal.offset)
    return attached


def ease(x: float) -> float:
    """Cosine ease-in-out on [0, 1]."""
    x = min(max(x, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * x)


def pose_blend(shape: BodyShape, p0: PoseSpec, p1: PoseSpec, w: float) -> Skeleton:
    """The skeleton a fraction ``w`` of the way from ``p0`` to ``p1``.

    Args:
        shape: Body shape.
        p0: Start pose.
        p1: End pose.
        w: Blend weight in [0, 1] (already eased).

    Returns:
        The posed skeleton (anchored, with limb goals solved).
    """
    keys = set(p0.angles) | set(p1.angles)
    angles = {
        k: (1.0 - w) * p0.angles.get(k, 0.0) + w * p1.angles.get(k, 0.0) for k in keys
    }
    sk = forward_kinematics(shape, angles)
    t0 = _anchor_offset(sk, p0.anchor)
    t1 = t0 if p1.anchor == p0.anchor else _anchor_offset(sk, p1.anchor)
    sk.translate((1.0 - w) * t0 + w * t1)
    fk = sk.copy()
    r_pelvis = sk.frames["pelvis"]
    for limb in LIMBS:
        g0, g1 = p0.goals.get(limb), p1.goals.get(limb)
        if g0 is None and g1 is None:
            continue
        end_name, ext = _LIMB_JOINTS[limb]
        fk_end = fk.joints[end_name]
        e0 = _goal_target(fk, g0) if g0 else fk_end
        e1 = _goal_target(fk, g1) if g1 else fk_end
        w0 = g0.weight if g0 else 0.0
        w1 = g1.weight if g1 else 0.0
        weight = (1.0 - w) * w0 + w * w1
        if weight <= 1e-6:
            continue
        target = (1.0 - w) * e0 + w * e1
        end = (1.0 - weight) * fk_end + weight * target
        default = _DEFAULT_POLE[limb]
        pole0 = np.array((g0.pole if g0 and g0.pole else None) or default)
        pole1 = np.array((g1.pole if g1 and g1.pole else None) or default)
        pole = r_pelvis @ ((1.0 - w) * pole0 + w * pole1)
        swivel = (1.0 - w) * (g0.swivel_deg if g0 else 0.0) + w * (
            g1.swivel_deg if g1 else 0.0
        )
        if abs(swivel) > 1e-6:
            base_name = f"{limb[0]}_{'shoulder' if limb.endswith('arm') else 'hip'}"
            pole = rot_axis(end - sk.joints[base_name], swivel) @ pole
        apply_limb_ik(sk, limb, end, pole)
        f0 = g0.flat if g0 else None
        f1 = g1.flat if g1 else None
        flat_w = (1.0 - w) * (w0 if f0 else 0.0) + w * (w1 if f1 else 0.0)
        if flat_w > 1e-6:
            h0 = np.array(f0 if f0 else (f1 or (1.0, 0.0)))
            h1 = np.array(f1 if f1 else h0)
            heading = (1.0 - w) * h0 + w * h1
            kind: Literal["hand", "foot"] = "hand" if limb.endswith("arm") else "foot"
            flat = flat_frame(kind, limb[0], heading)
            sk.frames[ext] = slerp_rot(sk.frames[ext], flat, min(flat_w, 1.0))
            update_extremities(sk)
    return sk


def pose_skeleton(shape: BodyShape, pose: PoseSpec) -> Skeleton:
    """The skeleton of one pose."""
    return pose_blend(shape, pose, pose, 0.0)


@dataclass(frozen=True)
class RepLabel:
    """One repetition (or attempt) in a clip.

    Attributes:
        index: 1-based, in time order (over both sides).
        side: ``left``/``right`` for sided exercises, else ``None``.
        start_s: When the movement leaves the rest pose.
        end_s: When it is back at rest.
        peak_s: Middle of the end-range (top) phase.
        counted: Whether it should count as a repetition.
        faults: Fault ids injected in this repetition.
    """

    index: int
    side: str | None
    start_s: float
    end_s: float
    peak_s: float
    counted: bool
    faults: tuple[str, ...] = ()


@dataclass(frozen=True)
class HoldLabel:
    """One held position.

    Attributes:
        index: 1-based.
        side: Side for sided stretches, else ``None``.
        start_s: When the hold position is reached.
        end_s: When the release starts.
        min_s: The exercise's minimum hold time.
        faults: Fault ids (``released_early``).
    """

    index: int
    side: str | None
    start_s: float
    end_s: float
    min_s: float
    faults: tuple[str, ...] = ()

    @property
    def held_s(self) -> float:
        """Length of the hold."""
        return self.end_s - self.start_s


class Timeline:
    """Keyframes in time, with repetition, hold and phase labels.

    Args:
        shape: Body shape.
        start: The first pose (at t = 0).
    """

    def __init__(self, shape: BodyShape, start: PoseSpec) -> None:
        self.shape = shape
        self.keys: list[tuple[float, PoseSpec]] = [(0.0, start)]
        self.reps: list[RepLabel] = []
        self.holds: list[HoldLabel] = []
        self.phases: list[tuple[str, float, float]] = []
        self._phase: tuple[str, float] | None = None

    @property
    def t(self) -> float:
        """Time of the last key."""
        return self.keys[-1][0]

    @property
    def last(self) -> PoseSpec:
        """The last pose."""
        return self.keys[-1][1]

    def move(self, pose: PoseSpec, duration_s: float) -> None:
        """Ease to ``pose`` over ``duration_s``."""
        if duration_s <= 0:
            raise ValueError(f"`duration_s` must be > 0, but got {duration_s!r}")
        self.keys.append((self.t + duration_s, pose))

    def stay(self, duration_s: float) -> None:
        """Keep the last pose for ``duration_s``."""
        self.move(self.last, duration_s)

    def phase(self, name: str) -> None:
        """Start a named phase (``lead_in``, ``exercise``, ``walk_out``)."""
        if self._phase is not None:
            self.phases.append((self._phase[0], self._phase[1], self.t))
        self._phase = (name, self.t)

    def finish(self) -> None:
        """Close the open phase."""
        if self._phase is not None:
            self.phases.append((self._phase[0], self._phase[1], self.t))
            self._phase = None

    def add_rep(
        self,
        side: str | None,
        start_s: float,
        peak_s: float,
        counted: bool,
        faults: tuple[str, ...] = (),
    ) -> None:
        """Label a repetition that ends now."""
        self.reps.append(
            RepLabel(
                len(self.reps) + 1,
                side,
                round(start_s, 6),
                round(self.t, 6),
                round(peak_s, 6),
                counted,
                faults,
            )
        )

    def add_hold(
        self, side: str | None, start_s: float, min_s: float, faults: tuple[str, ...]
    ) -> None:
        """Label a hold that ends now."""
        self.holds.append(
            HoldLabel(
                len(self.holds) + 1,
                side,
                round(start_s, 6),
                round(self.t, 6),
                min_s,
                faults,
            )
        )

    def trimmed(
        self,
        settle_s: float = 2.0,
        tail_s: float = 1.0,
        perturb: Mapping[str, float] | None = None,
    ) -> Timeline:
        """A copy that keeps only the ``exercise`` phase.

        The copy starts in the first exercise pose changed by ``perturb``
        (added to the angles), settles into it over ``settle_s``, and ends
        with ``tail_s`` of stillness. Labels are shifted to match.

        Raises:
            ValueError: If there is no closed ``exercise`` phase.
        """
        phase = next((p for p in self.phases if p[0] == "exercise"), None)
        if phase is None:
            raise ValueError("the timeline has no closed 'exercise' phase")
        _, t0, t1 = phase
        shift = settle_s - t0
        kept = [(t + shift, p) for t, p in self.keys if t0 - 1e-9 <= t <= t1 + 1e-9]
        first = kept[0][1]
        start = first.add_angles(**perturb) if perturb else first
        out = Timeline(self.shape, start)
        out.keys = [(0.0, start), *kept]
        end = kept[-1][0]
        if tail_s > 0:
            out.keys.append((end + tail_s, kept[-1][1]))
        out.reps = [
            replace(
                r,
                start_s=round(r.start_s + shift, 6),
                end_s=round(r.end_s + shift, 6),
                peak_s=round(r.peak_s + shift, 6),
            )
            for r in self.reps
        ]
        out.holds = [
            replace(
                h, start_s=round(h.start_s + shift, 6), end_s=round(h.end_s + shift, 6)
            )
            for h in self.holds
        ]
        out.phases = [
            ("lead_in", 0.0, settle_s),
            ("exercise", settle_s, end),
            ("walk_out", end, out.t),
        ]
        return out

    def segment_at(self, t: float) -> tuple[PoseSpec, PoseSpec, float]:
        """The two keys around ``t`` and the eased weight between them."""
        keys = self.keys
        if t <= keys[0][0]:
            return keys[0][1], keys[0][1], 0.0
        if t >= keys[-1][0]:
            return keys[-1][1], keys[-1][1], 0.0
        lo, hi = 0, len(keys) - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if keys[mid][0] <= t:
                lo = mid
            else:
                hi = mid
        t0, p0 = keys[lo]
        t1, p1 = keys[hi]
        return p0, p1, ease((t - t0) / (t1 - t0))

    def skeleton_at(self, t: float) -> Skeleton:
        """The posed skeleton at time ``t`` (s)."""
        p0, p1, w = self.segment_at(t)
        return pose_blend(self.shape, p0, p1, w)

    def angles_at(self, t: float) -> dict[str, float]:
        """The blended joint-angle parameters at time ``t``."""
        p0, p1, w = self.segment_at(t)
        keys = set(p0.angles) | set(p1.angles)
        return {
            k: (1.0 - w) * p0.angles.get(k, 0.0) + w * p1.angles.get(k, 0.0)
            for k in keys
        }

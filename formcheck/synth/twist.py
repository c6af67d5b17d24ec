"""The seated torso twist: sideways on an armless chair, turning toward its back.

The seed's yoga twist for a pinched sciatic nerve: sit sideways on an armless
chair, feet flat, hold the chair back with both hands and turn the chest
toward it, a few times; then sit facing the other way and repeat. Filmed from
the front, the person faces the camera both times, so between the two sides
the chair is turned round (its back moves to the other side) while the
person stands beside it.

The motion is registered in :mod:`formcheck.synth.motions` (``_BUILDERS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from formcheck.synth.camera import SubjectFrame
from formcheck.synth.keyframes import Anchor, Goal, PoseSpec, Timeline
from formcheck.synth.postures import (
    Side,
    foot_goal,
    other,
    pfx,
    seat_height,
    seated,
    skeleton,
    standing_planted,
    xy,
)
from formcheck.synth.render import Box
from formcheck.synth.skeleton import BodyShape

if TYPE_CHECKING:
    from formcheck.synth.motions import Motion, _Ctx

#: Chest turn (``spine_twist``) at the end of a full twist, degrees.
TWIST_DEG: Final = 42.0
#: Chest turn of a ``shallow`` attempt (below the counting band).
SHALLOW_DEG: Final = 12.0
#: The head turns with the chest, a little less (nose not past the shoulder).
_HEAD_SHARE: Final = 0.35
_CHAIR_BGR: Final = (55, 75, 105)
_BACK_HEIGHT_M: Final = 0.46


def chair_sideways(
    seat_xy: tuple[float, float], back: Side, seat_h: float
) -> tuple[Box, ...]:
    """An armless chair whose back is at the sitter's ``back`` side.

    The sitter faces ``+x``; their left is ``+y``. The seat is centred at
    ``seat_xy``; the back stands along its ``back`` edge.
    """
    x, y = seat_xy
    m = 1.0 if back == "left" else -1.0
    legs = (seat_h - 0.05) / 2
    parts = [Box((x, y, seat_h - 0.025), (0.22, 0.22, 0.025), 0.0, _CHAIR_BGR)]
    for dx in (-0.19, 0.19):
        for dy in (-0.19, 0.19):
            parts.append(
                Box((x + dx, y + dy, legs), (0.02, 0.02, legs), 0.0, _CHAIR_BGR)
            )
    parts.append(
        Box(
            (x, y + m * 0.21, seat_h + _BACK_HEIGHT_M / 2),
            (0.21, 0.02, _BACK_HEIGHT_M / 2),
            0.0,
            _CHAIR_BGR,
        )
    )
    return tuple(parts)


def _seat_xy(hip_half_width: float, back: Side) -> tuple[float, float]:
    """Seat centre, moved toward the back so it clears the hips by about 3 cm."""
    m = 1.0 if back == "left" else -1.0
    return (0.02, m * max(0.0, hip_half_width + 0.03 - 0.19))


@dataclass(frozen=True)
class _Poses:
    """The key poses: seated (feet planted), standing, and half-way between."""

    sit: PoseSpec
    stand: PoseSpec
    half: PoseSpec


def _poses(shape: BodyShape) -> _Poses:
    sit = seated(shape)
    sk = skeleton(shape, sit)
    feet = {s: xy(sk, f"{s}_ankle") for s in ("l", "r")}
    planted = {f"{s}_leg": foot_goal(shape, feet[s], (1.0, 0.0)) for s in ("l", "r")}
    sit = sit.with_goals(**planted)
    stand = standing_planted(shape, (xy(sk, "mid_ankle")[0], 0.0)).with_goals(**planted)
    half = PoseSpec(
        {
            **sit.angles,
            "pitch": 35.0,
            "spine_flex": 10.0,
            "l_hip_flex": 95.0,
            "r_hip_flex": 95.0,
            "l_knee_flex": 70.0,
            "r_knee_flex": 70.0,
            "l_shoulder_flex": 30.0,
            "r_shoulder_flex": 30.0,
        },
        Anchor("mid_ankle", xy(sk, "mid_ankle"), ground=("l_foot", "r_foot")),
        dict(stand.goals),
    )
    return _Poses(sit, stand, half)


def _twisted(
    shape: BodyShape, sit: PoseSpec, side: Side, turn_deg: float, hold_chair: bool
) -> PoseSpec:
    """The chest turned ``turn_deg`` toward ``side``, hands on the chair back or not."""
    m = 1.0 if side == "left" else -1.0
    turned = sit.with_angles(
        spine_twist=m * turn_deg, head_turn=m * turn_deg * _HEAD_SHARE
    )
    if not hold_chair:
        return turned
    back_y = _seat_xy(shape.dims.pelvis_radii[1], side)[1] + m * 0.21
    top_z = seat_height(shape) + _BACK_HEIGHT_M + 0.03
    near, far = pfx(side), pfx(other(side))
    return turned.with_goals(
        **{
            # The hand on the chair-back side holds its rear corner; the
            # other hand comes across the body to its front corner.
            f"{near}_arm": Goal(
                target=(-0.10, back_y, top_z), pole=(-0.4, m * 1.0, -1.0)
            ),
            f"{far}_arm": Goal(
                target=(0.14, back_y, top_z), pole=(0.2, -m * 0.5, -1.0)
            ),
        }
    )


def _timeline(ctx: _Ctx, poses: _Poses) -> tuple[Timeline, float]:
    """Sit down, twist to both sides with a chair turn between; the turn's time."""
    from formcheck.synth.motions import _rep

    sit, stand, half = poses.sit, poses.stand, poses.half
    tl = Timeline(ctx.shape, stand)
    tl.phase("lead_in")
    tl.stay(ctx.dur(1.2))
    tl.move(half, ctx.dur(1.2))
    tl.move(sit, ctx.dur(1.3))
    tl.stay(1.0)
    tl.phase("exercise")
    switch_s = 0.0
    for n_side, side in enumerate((ctx.side, other(ctx.side))):
        if n_side == 1:
            tl.move(half, ctx.dur(1.2))
            tl.move(stand, ctx.dur(1.2))
            tl.stay(0.4)
            switch_s = tl.t
            tl.stay(1.0)
            tl.move(half, ctx.dur(1.2))
            tl.move(sit, ctx.dur(1.3))
            tl.stay(1.0)
        for i in range(1, ctx.n + 1):
            faults = ctx.rep_faults(i)
            shallow = "shallow" in faults
            turn = SHALLOW_DEG if shallow else TWIST_DEG + float(ctx.rng.uniform(-4, 4))
            top = _twisted(ctx.shape, sit, side, turn, hold_chair=not shallow)
            up_s, hold_s, down_s = ctx.dur(2.2), ctx.dur(2.0), ctx.dur(2.2)
            _rep(tl, sit, top, up_s, hold_s, down_s, side, faults, not shallow, 0.8)
    tl.phase("walk_out")
    tl.move(half, ctx.dur(1.3))
    tl.move(stand, ctx.dur(1.2))
    tl.stay(1.0)
    tl.finish()
    return tl, switch_s


def build_seated_torso_twist(ctx: _Ctx) -> Motion:
    """Twist toward the chair back ``n`` times on each side (``ctx.side`` first)."""
    from formcheck.synth.motions import Motion, SignalDef

    shape = ctx.shape
    tl, switch_s = _timeline(ctx, _poses(shape))
    seat_h = seat_height(shape)
    half_width = shape.dims.pelvis_radii[1]
    first, second = ctx.side, other(ctx.side)
    first_chair = chair_sideways(_seat_xy(half_width, first), first, seat_h)
    second_chair = chair_sideways(_seat_xy(half_width, second), second, seat_h)
    subject = SubjectFrame(
        centre=np.array([0.15, 0.0, 0.75 * shape.scale]),
        left=np.array([0.0, 1.0, 0.0]),
        front=np.array([1.0, 0.0, 0.0]),
        feet=None,
    )
    return Motion(
        "seated_torso_twist", ctx.params, shape, tl, subject, first_chair,
        "seated", "reps", SignalDef("twist_{side}", 20.0, 8.0, "up", per_side=True),
        f"Sitting sideways on an armless chair, both hands on its back, the chest turns "
        f"~{TWIST_DEG:.0f} deg toward the back (head ~{TWIST_DEG * _HEAD_SHARE:.0f} deg "
        f"more) and returns; {first} side first, then the person stands, the chair is "
        "turned round (its back to the other side) and the other side follows. Shallow: "
        f"{SHALLOW_DEG:.0f} deg with the hands left on the thighs. Lead-in: sit down; "
        "walk-out: stand up.",
        prop_changes=((switch_s, second_chair),),
    )  # fmt: skip

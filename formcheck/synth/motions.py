"""Keyframed motions for every seed exercise, with labelled reps, holds and faults.

Every clip has three phases: ``lead_in`` (getting into the start position,
e.g. sitting on the mat and lying back, or kneeling and leaning onto the
hands), ``exercise`` (repetitions with seeded tempo variation, or holds of a
known length) and ``walk_out`` (getting back up), so rep counters are tested
against the movements around the exercise too.

``side`` means: the side that faces the camera in a side view and, for
one-sided exercises, the working limb (the leg that glides, is pulled in,
crossed or raised; the clamshell's top leg; the first leg lifted in a bird
dog).

Example:
    >>> motion = build_motion("glute_bridge", SHAPES["medium"], MotionParams(n_reps=3))
    >>> [r.counted for r in motion.timeline.reps]
    [True, True, True]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from formcheck.synth.camera import SubjectFrame
from formcheck.synth.faults import check_fault
from formcheck.synth.keyframes import Anchor, Goal, PoseSpec, Timeline
from formcheck.synth.postures import (
    Side,
    bisect,
    chair_props,
    foot_goal,
    hand_goal,
    hook_lying,
    kneel_angles,
    long_sitting,
    measure,
    other,
    pfx,
    prone,
    seated,
    side_lying,
    skeleton,
    standing,
    standing_planted,
    supine,
    tabletop,
    tall_kneeling,
    xy,
)
from formcheck.synth.render import Box
from formcheck.synth.skeleton import SHAPES, BodyShape, landmarks_3d

Kind = Literal["reps", "hold"]
#: Start offset of a ``short`` lead-in (settling into the start pose).
_BIRD_DOG_ENTER_DEG: Final = 65.0
_SETTLE_PERTURB: Final = {"neck_flex": 12.0, "spine_twist": 4.0, "head_turn": 10.0}
_PROP_BGR: Final = (55, 75, 105)


@dataclass(frozen=True)
class MotionParams:
    """What to perform.

    Attributes:
        side: Side facing the camera and working side (see module doc).
        n_reps: Repetitions (per side for alternating exercises) or holds;
            ``None`` = the exercise's default.
        hold_s: Hold length (hold exercises) or top hold of a repetition.
        tempo: Duration multiplier (2 = twice as slow).
        faults: Fault ids to inject (see :mod:`formcheck.synth.faults`).
        fault_reps: 1-based repetition numbers (per side) that get the
            faults; ``None`` = every second repetition (2, 4, ...).
        seed: Seeds tempo variation and small pose differences.
        lead_in: ``full``: get into position from sitting/kneeling/standing
            and get back up at the end; ``short``: only settle into the start
            pose over 2 s and stay still for 1 s at the end.
    """

    side: Side = "left"
    n_reps: int | None = None
    hold_s: float | None = None
    tempo: float = 1.0
    faults: tuple[str, ...] = ()
    fault_reps: tuple[int, ...] | None = None
    seed: int = 0
    lead_in: Literal["full", "short"] = "full"

    def __post_init__(self) -> None:
        if self.lead_in not in ("full", "short"):
            raise ValueError(
                f"`lead_in` must be 'full' or 'short', but got {self.lead_in!r}"
            )
        if self.side not in ("left", "right"):
            raise ValueError(f"`side` must be 'left' or 'right', but got {self.side!r}")
        if self.n_reps is not None and not 1 <= self.n_reps <= 50:
            raise ValueError(f"`n_reps` must be in [1, 50], but got {self.n_reps!r}")
        if self.hold_s is not None and not 0.0 <= self.hold_s <= 300.0:
            raise ValueError(f"`hold_s` must be in [0, 300], but got {self.hold_s!r}")
        if not 0.3 <= self.tempo <= 4.0:
            raise ValueError(f"`tempo` must be in [0.3, 4], but got {self.tempo!r}")


@dataclass(frozen=True)
class SignalDef:
    """The truth signal that counts repetitions (or times holds).

    Attributes:
        name: A :mod:`~formcheck.synth.measures` signal or a joint-angle
            parameter (``param:spine_flex``).
        enter: Threshold of the active (or held) band.
        exit: Threshold of the rest band (reps only).
        direction: ``up`` if the signal rises into the active band.
        per_side: For alternating exercises, ``name`` holds ``{side}`` and is
            evaluated once per side.
    """

    name: str
    enter: float
    exit: float
    direction: Literal["up", "down"]
    per_side: bool = False


@dataclass
class Motion:
    """A complete keyframed clip with its labels.

    Attributes:
        exercise: Exercise id.
        params: What was asked for.
        shape: Body shape.
        timeline: Keyframes and labels.
        subject: Where the body is, for the camera views.
        props: Boxes in the room (mat, step, chair).
        posture: Start posture (``supine``, ``quadruped`` ...).
        kind: ``reps`` or ``hold``.
        signal: Truth signal for counting or timing.
        notes: How the motion realises the exercise.
        prop_changes: ``(time_s, props)`` pairs: from ``time_s`` on, the room
            holds ``props`` instead (a chair turned round between sets).
    """

    exercise: str
    params: MotionParams
    shape: BodyShape
    timeline: Timeline
    subject: SubjectFrame
    props: tuple[Box, ...]
    posture: str
    kind: Kind
    signal: SignalDef | None
    notes: str = ""
    prop_changes: tuple[tuple[float, tuple[Box, ...]], ...] = ()

    def props_at(self, t: float) -> tuple[Box, ...]:
        """The props in the room at time ``t`` (s)."""
        props = self.props
        for start_s, changed in self.prop_changes:
            if t >= start_s:
                props = changed
        return props

    @property
    def duration_s(self) -> float:
        """Length of the clip."""
        return self.timeline.t


@dataclass(frozen=True)
class ExerciseInfo:
    """Static facts about one exercise.

    Attributes:
        id: Exercise id.
        kind: ``reps`` or ``hold``.
        posture: Start posture.
        view: Recommended camera view.
        camera_height_m: Typical camera height for that view.
        default_reps: Reps (per side) or holds.
        default_hold_s: Hold length (holds) or top hold (reps).
        min_hold_s: Minimum hold time (holds).
        alternating: Reps alternate sides.
    """

    id: str
    kind: Kind
    posture: str
    view: str
    camera_height_m: float
    default_reps: int
    default_hold_s: float
    min_hold_s: float = 0.0
    alternating: bool = False


@dataclass
class _Ctx:
    shape: BodyShape
    params: MotionParams
    info: ExerciseInfo
    rng: np.random.Generator

    @property
    def side(self) -> Side:
        return self.params.side

    @property
    def n(self) -> int:
        return self.params.n_reps or self.info.default_reps

    @property
    def hold_s(self) -> float:
        h = self.params.hold_s
        return self.info.default_hold_s if h is None else h

    def dur(self, seconds: float) -> float:
        """A duration with the tempo and a little seeded variation."""
        return seconds * self.params.tempo * float(self.rng.uniform(0.88, 1.15))

    def rep_faults(self, number: int) -> tuple[str, ...]:
        """Faults of the ``number``-th repetition (1-based, per side)."""
        if not self.params.faults:
            return ()
        chosen = self.params.fault_reps
        if chosen is None:
            chosen = tuple(range(2, self.n + 1, 2)) or (1,)
        return self.params.faults if number in chosen else ()


def _mat(
    length: float, width: float, centre: tuple[float, float], yaw: float = 0.0
) -> Box:
    return Box(
        (centre[0], centre[1], 0.003),
        (length / 2, width / 2, 0.003),
        yaw,
        (150, 95, 80),
    )


def _rep(
    tl: Timeline,
    rest: PoseSpec,
    top: PoseSpec,
    up_s: float,
    hold_s: float,
    down_s: float,
    side: str | None,
    faults: tuple[str, ...],
    counted: bool = True,
    pause_s: float = 0.6,
) -> None:
    start = tl.t
    tl.move(top, up_s)
    reached = tl.t
    if hold_s > 0:
        tl.stay(hold_s)
    peak = (reached + tl.t) / 2.0
    tl.move(rest, down_s)
    tl.add_rep(side, start, peak, counted, faults)
    if pause_s > 0:
        tl.stay(pause_s)


def _hold(
    tl: Timeline,
    ctx: _Ctx,
    rest: PoseSpec,
    held: PoseSpec,
    in_s: float,
    out_s: float,
    side: str | None,
) -> None:
    """One hold of ``ctx.hold_s`` (half the minimum if ``released_early``)."""
    faults = ctx.rep_faults(1) if ctx.params.fault_reps else ctx.params.faults
    length = ctx.hold_s
    if "released_early" in faults:
        length = min(length, 0.5 * ctx.info.min_hold_s)
    tl.move(held, in_s)
    start = tl.t
    tl.stay(max(length, 0.5))
    tl.add_hold(side, start, ctx.info.min_hold_s, faults)
    tl.move(rest, out_s)


# ============================================================ transitions
def _supine_lead_in(
    ctx: _Ctx, target: PoseSpec, start_exercise: bool = True
) -> Timeline:
    """Sit on the mat, lie back, then settle into ``target`` (all at x = 0)."""
    sit = long_sitting(ctx.shape)
    tl = Timeline(ctx.shape, sit)
    tl.phase("lead_in")
    tl.stay(ctx.dur(1.2))
    tl.move(supine(ctx.shape), ctx.dur(2.2))
    tl.move(target, ctx.dur(1.6))
    tl.stay(0.8)
    if start_exercise:
        tl.phase("exercise")
    return tl


def _supine_walk_out(ctx: _Ctx, tl: Timeline) -> None:
    tl.phase("walk_out")
    tl.move(supine(ctx.shape), ctx.dur(1.5))
    tl.move(long_sitting(ctx.shape), ctx.dur(2.2))
    tl.stay(1.0)
    tl.finish()


def _kneel_to_table(ctx: _Ctx, table: PoseSpec) -> Timeline:
    """Kneel upright, then lean forward onto the hands."""
    kneel = tall_kneeling(ctx.shape)
    tl = Timeline(ctx.shape, kneel)
    tl.phase("lead_in")
    tl.stay(ctx.dur(1.5))
    mid = kneel.with_angles(
        **kneel_angles(45.0, 0.0),
        l_shoulder_flex=50.0,
        r_shoulder_flex=50.0,
        neck_flex=-10.0,
    )
    tl.move(mid, ctx.dur(1.2))
    tl.move(table, ctx.dur(1.2))
    tl.stay(1.0)
    tl.phase("exercise")
    return tl


def _table_walk_out(ctx: _Ctx, tl: Timeline, table: PoseSpec) -> None:
    tl.phase("walk_out")
    kneel = tall_kneeling(ctx.shape)
    tl.move(table, ctx.dur(0.8))
    mid = kneel.with_angles(
        **kneel_angles(45.0, 0.0),
        l_shoulder_flex=50.0,
        r_shoulder_flex=50.0,
        neck_flex=-10.0,
    )
    tl.move(mid, ctx.dur(1.2))
    tl.move(kneel, ctx.dur(1.2))
    tl.stay(1.2)
    tl.finish()


def _lying_subject(shape: BodyShape, head_toward: float) -> SubjectFrame:
    """Subject frame of a body lying along x with the head toward ``head_toward``."""
    return SubjectFrame(
        centre=np.array([-head_toward * 0.05, 0.0, 0.25 * shape.scale]),
        left=np.array([0.0, 1.0, 0.0]),
        front=None,
        feet=np.array([-head_toward, 0.0, 0.0]),
    )


# =============================================================== quadruped
def _table_context(ctx: _Ctx) -> tuple[PoseSpec, float]:
    table = tabletop(ctx.shape)
    return table, float(table.angles["pitch"])


def _quadruped_motion(
    ctx: _Ctx, exercise: str, tl: Timeline, signal: SignalDef | None, notes: str
) -> Motion:
    return Motion(
        exercise,
        ctx.params,
        ctx.shape,
        tl,
        _lying_subject(ctx.shape, head_toward=1.0),
        (_mat(1.9 * ctx.shape.scale, 0.65, (0.0, 0.0)),),
        "quadruped",
        ctx.info.kind,
        signal,
        notes,
    )


def build_rockbacks(ctx: _Ctx) -> Motion:
    """Tabletop, rock the hips back toward the heels with the hands planted."""
    table, _ = _table_context(ctx)
    shape = ctx.shape
    hands = {k: v for k, v in table.goals.items()}
    arm = shape.dims.upper_arm + shape.dims.forearm

    def rocked(thigh_deg: float) -> PoseSpec:
        def pose_for(pitch: float) -> PoseSpec:
            angles = {
                **table.angles,
                **kneel_angles(pitch, thigh_deg),
                "l_shoulder_flex": pitch + thigh_deg * 1.2,
                "r_shoulder_flex": pitch + thigh_deg * 1.2,
                "neck_flex": -12.0 - thigh_deg * 0.2,
            }
            return PoseSpec(angles, table.anchor, hands)

        def reach(pitch: float) -> float:
            sk = skeleton(shape, PoseSpec(pose_for(pitch).angles, table.anchor))
            goal = hands["l_arm"].target
            assert goal is not None
            return (
                float(np.linalg.norm(sk.joints["l_shoulder"] - np.array(goal)))
                - 0.99 * arm
            )

        pitch = bisect(reach, 25.0, float(table.angles["pitch"]) + 5.0)
        return pose_for(pitch)

    tl = _kneel_to_table(ctx, table)
    for i in range(1, ctx.n + 1):
        faults = ctx.rep_faults(i)
        shallow = "shallow" in faults
        top = rocked(12.0 if shallow else 48.0 + float(ctx.rng.uniform(-4, 4)))
        _rep(
            tl,
            table,
            top,
            ctx.dur(1.6),
            ctx.dur(0.6),
            ctx.dur(1.6),
            None,
            faults,
            not shallow,
        )
    _table_walk_out(ctx, tl, table)
    rest_hip = measure(shape, table, f"sag:hip_{ctx.side}")
    sig = SignalDef(f"sag:hip_{ctx.side}", rest_hip - 25.0, rest_hip - 10.0, "down")
    return _quadruped_motion(
        ctx, "rockbacks", tl, sig,
        "Hands and knees stay planted; the thighs pivot about the knees (48 deg, "
        "shallow: 12 deg) and the trunk tilt is solved so the straight arms keep reaching the hands.",
    )  # fmt: skip


def _bird_dog_top(
    ctx: _Ctx,
    table: PoseSpec,
    leg: Side | None,
    arm: Side | None,
    faults: tuple[str, ...],
) -> PoseSpec:
    """Reach position: ``leg`` extended back and/or ``arm`` forward."""
    pitch = float(table.angles["pitch"])
    a: dict[str, float] = {}
    goals: dict[str, Goal | None] = {}
    shallow = "shallow" in faults
    sag = "back_sagging" in faults
    extension = 24.0 if sag else 0.0
    # Sagging: lumbar extension with an anterior pelvic tilt (chest stays level).
    pelvis = pitch + extension
    thorax = pelvis - extension
    if sag:
        a["pitch"] = pelvis
        a["spine_flex"] = -extension
        for s in ("l", "r"):
            if leg is None or s != pfx(leg):
                # Support thigh tips forward 15 deg: the hips sink ~2 cm.
                a[f"{s}_hip_flex"] = -15.0 + pelvis
                a[f"{s}_knee_flex"] = -15.0 + 90.0
    if leg is not None:
        s = pfx(leg)
        lift = 90.0
        if "leg_short_of_line" in faults:
            lift = 50.0
        if shallow:
            lift = 30.0
        lift += float(ctx.rng.uniform(-3, 3))
        a[f"{s}_hip_flex"] = pelvis - lift
        a[f"{s}_knee_flex"] = 20.0 if lift < 60 else 4.0
        a[f"{s}_ankle_flex"] = -15.0
    if arm is not None:
        s = pfx(arm)
        lift = 90.0
        if "arm_short_of_line" in faults:
            lift = 45.0
        if shallow:
            lift = 30.0
        lift += float(ctx.rng.uniform(-3, 3))
        a[f"{s}_shoulder_flex"] = thorax + lift
        a[f"{s}_shoulder_abd"] = 2.0
        a[f"{s}_elbow_flex"] = 4.0
        goals[f"{s}_arm"] = None
    if "hip_opening" in faults:
        lifted = leg or arm
        m = 1.0 if lifted == "left" else -1.0
        a["turn"] = 40.0 * m
        a["spine_twist"] = -22.0 * m
    pose = table.with_angles(**a).with_goals(**goals)
    support = other(leg) if leg is not None else None
    if support is not None:
        sk = skeleton(ctx.shape, table)
        pose = pose.with_anchor(
            Anchor(
                f"{pfx(support)}_knee",
                xy(sk, f"{pfx(support)}_knee"),
                ground=(f"{pfx(support)}_shin",),
            )
        )
    return pose


def _build_bird_dog(ctx: _Ctx, exercise: str, limbs: str) -> Motion:
    table, _ = _table_context(ctx)
    tl = _kneel_to_table(ctx, table)
    name = {
        "full": "sag:bird_dog_{side}",
        "arm": "sag:arm_lift_{side}",
        "leg": "sag:leg_lift_{side}",
    }
    first = ctx.side
    sides = [first, other(first)] if ctx.info.alternating else [first]
    for i in range(1, ctx.n + 1):
        for side in sides:
            faults = ctx.rep_faults(i)
            if limbs == "full":
                leg, arm = side, other(side)
            elif limbs == "arm":
                leg, arm = None, side
            else:
                leg, arm = side, None
            top = _bird_dog_top(ctx, table, leg, arm, faults)
            # A rep counts when the higher lifted limb reaches the active band
            # (65 deg from straight down): an arm *and* leg short of the line,
            # or a shallow attempt, is not a repetition.
            reach = measure(ctx.shape, top, name[limbs].format(side=side))
            _rep(
                tl, table, top, ctx.dur(1.5), ctx.dur(ctx.hold_s), ctx.dur(1.4),
                side, faults, reach >= _BIRD_DOG_ENTER_DEG, pause_s=ctx.dur(0.7),
            )  # fmt: skip
    _table_walk_out(ctx, tl, table)
    sig = SignalDef(name[limbs], _BIRD_DOG_ENTER_DEG, 35.0, "up", per_side=True)
    notes = {
        "full": "Rep side = the lifted leg (the opposite arm lifts with it), as in the bird_dog spec; sides alternate.",
        "arm": "Rep side = the lifted arm.",
        "leg": "Rep side = the lifted leg.",
    }[limbs]
    return _quadruped_motion(ctx, exercise, tl, sig, notes)


def build_bird_dog(ctx: _Ctx) -> Motion:
    """Full bird dog: opposite arm and leg, alternating sides."""
    return _build_bird_dog(ctx, "bird_dog", "full")


def build_bird_dog_arm(ctx: _Ctx) -> Motion:
    """Modified bird dog: the arm only (working side)."""
    return _build_bird_dog(ctx, "bird_dog_arm", "arm")


def build_bird_dog_leg(ctx: _Ctx) -> Motion:
    """Modified bird dog: the leg only (working side)."""
    return _build_bird_dog(ctx, "bird_dog_leg", "leg")


def build_cat_cow(ctx: _Ctx) -> Motion:
    """Round the back (cat) and let it sag (cow), hands and knees planted."""
    table, _ = _table_context(ctx)
    shape = ctx.shape
    rest_z = float(skeleton(shape, table).joints["l_shoulder"][2])

    def curve(flex: float, neck: float) -> PoseSpec:
        def pose_for(pitch: float) -> PoseSpec:
            return table.with_angles(
                **kneel_angles(pitch, 0.0),
                spine_flex=flex,
                neck_flex=neck,
                l_shoulder_flex=pitch + flex,
                r_shoulder_flex=pitch + flex,
            )

        def err(pitch: float) -> float:
            sk = skeleton(shape, PoseSpec(pose_for(pitch).angles, table.anchor))
            return float(sk.joints["l_shoulder"][2]) - rest_z

        return pose_for(
            bisect(
                err,
                float(table.angles["pitch"]) - 45,
                float(table.angles["pitch"]) + 45,
            )
        )

    tl = _kneel_to_table(ctx, table)
    for i in range(1, ctx.n + 1):
        faults = ctx.rep_faults(i)
        shallow = "shallow" in faults
        k = 0.3 if shallow else 1.0
        cat = curve(38.0 * k, 35.0 * k)
        cow = curve(-26.0 * k, -28.0 * k)
        start = tl.t
        tl.move(cat, ctx.dur(1.6))
        tl.stay(ctx.dur(1.0))
        peak = tl.t - 0.5
        tl.move(cow, ctx.dur(2.0))
        tl.stay(ctx.dur(1.0))
        tl.move(table, ctx.dur(1.3))
        tl.add_rep(None, start, peak, not shallow, faults)
        tl.stay(ctx.dur(0.5))
    _table_walk_out(ctx, tl, table)
    sig = SignalDef("param:spine_flex", 20.0, 8.0, "up")
    return _quadruped_motion(
        ctx, "cat_cow", tl, sig,
        "One rep = neutral -> cat (spine flexion 38 deg, head down) -> cow (extension 26 deg, "
        "head up) -> neutral; the pelvis tilt is solved to keep the shoulders level. Shallow: 30 %.",
    )  # fmt: skip


def build_childs_pose(ctx: _Ctx) -> Motion:
    """From tabletop, sit back toward the heels with the arms long; hold."""
    table, _ = _table_context(ctx)
    shape = ctx.shape
    thigh = 52.0
    pitch = 98.0
    tsk = skeleton(shape, table)
    child = table.with_angles(
        **kneel_angles(pitch, thigh),
        l_ankle_flex=-80.0,
        r_ankle_flex=-80.0,
        spine_flex=12.0,
        neck_flex=25.0,
        l_shoulder_flex=pitch + 80.0,
        r_shoulder_flex=pitch + 80.0,
    ).with_goals(
        **{
            f"{s}_arm": hand_goal(
                shape,
                (xy(tsk, f"{s}_palm")[0] + 0.12 * shape.scale, xy(tsk, f"{s}_palm")[1]),
                (1.0, 0.0),
                pole=(0.0, 0.4 if s == "l" else -0.4, -1.0),
            )
            for s in ("l", "r")
        }
    )
    tl = _kneel_to_table(ctx, table)
    _hold(tl, ctx, table, child, ctx.dur(3.0), ctx.dur(2.5), None)
    tl.stay(0.8)
    _table_walk_out(ctx, tl, table)
    sig = SignalDef(f"sag:knee_{ctx.side}", 60.0, 60.0, "down")
    return _quadruped_motion(
        ctx, "childs_pose", tl, sig,
        "Starts in tabletop with the face visible, sinks back (knees bent to ~35 deg, hands slide "
        "12 cm forward, forehead down), holds, and comes back to tabletop.",
    )  # fmt: skip


# ================================================================ prone
def _prone_motion(ctx: _Ctx, tl: Timeline, signal: SignalDef, notes: str) -> Motion:
    return Motion(
        "mckenzie_press_up",
        ctx.params,
        ctx.shape,
        tl,
        _lying_subject(ctx.shape, head_toward=1.0),
        (_mat(1.9 * ctx.shape.scale, 0.65, (-0.15, 0.0)),),
        "prone",
        "reps",
        signal,
        notes,
    )


def build_mckenzie_press_up(ctx: _Ctx) -> Motion:
    """Prone press-up: the chest rises on the arms, hips stay on the floor."""
    shape = ctx.shape
    lie = prone(shape)
    psk = skeleton(shape, lie)
    knees = xy(psk, "mid_knee")
    arm = shape.dims.upper_arm + shape.dims.forearm
    hand = lie.goals["l_arm"].target
    assert hand is not None

    def pressed(extension: float, hips_lift: float) -> PoseSpec:
        def pose_for(ext: float) -> PoseSpec:
            if hips_lift > 0:
                thigh = -90.0 + hips_lift
                return lie.with_angles(
                    pitch=90.0 - ext,
                    spine_flex=-ext * 0.35,
                    l_hip_flex=thigh + 90.0 - ext,
                    r_hip_flex=thigh + 90.0 - ext,
                    l_knee_flex=hips_lift,
                    r_knee_flex=hips_lift,
                    neck_flex=-15.0,
                ).with_anchor(Anchor("mid_knee", knees, ground=("l_shin", "r_shin")))
            return lie.with_angles(spine_flex=-ext, neck_flex=-15.0)

        def reach(ext: float) -> float:
            sk = skeleton(shape, PoseSpec(pose_for(ext).angles, pose_for(ext).anchor))
            return (
                float(np.linalg.norm(sk.joints["l_shoulder"] - np.array(hand)))
                - 0.965 * arm
            )

        return pose_for(bisect(reach, 0.0, extension))

    tl = Timeline(shape, tall_kneeling(shape, (-0.55 * shape.scale, 0.0)))
    tl.phase("lead_in")
    tl.stay(ctx.dur(1.0))
    table = tabletop(shape, (-0.55 * shape.scale, 0.0))
    tl.move(table, ctx.dur(1.6))
    lowering = table.with_angles(**kneel_angles(96.0, -62.0), neck_flex=-20.0)
    tl.move(lowering, ctx.dur(1.4))
    tl.move(lie.with_angles(spine_flex=-20.0, neck_flex=-20.0), ctx.dur(1.6))
    tl.move(lie, ctx.dur(1.2))
    tl.stay(0.8)
    tl.phase("exercise")
    for i in range(1, ctx.n + 1):
        faults = ctx.rep_faults(i)
        shallow = "shallow" in faults
        if "hips_lifting" in faults:
            top = pressed(40.0, 13.0)
        else:
            top = pressed(14.0 if shallow else 60.0, 0.0)
        # Slowly up, slowly down (R41: 4 s / 4 s; the spec's minimum is 2 s).
        _rep(
            tl,
            lie,
            top,
            ctx.dur(3.0),
            ctx.dur(0.8),
            ctx.dur(3.0),
            None,
            faults,
            not shallow,
        )
    tl.phase("walk_out")
    tl.move(lie.with_angles(spine_flex=-20.0, neck_flex=-20.0), ctx.dur(1.0))
    tl.move(lowering, ctx.dur(1.6))
    tl.move(table, ctx.dur(1.4))
    tl.move(tall_kneeling(shape, (-0.55 * shape.scale, 0.0)), ctx.dur(1.6))
    tl.stay(1.0)
    tl.finish()
    rest = measure(shape, lie, "sag:trunk_elev")
    sig = SignalDef("sag:trunk_elev", rest + 15.0, rest + 6.0, "up")
    return _prone_motion(
        ctx, tl, sig,
        "Lead-in from kneeling via tabletop down to prone. The press-up extends the spine "
        "(lumbar + thoracic) as far as the planted arms reach; hips_lifting pivots the whole "
        "body about the knees instead (hips rise ~9 cm). Shallow: a small lift.",
    )  # fmt: skip


# ================================================================ supine
def _supine_motion(
    ctx: _Ctx, exercise: str, tl: Timeline, signal: SignalDef | None, notes: str
) -> Motion:
    return Motion(
        exercise,
        ctx.params,
        ctx.shape,
        tl,
        _lying_subject(ctx.shape, head_toward=-1.0),
        (_mat(1.9 * ctx.shape.scale, 0.65, (0.1, 0.0)),),
        "supine",
        ctx.info.kind,
        signal,
        notes,
    )


def _arms_on_floor(shape: BodyShape, pose: PoseSpec) -> PoseSpec:
    """Plant both palms on the floor beside the hips (supine)."""
    sk = skeleton(shape, pose)
    px = float(sk.joints["pelvis"][0]) + 0.02 * shape.scale
    goals = {}
    for s, m in (("l", 1.0), ("r", -1.0)):
        y = float(sk.joints[f"{s}_shoulder"][1]) + m * 0.07 * shape.scale
        goals[f"{s}_arm"] = hand_goal(
            shape, (px, y), (1.0, 0.0), pole=(0.4, m * 1.0, 0.0)
        )
    return pose.with_goals(**goals)


def build_glute_bridge(ctx: _Ctx) -> Motion:
    """Hook-lying, lift the hips until shoulders, hips and knees line up."""
    shape = ctx.shape
    rest = _arms_on_floor(shape, hook_lying(shape, hip_flex=48.0, knee_flex=100.0))
    rsk = skeleton(shape, rest)
    shoulders = xy(rsk, "mid_shoulder")
    near = ctx.side

    def bridge(target_deg: float, arch: float) -> PoseSpec:
        def pose_for(lift: float) -> PoseSpec:
            return rest.with_angles(
                pitch=-90.0 - lift, neck_flex=6.0 + lift, spine_flex=-arch
            ).with_anchor(Anchor("mid_shoulder", shoulders, ground=("torso",)))

        def err(lift: float) -> float:
            return measure(shape, pose_for(lift), f"sag:hip_ext_{near}") - target_deg

        return pose_for(bisect(err, 0.0, 60.0))

    tl = _supine_lead_in(ctx, rest)
    for i in range(1, ctx.n + 1):
        faults = ctx.rep_faults(i)
        shallow = "shallow" in faults
        target = 180.0 + float(ctx.rng.uniform(-3, 2))
        arch = 0.0
        if "not_high_enough" in faults:
            target = 162.0
        if "over_arch" in faults:
            target, arch = 200.0, 8.0
        if shallow:
            target = 150.0
        top = bridge(target, arch)
        _rep(
            tl,
            rest,
            top,
            ctx.dur(1.6),
            ctx.dur(ctx.hold_s),
            ctx.dur(1.8),
            None,
            faults,
            not shallow,
        )
    _supine_walk_out(ctx, tl)
    sig = SignalDef(f"sag:hip_ext_{near}", 160.0, 145.0, "up")
    return _supine_motion(
        ctx, "glute_bridge", tl, sig,
        "Feet and shoulders stay planted; the pelvis tilt is solved so the near hip angle "
        "(shoulder-hip-knee, 360-interior when above the line) peaks at 180 (good), 162 "
        "(not_high_enough), 200 with 8 deg lumbar extension (over_arch) or 150 (shallow).",
    )  # fmt: skip


def build_pelvic_tilt(ctx: _Ctx) -> Motion:
    """Hook-lying posterior pelvic tilt: a small rotation of the pelvis."""
    shape = ctx.shape
    rest = hook_lying(shape, hip_flex=48.0, knee_flex=100.0)
    tl = _supine_lead_in(ctx, rest)
    for i in range(1, ctx.n + 1):
        faults = ctx.rep_faults(i)
        shallow = "shallow" in faults
        tilt = 3.0 if shallow else 12.0
        top = rest.with_angles(pitch=-90.0 - tilt, spine_flex=tilt)
        _rep(
            tl,
            rest,
            top,
            ctx.dur(1.5),
            ctx.dur(max(ctx.hold_s, 0.5)),
            ctx.dur(1.5),
            None,
            faults,
            not shallow,
        )
    _supine_walk_out(ctx, tl)
    sig = SignalDef("param:pelvic_tilt", 8.0, 4.0, "up")
    return _supine_motion(
        ctx, "pelvic_tilt", tl, sig,
        "Posterior tilt of 12 deg (shallow: 3 deg) with matching lumbar flexion, so the "
        "chest stays on the floor. Almost invisible to a landmark model by design.",
    )  # fmt: skip


def build_sciatic_nerve_glide_supine(ctx: _Ctx) -> Motion:
    """Supine, working hip and knee at 90 degrees, straighten the knee."""
    shape = ctx.shape
    w = pfx(ctx.side)
    base = supine(shape)

    def glide(knee_flex: float, hip_flex: float, ankle: float) -> PoseSpec:
        return base.with_angles(
            **{
                f"{w}_hip_flex": hip_flex,
                f"{w}_knee_flex": knee_flex,
                f"{w}_ankle_flex": ankle,
                f"{w}_hip_abd": 2.0,
            }
        ).with_goals(
            **{
                f"{s}_arm": Goal(
                    attach=(f"{w}_hip", f"{w}_knee", 0.72),
                    offset=(
                        -0.06 * shape.scale,
                        (0.07 if s == "l" else -0.07) * shape.scale,
                        0.0,
                    ),
                    pole=(-0.2, 1.0 if s == "l" else -1.0, 0.3),
                )
                for s in ("l", "r")
            }
        )

    rest = glide(90.0, 90.0, 0.0)
    tl = _supine_lead_in(ctx, rest)
    for i in range(1, ctx.n + 1):
        faults = ctx.rep_faults(i)
        shallow = "shallow" in faults
        hip = 90.0 + float(ctx.rng.uniform(-2, 2))
        knee = 20.0 + float(ctx.rng.uniform(-4, 4))
        if shallow:
            knee = 72.0
        if "thigh_drift" in faults:
            hip = 62.0
        top = glide(knee, hip, 15.0)
        _rep(
            tl,
            rest,
            top,
            ctx.dur(2.2),
            ctx.dur(0.5),
            ctx.dur(2.2),
            ctx.side,
            faults,
            not shallow,
        )
    _supine_walk_out(ctx, tl)
    sig = SignalDef(f"sag:knee_{ctx.side}", 130.0, 108.0, "up")
    return _supine_motion(
        ctx, "sciatic_nerve_glide_supine", tl, sig,
        "Hands hold the back of the working thigh; the knee straightens from 90 to ~160 deg "
        "(shallow: to 108) with the ankle dorsiflexing. thigh_drift lets the hip angle open "
        "28 deg (hip flexion 90 -> 62) during the rep.",
    )  # fmt: skip


def _k2c_pose(ctx: _Ctx, sides: tuple[str, ...], hip: float, knee: float) -> PoseSpec:
    shape = ctx.shape
    base = supine(shape)
    a: dict[str, float] = {}
    for s in sides:
        a[f"{s}_hip_flex"] = hip
        a[f"{s}_knee_flex"] = knee
        a[f"{s}_ankle_flex"] = -10.0
        a[f"{s}_hip_abd"] = 6.0 if len(sides) == 2 else 2.0
    goals = {}
    for s in ("l", "r"):
        knee_side = s if s in sides else sides[0]
        m = 1.0 if s == "l" else -1.0
        goals[f"{s}_arm"] = Goal(
            attach=(f"{knee_side}_knee", f"{knee_side}_ankle", 0.18),
            offset=(0.07 * shape.scale, m * 0.04 * shape.scale, 0.0),
            pole=(-0.3, m * 1.0, 0.0),
        )
    return base.with_angles(**a, neck_flex=8.0).with_goals(**goals)


def _build_k2c(
    ctx: _Ctx, exercise: str, sides: tuple[str, ...], start: PoseSpec, notes: str
) -> Motion:
    held = _k2c_pose(ctx, sides, 122.0, 118.0)
    if exercise == "lower_back_stretch":
        held = _k2c_pose(ctx, sides, 118.0, 135.0)
    tl = _supine_lead_in(ctx, start)
    side = ctx.side if len(sides) == 1 else None
    _hold(tl, ctx, start, held, ctx.dur(2.5), ctx.dur(2.5), side)
    tl.stay(0.8)
    _supine_walk_out(ctx, tl)
    name = f"sag:hip_{ctx.side}" if len(sides) == 1 else "sag:hip_max"
    sig = SignalDef(name, 70.0, 70.0, "down")
    return _supine_motion(ctx, exercise, tl, sig, notes)


def build_knee_to_chest_single(ctx: _Ctx) -> Motion:
    """Pull one knee to the chest with both hands; hold."""
    w = pfx(ctx.side)
    return _build_k2c(
        ctx, "knee_to_chest_single", (w,), supine(ctx.shape),
        "Working knee pulled in (hip flexion 122, knee 118) with both hands below the knee; "
        "the other leg stays straight.",
    )  # fmt: skip


def build_knee_to_chest_double(ctx: _Ctx) -> Motion:
    """Pull both knees to the chest; hold."""
    return _build_k2c(
        ctx, "knee_to_chest_double", ("l", "r"), hook_lying(ctx.shape),
        "From hook-lying, both knees pulled in (hip flexion 122, knee 118), hands on the knees.",
    )  # fmt: skip


def build_lower_back_stretch(ctx: _Ctx) -> Motion:
    """Knees to chest from a 45-degree knee bend (heels near the buttocks); hold."""
    start = hook_lying(ctx.shape, hip_flex=70.0, knee_flex=135.0)
    return _build_k2c(
        ctx, "lower_back_stretch", ("l", "r"), start,
        "Reading 2 of research 4.4b: hook-lying with a 45-deg interior knee angle "
        "(heels near the buttocks), then both knees to the chest (hip flexion 118, knee 135).",
    )  # fmt: skip


def build_piriformis_stretch(ctx: _Ctx) -> Motion:
    """Supine figure-4: working ankle on the other thigh, pull that thigh in."""
    shape = ctx.shape
    w, o = pfx(ctx.side), pfx(other(ctx.side))
    m = 1.0 if ctx.side == "left" else -1.0
    start = hook_lying(shape)

    def figure4(support_hip: float, support_knee: float, pulled: bool) -> PoseSpec:
        pose = start.with_angles(
            **{
                f"{o}_hip_flex": support_hip,
                f"{o}_knee_flex": support_knee,
                f"{w}_hip_flex": support_hip - 10.0,
                f"{w}_hip_abd": 35.0,
                f"{w}_hip_rot": -45.0,
                f"{w}_knee_flex": 100.0,
            },
            neck_flex=8.0,
        )
        goals: dict[str, Goal | None] = {
            f"{w}_leg": Goal(
                attach=(f"{o}_knee", f"{o}_hip", 0.18),
                offset=(0.09 * shape.scale, m * 0.02, 0.0),
                pole=(0.6, m * 1.0, 0.0),
            ),
        }
        if pulled:
            goals[f"{o}_leg"] = None
            for s in ("l", "r"):
                mm = 1.0 if s == "l" else -1.0
                goals[f"{s}_arm"] = Goal(
                    attach=(f"{o}_hip", f"{o}_knee", 0.8),
                    offset=(-0.07 * shape.scale, mm * 0.06 * shape.scale, 0.0),
                    pole=(-0.3, mm * 1.0, 0.0),
                )
        return pose.with_goals(**goals)

    crossed = figure4(45.0, 95.0, pulled=False)
    crossed = crossed.with_goals(**{f"{o}_leg": start.goals[f"{o}_leg"]})
    pulled = figure4(100.0, 95.0, pulled=True)
    tl = _supine_lead_in(ctx, start)
    tl.move(crossed, ctx.dur(2.0))
    tl.stay(0.6)
    _hold(tl, ctx, crossed, pulled, ctx.dur(2.5), ctx.dur(2.5), ctx.side)
    tl.move(start, ctx.dur(1.8))
    tl.stay(0.5)
    _supine_walk_out(ctx, tl)
    sig = SignalDef(f"sag:hip_{other(ctx.side)}", 110.0, 110.0, "down")
    return _supine_motion(
        ctx, "piriformis_stretch", tl, sig,
        "Working (near) ankle rests on the other thigh above the knee (hip abducted 35, "
        "externally rotated 45); both hands pull the support thigh in (hip flexion 100).",
    )  # fmt: skip


def build_hamstring_stretch_lying(ctx: _Ctx) -> Motion:
    """Supine, working leg raised straight toward the ceiling; hold."""
    shape = ctx.shape
    w = pfx(ctx.side)
    start = supine(shape)

    def raised(hip: float) -> PoseSpec:
        goals = {
            f"{s}_arm": Goal(
                attach=(f"{w}_knee", f"{w}_ankle", 0.25),
                offset=(
                    -0.06 * shape.scale,
                    (0.05 if s == "l" else -0.05) * shape.scale,
                    0.0,
                ),
                pole=(-0.4, 1.0 if s == "l" else -1.0, 0.0),
            )
            for s in ("l", "r")
        }
        return start.with_angles(
            **{f"{w}_hip_flex": hip, f"{w}_knee_flex": 6.0, f"{w}_ankle_flex": 5.0},
            neck_flex=10.0,
        ).with_goals(**goals)

    tl = _supine_lead_in(ctx, start)
    _hold(
        tl,
        ctx,
        start,
        raised(72.0 + float(ctx.rng.uniform(-4, 4))),
        ctx.dur(2.5),
        ctx.dur(2.5),
        ctx.side,
    )
    tl.stay(0.8)
    _supine_walk_out(ctx, tl)
    sig = SignalDef(f"sag:leg_raise_{ctx.side}", 30.0, 30.0, "up")
    return _supine_motion(
        ctx, "hamstring_stretch_lying", tl, sig,
        "Working leg raised to ~72 deg with the knee almost straight, hands behind the calf.",
    )  # fmt: skip


# ============================================================= side-lying
def build_clamshell(ctx: _Ctx) -> Motion:
    """Side-lying, knees bent, feet together: open the top knee."""
    shape = ctx.shape
    top = ctx.side
    t, b = pfx(top), pfx(other(top))
    m = 1.0 if top == "left" else -1.0
    lie = side_lying(shape, top)
    feet_gap = 0.085 * shape.scale * shape.build

    def opened(swivel: float, roll_back: float) -> PoseSpec:
        return lie.with_angles(turn=m * roll_back).with_goals(
            **{
                f"{t}_leg": Goal(
                    attach=(f"{b}_ankle", f"{b}_ankle", 0.0),
                    offset=(0.0, m * feet_gap, 0.0),
                    pole=(1.0, 0.0, 0.0),
                    swivel_deg=swivel,
                )
            }
        )

    closed = opened(0.0, 0.0)
    # Which way the swivel lifts the knee.
    up = skeleton(shape, opened(30.0, 0.0)).joints[f"{t}_knee"][2]
    down = skeleton(shape, opened(-30.0, 0.0)).joints[f"{t}_knee"][2]
    sign = 1.0 if up > down else -1.0
    tl = _supine_lead_in(ctx, hook_lying(shape), start_exercise=False)
    tl.move(closed, ctx.dur(2.0))
    tl.stay(1.0)
    tl.phase("exercise")
    for i in range(1, ctx.n + 1):
        faults = ctx.rep_faults(i)
        shallow = "shallow" in faults
        angle = 12.0 if shallow else 48.0 + float(ctx.rng.uniform(-4, 4))
        roll = 28.0 if "hip_rolls_back" in faults else 0.0
        _rep(
            tl, closed, opened(sign * angle, roll), ctx.dur(1.7), ctx.dur(max(ctx.hold_s, 0.3)),
            ctx.dur(1.7), top, faults, not shallow,
        )  # fmt: skip
    tl.phase("walk_out")
    tl.move(hook_lying(shape), ctx.dur(2.0))
    tl.move(long_sitting(shape), ctx.dur(2.2))
    tl.stay(1.0)
    tl.finish()
    rest = measure(shape, closed, "knee_gap_ratio")
    sig = SignalDef("knee_gap_ratio", rest + 0.9, rest + 0.35, "up")
    subject = SubjectFrame(
        centre=np.array([0.0, 0.0, 0.25 * shape.scale]),
        left=None,
        front=np.array([0.0, m, 0.0]),
        feet=np.array([-1.0, 0.0, 0.0]),
    )
    return Motion(
        "clamshell", ctx.params, shape, tl, subject,
        (_mat(1.9 * shape.scale, 0.7, (0.0, 0.0)),),
        "side_lying", "reps", sig,
        "Lead-in: sit, lie back, roll onto the side. The top knee swivels open about the "
        "hip-ankle axis (feet together) by 48 deg (shallow: 12); hip_rolls_back rolls the pelvis "
        "and trunk 28 deg back toward supine during the opening.",
    )  # fmt: skip


# ============================================================== standing
def build_hamstring_stretch_standing(ctx: _Ctx) -> Motion:
    """Working heel on a step, knee straight, hinge forward from the hips; hold."""
    shape = ctx.shape
    w, o = pfx(ctx.side), pfx(other(ctx.side))
    stand = standing_planted(shape)
    ssk = skeleton(shape, stand)
    support_foot = stand.goals[f"{o}_leg"]
    step_h = 0.42 * shape.scale
    anchor = Anchor(f"{o}_ankle", xy(ssk, f"{o}_ankle"), ground=(f"{o}_foot",))

    def raised(lean: float) -> PoseSpec:
        def pose_for(hip: float) -> PoseSpec:
            return PoseSpec(
                {
                    **stand.angles,
                    "pitch": lean,
                    "spine_flex": lean * 0.2,
                    f"{o}_hip_flex": lean,
                    f"{w}_hip_flex": hip + lean,
                    f"{w}_knee_flex": 3.0,
                    f"{w}_ankle_flex": 12.0,
                    "l_shoulder_flex": 20.0 + lean,
                    "r_shoulder_flex": 20.0 + lean,
                },
                anchor,
                {f"{o}_leg": support_foot},
            )

        def err(hip: float) -> float:
            sk = skeleton(shape, pose_for(hip))
            return float(sk.joints[f"{w}_heel"][2]) - (step_h + 0.045 * shape.scale)

        return pose_for(bisect(err, 20.0, 100.0))

    up = raised(0.0)
    usk = skeleton(shape, up)
    heel = usk.joints[f"{w}_heel"]
    step = Box(
        (float(heel[0]) + 0.06, float(heel[1]), step_h / 2),
        (0.2, 0.22, step_h / 2),
        0.0,
        _PROP_BGR,
    )
    lift = stand.with_angles(
        **{f"{w}_hip_flex": 75.0, f"{w}_knee_flex": 85.0}
    ).with_goals(**{f"{w}_leg": None})
    lift = lift.with_anchor(anchor)
    lean = raised(28.0 + float(ctx.rng.uniform(-3, 3)))
    tl = Timeline(shape, stand)
    tl.phase("lead_in")
    tl.stay(ctx.dur(1.5))
    tl.move(lift, ctx.dur(1.0))
    tl.move(up, ctx.dur(1.0))
    tl.stay(0.8)
    tl.phase("exercise")
    _hold(tl, ctx, up, lean, ctx.dur(2.5), ctx.dur(2.0), ctx.side)
    tl.stay(0.6)
    tl.phase("walk_out")
    tl.move(lift, ctx.dur(1.0))
    tl.move(stand, ctx.dur(1.0))
    walk = standing(shape, (-0.35, 0.0))
    tl.move(
        walk.with_angles(l_hip_flex=-15.0, r_hip_flex=20.0, r_knee_flex=25.0),
        ctx.dur(0.8),
    )
    tl.move(standing(shape, (-0.7, 0.0)), ctx.dur(0.8))
    tl.stay(1.0)
    tl.finish()
    sig = SignalDef("sag:trunk_lean", 15.0, 15.0, "up")
    subject = SubjectFrame(
        centre=np.array([0.15, 0.0, 0.85 * shape.scale]),
        left=np.array([0.0, 1.0, 0.0]),
        front=np.array([1.0, 0.0, 0.0]),
        feet=None,
    )
    return Motion(
        "hamstring_stretch_standing", ctx.params, shape, tl, subject, (step,),
        "standing", "hold", sig,
        f"Heel on a {step_h:.2f} m step, knee straight; the trunk hinges ~28 deg forward from the "
        "hips during the hold. Walk-out: foot down, two steps back.",
    )  # fmt: skip


# ================================================================ seated
def build_sciatic_nerve_glide_seated(ctx: _Ctx) -> Motion:
    """Seated slump slider: straighten the knee while looking up; bend it looking down."""
    shape = ctx.shape
    w = pfx(ctx.side)
    seat_at = (0.0, 0.0)
    sit = seated(shape, seat_at)
    sk = skeleton(shape, sit)
    feet_x = xy(sk, "mid_ankle")[0]
    stand = standing_planted(shape, (feet_x, 0.0))
    # Keep the seated feet exactly where the standing feet are.
    sit = sit.with_goals(
        **{
            f"{s}_leg": foot_goal(shape, xy(sk, f"{s}_ankle"), (1.0, 0.0))
            for s in ("l", "r")
        }
    )
    stand = stand.with_goals(
        **{
            f"{s}_leg": foot_goal(shape, xy(sk, f"{s}_ankle"), (1.0, 0.0))
            for s in ("l", "r")
        }
    )
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
        {k: v for k, v in stand.goals.items()},
    )
    slump = sit.with_angles(spine_flex=18.0, neck_flex=20.0)

    def extended(knee_flex: float) -> PoseSpec:
        return slump.with_angles(
            **{
                f"{w}_knee_flex": knee_flex,
                f"{w}_ankle_flex": 15.0,
                f"{w}_hip_flex": 84.0,
            },
            neck_flex=-18.0,
        ).with_goals(**{f"{w}_leg": None})

    tl = Timeline(shape, stand)
    tl.phase("lead_in")
    tl.stay(ctx.dur(1.2))
    tl.move(half, ctx.dur(1.2))
    tl.move(sit, ctx.dur(1.3))
    tl.move(slump, ctx.dur(1.0))
    tl.stay(0.6)
    tl.phase("exercise")
    for i in range(1, ctx.n + 1):
        faults = ctx.rep_faults(i)
        shallow = "shallow" in faults
        knee = 58.0 if shallow else 12.0 + float(ctx.rng.uniform(-4, 4))
        _rep(
            tl,
            slump,
            extended(knee),
            ctx.dur(2.2),
            ctx.dur(0.5),
            ctx.dur(2.2),
            ctx.side,
            faults,
            not shallow,
        )
    tl.phase("walk_out")
    tl.move(sit, ctx.dur(1.0))
    tl.move(half, ctx.dur(1.3))
    tl.move(stand, ctx.dur(1.2))
    tl.stay(1.0)
    tl.finish()
    props = tuple(Box(c, h, 0.0, _PROP_BGR) for c, h in chair_props(shape, seat_at))
    subject = SubjectFrame(
        centre=np.array([0.2, 0.0, 0.75 * shape.scale]),
        left=np.array([0.0, 1.0, 0.0]),
        front=np.array([1.0, 0.0, 0.0]),
        feet=None,
    )
    sig = SignalDef(f"sag:knee_{ctx.side}", 140.0, 110.0, "up")
    return Motion(
        "sciatic_nerve_glide_seated", ctx.params, shape, tl, subject, props,
        "seated", "reps", sig,
        "Slump slider (research 4.3b variant B): sitting slumped, the working knee straightens "
        "to ~168 deg with ankle dorsiflexion while the head looks up, then bends back to ~92 "
        "deg with the chin down. Shallow: knee to ~122 deg. Lead-in: sit down; walk-out: stand up.",
    )  # fmt: skip


def build_seated_torso_twist(ctx: _Ctx) -> Motion:
    """Sideways on a chair, turning toward its back; both sides (see :mod:`.twist`)."""
    from formcheck.synth.twist import build_seated_torso_twist as build

    return build(ctx)


# ============================================================== registry
_BUILDERS: Final[dict[str, Callable[[_Ctx], Motion]]] = {
    "rockbacks": build_rockbacks,
    "bird_dog": build_bird_dog,
    "bird_dog_arm": build_bird_dog_arm,
    "bird_dog_leg": build_bird_dog_leg,
    "sciatic_nerve_glide_supine": build_sciatic_nerve_glide_supine,
    "sciatic_nerve_glide_seated": build_sciatic_nerve_glide_seated,
    "knee_to_chest_single": build_knee_to_chest_single,
    "knee_to_chest_double": build_knee_to_chest_double,
    "piriformis_stretch": build_piriformis_stretch,
    "glute_bridge": build_glute_bridge,
    "pelvic_tilt": build_pelvic_tilt,
    "cat_cow": build_cat_cow,
    "mckenzie_press_up": build_mckenzie_press_up,
    "clamshell": build_clamshell,
    "hamstring_stretch_standing": build_hamstring_stretch_standing,
    "hamstring_stretch_lying": build_hamstring_stretch_lying,
    "childs_pose": build_childs_pose,
    "lower_back_stretch": build_lower_back_stretch,
    "seated_torso_twist": build_seated_torso_twist,
}

#: Every exercise the generator can perform.
EXERCISES: Final[dict[str, ExerciseInfo]] = {
    "rockbacks": ExerciseInfo("rockbacks", "reps", "quadruped", "side", 0.45, 5, 0.6),
    "bird_dog": ExerciseInfo("bird_dog", "reps", "quadruped", "side", 0.45, 3, 2.0, alternating=True),
    "bird_dog_arm": ExerciseInfo("bird_dog_arm", "reps", "quadruped", "side", 0.45, 4, 2.0),
    "bird_dog_leg": ExerciseInfo("bird_dog_leg", "reps", "quadruped", "side", 0.45, 4, 2.0),
    "sciatic_nerve_glide_supine": ExerciseInfo("sciatic_nerve_glide_supine", "reps", "supine", "side", 0.4, 4, 0.5),
    "sciatic_nerve_glide_seated": ExerciseInfo("sciatic_nerve_glide_seated", "reps", "seated", "side", 0.7, 4, 0.5),
    "knee_to_chest_single": ExerciseInfo("knee_to_chest_single", "hold", "supine", "side", 0.4, 1, 22.0, 20.0),
    "knee_to_chest_double": ExerciseInfo("knee_to_chest_double", "hold", "supine", "side", 0.4, 1, 22.0, 20.0),
    "piriformis_stretch": ExerciseInfo("piriformis_stretch", "hold", "supine", "side", 0.4, 1, 30.0, 30.0),
    "glute_bridge": ExerciseInfo("glute_bridge", "reps", "supine", "side", 0.4, 5, 2.0),
    "pelvic_tilt": ExerciseInfo("pelvic_tilt", "reps", "supine", "side", 0.3, 6, 1.5),
    "cat_cow": ExerciseInfo("cat_cow", "reps", "quadruped", "side", 0.5, 4, 1.0),
    "mckenzie_press_up": ExerciseInfo("mckenzie_press_up", "reps", "prone", "side", 0.4, 5, 0.6),
    "clamshell": ExerciseInfo("clamshell", "reps", "side_lying", "front", 0.5, 6, 1.0),
    "hamstring_stretch_standing": ExerciseInfo("hamstring_stretch_standing", "hold", "standing", "side", 1.0, 1, 22.0, 20.0),
    "hamstring_stretch_lying": ExerciseInfo("hamstring_stretch_lying", "hold", "supine", "side", 0.4, 1, 20.0, 15.0),
    "childs_pose": ExerciseInfo("childs_pose", "hold", "quadruped", "side", 0.45, 1, 30.0, 30.0),
    "lower_back_stretch": ExerciseInfo("lower_back_stretch", "hold", "supine", "side", 0.4, 1, 22.0, 20.0),
    "seated_torso_twist": ExerciseInfo("seated_torso_twist", "reps", "seated", "front", 1.0, 3, 2.0, alternating=True),
}  # fmt: skip


def build_motion(
    exercise: str, shape: BodyShape | None = None, params: MotionParams | None = None
) -> Motion:
    """Build the keyframed motion of an exercise.

    Args:
        exercise: An id from :data:`EXERCISES`.
        shape: Body shape (default medium).
        params: What to perform (defaults: the exercise's own).

    Returns:
        The :class:`Motion`.

    Raises:
        ValueError: For an unknown exercise or a fault it does not support.
    """
    if exercise not in EXERCISES:
        raise ValueError(
            f"unknown exercise {exercise!r}; expected one of {sorted(EXERCISES)}"
        )
    params = params or MotionParams()
    for fault in params.faults:
        check_fault(exercise, fault)
    shape = shape or SHAPES["medium"]
    rng = np.random.default_rng([params.seed, 1234])
    ctx = _Ctx(shape, params, EXERCISES[exercise], rng)
    motion = _BUILDERS[exercise](ctx)
    motion.exercise = exercise
    if params.lead_in == "short":
        start_s = next(p[1] for p in motion.timeline.phases if p[0] == "exercise")
        motion.timeline = motion.timeline.trimmed(2.0, 1.0, _SETTLE_PERTURB)
        motion.prop_changes = tuple(
            (t - start_s + 2.0, props) for t, props in motion.prop_changes
        )
    return motion


def motion_landmarks(
    motion: Motion, times_s: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """3D landmarks ``(T, 33, 3)`` of a motion at the given times."""
    return np.stack(
        [landmarks_3d(motion.timeline.skeleton_at(float(t))) for t in times_s]
    )

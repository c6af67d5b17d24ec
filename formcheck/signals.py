"""Turn a pose into the named signals an exercise spec defines.

A :class:`BodyContext` says which side is near the camera, which side is
working, where the floor is and how long the body's segments are; the
:func:`compute_signals` function then evaluates every signal of a spec on one
frame. Missing or hidden landmarks give NaN, never an exception.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck import geometry
from formcheck.landmarks import Landmark, Side, landmark_index, opposite
from formcheck.specs.schema import (
    AlignmentSignal,
    CombineSignal,
    DistanceSignal,
    ExerciseSpec,
    HeightSignal,
    JointAngleSignal,
    LengthUnit,
    LineDistanceSignal,
    SegmentAngleSignal,
    Signal,
    TurnSignal,
)
from formcheck.types import PoseFrame

Array = npt.NDArray[np.float64]
NAN2: Array = np.array([np.nan, np.nan])
NAN3: Array = np.array([np.nan, np.nan, np.nan])


@dataclass(frozen=True)
class BodyContext:
    """Per-frame facts needed to resolve point names and units.

    Attributes:
        near: Side facing the camera.
        work: Working side (painful side, chosen side, or the limb moving).
        floor_point: A point on the floor line, pixels.
        floor_dir: Unit direction of the floor line, pixels.
        forward_sign: +1 if the body's forward direction points image-right.
        lengths_px: Body lengths (``torso``, ``thigh`` ...) in pixels.
        min_visibility: Landmarks below this visibility count as missing.
    """

    near: Side = Side.LEFT
    work: Side = Side.LEFT
    floor_point: Array = field(default_factory=lambda: np.array([0.0, 0.0]))
    floor_dir: Array = field(default_factory=lambda: geometry.IMAGE_RIGHT.copy())
    forward_sign: float = 1.0
    lengths_px: dict[str, float] = field(default_factory=dict)
    min_visibility: float = 0.5

    @property
    def up(self) -> Array:
        """Unit normal of the floor pointing up in the image."""
        f = self.floor_dir
        up = np.array([f[1], -f[0]])
        return up if up[1] <= 0 else -up


def side_for(prefix: str, ctx: BodyContext) -> Side | None:
    """Resolve a point prefix to an anatomical side (``None`` for ``mid``)."""
    if prefix in ("left", "right"):
        return Side(prefix)
    if prefix == "near":
        return ctx.near
    if prefix == "far":
        return opposite(ctx.near)
    if prefix == "work":
        return ctx.work
    if prefix == "other":
        return opposite(ctx.work)
    return None


def landmark_of(ref: str, ctx: BodyContext) -> tuple[int, ...]:
    """Landmark indices a point reference stands for (two for ``mid.``)."""
    return _indices(ref, ctx.near, ctx.work)


@functools.lru_cache(maxsize=4096)
def _indices(ref: str, near: Side, work: Side) -> tuple[int, ...]:
    if ref == "nose":
        return (int(Landmark.NOSE),)
    prefix, _, part = ref.partition(".")
    side = side_for(prefix, BodyContext(near=near, work=work))
    if side is None:
        return (landmark_index(part, Side.LEFT), landmark_index(part, Side.RIGHT))
    return (landmark_index(part, side),)


def resolve_point(frame: PoseFrame, ref: str, ctx: BodyContext) -> Array:
    """Pixel position of a point reference, NaN if hidden.

    ``mid.`` points average the visible side(s); they are NaN only when both
    sides are hidden.
    """
    xs: list[float] = []
    ys: list[float] = []
    xy, vis = frame.as_lists
    for i in _indices(ref, ctx.near, ctx.work):
        if vis[i] >= ctx.min_visibility:
            x, y = xy[i]
            if math.isfinite(x) and math.isfinite(y):
                xs.append(x)
                ys.append(y)
    if not xs:
        return NAN2
    return np.array([sum(xs) / len(xs), sum(ys) / len(ys)])


def resolve_world_point(frame: PoseFrame, ref: str, ctx: BodyContext) -> Array:
    """World position (metres) of a point reference, NaN if hidden or absent.

    Uses MediaPipe's world landmarks (``PoseFrame.xyz_world``); ``mid.``
    points average the visible side(s), as :func:`resolve_point` does.
    """
    if frame.xyz_world is None:
        return NAN3
    found = [
        frame.xyz_world[i].astype(np.float64)
        for i in _indices(ref, ctx.near, ctx.work)
        if frame.visibility[i] >= ctx.min_visibility
    ]
    found = [q for q in found if np.isfinite(q).all()]
    if not found:
        return NAN3
    return np.asarray(np.mean(found, axis=0))


def turn_about_axis_deg(line: Array, against: Array, axis: Array) -> float:
    """Signed angle from ``against`` to ``line`` about ``axis``, in degrees.

    Both directions are projected onto the plane normal to ``axis``; the
    angle is positive when ``line`` lies anticlockwise of ``against`` seen
    from the tip of ``axis`` (right-hand rule), in (-180, 180]. With the lines
    pointing from the body's right to its left and ``axis`` pointing up the
    trunk, positive means the ``line`` part has turned to the body's left.
    NaN when an input is NaN or a projection has zero length.
    """
    norm = float(np.linalg.norm(axis))
    if not norm > 0:
        return math.nan
    up = axis / norm
    a = against - float(np.dot(against, up)) * up
    b = line - float(np.dot(line, up)) * up
    if not (np.linalg.norm(a) > 0 and np.linalg.norm(b) > 0):
        return math.nan
    sin = float(np.dot(np.cross(a, b), up))
    cos = float(np.dot(a, b))
    return float(geometry.wrap_deg(math.degrees(math.atan2(sin, cos))))


def _world_turn_deg(frame: PoseFrame, signal: TurnSignal, ctx: BodyContext) -> float:
    def w(ref: str) -> Array:
        return resolve_world_point(frame, ref, ctx)

    line = w(f"left.{signal.line}") - w(f"right.{signal.line}")
    against = w(f"left.{signal.against}") - w(f"right.{signal.against}")
    axis = w("mid.shoulder") - w("mid.hip")
    return turn_about_axis_deg(line, against, axis)


def _foreshortening_deg(
    signal: TurnSignal, ctx: BodyContext, p: Callable[[str], Array]
) -> float:
    """Turn of ``signal.line`` since the start pose, from how narrow it looks."""
    width0 = ctx.lengths_px.get(f"{signal.line}_width", math.nan)
    torso0 = ctx.lengths_px.get("torso", math.nan)
    width = float(
        geometry.distance(p(f"left.{signal.line}"), p(f"right.{signal.line}"))
    )
    torso = float(geometry.distance(p("mid.shoulder"), p("mid.hip")))
    if not (width0 > 0 and torso0 > 0 and torso > 0 and math.isfinite(width)):
        return math.nan
    ratio = (width / torso) / (width0 / torso0)
    return math.degrees(math.acos(min(1.0, max(0.0, ratio))))


def _turn_deg(
    signal: TurnSignal,
    frame: PoseFrame,
    ctx: BodyContext,
    p: Callable[[str], Array],
) -> float:
    world = math.nan
    if signal.size == "world" or signal.toward != "any":
        world = _world_turn_deg(frame, signal, ctx)
    size = abs(world) if signal.size == "world" else _foreshortening_deg(signal, ctx, p)
    if signal.toward == "any":
        return size
    if not math.isfinite(world):
        return math.nan
    sign = 1.0 if side_for(signal.toward, ctx) == "left" else -1.0
    return math.copysign(size, sign * world)


def body_lengths_px(frame: PoseFrame, ctx: BodyContext) -> dict[str, float]:
    """Measure the body lengths used as distance units in this frame."""

    def d(a: str, b: str) -> float:
        return float(
            geometry.distance(
                resolve_point(frame, a, ctx), resolve_point(frame, b, ctx)
            )
        )

    return {
        "torso": d("mid.shoulder", "mid.hip"),
        "thigh": d("near.hip", "near.knee"),
        "shin": d("near.knee", "near.ankle"),
        "hip_width": d("left.hip", "right.hip"),
        "shoulder_width": d("left.shoulder", "right.shoulder"),
    }


def _unit(
    ctx: BodyContext,
    per: LengthUnit,
    frame: PoseFrame,
    cache: dict[str, float] | None = None,
) -> float:
    value = ctx.lengths_px.get(per, math.nan)
    if not (math.isfinite(value) and value > 0):
        if cache is None:
            cache = {}
        if not cache:
            cache.update(body_lengths_px(frame, ctx))
        value = cache[per]
    return value if value > 0 else math.nan


def signal_points(signal: Signal) -> list[str]:
    """The point references a signal reads (empty for ``combine``)."""
    return signal.point_refs()


def signal_refs(spec: ExerciseSpec, name: str) -> list[str]:
    """Every point a named signal depends on, through ``combine`` inputs too."""
    sig = spec.signals[name]
    if isinstance(sig, CombineSignal):
        return [p for other in sig.of for p in signal_refs(spec, other)]
    return sig.point_refs()


Point = Callable[[str], Array]


@dataclass(frozen=True)
class _Inputs:
    """What a signal kind's computation may use in one frame."""

    frame: PoseFrame
    ctx: BodyContext
    point: Point
    unit: Callable[[LengthUnit], float]
    done: dict[str, float]


def _joint_angle(sig: JointAngleSignal, a: _Inputs) -> float:
    p0, p1, p2 = (a.point(r) for r in sig.points)
    if sig.reflex == "none":
        return float(geometry.joint_angle_deg(p0, p1, p2))
    up = a.ctx.up if sig.reflex == "above_line" else -a.ctx.up
    return float(geometry.reflex_joint_angle_deg(p0, p1, p2, up))


def _segment_angle(sig: SegmentAngleSignal, a: _Inputs) -> float:
    p0, p1 = (a.point(r) for r in sig.points)
    floor = a.ctx.floor_dir
    if sig.reference == "floor":
        return float(geometry.elevation_deg(p0, p1, floor))
    if sig.reference == "down":
        return float(geometry.angle_from_down_deg(p0, p1, floor))
    if sig.reference == "vertical":
        return float(geometry.angle_from_vertical_deg(p0, p1, floor))
    return float(geometry.anticlockwise_angle_deg(p0, p1, a.ctx.forward_sign, floor))


def _alignment(sig: AlignmentSignal, a: _Inputs) -> float:
    first = (a.point(r) for r in sig.first)
    second = (a.point(r) for r in sig.second)
    return float(geometry.alignment_deg(*first, *second))


def _distance(sig: DistanceSignal, a: _Inputs) -> float:
    p0, p1 = (a.point(r) for r in sig.points)
    return float(geometry.distance(p0, p1)) / a.unit(sig.per)


def _height(sig: HeightSignal, a: _Inputs) -> float:
    ctx = a.ctx
    height = geometry.side_of_line(
        a.point(sig.point), ctx.floor_point, ctx.floor_point + ctx.floor_dir, ctx.up
    )
    return float(height) / a.unit(sig.per)


def _line_distance(sig: LineDistanceSignal, a: _Inputs) -> float:
    p0, p1 = (a.point(r) for r in sig.line)
    dist = geometry.side_of_line(a.point(sig.point), p0, p1, a.ctx.up)
    return float(dist) / a.unit(sig.per)


def _turn(sig: TurnSignal, a: _Inputs) -> float:
    return _turn_deg(sig, a.frame, a.ctx, a.point)


def _combine(sig: CombineSignal, a: _Inputs) -> float:
    values = (a.done.get(n, math.nan) for n in sig.of)
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return math.nan
    return min(finite) if sig.op == "min" else max(finite)


#: How each signal kind is computed: the one place to add a new kind's maths
#: (its fields, points and unit live on its model in ``specs/signals.py``).
_COMPUTE: dict[type[Any], Callable[[Any, _Inputs], float]] = {
    JointAngleSignal: _joint_angle,
    SegmentAngleSignal: _segment_angle,
    AlignmentSignal: _alignment,
    DistanceSignal: _distance,
    HeightSignal: _height,
    LineDistanceSignal: _line_distance,
    TurnSignal: _turn,
    CombineSignal: _combine,
}


def compute_signal(
    signal: Signal,
    frame: PoseFrame,
    ctx: BodyContext,
    done: dict[str, float],
    points: dict[tuple[int, ...], Array] | None = None,
    lengths: dict[str, float] | None = None,
) -> float:
    """Evaluate one signal on one frame (before any change-from-start).

    Args:
        signal: The signal definition.
        frame: The pose.
        ctx: Sides, floor and body lengths.
        done: Values of signals computed earlier in this frame (for ``combine``).
        points: Optional per-frame cache of resolved points.
        lengths: Optional per-frame cache of body lengths.
    """
    cache = points if points is not None else {}

    def point(ref: str) -> Array:
        key = _indices(ref, ctx.near, ctx.work)
        found = cache.get(key)
        if found is None:
            found = cache[key] = resolve_point(frame, ref, ctx)
        return found

    def unit(per: LengthUnit) -> float:
        return _unit(ctx, per, frame, lengths)

    return _COMPUTE[type(signal)](signal, _Inputs(frame, ctx, point, unit, done))


def signal_order(spec: ExerciseSpec) -> list[str]:
    """Signal names in an order where every ``combine`` comes after its inputs."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in stack:
            raise ValueError(f"signals.{name}: circular combine")
        sig = spec.signals[name]
        if isinstance(sig, CombineSignal):
            for other in sig.of:
                visit(other, (*stack, name))
        seen.add(name)
        order.append(name)

    for name in spec.signals:
        visit(name, ())
    return order


def compute_signals(
    spec: ExerciseSpec,
    frame: PoseFrame,
    ctx: BodyContext,
    start_values: dict[str, float] | None = None,
    order: list[str] | None = None,
    points: dict[tuple[int, ...], Array] | None = None,
) -> dict[str, float]:
    """Evaluate every signal of ``spec`` on ``frame``.

    Signals marked ``change_from_start`` are reported relative to
    ``start_values`` (NaN until the start pose has been calibrated). Pass the
    same ``points`` dict for several side assignments of one frame to resolve
    each landmark once.
    """
    raw: dict[str, float] = {}
    out: dict[str, float] = {}
    points = {} if points is None else points
    lengths: dict[str, float] = {}
    for name in order or signal_order(spec):
        sig = spec.signals[name]
        value = compute_signal(sig, frame, ctx, out, points, lengths)
        raw[name] = value
        if sig.change_from_start:
            start = (start_values or {}).get(name, math.nan)
            value = value - start
        out[name] = value
    return out


def raw_signals(
    spec: ExerciseSpec,
    frame: PoseFrame,
    ctx: BodyContext,
    order: list[str] | None = None,
) -> dict[str, float]:
    """Evaluate every signal without applying change-from-start (for calibration)."""
    out: dict[str, float] = {}
    points: dict[tuple[int, ...], Array] = {}
    lengths: dict[str, float] = {}
    for name in order or signal_order(spec):
        out[name] = compute_signal(spec.signals[name], frame, ctx, out, points, lengths)
    return out


def missing_parts(frame: PoseFrame, refs: list[str], ctx: BodyContext) -> list[str]:
    """Names of body parts (e.g. ``"knee"``) that are hidden among ``refs``."""
    hidden: list[str] = []
    for ref in refs:
        if not np.isfinite(resolve_point(frame, ref, ctx)).all():
            part = ref.partition(".")[2] or ref
            if part not in hidden:
                hidden.append(part)
    return hidden


def signal_units(spec: ExerciseSpec) -> dict[str, str]:
    """The unit of every signal of a spec (``deg`` or a body length)."""
    units = {name: sig.unit() for name, sig in spec.signals.items()}
    for name, sig in spec.signals.items():
        if isinstance(sig, CombineSignal):
            units[name] = units.get(sig.of[0], "?")
    return units

"""Plane geometry on pixel coordinates (x right, y down).

All functions are pure, vectorised over leading axes (points have shape
``(..., 2)``), and return NaN, never raise, when an input point is NaN or a
segment has zero length. Angles are in degrees. The conventions are written
down in ``pose_specs/README.md`` and pinned by ``tests/test_geometry.py``.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

#: Image "up" (y grows downwards in images).
IMAGE_UP: Array = np.array([0.0, -1.0])
#: Image horizontal, pointing right.
IMAGE_RIGHT: Array = np.array([1.0, 0.0])


def _as(points: npt.ArrayLike) -> Array:
    return np.asarray(points, dtype=np.float64)


def _norm(v: Array) -> Array:
    return np.asarray(np.linalg.norm(v, axis=-1))


def _is_point(*arrays: npt.ArrayLike) -> bool:
    """True when every input is a single 2-D point (the per-frame fast path)."""
    return all(isinstance(a, np.ndarray) and a.shape == (2,) for a in arrays)


def _scalar_joint_angle(a: Array, b: Array, c: Array) -> float:
    x1, y1 = a[0] - b[0], a[1] - b[1]
    x2, y2 = c[0] - b[0], c[1] - b[1]
    n = math.hypot(x1, y1) * math.hypot(x2, y2)
    if not n > 0:
        return math.nan
    return math.degrees(math.acos(max(-1.0, min(1.0, (x1 * x2 + y1 * y2) / n))))


def wrap_deg(angle_deg: npt.ArrayLike) -> Array:
    """Wrap angles to the half-open interval (-180, 180]."""
    a = _as(angle_deg)
    wrapped = -((-a + 180.0) % 360.0 - 180.0)
    return np.asarray(wrapped)


def joint_angle_deg(a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike) -> Array:
    """Interior angle at ``b`` between segments b->a and b->c, in [0, 180].

    180 means the three points are in a straight line (a straight knee);
    90 is a right angle.
    """
    if _is_point(a, b, c):
        return np.asarray(
            _scalar_joint_angle(cast(Array, a), cast(Array, b), cast(Array, c))
        )
    v1 = _as(a) - _as(b)
    v2 = _as(c) - _as(b)
    n = _norm(v1) * _norm(v2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(v1 * v2, axis=-1) / n
    cos = np.where(n > 0, cos, np.nan)
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def side_of_line(
    point: npt.ArrayLike, a: npt.ArrayLike, b: npt.ArrayLike, up: npt.ArrayLike
) -> Array:
    """Signed distance of ``point`` from the line a-b, positive on the ``up`` side.

    Args:
        point: The point.
        a: One point on the line.
        b: Another point on the line.
        up: A direction (need not be unit) that defines the positive side.

    Returns:
        Distance in the units of the inputs; NaN if a == b.
    """
    if _is_point(point, a, b):
        qx, qy = (float(v) for v in cast(Array, point))
        ax, ay = (float(v) for v in cast(Array, a))
        bx, by = (float(v) for v in cast(Array, b))
        ux, uy = (float(v) for v in np.asarray(up, dtype=np.float64))
        dx, dy = bx - ax, by - ay
        seg = math.hypot(dx, dy)
        if not seg > 0:
            return np.asarray(math.nan)
        nx, ny = -dy / seg, dx / seg
        if nx * ux + ny * uy < 0:
            nx, ny = -nx, -ny
        return np.asarray((qx - ax) * nx + (qy - ay) * ny)
    p, a_, b_ = _as(point), _as(a), _as(b)
    d = b_ - a_
    length = _norm(d)
    normal = np.stack([-d[..., 1], d[..., 0]], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        normal = normal / length[..., None]
    # Orient the normal towards `up`.
    flip = np.sign(np.sum(normal * _as(up), axis=-1))
    flip = np.where(flip == 0, 1.0, flip)
    normal = normal * flip[..., None]
    dist = np.sum((p - a_) * normal, axis=-1)
    return np.asarray(np.where(length > 0, dist, np.nan))


def reflex_joint_angle_deg(
    a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike, up: npt.ArrayLike
) -> Array:
    """Joint angle at ``b`` on [0, 360): above 180 when ``b`` is on the ``up`` side of a-c.

    Used for "hips above the shoulder-knee line" in a bridge: 180 is a
    straight line, 190 means the hip has been pushed 10 deg past it.
    """
    interior = joint_angle_deg(a, b, c)
    above = side_of_line(b, a, c, up) > 0
    return np.asarray(np.where(above, 360.0 - interior, interior))


def _floor_frame(floor_dir: npt.ArrayLike) -> tuple[Array, Array]:
    """Return (along, up): the floor direction pointing right, and its image-up normal."""
    f = _as(floor_dir)
    f = f / np.linalg.norm(f)
    if f[0] < 0:
        f = -f
    up = np.array([f[1], -f[0]])
    return f, up


def elevation_deg(
    p0: npt.ArrayLike, p1: npt.ArrayLike, floor_dir: npt.ArrayLike = IMAGE_RIGHT
) -> Array:
    """Elevation of segment p0->p1 above a floor direction, in [-90, 90].

    Positive when ``p1`` is higher than ``p0`` (further "up" than the floor).
    The value is the same whichever way the segment points along the floor,
    so it needs no mirroring.
    """
    if _is_point(p0, p1):
        fx, fy = float(np.asarray(floor_dir)[0]), float(np.asarray(floor_dir)[1])
        norm = math.hypot(fx, fy)
        fx, fy = fx / norm, fy / norm
        if fx < 0:
            fx, fy = -fx, -fy
        q0, q1 = cast(Array, p0), cast(Array, p1)
        dx = float(q1[0] - q0[0])
        dy = float(q1[1] - q0[1])
        if not math.hypot(dx, dy) > 0:
            return np.asarray(math.nan)
        along = abs(dx * fx + dy * fy)
        rise = dx * fy - dy * fx
        return np.asarray(math.degrees(math.atan2(rise, along)))
    f, up = _floor_frame(floor_dir)
    d = _as(p1) - _as(p0)
    along = np.abs(np.sum(d * f, axis=-1))
    rise = np.sum(d * up, axis=-1)
    valid = _norm(d) > 0
    return np.asarray(np.where(valid, np.degrees(np.arctan2(rise, along)), np.nan))


def angle_from_down_deg(
    p0: npt.ArrayLike, p1: npt.ArrayLike, floor_dir: npt.ArrayLike = IMAGE_RIGHT
) -> Array:
    """Angle of segment p0->p1 from straight down (the floor normal), in [0, 180].

    0 = hanging straight down (an arm under the shoulder), 90 = parallel to the
    floor, 180 = straight up.
    """
    return np.asarray(90.0 + elevation_deg(p0, p1, floor_dir))


def angle_from_vertical_deg(
    p0: npt.ArrayLike, p1: npt.ArrayLike, floor_dir: npt.ArrayLike = IMAGE_RIGHT
) -> Array:
    """Angle of segment p0->p1 from straight up, in [0, 180] (0 = upright trunk)."""
    return np.asarray(90.0 - elevation_deg(p0, p1, floor_dir))


def anticlockwise_angle_deg(
    p0: npt.ArrayLike,
    p1: npt.ArrayLike,
    forward_sign: float | npt.ArrayLike = 1.0,
    floor_dir: npt.ArrayLike = IMAGE_RIGHT,
) -> Array:
    """Signed angle of p0->p1 measured anticlockwise from the body's forward direction.

    Result in (-180, 180]. ``forward_sign`` is +1 when the body's forward
    direction points to image right and -1 when it points left; the x axis is
    mirrored for -1, so a person facing left gets the same values as one
    facing right.
    """
    f, up = _floor_frame(floor_dir)
    d = _as(p1) - _as(p0)
    x = np.sum(d * f, axis=-1) * _as(forward_sign)
    y = np.sum(d * up, axis=-1)
    valid = _norm(d) > 0
    return np.asarray(np.where(valid, wrap_deg(np.degrees(np.arctan2(y, x))), np.nan))


def alignment_deg(
    a0: npt.ArrayLike, a1: npt.ArrayLike, b0: npt.ArrayLike, b1: npt.ArrayLike
) -> Array:
    """Angle between directions a0->a1 and b0->b1, in [0, 180] (0 = parallel)."""
    v1 = _as(a1) - _as(a0)
    v2 = _as(b1) - _as(b0)
    n = _norm(v1) * _norm(v2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(v1 * v2, axis=-1) / n
    cos = np.where(n > 0, cos, np.nan)
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def distance(p: npt.ArrayLike, q: npt.ArrayLike) -> Array:
    """Euclidean distance between points."""
    return _norm(_as(q) - _as(p))


def mirror_x(points: npt.ArrayLike, width: float) -> Array:
    """Mirror points left-right in an image of the given width."""
    out = _as(points).copy()
    out[..., 0] = width - out[..., 0]
    return out


def fit_line(points: npt.ArrayLike) -> tuple[Array, Array]:
    """Least-squares line through 2-D points.

    Args:
        points: ``(N, 2)`` points; rows with NaN are ignored.

    Returns:
        ``(centre, direction)``: a point on the line and a unit direction with a
        non-negative x component. NaNs if fewer than two distinct points.
    """
    pts = _as(points).reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < 2 or np.allclose(pts, pts[0]):
        return np.full(2, np.nan), np.full(2, np.nan)
    centre = pts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts - centre)
    direction = vt[0]
    if direction[0] < 0 or (direction[0] == 0 and direction[1] > 0):
        direction = -direction
    return centre, direction


def support_line(points: npt.ArrayLike) -> tuple[Array, Array]:
    """The line 2-D image points rest on, as a body rests on the floor.

    Of the edges of the points' lower hull (image y grows downward, so "lower"
    is larger y), the one closest to horizontal: a foot or shoulder raised off
    the floor lies above it and does not tilt it, unlike a least-squares fit.

    Args:
        points: ``(N, 2)`` points; rows with NaN are ignored.

    Returns:
        ``(centre, direction)``: the middle of that edge and a unit direction with
        a non-negative x component. NaNs if fewer than two distinct points.
    """
    pts = _as(points).reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < 2 or np.allclose(pts, pts[0]):
        return np.full(2, np.nan), np.full(2, np.nan)
    best: tuple[float, Array, Array] | None = None
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            d = pts[j] - pts[i]
            length = float(np.hypot(d[0], d[1]))
            if length == 0:
                continue
            normal = np.array([-d[1], d[0]]) / length
            if normal[1] < 0:
                normal = -normal  # pointing down the image
            below = (pts - pts[i]) @ normal
            if np.any(below > 1e-9 * length):
                continue  # a point lies under this edge: not part of the lower hull
            tilt = abs(float(d[1])) / max(abs(float(d[0])), 1e-12)
            if best is None or tilt < best[0]:
                best = (tilt, (pts[i] + pts[j]) / 2, d / length)
    if best is None:
        return fit_line(pts)
    _, centre, direction = best
    if direction[0] < 0 or (direction[0] == 0 and direction[1] > 0):
        direction = -direction
    return centre, direction

"""A small z-buffer ray caster for the mannequin and its room.

Every body part (sphere, ellipsoid, tapered capsule) is intersected
analytically with the camera rays inside its screen bounding box only, and
kept where it is nearer than what is already in the z-buffer; the static room
(floor, back wall, exercise mat, step or chair) is ray-cast once per clip.
Shading is Lambertian with one key light and ambient light, followed by a
light blur (anti-aliasing) and sensor noise. Everything is numpy; OpenCV only
blurs.

Example:
    >>> renderer = Renderer(camera, Scene(), Look.from_seed(0))  # doctest: +SKIP
    >>> frame = renderer.render(body_parts(skeleton), frame_index=0)  # doctest: +SKIP
    >>> frame.image_bgr.shape  # doctest: +SKIP
    (480, 640, 3)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.synth.camera import Camera
from formcheck.synth.skeleton import CLOTHING, SHAPES, BodyShape, Clothing, Part

F32 = npt.NDArray[np.float32]
Vec = npt.NDArray[np.float64]

#: Body groups, in the order of their ids in :attr:`RenderedFrame.group_id`
#: (0 = background).
GROUPS: Final[tuple[str, ...]] = (
    "background",
    "torso",
    "head",
    "l_upperarm",
    "l_forearm",
    "l_hand",
    "r_upperarm",
    "r_forearm",
    "r_hand",
    "l_thigh",
    "l_shin",
    "l_foot",
    "r_thigh",
    "r_shin",
    "r_foot",
)
GROUP_ID: Final[dict[str, int]] = {g: i for i, g in enumerate(GROUPS)}
MATERIALS: Final[tuple[str, ...]] = (
    "none",
    "skin",
    "top",
    "bottom",
    "shoe",
    "hair",
    "eye",
    "lip",
)
_MAT_ID: Final[dict[str, int]] = {m: i for i, m in enumerate(MATERIALS)}
_INF: Final = np.float32(np.inf)


@dataclass(frozen=True)
class Box:
    """A box-shaped prop (mat, step, chair part), turned about ``z``.

    Attributes:
        centre_m: Centre.
        half_m: Half sizes along the box's own x, y, z.
        yaw_deg: Rotation about the vertical.
        colour_bgr: Colour.
    """

    centre_m: tuple[float, float, float]
    half_m: tuple[float, float, float]
    yaw_deg: float
    colour_bgr: tuple[int, int, int]


@dataclass(frozen=True)
class Scene:
    """The room: floor, a back wall behind the subject, and props.

    Attributes:
        floor_bgr: Floor colour.
        wall_bgr: Wall colour.
        wall_gap_m: Wall distance behind the subject (seen from the camera).
        props: Boxes (mat, step, chair).
    """

    floor_bgr: tuple[int, int, int] = (120, 150, 170)
    wall_bgr: tuple[int, int, int] = (200, 205, 210)
    wall_gap_m: float = 1.6
    props: tuple[Box, ...] = ()


@dataclass(frozen=True)
class Look:
    """Colours, light and noise of one clip (varied mildly by the seed).

    Attributes:
        skin_bgr: Skin.
        hair_bgr: Hair.
        top_bgr: Shirt.
        bottom_bgr: Trousers.
        shoe_bgr: Shoes.
        light_turn_deg: Key light direction, turned from the camera direction.
        light_elev_deg: Key light elevation.
        ambient: Ambient share of the light (0-1).
        noise_sigma: Standard deviation of the sensor noise (grey levels).
        floor_bgr: Floor colour.
        wall_bgr: Wall colour.
        mat_bgr: Exercise mat colour.
    """

    skin_bgr: tuple[int, int, int]
    hair_bgr: tuple[int, int, int]
    top_bgr: tuple[int, int, int]
    bottom_bgr: tuple[int, int, int]
    shoe_bgr: tuple[int, int, int]
    light_turn_deg: float = 25.0
    light_elev_deg: float = 40.0
    ambient: float = 0.38
    noise_sigma: float = 2.0
    floor_bgr: tuple[int, int, int] = (120, 150, 170)
    wall_bgr: tuple[int, int, int] = (200, 205, 210)
    mat_bgr: tuple[int, int, int] = (140, 90, 80)

    @classmethod
    def from_seed(
        cls,
        seed: int,
        shape: BodyShape | None = None,
        clothing: Clothing | None = None,
    ) -> Look:
        """A look for ``shape`` in ``clothing`` with mild seeded variation."""
        shape = shape or SHAPES["medium"]
        clothing = clothing or CLOTHING["teal"]
        rng = np.random.default_rng([seed, 7])

        def jitter(c: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
            v = np.clip(np.array(c) + rng.uniform(-amount, amount, 3), 0, 255)
            return (int(v[0]), int(v[1]), int(v[2]))

        return cls(
            skin_bgr=jitter(shape.skin_bgr, 8),
            hair_bgr=jitter(shape.hair_bgr, 6),
            top_bgr=jitter(clothing.top_bgr, 12),
            bottom_bgr=jitter(clothing.bottom_bgr, 10),
            shoe_bgr=jitter(clothing.shoe_bgr, 8),
            light_turn_deg=float(rng.uniform(-40, 40)),
            light_elev_deg=float(rng.uniform(30, 60)),
            ambient=float(rng.uniform(0.32, 0.45)),
            noise_sigma=float(rng.uniform(1.0, 3.0)),
            floor_bgr=jitter((115, 145, 170), 15),
            wall_bgr=jitter((200, 205, 210), 12),
            mat_bgr=jitter((150, 95, 80), 15),
        )

    def material_colours(self) -> F32:
        """``(len(MATERIALS), 3)`` colours indexed by material id."""
        table = {
            "none": (0, 0, 0),
            "skin": self.skin_bgr,
            "top": self.top_bgr,
            "bottom": self.bottom_bgr,
            "shoe": self.shoe_bgr,
            "hair": self.hair_bgr,
            "eye": (40, 35, 35),
            "lip": tuple(int(c * 0.7) for c in self.skin_bgr),
        }
        return np.array([table[m] for m in MATERIALS], dtype=np.float32)


@dataclass
class RenderedFrame:
    """One rendered image with its buffers.

    Attributes:
        image_bgr: ``(H, W, 3)`` uint8.
        depth_m: ``(H, W)`` float32 distance from the camera centre to the
            first surface along each pixel ray (``inf`` = sky, never here).
        group_id: ``(H, W)`` int16 index into :data:`GROUPS` (0 = room).
    """

    image_bgr: npt.NDArray[np.uint8]
    depth_m: F32
    group_id: npt.NDArray[np.int16]


# ------------------------------------------------------------ intersections
def _sqrt_pos(x: F32) -> F32:
    out: F32 = np.sqrt(np.maximum(x, 0.0)).astype(np.float32)
    return out


def intersect_sphere(
    origin: Vec, dirs: F32, centre: Vec, radius: float
) -> tuple[F32, F32]:
    """Nearest hit of rays with a sphere.

    Args:
        origin: Ray origin ``(3,)``.
        dirs: ``(N, 3)`` unit directions.
        centre: Sphere centre.
        radius: Sphere radius.

    Returns:
        ``(t, normal)``: ``(N,)`` distances (``inf`` = miss) and ``(N, 3)``
        outward unit normals.
    """
    oc = (origin - centre).astype(np.float32)
    b = dirs @ oc
    c = np.float32(oc @ oc - radius * radius)
    disc = b * b - c
    t = -b - _sqrt_pos(disc)
    t = np.where((disc > 0) & (t > 1e-4), t, _INF).astype(np.float32)
    p = oc[None, :] + np.where(np.isfinite(t), t, 0)[:, None] * dirs
    n = p / np.float32(radius)
    return t, n.astype(np.float32)


def intersect_ellipsoid(
    origin: Vec,
    dirs: F32,
    centre: Vec,
    rot: Vec,
    radii: tuple[float, float, float],
) -> tuple[F32, F32]:
    """Nearest hit of rays with an ellipsoid (see :func:`intersect_sphere`)."""
    inv_r = np.array([1.0 / radii[0], 1.0 / radii[1], 1.0 / radii[2]], np.float32)
    o = ((origin - centre) @ rot).astype(np.float32) * inv_r
    d = (dirs @ rot.astype(np.float32)) * inv_r
    a = np.einsum("ij,ij->i", d, d)
    b = d @ o
    c = np.float32(o @ o - 1.0)
    disc = b * b - a * c
    t = (-b - _sqrt_pos(disc)) / a
    t = np.where((disc > 0) & (t > 1e-4), t, _INF).astype(np.float32)
    p_local = o[None, :] + np.where(np.isfinite(t), t, 0)[:, None] * d
    n = (p_local * inv_r) @ rot.T.astype(np.float32)
    n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
    return t, n.astype(np.float32)


def intersect_round_cone(
    origin: Vec, dirs: F32, a: Vec, b: Vec, ra: float, rb: float
) -> tuple[F32, F32]:
    """Nearest hit with a tapered capsule (spheres at ``a``, ``b`` + tangent cone).

    Returns:
        ``(t, normal)`` as in :func:`intersect_sphere`.
    """
    axis = (b - a).astype(np.float64)
    length = float(np.linalg.norm(axis))
    ta, na = intersect_sphere(origin, dirs, a, ra)
    tb, nb = intersect_sphere(origin, dirs, b, rb)
    t = np.minimum(ta, tb)
    n = np.where((ta <= tb)[:, None], na, nb)
    if length <= abs(ra - rb) + 1e-6:
        return t, n
    u = (axis / length).astype(np.float32)
    sin_p = np.float32((ra - rb) / length)
    cos2 = np.float32(1.0 - sin_p * sin_p)
    w = (origin - a).astype(np.float32)
    s0 = np.float32(w @ u)
    ww = np.float32(w @ w)
    sd = dirs @ u
    wd = dirs @ w
    k = np.float32(ra) - sin_p * s0
    qa = cos2 - sd * sd
    qb = 2.0 * (cos2 * (wd - s0 * sd) + k * sin_p * sd)
    qc = cos2 * (ww - s0 * s0) - k * k
    disc = qb * qb - 4.0 * qa * qc
    ok = (disc > 0) & (np.abs(qa) > 1e-7)
    safe_a = np.where(ok, qa, np.float32(1.0))
    root = _sqrt_pos(disc)
    lo_band = np.float32(ra) * sin_p
    hi_band = np.float32(length) + np.float32(rb) * sin_p
    best = np.full(dirs.shape[0], _INF, dtype=np.float32)
    for sign in (-1.0, 1.0):
        tc = (-qb + np.float32(sign) * root) / (2.0 * safe_a)
        s = s0 + tc * sd
        valid = (
            ok
            & (tc > 1e-4)
            & (s >= lo_band)
            & (s <= hi_band)
            & (np.float32(ra) - sin_p * s >= 0)
        )
        best = np.where(valid & (tc < best), tc, best)
    use = best < t
    if np.any(use):
        p = w[None, :] + best[use, None] * dirs[use]
        s = p @ u
        radial = p - s[:, None] * u[None, :]
        radial /= np.linalg.norm(radial, axis=1, keepdims=True) + 1e-12
        nc = np.sqrt(cos2) * radial + sin_p * u[None, :]
        n[use] = nc
        t = np.where(use, best, t)
    return t.astype(np.float32), n.astype(np.float32)


def intersect_box(origin: Vec, dirs: F32, box: Box) -> tuple[F32, F32]:
    """Nearest hit of rays with a :class:`Box` (slab method)."""
    c, s = math.cos(math.radians(box.yaw_deg)), math.sin(math.radians(box.yaw_deg))
    rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    o = ((origin - np.array(box.centre_m)) @ rot).astype(np.float32)
    d = dirs @ rot.astype(np.float32)
    half = np.array(box.half_m, np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.float32(1.0) / np.where(np.abs(d) < 1e-9, np.float32(1e-9), d)
        t1 = (-half - o) * inv
        t2 = (half - o) * inv
    tmin = np.minimum(t1, t2)
    tmax = np.maximum(t1, t2)
    t_near = tmin.max(axis=1)
    t_far = tmax.min(axis=1)
    hit = (t_near <= t_far) & (t_near > 1e-4)
    t = np.where(hit, t_near, _INF).astype(np.float32)
    face = tmin.argmax(axis=1)
    n_local = np.zeros_like(d)
    rows = np.arange(d.shape[0])
    n_local[rows, face] = -np.sign(d[rows, face])
    n = n_local @ rot.T.astype(np.float32)
    return t, n.astype(np.float32)


def _bbox(
    camera: Camera, centre: Vec, radius: float
) -> tuple[int, int, int, int] | None:
    """Pixel bounding box (r0, r1, c0, c1) of a sphere, or ``None`` if unseen."""
    offs = np.array(
        [[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], np.float64
    )
    corners = centre[None, :] + radius * offs
    pc = camera.to_camera(corners)
    if np.any(pc[:, 2] <= 0.05):
        # Too close to (or behind) the camera: test the whole image.
        return 0, camera.height_px, 0, camera.width_px
    xy, _ = camera.project(corners)
    c0 = max(math.floor(xy[:, 0].min()) - 1, 0)
    c1 = min(math.ceil(xy[:, 0].max()) + 1, camera.width_px)
    r0 = max(math.floor(xy[:, 1].min()) - 1, 0)
    r1 = min(math.ceil(xy[:, 1].max()) + 1, camera.height_px)
    if c0 >= c1 or r0 >= r1:
        return None
    return r0, r1, c0, c1


@dataclass
class _Buffers:
    depth: F32
    normal: F32
    material: npt.NDArray[np.int8]
    group: npt.NDArray[np.int16]


class Renderer:
    """Renders posed mannequins for one camera, room and look.

    The room is ray-cast once, at construction; :meth:`render` then costs
    only the body parts.

    Args:
        camera: The camera.
        scene: The room and props.
        look: Colours, light and noise.
        seed: Seed of the per-frame sensor noise.
        blur_sigma_px: Anti-aliasing blur (0 = none).
    """

    def __init__(
        self,
        camera: Camera,
        scene: Scene,
        look: Look,
        seed: int = 0,
        blur_sigma_px: float = 0.6,
    ) -> None:
        self.camera = camera
        self.scene = scene
        self.look = look
        self.seed = seed
        self.blur_sigma_px = blur_sigma_px
        self._origin = camera.position_m.astype(np.float64)
        self._rays = camera.ray_directions()
        self._colours = look.material_colours()
        self._light = self._light_dir()
        self._bg_image, self._bg_depth = self._render_room()

    def _light_dir(self) -> F32:
        to_cam = self.camera.position_m - self.camera.target_m
        az = math.atan2(to_cam[1], to_cam[0]) + math.radians(self.look.light_turn_deg)
        el = math.radians(self.look.light_elev_deg)
        v = np.array(
            [math.cos(az) * math.cos(el), math.sin(az) * math.cos(el), math.sin(el)]
        )
        return v.astype(np.float32)

    def _shade(self, colour: F32, normal: F32) -> F32:
        lam = np.clip(normal @ self._light, 0.0, 1.0)
        amb = np.float32(self.look.ambient)
        return colour * (amb + (1.0 - amb) * lam)[..., None]

    def _render_room(self) -> tuple[F32, F32]:
        h, w = self.camera.height_px, self.camera.width_px
        d = self._rays.reshape(-1, 3)
        o = self._origin.astype(np.float32)
        n = d.shape[0]
        depth = np.full(n, _INF, dtype=np.float32)
        image = np.zeros((n, 3), dtype=np.float32)
        # Floor (z = 0).
        with np.errstate(divide="ignore", invalid="ignore"):
            t_floor = np.where(d[:, 2] < -1e-6, -o[2] / d[:, 2], _INF)
        hit = t_floor < depth
        depth[hit] = t_floor[hit]
        floor = np.array(self.look.floor_bgr, np.float32)
        p = o[None, :] + t_floor[hit, None] * d[hit]
        # Faint floorboards so the floor is not a flat colour.
        board = 0.96 + 0.04 * (np.floor(p[:, 0] / 0.18) % 2)
        image[hit] = floor[None, :] * (0.92 * board)[:, None]
        # Back wall, perpendicular to the camera's horizontal view direction.
        fwd = self.camera.target_m - self.camera.position_m
        fwd_h = np.array([fwd[0], fwd[1], 0.0])
        fwd_h /= np.linalg.norm(fwd_h)
        dist = float(
            np.linalg.norm((self.camera.target_m - self.camera.position_m)[:2])
        )
        plane_d = float(fwd_h @ self._origin) + dist + self.scene.wall_gap_m
        denom = d @ fwd_h.astype(np.float32)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_wall = np.where(denom > 1e-6, (plane_d - o @ fwd_h) / denom, _INF)
        hit = t_wall < depth
        depth[hit] = t_wall[hit]
        wall = np.array(self.look.wall_bgr, np.float32)
        pz = o[2] + t_wall[hit] * d[hit, 2]
        # A skirting board along the bottom of the wall.
        image[hit] = np.where(
            (pz < 0.08)[:, None], wall[None, :] * 0.75, wall[None, :] * 0.97
        )
        for box in self.scene.props:
            t_box, n_box = intersect_box(self._origin, d, box)
            hit = t_box < depth
            depth[hit] = t_box[hit]
            colour = np.array(box.colour_bgr, np.float32)
            image[hit] = self._shade(colour[None, :], n_box[hit])
        return image.reshape(h, w, 3), depth.reshape(h, w)

    def _draw_part(self, part: Part, buf: _Buffers) -> None:
        centre, radius = part.bound()
        box = _bbox(self.camera, centre, radius)
        if box is None:
            return
        r0, r1, c0, c1 = box
        dirs = self._rays[r0:r1, c0:c1].reshape(-1, 3)
        if part.kind == "sphere":
            t, n = intersect_sphere(self._origin, dirs, part.a, part.r1)
        elif part.kind == "ellipsoid":
            assert part.rot is not None
            t, n = intersect_ellipsoid(self._origin, dirs, part.a, part.rot, part.radii)
        else:
            assert part.b is not None
            t, n = intersect_round_cone(
                self._origin, dirs, part.a, part.b, part.r1, part.r2
            )
        shape = (r1 - r0, c1 - c0)
        t = t.reshape(shape)
        zview = buf.depth[r0:r1, c0:c1]
        hit = t < zview
        if not hit.any():
            return
        zview[hit] = t[hit]
        buf.normal[r0:r1, c0:c1][hit] = n.reshape(*shape, 3)[hit]
        buf.material[r0:r1, c0:c1][hit] = _MAT_ID[part.material]
        buf.group[r0:r1, c0:c1][hit] = GROUP_ID[part.group]

    def render(self, parts: list[Part], frame_index: int = 0) -> RenderedFrame:
        """Render one frame.

        Args:
            parts: The body volumes (:func:`~formcheck.synth.skeleton.body_parts`).
            frame_index: Seeds the sensor noise of this frame.

        Returns:
            The image and its depth and group buffers.
        """
        h, w = self.camera.height_px, self.camera.width_px
        buf = _Buffers(
            depth=self._bg_depth.copy(),
            normal=np.zeros((h, w, 3), np.float32),
            material=np.zeros((h, w), np.int8),
            group=np.zeros((h, w), np.int16),
        )
        for part in parts:
            self._draw_part(part, buf)
        image = self._bg_image.copy()
        body = buf.group > 0
        if body.any():
            colour = self._colours[buf.material[body]]
            image[body] = self._shade(colour, buf.normal[body])
        if self.blur_sigma_px > 0:
            image = np.asarray(
                cv2.GaussianBlur(image, (3, 3), self.blur_sigma_px), dtype=np.float32
            )
        if self.look.noise_sigma > 0:
            rng = np.random.default_rng([self.seed, frame_index])
            image += rng.standard_normal((h, w, 3), dtype=np.float32) * np.float32(
                self.look.noise_sigma
            )
        out = np.clip(image + 0.5, 0, 255).astype(np.uint8)
        return RenderedFrame(out, buf.depth, buf.group)

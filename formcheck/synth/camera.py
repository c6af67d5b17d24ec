"""A pinhole camera and the standard exercise views.

Camera coordinates: ``x`` right, ``y`` down, ``z`` forward (the viewing
direction). Pixel coordinates are continuous with ``(0, 0)`` at the top-left
corner of the image, so the centre of pixel ``(col, row)`` is at
``(col + 0.5, row + 0.5)``; that is the convention MediaPipe uses when its
normalised coordinates are multiplied by the image size.

Views are defined relative to a :class:`SubjectFrame`: where the body is and
which horizontal directions are its left, its front and its feet.

Example:
    >>> subject = SubjectFrame(centre=np.array([0.0, 0.0, 0.3]),
    ...                        left=np.array([0.0, 1.0, 0.0]),
    ...                        front=None, feet=np.array([-1.0, 0.0, 0.0]))
    >>> cam = Camera.side_view(subject, near="left", distance_m=2.5, height_m=0.4)
    >>> cam.position_m.round(2).tolist()
    [0.0, 2.5, 0.4]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Vec = npt.NDArray[np.float64]

ViewName = Literal["side", "front", "back", "feet_end", "head_end", "oblique"]
VIEWS: tuple[ViewName, ...] = (
    "side",
    "front",
    "back",
    "feet_end",
    "head_end",
    "oblique",
)
_UP = np.array([0.0, 0.0, 1.0])


def _horizontal(v: Vec | None) -> Vec | None:
    if v is None:
        return None
    h = np.array([v[0], v[1], 0.0])
    n = float(np.linalg.norm(h))
    return h / n if n > 1e-6 else None


@dataclass(frozen=True)
class SubjectFrame:
    """Where the exercising body is, for placing cameras.

    Attributes:
        centre: Point to look at (m).
        left: Horizontal direction of the body's left side, or ``None`` when
            the left side faces up or down (side-lying).
        front: Horizontal direction the body's front faces, or ``None`` when
            the front faces up or down (lying on the back or front, on all
            fours).
        feet: Horizontal direction from the head toward the feet, or ``None``
            when the body is upright (standing, sitting).
    """

    centre: Vec
    left: Vec | None
    front: Vec | None
    feet: Vec | None


@dataclass(frozen=True)
class Camera:
    """A pinhole camera with square pixels and no lens distortion.

    Attributes:
        position_m: Camera centre in world coordinates.
        target_m: Point the optical axis passes through.
        hfov_deg: Horizontal field of view.
        width_px: Image width.
        height_px: Image height.
    """

    position_m: Vec
    target_m: Vec
    hfov_deg: float
    width_px: int
    height_px: int

    def __post_init__(self) -> None:
        if not 10.0 <= self.hfov_deg <= 150.0:
            raise ValueError(
                f"`hfov_deg` must be in [10, 150], but got {self.hfov_deg!r}"
            )
        if self.width_px < 8 or self.height_px < 8:
            raise ValueError(
                "`width_px` and `height_px` must be >= 8, but got "
                f"{self.width_px}x{self.height_px}"
            )
        fwd = self.target_m - self.position_m
        if np.linalg.norm(fwd) < 1e-6 or np.linalg.norm(np.cross(fwd, _UP)) < 1e-6:
            raise ValueError("the camera must not look straight up or down")

    # ----------------------------------------------------------- intrinsics
    @property
    def focal_px(self) -> float:
        """Focal length in pixels."""
        return (self.width_px / 2.0) / math.tan(math.radians(self.hfov_deg) / 2.0)

    @property
    def intrinsics(self) -> Vec:
        """The 3x3 matrix K."""
        f = self.focal_px
        return np.array(
            [[f, 0.0, self.width_px / 2.0], [0.0, f, self.height_px / 2.0], [0, 0, 1]]
        )

    @property
    def rotation(self) -> Vec:
        """World-to-camera rotation (rows: camera x, y, z in world)."""
        fwd = self.target_m - self.position_m
        fwd = fwd / np.linalg.norm(fwd)
        right = np.cross(fwd, _UP)
        right = right / np.linalg.norm(right)
        down = np.cross(fwd, right)
        return np.stack([right, down, fwd])

    @property
    def yaw_deg(self) -> float:
        """Compass direction of the optical axis (0 = +x, 90 = +y)."""
        fwd = self.target_m - self.position_m
        return math.degrees(math.atan2(fwd[1], fwd[0]))

    @property
    def pitch_deg(self) -> float:
        """Tilt of the optical axis (negative = looking down)."""
        fwd = self.target_m - self.position_m
        return math.degrees(math.atan2(fwd[2], math.hypot(fwd[0], fwd[1])))

    # ------------------------------------------------------------ projection
    def to_camera(self, points_m: npt.ArrayLike) -> Vec:
        """World points ``(..., 3)`` to camera coordinates ``(..., 3)``."""
        p = np.asarray(points_m, dtype=np.float64)
        return np.asarray((p - self.position_m) @ self.rotation.T)

    def project(self, points_m: npt.ArrayLike) -> tuple[Vec, Vec]:
        """Project world points to pixels.

        Args:
            points_m: ``(..., 3)`` world points.

        Returns:
            ``(xy_px, depth_m)``: ``(..., 2)`` pixel coordinates and ``(...)``
            depth along the optical axis (points behind the camera get NaN
            pixels).
        """
        pc = self.to_camera(points_m)
        z = pc[..., 2]
        f = self.focal_px
        with np.errstate(divide="ignore", invalid="ignore"):
            u = f * pc[..., 0] / z + self.width_px / 2.0
            v = f * pc[..., 1] / z + self.height_px / 2.0
        xy = np.stack([u, v], axis=-1)
        xy[z <= 1e-6] = np.nan
        return xy, z

    def ray_directions(self) -> npt.NDArray[np.float32]:
        """Unit world direction of the ray through every pixel centre.

        Returns:
            float32 ``(H, W, 3)``.
        """
        f = self.focal_px
        cols = (np.arange(self.width_px) + 0.5 - self.width_px / 2.0) / f
        rows = (np.arange(self.height_px) + 0.5 - self.height_px / 2.0) / f
        x, y = np.meshgrid(cols, rows)
        d_cam = np.stack([x, y, np.ones_like(x)], axis=-1)
        d = d_cam @ self.rotation
        d /= np.linalg.norm(d, axis=-1, keepdims=True)
        out: npt.NDArray[np.float32] = d.astype(np.float32)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Parameters for the truth file."""
        return {
            "position_m": [round(float(v), 6) for v in self.position_m],
            "target_m": [round(float(v), 6) for v in self.target_m],
            "hfov_deg": round(self.hfov_deg, 6),
            "width_px": self.width_px,
            "height_px": self.height_px,
            "focal_px": round(self.focal_px, 6),
            "height_m": round(float(self.position_m[2]), 6),
            "yaw_deg": round(self.yaw_deg, 6),
            "pitch_deg": round(self.pitch_deg, 6),
            "intrinsics": [
                [round(float(v), 6) for v in row] for row in self.intrinsics
            ],
            "rotation_world_to_camera": [
                [round(float(v), 9) for v in row] for row in self.rotation
            ],
        }

    # ----------------------------------------------------------------- views
    @classmethod
    def orbit(
        cls,
        target_m: Vec,
        direction: Vec,
        distance_m: float,
        height_m: float,
        hfov_deg: float = 60.0,
        resolution_wh: tuple[int, int] = (640, 480),
    ) -> Camera:
        """A camera ``distance_m`` (horizontally) from ``target_m`` along ``direction``.

        Args:
            target_m: Look-at point.
            direction: Horizontal direction from the target to the camera.
            distance_m: Horizontal distance.
            height_m: Camera height above the floor.
            hfov_deg: Horizontal field of view.
            resolution_wh: Image size.

        Returns:
            The camera.

        Raises:
            ValueError: If ``direction`` is vertical or ``distance_m`` <= 0.
        """
        if distance_m <= 0:
            raise ValueError(f"`distance_m` must be > 0, but got {distance_m!r}")
        d = _horizontal(direction)
        if d is None:
            raise ValueError("`direction` must have a horizontal component")
        pos = np.array(
            [target_m[0] + d[0] * distance_m, target_m[1] + d[1] * distance_m, height_m]
        )
        return cls(pos, np.asarray(target_m, float), hfov_deg, *resolution_wh)

    @staticmethod
    def view_direction(
        subject: SubjectFrame,
        view: ViewName,
        near: Literal["left", "right"] = "left",
        oblique_deg: float = 45.0,
    ) -> Vec:
        """Horizontal direction from the subject to the camera for a named view.

        ``side``: facing the ``near`` side. ``front``/``back``: facing the
        body's front/back (standing, sitting, side-lying). ``feet_end`` /
        ``head_end``: along the body from the feet/head (lying, on all fours).
        ``oblique``: the side view turned ``oblique_deg`` toward the feet end
        (lying) or the front (upright, side-lying).

        Raises:
            ValueError: If the view does not exist for this body orientation
                (e.g. a side view of a side-lying body).
        """
        left = _horizontal(subject.left)
        front = _horizontal(subject.front)
        feet = _horizontal(subject.feet)
        sign = 1.0 if near == "left" else -1.0
        if view == "side":
            if left is None:
                raise ValueError(
                    "no side view: the body lies on its side (use front, back, "
                    "feet_end, head_end or oblique)"
                )
            return sign * left
        if view in ("front", "back"):
            if front is None:
                raise ValueError(
                    f"no {view} view: the body's front faces up or down "
                    "(use side, feet_end, head_end or oblique)"
                )
            return front if view == "front" else -front
        if view in ("feet_end", "head_end"):
            if feet is None:
                raise ValueError(
                    f"no {view} view: the body is upright (use side, front, back "
                    "or oblique)"
                )
            return feet if view == "feet_end" else -feet
        # oblique
        toward = feet if feet is not None else front
        base = sign * left if left is not None else None
        if base is None:
            # Side-lying: start from the front and turn toward the feet.
            assert front is not None
            assert feet is not None
            base, toward = front, feet
        assert toward is not None
        a = math.radians(oblique_deg)
        d: Vec = math.cos(a) * base + math.sin(a) * toward
        return d / float(np.linalg.norm(d))

    @classmethod
    def for_view(
        cls,
        subject: SubjectFrame,
        view: ViewName,
        near: Literal["left", "right"] = "left",
        distance_m: float = 2.5,
        height_m: float = 0.4,
        hfov_deg: float = 60.0,
        resolution_wh: tuple[int, int] = (640, 480),
        oblique_deg: float = 45.0,
    ) -> Camera:
        """A camera for a named view (see :meth:`view_direction`)."""
        d = cls.view_direction(subject, view, near, oblique_deg)
        return cls.orbit(
            subject.centre, d, distance_m, height_m, hfov_deg, resolution_wh
        )

    @classmethod
    def side_view(
        cls,
        subject: SubjectFrame,
        near: Literal["left", "right"] = "left",
        distance_m: float = 2.5,
        height_m: float = 0.4,
        hfov_deg: float = 60.0,
        resolution_wh: tuple[int, int] = (640, 480),
    ) -> Camera:
        """The camera facing the subject's ``near`` side."""
        return cls.for_view(
            subject, "side", near, distance_m, height_m, hfov_deg, resolution_wh
        )

    @classmethod
    def front_view(
        cls,
        subject: SubjectFrame,
        distance_m: float = 2.5,
        height_m: float = 0.4,
        hfov_deg: float = 60.0,
        resolution_wh: tuple[int, int] = (640, 480),
    ) -> Camera:
        """The camera facing the subject's front."""
        return cls.for_view(
            subject, "front", "left", distance_m, height_m, hfov_deg, resolution_wh
        )

    @classmethod
    def feet_end(
        cls,
        subject: SubjectFrame,
        distance_m: float = 2.5,
        height_m: float = 0.5,
        hfov_deg: float = 60.0,
        resolution_wh: tuple[int, int] = (640, 480),
    ) -> Camera:
        """The camera beyond the feet of a lying body, looking along it."""
        return cls.for_view(
            subject, "feet_end", "left", distance_m, height_m, hfov_deg, resolution_wh
        )

    @classmethod
    def oblique(
        cls,
        subject: SubjectFrame,
        angle_deg: float,
        near: Literal["left", "right"] = "left",
        distance_m: float = 2.5,
        height_m: float = 0.4,
        hfov_deg: float = 60.0,
        resolution_wh: tuple[int, int] = (640, 480),
    ) -> Camera:
        """The side view turned ``angle_deg`` toward the feet end or front."""
        return cls.for_view(
            subject, "oblique", near, distance_m, height_m, hfov_deg, resolution_wh,
            oblique_deg=angle_deg,
        )  # fmt: skip

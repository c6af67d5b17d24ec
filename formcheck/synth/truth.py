"""Truth files written beside every synthetic clip.

``<clip>.truth.json`` holds labels and metadata (exercise, view, camera,
body, repetitions, holds, faults, phases); ``<clip>.truth.npz`` holds the
per-frame arrays (landmarks in pixels and metres, visibility, joint angles in
3D and projected 2D, the counting signal, the joint-angle parameters). Both
are written byte-for-byte deterministically. The format is documented in
``docs/synth.md``.

Example:
    >>> truth = load_truth("sample_videos/glute_bridge_side.truth.json")  # doctest: +SKIP
    >>> truth.meta["summary"]["reps"]  # doctest: +SKIP
    4
    >>> truth.angle("near_hip", "2d").shape  # doctest: +SKIP
    (412,)
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from formcheck.errors import InputError
from formcheck.landmarks import NUM_LANDMARKS, landmark_index
from formcheck.synth.camera import Camera
from formcheck.synth.measures import angle3, signal
from formcheck.synth.render import GROUP_ID, RenderedFrame
from formcheck.synth.skeleton import LANDMARK_GROUPS, PARAMETERS

TRUTH_FORMAT: Final = "formcheck-synth-truth-1"
Array = npt.NDArray[np.float64]

#: Joints with an interior angle, as (name, (a, b, c) parts): angle at b.
JOINTS: Final[tuple[tuple[str, tuple[str, str, str]], ...]] = (
    ("hip", ("shoulder", "hip", "knee")),
    ("knee", ("hip", "knee", "ankle")),
    ("ankle", ("knee", "ankle", "foot_index")),
    ("shoulder", ("hip", "shoulder", "elbow")),
    ("elbow", ("shoulder", "elbow", "wrist")),
)
#: Names of the per-frame angles, in column order of the angle arrays.
ANGLE_NAMES: Final[tuple[str, ...]] = (
    *(f"{p}_{j}" for p in ("left", "right", "near", "far") for j, _ in JOINTS),
    "near_hip_ext",
    "far_hip_ext",
)
#: Depth tolerance (m) for a joint landmark hidden only by its own limb's surface.
_JOINT_DEPTH_TOL_M: Final = 0.06
#: Depth tolerance (m) for a landmark on the body surface (face).
_SURFACE_DEPTH_TOL_M: Final = 0.02


def _idx(part: str, side: str) -> int:
    return landmark_index(part, "left" if side == "left" else "right")


def joint_angles(points: Array, near: str) -> Array:
    """Interior angles (degrees) for :data:`ANGLE_NAMES` from 2D or 3D points.

    Args:
        points: ``(..., 33, D)`` landmarks (pixels or metres).
        near: The side facing the camera.

    Returns:
        ``(..., len(ANGLE_NAMES))`` angles. The ``*_hip_ext`` columns are the
        shoulder-hip-knee angle on 0-360, above 180 when the hip is above the
        shoulder-knee line (world up in 3D, image up in 2D).
    """
    far = "right" if near == "left" else "left"
    sides = {"left": "left", "right": "right", "near": near, "far": far}
    cols = []
    for prefix in ("left", "right", "near", "far"):
        side = sides[prefix]
        for _, (a, b, c) in JOINTS:
            cols.append(
                angle3(
                    points[..., _idx(a, side), :],
                    points[..., _idx(b, side), :],
                    points[..., _idx(c, side), :],
                )
            )
    for side in (near, far):
        sh = points[..., _idx("shoulder", side), :]
        hip = points[..., _idx("hip", side), :]
        kn = points[..., _idx("knee", side), :]
        interior = angle3(sh, hip, kn)
        d = kn - sh
        frac = np.sum((hip - sh) * d, axis=-1) / np.maximum(
            np.sum(d * d, axis=-1), 1e-12
        )
        on_line = sh + frac[..., None] * d
        if points.shape[-1] == 3:
            above = hip[..., 2] > on_line[..., 2]
        else:
            above = hip[..., 1] < on_line[..., 1]  # image y grows downward
        cols.append(np.where(above, 360.0 - interior, interior))
    return np.stack(cols, axis=-1)


def landmark_visibility(
    points_m: Array,
    xy_px: Array,
    camera_pos_m: Array,
    frame: RenderedFrame,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Which landmarks the camera sees, from the rendered depth and group buffers.

    A landmark is *in frame* when its pixel lies in the image. It is
    *visible* when it is in frame and not hidden by another part of the body:
    the surface at its pixel belongs to the landmark's own limb (or the torso
    for hips and shoulders), or is no nearer than the landmark itself minus a
    tolerance (6 cm for joint centres, 2 cm for face points on the skin).

    Args:
        points_m: ``(33, 3)`` world positions.
        xy_px: ``(33, 2)`` projected pixels.
        camera_pos_m: Camera centre.
        frame: The rendered frame (depth and group buffers).

    Returns:
        ``(visible, in_frame)``, two ``(33,)`` boolean arrays.
    """
    h, w = frame.depth_m.shape
    visible = np.zeros(NUM_LANDMARKS, dtype=bool)
    in_frame = np.zeros(NUM_LANDMARKS, dtype=bool)
    dist = np.linalg.norm(points_m - camera_pos_m[None, :], axis=1)
    for i in range(NUM_LANDMARKS):
        x, y = xy_px[i]
        if not (np.isfinite(x) and np.isfinite(y) and 0 <= x < w and 0 <= y < h):
            continue
        in_frame[i] = True
        col, row = int(x), int(y)
        surface_m = float(frame.depth_m[row, col])
        group = int(frame.group_id[row, col])
        face = i <= 10
        tol = _SURFACE_DEPTH_TOL_M if face else _JOINT_DEPTH_TOL_M
        own = {GROUP_ID[g] for g in LANDMARK_GROUPS[i]}
        if (not face and group in own) or surface_m >= dist[i] - tol:
            visible[i] = True
    return visible, in_frame


def evaluate_signal(name: str, points_m: Array, params: Mapping[str, float]) -> float:
    """A counting/timing signal: a measure name or ``param:<parameter>``.

    ``param:pelvic_tilt`` is the posterior pelvic tilt in supine,
    ``-(pitch + 90)``.
    """
    if name.startswith("param:"):
        key = name[6:]
        if key == "pelvic_tilt":
            return -(params.get("pitch", 0.0) + 90.0)
        return float(params.get(key, 0.0))
    return float(signal(points_m, name))


class TruthTrack:
    """The ground truth of every frame, collected while rendering.

    Args:
        near: The side facing the camera (for the joint angles).
        signal_names: The truth signal's names (two for a per-side signal).
    """

    _KEYS: Final = ("xyz", "xy", "vis", "inf", "a3", "a2", "sig", "par")

    def __init__(self, near: Literal["left", "right"], signal_names: list[str]) -> None:
        self._near = near
        self.signal_names = signal_names
        self._arrays: dict[str, list[npt.NDArray[Any]]] = {k: [] for k in self._KEYS}

    def add(
        self,
        lm: npt.NDArray[Any],
        camera: Camera,
        frame: RenderedFrame,
        params: dict[str, float],
    ) -> None:
        """One frame: 3D landmarks ``lm``, seen by ``camera`` in ``frame``."""
        arrays = self._arrays
        xy, _ = camera.project(lm)
        vis, inf = landmark_visibility(lm, xy, camera.position_m, frame)
        arrays["xyz"].append(lm.astype(np.float32))
        arrays["xy"].append(xy.astype(np.float32))
        arrays["vis"].append(vis)
        arrays["inf"].append(inf)
        arrays["a3"].append(joint_angles(lm, self._near).astype(np.float32))
        arrays["a2"].append(joint_angles(xy, self._near).astype(np.float32))
        arrays["sig"].append(
            np.array(
                [evaluate_signal(s, lm, params) for s in self.signal_names], np.float32
            )
        )
        arrays["par"].append(
            np.array([params.get(p, 0.0) for p in PARAMETERS], np.float32)
        )

    def truth_arrays(self, n: int, fps: float) -> dict[str, npt.NDArray[Any]]:
        """The ``.truth.npz`` arrays of ``n`` frames at ``fps``."""
        arrays = self._arrays
        return {
            "format": np.array(TRUTH_FORMAT),
            "timestamps_ms": np.arange(n, dtype=np.float64) * 1000.0 / fps,
            "landmarks_xyz_m": np.stack(arrays["xyz"]),
            "landmarks_xy_px": np.stack(arrays["xy"]),
            "visible": np.stack(arrays["vis"]),
            "in_frame": np.stack(arrays["inf"]),
            "angle_names": np.array(ANGLE_NAMES),
            "angles_3d_deg": np.stack(arrays["a3"]),
            "angles_2d_deg": np.stack(arrays["a2"]),
            "signal_names": np.array(self.signal_names, dtype="<U64"),
            "signals": np.stack(arrays["sig"])
            if self.signal_names
            else np.zeros((n, 0), np.float32),
            "param_names": np.array(PARAMETERS),
            "params": np.stack(arrays["par"]),
        }


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    return value


def write_truth(
    stem: Path, meta: dict[str, Any], arrays: Mapping[str, npt.NDArray[Any]]
) -> tuple[Path, Path]:
    """Write ``<stem>.truth.json`` and ``<stem>.truth.npz`` deterministically.

    The NPZ is a zip of ``.npy`` members with fixed timestamps, so the same
    arrays always give the same bytes.

    Returns:
        The two paths.
    """
    json_path = stem.with_name(stem.name + ".truth.json")
    npz_path = stem.with_name(stem.name + ".truth.npz")
    meta = {**meta, "arrays_file": npz_path.name}
    json_path.write_text(json.dumps(_round(meta), indent=1) + "\n", encoding="utf-8")
    with zipfile.ZipFile(npz_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(  # type: ignore[no-untyped-call]
                buf, np.ascontiguousarray(arrays[name]), allow_pickle=False
            )
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())
    return json_path, npz_path


@dataclass
class Truth:
    """A loaded truth file.

    Attributes:
        meta: The JSON labels and metadata.
        arrays: The per-frame arrays (see ``docs/synth.md``).
    """

    meta: dict[str, Any]
    arrays: dict[str, npt.NDArray[Any]]

    def angle(self, name: str, space: Literal["2d", "3d"] = "2d") -> Array:
        """One per-frame angle, e.g. ``near_knee`` (see :data:`ANGLE_NAMES`)."""
        names = [str(n) for n in self.arrays["angle_names"]]
        if name not in names:
            raise KeyError(f"unknown angle {name!r}; expected one of {names}")
        return np.asarray(
            self.arrays[f"angles_{space}_deg"][:, names.index(name)], np.float64
        )

    @property
    def timestamps_s(self) -> Array:
        """Frame times in seconds."""
        return np.asarray(self.arrays["timestamps_ms"], np.float64) / 1000.0


def load_truth(path: str | Path) -> Truth:
    """Read a truth file (give the ``.truth.json``, the ``.truth.npz`` or the clip).

    Raises:
        InputError: If the files are missing or not formcheck synth truth.
    """
    p = Path(path)
    name = p.name
    for suffix in (".truth.json", ".truth.npz", ".mp4"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    json_path = p.with_name(name + ".truth.json")
    npz_path = p.with_name(name + ".truth.npz")
    if not json_path.is_file() or not npz_path.is_file():
        raise InputError(f"{json_path}: truth files not found")
    meta = json.loads(json_path.read_text(encoding="utf-8"))
    if meta.get("format") != TRUTH_FORMAT:
        raise InputError(f"{json_path}: not a {TRUTH_FORMAT} file")
    with np.load(npz_path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return Truth(meta, arrays)


__all__ = [
    "ANGLE_NAMES",
    "PARAMETERS",
    "TRUTH_FORMAT",
    "Truth",
    "TruthTrack",
    "evaluate_signal",
    "joint_angles",
    "landmark_visibility",
    "load_truth",
    "write_truth",
]

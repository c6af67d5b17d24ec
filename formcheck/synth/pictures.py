"""Draw each exercise's pictures with the mannequin: start, end, camera placement.

For every exercise the mannequin performs, three small WebP pictures:

* ``start``: the start position, from the spec's recommended camera view and
  height (the middle of its height range);
* ``end``: the end (working) position of the first repetition, or the middle
  of the first hold, from the same camera;
* ``camera``: the room seen from high up and at an angle, the person on the
  mat in the start position and a camera on a stand where the spec says to
  put it, with the distance and height written on it.

Everything is deterministic (no noise, fixed seed, fixed look), so
``formcheck pictures`` writes the same bytes every time on one machine.
See :mod:`formcheck.pictures` for where the files go and their captions.

Example:
    >>> images = render_pictures(load_spec("glute_bridge"))  # doctest: +SKIP
    >>> sorted(k.value for k in images)  # doctest: +SKIP
    ['camera', 'end', 'start']
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.errors import OutputError
from formcheck.fileio import atomic_write_bytes
from formcheck.pictures import PICTURE_SIZE_WH, PictureKind, picture_path
from formcheck.specs.schema import ExerciseSpec
from formcheck.synth.camera import Camera, ViewName
from formcheck.synth.clip import nearest_fitting_camera
from formcheck.synth.motions import EXERCISES, Motion, MotionParams, build_motion
from formcheck.synth.render import Box, Look, Renderer, Scene
from formcheck.synth.skeleton import (
    CLOTHING,
    SHAPES,
    Skeleton,
    body_parts,
    landmarks_3d,
)

Image = npt.NDArray[np.uint8]
Vec = npt.NDArray[np.float64]

#: Pictures are rendered this many times larger, then shrunk (smooth edges).
_SUPERSAMPLE: Final = 2
_WEBP_QUALITY: Final = 85
_HFOV_DEG: Final = 50.0
#: The overview camera: turned this far from the recommended view, this high.
_OVERVIEW_TURN_DEG: Final = 60.0
_OVERVIEW_HEIGHT_M: Final = 3.0
#: Drawn camera body, larger than life so that it shows at this size.
_CAMERA_HALF_M: Final = (0.09, 0.14, 0.09)
_CAMERA_BGR: Final = (95, 95, 100)
_LENS_BGR: Final = (20, 20, 20)
_STAND_BGR: Final = (90, 90, 95)
_TEXT_BGR: Final = (255, 255, 255)
_OUTLINE_BGR: Final = (30, 30, 30)


def pose_times(motion: Motion) -> tuple[float, float]:
    """When the motion is in its start and its end (working) position.

    Args:
        motion: A motion from :func:`~formcheck.synth.motions.build_motion`.

    Returns:
        ``(start_s, end_s)``: the start of the exercise phase, and the peak of
        the first counted repetition (or the middle of the first hold).

    Raises:
        ValueError: If the motion has no exercise phase, repetition or hold.
    """
    timeline = motion.timeline
    start = next((p for p in timeline.phases if p[0] == "exercise"), None)
    if start is None:
        raise ValueError(f"{motion.exercise}: the motion has no exercise phase")
    counted = [r for r in timeline.reps if r.counted]
    if counted:
        return start[1], counted[0].peak_s
    if timeline.holds:
        hold = timeline.holds[0]
        return start[1], (hold.start_s + hold.end_s) / 2.0
    raise ValueError(f"{motion.exercise}: the motion has no repetition or hold")


def _look() -> Look:
    """The one look of every picture: seed 0, no sensor noise."""
    return replace(
        Look.from_seed(0, SHAPES["medium"], CLOTHING["teal"]), noise_sigma=0.0
    )


def _padded(points: Vec, pad_m: float) -> Vec:
    offsets = np.array(
        [[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float
    )
    cloud: Vec = (points[:, None, :] + pad_m * offsets[None, :, :]).reshape(-1, 3)
    return cloud


def _view_direction(motion: Motion, spec: ExerciseSpec) -> Vec:
    """From the body toward the spec's camera (else the mannequin's own view)."""
    try:
        return Camera.view_direction(motion.subject, spec.camera.view, "left")
    except ValueError:
        own: ViewName = EXERCISES[spec.id].view  # type: ignore[assignment]
        return Camera.view_direction(motion.subject, own, "left")


def _render_size() -> tuple[int, int]:
    return PICTURE_SIZE_WH[0] * _SUPERSAMPLE, PICTURE_SIZE_WH[1] * _SUPERSAMPLE


def _shrink(image: Image) -> Image:
    small = cv2.resize(image, PICTURE_SIZE_WH, interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.uint8)


def _still_camera(
    motion: Motion, spec: ExerciseSpec, skeletons: list[Skeleton]
) -> Camera:
    """The recommended camera, as near as the two poses allow."""
    points = np.concatenate([landmarks_3d(sk) for sk in skeletons])
    target = (points.min(axis=0) + points.max(axis=0)) / 2.0
    height = float(np.mean(spec.camera.height_m))
    direction = _view_direction(motion, spec)

    def make(dist: float) -> Camera:
        return Camera.orbit(target, direction, dist, height, _HFOV_DEG, _render_size())

    return nearest_fitting_camera(make, _padded(points, 0.1), (0.06, 0.08), 1.0)


def _marker_boxes(foot: Vec, height_m: float, direction: Vec) -> tuple[Box, ...]:
    """A camera on a stand at ``foot``, its lens toward ``-direction``."""
    yaw = math.degrees(math.atan2(-direction[1], -direction[0]))
    body = foot + np.array([0.0, 0.0, height_m])
    hx, hy, hz = _CAMERA_HALF_M
    lens = body - direction * (hx + 0.05)
    stand_half = max(height_m - hz, 0.01) / 2.0
    return (
        Box((body[0], body[1], body[2]), (hx, hy, hz), yaw, _CAMERA_BGR),
        Box((lens[0], lens[1], lens[2]), (0.05, 0.06, 0.06), yaw, _LENS_BGR),
        Box(
            (foot[0], foot[1], stand_half), (0.015, 0.015, stand_half), yaw, _STAND_BGR
        ),
    )


def _overview_camera(motion: Motion, direction: Vec, cloud: Vec) -> Camera:
    """A high camera turned from the recommended view, seeing ``cloud`` whole."""
    side = np.array([-direction[1], direction[0], 0.0])
    toward = (
        motion.subject.feet if motion.subject.feet is not None else motion.subject.front
    )
    if toward is not None and float(side @ toward) < 0:
        side = -side
    turn = math.radians(_OVERVIEW_TURN_DEG)
    look_from = math.cos(turn) * direction + math.sin(turn) * side
    target = (cloud.min(axis=0) + cloud.max(axis=0)) / 2.0
    target[2] = 0.3

    def make(dist: float) -> Camera:
        position = target + look_from * dist
        position[2] = _OVERVIEW_HEIGHT_M
        return Camera(position, target, _HFOV_DEG, *_render_size())

    return nearest_fitting_camera(make, cloud, (0.08, 0.1), 1.5, 14.0)


def _text(image: Image, text: str, centre_xy: tuple[float, float]) -> None:
    """White text with a dark outline, centred on a point, kept inside the image."""
    font, scale = cv2.FONT_HERSHEY_SIMPLEX, 0.42
    (w, h), _ = cv2.getTextSize(text, font, scale, 1)
    x = round(min(max(centre_xy[0] - w / 2, 3), image.shape[1] - w - 3))
    y = round(min(max(centre_xy[1] + h / 2, h + 3), image.shape[0] - 4))
    cv2.putText(image, text, (x, y), font, scale, _OUTLINE_BGR, 3, cv2.LINE_AA)
    cv2.putText(image, text, (x, y), font, scale, _TEXT_BGR, 1, cv2.LINE_AA)


def _metres(values: tuple[float, float]) -> str:
    low, high = values
    return f"{low:g} m" if low == high else f"{low:g}-{high:g} m"


def _annotate_sketch(
    image: Image, camera: Camera, foot: Vec, body_floor: Vec, spec: ExerciseSpec
) -> None:
    """Draw the distance line and the two labels on the shrunk sketch."""
    scale = 1.0 / _SUPERSAMPLE
    height = float(np.mean(spec.camera.height_m))
    top = foot + np.array([0.0, 0.0, height + 2 * _CAMERA_HALF_M[2]])
    xy, _ = camera.project(np.stack([foot, body_floor, top]))
    xy = xy * scale
    p0 = (round(float(xy[0, 0])), round(float(xy[0, 1])))
    p1 = (round(float(xy[1, 0])), round(float(xy[1, 1])))
    cv2.line(image, p0, p1, _OUTLINE_BGR, 3, cv2.LINE_AA)
    cv2.line(image, p0, p1, _TEXT_BGR, 1, cv2.LINE_AA)
    mid = (xy[0] + xy[1]) / 2.0
    _text(image, _metres(spec.camera.distance_m), (mid[0], mid[1] - 10))
    _text(image, "camera", (xy[2, 0], xy[2, 1] - 30))
    _text(image, f"{_metres(spec.camera.height_m)} high", (xy[2, 0], xy[2, 1] - 16))


def _encode(image: Image) -> bytes:
    ok, data = cv2.imencode(".webp", image, [cv2.IMWRITE_WEBP_QUALITY, _WEBP_QUALITY])
    if not ok:  # pragma: no cover - OpenCV always has WebP
        raise RuntimeError("OpenCV could not encode WebP")
    return bytes(data.tobytes())


def _sketch(
    motion: Motion, spec: ExerciseSpec, start: Skeleton, still: Camera
) -> Image:
    """The camera-placement sketch (shrunk, labelled)."""
    body = landmarks_3d(start)
    centre = (body.min(axis=0) + body.max(axis=0)) / 2.0
    body_floor = np.array([centre[0], centre[1], 0.0])
    direction = still.position_m - still.target_m
    direction = np.array([direction[0], direction[1], 0.0])
    direction /= np.linalg.norm(direction)
    distance = float(np.mean(spec.camera.distance_m))
    height = float(np.mean(spec.camera.height_m))
    foot = body_floor + direction * distance
    marker = _marker_boxes(foot, height, direction)
    top = foot + np.array([0.0, 0.0, height + 0.35])
    cloud = np.concatenate([_padded(body, 0.1), np.stack([foot, top])])
    overview = _overview_camera(motion, direction, cloud)
    scene = Scene(props=(*motion.props, *marker), wall_gap_m=4.0)
    renderer = Renderer(overview, scene, _look())
    image = _shrink(renderer.render(body_parts(start)).image_bgr)
    _annotate_sketch(image, overview, foot, body_floor, spec)
    return image


def can_draw(exercise_id: str) -> bool:
    """Whether the mannequin knows the exercise (has a motion for it)."""
    return exercise_id in EXERCISES


def render_pictures(spec: ExerciseSpec) -> dict[PictureKind, bytes]:
    """Render the three pictures of an exercise as WebP bytes.

    Args:
        spec: The exercise; its id must be one the mannequin performs.

    Returns:
        The encoded pictures by kind.

    Raises:
        ValueError: If the mannequin has no motion for the exercise.
    """
    if not can_draw(spec.id):
        raise ValueError(f"{spec.id}: the mannequin has no motion for this exercise")
    motion = build_motion(spec.id, SHAPES["medium"], MotionParams(n_reps=1))
    t_start, t_end = pose_times(motion)
    start = motion.timeline.skeleton_at(t_start)
    end = motion.timeline.skeleton_at(t_end)
    camera = _still_camera(motion, spec, [start, end])
    renderer = Renderer(camera, Scene(props=motion.props), _look())
    images = {
        PictureKind.START: _shrink(renderer.render(body_parts(start)).image_bgr),
        PictureKind.END: _shrink(renderer.render(body_parts(end)).image_bgr),
        PictureKind.CAMERA: _sketch(motion, spec, start, camera),
    }
    return {kind: _encode(image) for kind, image in images.items()}


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it."""
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write picture ({exc.strerror or exc})"
        ) from exc


def write_pictures(specs: Iterable[ExerciseSpec], folder: Path) -> list[Path]:
    """Render and write the pictures of every spec the mannequin can perform.

    Args:
        specs: The exercises.
        folder: Output folder (created if missing).

    Returns:
        The files written.

    Raises:
        OutputError: If the folder or a file cannot be written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot create folder ({exc.strerror or exc})"
        ) from exc
    written = []
    for spec in specs:
        if not can_draw(spec.id):
            continue
        for kind, data in render_pictures(spec).items():
            path = picture_path(spec.id, kind, folder)
            _write_atomic(path, data)
            written.append(path)
    return written


def stale_pictures(specs: Iterable[ExerciseSpec], folder: Path) -> list[Path]:
    """The pictures in ``folder`` that differ from a fresh rendering (or are missing).

    Args:
        specs: The exercises.
        folder: Picture folder.

    Returns:
        The files that ``formcheck pictures`` would change.
    """
    stale = []
    for spec in specs:
        if not can_draw(spec.id):
            continue
        paths = [picture_path(spec.id, kind, folder) for kind in PictureKind]
        if not any(path.is_file() for path in paths):
            stale += paths  # nothing to compare: no need to render
            continue
        for kind, data in render_pictures(spec).items():
            path = picture_path(spec.id, kind, folder)
            if not path.is_file() or path.read_bytes() != data:
                stale.append(path)
    return stale

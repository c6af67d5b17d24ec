"""Render one labelled clip: an H.264 MP4 plus its truth files.

Example:
    >>> spec = ClipSpec("glute_bridge", view="side", body="medium", seed=3)
    >>> result = render_clip(spec, Path("out"))  # doctest: +SKIP
    >>> result.video_path.name  # doctest: +SKIP
    'glute_bridge_side_medium_left_s3.mp4'
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from formcheck.synth import GENERATOR_VERSION
from formcheck.synth.camera import VIEWS, Camera, ViewName
from formcheck.synth.motions import EXERCISES, Motion, MotionParams, build_motion
from formcheck.synth.render import Box, Look, Renderer, Scene
from formcheck.synth.skeleton import (
    CLOTHING,
    SHAPES,
    body_parts,
    landmarks_3d,
)
from formcheck.synth.truth import TRUTH_FORMAT, TruthTrack, write_truth
from formcheck.video import VideoWriter

logger = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]

#: Share of the image kept free at each border when the camera distance is fitted.
_MARGIN_X: Final = 0.05
_MARGIN_Y: Final = 0.07


@dataclass(frozen=True)
class ClipSpec:
    """Everything that determines a clip.

    Attributes:
        exercise: Exercise id.
        view: ``side``, ``front``, ``back``, ``feet_end``, ``head_end``,
            ``oblique`` or ``recommended`` (the exercise's own view).
        body: Body shape id (``small``, ``medium``, ``tall``).
        clothing: Outfit id (``teal``, ``red``).
        side: Side facing the camera / working side.
        faults: Fault ids to inject.
        fault_reps: Repetitions that get the faults (``None``: every second).
        n_reps: Repetitions per side, or holds (``None``: default).
        hold_s: Hold length (``None``: default).
        tempo: Duration multiplier.
        seed: Seed of everything random (tempo, colours, light, noise).
        fps: Frame rate.
        resolution_wh: Image size.
        hfov_deg: Horizontal field of view.
        oblique_deg: Turn of the oblique view from the side view.
        camera_height_m: ``None``: the exercise's typical height.
        camera_distance_m: ``None``: fitted so the whole motion stays in frame.
        crf: x264 quality (higher = smaller files).
        lead_in: ``full`` (get into position and back up) or ``short``
            (settle for 2 s, 1 s still at the end).
        name: File stem (``None``: built from the fields).
    """

    exercise: str
    view: str = "recommended"
    body: str = "medium"
    clothing: str = "teal"
    side: Literal["left", "right"] = "left"
    faults: tuple[str, ...] = ()
    fault_reps: tuple[int, ...] | None = None
    n_reps: int | None = None
    hold_s: float | None = None
    tempo: float = 1.0
    seed: int = 0
    fps: float = 15.0
    resolution_wh: tuple[int, int] = (640, 480)
    hfov_deg: float = 60.0
    oblique_deg: float = 45.0
    camera_height_m: float | None = None
    camera_distance_m: float | None = None
    crf: int = 30
    lead_in: Literal["full", "short"] = "full"
    name: str | None = None

    def __post_init__(self) -> None:
        if self.exercise not in EXERCISES:
            raise ValueError(
                f"unknown exercise {self.exercise!r}; expected one of {sorted(EXERCISES)}"
            )
        if self.view != "recommended" and self.view not in VIEWS:
            raise ValueError(
                f"unknown view {self.view!r}; expected 'recommended' or one of {list(VIEWS)}"
            )
        if self.body not in SHAPES:
            raise ValueError(
                f"unknown body {self.body!r}; expected one of {sorted(SHAPES)}"
            )
        if self.clothing not in CLOTHING:
            raise ValueError(
                f"unknown clothing {self.clothing!r}; expected one of {sorted(CLOTHING)}"
            )
        if not 1.0 <= self.fps <= 60.0:
            raise ValueError(f"`fps` must be in [1, 60], but got {self.fps!r}")

    @property
    def resolved_view(self) -> ViewName:
        """The view, with ``recommended`` replaced by the exercise's own."""
        view = (
            EXERCISES[self.exercise].view if self.view == "recommended" else self.view
        )
        return view  # type: ignore[return-value]

    @property
    def stem(self) -> str:
        """File name without extension."""
        if self.name:
            return self.name
        parts = [self.exercise, self.resolved_view]
        if self.resolved_view == "oblique":
            parts[-1] = f"oblique{round(self.oblique_deg)}"
        parts += [self.body, self.side, f"s{self.seed}"]
        if self.lead_in == "short":
            parts.append("short")
        parts += list(self.faults)
        return "_".join(parts)

    def motion_params(self) -> MotionParams:
        """The motion part of the spec."""
        return MotionParams(
            side=self.side,
            n_reps=self.n_reps,
            hold_s=self.hold_s,
            tempo=self.tempo,
            faults=self.faults,
            fault_reps=self.fault_reps,
            seed=self.seed,
            lead_in=self.lead_in,
        )


@dataclass
class ClipResult:
    """What :func:`render_clip` wrote.

    Attributes:
        video_path: The MP4 (``None`` if not written).
        truth_json: Labels and metadata.
        truth_npz: Per-frame arrays.
        frames: Number of frames.
        render_s: Wall time spent rendering (excluding encoding).
        meta: The truth metadata.
    """

    video_path: Path | None
    truth_json: Path
    truth_npz: Path
    frames: int
    render_s: float
    meta: dict[str, Any]

    @property
    def render_fps(self) -> float:
        """Frames rendered per second of wall time."""
        return self.frames / self.render_s if self.render_s > 0 else math.inf


def fit_camera(motion: Motion, spec: ClipSpec) -> Camera:
    """Place the camera for ``spec.view`` so the whole motion stays in frame.

    The look-at point is the centre of the motion's landmark bounding box; the
    distance is the smallest (from 1.5 m, in 5 cm steps) that keeps every
    landmark, padded by 12 cm, inside the image margins.

    Raises:
        ValueError: If the view does not exist for the exercise's posture.
    """
    info = EXERCISES[motion.exercise]
    height = (
        spec.camera_height_m
        if spec.camera_height_m is not None
        else info.camera_height_m
    )
    times = np.linspace(0.0, motion.duration_s, 48)
    pts = np.stack(
        [landmarks_3d(motion.timeline.skeleton_at(float(t))) for t in times]
    ).reshape(-1, 3)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    target = (lo + hi) / 2.0
    pad = np.array(
        [
            [dx, dy, dz]
            for dx in (-0.12, 0.12)
            for dy in (-0.12, 0.12)
            for dz in (-0.12, 0.12)
        ]
    )
    cloud = (pts[:, None, :] + pad[None, :, :]).reshape(-1, 3)
    cloud = cloud[:: max(1, len(cloud) // 20000)]
    subject = motion.subject
    view = spec.resolved_view
    direction = Camera.view_direction(subject, view, spec.side, spec.oblique_deg)

    def make(dist: float) -> Camera:
        return Camera.orbit(
            target, direction, dist, height, spec.hfov_deg, spec.resolution_wh
        )

    if spec.camera_distance_m is not None:
        return make(spec.camera_distance_m)
    return nearest_fitting_camera(make, cloud, (_MARGIN_X, _MARGIN_Y))


def nearest_fitting_camera(
    make: Callable[[float], Camera],
    cloud: npt.NDArray[np.float64],
    margins_xy: tuple[float, float],
    start_m: float = 1.5,
    stop_m: float = 8.0,
) -> Camera:
    """The nearest camera (in 5 cm steps) that keeps every point inside the margins.

    Args:
        make: Builds the camera at a distance (m).
        cloud: ``(N, 3)`` world points that must be in the picture.
        margins_xy: Share of the image width / height kept free at each border.
        start_m: First distance tried.
        stop_m: The distance used when none fits.

    Returns:
        The camera.
    """
    for dist in np.arange(start_m, stop_m, 0.05):
        cam = make(float(dist))
        w, h = cam.width_px, cam.height_px
        xy, depth = cam.project(cloud)
        ok = (
            np.all(depth > 0.2)
            and np.all(xy[:, 0] >= margins_xy[0] * w)
            and np.all(xy[:, 0] <= (1 - margins_xy[0]) * w)
            and np.all(xy[:, 1] >= margins_xy[1] * h)
            and np.all(xy[:, 1] <= (1 - margins_xy[1]) * h)
        )
        if ok:
            return cam
    return make(stop_m)


def _summary(motion: Motion) -> dict[str, Any]:
    reps = motion.timeline.reps
    counted = [r for r in reps if r.counted]
    per_side: dict[str, int] = {}
    for r in counted:
        if r.side is not None:
            per_side[r.side] = per_side.get(r.side, 0) + 1
    holds = motion.timeline.holds
    return {
        "reps": len(counted),
        "per_side": per_side,
        "attempts_not_counted": len(reps) - len(counted),
        "holds": len(holds),
        "holds_completed": sum(h.held_s >= h.min_s for h in holds),
        "faults": sorted(
            {f for r in reps for f in r.faults} | {f for h in holds for f in h.faults}
        ),
    }


def clip_meta(
    spec: ClipSpec, motion: Motion, camera: Camera, look: Look, frames: int
) -> dict[str, Any]:
    """The JSON part of a clip's truth."""
    shape = motion.shape
    info = EXERCISES[spec.exercise]
    near = spec.side
    sig = motion.signal
    return {
        "format": TRUTH_FORMAT,
        "generator_version": GENERATOR_VERSION,
        "clip": spec.stem,
        "exercise": spec.exercise,
        "view": spec.resolved_view,
        "recommended_view": info.view,
        "oblique_deg": spec.oblique_deg if spec.resolved_view == "oblique" else None,
        "side": spec.side,
        "near_side": near,
        "posture": motion.posture,
        "kind": motion.kind,
        "seed": spec.seed,
        "fps": spec.fps,
        "frames": frames,
        "duration_s": frames / spec.fps,
        "resolution_wh": list(spec.resolution_wh),
        "body": {"name": shape.name, "height_m": shape.height_m, "build": shape.build},
        "clothing": spec.clothing,
        "camera": camera.to_dict(),
        "look": asdict(look),
        "render": {
            "crf": spec.crf,
            "tempo": spec.tempo,
            "n_reps": spec.n_reps,
            "hold_s": spec.hold_s,
            "lead_in": spec.lead_in,
            "hfov_deg": spec.hfov_deg,
        },
        "faults_requested": list(spec.faults),
        "fault_reps": list(spec.fault_reps) if spec.fault_reps is not None else None,
        "count_signal": None
        if sig is None
        else {
            "name": sig.name,
            "enter": sig.enter,
            "exit": sig.exit,
            "direction": sig.direction,
            "per_side": sig.per_side,
        },
        "summary": _summary(motion),
        "reps": [
            {
                "index": r.index,
                "side": r.side,
                "start_s": r.start_s,
                "peak_s": r.peak_s,
                "end_s": r.end_s,
                "counted": r.counted,
                "faults": list(r.faults),
            }
            for r in motion.timeline.reps
        ],
        "holds": [
            {
                "index": h.index,
                "side": h.side,
                "start_s": h.start_s,
                "end_s": h.end_s,
                "held_s": round(h.held_s, 6),
                "min_s": h.min_s,
                "completed": h.held_s >= h.min_s,
                "faults": list(h.faults),
            }
            for h in motion.timeline.holds
        ],
        "phases": [
            {"name": n, "start_s": a, "end_s": b} for n, a, b in motion.timeline.phases
        ],
        "notes": motion.notes,
    }


def _signal_names(motion: Motion) -> list[str]:
    """The truth signal's name, or its two names for a per-side signal."""
    sig = motion.signal
    if sig is None:
        return []
    if sig.per_side:
        return [sig.name.format(side=s) for s in ("left", "right")]
    return [sig.name]


class _Rooms:
    """One renderer per set of props: the room is ray-cast once per set.

    (A chair turned round between the sides is another set of props.)
    """

    def __init__(self, camera: Camera, look: Look, seed: int) -> None:
        self._camera = camera
        self._look = look
        self._seed = seed
        self._renderers: dict[tuple[Box, ...], Renderer] = {}

    def at(self, motion: Motion, t: float) -> Renderer:
        """The renderer of the room as it is at time ``t`` (s)."""
        props = motion.props_at(t)
        if props not in self._renderers:
            self._renderers[props] = Renderer(
                self._camera, Scene(props=props), self._look, seed=self._seed
            )
        return self._renderers[props]


def render_clip(
    spec: ClipSpec,
    out_dir: Path,
    progress: ProgressFn | None = None,
    write_video: bool = True,
) -> ClipResult:
    """Render a clip and write ``<stem>.mp4``, ``<stem>.truth.json`` and ``<stem>.truth.npz``.

    Args:
        spec: What to render.
        out_dir: Output folder (created if missing).
        progress: Called as ``progress(done, total)`` after each frame.
        write_video: ``False`` renders (for visibility) but writes no MP4.

    Returns:
        The :class:`ClipResult`.

    Raises:
        ValueError: For an impossible combination (e.g. a side view of a
            side-lying exercise, a fault the exercise does not support).
        OutputError: If the files cannot be written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    shape = SHAPES[spec.body]
    motion = build_motion(spec.exercise, shape, spec.motion_params())
    camera = fit_camera(motion, spec)
    look = Look.from_seed(spec.seed, shape, CLOTHING[spec.clothing])
    rooms = _Rooms(camera, look, spec.seed)
    n = math.floor(motion.duration_s * spec.fps + 1e-9) + 1
    truth = TruthTrack(spec.side, _signal_names(motion))
    video_path = out_dir / f"{spec.stem}.mp4"
    writer = (
        VideoWriter(video_path, fps=spec.fps, crf=spec.crf) if write_video else None
    )
    render_s = 0.0
    try:
        for i in range(n):
            t = i / spec.fps
            t0 = time.perf_counter()
            sk = motion.timeline.skeleton_at(t)
            frame = rooms.at(motion, t).render(body_parts(sk), i)
            render_s += time.perf_counter() - t0
            truth.add(landmarks_3d(sk), camera, frame, motion.timeline.angles_at(t))
            if writer is not None:
                writer.write(frame.image_bgr, timestamp_ms=i * 1000.0 / spec.fps)
            if progress is not None:
                progress(i + 1, n)
    finally:
        if writer is not None:
            writer.close()
    meta = clip_meta(spec, motion, camera, look, n)
    meta["video_file"] = video_path.name if write_video else None
    truth_json, truth_npz = write_truth(
        out_dir / spec.stem, meta, truth.truth_arrays(n, spec.fps)
    )
    logger.info(
        "%s: %d frames, %.1f frames/s rendering", spec.stem, n, n / max(render_s, 1e-9)
    )
    return ClipResult(
        video_path if write_video else None, truth_json, truth_npz, n, render_s, meta
    )

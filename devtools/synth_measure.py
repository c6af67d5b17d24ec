"""Compare MediaPipe's landmarks on a rendered clip with the clip's truth.

For each clip: the share of frames where MediaPipe finds the person, the
share where the near-side hip and knee are found and visible, and the median
and 90th-percentile absolute errors of the near-side 2D hip and knee angles
against the truth (over exercise-phase frames where the truth says those
landmarks are visible). Swapped left/right labels are counted separately
(the angle is then taken from the side MediaPipe calls far).

Example:
    >>> report = measure_clip(Path("sample_videos/glute_bridge_side.mp4"))  # doctest: +SKIP
    >>> report.tracked_share  # doctest: +SKIP
    1.0
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import landmark_index
from formcheck.synth.measures import sagittal
from formcheck.synth.truth import Truth, joint_angles, load_truth
from formcheck.types import PoseSequence
from formcheck.video import FrameReader

logger = logging.getLogger(__name__)

Array = npt.NDArray[np.float64]
#: A clip is called reliable when these hold (exercise-phase frames).
RELIABLE_TRACKED = 0.95
RELIABLE_MEDIAN_DEG = 6.0
RELIABLE_P90_DEG = 15.0


@dataclass
class ClipReport:
    """MediaPipe vs truth on one clip (exercise-phase frames).

    Two errors are reported per angle. ``*_err_*`` compares MediaPipe's 2D
    angle with the truth landmarks projected into the same image (how well
    MediaPipe places the landmarks). ``*_vs_true_*`` compares it with the
    true joint angle in the body's sagittal plane, which is what a side-view
    spec threshold means: in the recommended side view the two agree; in
    oblique or end-on views the projection itself distorts the angle. For
    side-lying bodies (no sagittal view) and exercises whose spec measures
    in another view (the seated twist, filmed from the front) only the first
    is given.

    Attributes:
        clip: File stem.
        frames: Frames in the clip.
        tracked_share: Frames with a person found.
        near_visible_share: Frames where MediaPipe gives the near hip, knee and
            ankle visibility >= 0.5.
        swapped_share: Frames where MediaPipe's left/right labels fit the truth
            better swapped (the angles below then use the swapped side).
        hip_err_median_deg: Median |error| of the near hip angle vs projected truth.
        hip_err_p90_deg: 90th percentile of it.
        knee_err_median_deg: Same for the near knee.
        knee_err_p90_deg: 90th percentile of it.
        hip_vs_true_median_deg: Median |MediaPipe 2D - true sagittal| hip angle.
        hip_vs_true_p90_deg: 90th percentile of it.
        knee_vs_true_median_deg: Same for the knee.
        knee_vs_true_p90_deg: 90th percentile of it.
        compared_frames: Tracked exercise-phase frames used for the errors.
        truth_visible_share: Exercise-phase frames where the truth says the
            near shoulder, hip, knee and ankle are all unoccluded.
        reliable: Whether the reliability rule holds (see :func:`is_reliable`).
    """

    clip: str
    frames: int
    tracked_share: float
    near_visible_share: float
    swapped_share: float
    hip_err_median_deg: float
    hip_err_p90_deg: float
    knee_err_median_deg: float
    knee_err_p90_deg: float
    hip_vs_true_median_deg: float
    hip_vs_true_p90_deg: float
    knee_vs_true_median_deg: float
    knee_vs_true_p90_deg: float
    compared_frames: int
    truth_visible_share: float
    reliable: bool | str

    def to_dict(self) -> dict[str, Any]:
        """Rounded values for YAML/JSON."""
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, float) and not isinstance(v, bool):
                out[k] = round(v, 3) if np.isfinite(v) else None
        return out


def run_pose(
    video: Path, progress: Callable[[int, int], None] | None = None
) -> PoseSequence:
    """Run the MediaPipe estimator (full model) over a video."""
    from formcheck.pose import create_estimator

    reader = FrameReader(video)
    frames = []
    with create_estimator(model_complexity=1, count_people=False) as est:
        for f in reader.frames():
            frames.append(est(f.image_bgr, f.timestamp_ms, f.index))
            if progress is not None:
                progress(f.index + 1, reader.info.frame_count)
    return PoseSequence.from_frames(frames, fps=reader.info.fps, source=str(video))


def _stats(err: Array) -> tuple[float, float]:
    if err.size == 0:
        return float("nan"), float("nan")
    return float(np.median(err)), float(np.percentile(err, 90))


def is_reliable(
    tracked: float, hip: tuple[float, float], knee: tuple[float, float]
) -> bool | str:
    """``True`` / ``"partial"`` / ``False`` from (median, p90) angle errors.

    ``True``: tracked in >= 95 % of frames and both angles have median
    <= 6 deg and p90 <= 15 deg; ``"partial"``: tracked, one angle passes;
    ``False``: otherwise.
    """

    def ok(stats: tuple[float, float]) -> bool:
        med, p90 = stats
        return bool(
            np.isfinite(med) and med <= RELIABLE_MEDIAN_DEG and p90 <= RELIABLE_P90_DEG
        )

    if tracked < RELIABLE_TRACKED:
        return False
    if ok(hip) and ok(knee):
        return True
    if ok(hip) or ok(knee):
        return "partial"
    return False


def compare(truth: Truth, poses: PoseSequence, clip: str) -> ClipReport:
    """Compare a pose sequence with the truth of its clip."""
    meta = truth.meta
    t_s = truth.timestamps_s
    phase = next((p for p in meta["phases"] if p["name"] == "exercise"), None)
    if phase is None:
        mask = np.ones_like(t_s, dtype=bool)
    else:
        mask = (t_s >= phase["start_s"]) & (t_s <= phase["end_s"])
    n = min(len(poses), len(t_s))
    mask = mask[:n]
    near = meta["near_side"]
    far = "right" if near == "left" else "left"
    names = [str(x) for x in truth.arrays["angle_names"]]
    col_hip, col_knee = names.index("near_hip"), names.index("near_knee")
    t2d = truth.arrays["angles_2d_deg"][:n].astype(np.float64)
    t_hip, t_knee = t2d[:, col_hip], t2d[:, col_knee]
    vis_t = truth.arrays["visible"][:n]

    def seen(parts: tuple[str, ...]) -> npt.NDArray[np.bool_]:
        return np.asarray(
            vis_t[:, [landmark_index(p, near) for p in parts]].all(axis=1)
        )

    has = poses.num_people[:n] > 0
    xy = poses.xy[:n].astype(np.float64)
    mp_near = joint_angles(xy, near)
    mp_far = joint_angles(xy, far)
    # Swapped labels: MediaPipe's "far" side matches the truth's near side better.
    d_same = np.abs(mp_near[:, col_hip] - t_hip) + np.abs(mp_near[:, col_knee] - t_knee)
    d_swap = np.abs(mp_far[:, col_hip] - t_hip) + np.abs(mp_far[:, col_knee] - t_knee)
    swapped = has & np.isfinite(d_same) & np.isfinite(d_swap) & (d_swap + 10.0 < d_same)
    mp_hip = np.where(swapped, mp_far[:, col_hip], mp_near[:, col_hip])
    mp_knee = np.where(swapped, mp_far[:, col_knee], mp_near[:, col_knee])
    mp_vis = poses.visibility[:n][
        :, [landmark_index(p, near) for p in ("hip", "knee", "ankle")]
    ]
    near_visible = has & (mp_vis >= 0.5).all(axis=1)
    # Errors use every tracked frame: MediaPipe estimates hidden joints too, and
    # the engine reads them whenever MediaPipe calls them visible.
    use_hip = mask & has
    use_knee = mask & has
    chain_seen = seen(("shoulder", "hip", "knee", "ankle"))

    def stats(err: Array, use: npt.NDArray[np.bool_]) -> tuple[float, float]:
        e = err[use]
        return _stats(e[np.isfinite(e)])

    hip = stats(np.abs(mp_hip - t_hip), use_hip)
    knee = stats(np.abs(mp_knee - t_knee), use_knee)
    nan2 = (float("nan"), float("nan"))
    hip_true, knee_true = nan2, nan2
    sagittal_spec = meta.get("recommended_view", "side") == "side"
    if meta.get("posture") != "side_lying" and sagittal_spec:
        sag = sagittal(truth.arrays["landmarks_xyz_m"][:n].astype(np.float64))
        s3d = joint_angles(sag, near)
        hip_true = stats(np.abs(mp_hip - s3d[:, col_hip]), use_hip)
        knee_true = stats(np.abs(mp_knee - s3d[:, col_knee]), use_knee)
    m = max(int(mask.sum()), 1)
    tracked = float((has & mask).sum() / m)
    judged = (hip_true, knee_true) if np.isfinite(hip_true[0]) else (hip, knee)
    return ClipReport(
        clip=clip,
        frames=n,
        tracked_share=tracked,
        near_visible_share=float((near_visible & mask).sum() / m),
        swapped_share=float((swapped & mask).sum() / m),
        hip_err_median_deg=hip[0],
        hip_err_p90_deg=hip[1],
        knee_err_median_deg=knee[0],
        knee_err_p90_deg=knee[1],
        hip_vs_true_median_deg=hip_true[0],
        hip_vs_true_p90_deg=hip_true[1],
        knee_vs_true_median_deg=knee_true[0],
        knee_vs_true_p90_deg=knee_true[1],
        compared_frames=int(use_hip.sum()),
        truth_visible_share=float((chain_seen & mask).sum() / m),
        reliable=is_reliable(tracked, *judged),
    )


def measure_clip(
    video: Path, progress: Callable[[int, int], None] | None = None
) -> tuple[ClipReport, PoseSequence]:
    """Run MediaPipe on a rendered clip and compare with its truth.

    Raises:
        InputError: If the truth files are missing.
        VideoError: If the video cannot be read.
    """
    truth = load_truth(video)
    poses = run_pose(video, progress)
    stem = video.name[: -len(video.suffix)]
    return compare(truth, poses, stem), poses

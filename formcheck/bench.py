"""The accuracy benchmark: how often formcheck counts, times and flags correctly.

``formcheck bench`` runs the full pipeline with the real model over labelled
clips — the project's generated clips (exact truth) and any folder of real clips
with a labels file (eye counts, with their confidence) — and reports per clip and
in total: exact-count and off-by-one rates, mean absolute count error, hold-time
error, fault precision and recall, angle error against truth where truth exists,
and the time spent in pose inference versus formcheck's own per-frame work.

Labels file format (YAML)::

    format: formcheck-bench-labels
    version: 1
    videos: ../../shared/videos      # folder of the clips, relative to this file
    clips:
      - file: clip.mp4
        exercise: glute_bridge         # spec id
        view: side                     # as filmed
        reps: 7                        # counted repetitions (null for holds)
        reps_per_side: {left: 1, right: 1}   # optional
        holds_s: [5.0]                 # optional: hold durations, in order
        confidence: medium             # of the label: high | medium-high | medium | low
        side: left                     # optional: the --side to analyse with
        faults:                        # optional: [{rule, start_s, end_s}]
        note: free text
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from formcheck import __version__, geometry
from formcheck.analyze import analyze_video
from formcheck.engine import FormChecker
from formcheck.errors import FormcheckError, InputError
from formcheck.landmarks import Side, core_indices, landmark_index
from formcheck.record import SessionRecord
from formcheck.specs import ExerciseSpec, load_spec
from formcheck.types import PoseSequence

#: Count error, hold error (s) and angle error (deg) above which an exercise/view
#: is reported as not reliable.
HOLD_TOLERANCE_S = 1.0
ANGLE_TOLERANCE_DEG = 10.0


@dataclass
class FaultLabel:
    """A fault that happens in a clip, with when."""

    rule: str
    start_s: float
    end_s: float
    side: str | None = None


@dataclass
class ClipLabel:
    """What a clip contains."""

    path: Path
    exercise: str
    view: str
    source: str  # "generated" or "real"
    reps: int | None = None
    reps_per_side: dict[str, int] | None = None
    holds_s: list[float] | None = None
    faults: list[FaultLabel] = field(default_factory=list)
    clean_reps: list[tuple[float, float]] = field(default_factory=list)
    confidence: str = "exact"
    side: Side | None = None
    truth_landmarks_px: npt.NDArray[np.float64] | None = (
        None  # (T, 33, 2) for angle error
    )
    note: str = ""


@dataclass
class ClipResult:
    """How formcheck did on one clip."""

    file: str
    exercise: str
    view: str
    source: str
    confidence: str
    expected_reps: int | None
    found_reps: int | None
    expected_per_side: dict[str, int] | None
    found_per_side: dict[str, int] | None
    expected_holds_s: list[float] | None
    found_holds_s: list[float] | None
    hold_error_s: float | None
    faults_injected: int
    faults_flagged: int
    faults_missed: list[str]
    clean_reps: int
    clean_reps_flagged: int
    flagged_rules: list[str]
    angle_error_median_deg: float | None
    angle_error_p90_deg: float | None
    tracked_share: float
    frames: int
    duration_s: float
    pose_ms_per_frame: float
    formcheck_ms_per_frame: float
    processing_s: float
    error: str | None = None
    formcheck_isolated_ms_per_frame: float = math.nan

    @property
    def count_error(self) -> int | None:
        """Found minus expected repetitions (``None`` when not a rep clip)."""
        if self.expected_reps is None or self.found_reps is None:
            return None
        return self.found_reps - self.expected_reps


def _resolve(base: Path, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else (base / p).resolve()


def load_labels(path: str | Path, videos: str | Path | None = None) -> list[ClipLabel]:
    """Read a labels file.

    Args:
        path: The YAML labels file.
        videos: Folder of the clips (overrides the file's ``videos``).

    Raises:
        InputError: If the file is missing or malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such labels file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != "formcheck-bench-labels":
        raise InputError(f"{path}: not a formcheck benchmark labels file")
    folder = (
        Path(videos) if videos else _resolve(path.parent, str(data.get("videos", ".")))
    )
    labels = []
    for i, clip in enumerate(data.get("clips") or []):
        try:
            labels.append(
                ClipLabel(
                    path=folder / clip["file"],
                    exercise=clip["exercise"],
                    view=clip.get("view", "side"),
                    source="real",
                    reps=clip.get("reps"),
                    reps_per_side=clip.get("reps_per_side"),
                    holds_s=clip.get("holds_s"),
                    faults=[FaultLabel(**f) for f in clip.get("faults") or []],
                    confidence=str(clip.get("confidence", "unknown")),
                    side=clip.get("side"),
                    note=clip.get("note", ""),
                )
            )
        except (KeyError, TypeError) as exc:
            raise InputError(
                f"{path}: clips.{i}: missing or bad field ({exc})"
            ) from None
    return labels


def _near_angles(
    xy: npt.NDArray[np.float64], side: Side
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    sh, hip, knee, ankle = (
        landmark_index(p, side) for p in ("shoulder", "hip", "knee", "ankle")
    )
    hip_angle = geometry.joint_angle_deg(xy[:, sh], xy[:, hip], xy[:, knee])
    knee_angle = geometry.joint_angle_deg(xy[:, hip], xy[:, knee], xy[:, ankle])
    return hip_angle, knee_angle


def angle_errors(
    found: PoseSequence, truth_px: npt.NDArray[np.float64], min_visibility: float = 0.5
) -> npt.NDArray[np.float64]:
    """Absolute errors of the near-side hip and knee angles against truth (deg).

    The near side is the side with the higher mean visibility. Frames where
    MediaPipe found nobody or the landmarks are hidden are left out.
    """
    n = min(len(found), len(truth_px))
    vis = found.visibility[:n]
    left = vis[:, list(core_indices(Side.LEFT))].mean()
    right = vis[:, list(core_indices(Side.RIGHT))].mean()
    side = Side.LEFT if left >= right else Side.RIGHT
    xy = found.xy[:n].astype(np.float64)
    idx = list(core_indices(side))
    hidden = (vis[:, idx] < min_visibility).any(axis=1)
    xy[hidden] = np.nan
    errors = []
    for found_a, true_a in zip(
        _near_angles(xy, side), _near_angles(truth_px[:n], side), strict=True
    ):
        d = np.abs(found_a - true_a)
        errors.append(d[np.isfinite(d)])
    return np.concatenate(errors) if errors else np.zeros(0)


def _overlaps(a0: float, a1: float, b0: float, b1: float, slack_s: float = 0.5) -> bool:
    return a0 <= b1 + slack_s and b0 <= a1 + slack_s


def evaluate_clip(label: ClipLabel, model_complexity: int = 1) -> ClipResult:
    """Run the pipeline on one clip and compare with its label."""
    spec = load_spec(label.exercise)
    started = time.perf_counter()
    error: str | None = None
    session: SessionRecord | None = None
    landmarks: PoseSequence | None = None
    timings = None
    try:
        result = analyze_video(
            label.path,
            spec,
            side=label.side,
            out_video=None,
            save_landmarks=True,
            model_complexity=model_complexity,
        )
        session, landmarks, timings = result.session, result.landmarks, result.timings
    except FormcheckError as exc:
        error = str(exc)
    processing_s = time.perf_counter() - started
    if session is None or timings is None:
        return ClipResult(
            file=label.path.name, exercise=label.exercise, view=label.view, source=label.source,
            confidence=label.confidence, expected_reps=label.reps, found_reps=None,
            expected_per_side=label.reps_per_side, found_per_side=None,
            expected_holds_s=label.holds_s, found_holds_s=None, hold_error_s=None,
            faults_injected=len(label.faults), faults_flagged=0, faults_missed=[f.rule for f in label.faults],
            clean_reps=len(label.clean_reps), clean_reps_flagged=0, flagged_rules=[],
            angle_error_median_deg=None, angle_error_p90_deg=None, tracked_share=0.0, frames=0,
            duration_s=0.0, pose_ms_per_frame=0.0, formcheck_ms_per_frame=0.0,
            processing_s=processing_s, error=error,
        )  # fmt: skip
    summary = session.summary
    per_side = {
        str(p.side): p.reps for p in summary.per_side if p.side is not None
    } or None
    found_holds = [h.held_s for h in session.holds] if session.holds else []
    hold_error = None
    if label.holds_s:
        pairs = list(
            zip(label.holds_s, found_holds + [0.0] * len(label.holds_s), strict=False)
        )
        hold_error = max(abs(a - b) for a, b in pairs)
    # Faults: a labelled fault is flagged when a fault of that rule overlaps it.
    spec_rules = {r.id: r for r in spec.rules}
    flagged, missed = 0, []
    for f in label.faults:
        if any(
            e.rule_id == f.rule and _overlaps(e.start_s, e.end_s, f.start_s, f.end_s)
            for e in session.faults
        ):
            flagged += 1
        else:
            missed.append(f.rule)
    counting = [
        e
        for e in session.faults
        if e.rule_id in spec_rules and spec_rules[e.rule_id].counts_against_rep
    ]
    clean_flagged = sum(
        1
        for (s0, s1) in label.clean_reps
        if any(_overlaps(e.start_s, e.end_s, s0, s1, 0.0) for e in counting)
    )
    isolated_ms = math.nan
    if landmarks is not None and len(landmarks):
        isolated_ms = _isolated_check_ms(spec, landmarks, label.side)
    med = p90 = None
    if label.truth_landmarks_px is not None and landmarks is not None:
        err = angle_errors(landmarks, label.truth_landmarks_px)
        if err.size:
            med, p90 = float(np.median(err)), float(np.percentile(err, 90))
    frames = max(timings.frames, 1)
    return ClipResult(
        file=label.path.name,
        exercise=label.exercise,
        view=label.view,
        source=label.source,
        confidence=label.confidence,
        expected_reps=label.reps,
        found_reps=summary.reps if spec.kind != "hold" else None,
        expected_per_side=label.reps_per_side,
        found_per_side=per_side,
        expected_holds_s=label.holds_s,
        found_holds_s=found_holds,
        hold_error_s=hold_error,
        faults_injected=len(label.faults),
        faults_flagged=flagged,
        faults_missed=missed,
        clean_reps=len(label.clean_reps),
        clean_reps_flagged=clean_flagged,
        flagged_rules=sorted({e.rule_id for e in session.faults}),
        angle_error_median_deg=med,
        angle_error_p90_deg=p90,
        tracked_share=session.source.frames_with_person / max(session.source.frames, 1),
        frames=session.source.frames,
        duration_s=session.source.duration_s,
        pose_ms_per_frame=1000 * timings.pose_s / frames,
        formcheck_ms_per_frame=1000 * timings.check_s / frames,
        processing_s=processing_s,
        error=error,
        formcheck_isolated_ms_per_frame=isolated_ms,
    )


def _isolated_check_ms(
    spec: ExerciseSpec, landmarks: PoseSequence, side: Side | None
) -> float:
    """Time formcheck's own work per frame, replayed on its own (no model running).

    In the live pipeline the same work runs 2-3x slower on a 2-core machine,
    because MediaPipe's threads compete for the cores and caches; both numbers
    are reported.
    """
    frames = [landmarks[i] for i in range(len(landmarks))]
    checker = FormChecker(spec, side=side)
    started = time.perf_counter()
    for frame in frames:
        checker.update(frame)
    return 1000 * (time.perf_counter() - started) / max(len(frames), 1)


@dataclass
class BenchReport:
    """Per-clip results and totals."""

    clips: list[ClipResult]
    totals: dict[str, Any]
    unreliable: list[str]
    command: str
    formcheck_version: str = __version__

    def to_json(self) -> str:
        """Serialise to JSON."""
        data = {
            "formcheck_version": self.formcheck_version,
            "command": self.command,
            "totals": self.totals,
            "unreliable": self.unreliable,
            "clips": [asdict(c) for c in self.clips],
        }
        return json.dumps(data, indent=1, default=float)


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def summarise(results: list[ClipResult], command: str) -> BenchReport:
    """Compute totals and the list of unreliable exercise/view pairs."""
    rep_clips = [r for r in results if r.count_error is not None]
    errors = [abs(r.count_error) for r in rep_clips if r.count_error is not None]
    holds = [r.hold_error_s for r in results if r.hold_error_s is not None]
    injected = sum(r.faults_injected for r in results)
    flagged = sum(r.faults_flagged for r in results)
    clean = sum(r.clean_reps for r in results)
    clean_flagged = sum(r.clean_reps_flagged for r in results)
    angle = [
        r.angle_error_median_deg
        for r in results
        if r.angle_error_median_deg is not None
    ]
    pose_ms = [r.pose_ms_per_frame for r in results if r.frames]
    own_ms = [r.formcheck_ms_per_frame for r in results if r.frames]
    isolated = [
        r.formcheck_isolated_ms_per_frame
        for r in results
        if r.frames and math.isfinite(r.formcheck_isolated_ms_per_frame)
    ]
    frames = sum(r.frames for r in results)
    duration = sum(r.duration_s for r in results)
    processing = sum(r.processing_s for r in results if r.frames)
    totals: dict[str, Any] = {
        "clips": len(results),
        "rep_clips": len(rep_clips),
        "exact_count_rate": (sum(e == 0 for e in errors) / len(errors))
        if errors
        else None,
        "within_one_rate": (sum(e <= 1 for e in errors) / len(errors))
        if errors
        else None,
        "off_by_one_rate": (sum(e == 1 for e in errors) / len(errors))
        if errors
        else None,
        "mean_abs_count_error": _mean([float(e) for e in errors]),
        "hold_clips": len(holds),
        "max_hold_error_s": max(holds) if holds else None,
        "mean_hold_error_s": _mean(holds),
        "faults_injected": injected,
        "faults_flagged": flagged,
        "fault_recall": flagged / injected if injected else None,
        "clean_reps": clean,
        "clean_reps_flagged": clean_flagged,
        "clean_flag_rate": clean_flagged / clean if clean else None,
        "angle_error_median_deg": _mean(angle),
        "pose_ms_per_frame": _mean(pose_ms),
        "formcheck_ms_per_frame": _mean(own_ms),
        "formcheck_isolated_ms_per_frame": _mean(isolated),
        "formcheck_to_pose_ratio": (
            (_mean(isolated) or 0.0) / (_mean(pose_ms) or math.inf)
            if pose_ms and isolated
            else None
        ),
        "formcheck_in_pipeline_to_pose_ratio": (
            (_mean(own_ms) or 0.0) / (_mean(pose_ms) or math.inf) if pose_ms else None
        ),
        "frames": frames,
        "video_s": duration,
        "processing_s": processing,
        "offline_fps": frames / processing if processing else None,
        "realtime_factor": duration / processing if processing else None,
        "errors": sum(r.error is not None for r in results),
    }
    unreliable: set[str] = set()
    for r in results:
        key = f"{r.exercise} ({r.view}, {r.source})"
        if r.error is not None:
            unreliable.add(f"{key}: {r.error}")
        elif r.count_error not in (None, 0):
            unreliable.add(f"{key}: count off by {r.count_error:+d} on {r.file}")
        elif r.hold_error_s is not None and r.hold_error_s > HOLD_TOLERANCE_S:
            unreliable.add(
                f"{key}: hold time off by {r.hold_error_s:.1f} s on {r.file}"
            )
        if r.faults_missed:
            unreliable.add(f"{key}: missed {', '.join(r.faults_missed)} on {r.file}")
        if r.clean_reps_flagged:
            unreliable.add(
                f"{key}: flagged {r.clean_reps_flagged} clean rep(s) on {r.file}"
            )
        if (
            r.angle_error_p90_deg is not None
            and r.angle_error_p90_deg > ANGLE_TOLERANCE_DEG * 1.5
        ):
            unreliable.add(
                f"{key}: angle error p90 {r.angle_error_p90_deg:.0f} deg on {r.file}"
            )
    return BenchReport(results, totals, sorted(unreliable), command)


def _fmt(value: Any, digits: int = 1, pct: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{100 * value:.0f} %" if pct else f"{value:.{digits}f}"
    return str(value)


def to_markdown(report: BenchReport) -> str:
    """Render the report as Markdown (the format of ``docs/accuracy.md``)."""
    t = report.totals
    lines = [
        "# formcheck accuracy benchmark",
        "",
        f"formcheck {report.formcheck_version}. Produced by:",
        "",
        "```bash",
        report.command,
        "```",
        "",
        "## Totals",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| clips (with repetitions) | {t['clips']} ({t['rep_clips']}) | |",
        f"| exact repetition count | {_fmt(t['exact_count_rate'], pct=True)} | ≥ 95 % |",
        f"| within ±1 | {_fmt(t['within_one_rate'], pct=True)} | 100 % |",
        f"| off by one | {_fmt(t['off_by_one_rate'], pct=True)} | |",
        f"| mean absolute count error | {_fmt(t['mean_abs_count_error'], 2)} | |",
        f"| hold time error (max / mean) | {_fmt(t['max_hold_error_s'])} s / {_fmt(t['mean_hold_error_s'])} s | ±1 s |",
        f"| injected faults flagged on their rep | {t['faults_flagged']} / {t['faults_injected']} ({_fmt(t['fault_recall'], pct=True)}) | ≥ 90 % |",
        f"| clean reps flagged | {t['clean_reps_flagged']} / {t['clean_reps']} ({_fmt(t['clean_flag_rate'], pct=True)}) | ≤ 5 % |",
        f"| near-side hip/knee angle error vs truth (mean of clip medians) | {_fmt(t['angle_error_median_deg'])}° | |",
        f"| pose inference per frame | {_fmt(t['pose_ms_per_frame'])} ms | |",
        f"| formcheck's own work per frame, on its own (replayed) | {_fmt(t['formcheck_isolated_ms_per_frame'], 2)} ms | |",
        f"| formcheck's own work per frame, inside the pipeline | {_fmt(t['formcheck_ms_per_frame'], 2)} ms | |",
        f"| formcheck / pose time (on its own; inside the pipeline) | {_fmt(t['formcheck_to_pose_ratio'], pct=True)}; {_fmt(t['formcheck_in_pipeline_to_pose_ratio'], pct=True)} | ≤ 3 % |",
        f"| offline analysis speed | {_fmt(t['offline_fps'])} frames/s, {_fmt(t['realtime_factor'], 2)}× real time | > 1× |",
        "",
        "## Where the checks are not reliable",
        "",
    ]
    lines += [f"* {u}" for u in report.unreliable] or ["* none found in this run"]
    lines += [
        "",
        "## Per clip",
        "",
        "| clip | exercise | view | source (label confidence) | reps expected → found | per side expected → found | holds expected → found (s) | faults flagged / injected | clean reps flagged | angle err median / p90 | tracked | rules flagged |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in report.clips:
        reps = (
            "–"
            if c.expected_reps is None
            else f"{c.expected_reps} → {_fmt(c.found_reps)}"
        )
        sides = "–"
        if c.expected_per_side:
            found = c.found_per_side or {}
            sides = ", ".join(
                f"{s} {n}→{found.get(s, 0)}" for s, n in c.expected_per_side.items()
            )
        holds = "–"
        if c.expected_holds_s:
            holds = f"{'/'.join(f'{h:g}' for h in c.expected_holds_s)} → {'/'.join(f'{h:.1f}' for h in c.found_holds_s or [])}"
        angle = (
            "–"
            if c.angle_error_median_deg is None
            else f"{c.angle_error_median_deg:.1f}° / {c.angle_error_p90_deg:.1f}°"
        )
        name = c.file if c.error is None else f"{c.file} (error: {c.error})"
        lines.append(
            f"| {name} | {c.exercise} | {c.view} | {c.source} ({c.confidence}) | {reps} | {sides} | {holds} | "
            f"{c.faults_flagged}/{c.faults_injected} | {c.clean_reps_flagged}/{c.clean_reps} | {angle} | "
            f"{100 * c.tracked_share:.0f} % | {', '.join(c.flagged_rules) or '–'} |"
        )
    return "\n".join(lines) + "\n"


def run_benchmark(
    labels: list[ClipLabel],
    command: str,
    model_complexity: int = 1,
    progress: Callable[[int, int, str], None] | None = None,
) -> BenchReport:
    """Evaluate every clip and summarise."""
    results = []
    for i, label in enumerate(labels):
        if progress is not None:
            progress(i, len(labels), label.path.name)
        results.append(evaluate_clip(label, model_complexity))
    if progress is not None:
        progress(len(labels), len(labels), "")
    return summarise(results, command)

"""Totals, targets and per-exercise rows over benchmark clips.

:func:`summarise` turns per-clip results into a :class:`BenchReport`: totals
(over all clips and per source), each target's rate
(:mod:`formcheck.bench.checks`), one row per exercise and source, and the list
of clips where a check went wrong. Rendering it is
:mod:`formcheck.bench.report`'s job.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from formcheck import __version__
from formcheck.bench import texts
from formcheck.bench.checks import (
    ANGLE_TOLERANCE_DEG,
    GENERATED_TARGETS,
    REAL_TARGETS,
    Check,
    Target,
    TargetResult,
    clip_checks,
    evaluate_target,
    failed_checks,
)
from formcheck.bench.labels import ClipSource
from formcheck.bench.result import ClipResult


@dataclass(frozen=True)
class ExerciseRow:
    """How the clips of one exercise and source did.

    Attributes:
        source: Generated or real clips.
        exercise: The spec id the clips were analysed with.
        clips: Clips that count toward the targets (real: high or medium
            labels).
        unscored: Clips with low-confidence labels, listed but not scored.
        targets: Each target's result over this exercise's clips.
        all_right: Scored clips that passed every check that applies to them.
    """

    source: ClipSource
    exercise: str
    clips: int
    unscored: int
    targets: tuple[TargetResult, ...]
    all_right: int


@dataclass
class BenchReport:
    """Per-clip results, totals, targets and per-exercise rows."""

    clips: list[ClipResult]
    totals: dict[str, Any]
    unreliable: list[str]
    command: str
    formcheck_version: str = __version__
    targets: list[TargetResult] = field(default_factory=list)
    exercises: list[ExerciseRow] = field(default_factory=list)
    totals_by_source: dict[str, dict[str, Any]] = field(default_factory=dict)

    def clips_from(self, source: ClipSource) -> list[ClipResult]:
        """The clips from one source, in run order."""
        return [c for c in self.clips if c.source is source]

    def to_json(self) -> str:
        """Serialise to JSON (per clip: its fields, its checks and whether it passed)."""
        data = {
            "formcheck_version": self.formcheck_version,
            "command": self.command,
            "totals": self.totals,
            "totals_by_source": self.totals_by_source,
            "targets": [_target_json(t) for t in self.targets],
            "exercises": [
                {**asdict(e), "targets": [_target_json(t) for t in e.targets]}
                for e in self.exercises
            ],
            "unreliable": self.unreliable,
            "clips": [
                {
                    **asdict(c),
                    "checks": clip_checks(c),
                    "passed": not failed_checks(c),
                }
                for c in self.clips
            ],
        }
        return json.dumps(data, indent=1, default=float)


def _target_json(t: TargetResult) -> dict[str, Any]:
    return {
        "check": t.target.check,
        "source": t.target.source,
        "min_rate": t.target.min_rate,
        "in_spec_view_only": t.target.in_spec_view_only,
        "clips": t.clips,
        "passed": t.passed,
        "rate": t.rate,
        "met": t.met,
        "failed": list(t.failed_files),
    }


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _rate(hits: int, n: int) -> float | None:
    return hits / n if n else None


def _accuracy_totals(results: Sequence[ClipResult]) -> dict[str, Any]:
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
    return {
        "clips": len(results),
        "rep_clips": len(rep_clips),
        "exact_count_rate": _rate(sum(e == 0 for e in errors), len(errors)),
        "within_one_rate": _rate(sum(e <= 1 for e in errors), len(errors)),
        "off_by_one_rate": _rate(sum(e == 1 for e in errors), len(errors)),
        "mean_abs_count_error": _mean([float(e) for e in errors]),
        "hold_clips": len(holds),
        "max_hold_error_s": max(holds) if holds else None,
        "mean_hold_error_s": _mean(holds),
        "faults_injected": injected,
        "faults_flagged": flagged,
        "fault_recall": _rate(flagged, injected),
        "clean_reps": clean,
        "clean_reps_flagged": clean_flagged,
        "clean_flag_rate": _rate(clean_flagged, clean),
        "angle_error_median_deg": _mean(angle),
        "errors": sum(r.error is not None for r in results),
    }


def _speed_totals(results: Sequence[ClipResult]) -> dict[str, Any]:
    analysed = [r for r in results if r.frames]
    pose_ms = [r.pose_ms_per_frame for r in analysed]
    own_ms = [r.formcheck_ms_per_frame for r in analysed]
    isolated = [
        r.formcheck_isolated_ms_per_frame
        for r in analysed
        if math.isfinite(r.formcheck_isolated_ms_per_frame)
    ]
    frames = sum(r.frames for r in results)
    duration = sum(r.duration_s for r in results)
    processing = sum(r.processing_s for r in analysed)
    mean_pose, mean_own, mean_isolated = _mean(pose_ms), _mean(own_ms), _mean(isolated)
    return {
        "pose_ms_per_frame": mean_pose,
        "formcheck_ms_per_frame": mean_own,
        "formcheck_isolated_ms_per_frame": mean_isolated,
        "formcheck_to_pose_ratio": (
            mean_isolated / mean_pose
            if mean_isolated is not None and mean_pose
            else None
        ),
        "formcheck_in_pipeline_to_pose_ratio": (
            mean_own / mean_pose if mean_own is not None and mean_pose else None
        ),
        "frames": frames,
        "video_s": duration,
        "processing_s": processing,
        "offline_fps": frames / processing if processing else None,
        "realtime_factor": duration / processing if processing else None,
    }


def _unreliable(r: ClipResult) -> list[str]:
    """What went wrong on one clip, one sentence each."""
    key = texts.clip_key(r.exercise, r.view, r.source)
    if r.error is not None:
        return [texts.analysis_error(key, r.error)]
    found = [
        texts.failed_check(key, r, check)
        for check in failed_checks(r)
        if check is not Check.WITHIN_ONE  # the count sentence says by how much
    ]
    if r.faults_missed:
        found.append(texts.faults_missed(key, r.faults_missed, r.file))
    if r.clean_reps_flagged:
        found.append(texts.clean_reps_flagged(key, r.clean_reps_flagged, r.file))
    if (
        r.angle_error_p90_deg is not None
        and r.angle_error_p90_deg > ANGLE_TOLERANCE_DEG * 1.5
    ):
        found.append(texts.angle_error(key, r.angle_error_p90_deg, r.file))
    return found


def _exercise_rows(
    results: Sequence[ClipResult], source: ClipSource, targets: Sequence[Target]
) -> list[ExerciseRow]:
    mine = [r for r in results if r.source is source]
    rows = []
    for exercise in sorted({r.exercise for r in mine}):
        clips = [r for r in mine if r.exercise == exercise]
        scored = [r for r in clips if r.confidence.scored]
        rows.append(
            ExerciseRow(
                source=source,
                exercise=exercise,
                clips=len(scored),
                unscored=len(clips) - len(scored),
                targets=tuple(evaluate_target(t, clips) for t in targets),
                all_right=sum(not failed_checks(r) for r in scored),
            )
        )
    return rows


def summarise(results: list[ClipResult], command: str) -> BenchReport:
    """Compute totals, targets, per-exercise rows and what went wrong where."""
    totals = {**_accuracy_totals(results), **_speed_totals(results)}
    by_source = {
        str(source): _accuracy_totals([r for r in results if r.source is source])
        for source in ClipSource
    }
    unreliable = sorted({u for r in results for u in _unreliable(r)})
    return BenchReport(
        clips=results,
        totals=totals,
        unreliable=unreliable,
        command=command,
        targets=[evaluate_target(t, results) for t in REAL_TARGETS + GENERATED_TARGETS],
        exercises=_exercise_rows(results, ClipSource.REAL, REAL_TARGETS)
        + _exercise_rows(results, ClipSource.GENERATED, GENERATED_TARGETS),
        totals_by_source=by_source,
    )

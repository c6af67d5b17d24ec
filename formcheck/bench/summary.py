"""Totals over benchmark clips and where the checks are not reliable."""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass
from typing import Any

from formcheck import __version__
from formcheck.bench.result import ClipResult

#: Count error, hold error (s) and angle error (deg) above which an exercise/view
#: is reported as not reliable.
HOLD_TOLERANCE_S = 1.0
ANGLE_TOLERANCE_DEG = 10.0


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

"""Run the pipeline on benchmark clips and compare with their labels."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from formcheck.analyze import analyze_video
from formcheck.bench.angles import angle_errors
from formcheck.bench.labels import ClipLabel
from formcheck.bench.result import ClipResult
from formcheck.bench.summary import BenchReport, summarise
from formcheck.engine import FormChecker
from formcheck.errors import FormcheckError
from formcheck.landmarks import Side
from formcheck.record import SessionRecord
from formcheck.specs import ExerciseSpec, load_spec
from formcheck.types import PoseSequence


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

"""Run the pipeline on benchmark clips and compare with their labels."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from formcheck import messages
from formcheck.analyze import analyze_video
from formcheck.bench.angles import angle_errors
from formcheck.bench.labels import ClipLabel, filmed_in_view
from formcheck.bench.result import ClipResult
from formcheck.bench.summary import BenchReport, summarise
from formcheck.engine import FormChecker
from formcheck.errors import FormcheckError
from formcheck.landmarks import Side
from formcheck.record import SessionRecord
from formcheck.results import FrameResult
from formcheck.specs import ExerciseSpec, load_spec
from formcheck.types import PoseSequence


class _PeopleWatch:
    """Watches what formcheck says about people in view, frame by frame."""

    def __init__(self) -> None:
        self.paused_frames = 0
        self.followed_frames = 0

    def __call__(self, result: FrameResult) -> None:
        if messages.SEVERAL_PEOPLE in result.setup_issues:
            self.paused_frames += 1
        if result.cue is not None and result.cue.text == messages.FOLLOWING:
            self.followed_frames += 1


def _overlaps(a0: float, a1: float, b0: float, b1: float, slack_s: float = 0.5) -> bool:
    return a0 <= b1 + slack_s and b0 <= a1 + slack_s


def _label_fields(label: ClipLabel, spec: ExerciseSpec) -> dict[str, Any]:
    """The fields of a result that come from the label and the spec."""
    return {
        "file": label.path.name,
        "exercise": label.exercise,
        "view": label.view,
        "source": label.source,
        "confidence": label.confidence,
        "expected_reps": label.reps,
        "expected_per_side": label.reps_per_side,
        "expected_holds_s": label.holds_s,
        "faults_injected": len(label.faults),
        "clean_reps": len(label.clean_reps),
        "spec_kind": spec.kind,
        "in_spec_view": filmed_in_view(label.view, spec.camera.view),
        "expected_recognised": label.recognised,
        "expected_people": label.people,
    }


def _error_result(
    label: ClipLabel, spec: ExerciseSpec, error: str, processing_s: float
) -> ClipResult:
    return ClipResult(
        **_label_fields(label, spec),
        found_reps=None, found_per_side=None, found_holds_s=None, hold_error_s=None,
        faults_flagged=0, faults_missed=[f.rule for f in label.faults],
        clean_reps_flagged=0, flagged_rules=[],
        angle_error_median_deg=None, angle_error_p90_deg=None, tracked_share=0.0,
        frames=0, duration_s=0.0, pose_ms_per_frame=0.0, formcheck_ms_per_frame=0.0,
        processing_s=processing_s, error=error, found_recognised=None,
    )  # fmt: skip


def _hold_error_s(expected: list[float] | None, found: list[float]) -> float | None:
    """The largest difference between labelled and timed holds, in order."""
    if not expected:
        return None
    padded = found + [0.0] * len(expected)
    return max(abs(a - b) for a, b in zip(expected, padded, strict=False))


def _fault_scores(
    label: ClipLabel, spec: ExerciseSpec, session: SessionRecord
) -> tuple[int, list[str], int]:
    """Labelled faults flagged, those missed, and clean repetitions flagged.

    A labelled fault is flagged when a fault of that rule overlaps it.
    """
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
    return flagged, missed, clean_flagged


def _angle_error_deg(
    label: ClipLabel, landmarks: PoseSequence | None
) -> tuple[float | None, float | None]:
    """Median and 90th percentile angle error against truth, where there is truth."""
    if label.truth_landmarks_px is None or landmarks is None:
        return None, None
    err = angle_errors(landmarks, label.truth_landmarks_px)
    if not err.size:
        return None, None
    return float(np.median(err)), float(np.percentile(err, 90))


def evaluate_clip(label: ClipLabel, model_complexity: int = 1) -> ClipResult:
    """Run the pipeline on one clip and compare with its label."""
    spec = load_spec(label.exercise)
    watch = _PeopleWatch()
    started = time.perf_counter()
    try:
        result = analyze_video(
            label.path,
            spec,
            side=label.side,
            out_video=None,
            save_landmarks=True,
            model_complexity=model_complexity,
            on_result=watch,
        )
    except FormcheckError as exc:
        return _error_result(label, spec, str(exc), time.perf_counter() - started)
    processing_s = time.perf_counter() - started
    session, landmarks, timings = result.session, result.landmarks, result.timings
    summary, source = session.summary, session.source
    per_side = {
        str(p.side): p.reps for p in summary.per_side if p.side is not None
    } or None
    found_holds = [h.held_s for h in session.holds]
    flagged, missed, clean_flagged = _fault_scores(label, spec, session)
    isolated_ms = math.nan
    if landmarks is not None and len(landmarks):
        isolated_ms = _isolated_check_ms(spec, landmarks, label.side)
    med, p90 = _angle_error_deg(label, landmarks)
    frames = max(timings.frames, 1)
    fps = source.fps if source.fps > 0 else 1.0
    return ClipResult(
        **_label_fields(label, spec),
        found_reps=summary.reps if spec.kind != "hold" else None,
        found_per_side=per_side,
        found_holds_s=found_holds,
        hold_error_s=_hold_error_s(label.holds_s, found_holds),
        faults_flagged=flagged,
        faults_missed=missed,
        clean_reps_flagged=clean_flagged,
        flagged_rules=sorted({e.rule_id for e in session.faults}),
        angle_error_median_deg=med,
        angle_error_p90_deg=p90,
        tracked_share=source.frames_with_person / max(source.frames, 1),
        frames=source.frames,
        duration_s=source.duration_s,
        pose_ms_per_frame=1000 * timings.pose_s / frames,
        formcheck_ms_per_frame=1000 * timings.check_s / frames,
        processing_s=processing_s,
        formcheck_isolated_ms_per_frame=isolated_ms,
        found_recognised=summary.recognised,
        posture_seen=summary.posture_seen,
        several_people_s=source.frames_with_several_people / fps,
        checks_paused_s=watch.paused_frames / fps,
        several_people_verdict=result.several_people,
        followed_s=watch.followed_frames / fps,
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

"""ExerciseSet: hand-made frames in, a session record out (spec built in code)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from formcheck.engine.exercise_set import NOBODY_FOUND, ExerciseSet, Source
from formcheck.landmarks import Side
from formcheck.prescription import Prescription
from formcheck.results import FrameResult
from formcheck.specs.schema import ExerciseSpec, HoldSpec
from formcheck.types import PoseFrame
from tests.engine_support import body_frame, make_spec, rule

FPS = 20.0
TOO_DEEP = rule(id="too_deep", min=70.0, persist_s=0.3, phases=["active"])


def bends(*lows: float) -> list[float]:
    """Knee angles at 20 fps: rest 1 s at 175, then per low: down 1 s, hold 1 s,
    up 1 s, rest 1 s."""
    values = [175.0] * 20
    for low in lows:
        down = [175.0 - (175.0 - low) * i / 20 for i in range(1, 21)]
        values += down + [low] * 20 + down[::-1] + [175.0] * 20
    return values


def run(exercise: ExerciseSet, angles: Sequence[float | None]) -> list[FrameResult]:
    """One frame per angle (``None``: nobody in view)."""
    results = []
    for i, angle in enumerate(angles):
        t = i / FPS
        if angle is None:
            frame = PoseFrame.empty(t * 1000.0, i, (640, 480))
        else:
            frame = body_frame(t, knee_deg=angle)
        results.append(exercise.update(frame))
    return results


def knee_set(spec: ExerciseSpec | None = None, **kw: Any) -> ExerciseSet:
    return ExerciseSet(
        spec or make_spec(rules=[TOO_DEEP]),
        source=Source("video", "knee.mp4", FPS),
        **kw,
    )


def test_a_set_counts_repetitions_into_the_record() -> None:
    exercise = knee_set()
    run(exercise, [*bends(90.0, 90.0, 90.0)])
    record = exercise.finish()
    assert (record.summary.reps, record.summary.correct) == (3, 3)
    assert record.exercise.id == "knee_bend"
    assert exercise.tallies()[0].counted == 3


def test_a_fault_in_a_rep_is_in_the_record_with_that_reps_number() -> None:
    exercise = knee_set()
    run(exercise, [*bends(90.0, 50.0, 90.0)])
    record = exercise.finish()
    assert [r.correct for r in record.reps if r.counted] == [True, False, True]
    assert [(f.rule_id, f.rep_index) for f in record.faults] == [("too_deep", 2)]
    assert record.summary.fault_counts == {"too_deep": 1}


def test_the_record_keeps_what_the_frames_reported() -> None:
    exercise = knee_set()
    results = run(exercise, [*bends(90.0, 50.0)])
    record = exercise.finish()
    reported_reps = [r.new_rep for r in results if r.new_rep is not None]
    reported_faults = [f for r in results for f in r.new_faults]
    assert record.reps == reported_reps
    assert record.faults == reported_faults


def test_the_record_describes_its_source() -> None:
    exercise = knee_set()
    run(exercise, [None] * 10 + [*bends(90.0)])
    record = exercise.finish()
    source = record.source
    assert (source.kind, source.name, source.fps) == ("video", "knee.mp4", FPS)
    assert (source.frames, source.frames_with_person) == (110, 100)
    assert source.duration_s == 5.5
    assert (source.width, source.height) == (640, 480)
    assert not source.ended_early
    assert record.warnings == []


def test_a_set_where_nobody_was_found_says_so() -> None:
    exercise = knee_set()
    run(exercise, [None] * 40)
    record = exercise.finish()
    assert record.summary.reps == 0
    assert record.warnings == [NOBODY_FOUND]


def test_a_source_that_ended_early_is_recorded_with_its_problem() -> None:
    exercise = knee_set()
    run(exercise, [*bends(90.0)][:50])
    record = exercise.finish(problem="the video is cut off after 2.5 s")
    assert record.source.ended_early
    assert record.source.problem == "the video is cut off after 2.5 s"


def test_live_sets_record_the_rate_and_duration_they_are_given() -> None:
    exercise = ExerciseSet(make_spec(), source=Source("live", "webcam"))
    run(exercise, [175.0] * 30)
    record = exercise.finish(fps=12.5, duration_s=3.1, warnings=["stopped by you"])
    assert (record.source.fps, record.source.duration_s) == (12.5, 3.1)
    assert record.warnings == ["stopped by you"]


def test_the_patient_and_prescription_are_kept_in_the_record() -> None:
    prescription = Prescription(patient="jo", exercise="knee_bend", reps=8)
    exercise = knee_set(patient="jo", prescription=prescription, side="right")
    run(exercise, [175.0] * 10)
    record = exercise.finish()
    assert record.patient == "jo"
    assert record.prescription is not None
    assert record.prescription["reps"] == 8
    assert record.side == Side.RIGHT


def test_a_hold_set_counts_completed_holds() -> None:
    level = rule(id="bent", min=80.0, max=100.0)
    spec = make_spec(
        kind="hold",
        reps=None,
        rules=[level],
        hold=HoldSpec(rules=["bent"], min_s=2.0, target_s=3.0, enter_after_s=0.5),
    )
    exercise = knee_set(spec)
    run(exercise, [175.0] * 20 + [90.0] * 80 + [175.0] * 20)
    record = exercise.finish()
    assert exercise.holds_completed == 1
    assert record.summary.holds_completed == 1
    # About the 4 s spent bent (less the smoothing lag), never more.
    assert 3.0 <= record.holds[0].held_s <= 4.0

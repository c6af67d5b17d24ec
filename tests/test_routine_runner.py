"""The hands-free routine's state machine, driven by a synthetic clock."""

from __future__ import annotations

import pytest

from formcheck.app_support.routine_runner import (
    PauseReason,
    RoutineRunner,
    RoutineStep,
    RunnerPhase,
    StepEnd,
)

WALK = RoutineStep("Walking in place", None, timed_s=120, rest_s=15)
BRIDGE = RoutineStep(
    "Glute bridge",
    "glute_bridge",
    sets=2,
    rest_s=20,
    camera="Put the camera on the floor, 2–3 m away, looking at your side.",
)
CLAM = RoutineStep(
    "Clamshell",
    "clamshell",
    rest_s=5,
    camera="Put the camera 2 m in front of you.",
)


def run(*steps: RoutineStep) -> RoutineRunner:
    runner = RoutineRunner(steps)
    runner.start(now_s=0.0)
    return runner


def test_timed_step_counts_down_then_rests_then_the_next_exercise_starts() -> None:
    runner = run(WALK, BRIDGE)
    view = runner.view(0.0)
    assert view.phase is RunnerPhase.TIMED
    assert view.remaining_s == 120.0
    assert view.announcement is not None
    assert view.announcement.text == "Walking in place: 2 minutes. Start now."
    assert not runner.tick(119.0)
    assert runner.view(119.0).remaining_s == pytest.approx(1.0)
    assert runner.tick(120.0)
    rest = runner.view(120.0)
    assert rest.phase is RunnerPhase.REST
    assert rest.remaining_s == 15.0
    assert rest.next_label == "Glute bridge, set 1 of 2"
    assert rest.next_camera == BRIDGE.camera
    assert rest.announcement is not None
    assert rest.announcement.text == (
        "Rest for 15 seconds. Next: Glute bridge, set 1 of 2. " + BRIDGE.camera
    )
    assert runner.progress[0].end is StepEnd.DONE
    assert runner.progress[0].timed_s == 120.0
    assert runner.tick(135.0)
    assert runner.phase is RunnerPhase.EXERCISE
    assert (runner.step.label, runner.set_number) == ("Glute bridge", 1)


def test_sets_rest_between_them_and_the_routine_ends_after_the_last() -> None:
    runner = run(BRIDGE, CLAM)
    runner.set_finished(30.0)
    view = runner.view(30.0)
    assert view.phase is RunnerPhase.REST
    assert view.next_label == "Glute bridge, set 2 of 2"
    assert view.next_camera == ""  # same exercise: the camera stays
    runner.tick(50.0)
    assert (runner.phase, runner.set_number) == (RunnerPhase.EXERCISE, 2)
    runner.set_finished(80.0)
    # The clamshell's rest is 5 s, but a set is always followed by at least 10 s.
    view = runner.view(80.0)
    assert view.remaining_s == 20.0 and view.next_label == "Clamshell"
    runner.tick(100.0)
    assert runner.step.label == "Clamshell"
    runner.set_finished(130.0)
    assert runner.phase is RunnerPhase.DONE
    assert runner.view(130.0).announcement.text == "Routine done. Well done!"  # type: ignore[union-attr]
    assert [p.sets_done for p in runner.progress] == [2, 1]


def test_countdown_is_announced_at_ten_seconds_and_three_two_one() -> None:
    runner = run(WALK)
    said = []
    now = 0.0
    while runner.phase is RunnerPhase.TIMED:
        runner.tick(now)
        announcement = runner.view(now).announcement
        if announcement is not None and (not said or said[-1] != announcement.text):
            said.append(announcement.text)
        now += 0.25
    assert said == [
        "Walking in place: 2 minutes. Start now.",
        "10 seconds left.",
        "3",
        "2",
        "1",
        "Routine done. Well done!",
    ]


def test_pause_keeps_the_time_left_and_resume_carries_on() -> None:
    runner = run(WALK, BRIDGE)
    runner.pause(30.0)
    assert runner.phase is RunnerPhase.PAUSED
    assert runner.paused_reason is PauseReason.USER
    assert not runner.tick(1000.0)  # time does not run while paused
    assert runner.remaining_s(1000.0) == 90.0
    runner.resume(1000.0)
    assert runner.phase is RunnerPhase.TIMED
    assert runner.remaining_s(1030.0) == 60.0


def test_skip_ends_a_rest_or_a_timed_step_or_leaves_an_exercise() -> None:
    runner = run(WALK, BRIDGE, CLAM)
    runner.skip(5.0)  # stop walking: rest before the bridge
    assert runner.phase is RunnerPhase.REST
    assert runner.progress[0].end is StepEnd.SKIPPED
    runner.skip(6.0)  # no rest
    assert (runner.phase, runner.step.label) == (RunnerPhase.EXERCISE, "Glute bridge")
    runner.skip(7.0)  # not the bridge today
    assert (runner.phase, runner.step.label) == (RunnerPhase.EXERCISE, "Clamshell")
    assert runner.progress[1].end is StepEnd.SKIPPED
    runner.pause(8.0)
    runner.skip(9.0)  # skipping while paused carries on past the step
    assert runner.phase is RunnerPhase.DONE


def test_spreading_symptoms_drop_the_other_sets_and_pause_for_safety() -> None:
    runner = run(BRIDGE, CLAM)
    runner.set_finished(30.0)  # rest before set 2 of the bridge
    runner.stop_exercise(35.0)
    view = runner.view(35.0)
    assert view.phase is RunnerPhase.PAUSED
    assert view.paused_reason is PauseReason.SAFETY
    assert view.next_label == "Clamshell"  # not the bridge's second set
    assert runner.progress[0].end is StepEnd.STOPPED
    runner.resume(100.0)
    runner.tick(120.0)
    assert runner.step.label == "Clamshell"


def test_a_late_answer_about_an_earlier_exercise_only_pauses() -> None:
    runner = run(CLAM, BRIDGE)
    runner.set_finished(10.0)
    runner.tick(30.0)
    assert runner.step.label == "Glute bridge"
    runner.stop_exercise(31.0, step_index=0)
    assert runner.paused_reason is PauseReason.SAFETY
    assert runner.progress[0].end is StepEnd.STOPPED
    runner.resume(40.0)
    assert (runner.phase, runner.step.label) == (RunnerPhase.EXERCISE, "Glute bridge")


def test_start_at_a_later_step_and_bad_steps_are_refused() -> None:
    runner = RoutineRunner([WALK, BRIDGE], start_at=1)
    assert runner.view(0.0).next_label == "Glute bridge, set 1 of 2"
    runner.start(0.0)
    assert runner.step.label == "Glute bridge"
    with pytest.raises(ValueError, match="needs `timed_s`"):
        RoutineStep("Walk", None)
    with pytest.raises(ValueError, match="`start_at` must be between 0 and 1"):
        RoutineRunner([WALK, BRIDGE], start_at=2)
    with pytest.raises(ValueError, match="at least one step"):
        RoutineRunner([])

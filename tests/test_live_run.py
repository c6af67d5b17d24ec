"""LiveRun: the live run's phases and buttons, without threads, model or video."""

from __future__ import annotations

import numpy as np

from formcheck.app_support.live_clock import LiveStats
from formcheck.app_support.live_plan import plan_for_exercise
from formcheck.app_support.live_run import LiveRun
from formcheck.app_support.live_snapshot import LivePhase
from formcheck.app_support.routine_runner import PauseReason, RunnerPhase
from formcheck.specs import load_spec
from formcheck.types import PoseFrame


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def make_run(clock: Clock) -> LiveRun:
    return LiveRun(
        plan_for_exercise(load_spec("bird_dog")),
        settle_s=2.0,
        patient=None,
        store=None,
        symptoms_before=None,
        clock=clock,
    )


def test_live_run_waits_for_a_stream_then_positions() -> None:
    clock = Clock()
    run = make_run(clock)
    assert run.phase is LivePhase.WAITING
    assert not run.streaming
    run.frame_arrived(clock(), 0.0)
    assert run.streaming
    assert run.phase is LivePhase.POSITIONING
    assert run.checking
    assert not run.counting


def test_live_run_checks_a_frame_and_annotates_it() -> None:
    clock = Clock()
    run = make_run(clock)
    run.frame_arrived(clock(), 0.0)
    image = np.zeros((96, 54, 3), np.uint8)
    scene = run.check(PoseFrame.empty(0.0, 0, (54, 96)), image, 0.0)
    assert scene.shape == image.shape
    assert run.last_result is not None
    assert not run.last_result.pose.has_person
    state = run.state(1, LiveStats())
    assert state.phase is LivePhase.POSITIONING
    assert state.result is run.last_result


def test_live_run_end_of_stream_waits_for_the_camera() -> None:
    clock = Clock()
    run = make_run(clock)
    run.frame_arrived(clock(), 0.0)
    assert run.end_stream() is None  # nothing counted yet: no set to save
    assert not run.streaming
    assert run.phase is LivePhase.WAITING
    assert run.runner.paused_reason is PauseReason.STREAM
    run.frame_arrived(clock(), 0.0)  # a new stream carries on
    assert run.phase is LivePhase.POSITIONING


def test_live_run_pause_and_resume() -> None:
    clock = Clock()
    run = make_run(clock)
    run.frame_arrived(clock(), 0.0)
    run.pause(0.0)
    assert run.phase is LivePhase.PAUSED
    assert not run.checking
    run.resume(0.0)
    assert run.phase is LivePhase.POSITIONING


def test_live_run_resume_without_a_stream_waits_for_start() -> None:
    clock = Clock()
    run = make_run(clock)
    run.frame_arrived(clock(), 0.0)
    run.pause(0.0)
    run.end_stream()
    run.resume(0.0)
    assert run.runner.phase is RunnerPhase.PAUSED
    assert run.runner.paused_reason is PauseReason.STREAM
    assert run.phase is LivePhase.WAITING


def test_live_run_an_error_stops_it() -> None:
    clock = Clock()
    run = make_run(clock)
    run.frame_arrived(clock(), 0.0)
    run.fail("the pose model failed: boom")
    assert run.phase is LivePhase.ERROR
    assert run.state(2, LiveStats()).error == "the pose model failed: boom"


def test_live_run_finish_set_needs_a_set_being_counted() -> None:
    clock = Clock()
    run = make_run(clock)
    run.frame_arrived(clock(), 0.0)
    assert run.finish_set("finished by the user") is None
    assert run.phase is LivePhase.POSITIONING

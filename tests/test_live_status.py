"""live_status: what the Live page shows, worked out without a browser."""

from __future__ import annotations

import dataclasses

import pytest

from formcheck.app_support import live_status
from formcheck.app_support.live_plan import plan_for_exercise
from formcheck.app_support.live_snapshot import LivePhase, LiveSnapshot
from formcheck.app_support.live_status import Bar, Controls, CueStyle
from formcheck.app_support.routine_runner import (
    Announcement,
    PauseReason,
    RunnerPhase,
    RunnerView,
)
from formcheck.app_support.set_summary import SetCounts
from formcheck.landmarks import Side
from formcheck.results import Cue, CueKind, HoldState, HoldStatus, RepTally, Severity
from formcheck.specs import load_spec


def snapshot(**changes: object) -> LiveSnapshot:
    base = LiveSnapshot(
        seq=1,
        phase=LivePhase.COUNTING,
        set_number=1,
        target_sets=2,
        positioning_s=0.0,
        settle_s=2.0,
        message="",
        cue=None,
        has_person=True,
        several_people=False,
        view_ok=True,
        tallies=(RepTally(None, 0, 0),),
        target_reps=None,
        hold=None,
        holds_done=0,
        target_holds=None,
        frames_processed=0,
        fps=0.0,
        processing_ms=0.0,
        lag_ms=0.0,
        lag_ms_max=0.0,
        symptom_question_pending=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def view(**changes: object) -> RunnerView:
    base = RunnerView(
        phase=RunnerPhase.EXERCISE,
        paused_reason=None,
        paused_phase=None,
        step_index=0,
        steps=3,
        label="Bird dog",
        set_number=1,
        sets=1,
        remaining_s=None,
        countdown_s=None,
        next_label="",
        next_camera="",
        announcement=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------- the stream
@pytest.mark.parametrize(
    ("active", "phase", "expected"),
    [
        (True, None, True),
        (False, None, False),
        (False, LivePhase.WAITING, False),
        (False, LivePhase.POSITIONING, False),
        (False, LivePhase.COUNTING, True),
        (False, LivePhase.RESTING, True),
        (False, LivePhase.TIMED, True),
        (False, LivePhase.PAUSED, True),
        (False, LivePhase.DONE, False),
    ],
)
def test_live_status_run_in_progress(
    active: bool, phase: LivePhase | None, expected: bool
) -> None:
    assert live_status.run_in_progress(active, phase) is expected


def test_live_status_stream_lost_only_when_a_set_may_be_open() -> None:
    assert live_status.stream_lost(False, False, LivePhase.COUNTING)
    assert live_status.stream_lost(False, False, LivePhase.POSITIONING)
    assert not live_status.stream_lost(True, False, LivePhase.COUNTING)
    assert not live_status.stream_lost(False, True, LivePhase.COUNTING)
    for phase in (LivePhase.WAITING, LivePhase.DONE, LivePhase.STOPPED):
        assert not live_status.stream_lost(False, False, phase)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, None),
        ("", None),
        ("http://localhost:8501/Live", None),
        ("http://127.0.0.1:8501/", None),
        ("http://[::1]:8501/", None),
        ("https://clinic.example/Live", None),
        ("http://192.0.2.7:8501/Live", "192.0.2.7"),
    ],
)
def test_live_status_insecure_host(url: str | None, expected: str | None) -> None:
    assert live_status.insecure_host(url) == expected


def test_live_status_camera_never_started_after_the_limit() -> None:
    assert not live_status.camera_never_started(None, 100.0)
    assert not live_status.camera_never_started(
        100.0, 100.0 + live_status.NEVER_PLAYS_S
    )
    assert live_status.camera_never_started(100.0, 101.0 + live_status.NEVER_PLAYS_S)


def test_live_status_no_frames_for_counts_only_while_playing() -> None:
    assert live_status.no_frames_for(True, 10, 10, 5.0, 12.0) == pytest.approx(7.0)
    assert live_status.no_frames_for(True, 11, 10, 5.0, 12.0) is None
    assert live_status.no_frames_for(False, 10, 10, 5.0, 12.0) is None
    assert live_status.no_frames_for(True, 0, None, 12.0, 12.0) is None


# ---------------------------------------------------------------- figures
def test_live_status_rep_bar() -> None:
    counts = SetCounts(kind="reps", reps=3, target_reps=8)
    assert live_status.rep_bar(snapshot(counts=counts)) == Bar(3 / 8, "3 of 8 reps")
    one = SetCounts(kind="reps", reps=2, target_reps=1)
    assert live_status.rep_bar(snapshot(counts=one)) == Bar(1.0, "2 of 1 rep")
    assert live_status.rep_bar(snapshot(counts=None)) is None
    hold = SetCounts(kind="hold", target_reps=3)
    assert live_status.rep_bar(snapshot(counts=hold, kind="hold")) is None


def test_live_status_hold_bar() -> None:
    hold = HoldState(
        HoldStatus.HOLDING, held_s=5.0, min_s=3.0, target_s=20.0, holds_done=0
    )
    snap = snapshot(counts=SetCounts(kind="hold"), hold=hold, kind="hold")
    assert live_status.hold_bar(snap, "holding") == Bar(
        0.25, "Hold: 5 of 20 s — holding"
    )
    zero = dataclasses.replace(hold, target_s=0.0)
    assert live_status.hold_bar(dataclasses.replace(snap, hold=zero), "x") == Bar(
        0.0, "Hold: 5 of 0 s — x"
    )
    assert live_status.hold_bar(dataclasses.replace(snap, counts=None), "x") is None


def test_live_status_positioning_bar() -> None:
    assert live_status.positioning_bar(snapshot(positioning_s=1.0)).fraction == 0.5
    assert live_status.positioning_bar(snapshot(positioning_s=9.0)).fraction == 1.0
    assert live_status.positioning_bar(snapshot(settle_s=0.0)).fraction == 1.0


def test_live_status_side_tallies_for_reps_only() -> None:
    tallies = (
        RepTally(None, 3, 2),
        RepTally(Side.LEFT, 2, 2),
        RepTally(Side.RIGHT, 1, 0),
    )
    assert live_status.side_tallies(snapshot(tallies=tallies)) == (
        "Left: 2 (2 correct, 0 with a fault) · Right: 1 (0 correct, 1 with a fault)"
    )
    assert live_status.side_tallies(snapshot(tallies=tallies, kind="guided")) is None
    assert live_status.side_tallies(snapshot()) is None


# --------------------------------------------------------------- routines
def test_live_status_countdown() -> None:
    rest = snapshot(
        phase=LivePhase.RESTING,
        routine=view(phase=RunnerPhase.REST, remaining_s=75.4, countdown_s=90.0),
    )
    clock = live_status.countdown(rest)
    assert clock is not None
    assert clock.title == "## Rest: 1:15"
    assert clock.fraction == pytest.approx(1 - 75.4 / 90.0)
    timed = snapshot(
        phase=LivePhase.TIMED,
        routine=view(phase=RunnerPhase.TIMED, label="Walk *gently*", remaining_s=9.0),
    )
    clock = live_status.countdown(timed)
    assert clock is not None
    assert clock.title == r"## Walk \*gently\*: 0:09"
    assert clock.fraction is None
    assert live_status.countdown(snapshot(routine=view())) is None
    assert live_status.countdown(snapshot()) is None


def test_live_status_step_heading_for_routines_until_done() -> None:
    snap = snapshot(is_routine=True, routine=view(step_index=1, sets=2, set_number=2))
    assert live_status.step_heading(snap) == (
        "#### Step 2 of 3: Bird dog — set 2 of 2",
        1 / 3,
    )
    one_set = snapshot(is_routine=True, routine=view())
    assert live_status.step_heading(one_set) == ("#### Step 1 of 3: Bird dog", 0.0)
    done = snapshot(is_routine=True, routine=view(phase=RunnerPhase.DONE))
    assert live_status.step_heading(done) is None
    assert live_status.step_heading(snapshot(routine=view())) is None


def test_live_status_next_step_stays_on_the_last() -> None:
    plan = plan_for_exercise(load_spec("bird_dog"))
    assert live_status.next_step(plan, view(step_index=0)) is plan.steps[-1]


def test_live_status_go_on_after_a_stop_only_when_paused_with_a_next_step() -> None:
    paused = view(
        phase=RunnerPhase.PAUSED,
        paused_reason=PauseReason.USER,
        next_label="Cat cow",
        announcement=Announcement(1, "x"),
    )
    assert live_status.go_on_label(snapshot(routine=paused)) == "Cat cow"
    last = dataclasses.replace(paused, next_label="")
    assert live_status.go_on_label(snapshot(routine=last)) is None
    assert live_status.go_on_label(snapshot(routine=view(next_label="x"))) is None


# ---------------------------------------------------------- cues, buttons
def test_live_status_cue_style() -> None:
    tip = Cue(CueKind.TIP, "Breathe out")
    fault = Cue(CueKind.FAULT, "Keep your back flat", Severity.WARN)
    setup = Cue(CueKind.SETUP, "Step back", Severity.INFO)
    assert live_status.cue_style(snapshot(cue=tip)) is CueStyle.TIP
    assert live_status.cue_style(snapshot(cue=fault)) is CueStyle.WARNING
    assert live_status.cue_style(snapshot(cue=setup)) is CueStyle.INFO
    listed = snapshot(
        cue=setup, phase=LivePhase.POSITIONING, setup_issues=("Step back",)
    )
    assert live_status.cue_shown(listed)  # said, but not shown twice
    assert live_status.cue_style(listed) is None
    resting = snapshot(cue=fault, phase=LivePhase.RESTING)
    assert not live_status.cue_shown(resting)
    assert live_status.cue_style(resting) is None


@pytest.mark.parametrize(
    ("routine", "phase", "expected"),
    [
        (False, LivePhase.COUNTING, Controls(resume=False, skip=False, finish=True)),
        (False, LivePhase.PAUSED, Controls(resume=True, skip=False, finish=False)),
        (False, LivePhase.POSITIONING, None),
        (False, LivePhase.RESTING, None),
        (True, LivePhase.POSITIONING, Controls(resume=False, skip=True, finish=False)),
        (True, LivePhase.RESTING, Controls(resume=False, skip=True, finish=False)),
        (True, LivePhase.COUNTING, Controls(resume=False, skip=True, finish=True)),
        (True, LivePhase.WAITING, None),
        (True, LivePhase.DONE, None),
    ],
)
def test_live_status_controls(
    routine: bool, phase: LivePhase, expected: Controls | None
) -> None:
    assert live_status.controls(snapshot(is_routine=routine, phase=phase)) == expected


def test_live_status_texts() -> None:
    assert live_status.setup_issues_text(("Step back", "Turn sideways")) == (
        "**Getting into position.** Counting starts once these are fixed:\n"
        "- Step back\n- Turn sideways"
    )
    snap = snapshot(
        frames_processed=12,
        fps=29.6,
        processing_ms=18.2,
        lag_ms=40.0,
        lag_ms_max=120.4,
    )
    assert live_status.stats_caption(snap) == (
        "Frames analysed: 12 · 30 fps · 18 ms per frame · lag 40 ms (max 120)"
    )
    assert live_status.clock_text(125.9) == "2:05"
    assert live_status.summary_table([{"Step": "a*b"}]) == [{"Step": r"a\*b"}]

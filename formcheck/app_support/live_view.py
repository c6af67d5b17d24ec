"""What the live pipeline shows: the page's snapshot and the overlay between sets.

:func:`build_snapshot` turns the run's state (:class:`LiveState`, from
:meth:`~formcheck.app_support.live_run.LiveRun.state`) into
the :class:`~formcheck.app_support.live_snapshot.LiveSnapshot` the page reads;
:func:`banner` draws the routine's countdown on the video when no exercise is
being checked (a rest, a timed step, a pause). Nothing here changes state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck import messages
from formcheck.annotate import draw_banner
from formcheck.record import SymptomReport
from formcheck.results import FrameResult, RepTally

from .live_clock import LiveStats
from .live_exercise import ExerciseStage, empty_counts
from .live_plan import LivePlan, routine_summary_rows
from .live_snapshot import LivePhase, LiveSnapshot, SavedSet
from .live_status import clock_text
from .routine_runner import PauseReason, RunnerPhase, RunnerView
from .set_summary import SetCounts

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class LiveState:
    """The run's state that a snapshot is made of (read under the processor's lock).

    Attributes:
        seq: The snapshot's number.
        phase: The run's phase.
        plan: The plan being run.
        view: The routine runner's view now.
        stage: The current exercise step, if any.
        result: The latest frame result while positioning or counting.
        stats: The stream's rolling figures.
        settle_s: Seconds the framing must be right before counting.
        saved: The sets saved so far.
        question: The set the symptom question is about, if one is due.
        last_symptoms: The latest symptom answer.
        group_id: The current run's session group id.
        error: What went wrong, if anything.
    """

    seq: int
    phase: LivePhase
    plan: LivePlan
    view: RunnerView
    stage: ExerciseStage | None
    result: FrameResult | None
    stats: LiveStats
    settle_s: float
    saved: tuple[SavedSet, ...]
    question: SavedSet | None
    last_symptoms: SymptomReport | None
    group_id: str | None
    error: str | None


def banner(image: Image, view: RunnerView) -> Image:
    """Draw a rest countdown, a timed step's clock or a pause across the video."""
    left = view.remaining_s or 0.0
    title = {
        RunnerPhase.REST: f"Rest {left:.0f} s",
        RunnerPhase.TIMED: f"{view.label} {clock_text(left)}",
        RunnerPhase.PAUSED: "Paused",
        RunnerPhase.DONE: "All done",
    }.get(view.phase, "")
    lines = []
    if view.phase is RunnerPhase.TIMED:
        lines.append(messages.TIMED_ONLY)
    if view.next_label and view.phase is not RunnerPhase.DONE:
        lines.append(f"Next: {view.next_label}")
        if view.next_camera:
            lines.append(view.next_camera)
    return draw_banner(image, title, lines) if title else image


def phase_message(state: LiveState) -> str:
    """One line for the page: what is happening now."""
    phase, view, stage, result = state.phase, state.view, state.stage, state.result
    if phase is LivePhase.WAITING:
        if view.paused_reason is PauseReason.STREAM:
            return messages.routine_paused("stream")
        return messages.LIVE_WAITING
    if phase is LivePhase.POSITIONING:
        if result is None or not result.pose.has_person:
            return messages.STEP_INTO_VIEW
        if result.setup_issues:
            return result.setup_issues[0]
        settle = stage.settle_s - stage.positioning_s if stage else 0.0
        return messages.live_good_position(max(0.0, settle))
    if phase is LivePhase.COUNTING:
        return messages.live_counting(view.set_number, view.sets)
    if phase in (LivePhase.RESTING, LivePhase.TIMED, LivePhase.PAUSED):
        return view.announcement.text if view.announcement else ""
    if phase is LivePhase.DONE:
        return messages.ROUTINE_DONE if state.plan.is_routine else messages.LIVE_DONE
    if phase is LivePhase.STOPPED:
        return messages.LIVE_STOPPED
    return messages.live_error(state.error)


def set_counts(state: LiveState) -> SetCounts | None:
    """The set in progress while counting, else the last saved set."""
    if state.phase is LivePhase.COUNTING and state.stage is not None:
        return state.stage.counts()
    if not state.saved:
        return None
    last = state.saved[-1]
    spec = state.plan.steps[last.step_index].spec
    empty = empty_counts(spec) if spec is not None else None
    return SetCounts.from_summary(
        last.record.exercise.kind,
        last.record.summary,
        range_unit=empty.range_unit if empty else None,
        target_reps=empty.target_reps if empty else None,
        target_holds=empty.target_holds if empty else None,
        target_hold_s=empty.target_hold_s if empty else None,
    )


def set_tallies(state: LiveState) -> tuple[RepTally, ...]:
    """Reps per side of the set in progress, else of the last saved set."""
    if state.phase is LivePhase.COUNTING and state.stage is not None:
        return state.stage.tallies()
    if state.saved:
        summary = state.saved[-1].record.summary
        return tuple(RepTally(s.side, s.reps, s.correct) for s in summary.per_side)
    return (RepTally(None, 0, 0),)


def summary_rows(state: LiveState) -> tuple[dict[str, str], ...]:
    """The run's summary, once it is over (the sets of this run's group)."""
    if state.phase not in (LivePhase.DONE, LivePhase.STOPPED):
        return ()
    mine: Sequence[SavedSet] = [
        s
        for s in state.saved
        if s.record.group is not None and s.record.group.id == state.group_id
    ]
    return tuple(routine_summary_rows(state.plan, state.view.progress, mine))


def build_snapshot(state: LiveState) -> LiveSnapshot:
    """The snapshot the page shows, from the run's state."""
    phase, stage, result, view = state.phase, state.stage, state.result, state.view
    counting = phase is LivePhase.COUNTING
    counts = set_counts(state)
    step = state.plan.steps[view.step_index]
    stats = state.stats
    return LiveSnapshot(
        seq=state.seq,
        phase=phase,
        set_number=view.set_number if stage is not None else 0,
        target_sets=view.sets,
        positioning_s=stage.positioning_s if stage is not None else 0.0,
        settle_s=state.settle_s,
        message=phase_message(state),
        cue=result.cue if result is not None else None,
        has_person=bool(result is not None and result.pose.has_person),
        several_people=stats.several_people,
        view_ok=bool(result is None or result.view_ok),
        setup_issues=(
            result.setup_issues
            if result is not None and phase is LivePhase.POSITIONING
            else ()
        ),
        tallies=set_tallies(state),
        target_reps=stage.target_reps if stage is not None else None,
        hold=result.hold if (result is not None and counting) else None,
        holds_done=counts.holds_done if counts is not None else 0,
        target_holds=stage.target_holds if stage is not None else None,
        frames_processed=stats.frames,
        fps=stats.fps,
        processing_ms=stats.processing_ms,
        lag_ms=stats.lag_ms,
        lag_ms_max=stats.lag_ms_max,
        symptom_question_pending=state.question is not None,
        saved=state.saved,
        error=state.error,
        exercise=step.step.label,
        kind="timed" if step.spec is None else step.spec.kind,
        counts=counts,
        routine=view,
        plan_label=state.plan.label,
        is_routine=state.plan.is_routine,
        last_symptoms=state.last_symptoms,
        question_set=state.question,
        summary_rows=summary_rows(state),
    )

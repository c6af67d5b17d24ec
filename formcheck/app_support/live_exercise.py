"""One exercise step of a live run: the positioning check, then counting a set.

:class:`ExerciseStage` is the part of the live pipeline that knows about one
exercise: its spec, annotator, positioning checker and the
:class:`~formcheck.engine.ExerciseSet` of the set in progress. It is driven by
:class:`~formcheck.app_support.live_run.LiveRun` (which holds the routine; the
:class:`~formcheck.app_support.live.LiveProcessor` around it holds the lock)
and never touches Streamlit or the store.

States::

    positioning ──setup_ok for settle_s──▶ counting ──target reached / finish──▶ (record)
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from enum import StrEnum

from formcheck.annotate import ResultAnnotator
from formcheck.engine import ExerciseSet, FormChecker
from formcheck.engine.exercise_set import Source
from formcheck.record import SessionRecord
from formcheck.results import FrameResult, RepTally
from formcheck.specs.schema import ExerciseSpec
from formcheck.types import PoseFrame
from formcheck.units import rep_signal_unit
from formcheck.verdicts import split_events

from .live_plan import PlanStep
from .live_snapshot import set_targets
from .set_summary import SetCounts


def empty_counts(spec: ExerciseSpec) -> SetCounts:
    """Nothing counted yet, with the spec's targets and range unit."""
    reps, holds, _ = set_targets(spec)
    return SetCounts(
        kind=spec.kind,
        range_unit=rep_signal_unit(spec),
        target_reps=reps,
        target_holds=holds,
        target_hold_s=spec.hold.target_s if spec.hold else None,
    )


class StageState(StrEnum):
    """Where the exercise step is."""

    POSITIONING = "positioning"
    COUNTING = "counting"


class ExerciseStage:
    """Positioning and counting for one exercise step.

    Args:
        plan_step: The step (its spec must not be ``None``).
        settle_s: Seconds the framing must be right before counting starts.
        patient: Whose set it is (stored in the record).
        clock: Monotonic wall clock in seconds (for the set's frame rate).

    Raises:
        ValueError: If the step has no exercise spec.
    """

    def __init__(
        self,
        plan_step: PlanStep,
        settle_s: float,
        patient: str | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if plan_step.spec is None:
            raise ValueError(f"step '{plan_step.step.label}' has no exercise to check")
        self.plan_step = plan_step
        self.spec: ExerciseSpec = plan_step.spec
        self.side = plan_step.side
        self.settle_s = settle_s
        self.patient = patient
        self.annotator = ResultAnnotator(self.spec)
        self.target_reps, self.target_holds, self.target_sets = set_targets(self.spec)
        self.state = StageState.POSITIONING
        self.positioning_s = 0.0
        self._pos_checker = FormChecker(self.spec, self.side)
        self._pos_start_ms = 0.0
        self._ok_since_ms: float | None = None
        self._set: ExerciseSet | None = None
        self._set_start_ms = 0.0
        self.set_last_ms = 0.0
        self._clock = clock
        self._wall_start_s = 0.0

    # ------------------------------------------------------------ reading
    @property
    def set_open(self) -> bool:
        """Whether a set is in progress (counting, or paused within a set)."""
        return self._set is not None

    @property
    def frames_in_set(self) -> int:
        """Frames recorded in the set in progress."""
        return self._set.frames if self._set is not None else 0

    def counts(self) -> SetCounts:
        """What the set in progress has counted so far."""
        empty = empty_counts(self.spec)
        if self._set is None:
            return empty
        total = self._set.tallies()[0]
        checker = self._set.checker
        faults, tips = split_events(checker.faults, checker.reps)
        holds = checker.holds
        return dataclasses.replace(
            empty,
            reps=total.counted,
            correct=total.correct,
            faults=len(faults),
            tips=len(tips),
            holds_done=sum(h.completed for h in holds),
            holds=len(holds),
            longest_hold_s=max((h.held_s for h in holds), default=0.0),
        )

    def tallies(self) -> tuple[RepTally, ...]:
        """Reps of the set in progress, overall and per side."""
        return self._set.tallies() if self._set is not None else (RepTally(None, 0, 0),)

    # ------------------------------------------------------------ driving
    def begin_positioning(self, ts_ms: float) -> None:
        """Check the framing (again) before counting; an open set stays open."""
        self.state = StageState.POSITIONING
        self._pos_checker = FormChecker(self.spec, self.side)
        self._pos_start_ms = ts_ms
        self._ok_since_ms = None
        self.positioning_s = 0.0

    def step(self, pose: PoseFrame, ts_ms: float) -> tuple[FrameResult, bool]:
        """Check one frame.

        Returns:
            The frame's result, and whether the set's target was reached.
        """
        if self.state is StageState.COUNTING and self._set is not None:
            rel = ts_ms - self._set_start_ms
            result = self._set.update(dataclasses.replace(pose, timestamp_ms=rel))
            self.set_last_ms = rel
            return result, self._target_reached(result)
        rel = ts_ms - self._pos_start_ms
        result = self._pos_checker.update(dataclasses.replace(pose, timestamp_ms=rel))
        # The checker lists every set-up problem of this frame (view, framing,
        # people, start position, safety), not just the cue it chose to show:
        # counting starts once there is none for settle_s.
        if result.setup_ok:
            if self._ok_since_ms is None:
                self._ok_since_ms = ts_ms
            self.positioning_s = (ts_ms - self._ok_since_ms) / 1000.0
        else:
            self._ok_since_ms = None
            self.positioning_s = 0.0
        if result.setup_ok and self.positioning_s >= self.settle_s:
            self._begin_counting(ts_ms)
        return result, False

    def _begin_counting(self, ts_ms: float) -> None:
        self.state = StageState.COUNTING
        if self._set is None:
            self._set = ExerciseSet(
                self.spec,
                self.side,
                source=Source("live", "webcam"),
                patient=self.patient,
                prescription=self.plan_step.prescription,
            )
            self._set_start_ms = ts_ms
            self.set_last_ms = 0.0
            self._wall_start_s = self._clock()
        else:
            # Back from a pause: the set's own time carries on from where it was.
            self._set_start_ms = ts_ms - self.set_last_ms - 1.0

    def _target_reached(self, result: FrameResult) -> bool:
        if self.target_reps is not None:
            return result.total_reps >= self.target_reps
        if self.target_holds is not None and self._set is not None:
            return self._set.holds_completed >= self.target_holds
        return False

    def finish(self, reason: str, problem: str | None = None) -> SessionRecord | None:
        """Close the set in progress and build its record (``None``: nothing recorded).

        Args:
            reason: Why the set ended (kept in the record's notes).
            problem: Why it ended early, if it did.
        """
        exercise, self._set = self._set, None
        self.state = StageState.POSITIONING
        if exercise is None or exercise.frames == 0:
            return None
        wall_s = self._clock() - self._wall_start_s
        return exercise.finish(
            warnings=[f"set ended: {reason}"],
            problem=problem,
            fps=round(exercise.frames / wall_s, 2) if wall_s > 0 else 0.0,
            duration_s=max(self.set_last_ms / 1000.0, 0.0),
        )

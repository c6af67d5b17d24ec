"""One run of a live plan: the routine, the exercise step, the sets, the safety stop.

:class:`LiveRun` is the state of a live run apart from threads, the pose
model and the video stream's clock: the
:class:`~formcheck.app_support.routine_runner.RoutineRunner` (what comes now),
the :class:`~formcheck.app_support.live_exercise.ExerciseStage` of the current
exercise step, the :class:`~formcheck.app_support.live_sets.SetBook` (saved
sets, the symptom question and its answers), the safety stop and whether a
stream is running. It decides the :class:`LivePhase` and what a frame or a
button does to the run.

:class:`~formcheck.app_support.live.LiveProcessor` owns one and calls it
under its lock: nothing here locks, runs the pose model or calls Streamlit.
Times are passed in: ``ts_ms`` is the stream time of the newest frame, and
``clock`` the monotonic wall clock (for the routine's countdowns).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from formcheck.clinic import SymptomLocation
from formcheck.record import SymptomReport
from formcheck.results import FrameResult
from formcheck.store import SessionStore
from formcheck.types import PoseFrame

from .live_clock import LiveStats
from .live_exercise import ExerciseStage, StageState
from .live_plan import LivePlan
from .live_sets import SetBook
from .live_snapshot import LivePhase, SavedSet
from .live_view import LiveState
from .routine_runner import PauseReason, RoutineRunner, RunnerPhase
from .symptoms import stops_exercise

Image = npt.NDArray[np.uint8]


class LiveRun:
    """The routine, exercise step, sets and safety stop of one live run.

    Args:
        plan: What to run (one exercise or a routine).
        settle_s: Seconds the framing must be right before counting starts.
        patient: Whose sets they are (stored in the records).
        store: Where finished sets are saved (``None``: not saved).
        symptoms_before: Where the symptoms were before the first set, if known.
        clock: Monotonic time source in seconds.
    """

    def __init__(
        self,
        plan: LivePlan,
        *,
        settle_s: float,
        patient: str | None,
        store: SessionStore | None,
        symptoms_before: SymptomLocation | None,
        clock: Callable[[], float],
    ) -> None:
        self.plan = plan
        self.settle_s = settle_s
        self.patient = patient
        self._clock = clock
        self.runner: RoutineRunner = plan.runner()
        self.stage: ExerciseStage | None = None
        self._stage_key: tuple[int, int] | None = None
        self.book = SetBook(store, symptoms_before)
        self.safety_stop = False
        self.streaming = False
        self.error: str | None = None
        self.last_result: FrameResult | None = None
        self._prepare_stage(plan.start_at)

    # ------------------------------------------------------------ reading
    @property
    def phase(self) -> LivePhase:
        """Where the run is (see :mod:`formcheck.app_support.live`)."""
        if self.error is not None:
            return LivePhase.ERROR
        if self.safety_stop:
            return LivePhase.STOPPED
        phase = self.runner.phase
        if phase is RunnerPhase.DONE:
            return LivePhase.DONE
        if not self.streaming or phase is RunnerPhase.READY:
            return LivePhase.WAITING
        if phase is RunnerPhase.PAUSED:
            return LivePhase.PAUSED
        if phase is RunnerPhase.REST:
            return LivePhase.RESTING
        if phase is RunnerPhase.TIMED:
            return LivePhase.TIMED
        if self.counting:
            return LivePhase.COUNTING
        return LivePhase.POSITIONING

    @property
    def set_open(self) -> bool:
        """Whether a set is in progress (positioning again counts)."""
        return self.stage is not None and self.stage.set_open

    @property
    def counting(self) -> bool:
        """Whether a set is being counted now."""
        return (
            self.stage is not None
            and self.stage.state is StageState.COUNTING
            and self.stage.set_open
        )

    @property
    def checking(self) -> bool:
        """Whether frames go through the pose model and the checker now."""
        return (
            self.runner.phase is RunnerPhase.EXERCISE
            and self.stage is not None
            and not self.safety_stop
        )

    def state(self, seq: int, stats: LiveStats) -> LiveState:
        """What a snapshot is made of, now."""
        phase = self.phase
        exercise_phase = phase in (LivePhase.POSITIONING, LivePhase.COUNTING)
        return LiveState(
            seq=seq,
            phase=phase,
            plan=self.plan,
            view=self.runner.view(self._clock()),
            stage=self.stage,
            result=self.last_result if exercise_phase else None,
            stats=stats,
            settle_s=self.settle_s,
            saved=tuple(self.book.saved),
            question=self.book.question,
            last_symptoms=self.book.last_symptoms,
            group_id=self.book.group.id if self.book.group else None,
            error=self.error,
        )

    # ------------------------------------------------------------- frames
    def frame_arrived(self, now_s: float, ts_ms: float) -> None:
        """A frame at stream time ``ts_ms``: a first frame starts the stream."""
        if not self.streaming:
            self.streaming = True
            self._stream_started(ts_ms)
        self.runner.tick(now_s)
        self._sync(ts_ms)

    def check(self, pose: PoseFrame, image: Image, ts_ms: float) -> Image:
        """Check one frame of the current exercise step; return it annotated.

        A set that reaches its target is saved and the routine moves on.
        """
        assert self.stage is not None
        was_counting = self.counting
        result, reached = self.stage.step(pose, ts_ms)
        if not was_counting and self.counting:
            self.book.question = None  # a new set began: the old question lapses
        self.last_result = result
        scene = self.stage.annotator.annotate(image, result)
        if reached:
            self._finish_set("target reached")
            self.runner.set_finished(self._clock())
        return scene

    def tick(self, ts_ms: float) -> None:
        """Let the routine's countdowns run between frames."""
        if self.error is None and self.runner.tick(self._clock()):
            self._sync(ts_ms)

    def fail(self, message: str) -> None:
        """Stop on an error; the set in progress is saved with the problem."""
        self.error = message
        if self.set_open:
            self._finish_set("error", problem=message)

    # ------------------------------------------------------------ buttons
    def end_stream(self) -> SavedSet | None:
        """The stream stopped: save the set so far; the routine waits for the camera."""
        saved = None
        now = self._clock()
        if self.set_open:
            saved = self._finish_set("stream stopped")
        self.runner.pause(now, PauseReason.STREAM)
        self.streaming = False
        return saved

    def finish_set(self, reason: str) -> SavedSet | None:
        """End the set being counted now (``None`` if none is)."""
        if not self.counting:
            return None
        saved = self._finish_set(reason)
        self.runner.set_finished(self._clock())
        return saved

    def pause(self, ts_ms: float) -> None:
        """Pause the routine (a set in progress waits, and restarts positioning)."""
        if self.stage is not None and self.runner.phase is RunnerPhase.EXERCISE:
            self.stage.begin_positioning(ts_ms)
        self.runner.pause(self._clock(), PauseReason.USER)

    def resume(self, ts_ms: float) -> None:
        """Carry on after a pause (or after the safety advice, with the next step)."""
        now = self._clock()
        self.safety_stop = False
        self.runner.resume(now)
        if self.streaming:
            self._sync(ts_ms)
        else:  # carry on with the camera: START resumes
            self.runner.pause(now, PauseReason.STREAM)

    def skip(self, ts_ms: float) -> SavedSet | None:
        """Go on now; a set in progress is saved first (and returned)."""
        saved = None
        now = self._clock()
        if self.set_open:
            saved = self._finish_set("skipped")
        self.safety_stop = False
        self.runner.skip(now)
        if self.streaming:
            self._sync(ts_ms)
        else:  # what comes next waits for the camera
            self.runner.pause(now, PauseReason.STREAM)
        return saved

    def new_round(self, ts_ms: float) -> None:
        """Run the plan again from its first step, if it is over or stopped."""
        if self.runner.phase is RunnerPhase.DONE or self.safety_stop:
            self._new_round(ts_ms)

    def report_symptoms(
        self, location: SymptomLocation, worse: bool
    ) -> SymptomReport | None:
        """Record the answer about the last set; symptoms that spread stop it.

        Returns:
            The recorded answer (``None`` when no question was due).
        """
        answered = self.book.answer(location, worse)
        if answered is None:
            return None
        report, target = answered
        if stops_exercise(report):
            if self.set_open:
                self._finish_set("stopped: symptoms spread")
                self.book.question = None
            self.safety_stop = True
            self.runner.stop_exercise(self._clock(), target.step_index)
        return report

    # ----------------------------------------------------------- internal
    def _new_round(self, ts_ms: float) -> None:
        self.runner = self.plan.runner()
        self.book.group = None
        self.safety_stop = False
        self._stage_key = None
        self._prepare_stage(self.plan.start_at)
        if self.streaming:
            self._stream_started(ts_ms)
            self._sync(ts_ms)

    def _stream_started(self, ts_ms: float) -> None:
        """A stream began: start the routine, or carry on after the camera stopped."""
        now = self._clock()
        if self.runner.phase is RunnerPhase.READY:
            self.runner.start(now)
            self.book.start_group(self.plan)
        elif self.runner.paused_reason is PauseReason.STREAM:
            self.runner.resume(now)
        elif self.runner.phase is RunnerPhase.DONE and not self.safety_stop:
            # START again after the end: another round of the same plan.
            self._new_round(ts_ms)
        # A new stream's times start again at 0: the exercise in hand starts
        # again from the positioning check (an open set carries on after it).
        self._stage_key = None

    def _prepare_stage(self, index: int) -> None:
        plan_step = self.plan.steps[index]
        if plan_step.spec is None:
            return
        if self.stage is None or self.stage.plan_step is not plan_step:
            self.stage = ExerciseStage(
                plan_step, self.settle_s, self.patient, self._clock
            )

    def _sync(self, ts_ms: float) -> None:
        """Follow the runner: a new exercise set starts with the positioning check."""
        if self.runner.phase is not RunnerPhase.EXERCISE or not self.streaming:
            return
        key = (self.runner.step_index, self.runner.set_number)
        if key == self._stage_key:
            return
        self._stage_key = key
        self._prepare_stage(key[0])
        if self.stage is not None:
            self.stage.begin_positioning(ts_ms)

    def _finish_set(self, reason: str, problem: str | None = None) -> SavedSet | None:
        record = self.stage.finish(reason, problem) if self.stage else None
        if record is None:
            return None
        index, number = self.runner.step_index, self.runner.set_number
        return self.book.save(record, index, number, reason)

"""The live webcam pipeline behind the Live page, testable without a browser.

One :class:`LiveProcessor` per browser session owns one pose estimator and
runs a :class:`~formcheck.app_support.live_plan.LivePlan` — one exercise or a
whole routine — hands-free: a
:class:`~formcheck.app_support.routine_runner.RoutineRunner` says what comes
now (an exercise set, a timed step, a rest) and an
:class:`~formcheck.app_support.live_exercise.ExerciseStage` does the
positioning check and counts each set. streamlit-webrtc calls
:meth:`LiveProcessor.video_frame_callback` on its own worker thread; the
Streamlit script reads :meth:`LiveProcessor.latest` (a one-item, thread-safe
slot holding only the newest :class:`LiveSnapshot`) and calls
:meth:`LiveProcessor.tick` when it polls, so countdowns run between frames.

Threading:

* Frame processing, set saving, the routine's buttons and the symptom answer
  all take one lock, so a set is never saved while a frame is half processed.
* The result slot has its own lock and is never held while processing, so
  the page never waits for the model.
* Nothing here calls ``st.*`` (callbacks run off Streamlit's thread).

Dropping frames: with ``async_processing=True`` (streamlit-webrtc's default),
frames that arrive while the callback is busy wait in the worker's input
queue, and the worker passes only the newest of them to the callback
(``CallbackAttachableProcessor.recv_queued`` → ``recv(frames[-1])``); the
others are dropped, so latency stays flat however long the session runs. The
checker works on frame timestamps, so dropped frames do not change durations.
:attr:`LiveSnapshot.lag_ms` measures the backlog.

Phases of a processor (:class:`LivePhase`)::

    waiting ──first frame──▶ positioning ──setup_ok for settle_s──▶ counting
       ▲  (the routine pauses      ▲                                   │ set ends
       │   while the camera is     └──────────── resting ◀─────────────┘
       │   off: STOP saves the set)   (timed steps: timed)   ... ──▶ done
    pause ▶ paused ▶ resume      symptoms spread ▶ stopped      an error ▶ error

Every set is saved as soon as it ends, with the run's shared
:class:`~formcheck.record.SessionGroup`; the symptom answer is added to that
set's record afterwards (``Store.replace_session``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import av
import numpy as np
import numpy.typing as npt

from formcheck.clinic import SymptomLocation
from formcheck.errors import FormcheckError
from formcheck.landmarks import Side
from formcheck.pose import PoseEstimator, create_estimator
from formcheck.prescription import Prescription
from formcheck.record import SymptomReport
from formcheck.results import FrameResult
from formcheck.specs.schema import ExerciseSpec
from formcheck.store import SessionStore
from formcheck.types import PoseFrame

from .live_clock import LiveStats, StreamClock
from .live_exercise import ExerciseStage, StageState
from .live_plan import LivePlan, plan_for_exercise
from .live_sets import SetBook
from .live_snapshot import LatestSlot, LivePhase, LiveSnapshot, SavedSet
from .live_view import LiveState, banner, build_snapshot
from .routine_runner import PauseReason, RunnerPhase
from .symptoms import stops_exercise

__all__ = ["LatestSlot", "LivePhase", "LiveProcessor", "LiveSnapshot", "SavedSet"]

logger = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]

#: Seconds the framing must stay right before counting starts.
DEFAULT_SETTLE_S = 2.0
_WARM_UP_WH = (256, 256)


class LiveProcessor:
    """Per-browser-session live pipeline: pose, check, record, draw, routine.

    Args:
        spec: One exercise to run (with any prescription already applied);
            ignored when ``plan`` is given.
        side: The user's painful or chosen side (with ``spec``).
        plan: What to run: one exercise or a routine (default: ``spec``).
        estimator: A pose estimator to use (e.g. a replay in tests); it is
            closed by :meth:`close`. Default: one made by
            ``estimator_factory``.
        estimator_factory: Makes the estimator (default: MediaPipe).
        store: Where finished sets are saved (``None``: not saved).
        patient: Patient name stored in the records.
        prescription: The prescription in force (with ``spec``).
        settle_s: Seconds the framing must be right before counting starts.
        warm_up: Run the model once on a blank frame now, so the first real
            frame is not slow.
        clock: Monotonic time source in seconds (injectable for tests).
        symptoms_before: Where the symptoms were before the first set (the
            answer to the question asked before starting), if known.

    Raises:
        PoseBackendError: If the estimator cannot be created.
        ValueError: With neither ``spec`` nor ``plan``.

    Example:
        >>> processor = LiveProcessor(spec, estimator=replay, warm_up=False)  # doctest: +SKIP
        >>> annotated = processor.process(image_bgr, timestamp_ms=0.0)  # doctest: +SKIP
        >>> processor.latest().phase  # doctest: +SKIP
        'positioning'
    """

    def __init__(
        self,
        spec: ExerciseSpec | None = None,
        side: Side | None = None,
        *,
        plan: LivePlan | None = None,
        estimator: PoseEstimator | None = None,
        estimator_factory: Callable[[], PoseEstimator] = create_estimator,
        store: SessionStore | None = None,
        patient: str | None = None,
        prescription: Prescription | None = None,
        settle_s: float = DEFAULT_SETTLE_S,
        warm_up: bool = True,
        clock: Callable[[], float] = time.monotonic,
        symptoms_before: SymptomLocation | None = None,
    ) -> None:
        if not settle_s >= 0:
            raise ValueError(f"`settle_s` must be >= 0, but got {settle_s!r}")
        if plan is None:
            if spec is None:
                raise ValueError("LiveProcessor needs a `spec` or a `plan`")
            plan = plan_for_exercise(spec, side, prescription, patient=patient)
        self.plan = plan
        self.patient = patient if patient is not None else plan.patient
        self.settle_s = float(settle_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._slot: LatestSlot[LiveSnapshot] = LatestSlot()
        self._estimator = estimator if estimator is not None else estimator_factory()
        self._closed = False
        self._time = StreamClock()
        self._stats = LiveStats()
        self._frame_index = 0
        self._runner = plan.runner()
        self._stage: ExerciseStage | None = None
        self._stage_key: tuple[int, int] | None = None
        self._book = SetBook(store, symptoms_before)
        self._safety_stop = False
        self._streaming = False
        self._error: str | None = None
        self._last_result: FrameResult | None = None
        self._seq = 0
        self._prepare_stage(plan.start_at)
        if warm_up:
            self._warm_up()
        self._publish()

    # ------------------------------------------------------------ reading
    def latest(self) -> LiveSnapshot | None:
        """The newest snapshot (never blocks on frame processing)."""
        return self._slot.get()

    @property
    def phase(self) -> LivePhase:
        """The current phase."""
        with self._lock:
            return self._phase()

    @property
    def saved_sets(self) -> tuple[SavedSet, ...]:
        """Sets finished so far, oldest first."""
        with self._lock:
            return tuple(self._book.saved)

    @property
    def spec(self) -> ExerciseSpec | None:
        """The exercise of the current (or next) exercise step."""
        return self._stage.spec if self._stage is not None else None

    @property
    def side(self) -> Side | None:
        """The side checked in the current exercise step."""
        return self._stage.side if self._stage is not None else None

    @property
    def target_reps(self) -> int | None:
        """Reps per set of the current exercise, if it counts reps."""
        return self._stage.target_reps if self._stage is not None else None

    @property
    def target_sets(self) -> int:
        """Sets of the current step."""
        return self._runner.step.sets

    # ------------------------------------------------------------ frames
    def process(self, image_bgr: Image, timestamp_ms: float) -> Image:
        """Process one camera frame and return it annotated.

        Args:
            image_bgr: ``(H, W, 3)`` uint8 BGR frame; drawn on in place.
            timestamp_ms: Time of the frame in the current stream; it should
                increase (a repeated or earlier time is nudged forward). Call
                :meth:`end_stream` between two streams.

        Returns:
            The annotated frame (the input unchanged after an error).

        Raises:
            FormcheckError: If the pose model fails (the set in progress is
                saved first and the processor moves to ``error``).
        """
        start = self._clock()
        with self._lock:
            if self._closed or self._error is not None:
                return image_bgr
            timestamp_ms, est_ms = self._time.stamp(timestamp_ms)
            if not self._streaming:
                self._streaming = True
                self._stream_started()
            self._runner.tick(start)
            self._sync(timestamp_ms)
            scene = image_bgr
            several = False
            if self._safety_stop:
                pass  # nothing is checked until the person chooses to go on
            elif self._checking():
                try:
                    pose = self._estimator(image_bgr, est_ms, self._frame_index)
                except (FormcheckError, ValueError, RuntimeError) as exc:
                    self._fail_locked(f"the pose model failed: {exc}")
                    raise
                self._frame_index += 1
                several = pose.num_people > 1
                scene = self._check(pose, image_bgr, timestamp_ms)
            else:
                scene = banner(image_bgr, self._runner.view(start))
            self._stats.processed(start, self._clock(), several)
            self._publish_locked()
        return scene

    def video_frame_callback(self, frame: av.VideoFrame) -> av.VideoFrame:
        """streamlit-webrtc frame callback (runs on the webrtc worker thread).

        Converts the frame, calls :meth:`process` with the frame's own time
        (relative to the first frame of the stream), and converts back. An
        unexpected error saves the set in progress, stops processing and
        returns the frame unchanged, so the stream keeps running.
        """
        image = np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
        now = self._clock()
        with self._lock:
            ts_ms, lag_ms = self._time.arrival(frame.time, now)
            self._stats.lag(lag_ms)
        try:
            out = self.process(image, ts_ms)
        except Exception as exc:  # a callback boundary: keep the stream alive
            logger.exception("live processing failed")
            with self._lock:
                if self._error is None:
                    self._fail_locked(f"processing failed: {exc}")
            return frame
        return av.VideoFrame.from_ndarray(out, format="bgr24")

    def tick(self) -> None:
        """Let the routine's countdowns run (the page calls this when it polls)."""
        with self._lock:
            if self._error is None and self._runner.tick(self._clock()):
                self._sync(self._time.last_ms)
            self._publish_locked()

    # ----------------------------------------------------------- buttons
    def end_stream(self) -> SavedSet | None:
        """The stream stopped (STOP, camera gone, page closed): save the set.

        The set so far is saved (nothing is lost), and the routine waits where
        it was, its countdowns keeping their time: the next stream does that
        set again, from the positioning check. Safe to call from any thread
        and more than once.

        Returns:
            The set saved now, if one was in progress.
        """
        with self._lock:
            saved = None
            now = self._clock()
            if self._set_open():
                saved = self._finish_set_locked("stream stopped")
            self._runner.pause(now, PauseReason.STREAM)
            self._time.end_stream()
            self._streaming = False
            self._publish_locked()
            return saved

    def finish_set(self, reason: str = "finished by the user") -> SavedSet | None:
        """End the set in progress now (e.g. a "Finish this set" button).

        Returns:
            The saved set, or ``None`` if no set was in progress.
        """
        with self._lock:
            if not self._counting():
                return None
            saved = self._finish_set_locked(reason)
            self._runner.set_finished(self._clock())
            self._publish_locked()
            return saved

    def pause(self) -> None:
        """Pause the routine (a set in progress waits, and restarts positioning)."""
        with self._lock:
            if self._stage is not None and self._runner.phase is RunnerPhase.EXERCISE:
                self._stage.begin_positioning(self._time.last_ms)
            self._runner.pause(self._clock(), PauseReason.USER)
            self._publish_locked()

    def resume(self) -> None:
        """Carry on after a pause (or after the safety advice, with the next step)."""
        with self._lock:
            now = self._clock()
            self._safety_stop = False
            self._runner.resume(now)
            if self._streaming:
                self._sync(self._time.last_ms)
            else:  # carry on with the camera: START resumes
                self._runner.pause(now, PauseReason.STREAM)
            self._publish_locked()

    def skip(self) -> SavedSet | None:
        """Go on now: end a rest or timed step, or leave the current exercise.

        A set in progress is saved first.

        Returns:
            The set saved now, if one was open.
        """
        with self._lock:
            saved = None
            now = self._clock()
            if self._set_open():
                saved = self._finish_set_locked("skipped")
            self._safety_stop = False
            self._runner.skip(now)
            if self._streaming:
                self._sync(self._time.last_ms)
            else:  # what comes next waits for the camera
                self._runner.pause(now, PauseReason.STREAM)
            self._publish_locked()
            return saved

    def new_round(self) -> None:
        """Run the plan again from its first step (after ``done``); saved sets stay."""
        with self._lock:
            if self._runner.phase is RunnerPhase.DONE or self._safety_stop:
                self._new_round_locked()
            self._publish_locked()

    def _new_round_locked(self) -> None:
        self._runner = self.plan.runner()
        self._book.group = None
        self._safety_stop = False
        self._stage_key = None
        self._prepare_stage(self.plan.start_at)
        if self._streaming:
            self._stream_started()
            self._sync(self._time.last_ms)

    def report_symptoms(
        self, location: SymptomLocation, worse: bool
    ) -> SymptomReport | None:
        """Record the answer to the symptom question about the last set.

        The answer goes into that set's record (saved again in its place).
        Symptoms that spread further down the leg than before stop that
        exercise: its other sets are dropped and the routine waits with the
        safety advice until :meth:`resume` or :meth:`skip`.

        Args:
            location: Where the symptoms reach now.
            worse: Whether they are worse than before the set.

        Returns:
            The recorded answer (``None`` when no question was due).
        """
        with self._lock:
            answered = self._book.answer(location, worse)
            if answered is None:
                return None
            report, target = answered
            if stops_exercise(report):
                if self._set_open():
                    self._finish_set_locked("stopped: symptoms spread")
                    self._book.question = None
                self._safety_stop = True
                self._runner.stop_exercise(self._clock(), target.step_index)
            self._publish_locked()
            return report

    def set_symptoms_before(self, location: SymptomLocation | None) -> None:
        """Where the symptoms are before the first set (asked before START)."""
        with self._lock:
            self._book.symptoms_before = location

    def close(self) -> None:
        """Save any set in progress and release the pose model."""
        self.end_stream()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._estimator.close()

    # ----------------------------------------------------------- internal
    def _warm_up(self) -> None:
        width, height = _WARM_UP_WH
        blank = np.zeros((height, width, 3), dtype=np.uint8)
        with self._lock:
            self._estimator(blank, 0.0, 0)
            self._time.warmed_up()

    def _phase(self) -> LivePhase:
        if self._error is not None:
            return LivePhase.ERROR
        if self._safety_stop:
            return LivePhase.STOPPED
        phase = self._runner.phase
        if phase is RunnerPhase.DONE:
            return LivePhase.DONE
        if not self._streaming or phase is RunnerPhase.READY:
            return LivePhase.WAITING
        if phase is RunnerPhase.PAUSED:
            return LivePhase.PAUSED
        if phase is RunnerPhase.REST:
            return LivePhase.RESTING
        if phase is RunnerPhase.TIMED:
            return LivePhase.TIMED
        if self._counting():
            return LivePhase.COUNTING
        return LivePhase.POSITIONING

    def _set_open(self) -> bool:
        return self._stage is not None and self._stage.set_open

    def _counting(self) -> bool:
        return (
            self._stage is not None
            and self._stage.state is StageState.COUNTING
            and self._stage.set_open
        )

    def _checking(self) -> bool:
        return (
            self._runner.phase is RunnerPhase.EXERCISE
            and self._stage is not None
            and not self._safety_stop
        )

    def _stream_started(self) -> None:
        """A stream began: start the routine, or carry on after the camera stopped."""
        now = self._clock()
        if self._runner.phase is RunnerPhase.READY:
            self._runner.start(now)
            self._book.start_group(self.plan)
        elif self._runner.paused_reason is PauseReason.STREAM:
            self._runner.resume(now)
        elif self._runner.phase is RunnerPhase.DONE and not self._safety_stop:
            # START again after the end: another round of the same plan.
            self._new_round_locked()
        # A new stream's times start again at 0: the exercise in hand starts
        # again from the positioning check (an open set carries on after it).
        self._stage_key = None

    def _prepare_stage(self, index: int) -> None:
        plan_step = self.plan.steps[index]
        if plan_step.spec is None:
            return
        if self._stage is None or self._stage.plan_step is not plan_step:
            self._stage = ExerciseStage(
                plan_step, self.settle_s, self.patient, self._clock
            )

    def _sync(self, ts_ms: float) -> None:
        """Follow the runner: a new exercise set starts with the positioning check."""
        if self._runner.phase is not RunnerPhase.EXERCISE or not self._streaming:
            return
        key = (self._runner.step_index, self._runner.set_number)
        if key == self._stage_key:
            return
        self._stage_key = key
        self._prepare_stage(key[0])
        if self._stage is not None:
            self._stage.begin_positioning(ts_ms)

    def _check(self, pose: PoseFrame, image: Image, ts_ms: float) -> Image:
        assert self._stage is not None
        was_counting = self._counting()
        result, reached = self._stage.step(pose, ts_ms)
        if not was_counting and self._counting():
            self._book.question = None  # a new set began: the old question lapses
        self._last_result = result
        scene = self._stage.annotator.annotate(image, result)
        if reached:
            self._finish_set_locked("target reached")
            self._runner.set_finished(self._clock())
        return scene

    def _finish_set_locked(
        self, reason: str, problem: str | None = None
    ) -> SavedSet | None:
        record = self._stage.finish(reason, problem) if self._stage else None
        if record is None:
            return None
        index, number = self._runner.step_index, self._runner.set_number
        return self._book.save(record, index, number, reason)

    def _fail_locked(self, message: str) -> None:
        self._error = message
        if self._set_open():
            self._finish_set_locked("error", problem=message)
        self._publish_locked()

    # ------------------------------------------------------------ snapshot
    def _publish(self) -> None:
        with self._lock:
            self._publish_locked()

    def _publish_locked(self) -> None:
        self._seq += 1
        phase = self._phase()
        exercise_phase = phase in (LivePhase.POSITIONING, LivePhase.COUNTING)
        snapshot = build_snapshot(
            LiveState(
                seq=self._seq,
                phase=phase,
                plan=self.plan,
                view=self._runner.view(self._clock()),
                stage=self._stage,
                result=self._last_result if exercise_phase else None,
                stats=self._stats,
                settle_s=self.settle_s,
                saved=tuple(self._book.saved),
                question=self._book.question,
                last_symptoms=self._book.last_symptoms,
                group_id=self._book.group.id if self._book.group else None,
                error=self._error,
            )
        )
        self._slot.put(snapshot)

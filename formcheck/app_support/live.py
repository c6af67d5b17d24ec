"""The live webcam pipeline behind the Live page, testable without a browser.

One :class:`LiveProcessor` per browser session owns one pose estimator and
runs a :class:`~formcheck.app_support.live_plan.LivePlan` — one exercise or a
whole routine — hands-free: a
:class:`~formcheck.app_support.routine_runner.RoutineRunner` says what comes
now (an exercise set, a timed step, a rest) and an
:class:`~formcheck.app_support.live_exercise.ExerciseStage` does the
positioning check and counts each set; a
:class:`~formcheck.app_support.live_run.LiveRun` holds them, with the saved
sets and the safety stop. This module is the thread-safe shell around it:
the lock, the pose model, the stream's clock and the snapshot slot.
streamlit-webrtc calls
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
from formcheck.specs.schema import ExerciseSpec
from formcheck.store import SessionStore

from .live_clock import LiveStats, StreamClock
from .live_plan import LivePlan, plan_for_exercise
from .live_run import LiveRun
from .live_snapshot import LatestSlot, LivePhase, LiveSnapshot, SavedSet
from .live_view import banner, build_snapshot

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
        self._run = LiveRun(
            plan,
            settle_s=self.settle_s,
            patient=self.patient,
            store=store,
            symptoms_before=symptoms_before,
            clock=clock,
        )
        self._seq = 0
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
            return self._run.phase

    @property
    def saved_sets(self) -> tuple[SavedSet, ...]:
        """Sets finished so far, oldest first."""
        with self._lock:
            return tuple(self._run.book.saved)

    @property
    def spec(self) -> ExerciseSpec | None:
        """The exercise of the current (or next) exercise step."""
        stage = self._run.stage
        return stage.spec if stage is not None else None

    @property
    def side(self) -> Side | None:
        """The side checked in the current exercise step."""
        stage = self._run.stage
        return stage.side if stage is not None else None

    @property
    def target_reps(self) -> int | None:
        """Reps per set of the current exercise, if it counts reps."""
        stage = self._run.stage
        return stage.target_reps if stage is not None else None

    @property
    def target_sets(self) -> int:
        """Sets of the current step."""
        return self._run.runner.step.sets

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
            run = self._run
            if self._closed or run.error is not None:
                return image_bgr
            timestamp_ms, est_ms = self._time.stamp(timestamp_ms)
            run.frame_arrived(start, timestamp_ms)
            scene = image_bgr
            several = False
            if run.safety_stop:
                pass  # nothing is checked until the person chooses to go on
            elif run.checking:
                try:
                    pose = self._estimator(image_bgr, est_ms, self._frame_index)
                except (FormcheckError, ValueError, RuntimeError) as exc:
                    self._fail_locked(f"the pose model failed: {exc}")
                    raise
                self._frame_index += 1
                several = pose.num_people > 1
                scene = run.check(pose, image_bgr, timestamp_ms)
            else:
                scene = banner(image_bgr, run.runner.view(start))
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
                if self._run.error is None:
                    self._fail_locked(f"processing failed: {exc}")
            return frame
        return av.VideoFrame.from_ndarray(out, format="bgr24")

    def tick(self) -> None:
        """Let the routine's countdowns run (the page calls this when it polls)."""
        with self._lock:
            self._run.tick(self._time.last_ms)
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
            saved = self._run.end_stream()
            self._time.end_stream()
            self._publish_locked()
            return saved

    def finish_set(self, reason: str = "finished by the user") -> SavedSet | None:
        """End the set in progress now (e.g. a "Finish this set" button).

        Returns:
            The saved set, or ``None`` if no set was in progress.
        """
        with self._lock:
            if not self._run.counting:
                return None
            saved = self._run.finish_set(reason)
            self._publish_locked()
            return saved

    def pause(self) -> None:
        """Pause the routine (a set in progress waits, and restarts positioning)."""
        with self._lock:
            self._run.pause(self._time.last_ms)
            self._publish_locked()

    def resume(self) -> None:
        """Carry on after a pause (or after the safety advice, with the next step)."""
        with self._lock:
            self._run.resume(self._time.last_ms)
            self._publish_locked()

    def skip(self) -> SavedSet | None:
        """Go on now: end a rest or timed step, or leave the current exercise.

        A set in progress is saved first.

        Returns:
            The set saved now, if one was open.
        """
        with self._lock:
            saved = self._run.skip(self._time.last_ms)
            self._publish_locked()
            return saved

    def new_round(self) -> None:
        """Run the plan again from its first step (after ``done``); saved sets stay."""
        with self._lock:
            self._run.new_round(self._time.last_ms)
            self._publish_locked()

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
            report = self._run.report_symptoms(location, worse)
            if report is None:
                return None
            self._publish_locked()
            return report

    def set_symptoms_before(self, location: SymptomLocation | None) -> None:
        """Where the symptoms are before the first set (asked before START)."""
        with self._lock:
            self._run.book.symptoms_before = location

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

    def _fail_locked(self, message: str) -> None:
        self._run.fail(message)
        self._publish_locked()

    def _publish(self) -> None:
        with self._lock:
            self._publish_locked()

    def _publish_locked(self) -> None:
        self._seq += 1
        self._slot.put(build_snapshot(self._run.state(self._seq, self._stats)))

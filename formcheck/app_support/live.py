"""The live webcam pipeline behind the Live page, testable without a browser.

One :class:`LiveProcessor` per browser session owns one pose estimator, the
form checker of the current set, its session recorder and the annotator.
streamlit-webrtc calls :meth:`LiveProcessor.video_frame_callback` on its own
worker thread; the Streamlit script reads :meth:`LiveProcessor.latest` (a
one-item, thread-safe slot holding only the newest :class:`LiveSnapshot`).

Threading:

* Frame processing, set finalisation and the pain answer all take one lock,
  so a set is never saved while a frame is half processed.
* The result slot has its own lock and is never held while processing, so
  the page never waits for the model.
* Nothing here calls ``st.*`` (callbacks run off Streamlit's thread).

Dropping frames: with ``async_processing=True`` (streamlit-webrtc's default),
frames that arrive while the callback is busy wait in the worker's input
queue, and the worker passes only the newest of them to the callback
(``CallbackAttachableProcessor.recv_queued`` → ``recv(frames[-1])``); the
others are dropped, so latency stays flat however long the session runs. The
checker works on frame timestamps, so dropped frames do not change durations.
:attr:`LiveSnapshot.lag_ms` measures the backlog (time since the stream
started minus the frame's own time): it stays flat when frames are dropped
rather than queued.

Phases of a processor::

    waiting ──first frame──▶ positioning ──setup_ok for settle_s───▶ counting
       ▲                         ▲                                     │
       └──── end_stream() ◀──────┼──────── target reached ──▶ resting ─┤
                                 └───── report_pain(False) ◀───────────┘
    report_pain(True) ▶ stopped          an unexpected error ▶ error
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable

import av
import numpy as np
import numpy.typing as npt

from formcheck import messages
from formcheck.annotate import ResultAnnotator
from formcheck.engine import ExerciseSet, FormChecker
from formcheck.engine.exercise_set import Source
from formcheck.errors import FormcheckError
from formcheck.landmarks import Side
from formcheck.pose import PoseEstimator, create_estimator
from formcheck.prescription import Prescription
from formcheck.results import FrameResult, RepTally
from formcheck.specs.schema import ExerciseSpec
from formcheck.store import SessionRef, SessionStore
from formcheck.types import PoseFrame

from . import safety
from .live_clock import LiveStats, StreamClock
from .live_snapshot import (
    LatestSlot,
    LivePhase,
    LiveSnapshot,
    SavedSet,
    set_targets,
)

logger = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]

#: Seconds the framing must stay right before counting starts.
DEFAULT_SETTLE_S = 2.0
_WARM_UP_WH = (256, 256)


class LiveProcessor:
    """Per-browser-session live pipeline: pose, check, record, draw.

    Args:
        spec: The exercise spec (with any prescription already applied).
        side: The user's painful or chosen side.
        estimator: A pose estimator to use (e.g. a replay in tests); it is
            closed by :meth:`close`. Default: one made by
            ``estimator_factory``.
        estimator_factory: Makes the estimator (default: MediaPipe).
        store: Where finished sets are saved (``None``: not saved).
        patient: Patient name stored in the records.
        prescription: The prescription in force, stored in the records.
        settle_s: Seconds the framing must be right before counting starts.
        warm_up: Run the model once on a blank frame now, so the first real
            frame is not slow.
        clock: Monotonic time source in seconds (injectable for tests).

    Raises:
        PoseBackendError: If the estimator cannot be created.

    Example:
        >>> processor = LiveProcessor(spec, estimator=replay, warm_up=False)  # doctest: +SKIP
        >>> annotated = processor.process(image_bgr, timestamp_ms=0.0)  # doctest: +SKIP
        >>> processor.latest().phase  # doctest: +SKIP
        'positioning'
    """

    def __init__(
        self,
        spec: ExerciseSpec,
        side: Side | None = None,
        *,
        estimator: PoseEstimator | None = None,
        estimator_factory: Callable[[], PoseEstimator] = create_estimator,
        store: SessionStore | None = None,
        patient: str | None = None,
        prescription: Prescription | None = None,
        settle_s: float = DEFAULT_SETTLE_S,
        warm_up: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not settle_s >= 0:
            raise ValueError(f"`settle_s` must be >= 0, but got {settle_s!r}")
        self.spec = spec
        self.side: Side | None = side
        self.patient = patient
        self.prescription = prescription
        self.settle_s = float(settle_s)
        self._clock = clock
        self._store = store
        self.target_reps, self.target_holds, self.target_sets = set_targets(spec)
        self._lock = threading.Lock()
        self._slot: LatestSlot[LiveSnapshot] = LatestSlot()
        self._annotator = ResultAnnotator(spec)
        self._estimator = estimator if estimator is not None else estimator_factory()
        self._closed = False
        self._time = StreamClock()
        self._stats = LiveStats()
        self._frame_index = 0
        # Phase state.
        self._phase: LivePhase = "waiting"
        self._pos_checker: FormChecker | None = None
        self._pos_start_ms = 0.0
        self._ok_since_ms: float | None = None
        self._positioning_s = 0.0
        self._set: ExerciseSet | None = None
        self._set_start_ms = 0.0
        self._set_last_ms = 0.0
        self._set_number = 0
        self._set_wall_start: float | None = None
        self._pain_pending = False
        self._saved: list[SavedSet] = []
        self._error: str | None = None
        self._last_result: FrameResult | None = None
        self._seq = 0
        if warm_up:
            self._warm_up()
        self._publish()

    # ------------------------------------------------------------ public API
    def latest(self) -> LiveSnapshot | None:
        """The newest snapshot (never blocks on frame processing)."""
        return self._slot.get()

    @property
    def phase(self) -> LivePhase:
        """The current phase."""
        with self._lock:
            return self._phase

    @property
    def saved_sets(self) -> tuple[SavedSet, ...]:
        """Sets finished so far, oldest first."""
        with self._lock:
            return tuple(self._saved)

    def process(self, image_bgr: Image, timestamp_ms: float) -> Image:
        """Process one camera frame and return it annotated.

        Args:
            image_bgr: ``(H, W, 3)`` uint8 BGR frame; drawn on in place.
            timestamp_ms: Time of the frame in the current stream; it should
                increase (a repeated or earlier time is nudged forward). Call
                :meth:`end_stream` between two streams.

        Returns:
            The annotated frame (the input unchanged once stopped).

        Raises:
            FormcheckError: If the pose model fails (the set in progress is
                saved first and the processor moves to ``error``).
        """
        start = self._clock()
        with self._lock:
            if self._closed or self._phase in ("stopped", "error"):
                return image_bgr
            timestamp_ms, est_ms = self._time.stamp(timestamp_ms)
            try:
                pose = self._estimator(image_bgr, est_ms, self._frame_index)
            except (FormcheckError, ValueError, RuntimeError) as exc:
                self._fail_locked(f"the pose model failed: {exc}")
                raise
            self._frame_index += 1
            if self._phase == "waiting":
                self._begin_positioning(timestamp_ms)
            result = self._step(pose, timestamp_ms)
            self._last_result = result
            scene = self._annotator.annotate(image_bgr, result)
            self._stats.processed(start, self._clock(), pose.num_people > 1)
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
                if self._phase != "error":
                    self._fail_locked(f"processing failed: {exc}")
            return frame
        return av.VideoFrame.from_ndarray(out, format="bgr24")

    def end_stream(self) -> SavedSet | None:
        """The stream stopped (STOP, camera gone, page closed): save the set.

        Safe to call from any thread and more than once.

        Returns:
            The set saved now, if one was in progress.
        """
        with self._lock:
            saved = None
            if self._phase == "counting":
                saved = self._finish_set_locked("stream stopped")
            if self._phase in ("positioning", "counting", "resting"):
                self._phase = "waiting"
            self._time.end_stream()
            self._ok_since_ms = None
            self._positioning_s = 0.0
            self._publish_locked()
            return saved

    def report_pain(self, spread: bool) -> None:
        """Record the answer to the pain question after a set.

        Args:
            spread: Whether pain or tingling spread further down the leg.
                ``True`` stops the exercise for this processor.
        """
        with self._lock:
            self._pain_pending = False
            if self._saved:
                note = (
                    safety.PAIN_SPREAD_NOTE if spread else safety.PAIN_NOT_SPREAD_NOTE
                )
                self._annotate_last_set_locked(note)
            if spread:
                if self._phase == "counting":
                    self._finish_set_locked("stopped: pain spread")
                    self._pain_pending = False
                self._phase = "stopped"
            elif self._phase == "resting":
                if self._set_number < self.target_sets:
                    self._begin_positioning(self._time.last_ms)
                else:
                    self._phase = "done"
            self._publish_locked()

    def finish_set(self, reason: str = "finished by the user") -> SavedSet | None:
        """End the set in progress now (e.g. a "Finish set" button).

        Returns:
            The saved set, or ``None`` if no set was in progress.
        """
        with self._lock:
            if self._phase != "counting":
                return None
            saved = self._finish_set_locked(reason)
            self._phase = "resting"
            self._pos_checker = FormChecker(self.spec, self.side)
            self._pos_start_ms = self._time.last_ms
            self._publish_locked()
            return saved

    def new_round(self) -> None:
        """Start counting sets again (after ``done``); saved sets are kept."""
        with self._lock:
            if self._phase in ("done", "resting"):
                self._phase = "positioning" if self._time.streaming else "waiting"
                self._set_number = 0
                self._pain_pending = False
                if self._phase == "positioning":
                    self._begin_positioning(self._time.last_ms)
            self._publish_locked()

    def close(self) -> None:
        """Save any set in progress and release the pose model."""
        self.end_stream()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._estimator.close()

    # --------------------------------------------------------------- phases
    def _warm_up(self) -> None:
        width, height = _WARM_UP_WH
        blank = np.zeros((height, width, 3), dtype=np.uint8)
        with self._lock:
            self._estimator(blank, 0.0, 0)
            self._time.warmed_up()

    def _begin_positioning(self, ts_ms: float) -> None:
        self._phase = "positioning"
        self._pos_checker = FormChecker(self.spec, self.side)
        self._pos_start_ms = ts_ms
        self._ok_since_ms = None
        self._positioning_s = 0.0

    def _step(self, pose: PoseFrame, ts_ms: float) -> FrameResult:
        if self._phase == "counting" and self._set is not None:
            rel = ts_ms - self._set_start_ms
            result = self._set.update(dataclasses.replace(pose, timestamp_ms=rel))
            self._set_last_ms = rel
            if self._target_reached(result):
                self._finish_set_locked("target reached")
                self._phase = "resting"
                self._pos_checker = FormChecker(self.spec, self.side)
                self._pos_start_ms = ts_ms
            return result
        if self._pos_checker is None:
            self._pos_checker = FormChecker(self.spec, self.side)
            self._pos_start_ms = ts_ms
        rel = ts_ms - self._pos_start_ms
        result = self._pos_checker.update(dataclasses.replace(pose, timestamp_ms=rel))
        if self._phase == "positioning":
            # The checker lists every set-up problem of this frame (view,
            # framing, people, start position, safety), not just the cue it
            # chose to show: counting starts once there is none for settle_s.
            ok = result.setup_ok
            if ok:
                if self._ok_since_ms is None:
                    self._ok_since_ms = ts_ms
                self._positioning_s = (ts_ms - self._ok_since_ms) / 1000.0
            else:
                self._ok_since_ms = None
                self._positioning_s = 0.0
            if ok and self._positioning_s >= self.settle_s:
                self._begin_set(ts_ms)
        return result

    def _begin_set(self, ts_ms: float) -> None:
        self._phase = "counting"
        self._set_number += 1
        self._set = ExerciseSet(
            self.spec,
            self.side,
            source=Source("live", "webcam"),
            patient=self.patient,
            prescription=self.prescription,
        )
        self._set_start_ms = ts_ms
        self._set_last_ms = 0.0
        self._set_wall_start = self._clock()

    def _target_reached(self, result: FrameResult) -> bool:
        if self.target_reps is not None:
            return result.total_reps >= self.target_reps
        if self.target_holds is not None and self._set is not None:
            return self._set.holds_completed >= self.target_holds
        return False

    def _finish_set_locked(
        self, reason: str, problem: str | None = None
    ) -> SavedSet | None:
        exercise, self._set = self._set, None
        if exercise is None or exercise.frames == 0:
            return None
        wall = (
            self._clock() - self._set_wall_start
            if self._set_wall_start is not None
            else 0.0
        )
        record = exercise.finish(
            warnings=[f"set ended: {reason}"],
            problem=problem,
            fps=round(exercise.frames / wall, 2) if wall > 0 else 0.0,
            duration_s=max(self._set_last_ms / 1000.0, 0.0),
        )
        ref: SessionRef | None = None
        save_error = None
        if self._store is not None:
            try:
                ref = self._store.save_session(record, f"set{self._set_number}")
            except FormcheckError as exc:
                save_error = str(exc)
                logger.error("could not save the live session: %s", exc)
        saved = SavedSet(self._set_number, record, ref, reason, save_error)
        self._saved.append(saved)
        self._pain_pending = True
        return saved

    def _annotate_last_set_locked(self, note: str) -> None:
        last = self._saved[-1]
        if note in last.record.warnings:
            return
        record = last.record.model_copy(
            update={"warnings": [*last.record.warnings, note]}
        )
        ref, save_error = last.ref, last.save_error
        if self._store is not None and ref is not None:
            try:
                ref = self._store.replace_session(ref, record)
            except FormcheckError as exc:
                save_error = str(exc)
        self._saved[-1] = dataclasses.replace(
            last, record=record, ref=ref, save_error=save_error
        )

    def _fail_locked(self, message: str) -> None:
        self._error = message
        if self._phase == "counting":
            self._finish_set_locked("error", problem=message)
        self._phase = "error"
        self._publish_locked()

    # ------------------------------------------------------------- snapshot
    def _message(self, result: FrameResult | None) -> str:
        phase = self._phase
        if phase == "waiting":
            return messages.LIVE_WAITING
        if phase == "positioning":
            if result is None or not result.pose.has_person:
                return messages.STEP_INTO_VIEW
            if result.setup_issues:
                return result.setup_issues[0]
            return messages.live_good_position(
                max(0.0, self.settle_s - self._positioning_s)
            )
        if phase == "counting":
            return messages.live_counting(self._set_number, self.target_sets)
        if phase == "resting":
            return messages.live_set_done(self._set_number)
        if phase == "done":
            return messages.LIVE_DONE
        if phase == "stopped":
            return messages.LIVE_STOPPED
        return messages.live_error(self._error)

    def _publish(self) -> None:
        with self._lock:
            self._publish_locked()

    def _publish_locked(self) -> None:
        self._seq += 1
        result = self._last_result
        if self._phase == "counting" and self._set is not None:
            tallies = self._set.tallies()
            holds_done = self._set.holds_completed
        elif self._saved and self._phase != "positioning":
            summary = self._saved[-1].record.summary
            tallies = tuple(
                RepTally(s.side, s.reps, s.correct) for s in summary.per_side
            )
            holds_done = summary.holds_completed
        else:
            tallies = (RepTally(None, 0, 0),)
            holds_done = 0
        counting = self._phase == "counting"
        stats = self._stats
        snapshot = LiveSnapshot(
            seq=self._seq,
            phase=self._phase,
            set_number=self._set_number,
            target_sets=self.target_sets,
            positioning_s=self._positioning_s,
            settle_s=self.settle_s,
            message=self._message(result),
            cue=result.cue if result is not None else None,
            has_person=bool(result is not None and result.pose.has_person),
            several_people=stats.several_people,
            view_ok=bool(result is None or result.view_ok),
            setup_issues=(
                result.setup_issues
                if result is not None and self._phase == "positioning"
                else ()
            ),
            tallies=tallies,
            target_reps=self.target_reps,
            hold=result.hold if (result is not None and counting) else None,
            holds_done=holds_done,
            target_holds=self.target_holds,
            frames_processed=stats.frames,
            fps=stats.fps,
            processing_ms=stats.processing_ms,
            lag_ms=stats.lag_ms,
            lag_ms_max=stats.lag_ms_max,
            pain_question_pending=self._pain_pending,
            saved=tuple(self._saved),
            error=self._error,
        )
        self._slot.put(snapshot)

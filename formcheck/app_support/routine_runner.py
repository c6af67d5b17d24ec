"""A hands-free routine: steps, sets, timed steps and rests, driven by a clock.

:class:`RoutineRunner` is the routine's state machine and nothing else: it
never sees a frame, a pose or Streamlit. The live run
(:class:`~formcheck.app_support.live_run.LiveRun`) tells it when a set has
ended and calls :meth:`RoutineRunner.tick` with the time; the runner says what
comes now (an exercise set, a timed step, a rest), how many seconds are left,
what comes next and where to put the camera, and what to announce.

Phases::

    ready ──start──▶ exercise ──set_finished──▶ rest ──time up──▶ exercise (next set or step)
                        │                          ▲
                        └─(timed step) timed ──time up──┘        last set or step ──▶ done

    pause ▶ paused ──resume──▶ (where it was, the countdown kept)
    skip: ends a rest or a timed step now; in an exercise, goes on to the next step
    stop_exercise (symptoms spread): the exercise's other sets are dropped,
        paused (safety) before the rest that leads to the next step

Every time is a monotonic clock in seconds passed in by the caller, so tests
drive the runner with a synthetic clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from formcheck import messages

#: Shortest rest after a set: time to read the summary and answer the
#: symptom question.
MIN_REST_S = 10.0
#: Seconds left at which a countdown is announced ("10 seconds"), then 3, 2, 1.
ANNOUNCE_LEFT_S = (10, 3, 2, 1)


class RunnerPhase(StrEnum):
    """Where the routine is."""

    READY = "ready"
    EXERCISE = "exercise"
    TIMED = "timed"
    REST = "rest"
    PAUSED = "paused"
    DONE = "done"


class PauseReason(StrEnum):
    """Why the routine is paused."""

    USER = "user"
    STREAM = "stream"
    SAFETY = "safety"


class StepEnd(StrEnum):
    """How a step ended."""

    DONE = "done"
    SKIPPED = "skipped"
    STOPPED = "stopped"


@dataclass(frozen=True)
class RoutineStep:
    """One step of a routine, as the runner needs it.

    Attributes:
        label: What to call it ("Glute bridge", "Walking in place").
        exercise_id: The exercise checked, or ``None`` for a timed step.
        sets: Sets to do (1 for a timed step).
        timed_s: Length of a timed step, in seconds.
        rest_s: Rest after each set (and after a timed step).
        camera: Where to put the camera, in one sentence ("" if it does not
            matter).
        target: What is asked, e.g. ``"12 reps"`` or ``"2 × 30 s hold"``.
    """

    label: str
    exercise_id: str | None
    sets: int = 1
    timed_s: float | None = None
    rest_s: float = 0.0
    camera: str = ""
    target: str = ""

    def __post_init__(self) -> None:
        if self.sets < 1:
            raise ValueError(f"`sets` must be >= 1, but got {self.sets!r}")
        if self.exercise_id is None and not (self.timed_s and self.timed_s > 0):
            raise ValueError(
                f"step '{self.label}' has no exercise, so it needs `timed_s` > 0"
            )
        if not self.rest_s >= 0:
            raise ValueError(f"`rest_s` must be >= 0, but got {self.rest_s!r}")

    @property
    def timed(self) -> bool:
        """Whether formcheck only times this step (nothing is checked)."""
        return self.exercise_id is None


@dataclass(frozen=True)
class Announcement:
    """A sentence to show and, if speech is on, say once (``id`` tells new ones)."""

    id: int
    text: str


@dataclass(frozen=True)
class StepProgress:
    """How far one step got."""

    sets_done: int = 0
    end: StepEnd | None = None
    timed_s: float = 0.0


@dataclass(frozen=True)
class RunnerView:
    """What the routine looks like now (for the page and the video overlay).

    Attributes:
        phase: Where the routine is.
        paused_reason: Why it is paused (``None`` unless paused).
        paused_phase: The phase it was in when paused.
        step_index: The current step, 0-based.
        steps: How many steps.
        label: The current step's name.
        set_number: The current set of the step, 1-based.
        sets: Sets in the step.
        remaining_s: Seconds left of a rest or timed step (``None`` otherwise).
        countdown_s: The whole length of that countdown.
        next_label: What comes after the current rest or step ("" at the end).
        next_camera: Where to put the camera for it ("" when it stays).
        announcement: The latest thing to say.
        progress: Per step, how far it got.
    """

    phase: RunnerPhase
    paused_reason: PauseReason | None
    paused_phase: RunnerPhase | None
    step_index: int
    steps: int
    label: str
    set_number: int
    sets: int
    remaining_s: float | None
    countdown_s: float | None
    next_label: str
    next_camera: str
    announcement: Announcement | None
    progress: tuple[StepProgress, ...] = field(default=())


class RoutineRunner:
    """The state machine of a hands-free routine.

    Args:
        steps: The routine's steps, in order.
        start_at: The step to begin with (0-based).
        min_rest_s: Shortest rest after a set that has more to follow.

    Raises:
        ValueError: Without steps, or with ``start_at`` out of range.

    Example:
        >>> runner = RoutineRunner([RoutineStep("Walk", None, timed_s=60)])
        >>> runner.start(now_s=0.0)
        >>> runner.view(now_s=15.0).remaining_s
        45.0
    """

    def __init__(
        self,
        steps: Sequence[RoutineStep],
        *,
        start_at: int = 0,
        min_rest_s: float = MIN_REST_S,
    ) -> None:
        if not steps:
            raise ValueError("a routine needs at least one step")
        if not 0 <= start_at < len(steps):
            raise ValueError(
                f"`start_at` must be between 0 and {len(steps) - 1}, but got {start_at}"
            )
        self.steps = tuple(steps)
        self.start_at = start_at
        self.min_rest_s = float(min_rest_s)
        self._phase = RunnerPhase.READY
        self._index = start_at
        self._set = 1
        self._deadline_s: float | None = None
        self._countdown_s: float | None = None
        self._left_s: float | None = None  # countdown left while paused
        self._paused_from: RunnerPhase | None = None
        self._paused_reason: PauseReason | None = None
        self._started_timed_s: float | None = None
        self._progress = [StepProgress() for _ in self.steps]
        self._announcement: Announcement | None = None
        self._announced_left: set[int] = set()
        # After a rest: which step and set come next (None: the routine ends).
        self._after_rest: tuple[int, int] | None = None

    # ----------------------------------------------------------- reading
    @property
    def phase(self) -> RunnerPhase:
        """Where the routine is."""
        return self._phase

    @property
    def step_index(self) -> int:
        """The current step, 0-based."""
        return self._index

    @property
    def step(self) -> RoutineStep:
        """The current step."""
        return self.steps[self._index]

    @property
    def set_number(self) -> int:
        """The current set of the current step, 1-based."""
        return self._set

    @property
    def paused_reason(self) -> PauseReason | None:
        """Why the routine is paused, if it is."""
        return self._paused_reason if self._phase is RunnerPhase.PAUSED else None

    @property
    def progress(self) -> tuple[StepProgress, ...]:
        """Per step, how far it got."""
        return tuple(self._progress)

    def remaining_s(self, now_s: float) -> float | None:
        """Seconds left of the rest or timed step (``None``: no countdown)."""
        if self._phase is RunnerPhase.PAUSED:
            return self._left_s
        if self._deadline_s is None:
            return None
        return max(0.0, self._deadline_s - now_s)

    def view(self, now_s: float) -> RunnerView:
        """What the routine looks like at ``now_s``."""
        nxt = self._next_after_current()
        next_label, next_camera = "", ""
        if nxt is not None:
            index, set_number = nxt
            step = self.steps[index]
            next_label = messages.routine_next(step.label, set_number, step.sets)
            if index != self._index and step.camera:
                next_camera = step.camera
        return RunnerView(
            phase=self._phase,
            paused_reason=self.paused_reason,
            paused_phase=self._paused_from
            if self._phase is RunnerPhase.PAUSED
            else None,
            step_index=self._index,
            steps=len(self.steps),
            label=self.step.label,
            set_number=self._set,
            sets=self.step.sets,
            remaining_s=self.remaining_s(now_s),
            countdown_s=self._countdown_s,
            next_label=next_label,
            next_camera=next_camera,
            announcement=self._announcement,
            progress=self.progress,
        )

    # ------------------------------------------------------------ driving
    def start(self, now_s: float) -> None:
        """Begin with the first step (only from ``ready``)."""
        if self._phase is RunnerPhase.READY:
            self._enter_step(self.start_at, 1, now_s)

    def tick(self, now_s: float) -> bool:
        """Let time pass: end a rest or timed step whose time is up.

        Returns:
            Whether the phase, step or set changed.
        """
        left = self.remaining_s(now_s)
        if self._phase not in (RunnerPhase.REST, RunnerPhase.TIMED) or left is None:
            return False
        for mark in sorted(ANNOUNCE_LEFT_S):
            if 0 < left <= mark and mark not in self._announced_left:
                self._announced_left.update(m for m in ANNOUNCE_LEFT_S if m >= mark)
                if self._countdown_s is not None and self._countdown_s > mark:
                    self._announce(messages.routine_seconds_left(mark))
                break
        if left > 0:
            return False
        if self._phase is RunnerPhase.TIMED:
            self._finish_timed(now_s)
        else:
            self._end_rest(now_s)
        return True

    def set_finished(self, now_s: float) -> None:
        """The exercise's current set has ended: rest, then what comes next."""
        if self._phase is not RunnerPhase.EXERCISE:
            return
        done = self._progress[self._index]
        sets_done = done.sets_done + 1
        last = sets_done >= self.step.sets
        self._progress[self._index] = StepProgress(
            sets_done, StepEnd.DONE if last else None
        )
        nxt = (self._index, self._set + 1) if not last else self._next_step(self._index)
        self._rest_then(nxt, now_s, self.step.rest_s)

    def stop_exercise(self, now_s: float, step_index: int | None = None) -> None:
        """Symptoms spread: drop the exercise's other sets and pause for safety.

        Resuming rests, then goes on with the next step (or ends the routine).

        Args:
            now_s: The time.
            step_index: The step whose set the symptoms followed (default: the
                current one). If the routine has already moved past it, only
                the pause happens: that exercise is over anyway.
        """
        if self._phase in (RunnerPhase.READY, RunnerPhase.DONE):
            return
        if step_index is not None and step_index != self._index:
            old = self._progress[step_index]
            self._progress[step_index] = StepProgress(
                old.sets_done, StepEnd.STOPPED, old.timed_s
            )
            self.pause(now_s, PauseReason.SAFETY)
            return
        if self._phase is RunnerPhase.PAUSED:
            self._phase = self._paused_from or RunnerPhase.REST
        old = self._progress[self._index]
        self._progress[self._index] = StepProgress(
            old.sets_done, StepEnd.STOPPED, old.timed_s
        )
        self._rest_then(self._next_step(self._index), now_s, self.step.rest_s)
        if self._phase is RunnerPhase.REST:
            self.pause(now_s, PauseReason.SAFETY)

    def pause(self, now_s: float, reason: PauseReason = PauseReason.USER) -> None:
        """Hold everything; countdowns keep the time they had left."""
        if self._phase in (RunnerPhase.READY, RunnerPhase.DONE):
            return
        if self._phase is RunnerPhase.PAUSED:
            # Safety wins over everything; the camera stopping over a user's
            # pause (START will carry on); a user's pause changes nothing.
            if reason is PauseReason.SAFETY or (
                reason is PauseReason.STREAM and self._paused_reason is PauseReason.USER
            ):
                self._paused_reason = reason
                self._announce(messages.routine_paused(reason.value))
            return
        self._left_s = self.remaining_s(now_s)
        self._paused_from = self._phase
        self._paused_reason = reason
        self._phase = RunnerPhase.PAUSED
        self._deadline_s = None
        self._announce(messages.routine_paused(reason.value))

    def resume(self, now_s: float) -> None:
        """Carry on where the routine was paused."""
        if self._phase is not RunnerPhase.PAUSED or self._paused_from is None:
            return
        self._phase = self._paused_from
        if self._left_s is not None:
            self._deadline_s = now_s + self._left_s
        self._left_s = None
        self._paused_from = None
        self._paused_reason = None
        if self._phase is RunnerPhase.REST:
            self._announce(self._rest_sentence(now_s))

    def skip(self, now_s: float) -> None:
        """Go on now: end a rest or timed step, or leave the exercise for the next step."""
        if self._phase is RunnerPhase.PAUSED:
            self.resume(now_s)
        if self._phase is RunnerPhase.REST:
            self._end_rest(now_s)
        elif self._phase is RunnerPhase.TIMED:
            self._finish_timed(now_s, StepEnd.SKIPPED)
        elif self._phase is RunnerPhase.EXERCISE:
            old = self._progress[self._index]
            self._progress[self._index] = StepProgress(old.sets_done, StepEnd.SKIPPED)
            self._go_to(self._next_step(self._index), now_s)

    # ----------------------------------------------------------- internal
    def _announce(self, text: str) -> None:
        number = self._announcement.id + 1 if self._announcement else 1
        self._announcement = Announcement(number, text)

    def _next_step(self, index: int) -> tuple[int, int] | None:
        return (index + 1, 1) if index + 1 < len(self.steps) else None

    def _next_after_current(self) -> tuple[int, int] | None:
        if self._phase in (RunnerPhase.REST, RunnerPhase.PAUSED) and (
            self._phase is RunnerPhase.REST or self._paused_from is RunnerPhase.REST
        ):
            return self._after_rest
        if self._phase is RunnerPhase.DONE:
            return None
        if self._phase is RunnerPhase.READY:
            return (self.start_at, 1)
        if self._set < self.step.sets:
            return (self._index, self._set + 1)
        return self._next_step(self._index)

    def _enter_step(self, index: int, set_number: int, now_s: float) -> None:
        self._index, self._set = index, set_number
        step = self.steps[index]
        self._announced_left = set()
        if step.timed:
            assert step.timed_s is not None
            self._phase = RunnerPhase.TIMED
            self._countdown_s = step.timed_s
            self._deadline_s = now_s + step.timed_s
            self._started_timed_s = now_s
            self._announce(messages.routine_timed_start(step.label, step.timed_s))
        else:
            self._phase = RunnerPhase.EXERCISE
            self._countdown_s = None
            self._deadline_s = None
            self._announce(
                messages.routine_exercise_start(step.label, set_number, step.sets)
            )

    def _finish_timed(self, now_s: float, end: StepEnd = StepEnd.DONE) -> None:
        started = self._started_timed_s if self._started_timed_s is not None else now_s
        self._progress[self._index] = StepProgress(1, end, max(0.0, now_s - started))
        self._rest_then(self._next_step(self._index), now_s, self.step.rest_s)

    def _rest_then(
        self, nxt: tuple[int, int] | None, now_s: float, rest_s: float
    ) -> None:
        if nxt is None:
            self._go_to(None, now_s)
            return
        self._after_rest = nxt
        self._phase = RunnerPhase.REST
        self._countdown_s = max(rest_s, self.min_rest_s)
        self._deadline_s = now_s + self._countdown_s
        self._announced_left = set()
        self._announce(self._rest_sentence(now_s))

    def _rest_sentence(self, now_s: float) -> str:
        view = self.view(now_s)
        left = view.remaining_s or 0.0
        return messages.routine_rest(math.ceil(left), view.next_label, view.next_camera)

    def _end_rest(self, now_s: float) -> None:
        self._go_to(self._after_rest, now_s)

    def _go_to(self, nxt: tuple[int, int] | None, now_s: float) -> None:
        self._after_rest = None
        if nxt is None:
            self._phase = RunnerPhase.DONE
            self._deadline_s = None
            self._countdown_s = None
            self._announce(messages.ROUTINE_DONE)
            return
        self._enter_step(*nxt, now_s)

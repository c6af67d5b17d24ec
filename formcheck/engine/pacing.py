"""Paced repetitions for movements a camera cannot measure (e.g. pelvic tilt)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from formcheck.engine.counting import RepEvent
from formcheck.results import Phase, RepOutcome


@dataclass(frozen=True)
class PacedStep:
    """One step of a guided repetition."""

    cue: str
    seconds: float
    phase: Phase


class GuidedPacer:
    """Paces repetitions by time for movements a camera cannot measure.

    The pacer starts once the person has been ready (in position) for
    ``start_after_s``, then walks through ``steps`` again and again. Time is
    only credited while the person is ready; a cycle interrupted for more than
    ``abandon_after_s`` is dropped. Each completed cycle is reported as a
    :class:`RepEvent` with the outcome ``PACED``: formcheck guided it, it did
    not measure it.

    Args:
        steps: The steps of one repetition.
        target_reps: Stop pacing after this many.
        start_after_s: Time in position before the first repetition.
        abandon_after_s: Interruption that drops the cycle in progress.
    """

    def __init__(
        self,
        steps: list[PacedStep],
        target_reps: int,
        start_after_s: float = 2.0,
        abandon_after_s: float = 3.0,
    ) -> None:
        if not steps:
            raise ValueError("Argument 'steps' must not be empty")
        self.steps = steps
        self.cycle_s = sum(s.seconds for s in steps)
        self.target_reps = target_reps
        self.start_after_s = start_after_s
        self.abandon_after_s = abandon_after_s
        self._ready_since_s: float | None = None
        self._cycle_start_s: float | None = None
        self._elapsed_s = 0.0
        self._last_s: float | None = None
        self._unready_since_s: float | None = None
        self._done = 0

    @property
    def count(self) -> int:
        """Paced repetitions completed."""
        return self._done

    @property
    def finished(self) -> bool:
        """Whether the target number of repetitions has been paced."""
        return self._done >= self.target_reps

    def current_step(self) -> PacedStep | None:
        """The step being paced now, or ``None`` when not pacing."""
        if self._cycle_start_s is None or self.finished:
            return None
        t = 0.0
        for step in self.steps:
            t += step.seconds
            if self._elapsed_s < t:
                return step
        return self.steps[-1]

    def update(self, ready: bool, timestamp_s: float) -> RepEvent | None:
        """Advance the pacer by one frame.

        Args:
            ready: Whether the person is in position and visible.
            timestamp_s: Time of the frame.

        Returns:
            A counted :class:`RepEvent` when a paced repetition completes.
        """
        dt = 0.0 if self._last_s is None else max(0.0, timestamp_s - self._last_s)
        self._last_s = timestamp_s
        if self.finished:
            return None
        if self._cycle_start_s is None:
            if not ready:
                self._ready_since_s = None
                return None
            if self._ready_since_s is None:
                self._ready_since_s = timestamp_s
            if timestamp_s - self._ready_since_s >= self.start_after_s:
                self._cycle_start_s = timestamp_s
                self._elapsed_s = 0.0
            return None
        if not ready:
            if self._unready_since_s is None:
                self._unready_since_s = timestamp_s
            if timestamp_s - self._unready_since_s > self.abandon_after_s:
                self._cycle_start_s = None
                self._ready_since_s = None
                self._unready_since_s = None
            return None
        self._unready_since_s = None
        self._elapsed_s += dt
        if self._elapsed_s < self.cycle_s:
            return None
        event = RepEvent(
            start_s=self._cycle_start_s,
            end_s=timestamp_s,
            active_s=sum(s.seconds for s in self.steps if s.phase == Phase.ACTIVE),
            peak=math.nan,
            trough=math.nan,
            side=None,
            outcome=RepOutcome.PACED,
        )
        self._done += 1
        self._cycle_start_s = timestamp_s
        self._elapsed_s = 0.0
        return event

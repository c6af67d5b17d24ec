"""Repetition counting and hold timing.

Both are small state machines fed one value per frame with a timestamp; they
neither draw nor know about video or Streamlit. Times are in seconds.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from formcheck.landmarks import Side
from formcheck.results import HoldState, HoldStatus, Phase, RepOutcome


class RepState(StrEnum):
    """Where the repetition counter is in a cycle."""

    REST = "rest"
    MOVING = "moving"
    ACTIVE = "active"
    RETURNING = "returning"

    @property
    def phase(self) -> Phase:
        """The phase of the exercise this state stands for."""
        if self is RepState.ACTIVE:
            return Phase.ACTIVE
        if self is RepState.REST:
            return Phase.REST
        return Phase.MOVING


@dataclass(frozen=True)
class RepEvent:
    """A completed movement cycle, counted or not.

    Attributes:
        start_s: When the signal left the rest band.
        end_s: When it came back to the rest band.
        active_s: Time spent past the ``enter`` threshold.
        peak: Most extreme (smoothed) value reached.
        trough: Least extreme value (the rest end) in the cycle.
        side: The side that moved, for sided exercises, else ``None``.
        outcome: Whether it counts as a repetition, and if not, why.
    """

    start_s: float
    end_s: float
    active_s: float
    peak: float
    trough: float
    side: Side | None
    outcome: RepOutcome

    @property
    def counted(self) -> bool:
        """Whether it counts as a repetition."""
        return self.outcome.counted

    @property
    def duration_s(self) -> float:
        """Length of the cycle."""
        return self.end_s - self.start_s

    @property
    def range_of_motion(self) -> float:
        """Peak minus trough, in the signal's unit."""
        return abs(self.peak - self.trough)


@dataclass
class _Cycle:
    start_s: float
    baseline: float
    extreme: float
    active_since_s: float | None = None
    active_s: float = 0.0
    reached_active: bool = False
    side_votes: dict[Side, float] = field(default_factory=dict)


class RepCounter:
    """Two-threshold (hysteresis) repetition counter on one smoothed signal.

    With ``direction="up"``, a repetition is the signal going from the rest band
    (``<= exit``) past ``enter`` and back to the rest band; the gap between the
    two thresholds keeps jitter from counting. A cycle counts only if its range
    is at least ``min_amplitude``, it lasts at least ``min_duration_s``, it spends
    at least ``min_active_s`` past ``enter``, and it is not longer than
    ``max_duration_s``. Cycles that do not count are still reported, with
    their :class:`~formcheck.results.RepOutcome`, so feedback can say "lift a
    little higher".

    Args:
        enter: Threshold that makes the movement "active".
        exit: Threshold of the rest band.
        direction: ``"up"`` if the signal rises during the movement.
        min_amplitude: Smallest range that counts.
        min_duration_s: Shortest cycle that counts.
        min_active_s: Shortest time past ``enter`` that counts.
        max_duration_s: Longest cycle that counts.
        max_gap_s: A cycle is abandoned after this long without data.

    Raises:
        ValueError: If the thresholds do not match the direction.

    Example:
        >>> c = RepCounter(enter=160, exit=140)
        >>> events = [c.update(v, t * 0.1) for t, v in enumerate([120, 150, 170, 170, 150, 120])]
        >>> c.count
        0
    """

    def __init__(
        self,
        enter: float,
        exit: float,
        direction: Literal["up", "down"] = "up",
        min_amplitude: float = 0.0,
        min_duration_s: float = 0.0,
        min_active_s: float = 0.0,
        max_duration_s: float = math.inf,
        max_gap_s: float = 2.0,
    ) -> None:
        if direction == "up" and not enter > exit:
            raise ValueError(
                f"Argument 'enter' ({enter}) must be > 'exit' ({exit}) for direction 'up'"
            )
        if direction == "down" and not enter < exit:
            raise ValueError(
                f"Argument 'enter' ({enter}) must be < 'exit' ({exit}) for direction 'down'"
            )
        self.enter = enter
        self.exit = exit
        self.direction = direction
        self.min_amplitude = min_amplitude
        self.min_duration_s = min_duration_s
        self.min_active_s = min_active_s
        self.max_duration_s = max_duration_s
        self.max_gap_s = max_gap_s
        self._sign = 1.0 if direction == "up" else -1.0
        self._state = RepState.REST
        self._cycle: _Cycle | None = None
        self._count = 0
        self._counts: Counter[Side] = Counter()
        self._last_valid_s: float | None = None
        self._rest_value: float = math.nan

    @property
    def count(self) -> int:
        """Repetitions counted so far (all sides)."""
        return self._count

    def count_for(self, side: Side) -> int:
        """Repetitions counted for one side."""
        return self._counts[side]

    @property
    def state(self) -> RepState:
        """Current state: rest, moving, active or returning."""
        return self._state

    def _past(self, value: float, threshold: float) -> bool:
        return self._sign * (value - threshold) >= 0

    def abandon(self, timestamp_s: float, outcome: RepOutcome) -> RepEvent | None:
        """Drop the cycle in progress (e.g. when the posture is wrong).

        Returns:
            The abandoned cycle as an uncounted event, if it had become active.
        """
        cycle = self._cycle
        self._cycle = None
        self._state = RepState.REST
        if cycle is None or not cycle.reached_active:
            return None
        return self._event(cycle, timestamp_s, outcome)

    def _event(self, cycle: _Cycle, end_s: float, outcome: RepOutcome) -> RepEvent:
        side = (
            max(cycle.side_votes, key=lambda s: cycle.side_votes[s])
            if cycle.side_votes
            else None
        )
        active_s = cycle.active_s
        if cycle.active_since_s is not None:
            active_s += end_s - cycle.active_since_s
        return RepEvent(
            start_s=cycle.start_s,
            end_s=end_s,
            active_s=active_s,
            peak=cycle.extreme,
            trough=cycle.baseline,
            side=side,
            outcome=outcome,
        )

    def update(
        self, value: float, timestamp_s: float, side: Side | None = None
    ) -> RepEvent | None:
        """Feed one (smoothed) sample.

        Args:
            value: The signal; NaN when it cannot be measured in this frame.
            timestamp_s: Time of the sample.
            side: Which side is moving in this frame (for sided exercises).

        Returns:
            A :class:`RepEvent` when a cycle ends (counted or not), else ``None``.
        """
        if not math.isfinite(value):
            if (
                self._cycle is not None
                and self._last_valid_s is not None
                and timestamp_s - self._last_valid_s > self.max_gap_s
            ):
                return self.abandon(timestamp_s, RepOutcome.LOST_SIGHT)
            return None
        self._last_valid_s = timestamp_s
        cycle = self._cycle
        if cycle is None:
            if self._past(value, self.exit):
                # Left the rest band (or jumped straight past enter).
                baseline = (
                    self._rest_value if math.isfinite(self._rest_value) else value
                )
                cycle = _Cycle(start_s=timestamp_s, baseline=baseline, extreme=value)
                self._cycle = cycle
                self._state = RepState.MOVING
            else:
                # In the rest band: remember the most relaxed value since the
                # last cycle, the baseline for the next range of motion.
                if (
                    not math.isfinite(self._rest_value)
                    or self._sign * (value - self._rest_value) < 0
                ):
                    self._rest_value = value
                return None
        if cycle is None:  # pragma: no cover - for type checkers
            return None
        if side is not None:
            # Votes past `enter` decide; before that they only break ties (an
            # attempt that never got there still gets the side that moved).
            cycle.side_votes[side] = cycle.side_votes.get(side, 0.0) + 0.001
        if self._sign * (value - cycle.extreme) > 0:
            cycle.extreme = value
        if self._sign * (cycle.baseline - value) > 0:
            cycle.baseline = value
        if self._past(value, self.enter):
            if cycle.active_since_s is None:
                cycle.active_since_s = timestamp_s
            cycle.reached_active = True
            self._state = RepState.ACTIVE
            if side is not None:
                cycle.side_votes[side] = cycle.side_votes.get(side, 0.0) + 1.0
            return None
        if cycle.active_since_s is not None:
            cycle.active_s += timestamp_s - cycle.active_since_s
            cycle.active_since_s = None
        if not self._past(value, self.exit):
            # Back in the rest band: the cycle ends.
            self._cycle = None
            self._state = RepState.REST
            self._rest_value = value
            if not cycle.reached_active:
                halfway = self.exit + 0.5 * (self.enter - self.exit)
                if self._past(cycle.extreme, halfway):
                    return self._event(cycle, timestamp_s, RepOutcome.NOT_FAR_ENOUGH)
                return None
            return self._finish(cycle, timestamp_s)
        self._state = RepState.RETURNING if cycle.reached_active else RepState.MOVING
        return None

    def _judge(self, event: RepEvent) -> RepOutcome:
        if event.range_of_motion < self.min_amplitude:
            return RepOutcome.RANGE_TOO_SMALL
        if event.duration_s < self.min_duration_s:
            return RepOutcome.TOO_QUICK
        if event.active_s < self.min_active_s:
            return RepOutcome.END_NOT_HELD
        if event.duration_s > self.max_duration_s:
            return RepOutcome.TOO_LONG
        return RepOutcome.COUNTED

    def _finish(self, cycle: _Cycle, end_s: float) -> RepEvent:
        event = self._event(cycle, end_s, RepOutcome.COUNTED)
        outcome = self._judge(event)
        if outcome is not RepOutcome.COUNTED:
            return dataclasses.replace(event, outcome=outcome)
        self._count += 1
        if event.side is not None:
            self._counts[event.side] += 1
        return event


@dataclass(frozen=True)
class HoldEvent:
    """One finished hold."""

    start_s: float
    end_s: float
    held_s: float
    min_s: float
    target_s: float

    @property
    def completed(self) -> bool:
        """Whether the minimum hold time was reached."""
        return self.held_s >= self.min_s

    @property
    def target_reached(self) -> bool:
        """Whether the target hold time was reached."""
        return self.held_s >= self.target_s


class HoldTimer:
    """Timer that runs only while the hold pose is right.

    * The pose must be right for ``enter_after_s`` before a hold starts (that
      time is credited once it is confirmed).
    * While the pose is right the timer runs. While it is wrong it pauses (no
      time is credited) but does not reset.
    * When the pose cannot be seen (``None``: a tracking blip) the timer keeps
      running for up to ``grace_s``, then pauses. The bridged time is kept only
      if the pose is seen again before the hold ends.
    * The hold ends when the pose has been wrong or unseen for ``reset_after_s``.

    Args:
        min_s: Shortest hold that counts as done.
        target_s: Hold time to aim for.
        enter_after_s: Time the pose must be right before the timer starts.
        grace_s: How long a tracking blip is bridged.
        reset_after_s: How long out of pose ends the hold.
    """

    def __init__(
        self,
        min_s: float,
        target_s: float,
        enter_after_s: float = 1.0,
        grace_s: float = 2.0,
        reset_after_s: float = 5.0,
    ) -> None:
        if min_s <= 0:
            raise ValueError(f"Argument 'min_s' must be > 0, but got {min_s}")
        if target_s < min_s:
            raise ValueError(
                f"Argument 'target_s' ({target_s}) must be >= 'min_s' ({min_s})"
            )
        self.min_s = min_s
        self.target_s = target_s
        self.enter_after_s = enter_after_s
        self.grace_s = grace_s
        self.reset_after_s = reset_after_s
        self._status = HoldStatus.IDLE
        self._held_s = 0.0
        self._start_s = 0.0
        self._confirm_since_s: float | None = None
        self._out_since_s: float | None = None
        self._unseen_since_s: float | None = None
        self._last_s: float | None = None
        self._last_in_pose_s = 0.0
        self._grace_credit_s = 0.0
        self._done = 0

    @property
    def held_s(self) -> float:
        """Seconds credited to the current hold."""
        return self._held_s

    @property
    def holds_done(self) -> int:
        """Finished holds that reached ``min_s``."""
        return self._done

    def state(self) -> HoldState:
        """Return what to show now."""
        return HoldState(
            self._status, self._held_s, self.min_s, self.target_s, self._done
        )

    def update(self, in_pose: bool | None, timestamp_s: float) -> HoldEvent | None:
        """Feed one frame.

        Args:
            in_pose: True if every hold rule passes, False if one fails, None if
                the pose cannot be judged in this frame.
            timestamp_s: Time of the frame.

        Returns:
            A :class:`HoldEvent` when a hold ends, else ``None``.
        """
        dt = 0.0 if self._last_s is None else max(0.0, timestamp_s - self._last_s)
        self._last_s = timestamp_s
        if self._status in (HoldStatus.IDLE, HoldStatus.CONFIRMING):
            if in_pose:
                if self._confirm_since_s is None:
                    self._confirm_since_s = timestamp_s
                    self._status = HoldStatus.CONFIRMING
                if timestamp_s - self._confirm_since_s >= self.enter_after_s:
                    self._status = HoldStatus.HOLDING
                    self._start_s = self._confirm_since_s
                    self._held_s = timestamp_s - self._confirm_since_s
                    self._last_in_pose_s = timestamp_s
                    self._grace_credit_s = 0.0
                    self._out_since_s = None
                    self._unseen_since_s = None
            elif in_pose is False or self._status == HoldStatus.CONFIRMING:
                self._confirm_since_s = None
                self._status = HoldStatus.IDLE
            return None
        # holding / paused / grace
        if in_pose:
            self._held_s += dt
            self._grace_credit_s = 0.0  # the pose came back: the blip is kept
            self._status = HoldStatus.HOLDING
            self._out_since_s = None
            self._unseen_since_s = None
            self._last_in_pose_s = timestamp_s
            return None
        if in_pose is None:
            if self._unseen_since_s is None:
                self._unseen_since_s = timestamp_s - dt
            unseen_s = timestamp_s - self._unseen_since_s
            if self._out_since_s is None and unseen_s <= self.grace_s:
                self._held_s += dt
                self._grace_credit_s += dt
                self._status = HoldStatus.GRACE
                return None
            self._status = HoldStatus.PAUSED
            if unseen_s >= self.reset_after_s:
                return self._end(timestamp_s)
            return None
        # in_pose is False
        self._unseen_since_s = None
        if self._out_since_s is None:
            self._out_since_s = timestamp_s
        self._status = HoldStatus.PAUSED
        if timestamp_s - self._out_since_s >= self.reset_after_s:
            return self._end(timestamp_s)
        return None

    def finish(self, timestamp_s: float) -> HoldEvent | None:
        """End the hold in progress (e.g. at the end of the video)."""
        if self._status in (HoldStatus.IDLE, HoldStatus.CONFIRMING):
            self._status = HoldStatus.IDLE
            self._confirm_since_s = None
            return None
        return self._end(timestamp_s)

    def _end(self, timestamp_s: float) -> HoldEvent:
        # Time bridged by grace counts only if the pose was seen again.
        self._held_s -= self._grace_credit_s
        self._grace_credit_s = 0.0
        event = HoldEvent(
            start_s=self._start_s,
            end_s=min(timestamp_s, self._last_in_pose_s),
            held_s=self._held_s,
            min_s=self.min_s,
            target_s=self.target_s,
        )
        if event.completed:
            self._done += 1
        self._status = HoldStatus.IDLE
        self._held_s = 0.0
        self._confirm_since_s = None
        self._out_since_s = None
        self._unseen_since_s = None
        return event


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

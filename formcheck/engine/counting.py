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
from formcheck.results import Phase, RepOutcome


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

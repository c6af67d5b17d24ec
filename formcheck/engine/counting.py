"""Repetition counting: whether a repetition happened, from this person's range.

:class:`RepCounter` is a small state machine fed one smoothed value per frame
with a timestamp; it neither draws nor knows about video. Whether a
repetition *happened* depends only on the movement: the signal leaves the rest
end, goes far into the movement for *this* person, and comes back. How well it
was done (tempo, a pause at the end, depth against the exercise's target) is
reported as notes on the counted repetition, never as a reason to drop it.
Times are in seconds.
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


class RepNote(StrEnum):
    """Something worth knowing about how a repetition was counted."""

    UNFINISHED = "unfinished"


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
        notes: Quality remarks on a counted repetition.
    """

    start_s: float
    end_s: float
    active_s: float
    peak: float
    trough: float
    side: Side | None
    outcome: RepOutcome
    notes: frozenset[RepNote] = frozenset()

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
    """Counts repetitions of one smoothed signal, with levels from the person.

    In the direction of the movement (``up``: the signal rises), a cycle
    starts when the signal leaves the rest end, becomes *active* past the
    enter level, and ends when it has come back most of the way. The levels
    are placed inside this person's own range, causally:

    * rest: the lowest value since the last cycle (before anything is seen:
      the calibrated start value when given, else the exercise's ``exit``,
      so a set that starts mid-movement still counts that movement);
    * enter: the exercise's ``enter`` for a person who moves further, else
      ``enter_fraction`` of this person's typical range above the rest (the
      median range of the last counted repetitions; before the first, the
      range the exercise expects);
    * end: back below the exercise's ``exit``, or back by ``exit_fraction``
      of the way from the cycle's peak to its start.

    A cycle counts when it became active, its range is at least
    ``min_amplitude`` (the clinical floor) and, once this person's range is
    known, at least ``count_fraction`` of it (smaller is a wobble or a
    shift, not a repetition), and it lasted at least ``min_blip_s``
    (shorter is noise). Tempo, the pause at the end and
    reaching the exercise's own ``enter`` are quality, judged on the counted
    repetition by the checker's repetition checks
    (:func:`formcheck.engine.quality.quality_rules`). Cycles that do not count are still reported, with their
    :class:`~formcheck.results.RepOutcome`, so feedback can say "lift a
    little higher".

    Args:
        enter: The exercise's enter level (the target of a full repetition).
        exit: The exercise's rest level.
        direction: ``"up"`` if the signal rises during the movement.
        min_amplitude: Smallest range that counts (clinical floor).
        max_duration_s: Longest cycle that counts.
        max_gap_s: A cycle is abandoned after this long without data.
        enter_fraction: Where the enter level sits in the person's range.
        exit_fraction: How far back (share of the cycle's own range) ends it.
        min_blip_s: Cycles shorter than this are noise, not repetitions.
        count_fraction: Smallest share of the person's typical range that
            counts, once it is known.
        rest_value: The calibrated start value, if known.

    Raises:
        ValueError: If the thresholds do not match the direction.

    Example:
        >>> c = RepCounter(enter=160, exit=140, min_amplitude=15)
        >>> events = [c.update(v, t * 0.2) for t, v in enumerate([130, 150, 170, 170, 150, 130])]
        >>> c.count
        1
    """

    def __init__(
        self,
        enter: float,
        exit: float,
        direction: Literal["up", "down"] = "up",
        min_amplitude: float = 0.0,
        max_duration_s: float = math.inf,
        max_gap_s: float = 2.0,
        enter_fraction: float = 0.6,
        exit_fraction: float = 0.6,
        min_blip_s: float = 0.4,
        count_fraction: float = 0.5,
        rest_value: float | None = None,
    ) -> None:
        if direction == "up" and not enter > exit:
            raise ValueError(
                f"Argument 'enter' ({enter}) must be > 'exit' ({exit}) for direction 'up'"
            )
        if direction == "down" and not enter < exit:
            raise ValueError(
                f"Argument 'enter' ({enter}) must be < 'exit' ({exit}) for direction 'down'"
            )
        for name, fraction in (
            ("enter_fraction", enter_fraction),
            ("exit_fraction", exit_fraction),
        ):
            if not 0.0 < fraction < 1.0:
                raise ValueError(
                    f"Argument '{name}' must be between 0 and 1, but got {fraction}"
                )
        self.direction = direction
        self._sign = 1.0 if direction == "up" else -1.0
        # Levels in "movement space": the signal times the sign, so that the
        # movement always goes up.
        self._enter = self._sign * enter
        self._exit = self._sign * exit
        self.min_amplitude = min_amplitude
        self.max_duration_s = max_duration_s
        self.max_gap_s = max_gap_s
        self.enter_fraction = enter_fraction
        self.exit_fraction = exit_fraction
        self.min_blip_s = min_blip_s
        self.count_fraction = count_fraction
        self._expected_range = max(min_amplitude, 2.0 * (self._enter - self._exit))
        self._ranges: list[float] = []
        self._state = RepState.REST
        self._cycle: _Cycle | None = None
        self._count = 0
        self._counts: Counter[Side] = Counter()
        self._last_valid_s: float | None = None
        self._initial_rest = (
            self._exit if rest_value is None else self._sign * rest_value
        )
        self._rest = self._initial_rest

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

    @property
    def typical_range(self) -> float:
        """This person's typical range (the expected one before any repetition)."""
        if not self._ranges:
            return self._expected_range
        recent = sorted(self._ranges[-3:])
        return recent[len(recent) // 2]

    def enter_level(self, rest: float) -> float:
        """The level (movement space) past which a cycle from ``rest`` is active.

        Before this person's first repetition it is the exercise's own
        ``enter``; after, it moves into their range if that is smaller.
        """
        if not self._ranges:
            return self._enter
        personal = rest + self.enter_fraction * self.typical_range
        floor = rest + self.min_amplitude
        return max(floor, min(self._enter, personal))

    def abandon(self, timestamp_s: float, outcome: RepOutcome) -> RepEvent | None:
        """Drop the cycle in progress (e.g. when the posture is wrong).

        The rest level restarts from where the person is next seen: the rest
        of the dropped movement is not a new repetition.

        Returns:
            The abandoned cycle as an uncounted event, if it had become active.
        """
        cycle = self._cycle
        self._cycle = None
        self._state = RepState.REST
        self._rest = math.nan
        if cycle is None or not cycle.reached_active:
            return None
        return self._event(cycle, timestamp_s, outcome)

    def start_under_way(
        self, value: float, now_s: float, start_s: float, start_value: float
    ) -> bool:
        """Start a cycle that was already under way before counting could begin.

        Someone who moved as soon as they were in position is calibrated late
        (from the frames in which they were seen at rest); if they are far
        into the movement by then, that movement is this cycle, begun when
        they were last seen at rest.

        Args:
            value: The counting signal now.
            now_s: The time now.
            start_s: When the person was last seen in the start position.
            start_value: The counting signal's value in the start position.

        Returns:
            Whether a cycle was started: the value is at least the smallest
            range that counts (and half-way to the enter level) from the
            start value.
        """
        v, rest = self._sign * value, self._sign * start_value
        if self._cycle is not None or not (math.isfinite(v) and math.isfinite(rest)):
            return False
        under_way = max(self.min_amplitude, 0.5 * (self.enter_level(rest) - rest))
        if v - rest < under_way:
            return False
        self._rest = rest
        self._cycle = _Cycle(start_s=start_s, baseline=rest, extreme=v)
        self._state = RepState.MOVING
        self._advance(self._cycle, v, now_s, None)
        return True

    def finish(
        self, timestamp_s: float, held_s: float = 2.0, *, returning_counts: bool = True
    ) -> RepEvent | None:
        """End of the video or stream: count a repetition done all but the return.

        A cycle counts here when it became active and is on its way back (if
        ``returning_counts``), or has been held in the end position for
        ``held_s`` (the person lifted and held, and the recording stopped). It
        is noted ``UNFINISHED``.
        """
        cycle = self._cycle
        if cycle is None or not cycle.reached_active:
            return None
        active_s = cycle.active_s + (
            timestamp_s - cycle.active_since_s
            if cycle.active_since_s is not None
            else 0.0
        )
        returning = returning_counts and self._state is RepState.RETURNING
        if not returning and active_s < held_s:
            return None
        self._cycle = None
        self._state = RepState.REST
        event = self._finish(cycle, timestamp_s)
        if not event.counted:
            return event
        return dataclasses.replace(event, notes=frozenset({RepNote.UNFINISHED}))

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
            peak=self._sign * cycle.extreme,
            trough=self._sign * cycle.baseline,
            side=side,
            outcome=outcome,
        )

    def update(
        self,
        value: float,
        timestamp_s: float,
        side: Side | None = None,
        can_start: bool = True,
    ) -> RepEvent | None:
        """Feed one (smoothed) sample.

        Args:
            value: The signal; NaN when it cannot be measured in this frame.
            timestamp_s: Time of the sample.
            side: Which side is moving in this frame (for sided exercises).
            can_start: Whether a new cycle may start (e.g. not before the
                start pose is known); the rest is tracked regardless.

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
        v = self._sign * value
        cycle = self._cycle
        if cycle is None:
            if not self._start(v, timestamp_s, can_start):
                return None
            cycle = self._cycle
            assert cycle is not None
        return self._advance(cycle, v, timestamp_s, side)

    def _start(self, v: float, t: float, can_start: bool) -> bool:
        """In the rest band: track the rest, or start a cycle."""
        if not can_start or not math.isfinite(self._rest):
            # Getting into position, or just back after a drop: the rest is
            # where the person is.
            self._rest = v
            return False
        if v < self._rest:
            self._rest = v
        if v < self._rest + 0.5 * self.min_amplitude:
            return False
        self._cycle = _Cycle(start_s=t, baseline=self._rest, extreme=v)
        self._state = RepState.MOVING
        return True

    def _advance(
        self, cycle: _Cycle, v: float, t: float, side: Side | None
    ) -> RepEvent | None:
        if side is not None:
            # Votes past the enter level decide; before that they only break
            # ties (an attempt that never got there still gets the side).
            cycle.side_votes[side] = cycle.side_votes.get(side, 0.0) + 0.001
        cycle.extreme = max(cycle.extreme, v)
        cycle.baseline = min(cycle.baseline, v)
        if v >= self.enter_level(cycle.baseline):
            if cycle.active_since_s is None:
                cycle.active_since_s = t
            cycle.reached_active = True
            self._state = RepState.ACTIVE
            if side is not None:
                cycle.side_votes[side] = cycle.side_votes.get(side, 0.0) + 1.0
            return None
        if cycle.active_since_s is not None:
            cycle.active_s += t - cycle.active_since_s
            cycle.active_since_s = None
        back = cycle.extreme - self.exit_fraction * (cycle.extreme - cycle.baseline)
        below_exit = cycle.extreme > self._exit >= v
        if below_exit or v <= back:
            return self._end(cycle, v, t)
        self._state = RepState.RETURNING if cycle.reached_active else RepState.MOVING
        return None

    def _end(self, cycle: _Cycle, v: float, t: float) -> RepEvent | None:
        """Back at the rest end: the cycle ends (counted or not)."""
        self._cycle = None
        self._state = RepState.REST
        self._rest = v
        if cycle.reached_active:
            return self._finish(cycle, t)
        halfway = cycle.baseline + 0.5 * (
            self.enter_level(cycle.baseline) - cycle.baseline
        )
        if (
            cycle.extreme >= halfway
            and cycle.extreme - cycle.baseline >= self.min_amplitude
        ):
            return self._event(cycle, t, RepOutcome.NOT_FAR_ENOUGH)
        return None

    def _judge(self, event: RepEvent) -> RepOutcome:
        smallest = self.min_amplitude
        if self._ranges:
            smallest = max(smallest, self.count_fraction * self.typical_range)
        if event.range_of_motion < smallest:
            return RepOutcome.RANGE_TOO_SMALL
        if event.duration_s < self.min_blip_s:
            return RepOutcome.TOO_QUICK
        if event.duration_s > self.max_duration_s:
            return RepOutcome.TOO_LONG
        return RepOutcome.COUNTED

    def _finish(self, cycle: _Cycle, end_s: float) -> RepEvent:
        event = self._event(cycle, end_s, RepOutcome.COUNTED)
        outcome = self._judge(event)
        if outcome is not RepOutcome.COUNTED:
            return dataclasses.replace(event, outcome=outcome)
        self._count += 1
        self._ranges.append(event.range_of_motion)
        if event.side is not None:
            self._counts[event.side] += 1
        return event

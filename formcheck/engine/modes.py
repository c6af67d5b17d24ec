"""Exercise modes: counted repetitions, timed holds, paced (guided) repetitions.

Every exercise is exactly one of these, chosen by the spec's ``kind``, and the
checker talks to it through :class:`ExerciseMode` only:

* :class:`RepMode` counts repetitions of one signal with hysteresis, per side
  for alternating exercises.
* :class:`HoldMode` times a hold while its rules pass and the pose is still.
* :class:`GuidedMode` paces repetitions a camera cannot measure.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from formcheck.engine.counting import RepCounter, RepEvent, RepState
from formcheck.engine.holds import HoldEvent, HoldTimer
from formcheck.engine.pacing import GuidedPacer, PacedStep
from formcheck.landmarks import Side
from formcheck.results import (
    Cue,
    CueKind,
    HoldState,
    HoldStatus,
    Phase,
    RepOutcome,
    RuleState,
    RuleStatus,
)
from formcheck.specs.schema import ExerciseSpec

Values = dict[str, float]


@dataclass(frozen=True)
class ModeFrame:
    """What a mode needs to know about one frame.

    Attributes:
        t: Time in seconds.
        has_person: Whether anyone is in view.
        ready: In position: a person in view, one person, the right camera
            view, every posture gate passing and the start pose calibrated
            where the exercise needs it.
        gated: A posture gate fails or cannot be judged.
        settled: The person has been in position long enough for a
            repetition to start (not while getting into position).
        states: Every frame rule's state, by rule id.
        still: Whether the hold's signals are still (asked lazily; ``None``:
            cannot tell yet, just after a calibration or a cut).
        moving_since: When the hold's signals began to move, for a movement
            just noticed (asked lazily).
    """

    t: float
    has_person: bool
    ready: bool
    gated: bool
    states: Mapping[str, RuleState]
    settled: bool
    still: Callable[[], bool | None]
    moving_since: Callable[[], float] = lambda: math.nan


@dataclass(frozen=True)
class ModeUpdate:
    """What a mode produced in one frame."""

    rep: RepEvent | None = None
    hold: HoldEvent | None = None
    cue: Cue | None = None


class ExerciseMode(Protocol):
    """The interface every exercise mode offers the checker."""

    @property
    def busy(self) -> bool:
        """A repetition is in progress (faults may still belong to it)."""
        ...

    @property
    def count_signal(self) -> str | None:
        """The signal repetitions are counted on, if any."""
        ...

    @property
    def counting_value(self) -> float:
        """The counting signal's value in the last observed frame (NaN if none)."""
        ...

    def phase(self) -> Phase:
        """The exercise phase, from the mode's state before this frame."""
        ...

    def observe(self, values: Mapping[Side | None, Values]) -> Side | None:
        """Look at this frame's signals; return the side that is moving, if any."""
        ...

    def update(self, frame: ModeFrame) -> ModeUpdate:
        """Advance by one frame."""
        ...

    def finish(self, t: float) -> ModeUpdate:
        """Close what is still open at the end."""
        ...

    def hold_state(self) -> HoldState | None:
        """The hold timer's state, for hold exercises."""
        ...


#: A cycle cut short by a wrong posture still counts only if the counting
#: signal was never out of sight longer than this during it: a movement
#: followed to the moment the person got up, not one lost from sight.
_WATCHED_UNTIL_S = 0.5

#: ... and only if its end position was held this long (a deliberate hold, not
#: the movement of getting up).
_HELD_BEFORE_LEAVING_S = 3.0

#: A repetition quicker than the spec's tempo target is reported once the
#: person has stayed in position this long after it: one that ends as they
#: leave the position (the legs parting as someone gets up) was the way out.
_QUICK_REP_CONFIRM_S = 1.0


class RepMode:
    """Counted repetitions on one signal, with levels from the person's range."""

    def __init__(self, spec: ExerciseSpec) -> None:
        if spec.reps is None:
            raise ValueError(f"{spec.id}: a repetition exercise needs a `reps` section")
        r = spec.reps
        self._signal = r.signal
        self._sign = 1.0 if r.direction == "up" else -1.0
        self._counter = RepCounter(
            enter=r.enter,
            exit=r.exit,
            direction=r.direction,
            min_amplitude=r.min_amplitude,
            max_duration_s=r.max_duration_s,
            enter_fraction=r.enter_fraction,
            exit_fraction=r.exit_fraction,
        )
        self._min_duration_s = r.min_duration_s
        self._quick: RepEvent | None = None
        self._value = math.nan
        self._moving: Side | None = None
        self._last_t = math.nan
        self._unseen_s = 0.0
        self._longest_gap_s = 0.0

    @property
    def busy(self) -> bool:
        """A cycle is in progress."""
        return self._counter.state is not RepState.REST

    @property
    def count_signal(self) -> str | None:
        """The counting signal."""
        return self._signal

    @property
    def counting_value(self) -> float:
        """The counting signal's value in the last observed frame."""
        return self._value

    def phase(self) -> Phase:
        """rest, moving or active, from the counter."""
        return self._counter.state.phase

    def observe(self, values: Mapping[Side | None, Values]) -> Side | None:
        """Pick the side whose counting signal is furthest into the movement."""
        best = -math.inf
        self._value, self._moving = math.nan, None
        for side, by_name in values.items():
            v = by_name[self._signal]
            if math.isfinite(v) and self._sign * v > best:
                best, self._value, self._moving = self._sign * v, v, side
        return self._moving

    def start_under_way(self, t: float, start_s: float, start_value: float) -> None:
        """The start pose just became known: a movement already under way counts.

        Args:
            t: The time now.
            start_s: When the person was last seen in the start position.
            start_value: The counting signal's value in the start pose.
        """
        self._counter.start_under_way(self._value, t, start_s, start_value)

    def update(self, frame: ModeFrame) -> ModeUpdate:
        """Count; a cycle in progress ends when the posture goes wrong.

        A movement done and held (or on its way back) when the posture goes
        wrong (the person got up, the camera moved) still counts, noted
        unfinished, if the counting signal was in sight until then; otherwise
        it is dropped.
        """
        self._note_sight(frame.t)
        if frame.gated:
            watched = self._longest_gap_s <= _WATCHED_UNTIL_S
            finished = (
                self._counter.finish(
                    frame.t, held_s=_HELD_BEFORE_LEAVING_S, returning_counts=False
                )
                if watched
                else None
            )
            # Either way the rest level restarts from where the person is next
            # seen (after a finished cycle this drops nothing: none is open).
            dropped = self._counter.abandon(frame.t, RepOutcome.OUT_OF_POSITION)
            event = finished or dropped
        else:
            event = self._counter.update(
                self._value, frame.t, self._moving, can_start=frame.settled
            )
        return ModeUpdate(rep=self._confirm_quick(event, frame))

    def _confirm_quick(
        self, event: RepEvent | None, frame: ModeFrame
    ) -> RepEvent | None:
        """Hold back a quick repetition until the person stayed in position.

        Quick repetitions still count (flagged too fast); only one that ends
        as the person leaves the position is taken for the way out and kept
        as an attempt not counted.
        """
        quick = self._quick
        if quick is not None:
            if frame.gated:
                self._quick = None
                left = dataclasses.replace(quick, outcome=RepOutcome.OUT_OF_POSITION)
                return event or left
            if self.busy or frame.t - quick.end_s >= _QUICK_REP_CONFIRM_S:
                self._quick = None
                if event is None:
                    return quick
                event, self._quick = quick, event  # not expected: one per frame
        if (
            event is not None
            and event.counted
            and event.end_s - event.start_s < self._min_duration_s
            and self._quick is None
        ):
            self._quick = event
            return None
        return event

    def _note_sight(self, t: float) -> None:
        """Track the longest time the counting signal was unseen in this cycle.

        Only frames without the signal add to it, so a slow frame rate is not
        taken for the signal being out of sight.
        """
        step = t - self._last_t if math.isfinite(self._last_t) else 0.0
        self._last_t = t
        self._unseen_s = 0.0 if math.isfinite(self._value) else self._unseen_s + step
        if self.busy:
            self._longest_gap_s = max(self._longest_gap_s, self._unseen_s)
        else:
            self._longest_gap_s = 0.0

    def finish(self, t: float) -> ModeUpdate:
        """A repetition done all but the return still counts (noted unfinished).

        A quick repetition still held back counts: nothing showed it was the
        way out.
        """
        quick, self._quick = self._quick, None
        return ModeUpdate(rep=quick or self._counter.finish(t))

    def hold_state(self) -> HoldState | None:
        """No hold."""
        return None


class HoldMode:
    """A timed hold: the timer runs while every hold rule passes, pose still."""

    def __init__(self, spec: ExerciseSpec) -> None:
        if spec.hold is None:
            raise ValueError(f"{spec.id}: a hold exercise needs a `hold` section")
        h = spec.hold
        self._rules = list(h.rules)
        self._timer = HoldTimer(
            h.min_s, h.target_s, h.enter_after_s, h.grace_s, h.reset_after_s
        )
        self._in_pose: bool | None = None
        self._moving_since: float | None = None

    @property
    def busy(self) -> bool:
        """Holds have no repetitions in progress."""
        return False

    @property
    def count_signal(self) -> str | None:
        """Holds are timed, not counted."""
        return None

    @property
    def counting_value(self) -> float:
        """No counting signal."""
        return math.nan

    def phase(self) -> Phase:
        """Active while a hold is running (or paused), else rest."""
        status = self._timer.state().status
        if status in (HoldStatus.HOLDING, HoldStatus.PAUSED, HoldStatus.GRACE):
            return Phase.ACTIVE
        return Phase.REST

    def observe(self, values: Mapping[Side | None, Values]) -> Side | None:
        """Holds do not pick a moving side."""
        return None

    def update(self, frame: ModeFrame) -> ModeUpdate:
        """Time the hold: in pose, out of pose, or cannot tell."""
        states = [frame.states[r] for r in self._rules if r in frame.states]
        if not frame.has_person or any(
            s.status in (RuleStatus.UNKNOWN, RuleStatus.INACTIVE) for s in states
        ):
            self._in_pose = None
        elif any(s.fault for s in states):
            self._in_pose = False
        elif all(s.status is RuleStatus.PASS for s in states):
            self._in_pose = True
        # Moving into the pose is not holding yet; the timer decides what a
        # movement within a held pose was (see HoldTimer.update).
        still = frame.still() if self._in_pose else True
        if still is False:
            if self._moving_since is None:
                onset = frame.moving_since()
                self._moving_since = onset if math.isfinite(onset) else frame.t
        else:
            self._moving_since = None
        in_pose = self._in_pose
        if still is None and self._timer.state().status is HoldStatus.IDLE:
            in_pose = None  # whether they are still cannot be told yet: no start
        return ModeUpdate(hold=self._timer.update(in_pose, frame.t, self._moving_since))

    @property
    def rules(self) -> list[str]:
        """The rules that must pass for the timer to run."""
        return list(self._rules)

    def start_under_way(self, since_s: float, t: float) -> None:
        """The pose has been held since ``since_s``, seen before it could be judged."""
        self._timer.start_under_way(since_s, t)
        self._in_pose = True

    def finish(self, t: float) -> ModeUpdate:
        """End the hold in progress."""
        return ModeUpdate(hold=self._timer.finish(t))

    def hold_state(self) -> HoldState | None:
        """The timer's state."""
        return self._timer.state()


class GuidedMode:
    """Paced repetitions for movements the camera cannot measure."""

    def __init__(self, spec: ExerciseSpec) -> None:
        if spec.guided is None:
            raise ValueError(f"{spec.id}: a guided exercise needs a `guided` section")
        g = spec.guided
        self._pacer = GuidedPacer(
            [PacedStep(s.cue, s.seconds, Phase(s.phase)) for s in g.steps],
            g.target_reps,
            g.start_after_s,
        )

    @property
    def busy(self) -> bool:
        """A paced repetition is in progress."""
        return self._pacer.current_step() is not None

    @property
    def count_signal(self) -> str | None:
        """Paced, not measured."""
        return None

    @property
    def counting_value(self) -> float:
        """No counting signal."""
        return math.nan

    def phase(self) -> Phase:
        """The phase of the step being paced (rest when not pacing)."""
        step = self._pacer.current_step()
        return step.phase if step is not None else Phase.REST

    def observe(self, values: Mapping[Side | None, Values]) -> Side | None:
        """Guided exercises do not pick a moving side."""
        return None

    def update(self, frame: ModeFrame) -> ModeUpdate:
        """Pace while the person is ready; say the current step."""
        event = self._pacer.update(frame.ready, frame.t)
        step = self._pacer.current_step()
        cue = Cue(CueKind.TIP, step.cue) if step is not None else None
        return ModeUpdate(rep=event, cue=cue)

    def finish(self, t: float) -> ModeUpdate:
        """Nothing to close."""
        return ModeUpdate()

    def hold_state(self) -> HoldState | None:
        """No hold."""
        return None


def mode_for(spec: ExerciseSpec) -> ExerciseMode:
    """The exercise mode of a spec, by its ``kind``."""
    if spec.kind == "reps":
        return RepMode(spec)
    if spec.kind == "hold":
        return HoldMode(spec)
    return GuidedMode(spec)

"""Rules: judging a signal value against a spec rule, and when a fault persists.

:func:`evaluate_rule` is a pure function: a rule, its signal's value and a
:class:`RuleContext` give a :class:`Verdict` (pass, fail, unknown with the
reason, or inactive). :class:`FaultTracker` turns failures that last
``persist_s`` into faults with a start, an end and the worst value seen.
:func:`rep_statistic` gives the value a repetition-scope rule checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from formcheck import messages
from formcheck.landmarks import Side
from formcheck.results import Phase, RuleStatus
from formcheck.specs.schema import RuleSpec


@dataclass(frozen=True)
class RuleContext:
    """What, besides the value, decides a rule's state in one frame.

    Attributes:
        phase: The exercise phase (rules are checked only in their phases).
        has_person: Whether anyone is in view.
        judgeable: The camera view and the people in view allow judging.
        calibrated: Whether the start pose has been calibrated.
        from_start: Names of signals measured as a change from the start pose.
        hidden_parts: Body parts a signal needs that are hidden in this frame
            (called only when the value is unknown).
    """

    phase: Phase
    has_person: bool
    judgeable: bool
    calibrated: bool
    from_start: frozenset[str]
    hidden_parts: Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class Verdict:
    """A rule's state in one frame, before persistence.

    Attributes:
        status: pass, fail, unknown or inactive.
        reason: Why it is unknown, in plain language.
        hidden: Body parts out of view, when that is why it is unknown.
    """

    status: RuleStatus
    reason: str = ""
    hidden: tuple[str, ...] = ()


def in_bounds(rule: RuleSpec, value: float) -> bool:
    """Whether ``value`` lies within the rule's ``min``/``max``."""
    return (rule.min is None or value >= rule.min) and (
        rule.max is None or value <= rule.max
    )


def evaluate_rule(rule: RuleSpec, value: float, ctx: RuleContext) -> Verdict:
    """Judge one rule in one frame.

    Example:
        >>> rule = RuleSpec(id="deep", signal="knee", min=80, cue="Go deeper.")  # doctest: +SKIP
        >>> evaluate_rule(rule, 70.0, ctx).status  # doctest: +SKIP
        <RuleStatus.FAIL: 'fail'>
    """
    if ctx.phase not in rule.phases:
        return Verdict(RuleStatus.INACTIVE)
    if not ctx.has_person:
        return Verdict(RuleStatus.UNKNOWN, messages.UNKNOWN_NOBODY)
    if not ctx.judgeable and not rule.gate:
        return Verdict(RuleStatus.UNKNOWN, messages.UNKNOWN_VIEW_OR_PEOPLE)
    if not math.isfinite(value):
        hidden = tuple(ctx.hidden_parts(rule.signal))
        if hidden:
            return Verdict(RuleStatus.UNKNOWN, messages.cannot_see(hidden), hidden)
        if rule.signal in ctx.from_start or not ctx.calibrated:
            return Verdict(RuleStatus.UNKNOWN, messages.UNKNOWN_NOT_CALIBRATED)
        return Verdict(RuleStatus.UNKNOWN, messages.UNKNOWN_CANNOT_MEASURE)
    return Verdict(RuleStatus.PASS if in_bounds(rule, value) else RuleStatus.FAIL)


def worse(rule: RuleSpec, a: float, b: float) -> float:
    """The worse of two failing values of a rule (further outside its bounds)."""
    if not math.isfinite(a):
        return b
    if rule.max is not None and (rule.min is None or b > rule.max or a > rule.max):
        return max(a, b)
    return min(a, b)


def rep_statistic(
    rule: RuleSpec,
    active_s: float,
    duration_s: float,
    lo: dict[str, float],
    hi: dict[str, float],
) -> float:
    """The value a repetition-scope rule checks (its ``stat`` of the rep)."""
    if rule.stat == "active_s":
        return active_s
    if rule.stat == "duration_s":
        return duration_s
    if rule.stat == "max":
        return hi.get(rule.signal, math.nan)
    if rule.stat == "min":
        return lo.get(rule.signal, math.nan)
    return hi.get(rule.signal, math.nan) - lo.get(rule.signal, math.nan)


@dataclass(frozen=True)
class FaultSpan:
    """A failure that persisted: a fault, before it is attributed to a rep."""

    rule: RuleSpec
    start_s: float
    end_s: float
    worst_value: float
    side: Side | None


@dataclass
class _Track:
    fail_since_s: float | None = None
    fault_since_s: float | None = None
    worst: float = math.nan
    side: Side | None = None


class FaultTracker:
    """Turns per-frame failures of frame-scope rules into faults.

    A failure becomes a fault once it has lasted the rule's ``persist_s``; the
    fault ends when the rule stops failing. Set-up rules (posture gates,
    "knee bent to start") steer the person and the counter: they are not
    faults of the exercise and never produce a :class:`FaultSpan`.

    Args:
        rules: The frame-scope rules.
    """

    def __init__(self, rules: Sequence[RuleSpec]) -> None:
        self._rules = list(rules)
        self._tracks = {r.id: _Track() for r in rules}

    def update(
        self,
        rule: RuleSpec,
        status: RuleStatus,
        value: float,
        t: float,
        side: Side | None,
    ) -> tuple[bool, FaultSpan | None]:
        """Feed one rule's state in one frame.

        Returns:
            Whether a fault of this rule is in progress, and the fault that
            ended in this frame, if any.
        """
        track = self._tracks[rule.id]
        if status is RuleStatus.FAIL:
            if track.fail_since_s is None:
                track.fail_since_s = t
                track.worst = value
            else:
                track.worst = worse(rule, track.worst, value)
            if track.fault_since_s is None and t - track.fail_since_s >= rule.persist_s:
                track.fault_since_s = track.fail_since_s
                track.side = side
            return track.fault_since_s is not None, None
        ended = None
        if track.fault_since_s is not None and rule.kind != "setup":
            ended = FaultSpan(rule, track.fault_since_s, t, track.worst, track.side)
        track.fail_since_s = None
        track.fault_since_s = None
        track.worst = math.nan
        return False, ended

    def in_progress(self) -> list[RuleSpec]:
        """Rules whose fault is in progress now, in spec order."""
        return [r for r in self._rules if self._tracks[r.id].fault_since_s is not None]

    def finish(self, t: float) -> list[FaultSpan]:
        """Close every fault still in progress (end of the video or stream)."""
        spans = []
        for rule in self._rules:
            track = self._tracks[rule.id]
            if track.fault_since_s is not None and rule.kind != "setup":
                spans.append(
                    FaultSpan(rule, track.fault_since_s, t, track.worst, track.side)
                )
                track.fault_since_s = None
                track.fail_since_s = None
        return spans

"""Working side: the limb that moves, observed rather than assumed.

For a one-sided exercise whose side nobody named (no ``--side``, no
prescription), the working side is the limb that does the work: the leg that
pulls to the chest, lifts, or opens. :class:`WorkingSideChooser` looks at the
exercise's key signals computed for both sides and picks the side that is
furthest into the movement, decided from the first clear movement and
re-checked: it switches only when the other side has been clearly further in
for :data:`SWITCH_AFTER_S`. Visibility decides only what can be measured: a
side whose key signal cannot be measured is never chosen over one that can,
and a side is never chosen only because the other cannot be measured: it must
itself be clearly into the movement (moved from its rest, or for a hold,
passing a hold rule).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from formcheck.engine.rules import in_bounds
from formcheck.landmarks import Side
from formcheck.specs.schema import ExerciseSpec, RuleSpec

#: The other side must be clearly further in for this long to take over.
SWITCH_AFTER_S = 2.0
_SIDES = (Side.LEFT, Side.RIGHT)

Values = dict[str, float]


class WorkingSideChooser:
    """Chooses the working side of a one-sided exercise, frame by frame.

    Args:
        spec: The exercise spec (its counting signal, or its hold's rules).
        margin: How much further in (share of the counting signal's expected
            range, or hold rules passing) one side must be to count as
            "clearly" further.
    """

    def __init__(self, spec: ExerciseSpec, margin: float = 0.25) -> None:
        self._spec = spec
        self._rules: list[RuleSpec] = []
        self._signal: str | None = None
        self._sign = 1.0
        self._scale = 1.0
        if spec.reps is not None:
            r = spec.reps
            self._signal = r.signal
            self._sign = 1.0 if r.direction == "up" else -1.0
            self._scale = max(r.min_amplitude, abs(r.enter - r.exit))
        elif spec.hold is not None:
            by_id = {rule.id: rule for rule in spec.rules}
            self._rules = [by_id[i] for i in spec.hold.rules if i in by_id]
        self._margin = margin
        self._rest: dict[Side, float] = {}
        self._side: Side | None = None
        self._challenger_since: float | None = None

    @property
    def side(self) -> Side | None:
        """The working side chosen so far (``None``: no clear movement yet)."""
        return self._side

    def update(
        self, values: Mapping[Side | None, Values], t: float, near: Side
    ) -> Side:
        """Look at one frame's signals for both sides; return the working side.

        Args:
            values: Each side's signal values.
            t: Time in seconds.
            near: The side facing the camera (used until a side has moved).
        """
        both = [values.get(side, {}) for side in _SIDES]
        scores = {
            side: self._score(side, values.get(side, {}), both) for side in _SIDES
        }
        better = max(_SIDES, key=lambda s: scores[s])
        other = Side.RIGHT if better is Side.LEFT else Side.LEFT
        # Clearly further in, and into the movement itself: a side at rest is
        # never chosen only because the other side cannot be measured.
        clear = (
            scores[better] >= self._margin
            and scores[better] - scores[other] >= self._margin
        )
        if self._side is None:
            if clear and math.isfinite(scores[better]):
                self._side = better
            return self._side or near
        if better is not self._side and clear:
            if self._challenger_since is None:
                self._challenger_since = t
            if t - self._challenger_since >= SWITCH_AFTER_S:
                self._side = better
                self._challenger_since = None
        else:
            self._challenger_since = None
        return self._side

    def _score(self, side: Side, values: Values, both: list[Values]) -> float:
        """How far into the movement this side is (-inf: cannot be measured)."""
        if self._signal is not None:
            v = values.get(self._signal, math.nan)
            if not math.isfinite(v):
                return -math.inf
            moved = self._sign * v
            rest = self._rest.get(side, moved)
            self._rest[side] = min(rest, moved)
            return (moved - self._rest[side]) / self._scale
        if not self._rules:
            return -math.inf
        passing = 0.0
        measured = False
        for rule in self._rules:
            v = values.get(rule.signal, math.nan)
            if not math.isfinite(v):
                continue
            measured = True
            # Only rules measured on both sides are compared: a side is not
            # further in because the other side's limb is hidden.
            if all(math.isfinite(o.get(rule.signal, math.nan)) for o in both):
                passing += in_bounds(rule, v)
        return passing if measured else -math.inf

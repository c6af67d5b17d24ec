"""Signal tracking: every spec signal per frame, smoothed, with a short history.

:class:`SignalTracker` computes the spec's signals for each side assignment
(one, or left and right for alternating exercises), smooths them causally
(One Euro filter) and keeps the last stretch of values, from which the
statistics of a repetition (its minimum and maximum of every signal) and
"is the pose still?" are answered.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Side
from formcheck.signals import BodyContext, compute_signals
from formcheck.smoothing import OneEuroFilter
from formcheck.specs.schema import ExerciseSpec
from formcheck.types import PoseFrame

#: A statistic is reported only when its signal was seen for at least this
#: share of the repetition: a limb glimpsed for a few frames must not produce
#: a "did not reach" fault.
MIN_COVERAGE = 0.5
#: "Still" compares the values now with those this long ago.
STILL_WINDOW_S = 0.5
#: A movement shows once a signal has moved this many seconds' worth of its
#: still-speed limit (8 degrees at 20 degrees a second): where a movement out
#: of a held pose is dated from.
VISIBLE_MOVE_S = 0.4
_HISTORY_MARGIN_S = 5.0
_DEFAULT_HORIZON_S = 60.0

Values = dict[str, float]


class SignalTracker:
    """Computes, smooths and remembers the signals of one exercise.

    Args:
        spec: The exercise spec.
        assignments: Side assignments to compute signals for.
        order: Signal names in computation order.
    """

    def __init__(
        self, spec: ExerciseSpec, assignments: list[Side | None], order: list[str]
    ) -> None:
        self._spec = spec
        self._order = order
        reps = spec.reps
        cutoff = reps.smoothing_min_cutoff_hz if reps else 1.0
        beta = reps.smoothing_beta if reps else 0.05
        n = len(order)
        self._filters = {a: OneEuroFilter(n, cutoff, beta) for a in assignments}
        self._history: dict[Side | None, deque[tuple[float, Values]]] = {
            a: deque() for a in assignments
        }
        self._comparable_from = -math.inf
        self._horizon_s = (
            reps.max_duration_s if reps else _DEFAULT_HORIZON_S
        ) + _HISTORY_MARGIN_S

    def update(
        self,
        frame: PoseFrame,
        t: float,
        contexts: Mapping[Side | None, BodyContext],
        start_values: Callable[[Side | None], Values | None],
    ) -> dict[Side | None, Values]:
        """Compute and smooth every signal for every side assignment.

        Args:
            frame: The pose (signals are NaN when nobody is in view).
            t: Time in seconds.
            contexts: The body context of each assignment.
            start_values: The calibrated start values of an assignment.

        Returns:
            The smoothed values, by assignment.
        """
        out: dict[Side | None, Values] = {}
        shared_points: dict[tuple[int, ...], npt.NDArray[np.float64]] = {}
        for a, history in self._history.items():
            if frame.has_person:
                values = compute_signals(
                    self._spec,
                    frame,
                    contexts[a],
                    start_values(a),
                    self._order,
                    shared_points,
                )
            else:
                values = dict.fromkeys(self._order, math.nan)
            raw = np.array([values[k] for k in self._order])
            smooth = self._filters[a](raw, t)
            out[a] = dict(zip(self._order, (float(v) for v in smooth), strict=True))
            history.append((t, out[a]))
            while history and t - history[0][0] > self._horizon_s:
                history.popleft()
        return out

    def reset(self, t: float = -math.inf) -> None:
        """Restart the smoothing (after a camera cut or a calibration).

        Args:
            t: From when values are comparable again: "still" looks no further
                back (the history stays for the statistics of a repetition).
        """
        for f in self._filters.values():
            f.reset()
        self._comparable_from = t

    def stats(
        self, assignment: Side | None, start_s: float, end_s: float
    ) -> tuple[Values, Values]:
        """Minimum and maximum of every signal between two times.

        Returns:
            ``(minimum, maximum)`` by signal; NaN where the signal was seen
            for less than :data:`MIN_COVERAGE` of the stretch.
        """
        rows = [v for ts, v in self._history[assignment] if start_s <= ts <= end_s]
        lo: Values = {}
        hi: Values = {}
        for name in self._order:
            vals = [r[name] for r in rows if math.isfinite(r[name])]
            seen = bool(rows) and len(vals) >= MIN_COVERAGE * len(rows)
            lo[name] = min(vals) if seen else math.nan
            hi[name] = max(vals) if seen else math.nan
        return lo, hi

    def moving_since(
        self, assignment: Side | None, t: float, max_speed: Mapping[str, float | None]
    ) -> float:
        """When a movement just noticed by :meth:`is_still` began.

        Looking from the values :data:`STILL_WINDOW_S` ago (still then), the
        first time any signal had moved away from them visibly
        (:data:`VISIBLE_MOVE_S`). NaN without the history.
        """
        history = self._history[assignment]
        since = max(t - 2 * STILL_WINDOW_S, self._comparable_from)
        rows = [(ts, v) for ts, v in history if ts >= since]
        if len(rows) < 2:
            return math.nan
        base = rows[0][1]
        for ts, values in rows[1:]:
            for name, limit in max_speed.items():
                if limit is None:
                    continue
                change = abs(values[name] - base[name])
                if math.isfinite(change) and change > VISIBLE_MOVE_S * limit:
                    return ts
        return math.nan

    def is_still(
        self, assignment: Side | None, t: float, max_speed: Mapping[str, float | None]
    ) -> bool | None:
        """Whether the named signals moved slower than their limits lately.

        Args:
            assignment: Whose signals.
            t: Now, in seconds.
            max_speed: Per signal, the largest speed (unit per second) that
                still counts as still; ``None`` to ignore the signal.

        Returns:
            Whether they were still; ``None`` when it cannot be told yet (less
            than :data:`STILL_WINDOW_S` since a reset).
        """
        history = self._history[assignment]
        if len(history) < 2:
            return True if self._comparable_from == -math.inf else None
        now = history[-1][1]
        before = None
        for ts, values in reversed(history):
            if ts < self._comparable_from:
                break
            if t - ts >= STILL_WINDOW_S:
                before = values
                break
        if before is None:
            # Nothing to compare with: at the start of a recording the person
            # gets the benefit of the doubt; right after a calibration or a
            # cut (values that meant something else before), it cannot be told.
            return True if self._comparable_from == -math.inf else None
        for name, limit in max_speed.items():
            if limit is None:
                continue
            change = abs(now[name] - before[name])
            if math.isfinite(change) and change / STILL_WINDOW_S > limit:
                return False
        return True

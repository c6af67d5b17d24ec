"""What the checker's stages need to know from a spec, worked out once.

Pure functions of an :class:`~formcheck.specs.schema.ExerciseSpec`: which
signals define the exercise, how fast a held pose may change and still be
"still", and how far a frame is from the resting end of the movement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from formcheck.signals import BodyContext, raw_signals, signal_units
from formcheck.specs.schema import ExerciseSpec, RuleSpec
from formcheck.types import PoseFrame


def rest_key(
    spec: ExerciseSpec, order: list[str]
) -> Callable[[PoseFrame, BodyContext], float] | None:
    """How far a frame is from the resting end of the counted movement.

    Smaller is nearer rest; ``None`` for exercises without repetitions.
    """
    reps = spec.reps
    if reps is None:
        return None
    sign = 1.0 if reps.direction == "up" else -1.0
    name = reps.signal

    def key(frame: PoseFrame, ctx: BodyContext) -> float:
        return sign * raw_signals(spec, frame, ctx, order)[name]

    return key


def defining_signals(
    spec: ExerciseSpec, rules: Mapping[str, RuleSpec]
) -> frozenset[str]:
    """The signals that say whether the exercise happens (count, hold)."""
    if spec.reps is not None:
        return frozenset({spec.reps.signal})
    if spec.hold is not None:
        return frozenset(rules[r].signal for r in spec.hold.rules)
    return frozenset()


def hold_speed_limits(
    spec: ExerciseSpec, rules: Mapping[str, RuleSpec]
) -> dict[str, float | None]:
    """Per signal of the hold's rules, the largest speed that is still "still"."""
    hold = spec.hold
    if hold is None:
        return {}
    units = signal_units(spec)
    names = sorted({rules[r].signal for r in [*hold.rules, *hold.quality]})
    return {
        n: hold.max_speed_deg_s if units[n] == "deg" else hold.max_speed_len_s
        for n in names
    }

"""What each signal of a spec can read, and the check that spec numbers fit it.

Rule bounds and repetition thresholds are compared with a signal, so their
meaningful range is the signal's: an angle in degrees, a distance in body
lengths (see :mod:`formcheck.specs.limits`). :func:`check_spec_numbers` runs
when an :class:`~formcheck.specs.schema.ExerciseSpec` is validated and raises
a ``ValueError`` whose message starts with the key path, which the loader
prefixes with the file name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from formcheck.specs import limits

if TYPE_CHECKING:
    from formcheck.specs.schema import ExerciseSpec

Range = tuple[float, float]

#: How units read in messages.
_UNIT_WORDS = {
    "deg": "deg",
    "s": "s",
    "torso": "torso lengths",
    "thigh": "thigh lengths",
    "shin": "shin lengths",
    "hip_width": "hip widths",
    "shoulder_width": "shoulder widths",
}


def signal_unit_and_range(
    spec: ExerciseSpec, name: str, _stack: tuple[str, ...] = ()
) -> tuple[str, Range]:
    """The unit of a signal and the values it can take.

    A change from the start pose can go either way by the full width of what
    the signal reads; a ``combine`` spans its inputs, which must share a unit.

    Args:
        spec: The exercise spec.
        name: One of its signals.

    Returns:
        ``(unit, (low, high))``; the unit is ``deg`` or a body length such as
        ``torso``.

    Raises:
        KeyError: If the spec has no such signal.
        ValueError: If a ``combine`` mixes units or refers back to itself.
    """
    from formcheck.specs.signals import CombineSignal

    signal = spec.signals[name]
    if isinstance(signal, CombineSignal):
        if name in _stack:
            raise ValueError(f"signals.{name}.of: circular combine")
        parts = [
            signal_unit_and_range(spec, other, (*_stack, name)) for other in signal.of
        ]
        units = sorted({unit for unit, _ in parts})
        if len(units) > 1:
            raise ValueError(
                f"signals.{name}.of: cannot combine signals measured in "
                f"different units ({', '.join(units)})"
            )
        unit = units[0]
        lo = min(low for _, (low, _) in parts)
        hi = max(high for _, (_, high) in parts)
    else:
        unit, (lo, hi) = signal.unit(), signal.reading_range()
    if signal.change_from_start:
        lo, hi = -(hi - lo), hi - lo
    return unit, (lo, hi)


def _check_within(key: str, value: float, allowed: Range, unit: str, what: str) -> None:
    """Refuse a spec number outside what it is compared with can be.

    Raises:
        ValueError: Starting with the key path, naming the value and the range.
    """
    lo, hi = allowed
    if not lo <= value <= hi:
        raise ValueError(
            f"{key}: {value:g} is outside what {what} can be "
            f"({lo:g} to {hi:g} {_UNIT_WORDS.get(unit, unit)})"
        )


def _check_rules(spec: ExerciseSpec) -> None:
    for i, rule in enumerate(spec.rules):
        if rule.scope == "rep" and rule.stat in ("active_s", "duration_s"):
            unit, allowed = "s", (0.0, limits.MAX_REP_S)
            what = f"a repetition's {rule.stat}"
        else:
            unit, allowed = signal_unit_and_range(spec, rule.signal)
            what = f"signal '{rule.signal}'"
            if rule.scope == "rep" and rule.stat == "range":
                allowed = (0.0, allowed[1] - allowed[0])
                what = f"the range of signal '{rule.signal}'"
        for key in ("min", "max"):
            value = getattr(rule, key)
            if value is not None:
                _check_within(f"rules.{i}.{key}", value, allowed, unit, what)


def _check_reps(spec: ExerciseSpec) -> None:
    reps = spec.reps
    if reps is None:
        return
    unit, allowed = signal_unit_and_range(spec, reps.signal)
    what = f"signal '{reps.signal}'"
    _check_within("reps.enter", reps.enter, allowed, unit, what)
    _check_within("reps.exit", reps.exit, allowed, unit, what)
    for end in reps.enter_range or ():
        _check_within("reps.enter_range", end, allowed, unit, what)
    width = (0.0, allowed[1] - allowed[0])
    _check_within("reps.min_amplitude", reps.min_amplitude, width, unit, what)


def check_spec_numbers(spec: ExerciseSpec) -> None:
    """Check every signal-relative number of a spec against its signal.

    Call only once the spec's cross-references (signal names) are known to
    be valid.

    Args:
        spec: The exercise spec being validated.

    Raises:
        ValueError: Naming the key path, the value and the allowed range.
    """
    for name in spec.signals:
        signal_unit_and_range(spec, name)  # a combine must not mix units
    _check_rules(spec)
    _check_reps(spec)

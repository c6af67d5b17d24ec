"""Numbers with their units, in words a person can read.

Signals are measured in degrees or in body lengths (torso, thigh, shin, hip
width, shoulder width: see :mod:`formcheck.signals`). Degrees read as ``84°``.
A ratio of body lengths means little to a person, so a length can also be read
as an everyday size ("about a hand's width"), converted with rough average
adult proportions (:data:`APPROX_CM`). Only the words use that conversion: every
stored number stays in the body length it was measured in.

Example:
    >>> format_value(84.4, "deg")
    '84°'
    >>> format_value(0.42, "hip_width")
    '0.42 hip widths'
    >>> everyday_length(0.4, "hip_width")
    "about a hand's width"
    >>> limits_text(155, 175, "deg")
    'between 155° and 175°'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from formcheck.specs.schema import ExerciseSpec

#: Plural names of the units, for axis titles and table headers.
UNIT_NAMES: dict[str, str] = {
    "deg": "degrees",
    "torso": "torso lengths",
    "thigh": "thigh lengths",
    "shin": "shin lengths",
    "hip_width": "hip widths",
    "shoulder_width": "shoulder widths",
    "s": "seconds",
}

#: Rough size of each body length for an average adult, in centimetres
#: (MediaPipe's landmarks: shoulder centre to hip centre; hip to knee; knee to
#: ankle; between the hip landmarks; between the shoulder landmarks). Used only
#: to put a length into everyday words.
APPROX_CM: dict[str, float] = {
    "torso": 50.0,
    "thigh": 42.0,
    "shin": 40.0,
    "hip_width": 22.0,
    "shoulder_width": 36.0,
}

#: The width of an adult's hand across the palm, in centimetres.
HAND_WIDTH_CM = 9.0


def unit_name(unit: str) -> str:
    """The unit in words (``deg`` → ``degrees``); unknown units as they are."""
    return UNIT_NAMES.get(unit, unit.replace("_", " "))


def format_value(value: float | None, unit: str, digits: int | None = None) -> str:
    """A value with its unit: ``84°``, ``0.42 hip widths``, ``12.5 s``.

    Args:
        value: The number (``None`` or NaN reads ``–``).
        unit: ``deg``, ``s`` or a body length.
        digits: Decimals (default: 0 for degrees, 2 for lengths, 1 for seconds).

    Returns:
        The text.
    """
    if value is None or not math.isfinite(value):
        return "–"
    if unit == "deg":
        return f"{value:.{0 if digits is None else digits}f}°"
    if unit == "s":
        return f"{value:.{1 if digits is None else digits}f} s"
    return f"{value:.{2 if digits is None else digits}f} {unit_name(unit)}"


def limits_text(low: float, high: float, unit: str) -> str:
    """An allowed range: ``between 155° and 175°``, ``between 5 and 120 s``."""
    if unit == "deg":
        return f"between {low:g}° and {high:g}°"
    if unit == "s":
        return f"between {low:g} and {high:g} s"
    return f"between {low:g} and {high:g} {unit_name(unit)}"


def _hands(count: float) -> str:
    if count < 0.3:
        return "less than half a hand's width"
    if count < 0.75:
        return "about half a hand's width"
    if count < 1.5:
        return "about a hand's width"
    return f"about {round(count)} hands' widths"


def everyday_length(value: float | None, unit: str) -> str | None:
    """A body-length value as an everyday size, e.g. ``about a hand's width``.

    Args:
        value: A length (or change of length) in ``unit``; its size is used.
        unit: A body length (see :data:`APPROX_CM`).

    Returns:
        The words, or ``None`` for degrees, unknown units and unknown values.
    """
    if value is None or not math.isfinite(value) or unit not in APPROX_CM:
        return None
    return _hands(abs(value) * APPROX_CM[unit] / HAND_WIDTH_CM)


def plain_amount(value: float | None, unit: str) -> str:
    """How a person reads a range of motion: ``84°`` or ``about a hand's width``.

    Degrees (and seconds) keep their number; a body length becomes its
    everyday size, since "0.4 hip widths" means nothing to most people.
    """
    words = everyday_length(value, unit)
    return words if words is not None else format_value(value, unit)


def rep_signal_unit(spec: ExerciseSpec | None) -> str | None:
    """The unit of a spec's counting signal (its ranges of motion), if it counts.

    Returns:
        ``deg`` or a body length; ``None`` without a spec or a ``reps`` section.
    """
    if spec is None or spec.reps is None:
        return None
    from formcheck.signals import signal_units

    return signal_units(spec).get(spec.reps.signal)

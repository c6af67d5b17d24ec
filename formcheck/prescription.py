"""A therapist's per-patient prescription, applied on top of an exercise spec.

A prescription may only change what the spec allows: the painful side, the
number of repetitions and sets, the hold target and — where the spec gives a
range (``reps.enter_range``) — the depth a repetition must reach. A store (:mod:`formcheck.store`) keeps one per patient and exercise, so the Live
page can load it.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from formcheck import ids
from formcheck.errors import SessionFileError, SpecError
from formcheck.specs.limits import MAX_HOLD_S, MAX_REPS, MAX_SETS
from formcheck.specs.schema import ExerciseSpec
from formcheck.units import limits_text, unit_name


class Prescription(BaseModel):
    """What a therapist set for one patient and one exercise."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["formcheck-prescription"] = "formcheck-prescription"
    format_version: Literal[1] = 1
    patient: str
    exercise: str
    painful_side: Literal["left", "right"] | None = None
    reps: int | None = Field(default=None, ge=1, le=MAX_REPS)
    sets: int | None = Field(default=None, ge=1, le=MAX_SETS)
    hold_s: float | None = Field(default=None, gt=0.0, le=MAX_HOLD_S)
    days_per_week: int | None = Field(
        default=None,
        ge=1,
        le=7,
        description="Days a week to do the sets (None: every day).",
    )
    rep_enter: float | None = Field(
        default=None,
        description="Depth a repetition must reach (within reps.enter_range).",
    )
    notes: str = ""
    created_utc: str = Field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )

    @field_validator("patient")
    @classmethod
    def _safe_patient(cls, value: str) -> str:
        if not ids.is_patient_name(value):
            raise ValueError(ids.PATIENT_NAME_RULE)
        return value

    @field_validator("exercise")
    @classmethod
    def _safe_exercise(cls, value: str) -> str:
        if not ids.EXERCISE_ID.fullmatch(value):
            raise ValueError("exercise must be an exercise id such as 'glute_bridge'")
        return value


def _depth_unit(spec: ExerciseSpec) -> str:
    if spec.reps is None:
        return "deg"
    from formcheck.signals import signal_units

    return signal_units(spec).get(spec.reps.signal, "deg")


def _amount(value: float, unit: str) -> str:
    if unit == "deg":
        return f"{value:g}°"
    if unit == "s":
        return f"{value:g} s"
    return f"{value:g} {unit_name(unit)}"


def depth_label(spec: ExerciseSpec) -> str:
    """The prescription's depth field in plain words, with its unit.

    Example: ``How far a repetition must go: hip extension (degrees)``.
    """
    signal = spec.reps.signal if spec.reps is not None else "depth"
    return (
        f"How far a repetition must go: {spec.signal_label(signal)} "
        f"({unit_name(_depth_unit(spec))})"
    )


def depth_limits(spec: ExerciseSpec) -> str | None:
    """What a therapist may set the depth to, e.g. ``between 155° and 175°``."""
    if spec.reps is None or spec.reps.enter_range is None:
        return None
    lo, hi = spec.reps.enter_range
    return limits_text(lo, hi, _depth_unit(spec))


def hold_limits(spec: ExerciseSpec) -> str | None:
    """What a therapist may set the hold time to, e.g. ``between 10 and 120 s``."""
    if spec.hold is None:
        return None
    return limits_text(spec.hold.min_s / 2, MAX_HOLD_S, "s")


def check_against_spec(prescription: Prescription, spec: ExerciseSpec) -> None:
    """Check that a prescription stays within what the spec allows.

    Raises:
        SpecError: Naming the field in plain words and the allowed range with
            its unit, e.g. "Hold time must be between 10 and 120 s for Child's
            pose, but got 200 s".
    """
    if prescription.exercise != spec.id:
        raise SpecError(
            f"prescription is for '{prescription.exercise}', not for '{spec.id}'"
        )
    if prescription.hold_s is not None:
        if spec.hold is None:
            raise SpecError(f"{spec.name} has no hold, so no hold time can be set")
        lo = spec.hold.min_s / 2
        if not lo <= prescription.hold_s <= MAX_HOLD_S:
            raise SpecError(
                f"Hold time must be {hold_limits(spec)} for {spec.name}, "
                f"but got {_amount(prescription.hold_s, 's')}"
            )
    if prescription.rep_enter is not None:
        if spec.reps is None or spec.reps.enter_range is None:
            raise SpecError(
                f"{spec.name} does not allow changing how far a repetition must go"
            )
        lo, hi = spec.reps.enter_range
        if not lo <= prescription.rep_enter <= hi:
            what = spec.signal_label(spec.reps.signal)
            raise SpecError(
                f"How far a repetition must go ({what}) must be "
                f"{depth_limits(spec)} for {spec.name}, but got "
                f"{_amount(prescription.rep_enter, _depth_unit(spec))}"
            )
    if (prescription.reps is not None or prescription.sets is not None) and (
        spec.reps is None and spec.guided is None and spec.hold is None
    ):
        raise SpecError(f"{spec.name} has no repetitions to prescribe")


def apply_prescription(spec: ExerciseSpec, prescription: Prescription) -> ExerciseSpec:
    """Return a copy of ``spec`` with the prescription's targets applied.

    Raises:
        SpecError: If the prescription goes beyond what the spec allows.
    """
    check_against_spec(prescription, spec)
    update: dict[str, object] = {}
    if spec.reps is not None:
        reps_update: dict[str, object] = {}
        if prescription.reps is not None:
            reps_update["target_reps"] = prescription.reps
        if prescription.sets is not None:
            reps_update["target_sets"] = prescription.sets
        if prescription.rep_enter is not None:
            reps_update["enter"] = prescription.rep_enter
        if reps_update:
            update["reps"] = spec.reps.model_copy(update=reps_update)
    if spec.guided is not None and prescription.reps is not None:
        update["guided"] = spec.guided.model_copy(
            update={"target_reps": prescription.reps}
        )
    if spec.hold is not None:
        hold_update: dict[str, object] = {}
        if prescription.hold_s is not None:
            hold_update["target_s"] = prescription.hold_s
            hold_update["min_s"] = min(spec.hold.min_s, prescription.hold_s)
        if prescription.sets is not None or prescription.reps is not None:
            hold_update["repeats"] = prescription.reps or prescription.sets or 1
        if hold_update:
            update["hold"] = spec.hold.model_copy(update=hold_update)
    if not update:
        return spec
    # Re-validate the whole spec so cross-field checks still hold.
    data = spec.model_dump()
    for key, value in update.items():
        data[key] = value.model_dump() if isinstance(value, BaseModel) else value
    try:
        return ExerciseSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(
            f"prescription makes {spec.id} invalid: {exc.errors()[0]['msg']}"
        ) from None


def load_prescription(source: str | Path | bytes) -> Prescription:
    """Read a prescription file (or uploaded bytes).

    Raises:
        SessionFileError: Naming the file and the problem.
    """
    name = "uploaded prescription" if isinstance(source, bytes) else str(source)
    try:
        text = (
            source.decode("utf-8")
            if isinstance(source, bytes)
            else Path(source).read_text(encoding="utf-8")
        )
        data = json.loads(text)
    except FileNotFoundError:
        raise SessionFileError(f"{name}: no such prescription file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{name}: cannot read the file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise SessionFileError(
            f"{name}: not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    except ValueError:
        # json turns digits into an int at once; Python refuses very long ones.
        raise SessionFileError(
            f"{name}: holds a number with more than {sys.get_int_max_str_digits()} "
            "digits, which no prescription has"
        ) from None
    except RecursionError:
        raise SessionFileError(f"{name}: JSON nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") != "formcheck-prescription":
        raise SessionFileError(f"{name}: not a formcheck prescription file")
    try:
        return Prescription.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SessionFileError(f"{name}: {where}: {first['msg']}") from None

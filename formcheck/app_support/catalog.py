"""Exercise specs and routines for the app, loaded one file at a time.

``formcheck.specs.load_all`` stops at the first invalid spec; the app instead
skips a broken file, says which one and why, and keeps serving the others.

A routine (``pose_specs/routines/*.yaml``) is an ordered list of items, each
naming an exercise spec (or ``null`` for something the camera cannot check,
such as walking) with sets, reps or hold time, rest and notes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from formcheck.errors import SpecError
from formcheck.prescription import Prescription
from formcheck.specs import builtin_spec_dir, load_spec_file
from formcheck.specs.loader import list_spec_files
from formcheck.specs.schema import ExerciseSpec


@dataclass(frozen=True)
class Catalog:
    """The exercises the app can offer.

    Attributes:
        specs: Valid specs by id, in name order.
        problems: One message per spec file that could not be loaded.
    """

    specs: dict[str, ExerciseSpec]
    problems: list[str] = field(default_factory=list)

    def label(self, spec_id: str) -> str:
        """A human label for a select box: the exercise name."""
        spec = self.specs.get(spec_id)
        return spec.name if spec is not None else spec_id


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load every spec in a folder, skipping (and reporting) broken ones.

    Args:
        directory: Spec folder (default: the bundled specs).

    Returns:
        The catalog.
    """
    specs: dict[str, ExerciseSpec] = {}
    problems: list[str] = []
    folder = directory or builtin_spec_dir()
    for path in list_spec_files(folder):
        try:
            spec = load_spec_file(path)
        except SpecError as exc:
            problems.append(str(exc))
            continue
        specs[spec.id] = spec
    ordered = dict(sorted(specs.items(), key=lambda kv: kv[1].name.lower()))
    return Catalog(specs=ordered, problems=problems)


@dataclass(frozen=True)
class RoutineItem:
    """One step of a routine.

    Attributes:
        exercise: Spec id, or ``None`` for an activity formcheck only times.
        name: What to show (the spec name when not given).
        sets: Number of sets.
        reps: Repetitions per set (counted or paced), if any.
        hold_s: Seconds per hold, if any.
        timed_s: Seconds for a timed activity, if any.
        rest_s: Rest after each set.
        notes: Plain-language notes.
    """

    exercise: str | None
    name: str
    sets: int = 1
    reps: int | None = None
    hold_s: float | None = None
    timed_s: float | None = None
    rest_s: float | None = None
    notes: str = ""

    def summary(self) -> str:
        """E.g. ``"2 × 20 s hold"`` or ``"1 × 8 reps"``."""
        if self.reps is not None:
            what = f"{self.reps} reps"
        elif self.hold_s is not None:
            what = f"{self.hold_s:g} s hold"
        elif self.timed_s is not None:
            what = (
                f"{self.timed_s / 60:g} min"
                if self.timed_s >= 60
                else f"{self.timed_s:g} s"
            )
        else:
            what = "as prescribed"
        return f"{self.sets} × {what}"


@dataclass(frozen=True)
class Routine:
    """An ordered list of exercises."""

    id: str
    name: str
    description: str
    items: tuple[RoutineItem, ...]


def _number(item: dict[str, Any], key: str, where: str) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{where}: {key}: expected a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise SpecError(f"{where}: {key}: must be a positive number, got {value!r}")
    return float(value)


def _parse_routine(data: Any, path: Path) -> Routine:
    if not isinstance(data, dict):
        raise SpecError(f"{path}: (top level): expected a mapping of keys")
    items_data = data.get("items")
    if not isinstance(items_data, list) or not items_data:
        raise SpecError(f"{path}: items: expected a non-empty list")
    items: list[RoutineItem] = []
    for i, raw in enumerate(items_data):
        where = f"{path}: items.{i}"
        if not isinstance(raw, dict):
            raise SpecError(f"{where}: expected a mapping")
        exercise = raw.get("exercise")
        if exercise is not None and not isinstance(exercise, str):
            raise SpecError(f"{where}: exercise: expected an id or null")
        sets = _number(raw, "sets", where)
        reps = _number(raw, "reps", where)
        items.append(
            RoutineItem(
                exercise=exercise,
                name=str(raw.get("name") or exercise or f"Item {i + 1}"),
                sets=int(sets) if sets is not None else 1,
                reps=int(reps) if reps is not None else None,
                hold_s=_number(raw, "hold_s", where),
                timed_s=_number(raw, "timed_s", where),
                rest_s=_number(raw, "rest_s", where),
                notes=" ".join(str(raw.get("notes") or "").split()),
            )
        )
    return Routine(
        id=str(data.get("id") or path.stem),
        name=str(data.get("name") or path.stem),
        description=" ".join(str(data.get("description") or "").split()),
        items=tuple(items),
    )


def load_routines(
    directory: Path | None = None,
) -> tuple[dict[str, Routine], list[str]]:
    """Load the routines in ``<spec folder>/routines``.

    Args:
        directory: Routine folder (default: the bundled ``routines/``).

    Returns:
        Routines by id, and one message per file that could not be read.
    """
    folder = directory or builtin_spec_dir() / "routines"
    routines: dict[str, Routine] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return routines, problems
    for path in sorted(folder.glob("*.yaml")):
        try:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise SpecError(f"{path}: cannot read the file ({exc})") from None
            except yaml.YAMLError as exc:
                raise SpecError(f"{path}: not valid YAML ({exc})") from None
            routine = _parse_routine(data, path)
        except SpecError as exc:
            problems.append(str(exc))
            continue
        routines[routine.id] = routine
    return routines, problems


def routine_prescription(item: RoutineItem, patient: str = "routine") -> Prescription:
    """The targets of a routine item, as a prescription to apply to its spec.

    Args:
        item: A routine item with an ``exercise``.
        patient: Name stored in the prescription (not saved anywhere).

    Returns:
        A prescription with the item's reps, sets and hold time.

    Raises:
        SpecError: If the item has no exercise.
    """
    if item.exercise is None:
        raise SpecError(f"routine item '{item.name}' has no exercise to check")
    try:
        return Prescription(
            patient=patient,
            exercise=item.exercise,
            reps=item.reps,
            sets=item.sets,
            hold_s=item.hold_s,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SpecError(
            f"routine item '{item.name}': {where}: {first['msg']}"
        ) from None

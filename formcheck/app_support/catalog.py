"""Exercise specs and routines for the app, loaded one file at a time.

``formcheck.specs.load_all`` and ``formcheck.routines.list_routines`` stop at
the first invalid file; the app instead skips a broken file, says which one
and why, and keeps serving the others.

Routines are the engine's :class:`formcheck.routines.Routine` models
(``pose_specs/routines/*.yaml``); this module only adds the tolerant loader
and the app's small presentation helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from formcheck.errors import SpecError
from formcheck.prescription import Prescription
from formcheck.routines import Routine, RoutineItem, load_routine
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

    def item_label(self, item: RoutineItem) -> str:
        """What to call a routine item: its own name, else its exercise's name."""
        if item.name:
            return item.name
        if item.exercise is not None and item.exercise in self.specs:
            return self.label(item.exercise)
        return item.label


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


def checks_table(spec: ExerciseSpec) -> list[dict[str, str]]:
    """The "What is checked" table of an exercise: one row per rule.

    Four columns, so that the table fits a narrow page without scrolling:
    the check (with its kind), the cue the user hears, when it is checked,
    and how it is measured (directly or by a proxy, with the rule's note).

    Args:
        spec: The exercise.

    Returns:
        Rows as ``{column: text}``.
    """
    rows = []
    for rule in spec.rules:
        how = "directly" if rule.observability == "direct" else "by a proxy"
        rows.append(
            {
                "check": f"{rule.id.replace('_', ' ')} ({rule.kind})",
                "what you hear": rule.cue,
                "when": "per repetition"
                if rule.scope == "rep"
                else ", ".join(rule.phases),
                "how it is measured": f"{how}: {rule.detail}" if rule.detail else how,
            }
        )
    return rows


def item_summary(item: RoutineItem) -> str:
    """What a routine item asks for, e.g. ``"2 × 20 s hold"`` or ``"1 × 8 reps"``."""
    if item.reps is not None:
        what = f"{item.reps} rep{'s' if item.reps != 1 else ''}"
    elif item.hold_s is not None:
        what = f"{item.hold_s:g} s hold"
    elif item.timed_s is not None:
        what = (
            f"{item.timed_s / 60:g} min"
            if item.timed_s >= 60
            else f"{item.timed_s:g} s"
        )
    else:
        what = "as prescribed"
    return f"{item.sets} × {what}"


def routine_label(routine: Routine, specs: Mapping[str, ExerciseSpec]) -> str:
    """A routine's name with its estimated length, for a picker.

    Example: ``"Gentle daily routine — about 15 min"``. The length is
    :meth:`formcheck.routines.Routine.total_seconds` (work and rests), rounded
    to whole minutes.
    """
    minutes = max(1, round(routine.total_seconds(dict(specs)) / 60))
    return f"{routine.name} — about {minutes} min"


def load_routines(
    directory: Path | None = None,
    specs: Mapping[str, ExerciseSpec] | None = None,
    *,
    extra: Path | None = None,
) -> tuple[dict[str, Routine], list[str]]:
    """Load the routines in ``<spec folder>/routines``, one file at a time.

    Each file goes through :func:`formcheck.routines.load_routine`; a file
    that does not load (bad YAML, a bad key, an exercise that is not in
    ``specs``, an id already taken) is skipped and reported, and the others
    still load.

    Args:
        directory: Routine folder (default: the bundled ``routines/``).
        specs: The exercises routines may name (default: the valid specs of
            :func:`load_catalog`, so a routine naming a broken spec is
            reported rather than offered).
        extra: A second folder of routines (a user's own, e.g.
            ``FORMCHECK_HOME/routines``), loaded after the first; a missing
            folder is fine.

    Returns:
        Routines by id, and one message per file that could not be loaded.
    """
    folders = [directory or builtin_spec_dir() / "routines"]
    if extra is not None:
        folders.append(extra)
    routines: dict[str, Routine] = {}
    problems: list[str] = []
    known = dict(specs) if specs is not None else load_catalog().specs
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            try:
                routine = load_routine(path, known)
            except SpecError as exc:
                problems.append(str(exc))
                continue
            if routine.id in routines:
                problems.append(
                    f"{path}: id: '{routine.id}' is already used by another routine"
                )
                continue
            routines[routine.id] = routine
    return routines, problems


def routine_prescription(item: RoutineItem, patient: str = "routine") -> Prescription:
    """The targets of a routine item, as a prescription to apply to its spec.

    Args:
        item: A routine item (:class:`formcheck.routines.RoutineItem`) with an
            ``exercise``.
        patient: Name stored in the prescription (not saved anywhere).

    Returns:
        A prescription with the item's reps, sets and hold time.

    Raises:
        SpecError: If the item has no exercise, or its targets are outside
            what a prescription allows (e.g. a hold longer than 120 s).
    """
    if item.exercise is None:
        raise SpecError(f"routine item '{item.label}' has no exercise to check")
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
            f"routine item '{item.label}': {where}: {first['msg']}"
        ) from None

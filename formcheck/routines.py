"""Routines: ordered lists of exercises with sets, repetitions or hold times.

A routine is a YAML file in ``pose_specs/routines/``. An item with
``exercise: null`` is something the camera cannot check (walking in place):
formcheck only times it.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from formcheck.errors import SpecError
from formcheck.specs.limits import MAX_HOLD_S, MAX_REPS, MAX_SETS
from formcheck.specs.loader import builtin_spec_dir, load_all, load_yaml
from formcheck.specs.schema import ExerciseSpec

DEFAULT_REP_S = 4.0


class RoutineItem(BaseModel):
    """One step of a routine."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    exercise: str | None
    name: str | None = None
    sets: int = Field(default=1, ge=1, le=MAX_SETS)
    reps: int | None = Field(default=None, ge=1, le=MAX_REPS)
    hold_s: float | None = Field(default=None, gt=0, le=MAX_HOLD_S)
    timed_s: float | None = Field(default=None, gt=0, le=3600)
    rep_s: float | None = Field(default=None, gt=0, le=60)
    rest_s: float = Field(default=0.0, ge=0, le=600)
    notes: str = ""

    @model_validator(mode="after")
    def _one_target(self) -> RoutineItem:
        if self.exercise is None and self.timed_s is None:
            raise ValueError("an item without an exercise needs `timed_s`")
        return self

    def seconds(self, spec: ExerciseSpec | None) -> float:
        """Estimated duration of the item, rests included."""
        if self.timed_s is not None:
            work = self.timed_s
        elif self.hold_s is not None:
            work = self.hold_s
        else:
            reps = self.reps or (spec.reps.target_reps if spec and spec.reps else 10)
            per_rep = self.rep_s or (
                spec.guided.cycle_s
                if spec is not None and spec.guided is not None
                else DEFAULT_REP_S
            )
            work = reps * per_rep
        return self.sets * (work + self.rest_s)

    @property
    def label(self) -> str:
        """A name to show."""
        return self.name or (self.exercise or "timed activity").replace("_", " ")


class Routine(BaseModel):
    """An ordered set of exercises."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = ""
    items: list[RoutineItem] = Field(min_length=1)

    def total_seconds(self, specs: dict[str, ExerciseSpec]) -> float:
        """Estimated duration of the whole routine."""
        return sum(item.seconds(specs.get(item.exercise or "")) for item in self.items)


def load_routine(
    path: str | Path, specs: dict[str, ExerciseSpec] | None = None
) -> Routine:
    """Read and validate a routine file, checking its exercise ids.

    Raises:
        SpecError: Naming the file, the key path and the problem.
    """
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: no such routine file") from None
    except RecursionError:
        raise SpecError(f"{path}: lists or mappings are nested too deeply") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        text = " ".join(str(exc).split())  # YAML's own message spans lines
        raise SpecError(f"{path}: cannot read routine ({text})") from None
    try:
        routine = Routine.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SpecError(f"{path}: {where}: {first['msg']}") from None
    known = specs if specs is not None else load_all()
    for i, item in enumerate(routine.items):
        if item.exercise is not None and item.exercise not in known:
            raise SpecError(
                f"{path}: items.{i}.exercise: unknown exercise '{item.exercise}'"
            )
    return routine


def list_routines(directory: Path | None = None) -> dict[str, Routine]:
    """Load every routine in ``pose_specs/routines/`` by id."""
    folder = directory or (builtin_spec_dir() / "routines")
    specs = load_all()
    return {
        r.id: r for r in (load_routine(p, specs) for p in sorted(folder.glob("*.yaml")))
    }

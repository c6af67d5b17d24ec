"""What a benchmark clip contains: labels, and reading a labels file.

The labels file format is described in :mod:`formcheck.bench`. Each entry is
validated by a pydantic model that forbids unknown keys, so a misspelt field
(``recognized: false``) is an error rather than a negative silently scored
as a positive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from formcheck.errors import InputError, SpecError
from formcheck.landmarks import Side
from formcheck.specs import load_spec

LABELS_FORMAT = "formcheck-bench-labels"


class ClipSource(StrEnum):
    """Where a benchmark clip comes from."""

    GENERATED = "generated"
    REAL = "real"


class LabelConfidence(StrEnum):
    """How sure a clip's label is (real clips: counted by eye)."""

    EXACT = "exact"
    HIGH = "high"
    MEDIUM_HIGH = "medium-high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"

    @property
    def scored(self) -> bool:
        """Whether issue 9's targets count a real clip labelled this surely.

        The targets are computed on real clips with high or medium labels;
        generated clips have exact labels.
        """
        return self in _SCORED


_SCORED = frozenset(
    {
        LabelConfidence.EXACT,
        LabelConfidence.HIGH,
        LabelConfidence.MEDIUM_HIGH,
        LabelConfidence.MEDIUM,
    }
)


@dataclass
class FaultLabel:
    """A fault that happens in a clip, with when."""

    rule: str
    start_s: float
    end_s: float
    side: str | None = None


@dataclass
class ClipLabel:
    """What a clip contains.

    Attributes:
        path: The clip.
        exercise: The spec id to analyse it with.
        view: The camera view as filmed, free text that starts with the view
            word (``side``, ``front``, ``oblique`` ...).
        source: Generated (exact truth) or real (counted by eye).
        reps: Counted repetitions (``None``: not a repetition label).
        reps_per_side: Repetitions per side, for alternating exercises.
        holds_s: Hold durations, in order.
        faults: Faults with when they happen.
        clean_reps: ``(start_s, end_s)`` of repetitions without a fault.
        confidence: How sure the label is.
        side: The ``--side`` to analyse with.
        recognised: False when the clip does not show the exercise: formcheck
            must say the exercise was not recognised.
        people: How many people are in view.
        truth_landmarks_px: ``(T, 33, 2)`` true landmarks, for angle error.
        note: Free text.
    """

    path: Path
    exercise: str
    view: str
    source: ClipSource
    reps: int | None = None
    reps_per_side: dict[str, int] | None = None
    holds_s: list[float] | None = None
    faults: list[FaultLabel] = field(default_factory=list)
    clean_reps: list[tuple[float, float]] = field(default_factory=list)
    confidence: LabelConfidence = LabelConfidence.EXACT
    side: Side | None = None
    recognised: bool = True
    people: int = 1
    truth_landmarks_px: npt.NDArray[np.float64] | None = None
    note: str = ""


_VIEW_WORD = re.compile(r"[a-z_]+")


def filmed_in_view(view: str, spec_view: str) -> bool:
    """Whether a clip was filmed in the spec's camera view.

    The label's view text starts with the view it was filmed in
    (``side (slightly oblique), portrait`` is a side view, ``2 shots (...)``
    and ``oblique 45°`` are not).

    Args:
        view: The label's view text.
        spec_view: The spec's ``camera.view``.
    """
    word = _VIEW_WORD.match(view.strip().lower())
    return word is not None and word.group(0) == spec_view


class _FaultEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    start_s: float
    end_s: float
    side: str | None = None


class _ClipEntry(BaseModel):
    """One clip of a labels file."""

    model_config = ConfigDict(extra="forbid")

    file: str
    exercise: str
    view: str = "side"
    reps: int | None = Field(default=None, ge=0)
    reps_per_side: dict[str, int] | None = None
    holds_s: list[float] | None = None
    faults: list[_FaultEntry] = Field(default_factory=list)
    confidence: LabelConfidence = LabelConfidence.UNKNOWN
    side: Side | None = None
    recognised: bool = True
    people: int = Field(default=1, ge=1)
    note: str = ""

    @model_validator(mode="after")
    def _negatives_are_not_counted(self) -> _ClipEntry:
        if not self.recognised and (self.reps is not None or self.holds_s):
            raise ValueError("a clip with recognised: false has no reps or holds_s")
        return self

    def to_label(self, folder: Path) -> ClipLabel:
        return ClipLabel(
            path=folder / self.file,
            exercise=self.exercise,
            view=self.view,
            source=ClipSource.REAL,
            reps=self.reps,
            reps_per_side=self.reps_per_side,
            holds_s=self.holds_s,
            faults=[FaultLabel(**f.model_dump()) for f in self.faults],
            confidence=self.confidence,
            side=self.side,
            recognised=self.recognised,
            people=self.people,
            note=self.note,
        )


def _resolve(base: Path, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else (base / p).resolve()


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path}: no such labels file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != LABELS_FORMAT:
        raise InputError(f"{path}: not a formcheck benchmark labels file")
    return data


def load_labels(path: str | Path, videos: str | Path | None = None) -> list[ClipLabel]:
    """Read a labels file.

    Args:
        path: The YAML labels file.
        videos: Folder of the clips (overrides the file's ``videos``).

    Raises:
        InputError: If the file is missing or malformed, or names an exercise
            formcheck has no spec for.
    """
    path = Path(path)
    data = _read(path)
    folder = (
        Path(videos) if videos else _resolve(path.parent, str(data.get("videos", ".")))
    )
    labels = []
    for i, clip in enumerate(data.get("clips") or []):
        try:
            entry = _ClipEntry.model_validate(clip)
        except ValidationError as exc:
            raise InputError(
                f"{path}: clips.{i}: missing or bad field ({_problem(exc)})"
            ) from None
        labels.append(entry.to_label(folder))
    for exercise in sorted({c.exercise for c in labels}):
        try:
            load_spec(exercise)
        except SpecError as exc:
            raise InputError(f"{path}: exercise '{exercise}': {exc}") from None
    return labels

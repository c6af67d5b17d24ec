"""The spec root: :class:`ExerciseSpec`, one YAML file in ``pose_specs/``.

The sections live in their own modules: :mod:`~formcheck.specs.base` (the
strict base model, common field types), :mod:`~formcheck.specs.placement`
(camera, side, calibration), :mod:`~formcheck.specs.signals` (signal kinds),
:mod:`~formcheck.specs.rules` (rules) and :mod:`~formcheck.specs.modes` (the
``reps``, ``guided`` and ``hold`` sections). Their names stay importable from
here.

Every model forbids unknown keys, so a typo in a spec is an error that names
the key, never a silently ignored setting. Every number must be finite and
within the range of its kind (:mod:`formcheck.specs.limits`): seconds,
counts and metres per field, and rule bounds and rep thresholds within what
their signal can read, in its unit. See ``pose_specs/README.md`` for a
guided tour and the angle conventions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from formcheck.specs import limits
from formcheck.specs.base import (
    LengthUnit,
    MetreRange,
    Metres,
    PointRef,
    Posture,
    SpecModel,
    View,
)
from formcheck.specs.modes import GuidedSpec, GuidedStep, HoldSpec, RepSpec
from formcheck.specs.placement import CalibrationSpec, CameraSpec, FloorSpec, SideSpec
from formcheck.specs.ranges import check_spec_numbers
from formcheck.specs.rules import ALL_PHASES, Phase, RuleKind, RuleSpec, Severity
from formcheck.specs.signals import (
    MAX_LABEL_CHARS,
    AlignmentSignal,
    CombineSignal,
    DistanceSignal,
    HeightSignal,
    JointAngleSignal,
    LineDistanceSignal,
    SegmentAngleSignal,
    Signal,
    TurnSignal,
)

__all__ = [
    "ALL_PHASES",
    "MAX_LABEL_CHARS",
    "SCHEMA_VERSION",
    "AlignmentSignal",
    "CalibrationSpec",
    "CameraSpec",
    "CombineSignal",
    "DistanceSignal",
    "ExerciseSpec",
    "FloorSpec",
    "GuidedSpec",
    "GuidedStep",
    "HeightSignal",
    "HoldSpec",
    "JointAngleSignal",
    "LengthUnit",
    "LineDistanceSignal",
    "MetreRange",
    "Metres",
    "Phase",
    "PointRef",
    "Posture",
    "Reminder",
    "RepSpec",
    "RuleKind",
    "RuleSpec",
    "SafetySpec",
    "SegmentAngleSignal",
    "Severity",
    "SideSpec",
    "Signal",
    "TurnSignal",
    "View",
]

SCHEMA_VERSION = 1


class Reminder(SpecModel):
    """A reminder about something the camera cannot see."""

    text: str = Field(min_length=3)
    every_n_reps: int | None = Field(default=None, ge=1, le=limits.MAX_REPS)
    every_s: float | None = Field(default=None, gt=0.0, le=limits.MAX_SESSION_S)
    at_start: bool = False


class SafetySpec(SpecModel):
    """Safety text shown before and during the exercise."""

    before: str = Field(min_length=3)
    stop_if: str = Field(min_length=3)
    notes: list[str] = Field(default_factory=list)


class ExerciseSpec(SpecModel):
    """One exercise: camera, side handling, signals, rules, counting and safety."""

    schema_version: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    revision: int = Field(default=1, ge=1, le=limits.MAX_REVISION)
    description: str = Field(description="One line shown in `formcheck exercises`.")
    instructions: list[str] = Field(default_factory=list)
    kind: Literal["reps", "hold", "guided"]
    posture: Posture
    camera: CameraSpec
    side: SideSpec = Field(default_factory=SideSpec)
    min_visibility: float = Field(default=0.5, ge=0.0, le=1.0)
    calibration: CalibrationSpec = Field(default_factory=CalibrationSpec)
    signals: dict[str, Signal]
    rules: list[RuleSpec] = Field(default_factory=list)
    reps: RepSpec | None = None
    hold: HoldSpec | None = None
    guided: GuidedSpec | None = None
    reminders: list[Reminder] = Field(default_factory=list)
    cannot_see: list[str] = Field(
        default_factory=list,
        description="What a 2D camera cannot check for this exercise.",
    )
    safety: SafetySpec
    references: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_references(self) -> ExerciseSpec:
        names = set(self.signals)
        for name, signal in self.signals.items():
            if isinstance(signal, CombineSignal):
                for other in signal.of:
                    if other not in names:
                        raise ValueError(f"signals.{name}.of: unknown signal '{other}'")
                    if other == name:
                        raise ValueError(
                            f"signals.{name}.of: a signal cannot combine itself"
                        )
        ids: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.signal not in names:
                raise ValueError(
                    f"rules.{i}.signal: unknown signal '{rule.signal}' "
                    f"(known: {', '.join(sorted(names))})"
                )
            if rule.id in ids:
                raise ValueError(f"rules.{i}.id: duplicate rule id '{rule.id}'")
            ids.add(rule.id)
        if self.kind == "reps" and self.reps is None:
            raise ValueError("kind 'reps' needs a `reps` section")
        if self.kind == "hold" and self.hold is None:
            raise ValueError("kind 'hold' needs a `hold` section")
        if self.kind == "guided" and self.guided is None:
            raise ValueError("kind 'guided' needs a `guided` section")
        if self.reps is not None and self.reps.signal not in names:
            raise ValueError(f"reps.signal: unknown signal '{self.reps.signal}'")
        if self.hold is not None:
            for key in ("rules", "quality"):
                for rule_id in getattr(self.hold, key):
                    if rule_id not in ids:
                        raise ValueError(f"hold.{key}: unknown rule id '{rule_id}'")
            both = set(self.hold.rules) & set(self.hold.quality)
            if both:
                raise ValueError(
                    f"hold: {', '.join(sorted(both))} cannot both define the hold and be a quality check"
                )
        if self.side.mode == "alternating" and self.reps is None:
            raise ValueError("side mode 'alternating' needs a `reps` section")
        check_spec_numbers(self)
        return self

    def signal_label(self, name: str) -> str:
        """The plain name of a signal: its ``label``, else its name in words.

        Example: ``hip_extension`` without a label reads ``hip extension``.
        An unknown name is turned into words the same way.
        """
        signal = self.signals.get(name)
        if signal is not None and signal.label:
            return signal.label
        return name.replace("_", " ").strip()

    def rule(self, rule_id: str) -> RuleSpec:
        """Return the rule with this id.

        Raises:
            KeyError: If there is none.
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

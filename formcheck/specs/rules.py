"""The rule model: a check on one signal, per frame or per repetition."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from formcheck.specs import limits
from formcheck.specs.base import SpecModel

Phase = Literal["setup", "rest", "moving", "active"]
RuleKind = Literal["safety", "setup", "fault", "tip"]
Severity = Literal["warn", "info"]

ALL_PHASES: tuple[Phase, ...] = ("rest", "moving", "active")


class RuleSpec(SpecModel):
    """A check on one signal.

    ``scope: frame`` checks every frame of the listed phases and reports a
    fault once it has failed for ``persist_s``. ``scope: rep`` checks one
    statistic of a whole repetition when it ends (for example the peak hip
    extension of a bridge, or how long the extended position was held).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: RuleKind = "fault"
    severity: Severity = "warn"
    scope: Literal["frame", "rep"] = "frame"
    signal: str
    stat: Literal["max", "min", "range", "active_s", "duration_s"] = Field(
        default="max", description="Rep statistic checked when scope is 'rep'."
    )
    min: float | None = None
    max: float | None = None
    phases: list[Phase] = Field(default_factory=lambda: list(ALL_PHASES))
    persist_s: float = Field(default=0.5, ge=0.0, le=limits.MAX_STEP_S)
    cue: str = Field(
        min_length=3, description="Short plain-language cue shown to the user."
    )
    detail: str = ""
    priority: int = Field(
        default=50,
        ge=0,
        le=limits.MAX_PRIORITY,
        description="Higher wins among cues of one kind.",
    )
    invalidates_rep: bool | None = Field(
        default=None,
        description="Whether this fault makes a rep incorrect (default: severity warn).",
    )
    gate: bool = Field(
        default=False,
        description="While this rule fails, repetitions are not counted (e.g. wrong posture).",
    )
    observability: Literal["direct", "proxy"] = "direct"
    evidence: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _setup_rules_check_from_the_start(cls, data: object) -> object:
        # Posture gates and setup checks describe the start position, so by
        # default they are checked before calibration ("setup") as well.
        if (
            isinstance(data, dict)
            and "phases" not in data
            and (data.get("gate") or data.get("kind") == "setup")
        ):
            return {**data, "phases": ["setup", *ALL_PHASES]}
        return data

    @model_validator(mode="after")
    def _has_bound(self) -> RuleSpec:
        if self.min is None and self.max is None:
            raise ValueError("a rule needs `min`, `max` or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"`min` ({self.min}) must not exceed `max` ({self.max})")
        return self

    @property
    def counts_against_rep(self) -> bool:
        """Whether a fault of this rule marks the repetition incorrect."""
        if self.invalidates_rep is not None:
            return self.invalidates_rep
        return self.kind == "fault" and self.severity == "warn"

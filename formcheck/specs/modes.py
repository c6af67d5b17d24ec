"""The exercise-mode sections of a spec: ``reps``, ``guided`` and ``hold``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from formcheck.specs import limits
from formcheck.specs.base import SpecModel


class RepSpec(SpecModel):
    """How repetitions are counted on one signal, with levels from the person.

    With ``direction: up`` a repetition leaves the rest end, becomes active
    past the enter level and comes back; with ``down`` the signal falls
    instead. ``enter`` and ``exit`` are the exercise's own numbers: the
    target of a full repetition and the rest end. The levels the counter uses
    sit inside the person's own range: the enter level is ``enter`` or
    ``enter_fraction`` of the person's typical range above their rest,
    whichever is nearer; a repetition ends back below ``exit`` or back by
    ``exit_fraction`` of its own range. ``min_amplitude`` is the clinical
    floor: a smaller movement never counts. ``min_duration_s`` and
    ``min_active_s`` are quality targets (tempo, pause at the end): a
    quicker repetition counts and is flagged "too fast".
    """

    signal: str
    direction: Literal["up", "down"] = "up"
    enter: float
    exit: float
    enter_fraction: float = Field(
        default=0.6,
        gt=0.0,
        lt=1.0,
        description="Enter level as a fraction of the person's typical range.",
    )
    exit_fraction: float = Field(
        default=0.6,
        gt=0.0,
        lt=1.0,
        description="A repetition ends back by this fraction of its own range.",
    )
    min_amplitude: float = Field(default=10.0, ge=0.0)
    min_duration_s: float = Field(
        default=0.8,
        ge=0.0,
        le=limits.MAX_REP_S,
        description="Tempo target: quicker repetitions count and are flagged too fast.",
    )
    min_active_s: float = Field(
        default=0.2,
        ge=0.0,
        le=limits.MAX_REP_S,
        description="Pause target at the end: shorter pauses get a tip.",
    )
    max_duration_s: float = Field(default=60.0, gt=0.0, le=limits.MAX_REP_S)
    target_reps: int = Field(default=10, ge=1, le=limits.MAX_REPS)
    target_sets: int = Field(default=1, ge=1, le=limits.MAX_SETS)
    enter_range: tuple[float, float] | None = Field(
        default=None,
        description="Range within which a therapist may move `enter` for a patient.",
    )
    smoothing_min_cutoff_hz: float = Field(default=1.0, gt=0.0, le=limits.MAX_CUTOFF_HZ)
    smoothing_beta: float = Field(default=0.05, ge=0.0, le=limits.MAX_SMOOTHING_BETA)

    @model_validator(mode="after")
    def _thresholds(self) -> RepSpec:
        if self.direction == "up" and not self.enter > self.exit:
            raise ValueError(
                f"with direction 'up', `enter` ({self.enter}) must be greater than `exit` ({self.exit})"
            )
        if self.direction == "down" and not self.enter < self.exit:
            raise ValueError(
                f"with direction 'down', `enter` ({self.enter}) must be less than `exit` ({self.exit})"
            )
        if self.enter_range is not None:
            lo, hi = self.enter_range
            if not lo <= self.enter <= hi:
                raise ValueError(
                    f"`enter` ({self.enter}) must lie within `enter_range` {self.enter_range}"
                )
            beyond_exit = (
                (lo <= self.exit) if self.direction == "up" else (hi >= self.exit)
            )
            if beyond_exit:
                raise ValueError("`enter_range` must stay on the far side of `exit`")
        if self.min_amplitude > abs(self.enter - self.exit) * 4:
            raise ValueError("`min_amplitude` is implausibly large for the thresholds")
        return self


class GuidedStep(SpecModel):
    """One paced step of a guided repetition (e.g. "tilt", "hold", "release")."""

    cue: str = Field(min_length=2, description="What to say at the start of the step.")
    seconds: float = Field(gt=0.0, le=limits.MAX_STEP_S)
    phase: Literal["moving", "active", "rest"] = "moving"


class GuidedSpec(SpecModel):
    """Paced repetitions for movements the camera cannot measure (e.g. pelvic tilt).

    formcheck does not claim to verify these repetitions: it paces them, checks
    the visible compensations (rules), and reports them as guided.
    """

    steps: list[GuidedStep] = Field(min_length=1)
    target_reps: int = Field(default=10, ge=1, le=limits.MAX_REPS)
    target_sets: int = Field(default=1, ge=1, le=limits.MAX_SETS)
    start_after_s: float = Field(
        default=2.0,
        ge=0.0,
        le=limits.MAX_STEP_S,
        description="Seconds in position before pacing starts.",
    )

    @property
    def cycle_s(self) -> float:
        """Length of one paced repetition."""
        return sum(step.seconds for step in self.steps)


class HoldSpec(SpecModel):
    """A timed hold: the timer runs only while every rule in ``rules`` passes.

    ``rules`` define the position (lying down, the knee drawn up); ``quality``
    rules are checked during the hold and reported on it ("not as deep as the
    target"), but never stop the timer: a hold in a comfortable range is
    still a hold.
    """

    rules: list[str] = Field(min_length=1)
    quality: list[str] = Field(
        default_factory=list,
        description="Rules checked during the hold and reported on it; they never stop the timer.",
    )
    enter_after_s: float = Field(default=1.0, ge=0.0, le=limits.MAX_STEP_S)
    grace_s: float = Field(default=2.0, ge=0.0, le=limits.MAX_STEP_S)
    reset_after_s: float = Field(default=5.0, ge=0.0, le=limits.MAX_STEP_S)
    min_s: float = Field(gt=0.0, le=limits.MAX_HOLD_S)
    target_s: float = Field(gt=0.0, le=limits.MAX_HOLD_S)
    repeats: int = Field(default=1, ge=1, le=limits.MAX_REPS)
    max_speed_deg_s: float | None = Field(
        default=20.0,
        gt=0.0,
        le=limits.MAX_SPEED_DEG_S,
        description="A hold counts only while its angle signals move slower than this "
        "(moving into or out of the pose is not holding); null to switch off.",
    )
    max_speed_len_s: float | None = Field(
        default=0.2,
        gt=0.0,
        le=limits.MAX_SPEED_LEN_S,
        description="The same for distance and height signals, in body lengths per second.",
    )

    @model_validator(mode="after")
    def _times(self) -> HoldSpec:
        if self.target_s < self.min_s:
            raise ValueError(
                f"`target_s` ({self.target_s}) must be at least `min_s` ({self.min_s})"
            )
        return self

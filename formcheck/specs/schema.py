"""Pydantic models for exercise specs (the YAML files in ``pose_specs/``).

Every model forbids unknown keys, so a typo in a spec is an error that names
the key, never a silently ignored setting. Every number must be finite and
within the range of its kind (:mod:`formcheck.specs.limits`): seconds,
counts and metres per field, and rule bounds and rep thresholds within what
their signal can read, in its unit. See ``pose_specs/README.md`` for a
guided tour and the angle conventions.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from formcheck.landmarks import validate_point_ref
from formcheck.specs import limits
from formcheck.specs.ranges import check_spec_numbers

SCHEMA_VERSION = 1

PointRef = Annotated[str, AfterValidator(validate_point_ref)]
View = Literal["side", "front", "back", "feet_end", "head_end"]
Posture = Literal[
    "standing", "seated", "supine", "prone", "quadruped", "side_lying", "kneeling"
]
Phase = Literal["setup", "rest", "moving", "active"]
RuleKind = Literal["safety", "setup", "fault", "tip"]
Severity = Literal["warn", "info"]
LengthUnit = Literal["torso", "thigh", "shin", "hip_width", "shoulder_width"]

ALL_PHASES: tuple[Phase, ...] = ("rest", "moving", "active")
#: Longest signal label (it is drawn on the video next to the joint).
MAX_LABEL_CHARS = 24


class _Model(BaseModel):
    # allow_inf_nan=False: YAML's .nan / .inf / -.inf are refused everywhere.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _ordered_range(value: tuple[float, float]) -> tuple[float, float]:
    if value[0] > value[1]:
        raise ValueError(f"the first value ({value[0]:g}) must not exceed the second")
    return value


Metres = Annotated[float, Field(ge=0.0, le=limits.MAX_CAMERA_M)]
MetreRange = Annotated[tuple[Metres, Metres], AfterValidator(_ordered_range)]


class CameraSpec(_Model):
    """Where the camera must be for this exercise's checks to be valid."""

    view: View = Field(description="The camera view the checks assume.")
    height_m: MetreRange = Field(description="Camera height range in metres.")
    distance_m: MetreRange = Field(description="Camera distance range in metres.")
    framing: str = Field(description="Plain-language placement instructions.")
    secondary_view: View | None = Field(
        default=None, description="Optional second view for frontal-plane checks."
    )


class SideSpec(_Model):
    """Which side of the body is measured.

    ``auto`` picks the side facing the camera; ``left``/``right`` fix it;
    ``painful`` uses the side the user names as painful (``--side`` on the
    command line) and asks them to turn it to the camera; ``alternating``
    decides per repetition which side worked and counts each side separately.
    """

    mode: Literal["left", "right", "auto", "alternating", "painful"] = "auto"
    lock_s: float = Field(
        default=0.5,
        ge=0.0,
        le=limits.MAX_STEP_S,
        description="Seconds the other side must look nearer before the near side switches.",
    )


class FloorSpec(_Model):
    """How the floor line is calibrated from the start pose."""

    method: Literal["fit", "image"] = Field(
        default="image",
        description="'fit': a line through `points`; 'image': image horizontal.",
    )
    points: list[PointRef] = Field(default_factory=list)

    @model_validator(mode="after")
    def _points_for_fit(self) -> FloorSpec:
        if self.method == "fit" and len(self.points) < 2:
            raise ValueError("method 'fit' needs at least 2 points")
        return self


class CalibrationSpec(_Model):
    """The still start pose from which the floor line and start values come."""

    still_s: float = Field(default=1.0, gt=0.0, le=10.0)
    max_motion: float = Field(
        default=0.5,
        gt=0.0,
        le=limits.MAX_SPEED_LEN_S,
        description="Largest landmark speed (torso lengths per second) counted as still.",
    )
    floor: FloorSpec = Field(default_factory=FloorSpec)


class _SignalBase(_Model):
    """What every signal kind has.

    Each kind says which points it reads, its unit and where its value is
    written on the video.
    """

    description: str = ""
    label: str | None = Field(
        default=None,
        min_length=2,
        max_length=MAX_LABEL_CHARS,
        description="Short plain name shown next to the value on the video and in "
        "plots (default: the signal's name in words, e.g. 'hip extension').",
    )
    change_from_start: bool = Field(
        default=False,
        description="Report the change from the value calibrated in the start pose.",
    )

    def point_refs(self) -> list[str]:
        """The point references this signal reads."""
        return []

    def unit(self) -> str:
        """``deg``, or the body length distances are measured in."""
        return "deg"

    def anchor(self) -> str | None:
        """The point next to which the value is drawn (``None``: not drawn)."""
        return None

    def reading_range(self) -> tuple[float, float]:
        """The values this signal can read (before any change from the start)."""
        raise TypeError(f"{type(self).__name__} has no reading range of its own")


class JointAngleSignal(_SignalBase):
    """Interior angle at the middle point, 0-180 deg (180 = straight).

    With ``reflex`` set, the angle is reported on 0-360 deg: values above 180
    mean the middle point lies on the named side of the line through the two
    outer points (``above_line`` = away from the floor).
    """

    type: Literal["joint_angle"]
    points: tuple[PointRef, PointRef, PointRef]
    reflex: Literal["none", "above_line", "below_line"] = "none"

    def point_refs(self) -> list[str]:
        """The three points."""
        return list(self.points)

    def anchor(self) -> str | None:
        """The joint (the middle point)."""
        return self.points[1]

    def reading_range(self) -> tuple[float, float]:
        """0-180 deg, or 0-360 deg with ``reflex``."""
        return (0.0, 180.0) if self.reflex == "none" else (0.0, limits.MAX_ANGLE_DEG)


class SegmentAngleSignal(_SignalBase):
    """Angle of the segment ``points[0] -> points[1]`` against a reference.

    * ``floor``: elevation above the calibrated floor line, -90..90 deg
      (positive = the second point is higher), mirror-invariant.
    * ``vertical``: angle from straight up, 0..180 deg.
    * ``down``: angle from straight down (the floor normal), 0..180 deg:
      0 = hanging, 90 = parallel to the floor.
    * ``anticlockwise``: signed angle from the body's forward direction,
      (-180, 180], mirrored so that it does not depend on which way the
      person faces.
    """

    type: Literal["segment_angle"]
    points: tuple[PointRef, PointRef]
    reference: Literal["floor", "vertical", "down", "anticlockwise"] = "floor"

    def point_refs(self) -> list[str]:
        """The segment's two points."""
        return list(self.points)

    def anchor(self) -> str | None:
        """The segment's first point."""
        return self.points[0]

    def reading_range(self) -> tuple[float, float]:
        """Depends on the reference (see the class docstring)."""
        return {
            "floor": (-90.0, 90.0),
            "vertical": (0.0, 180.0),
            "down": (0.0, 180.0),
            "anticlockwise": (-180.0, 180.0),
        }[self.reference]


class AlignmentSignal(_SignalBase):
    """Angle between two segments, 0..180 deg (0 = parallel, same direction)."""

    type: Literal["alignment"]
    first: tuple[PointRef, PointRef]
    second: tuple[PointRef, PointRef]

    def point_refs(self) -> list[str]:
        """Both segments' points."""
        return [*self.first, *self.second]

    def anchor(self) -> str | None:
        """The first segment's first point."""
        return self.first[0]

    def reading_range(self) -> tuple[float, float]:
        """0-180 deg."""
        return (0.0, 180.0)


class DistanceSignal(_SignalBase):
    """Distance between two points in body lengths (``per``)."""

    type: Literal["distance"]
    points: tuple[PointRef, PointRef]
    per: LengthUnit = "torso"

    def point_refs(self) -> list[str]:
        """The two points."""
        return list(self.points)

    def unit(self) -> str:
        """The body length it is measured in."""
        return self.per

    def reading_range(self) -> tuple[float, float]:
        """0 up to a plausible number of body lengths."""
        return (0.0, limits.MAX_BODY_LENGTHS)


class HeightSignal(_SignalBase):
    """Height of a point above the floor line, in body lengths (``per``)."""

    type: Literal["height"]
    point: PointRef
    per: LengthUnit = "torso"

    def point_refs(self) -> list[str]:
        """The point."""
        return [self.point]

    def unit(self) -> str:
        """The body length it is measured in."""
        return self.per

    def reading_range(self) -> tuple[float, float]:
        """Below or above the floor, a plausible number of body lengths."""
        return (-limits.MAX_BODY_LENGTHS, limits.MAX_BODY_LENGTHS)


class LineDistanceSignal(_SignalBase):
    """Signed distance of a point from the line through two points.

    Positive = away from the floor. In body lengths (``per``).
    """

    type: Literal["line_distance"]
    point: PointRef
    line: tuple[PointRef, PointRef]
    per: LengthUnit = "torso"

    def point_refs(self) -> list[str]:
        """The point and the line's two points."""
        return [self.point, *self.line]

    def unit(self) -> str:
        """The body length it is measured in."""
        return self.per

    def reading_range(self) -> tuple[float, float]:
        """Either side of the line, a plausible number of body lengths."""
        return (-limits.MAX_BODY_LENGTHS, limits.MAX_BODY_LENGTHS)


class TurnSignal(_SignalBase):
    """Turn of one left-right line of the body against another, in degrees.

    The line from the right to the left ``line`` point (e.g. the shoulders)
    is compared with the one through the ``against`` points (e.g. the hips),
    seen along the trunk (mid-hip to mid-shoulder) in MediaPipe's metric world
    landmarks. Positive means ``line`` has turned toward the ``toward`` side
    (the chest turned to the working side); ``toward: any`` gives the size
    only, never negative.

    * ``size: world``: the angle between the two lines in the world
      landmarks. The direction is reliable; the size is coarse (about half
      the true turn in a front view, measured on the project's clips).
    * ``size: image``: the sign still comes from the world landmarks, but the
      size comes from the picture: how much narrower ``line`` looks than in
      the calibrated start pose, each time relative to the torso length in
      the same frame (``arccos`` of that ratio), so it does not depend on the
      distance to the camera. Unknown until the start pose is calibrated.
      With ``toward: any`` it needs no world landmarks.

    NaN when a point is hidden, or when the world landmarks are missing and
    the sign is needed.
    """

    type: Literal["turn"]
    line: Literal["shoulder", "hip"] = "shoulder"
    against: Literal["shoulder", "hip"] = "hip"
    toward: Literal["left", "right", "work", "other", "any"] = "work"
    size: Literal["world", "image"] = "image"

    @model_validator(mode="after")
    def _two_lines(self) -> TurnSignal:
        if self.line == self.against:
            raise ValueError(
                f"`line` and `against` must differ, but both are '{self.line}'"
            )
        return self

    def point_refs(self) -> list[str]:
        """Both ends of the two lines."""
        return [
            f"{side}.{part}"
            for part in (self.line, self.against)
            for side in ("left", "right")
        ]

    def anchor(self) -> str | None:
        """Drawn at the middle of the shoulders."""
        return "mid.shoulder"

    def reading_range(self) -> tuple[float, float]:
        """A signed turn, -180 to 180 deg (0-180 with ``toward: any``)."""
        return (0.0, 180.0) if self.toward == "any" else (-180.0, 180.0)


class CombineSignal(_SignalBase):
    """Minimum or maximum of other signals (NaN inputs are ignored)."""

    type: Literal["combine"]
    op: Literal["min", "max"]
    of: list[str] = Field(min_length=2)

    def unit(self) -> str:
        """Unknown on its own: the unit of its inputs (see ``signal_units``)."""
        return "?"


Signal = Annotated[
    JointAngleSignal
    | SegmentAngleSignal
    | AlignmentSignal
    | DistanceSignal
    | HeightSignal
    | LineDistanceSignal
    | TurnSignal
    | CombineSignal,
    Field(discriminator="type"),
]


class RuleSpec(_Model):
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


class RepSpec(_Model):
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


class GuidedStep(_Model):
    """One paced step of a guided repetition (e.g. "tilt", "hold", "release")."""

    cue: str = Field(min_length=2, description="What to say at the start of the step.")
    seconds: float = Field(gt=0.0, le=limits.MAX_STEP_S)
    phase: Literal["moving", "active", "rest"] = "moving"


class GuidedSpec(_Model):
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


class HoldSpec(_Model):
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


class Reminder(_Model):
    """A reminder about something the camera cannot see."""

    text: str = Field(min_length=3)
    every_n_reps: int | None = Field(default=None, ge=1, le=limits.MAX_REPS)
    every_s: float | None = Field(default=None, gt=0.0, le=limits.MAX_SESSION_S)
    at_start: bool = False


class SafetySpec(_Model):
    """Safety text shown before and during the exercise."""

    before: str = Field(min_length=3)
    stop_if: str = Field(min_length=3)
    notes: list[str] = Field(default_factory=list)


class ExerciseSpec(_Model):
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

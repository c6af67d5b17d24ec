"""Signal models: what a spec measures on the body, one class per ``type``.

Each kind says which points it reads, its unit, where its value is drawn on
the video and what values it can read; :mod:`formcheck.signals` computes
them. See ``pose_specs/README.md`` for the angle conventions.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from formcheck.specs import limits
from formcheck.specs.base import LengthUnit, PointRef, SpecModel

#: Longest signal label (it is drawn on the video next to the joint).
MAX_LABEL_CHARS = 24


class _SignalBase(SpecModel):
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

"""Where the camera and the person are: camera view, measured side, start pose."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from formcheck.specs import limits
from formcheck.specs.base import MetreRange, PointRef, SpecModel, View


class CameraSpec(SpecModel):
    """Where the camera must be for this exercise's checks to be valid."""

    view: View = Field(description="The camera view the checks assume.")
    height_m: MetreRange = Field(description="Camera height range in metres.")
    distance_m: MetreRange = Field(description="Camera distance range in metres.")
    framing: str = Field(description="Plain-language placement instructions.")
    secondary_view: View | None = Field(
        default=None, description="Optional second view for frontal-plane checks."
    )


class SideSpec(SpecModel):
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


class FloorSpec(SpecModel):
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


class CalibrationSpec(SpecModel):
    """The still start pose from which the floor line and start values come."""

    still_s: float = Field(default=1.0, gt=0.0, le=10.0)
    max_motion: float = Field(
        default=0.5,
        gt=0.0,
        le=limits.MAX_SPEED_LEN_S,
        description="Largest landmark speed (torso lengths per second) counted as still.",
    )
    floor: FloorSpec = Field(default_factory=FloorSpec)

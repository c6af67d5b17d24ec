"""What every spec model shares: the strict base model and common field types.

Every model forbids unknown keys, so a typo in a spec is an error that names
the key, never a silently ignored setting; YAML's ``.nan`` and ``.inf`` are
refused everywhere.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from formcheck.landmarks import validate_point_ref
from formcheck.specs import limits

PointRef = Annotated[str, AfterValidator(validate_point_ref)]
View = Literal["side", "front", "back", "feet_end", "head_end"]
Posture = Literal[
    "standing", "seated", "supine", "prone", "quadruped", "side_lying", "kneeling"
]
LengthUnit = Literal["torso", "thigh", "shin", "hip_width", "shoulder_width"]


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys, NaN and infinity are refused."""

    # allow_inf_nan=False: YAML's .nan / .inf / -.inf are refused everywhere.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _ordered_range(value: tuple[float, float]) -> tuple[float, float]:
    if value[0] > value[1]:
        raise ValueError(f"the first value ({value[0]:g}) must not exceed the second")
    return value


Metres = Annotated[float, Field(ge=0.0, le=limits.MAX_CAMERA_M)]
MetreRange = Annotated[tuple[Metres, Metres], AfterValidator(_ordered_range)]

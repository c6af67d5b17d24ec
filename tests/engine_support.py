"""Hand-made specs and bodies for the engine's stage tests (no spec file).

Every spec here is built in code from the pydantic models, so a stage test
says exactly which settings it depends on. The body is a stick figure seen
side-on, standing, facing image-right, whose near (left) knee bends by a
given angle.
"""

from __future__ import annotations

import math
from typing import Any

from formcheck.landmarks import Landmark as L, Side
from formcheck.specs.schema import (
    CameraSpec,
    ExerciseSpec,
    JointAngleSignal,
    RepSpec,
    RuleSpec,
    SafetySpec,
)
from formcheck.types import PoseFrame
from tests.conftest import make_frame

#: Shoulder to hip of the stick figure, in pixels.
TORSO_PX = 150.0

KNEE = JointAngleSignal(
    type="joint_angle", points=("work.hip", "work.knee", "work.ankle")
)


def make_spec(**fields: Any) -> ExerciseSpec:
    """A small valid spec: a standing knee bend counted on ``knee``.

    Any field of :class:`ExerciseSpec` can be replaced by a keyword.
    """
    base: dict[str, Any] = {
        "id": "knee_bend",
        "name": "Knee bend",
        "description": "A spec built in code for the engine tests.",
        "kind": "reps",
        "posture": "standing",
        "camera": CameraSpec(
            view="side", height_m=(0.5, 1.0), distance_m=(2.0, 3.0), framing="Side-on."
        ),
        "signals": {"knee": KNEE},
        "reps": RepSpec(
            signal="knee",
            direction="down",
            enter=100.0,
            exit=150.0,
            min_amplitude=10.0,
            min_duration_s=0.8,
            min_active_s=0.2,
        ),
        "safety": SafetySpec(before="Warm up first.", stop_if="Pain spreads."),
    }
    base.update(fields)
    return ExerciseSpec(**base)


def rule(**fields: Any) -> RuleSpec:
    """A frame rule on ``knee`` (override any field)."""
    base: dict[str, Any] = {"id": "too_deep", "signal": "knee", "min": 70.0}
    base["cue"] = f"Cue of {fields.get('id', base['id'])}."
    base.update(fields)
    return RuleSpec(**base)


def body_points(
    knee_deg: float = 175.0,
    *,
    right_knee_deg: float | None = None,
    x: float = 300.0,
    scale: float = 1.0,
    frontal: bool = False,
    facing: float = 1.0,
) -> dict[L, tuple[float, float]]:
    """A standing stick figure, side-on (or ``frontal``), near side left.

    Args:
        knee_deg: Interior hip-knee-ankle angle of the left knee (the thigh
            hangs straight down, the shin swings backwards as it bends).
        right_knee_deg: The right knee's angle (default: as the left).
        x: Horizontal position of the body in pixels.
        scale: Size of the body (1 = a torso of :data:`TORSO_PX`).
        frontal: Face the camera (shoulders and hips wide) instead of side-on.
        facing: +1 to face image-right (toes to the right), -1 to face left.
    """
    pts: dict[L, tuple[float, float]] = {}
    half_width = 50.0 if frontal else 2.0
    for side, sign in (("LEFT", -1.0), ("RIGHT", 1.0)):
        deg = knee_deg if side == "LEFT" or right_knee_deg is None else right_knee_deg
        a = math.radians(deg)
        dx = sign * half_width
        shoulder = (x + dx, 100.0)
        hip = (x + dx, 100.0 + TORSO_PX)
        knee = (x + dx, hip[1] + 100.0)
        ankle = (
            knee[0] - facing * 100.0 * math.sin(a),
            knee[1] - 100.0 * math.cos(a),
        )
        for name, p in {
            "SHOULDER": shoulder,
            "HIP": hip,
            "KNEE": knee,
            "ANKLE": ankle,
            "HEEL": (ankle[0] - facing * 8.0, ankle[1] + 4.0),
            "FOOT_INDEX": (ankle[0] + facing * 25.0, ankle[1] + 4.0),
            "ELBOW": (shoulder[0], shoulder[1] + 60.0),
            "WRIST": (shoulder[0], shoulder[1] + 120.0),
            "EAR": (shoulder[0] + facing * 5.0, shoulder[1] - 40.0),
        }.items():
            pts[L[f"{side}_{name}"]] = p
    pts[L.NOSE] = (x + facing * 20.0, 55.0)
    # Scale about the hips (as if the camera zoomed in on them).
    hip_y = 100.0 + TORSO_PX
    return {
        lm: (x + (px - x) * scale, hip_y + (py - hip_y) * scale)
        for lm, (px, py) in pts.items()
    }


def body_frame(t_s: float, **kw: Any) -> PoseFrame:
    """One frame of :func:`body_points` at ``t_s`` seconds.

    Keyword arguments of :func:`make_frame` (``num_people``, ``hidden``,
    ``visibility``) pass through; the rest go to :func:`body_points`.
    """
    frame_kw = {k: kw.pop(k) for k in ("num_people", "hidden", "visibility") if k in kw}
    return make_frame(body_points(**kw), timestamp_ms=t_s * 1000.0, **frame_kw)


def side_visibility(frame: PoseFrame, vis: dict[Side, float]) -> PoseFrame:
    """The frame with the visibility of each side's landmarks replaced."""
    visibility = frame.visibility.copy()
    for lm in L:
        for side, value in vis.items():
            if lm.name.startswith(side.name + "_"):
                visibility[lm] = value
    return PoseFrame(
        xy=frame.xy,
        visibility=visibility,
        timestamp_ms=frame.timestamp_ms,
        frame_index=frame.frame_index,
        resolution_wh=frame.resolution_wh,
        num_people=frame.num_people,
    )


def times(seconds: float, fps: float = 20.0, start_s: float = 0.0) -> list[float]:
    """Frame times of ``seconds`` at ``fps`` (20 fps: exact 50 ms steps)."""
    n = round(seconds * fps)
    return [start_s + i / fps for i in range(n)]

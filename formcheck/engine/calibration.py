"""Calibration: the start pose that signals are measured against.

Some signals are heights above the floor, distances in body lengths or
changes from the start pose. :class:`Calibrator` waits until the person holds
the start pose still for ``calibration.still_s``, then fixes the floor line,
the body lengths and every signal's start value. A set never waits forever:
when no still start comes within :data:`FALLBACK_S` of being in position, it
calibrates from the frames seen at the resting end of the movement and says
so (:attr:`Calibrator.method`). It also builds the
:class:`~formcheck.signals.BodyContext` that resolves points and units, since
it owns the floor and the lengths.
"""

from __future__ import annotations

import copy
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from formcheck import geometry
from formcheck.landmarks import Side, landmark_index
from formcheck.signals import (
    BodyContext,
    body_lengths_px,
    missing_parts,
    raw_signals,
    resolve_point,
)
from formcheck.specs.schema import ExerciseSpec
from formcheck.types import PoseFrame

#: A fitted floor tilted more than this is not believed.
MAX_FLOOR_TILT_DEG = 25.0
#: Seconds since the person was first seen in the start position without a
#: still start before calibrating from what has been seen...
FALLBACK_S = 5.0
#: ...when they were in the start position at least this long in all...
_FALLBACK_MIN_READY_S = 0.5
#: ...from their frames in the start position of the last this many seconds...
_FALLBACK_WINDOW_S = 10.0
#: (away from the start position longer than this starts the wait afresh)...
_FALLBACK_GAP_S = 2.0
#: ...nearest the resting end of the movement (this share of them).
_FALLBACK_SHARE = 0.25


class CalibrationMethod(StrEnum):
    """How the start pose was obtained."""

    STILL = "still"
    FALLBACK = "fallback"


_STILL_PARTS = ("shoulder", "hip")


def _nanmedian(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.median(finite)) if finite else math.nan


@dataclass
class _State:
    done: bool = False
    # No floor before calibration: heights above it are unknown, not guessed.
    floor_point: npt.NDArray[np.float64] = field(
        default_factory=lambda: np.array([math.nan, math.nan])
    )
    floor_dir: npt.NDArray[np.float64] = field(
        default_factory=lambda: geometry.IMAGE_RIGHT.copy()
    )
    lengths_px: dict[str, float] = field(default_factory=dict)
    start_values: dict[Side | None, dict[str, float]] = field(default_factory=dict)
    at_s: float = math.nan
    method: CalibrationMethod | None = None


class Calibrator:
    """Finds the still start pose and keeps what was measured in it.

    Args:
        spec: The exercise spec (its ``calibration`` section and signals).
        assignments: The side assignments signals are computed for (``[None]``,
            or left and right for alternating exercises).
        order: Signal names in computation order.
        fixed: The fixed working side, if any.
        rest_key: How far a frame is from the resting end of the movement
            (smaller = more at rest), for the fallback; ``None``: the
            stillest frames are used.
    """

    def __init__(
        self,
        spec: ExerciseSpec,
        assignments: list[Side | None],
        order: list[str],
        fixed: Side | None,
        rest_key: Callable[[PoseFrame, BodyContext], float] | None = None,
    ) -> None:
        self._spec = spec
        self._assignments = assignments
        self._order = order
        self._fixed = fixed
        self._rest_key = rest_key
        self._state = _State()
        self._still: deque[tuple[float, PoseFrame]] = deque()
        self._seen: deque[tuple[float, PoseFrame]] = deque()
        self._ready_s = 0.0
        self._last_ready_t: float | None = None
        self._rest_seen_t: float | None = None

    @property
    def done(self) -> bool:
        """Whether the start pose has been calibrated."""
        return self._state.done

    def start_values(self, assignment: Side | None) -> dict[str, float] | None:
        """Every signal's value in the start pose (``None`` before calibration)."""
        return self._state.start_values.get(assignment) if self._state.done else None

    @property
    def rest_seen_s(self) -> float | None:
        """When the person was last seen at rest in the start position.

        After a still start, the calibration's time; after a fallback, the
        newest of the frames nearest rest it used (a movement under way then
        began after it).
        """
        return self._rest_seen_t

    @property
    def method(self) -> CalibrationMethod | None:
        """How the start pose was obtained (``None`` before calibration)."""
        return self._state.method

    def reset(self) -> None:
        """Forget the calibration (e.g. after a camera cut)."""
        self._state = _State()
        self._still.clear()
        self._seen.clear()
        self._ready_s = 0.0
        self._last_ready_t = None
        self._rest_seen_t = None

    def adopt(self, other: Calibrator) -> None:
        """Take over another calibrator's start pose (e.g. from positioning)."""
        if other.done:
            self._state = copy.deepcopy(other._state)

    def context(
        self,
        assignment: Side | None,
        near: Side,
        forward_sign: float,
        calibrated: bool | None = None,
    ) -> BodyContext:
        """The body context for one side assignment.

        Args:
            assignment: The working side for alternating exercises, else ``None``.
            near: The side facing the camera.
            forward_sign: +1 if the body faces image-right.
            calibrated: Use the calibrated body lengths (default: when done).
        """
        state = self._state
        use_lengths = state.done if calibrated is None else calibrated
        return BodyContext(
            near=near,
            work=assignment or self._fixed or near,
            floor_point=state.floor_point,
            floor_dir=state.floor_dir,
            forward_sign=forward_sign,
            lengths_px=state.lengths_px if use_lengths else {},
            min_visibility=self._spec.min_visibility,
        )

    def update(
        self,
        frame: PoseFrame,
        t: float,
        ready: bool,
        near: Side | None,
        forward_sign: float,
        in_posture: bool | None = None,
    ) -> bool:
        """Feed a frame while not calibrated.

        Args:
            frame: The pose.
            t: Its time in seconds.
            ready: The person is in the start position (resting, every
                posture gate and setup check passing).
            near: The side facing the camera, if known.
            forward_sign: +1 if the body faces image-right.
            in_posture: The exercise's posture gates pass (default: ``ready``):
                someone already moving out of the start position but still in
                the exercise's posture may be calibrated from the frames in
                which they were in it (see :data:`FALLBACK_S`).

        Returns:
            True when this frame completed the calibration.
        """
        cal = self._spec.calibration
        near_side = near or Side.LEFT
        ctx = BodyContext(near=near_side, min_visibility=self._spec.min_visibility)
        refs = list(cal.floor.points) or ["mid.shoulder", "mid.hip"]
        visible = frame.has_person and not missing_parts(frame, refs, ctx)
        ok = visible and ready
        if ok:
            self._note_ready(frame, t)
        if ok and self._still:
            ok = self._still_enough(frame, t, ctx)
        if not ok:
            self._still.clear()
            in_posture = ready if in_posture is None else in_posture
            return visible and in_posture and self._fallback(near_side, forward_sign, t)
        self._still.append((t, frame))
        if t - self._still[0][0] < cal.still_s:
            return self._fallback(near_side, forward_sign, t)
        self._calibrate([f for _, f in self._still], near_side, forward_sign, t)
        self._state.method = CalibrationMethod.STILL
        self._rest_seen_t = t
        self._still.clear()
        return True

    def _note_ready(self, frame: PoseFrame, t: float) -> None:
        if self._last_ready_t is not None and t - self._last_ready_t > _FALLBACK_GAP_S:
            self._seen.clear()  # back after a while: wait afresh
            self._ready_s = 0.0
            self._last_ready_t = None
        if self._last_ready_t is not None:
            self._ready_s += t - self._last_ready_t
        self._last_ready_t = t
        self._seen.append((t, frame))
        while self._seen and t - self._seen[0][0] > _FALLBACK_WINDOW_S:
            self._seen.popleft()

    def _fallback(self, near: Side, forward_sign: float, t: float) -> bool:
        """No still start came: calibrate from the frames nearest rest.

        Someone who starts moving within a second of getting into position
        (or who never keeps still) is calibrated from the frames in which they
        were seen in the start position, once that was long enough ago.
        """
        if (
            len(self._seen) < 3
            or t - self._seen[0][0] < FALLBACK_S
            or self._ready_s < _FALLBACK_MIN_READY_S
        ):
            return False
        seen = list(self._seen)
        if self._rest_key is not None:
            ctx = self.context(None, near, forward_sign, calibrated=False)
            keys = np.array([self._rest_key(f, ctx) for _, f in seen])
            finite = np.isfinite(keys)
            if finite.sum() >= 3:
                limit = float(np.quantile(keys[finite], _FALLBACK_SHARE))
                seen = [s for s, k in zip(seen, keys, strict=True) if k <= limit]
        self._calibrate([f for _, f in seen], near, forward_sign, t)
        self._state.method = CalibrationMethod.FALLBACK
        self._rest_seen_t = max(when for when, _ in seen)
        self._still.clear()
        return True

    def _still_enough(self, frame: PoseFrame, t: float, ctx: BodyContext) -> bool:
        prev_t, prev = self._still[-1]
        dt = t - prev_t
        torso = body_lengths_px(frame, ctx)["torso"]
        if not (dt > 0 and torso > 0):
            return True
        core = [landmark_index(p, s) for p in _STILL_PARTS for s in Side]
        speed = (
            np.nanmax(np.linalg.norm(frame.xy[core] - prev.xy[core], axis=1))
            / dt
            / torso
        )
        return bool(np.isfinite(speed) and speed <= self._spec.calibration.max_motion)

    def _calibrate(
        self, frames: list[PoseFrame], near: Side, forward_sign: float, t: float
    ) -> None:
        spec = self._spec
        state = self._state
        base = BodyContext(
            near=near, work=self._fixed or near, min_visibility=spec.min_visibility
        )
        floor = spec.calibration.floor
        if floor.method == "fit":
            pts = np.array(
                [
                    np.median([resolve_point(f, r, base) for f in frames], axis=0)
                    for r in floor.points
                ]
            )
            centre, direction = geometry.support_line(pts)
            tilt_deg = math.degrees(math.atan2(abs(direction[1]), abs(direction[0])))
            if np.isfinite(direction).all() and tilt_deg <= MAX_FLOOR_TILT_DEG:
                state.floor_point, state.floor_dir = centre, direction
            else:
                # An implausible floor (a raised, tilted camera or a pose that is
                # not the start pose): fall back to the image horizontal.
                state.floor_point = np.array([0.0, float(np.nanmax(pts[:, 1]))])
        else:
            ys = [np.nanmax(f.xy[:, 1]) for f in frames]
            state.floor_point = np.array([0.0, float(np.median(ys))])
        lengths = [body_lengths_px(f, base) for f in frames]
        state.lengths_px = {
            k: _nanmedian([length[k] for length in lengths]) for k in lengths[0]
        }
        for a in self._assignments:
            ctx = self.context(a, near, forward_sign, calibrated=True)
            values = [raw_signals(spec, f, ctx, self._order) for f in frames]
            state.start_values[a] = {
                k: _nanmedian([v[k] for v in values]) for k in self._order
            }
        state.done = True
        state.at_s = t

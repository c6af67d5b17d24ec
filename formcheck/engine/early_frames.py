"""Frames seen before the start pose was known, looked at again once it is.

Someone may already be holding the pose (lying down and pulling the knee in
straight away) before formcheck could calibrate the floor and their body
lengths. :class:`EarlyFrames` keeps those frames (the last
:data:`WINDOW_S`), and :func:`hold_seen_since` judges the hold rules on them
again with the calibration, the same smoothing and the same stillness as
live, to say since when the hold has been under way.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence

from formcheck.engine.holds import pose_held_since
from formcheck.engine.rules import in_bounds
from formcheck.engine.tracking import SignalTracker
from formcheck.landmarks import Side
from formcheck.signals import BodyContext, signal_order
from formcheck.specs.schema import ExerciseSpec, RuleSpec
from formcheck.types import PoseFrame

#: Seconds of frames kept while the start pose is not known yet.
WINDOW_S = 15.0


class EarlyFrames:
    """The frames of the last :data:`WINDOW_S` before calibration."""

    def __init__(self) -> None:
        self._frames: deque[PoseFrame] = deque()

    def remember(self, frame: PoseFrame, t: float) -> None:
        """Keep one frame (seen at ``t`` seconds); forget those too old."""
        self._frames.append(frame)
        while t - self._frames[0].timestamp_ms / 1000.0 > WINDOW_S:
            self._frames.popleft()

    def take(self) -> list[PoseFrame]:
        """The frames kept, oldest first; the store is empty afterwards."""
        frames = list(self._frames)
        self._frames.clear()
        return frames

    def clear(self) -> None:
        """Forget every frame (after a camera cut)."""
        self._frames.clear()


def hold_seen_since(
    spec: ExerciseSpec,
    frames: Sequence[PoseFrame],
    rules: Sequence[RuleSpec],
    context: tuple[Side | None, BodyContext, dict[str, float] | None],
    speed_limits: Mapping[str, float | None],
    now_s: float,
) -> float | None:
    """Since when the hold pose has been right, judged on ``frames``.

    Args:
        spec: The exercise spec.
        frames: The frames kept before calibration, oldest first.
        rules: The rules that define the hold.
        context: The side assignment, its calibrated body context and start
            values.
        speed_limits: Per signal, the largest speed still counted as still.
        now_s: The time now: the pose must have been right up to it.

    Returns:
        When the pose was first seen right and still, if it has been right
        (wobble aside) since; else ``None``.
    """
    side, ctx, start = context
    replay = SignalTracker(spec, [side], signal_order(spec))
    samples: list[tuple[float, bool | None]] = []
    still: list[bool] = []
    for f in frames:
        t = f.timestamp_ms / 1000.0
        values = replay.update(f, t, {side: ctx}, lambda _: start)[side]
        seen = [values.get(r.signal, math.nan) for r in rules]
        in_pose = (
            all(in_bounds(r, v) for r, v in zip(rules, seen, strict=True))
            if all(math.isfinite(v) for v in seen)
            else None
        )
        samples.append((t, in_pose))
        still.append(replay.is_still(side, t, speed_limits) is True)
    since = pose_held_since(samples, now_s)
    if since is None:
        return None
    # As live: a hold starts once the person stopped moving into the pose.
    return next(
        (
            t
            for (t, in_pose), ok in zip(samples, still, strict=True)
            if t >= since and in_pose and ok
        ),
        None,
    )

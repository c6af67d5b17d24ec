"""Who else is in view: the multi-person model's people, less the tracked one.

Pure geometry on landmarks (no model here): the MediaPipe backend finds
everyone in a still frame now and then (:func:`look_slot` says when), and
:func:`others_than` tells the person being tracked apart from anyone else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import TORSO

#: A person found by the multi-person model is the tracked one when their
#: visible landmarks lie within this share of the tracked torso length.
SAME_PERSON = 0.5
#: ... or when this share of their box lies inside the tracked person's box.
SAME_BOX = 0.7
MIN_VISIBILITY = 0.5


def look_slot(timestamp_ms: float, every_ms: float) -> float:
    """The stretch of video time a frame belongs to, for looking at everyone.

    The backend looks for everyone in view on the first frame of each slot
    it is given. Slots lie on a fixed grid of video time (``every_ms`` long,
    from time 0), not ``every_ms`` after the previous look, so a model started
    part-way through a video (a parallel chunk, warmed up for more than one
    slot) looks at the same frames as one that saw the video from its start.

    Args:
        timestamp_ms: The frame's time in the video.
        every_ms: Slot length; 0 or less looks at every frame.

    Returns:
        A number that changes exactly when a new slot begins.

    Example:
        >>> [look_slot(t, 1000.0) for t in (0.0, 999.9, 1000.0, 2500.0)]
        [0.0, 0.0, 1.0, 2.0]
    """
    if every_ms <= 0.0:
        return timestamp_ms  # timestamps increase: every frame is a new slot
    return float(math.floor(timestamp_ms / every_ms))


@dataclass(frozen=True, eq=False)
class Person:
    """One person found in a still image: ``(33, 2)`` pixels and visibility."""

    xy: npt.NDArray[np.float32]
    visibility: npt.NDArray[np.float32]


def _box(
    xy: npt.NDArray[np.float32], visible: npt.NDArray[np.bool_]
) -> tuple[float, ...]:
    points = xy[visible & np.isfinite(xy).all(axis=1)]
    if not len(points):
        return (math.nan,) * 4
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def _inside_share(inner: tuple[float, ...], outer: tuple[float, ...]) -> float:
    """Share of box ``inner``'s area that lies inside box ``outer``."""
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    width = min(inner[2], outer[2]) - max(inner[0], outer[0])
    height = min(inner[3], outer[3]) - max(inner[1], outer[1])
    if not (area > 0 and width > 0 and height > 0):
        return 0.0
    return width * height / area


def others_than(
    people: list[Person],
    xy: npt.NDArray[np.float32],
    visibility: npt.NDArray[np.float32],
) -> list[Person]:
    """``people`` without the tracked person and without second fits of them.

    The multi-person model may fit one body twice, differently from the
    tracker (a limb taken for another); a "person" whose box lies almost
    wholly inside the tracked person's box is such a second fit. The tracked
    person is the one found nearest to the tracker's landmarks, or, when the
    two models fit the body too differently for that (someone getting up from
    the floor), the one whose box holds the tracked person's box.
    """
    tracked_box = _box(xy, visibility >= MIN_VISIBILITY)
    boxes = [_box(p.xy, p.visibility >= MIN_VISIBILITY) for p in people]
    kept = [i for i, b in enumerate(boxes) if _inside_share(b, tracked_box) < SAME_BOX]
    seen = visibility >= MIN_VISIBILITY
    left_shoulder, right_shoulder, left_hip, right_hip = TORSO
    shoulders = np.nanmean(xy[[left_shoulder, right_shoulder]], axis=0)
    hips = np.nanmean(xy[[left_hip, right_hip]], axis=0)
    torso = float(np.linalg.norm(shoulders - hips))
    if not (torso > 0 and seen.any()):
        return [people[i] for i in kept]
    best, best_distance = None, math.inf
    for i in kept:
        both = seen & (people[i].visibility >= MIN_VISIBILITY)
        if not both.any():
            continue
        distance = float(
            np.median(np.linalg.norm(people[i].xy[both] - xy[both], axis=1))
        )
        if distance < best_distance:
            best, best_distance = i, distance
    if best is not None and best_distance <= SAME_PERSON * torso:
        return [people[i] for i in kept if i != best]
    if len(kept) < len(people):
        return [people[i] for i in kept]  # the tracked person was found (inside)
    holding = [i for i in kept if _inside_share(tracked_box, boxes[i]) >= SAME_BOX]
    best = max(
        holding, key=lambda i: _inside_share(boxes[i], tracked_box), default=None
    )
    return [people[i] for i in kept if i != best]

"""The 33 BlazePose landmarks and the names specs use to refer to them.

Specs never use raw indices. A point reference is ``<prefix>.<part>``:

========== ===============================================================
prefix     meaning
========== ===============================================================
``left``   the subject's anatomical left (``left.knee`` = landmark 25)
``right``  the subject's anatomical right
``near``   the side facing the camera (resolved per set, or per rep)
``far``    the side away from the camera
``work``   the working limb: the painful side, or the limb moving this rep
``other``  the side opposite ``work``
``mid``    the midpoint of left and right (``mid.hip``)
========== ===============================================================

A bare face point (``nose``) needs no prefix.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Final

NUM_LANDMARKS: Final = 33


class Side(StrEnum):
    """A side of the body (the subject's anatomical left or right)."""

    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        """The opposite side."""
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


SIDES: Final[tuple[Side, Side]] = (Side.LEFT, Side.RIGHT)


class Landmark(IntEnum):
    """BlazePose landmark indices (same names as MediaPipe's ``PoseLandmark``)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


#: Body parts that exist on both sides, by their side-free spec name.
SIDED_PARTS: Final[frozenset[str]] = frozenset(
    {
        "eye_inner",
        "eye",
        "eye_outer",
        "ear",
        "mouth",
        "shoulder",
        "elbow",
        "wrist",
        "pinky",
        "index",
        "thumb",
        "hip",
        "knee",
        "ankle",
        "heel",
        "foot_index",
    }
)

#: Parts with no side.
CENTRE_PARTS: Final[frozenset[str]] = frozenset({"nose"})

PREFIXES: Final[frozenset[str]] = frozenset(
    {"left", "right", "near", "far", "work", "other", "mid"}
)

#: Skeleton edges for drawing (pairs of landmark indices).
SKELETON_EDGES: Final[tuple[tuple[int, int], ...]] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
    (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31),
    (24, 26), (26, 28), (28, 30), (30, 32), (28, 32),
    (0, 7), (0, 8), (7, 11), (8, 12),
)  # fmt: skip


#: The torso corners: left and right shoulder, left and right hip.
TORSO: Final[tuple[Landmark, Landmark, Landmark, Landmark]] = (
    Landmark.LEFT_SHOULDER,
    Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_HIP,
    Landmark.RIGHT_HIP,
)


def landmark_index(part: str, side: Side | str) -> int:
    """Return the landmark index of a sided body part.

    Args:
        part: Side-free part name, e.g. ``"knee"``.
        side: ``"left"`` or ``"right"``.

    Returns:
        The BlazePose index.

    Raises:
        KeyError: If ``part`` is not a sided part.
    """
    if part not in SIDED_PARTS:
        raise KeyError(part)
    name = f"{side}_{part}".upper()
    if part == "mouth":
        name = f"MOUTH_{side}".upper()
    return int(Landmark[name])


def opposite(side: Side | str) -> Side:
    """Return the other side."""
    return Side.RIGHT if side == Side.LEFT else Side.LEFT


def side_of(value: str | None) -> Side | None:
    """``Side`` for ``"left"``/``"right"`` (e.g. from a spec or a file), else ``None``."""
    if value == Side.LEFT:
        return Side.LEFT
    if value == Side.RIGHT:
        return Side.RIGHT
    return None


def core_indices(side: Side | str) -> tuple[int, int, int, int]:
    """Shoulder, hip, knee and ankle of one side: the body's main chain."""
    return (
        landmark_index("shoulder", side),
        landmark_index("hip", side),
        landmark_index("knee", side),
        landmark_index("ankle", side),
    )


def validate_point_ref(ref: str) -> str:
    """Check a spec point reference such as ``near.knee`` or ``nose``.

    Args:
        ref: The reference as written in the spec.

    Returns:
        The reference, unchanged.

    Raises:
        ValueError: With a message naming the allowed prefixes or parts.
    """
    if ref in CENTRE_PARTS:
        return ref
    prefix, dot, part = ref.partition(".")
    if not dot:
        raise ValueError(
            f"point '{ref}' needs a prefix: one of {sorted(PREFIXES)} "
            f"followed by a part, e.g. 'near.knee'"
        )
    if prefix not in PREFIXES:
        raise ValueError(
            f"point '{ref}': unknown prefix '{prefix}', expected one of {sorted(PREFIXES)}"
        )
    if part not in SIDED_PARTS:
        raise ValueError(
            f"point '{ref}': unknown body part '{part}', expected one of "
            f"{sorted(SIDED_PARTS)}"
        )
    return ref

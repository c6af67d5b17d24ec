"""Which way up a video's frames are meant to be shown.

Phones store portrait video as landscape frames plus a display matrix (shown
by tools as a ``rotate`` tag of 90 or 270). FFmpeg attaches the matrix to every
decoded frame; :func:`read_orientation` reads it with PyAV and
:meth:`Orientation.apply` turns a stored frame upright.

Example:
    >>> tag_90 = [0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30]  # "rotate=90"
    >>> Orientation.from_display_matrix(tag_90).rotation_cw_deg
    90
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

ImageBGR = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Orientation:
    """How to turn a stored frame upright (a display matrix, in whole quarter turns).

    Applied in this order: transpose (swap rows and columns), then mirror
    left-right, then flip upside down. Every rotation by a multiple of 90°,
    with or without a mirror, is one such combination.

    Attributes:
        transpose: Swap the image axes (a quarter turn, with a flip).
        mirror_x: Mirror left-right after the transpose.
        flip_y: Flip upside down after the transpose.
    """

    transpose: bool = False
    mirror_x: bool = False
    flip_y: bool = False

    @property
    def is_identity(self) -> bool:
        """Whether stored frames are already upright."""
        return not (self.transpose or self.mirror_x or self.flip_y)

    @property
    def mirrored(self) -> bool:
        """Whether the turn includes a left-right mirror (after the rotation)."""
        if self.transpose:
            return self.mirror_x == self.flip_y
        return self.mirror_x != self.flip_y

    @property
    def rotation_cw_deg(self) -> int:
        """Clockwise rotation applied to stored frames (0, 90, 180 or 270).

        With :attr:`mirrored`, the mirror comes after this rotation.
        """
        if self.transpose:
            return 270 if self.flip_y else 90
        return 180 if self.flip_y else 0

    @classmethod
    def from_display_matrix(cls, matrix: Sequence[int]) -> Orientation:
        """Read FFmpeg's 3x3 display matrix (16.16 fixed point, row-major).

        A stored pixel ``(x, y)`` is shown at ``(a*x + c*y, b*x + d*y)`` (plus
        an offset) with ``a, b, c, d = matrix[0], matrix[1], matrix[3],
        matrix[4]``. Angles that are not quarter turns snap to the nearest one.

        Args:
            matrix: The nine integers of ``AV_FRAME_DATA_DISPLAYMATRIX``.

        Returns:
            The orientation (identity for a degenerate matrix).
        """
        if len(matrix) != 9:
            return cls()
        a, b, c, d = (float(matrix[i]) for i in (0, 1, 3, 4))
        if max(abs(a), abs(b), abs(c), abs(d)) == 0.0:
            return cls()
        if abs(a) + abs(d) >= abs(b) + abs(c):
            return cls(transpose=False, mirror_x=a < 0, flip_y=d < 0)
        return cls(transpose=True, mirror_x=c < 0, flip_y=b < 0)

    def apply(self, image: ImageBGR) -> ImageBGR:
        """Turn a stored ``(H, W, 3)`` frame upright."""
        if self.is_identity:
            return image
        out: Any = cv2.transpose(image) if self.transpose else image
        if self.mirror_x and self.flip_y:
            out = cv2.flip(out, -1)
        elif self.mirror_x:
            out = cv2.flip(out, 1)
        elif self.flip_y:
            out = cv2.flip(out, 0)
        return np.ascontiguousarray(out, dtype=np.uint8)


def read_orientation(path: str | Path) -> Orientation:
    """How the frames of a video must be turned to look as a player shows them.

    Reads the display matrix (the ``rotate`` tag of phone videos) that FFmpeg
    attaches to the first decoded frame.

    Args:
        path: Video file.

    Returns:
        The orientation; identity when the file has no display matrix or
        cannot be read by PyAV.
    """
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                side_data: Any = frame.side_data  # typed as a TypedDict in av
                try:
                    matrix = side_data["DISPLAYMATRIX"]
                except KeyError:
                    return Orientation()
                raw = np.frombuffer(bytes(matrix), dtype="<i4")
                return Orientation.from_display_matrix(raw.tolist())
    except (av.FFmpegError, OSError, ValueError, IndexError):
        pass
    return Orientation()

"""What video input and output share: the image type and sane frame rates."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

ImageBGR = npt.NDArray[np.uint8]

#: Frame rate assumed when a container reports none (0, NaN or absurd).
DEFAULT_FPS = 30.0
#: The highest frame rate believed.
MAX_SANE_FPS = 1000.0


def as_u8(image: Any) -> ImageBGR:
    """Type an OpenCV result as a uint8 image (no copy when it already is)."""
    return np.asarray(image, dtype=np.uint8)


def sane_fps(value: float) -> bool:
    """Whether a frame rate is finite, positive and at most :data:`MAX_SANE_FPS`."""
    return math.isfinite(value) and 0.0 < value <= MAX_SANE_FPS

"""What video input and output share: the image type, sane frame rates, the path check.

Light on purpose (no OpenCV, no PyAV): the command line uses it before the
pose model starts.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.errors import VideoError

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


def check_video_path(path: Path) -> os.stat_result:
    """Refuse a path that cannot be a video, without opening it.

    Args:
        path: The video file.

    Returns:
        The file's status (size, modification time).

    Raises:
        VideoError: If ``path`` does not exist, is a directory or is empty.
    """
    if not path.exists():
        raise VideoError(f"{path}: no such file")
    if path.is_dir():
        raise VideoError(f"{path}: is a directory, not a video file")
    stat = path.stat()
    if stat.st_size == 0:
        raise VideoError(f"{path}: empty file (0 bytes), contains no frames")
    return stat

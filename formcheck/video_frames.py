"""What video input and output share: the image type, sane frame rates, the path check.

Light on purpose (no OpenCV, no PyAV): the command line uses it before the
pose model starts.
"""

from __future__ import annotations

import errno
import math
import os
import stat
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
        VideoError: If ``path`` does not exist, cannot be reached or read,
            is a directory or another kind of non-file (a pipe, a device),
            or is empty.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise VideoError(f"{path}: a link to a file that does not exist") from None
        raise VideoError(f"{path}: no such file") from None
    except PermissionError:
        raise VideoError(
            f"{path}: permission denied (a folder on the way cannot be opened)"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise VideoError(f"{path}: a loop of symbolic links") from None
        raise VideoError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(status.st_mode):
        raise VideoError(f"{path}: is a directory, not a video file")
    if not stat.S_ISREG(status.st_mode):
        raise VideoError(f"{path}: not a regular file (a pipe or a device?)")
    if status.st_size == 0:
        raise VideoError(f"{path}: empty file (0 bytes), contains no frames")
    if not os.access(path, os.R_OK):
        raise VideoError(f"{path}: permission denied (the file cannot be read)")
    return status

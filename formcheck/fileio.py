"""Atomic file writes: a file is replaced whole or not at all.

Every writer in formcheck goes through here: the data goes to a temporary
file in the destination's own folder (same file system), is flushed to disk,
and is renamed over the destination only when complete. A crash, a full disk
or an interrupted run never leaves a half-written file where a good one was,
and never leaves the temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def _temp_beside(path: Path) -> tuple[int, str]:
    """A temporary file in ``path``'s folder, with the mode a new file gets."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _FILE_MODE)
    return fd, tmp


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file + rename).

    Raises:
        OSError: If the folder cannot be written; the destination is then
            unchanged and no temporary file is left behind.
    """
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_create_text(path: Path, text: str) -> bool:
    """Create ``path`` with ``text`` atomically, only if it does not exist yet.

    The file appears complete or not at all, and an existing file is never
    replaced (two writers racing for one name: exactly one wins).

    Returns:
        ``False`` if ``path`` already existed (nothing was written).

    Raises:
        OSError: If the folder cannot be written.
    """
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)

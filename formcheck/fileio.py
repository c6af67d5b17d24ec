"""Atomic file writes: a file is replaced whole or not at all.

Every writer in formcheck goes through here: the data goes to a temporary
file in the destination's own folder (same file system), is flushed to disk,
and is renamed over the destination only when complete. A crash, a full disk
or an interrupted run never leaves a half-written file where a good one was,
and never leaves the temporary file behind (a process killed outright can
leave a hidden ``.<name>.<random>.tmp``, never a partial ``<name>``).

:func:`exclusive_run` lets one process at a time write a set of outputs: a
second run that wants the same names is refused at once instead of
overwriting the first one's files.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from formcheck.errors import AlreadyRunning, OutputError

#: Bytes of the destination's name kept in a temporary file's name, so that
#: the temporary name stays within the usual 255-byte limit.
_NAME_KEPT = 100


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def _temp_beside(path: Path) -> tuple[int, str]:
    """A temporary file in ``path``'s folder, with the mode a new file gets."""
    kept = path.name.encode("utf-8", "surrogateescape")[:_NAME_KEPT]
    prefix = f".{kept.decode('utf-8', 'ignore')}."
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _FILE_MODE)
    return fd, tmp


def temp_path_beside(path: Path) -> Path:
    """Create an empty temporary file beside ``path`` and return its path.

    For writers that need a file name rather than a handle (e.g. a video
    encoder). Publish it with :func:`publish` or remove it with
    :func:`discard`.

    Raises:
        OSError: If the folder cannot be written.
    """
    fd, tmp = _temp_beside(path)
    os.close(fd)
    return Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """Flush ``tmp`` to disk and rename it over ``path`` (atomically).

    Raises:
        OSError: If it cannot be flushed or renamed; ``tmp`` is then removed
            and ``path`` is unchanged.
    """
    try:
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)
        raise


def discard(tmp: Path) -> None:
    """Remove a temporary file (nothing happens if it is gone already)."""
    with contextlib.suppress(OSError):
        tmp.unlink()


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[Any]:
    """A binary file handle whose content replaces ``path`` when the block ends.

    If the block raises, ``path`` is unchanged and the temporary file is
    removed.

    Raises:
        OSError: If the folder cannot be written.
    """
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        discard(Path(tmp))
        raise


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


def atomic_create_bytes(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` atomically, only if it does not exist yet.

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
            handle.write(data)
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


def atomic_create_text(path: Path, text: str) -> bool:
    """Like :func:`atomic_create_bytes`, for UTF-8 ``text``."""
    return atomic_create_bytes(path, text.encode("utf-8"))


def _lock_file(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; ``False`` if taken."""
    if sys.platform == "win32":  # pragma: no cover - no advisory locks there
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def exclusive_run(lock: Path, busy_message: str | Callable[[], str]) -> Iterator[None]:
    """Hold ``lock`` while the block runs; refuse at once if another run holds it.

    The lock is the operating system's (``flock``): it is released when the
    block ends and also when the process dies, however it dies, so a killed
    run never leaves a stale lock. The lock file is removed at the end.

    Args:
        lock: The lock file (e.g. ``out/.clip.lock``); its folder must exist.
        busy_message: The :class:`AlreadyRunning` message when it is held
            (or what makes it, called only then).

    Raises:
        AlreadyRunning: If another process holds the lock.
        OutputError: If the lock file cannot be created.
    """
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, _FILE_MODE)
        except OSError as exc:
            raise OutputError(
                f"{lock.parent}: output folder cannot be written "
                f"({exc.strerror or exc})"
            ) from None
        if not _lock_file(fd):
            os.close(fd)
            raise AlreadyRunning(
                busy_message if isinstance(busy_message, str) else busy_message()
            )
        # The run before may have removed the file between our open and lock.
        try:
            current = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)

"""The output files of an analysis: their folder, their names, and who writes them.

Light on purpose (no engine, no pydantic): ``formcheck analyze`` checks the
folder and takes its lock before it starts the pose model.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from formcheck.errors import OutputError
from formcheck.fileio import exclusive_run

#: Longest output file stem (bytes): with the longest ending
#: (``.landmarks.npz``) or as a lock file (``.<stem>.lock``) it still fits a
#: 255-byte file name.
MAX_STEM_BYTES = 200


def check_output_folder(folder: str | Path) -> Path:
    """Create the output folder if needed and check it can be written.

    Raises:
        OutputError: Naming the folder and the problem.
    """
    out = Path(folder)
    try:
        if out.is_symlink() and not out.exists():
            raise OutputError(f"{out}: output folder is a link to nothing")
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out}: is a file, not a folder; give --out a folder")
        out.mkdir(parents=True, exist_ok=True)
        # A probe of its own: two runs checking one folder never trip each other.
        fd, probe = tempfile.mkstemp(prefix=".formcheck-write-test.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(
            f"{out}: output folder cannot be written ({exc.strerror or exc})"
        ) from None
    return out


def output_stem(name: str) -> str:
    """The stem of the output files made from input ``name`` (e.g. a video's).

    Names are kept as they are (spaces, accents, a leading dash), except that
    one longer than :data:`MAX_STEM_BYTES` is cut and ends in ``~`` plus a
    short hash of the whole name, so that every output's file name fits the
    usual 255-byte limit and two long names still get files of their own.
    """
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) <= MAX_STEM_BYTES:
        return name
    digest = hashlib.sha256(raw).hexdigest()[:8]
    kept = raw[: MAX_STEM_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{kept}~{digest}"


def _busy_message(out: Path, stem: str) -> str:
    from formcheck import messages  # only when refused: it loads pydantic

    return messages.already_running(out, stem)


def output_lock(out: Path, stem: str) -> contextlib.AbstractContextManager[None]:
    """Hold the outputs ``<stem>.*`` in ``out`` for this run.

    Raises:
        AlreadyRunning: If another run (another process) is writing them.
    """
    return exclusive_run(out / f".{stem}.lock", lambda: _busy_message(out, stem))

"""Session records on disk: atomic writes and checked reads.

Every file is written to a temporary file in its own folder and renamed over
the destination only once it is complete, so a crash, a full disk or an
interrupted run never leaves a half-written file where a good one was.

Files written for one session (``<stem>`` chosen by the caller)::

    <stem>.session.json    the record (see formcheck.record.model)
    <stem>.reps.csv        one row per repetition or attempt
    <stem>.holds.csv       one row per hold (only when there are holds)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import OutputError, SessionFileError
from formcheck.fileio import atomic_create_text, atomic_write_text
from formcheck.record.model import SessionRecord, parse_session

SESSION_SUFFIX = ".session.json"
REPS_SUFFIX = ".reps.csv"
HOLDS_SUFFIX = ".holds.csv"


@dataclass(frozen=True)
class SessionFiles:
    """The files of one saved session.

    Attributes:
        json: The session record.
        reps_csv: The per-repetition table.
        holds_csv: The holds table, when the session has holds.
    """

    json: Path
    reps_csv: Path
    holds_csv: Path | None = None


def session_files(folder: Path, stem: str) -> SessionFiles:
    """The paths a session saved as ``stem`` in ``folder`` uses."""
    return SessionFiles(
        json=folder / f"{stem}{SESSION_SUFFIX}",
        reps_csv=folder / f"{stem}{REPS_SUFFIX}",
        holds_csv=folder / f"{stem}{HOLDS_SUFFIX}",
    )


def _write_tables(record: SessionRecord, paths: SessionFiles) -> Path | None:
    atomic_write_text(paths.reps_csv, record.reps_csv())
    holds = paths.holds_csv
    if record.holds and holds is not None:
        atomic_write_text(holds, record.holds_csv())
        return holds
    if holds is not None:
        holds.unlink(missing_ok=True)
    return None


def write_session_files(
    record: SessionRecord, folder: str | Path, stem: str
) -> SessionFiles:
    """Write a record and its tables as ``<stem>.*`` in ``folder``, atomically.

    Each file is replaced whole or not at all. The tables are written first
    and the JSON last, so a complete JSON has its tables beside it. A holds
    table left by an earlier record of the same stem is removed when this
    record has no holds.

    Returns:
        The files written.

    Raises:
        OutputError: If the folder cannot be written.
    """
    folder = Path(folder)
    paths = session_files(folder, stem)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        holds = _write_tables(record, paths)
        atomic_write_text(paths.json, record.to_json())
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot write the session files ({exc.strerror or exc})"
        ) from None
    return SessionFiles(json=paths.json, reps_csv=paths.reps_csv, holds_csv=holds)


def create_session_files(
    record: SessionRecord, folder: str | Path, stem: str
) -> SessionFiles | None:
    """Like :func:`write_session_files`, but only if ``stem`` is not taken.

    The complete JSON is created first with an exclusive, atomic create, so
    of two writers racing for one stem exactly one wins; the winner then
    writes the tables.

    Returns:
        The files written, or ``None`` when ``<stem>.session.json`` exists.

    Raises:
        OutputError: If the folder cannot be written.
    """
    folder = Path(folder)
    paths = session_files(folder, stem)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not atomic_create_text(paths.json, record.to_json()):
            return None
        holds = _write_tables(record, paths)
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot write the session files ({exc.strerror or exc})"
        ) from None
    return SessionFiles(json=paths.json, reps_csv=paths.reps_csv, holds_csv=holds)


def load_session(source: str | Path | bytes) -> SessionRecord:
    """Load a session JSON file (or its bytes, e.g. an upload).

    Raises:
        SessionFileError: Naming the file and what is wrong with it.
    """
    if isinstance(source, bytes):
        return parse_session(source, "uploaded session")
    path = Path(source)
    if not path.is_file():
        raise SessionFileError(f"{path}: no such session file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SessionFileError(f"{path}: cannot read the file ({exc})") from None
    return parse_session(data, str(path))


def load_many(
    sources: list[tuple[str, bytes | Path]],
) -> tuple[list[tuple[str, SessionRecord]], list[str]]:
    """Load several sessions, collecting errors instead of stopping at one.

    Args:
        sources: ``(name, bytes or path)`` pairs, e.g. uploads and files.

    Returns:
        The loaded ``(name, record)`` pairs in order, and one message per
        source that could not be loaded.
    """
    loaded: list[tuple[str, SessionRecord]] = []
    problems: list[str] = []
    for name, source in sources:
        try:
            record = (
                parse_session(source, name)
                if isinstance(source, bytes)
                else load_session(source)
            )
        except SessionFileError as exc:
            problems.append(str(exc))
            continue
        loaded.append((name, record))
    return loaded, problems

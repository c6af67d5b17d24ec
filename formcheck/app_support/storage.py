"""The sessions folder: saving, listing and loading session records.

Sessions are saved exactly as ``formcheck analyze`` saves them
(:meth:`SessionRecord.save`: ``<stem>.session.json`` plus ``<stem>.reps.csv``),
with a stem that sorts by date and names the patient and exercise::

    20260312-101530_jane-doe_bird_dog_set1.session.json
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from formcheck.errors import SessionFileError
from formcheck.session import SessionRecord, load_session

SESSION_SUFFIX = ".session.json"
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower-case ``text`` and keep letters and digits, joined by ``-``."""
    return _SLUG.sub("-", text.lower()).strip("-") or "x"


def _created(record: SessionRecord) -> datetime:
    try:
        return datetime.fromisoformat(record.created_utc)
    except ValueError:
        return datetime.now(UTC)


def session_stem(record: SessionRecord, suffix: str = "") -> str:
    """File stem for a record: ``<date-time>_<patient>_<exercise>[_<suffix>]``.

    Args:
        record: The session record.
        suffix: Extra part, e.g. ``set2``.

    Returns:
        A file-system-safe stem.
    """
    parts = [
        _created(record).strftime("%Y%m%d-%H%M%S"),
        slug(record.patient) if record.patient else "me",
        record.exercise.id,
    ]
    if suffix:
        parts.append(slug(suffix))
    return "_".join(parts)


@dataclass(frozen=True)
class SessionEntry:
    """A session file in the folder (not yet loaded)."""

    path: Path

    @property
    def stem(self) -> str:
        """The file name without ``.session.json``."""
        return self.path.name[: -len(SESSION_SUFFIX)]

    @property
    def label(self) -> str:
        """A readable label, e.g. ``2026-03-12 10:15 · jane-doe · bird_dog · set1``."""
        parts = self.stem.split("_", 2)
        if len(parts) == 3 and re.fullmatch(r"\d{8}-\d{6}", parts[0]):
            d = parts[0]
            when = f"{d[0:4]}-{d[4:6]}-{d[6:8]} {d[9:11]}:{d[11:13]}"
            rest = parts[2]
            return f"{when} · {parts[1]} · {rest}"
        return self.stem


class SessionStore:
    """Session records in one folder.

    Args:
        folder: The sessions folder (created when the first session is saved).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def save(self, record: SessionRecord, suffix: str = "") -> dict[str, Path]:
        """Save a record under a new, unique stem.

        Args:
            record: The session record.
            suffix: Extra stem part, e.g. ``set2``.

        Returns:
            The paths written, by kind (``json``, ``csv``, maybe ``holds_csv``).

        Raises:
            OutputError: If the folder cannot be written.
        """
        stem = session_stem(record, suffix)
        candidate, n = stem, 2
        while (self.folder / f"{candidate}{SESSION_SUFFIX}").exists():
            candidate, n = f"{stem}-{n}", n + 1
        return record.save(self.folder, candidate)

    def overwrite(self, record: SessionRecord, json_path: Path) -> dict[str, Path]:
        """Write ``record`` again over an earlier save (e.g. with a note added).

        Raises:
            OutputError: If the folder cannot be written.
        """
        stem = json_path.name[: -len(SESSION_SUFFIX)]
        return record.save(json_path.parent, stem)

    def entries(self) -> list[SessionEntry]:
        """Session files, newest first (by name, which starts with the date)."""
        if not self.folder.is_dir():
            return []
        paths = [p for p in self.folder.glob(f"*{SESSION_SUFFIX}") if p.is_file()]
        return [SessionEntry(p) for p in sorted(paths, reverse=True)]

    def load(self, entry: SessionEntry | Path) -> SessionRecord:
        """Load one session.

        Raises:
            SessionFileError: Naming the file and what is wrong with it.
        """
        path = entry.path if isinstance(entry, SessionEntry) else entry
        return load_session(path)


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
            record = load_session(source)
        except SessionFileError as exc:
            text = str(exc)
            if isinstance(source, bytes):
                text = text.replace("uploaded session", name, 1)
            problems.append(text)
            continue
        loaded.append((name, record))
    return loaded, problems

"""A store in a folder: session JSON files and prescription JSON files.

Layout under the store's home folder::

    sessions/20260312-101530_jane-doe_bird_dog_set1.session.json   (+ .reps.csv ...)
    patients/Jane Doe/bird_dog.prescription.json

Session ids are the file stems. Every id and name is checked before it
touches a path, and every path is resolved inside the home folder: ``..``,
absolute paths, newlines and NUL are refused.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from formcheck.errors import OutputError, SessionFileError
from formcheck.fileio import atomic_write_text
from formcheck.ids import check_exercise_id, check_patient
from formcheck.prescription import Prescription, load_prescription
from formcheck.record.files import (
    SESSION_SUFFIX,
    create_session_files,
    load_session,
    write_session_files,
)
from formcheck.record.model import SessionRecord
from formcheck.store.base import SessionRef

PRESCRIPTION_SUFFIX = ".prescription.json"
_SLUG = re.compile(r"[^a-z0-9]+")
_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,200}")
_DATED = re.compile(r"\d{8}-\d{6}")


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

    Every part is reduced to letters, digits and ``-``/``_``, so the stem is
    safe as a file name whatever the record holds.
    """
    parts = [
        _created(record).strftime("%Y%m%d-%H%M%S"),
        slug(record.patient) if record.patient else "me",
        _SLUG.sub("_", record.exercise.id.lower()).strip("_") or "exercise",
    ]
    if suffix:
        parts.append(slug(suffix))
    return "_".join(parts)


def label_for_stem(stem: str) -> str:
    """A readable label, e.g. ``2026-03-12 10:15 · jane-doe · bird_dog_set1``."""
    parts = stem.split("_", 2)
    if len(parts) == 3 and _DATED.fullmatch(parts[0]):
        d = parts[0]
        when = f"{d[0:4]}-{d[4:6]}-{d[6:8]} {d[9:11]}:{d[11:13]}"
        return f"{when} · {parts[1]} · {parts[2]}"
    return stem


def _ref_for_stem(stem: str) -> SessionRef:
    parts = stem.split("_", 2)
    dated = len(parts) == 3 and _DATED.fullmatch(parts[0]) is not None
    created = ""
    if dated:
        d = parts[0]
        created = f"{d[0:4]}-{d[4:6]}-{d[6:8]}T{d[9:11]}:{d[11:13]}:{d[13:15]}+00:00"
    return SessionRef(
        id=stem,
        patient=(None if parts[1] == "me" else parts[1]) if dated else None,
        exercise_id=parts[2] if dated else "",
        created_utc=created,
        label=label_for_stem(stem),
    )


class FolderStore:
    """Sessions and prescriptions as files under one home folder.

    Args:
        home: The data folder (``FORMCHECK_HOME``); created on first save.
    """

    def __init__(self, home: str | Path) -> None:
        self.home = Path(home)
        self.sessions_dir = self.home / "sessions"
        self.patients_dir = self.home / "patients"

    # -------------------------------------------------------------- sessions
    def _session_path(self, session_id: str) -> Path:
        if not isinstance(session_id, str) or not _STEM.fullmatch(session_id):
            raise SessionFileError(f"{session_id!r}: not a session id of this store")
        return self.sessions_dir / f"{session_id}{SESSION_SUFFIX}"

    def save_session(self, record: SessionRecord, suffix: str = "") -> SessionRef:
        """Save a record under a new, unique stem (see :func:`session_stem`).

        The stem is claimed with an exclusive create of the complete JSON, so
        two saves at the same moment never overwrite each other.

        Raises:
            OutputError: If the folder cannot be written.
        """
        stem = session_stem(record, suffix)
        candidate, n = stem, 2
        while create_session_files(record, self.sessions_dir, candidate) is None:
            candidate, n = f"{stem}-{n}", n + 1
        return _ref_for_stem(candidate)

    def replace_session(self, ref: SessionRef, record: SessionRecord) -> SessionRef:
        """Write ``record`` over an earlier save (atomically).

        Raises:
            SessionFileError: If ``ref`` is not a session of this store.
            OutputError: If the folder cannot be written.
        """
        path = self._session_path(ref.id)
        if not path.is_file():
            raise SessionFileError(f"{ref.id}: no such session")
        write_session_files(record, self.sessions_dir, ref.id)
        return _ref_for_stem(ref.id)

    def list_sessions(self, patient: str | None = None) -> list[SessionRef]:
        """Sessions, newest first (by name, which starts with the date)."""
        if not self.sessions_dir.is_dir():
            return []
        stems = [
            p.name[: -len(SESSION_SUFFIX)]
            for p in self.sessions_dir.glob(f"*{SESSION_SUFFIX}")
            if p.is_file()
        ]
        refs = [_ref_for_stem(s) for s in sorted(stems, reverse=True)]
        if patient is not None:
            wanted = slug(patient)
            refs = [r for r in refs if r.patient == wanted]
        return refs

    def load_session(self, session_id: str) -> SessionRecord:
        """Load one session by id.

        Raises:
            SessionFileError: If there is no such session, or it cannot be read.
        """
        return load_session(self._session_path(session_id))

    def session_path(self, session_id: str) -> Path:
        """The JSON file of a session (for downloads).

        Raises:
            SessionFileError: If the id is not one of this store's.
        """
        return self._session_path(session_id)

    # --------------------------------------------------------- prescriptions
    def prescription_path(self, patient: str, exercise: str) -> Path:
        """Where a prescription is stored.

        Raises:
            InputError: If the patient name or exercise id is not valid.
        """
        folder = self.patients_dir / check_patient(patient)
        return folder / f"{check_exercise_id(exercise)}{PRESCRIPTION_SUFFIX}"

    def save_prescription(self, prescription: Prescription) -> None:
        """Write a prescription (atomically).

        Raises:
            InputError: If the patient name or exercise id is not valid.
            OutputError: If the folder cannot be written.
        """
        path = self.prescription_path(prescription.patient, prescription.exercise)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, prescription.model_dump_json(indent=1))
        except OSError as exc:
            raise OutputError(
                f"{path}: cannot save the prescription ({exc.strerror or exc})"
            ) from None

    def prescription(self, patient: str, exercise: str) -> Prescription | None:
        """A patient's prescription for one exercise (``None``: none set).

        Raises:
            SessionFileError: If the file exists but cannot be read.
            InputError: If the patient name or exercise id is not valid.
        """
        path = self.prescription_path(patient, exercise)
        if not path.is_file():
            return None
        found = load_prescription(path)
        if found.patient != patient or found.exercise != exercise:
            raise SessionFileError(
                f"{path}: holds another patient's or exercise's prescription"
            )
        return found

    def prescriptions(self, patient: str) -> dict[str, Prescription]:
        """A patient's prescriptions by exercise id (unreadable files skipped).

        Raises:
            InputError: If the patient name is not valid.
        """
        out: dict[str, Prescription] = {}
        folder = self.patients_dir / check_patient(patient)
        for path in sorted(folder.glob(f"*{PRESCRIPTION_SUFFIX}")):
            try:
                p = load_prescription(path)
            except SessionFileError:
                continue
            if p.patient == patient:
                out[p.exercise] = p
        return out

    def patients(self) -> list[str]:
        """Patients with at least one prescription."""
        if not self.patients_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.patients_dir.iterdir()
            if p.is_dir()
            and not p.name.startswith(".")
            and any(p.glob(f"*{PRESCRIPTION_SUFFIX}"))
        )

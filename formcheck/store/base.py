"""The storage interface the app and the command line talk to.

A store keeps session records and prescriptions, by patient. Pages, the live
pipeline and the CLI use only this interface; where the data lives (a folder
of JSON files, an SQLite file, a clinic's PostgreSQL server) is the store's
business. Ids a store hands out are opaque strings: only the store that made
them can resolve them, and it checks them (a forged id is refused, never
followed outside the store's own data). A store that serves several users
(:class:`formcheck.store.sql.SqlStore`) acts for one logged-in user and
raises :class:`~formcheck.errors.AccessDenied` for anything outside their
scope, including ids and patient names that do not exist.

Example:
    >>> store = FolderStore(tmp_path)  # doctest: +SKIP
    >>> ref = store.save_session(record, suffix="set1")  # doctest: +SKIP
    >>> store.load_session(ref.id).exercise.id  # doctest: +SKIP
    'bird_dog'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from formcheck.prescription import Prescription
from formcheck.record.model import SessionRecord


@dataclass(frozen=True)
class SessionRef:
    """A stored session, enough to list it without loading it.

    Attributes:
        id: Opaque, store-made id; pass it back to the same store.
        patient: Whose session it is (``None``: the local user, unnamed).
        exercise_id: The exercise's spec id.
        created_utc: ISO time the session was recorded.
        label: A readable one-line label for lists.
    """

    id: str
    patient: str | None
    exercise_id: str
    created_utc: str
    label: str


@runtime_checkable
class SessionStore(Protocol):
    """Saves, lists and loads session records."""

    def save_session(self, record: SessionRecord, suffix: str = "") -> SessionRef:
        """Save a new session; ``suffix`` (e.g. ``set2``) goes into its label.

        Raises:
            OutputError: If the session cannot be stored.
        """
        ...

    def replace_session(self, ref: SessionRef, record: SessionRecord) -> SessionRef:
        """Store ``record`` in place of an earlier save (e.g. with a note added).

        Raises:
            OutputError: If the session cannot be stored.
            SessionFileError: If ``ref`` is not a session of this store.
        """
        ...

    def list_sessions(self, patient: str | None = None) -> list[SessionRef]:
        """Sessions, newest first; only ``patient``'s when given."""
        ...

    def load_session(self, session_id: str) -> SessionRecord:
        """Load one session by id.

        Raises:
            SessionFileError: If there is no such session, or it cannot be read.
        """
        ...


@runtime_checkable
class PrescriptionStore(Protocol):
    """Saves and finds per-patient prescriptions."""

    def save_prescription(self, prescription: Prescription) -> None:
        """Save (or replace) a patient's prescription for one exercise.

        Raises:
            OutputError: If it cannot be stored.
            InputError: If the patient name or exercise id is not valid.
        """
        ...

    def prescription(self, patient: str, exercise: str) -> Prescription | None:
        """A patient's prescription for one exercise (``None``: none set).

        Raises:
            SessionFileError: If it exists but cannot be read.
            InputError: If the patient name or exercise id is not valid.
        """
        ...

    def prescriptions(self, patient: str) -> dict[str, Prescription]:
        """A patient's prescriptions by exercise id (unreadable ones skipped)."""
        ...

    def patients(self) -> list[str]:
        """Patients with at least one prescription or session."""
        ...


@runtime_checkable
class Store(SessionStore, PrescriptionStore, Protocol):
    """Everything the app stores."""

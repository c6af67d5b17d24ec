"""Everything the review needs about one patient, read through the store.

The Therapist page and the report read a patient's sessions, prescriptions,
comments, sign-offs and symptom answers only through the store the app hands
them (:func:`formcheck.app_support.ui.store`): in clinic mode that is the
database, scoped to the logged-in therapist, so nothing here can see a
patient the therapist is not linked to. Comments, sign-offs and symptom
answers exist only in a store with clinic notes (:class:`NotesStore`, the
SQL store); a plain folder store has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Protocol, runtime_checkable

from formcheck.clinic import Comment, SignOff, SymptomAnswer, VerdictLevel
from formcheck.errors import FormcheckError
from formcheck.prescription import Prescription
from formcheck.record.model import SessionRecord
from formcheck.store.base import SessionRef, Store

from .symptoms import SymptomPoint, all_points


@runtime_checkable
class NotesStore(Protocol):
    """A store that keeps comments, sign-offs and symptom answers (SQL store)."""

    def add_comment(
        self,
        text: str,
        *,
        patient: str | None = None,
        session_id: str | None = None,
        rep_index: int | None = None,
    ) -> Comment:
        """Write a comment to a patient."""
        ...

    def comments(
        self, patient: str | None = None, session_id: str | None = None
    ) -> list[Comment]:
        """A patient's comments, oldest first."""
        ...

    def sign_off(
        self,
        session_id: str,
        level: VerdictLevel,
        agree: bool,
        *,
        index: int | None = None,
        note: str = "",
        seen_fault: str | None = None,
    ) -> SignOff:
        """Agree or disagree with a verdict."""
        ...

    def sign_offs(self, session_id: str) -> list[SignOff]:
        """The sign-offs on a session, oldest first."""
        ...

    def symptom_answers(
        self, patient: str | None = None, session_id: str | None = None
    ) -> list[SymptomAnswer]:
        """A patient's symptom answers, oldest first."""
        ...


def notes_of(store: Store) -> NotesStore | None:
    """The store's clinic notes, if it keeps them."""
    return store if isinstance(store, NotesStore) else None


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def _when(ref: SessionRef) -> datetime:
    try:
        when = datetime.fromisoformat(ref.created_utc)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    """A range of days (UTC), both ends included; ``None`` ends are open."""

    first: date | None = None
    last: date | None = None

    def holds(self, when: datetime) -> bool:
        """Whether ``when`` falls in the period."""
        day = when.astimezone(UTC).date()
        return (self.first is None or day >= self.first) and (
            self.last is None or day <= self.last
        )

    @property
    def text(self) -> str:
        """E.g. ``2026-03-01 to 2026-03-31`` (``all dates`` when open)."""
        if self.first is None and self.last is None:
            return "all dates"
        first = self.first.isoformat() if self.first else "the start"
        last = self.last.isoformat() if self.last else "today"
        return f"{first} to {last}"


@dataclass
class PatientData:
    """One patient's data for the review, as the store let the caller see it.

    Attributes:
        patient: The handle (``None``: the local user's own data).
        refs: All their sessions (newest first).
        sessions: The loaded sessions in the period (oldest first).
        prescriptions: Their prescriptions by exercise.
        comments: Comments to them (with clinic notes).
        sign_offs: Sign-offs by session id (with clinic notes).
        answers: Their symptom answers in the database (with clinic notes).
        problems: Sessions or notes that could not be read, one line each.
        notes: Whether the store keeps clinic notes.
    """

    patient: str | None
    refs: list[SessionRef]
    sessions: list[tuple[SessionRef, SessionRecord]]
    prescriptions: dict[str, Prescription] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    sign_offs: dict[str, list[SignOff]] = field(default_factory=dict)
    answers: list[SymptomAnswer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: bool = False

    @property
    def records(self) -> list[SessionRecord]:
        """The loaded records, oldest first."""
        return [r for _, r in self.sessions]

    def symptom_points(self) -> list[SymptomPoint]:
        """Symptom answers from records and the database, oldest first."""
        return all_points([(ref.id, r) for ref, r in self.sessions], self.answers)


def load_patient(
    store: Store,
    patient: str | None,
    period: Period | None = None,
    *,
    sign_offs: bool = True,
) -> PatientData:
    """Read one patient's data through the store.

    Args:
        store: The store (scoped to the caller in clinic mode).
        patient: Their handle (``None``: the local user's own data).
        period: Only sessions in this period are loaded (default: all).
        sign_offs: Also read the sign-offs of every loaded session.

    Raises:
        AccessDenied: If the patient is out of the caller's scope.
    """
    period = period or Period()
    refs = store.list_sessions(patient)
    if patient is None:  # the local user's own sessions only
        refs = [r for r in refs if r.patient is None]
    data = PatientData(patient, refs, [])
    for ref in sorted(refs, key=_when):
        if not period.holds(_when(ref)):
            continue
        try:
            data.sessions.append((ref, store.load_session(ref.id)))
        except FormcheckError as exc:
            data.problems.append(str(exc))
    if patient is not None:
        data.prescriptions = store.prescriptions(patient)
    notes = notes_of(store)
    if notes is None:
        return data
    data.notes = True
    data.comments = notes.comments(patient)
    data.answers = notes.symptom_answers(patient)
    if sign_offs:
        for ref, _ in data.sessions:
            data.sign_offs[ref.id] = notes.sign_offs(ref.id)
    return data

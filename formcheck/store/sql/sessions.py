"""Sessions, prescriptions and landmarks: the :class:`~formcheck.store.Store` part."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from formcheck.clinic import Role
from formcheck.errors import AccessDenied, InputError, SessionFileError
from formcheck.ids import check_exercise_id
from formcheck.prescription import Prescription, load_prescription
from formcheck.record.model import SessionRecord, parse_session
from formcheck.store.base import SessionRef
from formcheck.store.sql import access
from formcheck.store.sql.models import (
    PrescriptionRow,
    SessionLandmarks,
    SessionRow,
    User,
    utc_now,
)
from formcheck.store.sql.scoped import Scoped

#: Largest landmark blob accepted for one session (about 30 min at 10 KB/s).
MAX_LANDMARKS_BYTES = 20 * 1024 * 1024


def record_time(record: SessionRecord) -> datetime:
    """When a record was made (now, if its time cannot be read)."""
    try:
        when = datetime.fromisoformat(record.created_utc)
    except ValueError:
        return utc_now()
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def patient_label(patient: User) -> str | None:
    """How a session names its patient (``None``: local mode's own user)."""
    return None if patient.handle == access.LOCAL_HANDLE else patient.handle


def session_label(created: datetime, patient: User, exercise: str, suffix: str) -> str:
    """A one-line label, e.g. ``2026-03-12 10:15 · jane · bird_dog · set1``."""
    parts = [created.strftime("%Y-%m-%d %H:%M"), patient.handle, exercise]
    if suffix:
        parts.append(suffix)
    return " · ".join(parts)[:300]


def session_ref(row: SessionRow, patient: User) -> SessionRef:
    """The listing entry of a stored session."""
    return SessionRef(
        id=row.id,
        patient=patient_label(patient),
        exercise_id=row.exercise_id,
        created_utc=row.created_utc.isoformat(timespec="seconds"),
        label=row.label,
    )


def add_session(
    session: Session,
    record: SessionRecord,
    patient: User,
    *,
    suffix: str = "",
    saved_by: User | None = None,
    origin: str | None = None,
) -> SessionRow:
    """Insert a session for ``patient`` (its record names them)."""
    stored = record.model_copy(update={"patient": patient_label(patient)})
    created = record_time(record)
    row = SessionRow(
        id=uuid.uuid4().hex,
        patient_id=patient.id,
        exercise_id=record.exercise.id[:64],
        created_utc=created,
        label=session_label(created, patient, record.exercise.id, suffix.strip()),
        record=stored.to_json(),
        saved_by_id=None if saved_by is None else saved_by.id,
        origin=origin,
    )
    session.add(row)
    session.flush()
    return row


def put_prescription(
    session: Session,
    prescription: Prescription,
    patient: User,
    saved_by: User | None,
) -> PrescriptionRow:
    """Insert or replace a patient's prescription for one exercise."""
    document = prescription.model_copy(update={"patient": patient.handle})
    row = session.scalars(
        sa.select(PrescriptionRow).where(
            PrescriptionRow.patient_id == patient.id,
            PrescriptionRow.exercise_id == prescription.exercise,
        )
    ).one_or_none()
    if row is None:
        row = PrescriptionRow(patient_id=patient.id, exercise_id=prescription.exercise)
        session.add(row)
    row.document = document.model_dump_json(indent=1)
    row.created_utc = prescription_time(prescription)
    row.saved_by_id = None if saved_by is None else saved_by.id
    session.flush()
    return row


def prescription_time(prescription: Prescription) -> datetime:
    """When a prescription was set (now, if its time cannot be read)."""
    try:
        when = datetime.fromisoformat(prescription.created_utc)
    except ValueError:
        return utc_now()
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _read_prescription(row: PrescriptionRow) -> Prescription:
    return load_prescription(row.document.encode("utf-8"))


class SessionsPart(Scoped):
    """Session records, prescriptions and landmarks, scoped to the principal."""

    # --------------------------------------------------------------- sessions
    def save_session(self, record: SessionRecord, suffix: str = "") -> SessionRef:
        """Save a new session for the patient the record names.

        A record without a patient is the caller's own (they must be a
        patient). In local mode a new patient name creates that patient.

        Raises:
            AccessDenied: If the caller may not save for that patient.
            StoreError: If the database cannot be written (nothing is saved).
        """
        with self._scope() as (session, actor):
            patient = access.patient_for(session, actor, record.patient, create=True)
            assert patient is not None
            row = add_session(
                session, record, patient, suffix=suffix, saved_by=actor.user
            )
            return session_ref(row, patient)

    def replace_session(self, ref: SessionRef, record: SessionRecord) -> SessionRef:
        """Store ``record`` in place of an earlier save (same patient).

        Raises:
            AccessDenied: If the session is not the caller's to change, or
                the record names another patient.
        """
        with self._scope() as (session, actor):
            row = access.session_in_scope(session, actor, ref.id)
            patient = session.get(User, row.patient_id)
            assert patient is not None
            named = access.patient_for(session, actor, record.patient)
            if named is None or named.id != patient.id:
                raise AccessDenied(
                    f"session {ref.id}: a session cannot be moved to another patient"
                )
            stored = record.model_copy(update={"patient": patient_label(patient)})
            row.record = stored.to_json()
            row.exercise_id = record.exercise.id[:64]
            return session_ref(row, patient)

    def list_sessions(self, patient: str | None = None) -> list[SessionRef]:
        """Sessions the caller may see, newest first; only ``patient``'s if given.

        Raises:
            AccessDenied: If ``patient`` is out of scope.
        """
        with self._scope() as (session, actor):
            scope = access.clinical_scope(session, actor)
            if patient is not None:
                who = access.patient_for(session, actor, patient)
                scope = set() if who is None else {who.id}
            rows = session.execute(
                sa.select(SessionRow, User)
                .join(User, User.id == SessionRow.patient_id)
                .where(SessionRow.patient_id.in_(scope))
                .order_by(SessionRow.created_utc.desc(), SessionRow.label.desc())
            ).all()
            return [session_ref(row, user) for row, user in rows]

    def load_session(self, session_id: str) -> SessionRecord:
        """Load one session by id.

        Raises:
            AccessDenied: If there is no such session the caller may see.
            SessionFileError: If the stored record cannot be read.
        """
        with self._scope() as (session, actor):
            row = access.session_in_scope(session, actor, session_id)
            return parse_session(row.record, f"session {session_id}")

    # ---------------------------------------------------------- prescriptions
    def save_prescription(self, prescription: Prescription) -> None:
        """Save (or replace) a patient's prescription for one exercise.

        Raises:
            AccessDenied: Unless the caller is a therapist linked to the patient.
        """
        with self._scope() as (session, actor):
            access.require_role(actor, Role.THERAPIST, doing="set prescriptions")
            patient = access.patient_for(
                session, actor, prescription.patient, create=True
            )
            assert patient is not None
            put_prescription(session, prescription, patient, actor.user)

    def prescription(self, patient: str, exercise: str) -> Prescription | None:
        """A patient's prescription for one exercise (``None``: none set).

        Raises:
            AccessDenied: If the patient is out of scope.
            InputError: If the patient name or exercise id is not valid.
        """
        check_exercise_id(exercise)
        with self._scope() as (session, actor):
            who = access.patient_for(session, actor, patient)
            if who is None:
                return None
            row = session.scalars(
                sa.select(PrescriptionRow).where(
                    PrescriptionRow.patient_id == who.id,
                    PrescriptionRow.exercise_id == exercise,
                )
            ).one_or_none()
            return None if row is None else _read_prescription(row)

    def prescriptions(self, patient: str) -> dict[str, Prescription]:
        """A patient's prescriptions by exercise id (unreadable ones skipped).

        Raises:
            AccessDenied: If the patient is out of scope.
        """
        with self._scope() as (session, actor):
            who = access.patient_for(session, actor, patient)
            if who is None:
                return {}
            out: dict[str, Prescription] = {}
            for row in session.scalars(
                sa.select(PrescriptionRow)
                .where(PrescriptionRow.patient_id == who.id)
                .order_by(PrescriptionRow.exercise_id)
            ):
                try:
                    out[row.exercise_id] = _read_prescription(row)
                except SessionFileError:
                    continue
            return out

    def patients(self) -> list[str]:
        """Handles of the patients the caller may see (local user excluded).

        Raises:
            AccessDenied: If the caller is neither patient nor therapist.
        """
        with self._scope() as (session, actor):
            scope = access.clinical_scope(session, actor)
            handles = session.scalars(
                sa.select(User.handle).where(
                    User.id.in_(scope), User.handle != access.LOCAL_HANDLE
                )
            )
            return sorted(handles)

    # -------------------------------------------------------------- landmarks
    def save_landmarks(
        self, session_id: str, data: bytes, media_type: str = "application/x-npz"
    ) -> None:
        """Store (or replace) the landmarks of a session, to replay it.

        Raises:
            AccessDenied: If the session is not the caller's.
            InputError: If ``data`` is empty or too large.
        """
        if not data or len(data) > MAX_LANDMARKS_BYTES:
            raise InputError(
                f"landmarks must be 1 byte to {MAX_LANDMARKS_BYTES // 2**20} MB, "
                f"got {len(data)} bytes"
            )
        with self._scope() as (session, actor):
            row = access.session_in_scope(session, actor, session_id)
            stored = session.get(SessionLandmarks, row.id)
            if stored is None:
                stored = SessionLandmarks(session_id=row.id)
                session.add(stored)
            stored.media_type = media_type[:64]
            stored.data = data
            stored.saved_utc = utc_now()

    def landmarks(self, session_id: str) -> tuple[str, bytes] | None:
        """A session's landmarks as ``(media type, bytes)``; ``None``: none saved.

        Raises:
            AccessDenied: If there is no such session the caller may see.
        """
        with self._scope() as (session, actor):
            row = access.session_in_scope(session, actor, session_id)
            stored = session.get(SessionLandmarks, row.id)
            return None if stored is None else (stored.media_type, stored.data)

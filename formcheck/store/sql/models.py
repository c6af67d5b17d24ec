"""The database tables (SQLAlchemy 2 declarative models).

Alembic migrations in ``migrations/versions`` create exactly these tables; a
test compares the two, so a model change without a migration fails CI.

::

    users ─┬─ user_roles          roles per user (patient, therapist, admin)
           ├─ care_links          therapist ─▶ patient
           ├─ invitations         therapist invites an e-mail
           ├─ prescriptions       one per patient and exercise (JSON document)
           ├─ sessions ─┬─ session_landmarks   per-frame landmarks (issue 13)
           │            ├─ sign_offs           therapist agrees / disagrees
           ├─ comments            to a patient, optionally on a session / rep
           ├─ symptom_answers     after each set
           └─ analysis_jobs ─ analysis_uploads   uploaded videos waiting for a worker

No video is kept: a session is its record (JSON text) and, separately, the
landmarks needed to replay it. An uploaded video waits in
``analysis_uploads`` only until a worker has analysed it (clinic job queue).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from formcheck.clinic import JobState, Role, SymptomLocation, VerdictLevel

#: Deterministic constraint names, identical on SQLite and PostgreSQL, so a
#: later migration can drop or alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EMAIL_LEN = 254
HANDLE_LEN = 64
NAME_LEN = 200
EXERCISE_LEN = 64
SESSION_ID_LEN = 32
RULE_ID_LEN = 64


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite keeps no time zone: values are stored as naive UTC and read back
    as aware UTC, so code never compares naive and aware datetimes.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Store aware datetimes as UTC (naive on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes stored by formcheck must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return aware UTC datetimes."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum(
    enum: type[Role] | type[SymptomLocation] | type[VerdictLevel] | type[JobState],
) -> sa.Enum:
    """A portable enum column: VARCHAR with a CHECK of the values (not names)."""
    return sa.Enum(
        enum,
        name=enum.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


def utc_now() -> datetime:
    """The current time, aware, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """Anyone formcheck knows: clinic users by e-mail; local patients by name."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(EMAIL_LEN), unique=True)
    handle: Mapped[str] = mapped_column(sa.String(HANDLE_LEN), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_LEN))
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime())


class UserRole(Base):
    """One role of one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role), primary_key=True)


class CareLink(Base):
    """A therapist may see and prescribe for a patient."""

    __tablename__ = "care_links"
    __table_args__ = (
        sa.CheckConstraint("therapist_id <> patient_id", name="not_self"),
    )

    therapist_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    patient_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime())


class InvitationRow(Base):
    """A therapist invited an e-mail address; accepted when it logs in."""

    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("email", "therapist_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(EMAIL_LEN), index=True)
    therapist_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE")
    )
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PrescriptionRow(Base):
    """A patient's current prescription for one exercise (JSON document)."""

    __tablename__ = "prescriptions"
    __table_args__ = (sa.UniqueConstraint("patient_id", "exercise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    exercise_id: Mapped[str] = mapped_column(sa.String(EXERCISE_LEN))
    document: Mapped[str] = mapped_column(sa.Text())
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class SessionRow(Base):
    """One saved session record (JSON text; no video)."""

    __tablename__ = "sessions"
    __table_args__ = (sa.Index("ix_sessions_patient_origin", "patient_id", "origin"),)

    id: Mapped[str] = mapped_column(sa.String(SESSION_ID_LEN), primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    exercise_id: Mapped[str] = mapped_column(sa.String(EXERCISE_LEN))
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    label: Mapped[str] = mapped_column(sa.String(300))
    record: Mapped[str] = mapped_column(sa.Text())
    saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    origin: Mapped[str | None] = mapped_column(
        sa.String(64), doc="SHA-256 of the imported file (import is idempotent)."
    )


class SessionLandmarks(Base):
    """The landmarks of a session, to replay it (kept apart from the record)."""

    __tablename__ = "session_landmarks"

    session_id: Mapped[str] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    media_type: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary())
    saved_utc: Mapped[datetime] = mapped_column(UTCDateTime())


class CommentRow(Base):
    """A comment to a patient, optionally on a session and repetition."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    session_id: Mapped[str | None] = mapped_column(sa.ForeignKey("sessions.id"))
    rep_index: Mapped[int | None] = mapped_column()
    text: Mapped[str] = mapped_column(sa.Text())
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime())


class SymptomAnswerRow(Base):
    """Where the symptoms were after a set, and whether they were worse."""

    __tablename__ = "symptom_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    session_id: Mapped[str | None] = mapped_column(sa.ForeignKey("sessions.id"))
    set_index: Mapped[int | None] = mapped_column()
    location: Mapped[SymptomLocation] = mapped_column(_enum(SymptomLocation))
    worse: Mapped[bool] = mapped_column(
        sa.Boolean(create_constraint=True, name="worse")
    )
    answered_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class SignOffRow(Base):
    """A therapist's agreement or disagreement with a verdict."""

    __tablename__ = "sign_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.ForeignKey("sessions.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    level: Mapped[VerdictLevel] = mapped_column(_enum(VerdictLevel))
    item_index: Mapped[int | None] = mapped_column()
    agree: Mapped[bool] = mapped_column(
        sa.Boolean(create_constraint=True, name="agree")
    )
    note: Mapped[str] = mapped_column(sa.Text())
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_fault: Mapped[str | None] = mapped_column(
        sa.String(RULE_ID_LEN),
        doc="When disagreeing: the rule the therapist sees failing (None: fine).",
    )


class AnalysisJobRow(Base):
    """An uploaded video's analysis, queued for a worker (clinic mode)."""

    __tablename__ = "analysis_jobs"

    id: Mapped[str] = mapped_column(sa.String(SESSION_ID_LEN), primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(sa.String(200))
    exercise_id: Mapped[str] = mapped_column(sa.String(EXERCISE_LEN))
    side: Mapped[str | None] = mapped_column(sa.String(8))
    state: Mapped[JobState] = mapped_column(_enum(JobState))
    progress: Mapped[float] = mapped_column(sa.Float())
    attempts: Mapped[int] = mapped_column()
    error: Mapped[str | None] = mapped_column(sa.Text())
    session_id: Mapped[str | None] = mapped_column(sa.ForeignKey("sessions.id"))
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_utc: Mapped[datetime] = mapped_column(UTCDateTime())


class AnalysisUploadRow(Base):
    """The video of a queued job, deleted once it has been analysed."""

    __tablename__ = "analysis_uploads"

    job_id: Mapped[str] = mapped_column(
        sa.ForeignKey("analysis_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(sa.LargeBinary())

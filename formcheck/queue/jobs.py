"""The analysis jobs in the database: what is queued, running, done.

:class:`AnalysisJobs` is the queue's bookkeeping, in formcheck's own tables
(``analysis_jobs``, ``analysis_uploads``): the app side submits an upload and
lists the jobs a user may see (access-checked like every store call); the
worker side claims a job, reports progress and stores the result as a session
of the patient — in one transaction with marking the job done, so a job
retried after its worker died is never saved twice. The video is deleted as
soon as the job ends, done or failed.

The queue that hands jobs to workers is procrastinate's (see
:mod:`formcheck.queue.worker`); these tables only say how each job stands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from formcheck.clinic import JobState, Principal
from formcheck.errors import AccessDenied, InputError
from formcheck.ids import check_exercise_id
from formcheck.record.model import SessionRecord
from formcheck.store.sql import access
from formcheck.store.sql.database import Database
from formcheck.store.sql.models import (
    AnalysisJobRow,
    AnalysisUploadRow,
    User,
    utc_now,
)
from formcheck.store.sql.sessions import add_session

#: Largest video accepted into the queue (it waits in the database).
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024
#: The ``origin`` of a session made by a job (``job:<id>``).
ORIGIN_PREFIX = "job:"


@dataclass(frozen=True)
class JobView:
    """A job as the Review page shows it.

    Attributes:
        id: The job's id.
        file_name: The uploaded file's name.
        exercise_id: The exercise to check.
        state: Queued, running, done or failed.
        progress: Share of the video analysed, 0 to 1.
        session_id: The session it produced (when done).
        error: Why it failed (when failed).
        attempts: Times a worker started it.
        created_utc: When it was submitted.
    """

    id: str
    file_name: str
    exercise_id: str
    state: JobState
    progress: float
    session_id: str | None
    error: str | None
    attempts: int
    created_utc: datetime


@dataclass(frozen=True)
class ClaimedJob:
    """What a worker needs to run a job.

    Attributes:
        id: The job's id.
        file_name: The uploaded file's name.
        exercise_id: The exercise to check.
        side: The painful or chosen side, if any.
        data: The video's bytes.
        attempt: This attempt's number, from 1.
    """

    id: str
    file_name: str
    exercise_id: str
    side: str | None
    data: bytes
    attempt: int


def _view(row: AnalysisJobRow) -> JobView:
    return JobView(
        id=row.id,
        file_name=row.file_name,
        exercise_id=row.exercise_id,
        state=row.state,
        progress=row.progress,
        session_id=row.session_id,
        error=row.error,
        attempts=row.attempts,
        created_utc=row.created_utc,
    )


class AnalysisJobs:
    """The job table of one database.

    Args:
        database: The database (PostgreSQL in a clinic; SQLite works too).
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    # ---------------------------------------------------------------- app side
    def submit(
        self,
        principal: Principal,
        data: bytes,
        file_name: str,
        exercise_id: str,
        side: str | None = None,
        patient: str | None = None,
    ) -> str:
        """Queue an uploaded video for analysis; return the job's id.

        Args:
            principal: Who uploads.
            data: The video's bytes.
            file_name: Its name (shown in lists).
            exercise_id: The exercise to check.
            side: The painful or chosen side.
            patient: Whose video it is (``None``: the uploader's own).

        Raises:
            AccessDenied: If the uploader may not add sessions for the patient.
            InputError: If the video is empty or too large, or an id is bad.
        """
        check_exercise_id(exercise_id)
        if not data or len(data) > MAX_UPLOAD_BYTES:
            raise InputError(
                f"{file_name}: a queued video must be 1 byte to "
                f"{MAX_UPLOAD_BYTES // 2**20} MB, got {len(data)} bytes"
            )
        if side not in (None, "left", "right"):
            raise InputError(f"{side!r} is not a side; use left or right")
        now = utc_now()
        job_id = uuid.uuid4().hex
        with self.database.transaction() as session:
            actor = access.resolve_actor(session, principal)
            who = access.patient_for(session, actor, patient)
            if who is None:
                raise AccessDenied(
                    f"patient {patient!r}: not found, or not yours to see"
                )
            session.add(
                AnalysisJobRow(
                    id=job_id,
                    patient_id=who.id,
                    requested_by_id=actor.user_id,
                    file_name=file_name[:200],
                    exercise_id=exercise_id,
                    side=side,
                    state=JobState.QUEUED,
                    progress=0.0,
                    attempts=0,
                    created_utc=now,
                    updated_utc=now,
                )
            )
            session.flush()
            session.add(AnalysisUploadRow(job_id=job_id, data=data))
        return job_id

    def jobs(self, principal: Principal, limit: int = 20) -> list[JobView]:
        """The newest jobs of the patients the user may see.

        Raises:
            AccessDenied: If the user is neither patient nor therapist.
        """
        with self.database.transaction() as session:
            actor = access.resolve_actor(session, principal)
            scope = access.clinical_scope(session, actor)
            rows = session.scalars(
                sa.select(AnalysisJobRow)
                .where(AnalysisJobRow.patient_id.in_(scope))
                .order_by(AnalysisJobRow.created_utc.desc(), AnalysisJobRow.id)
                .limit(limit)
            )
            return [_view(row) for row in rows]

    # ------------------------------------------------------------- worker side
    def get(self, job_id: str) -> JobView | None:
        """One job, unscoped (workers and tests)."""
        with self.database.transaction() as session:
            row = session.get(AnalysisJobRow, job_id)
            return None if row is None else _view(row)

    def claim(self, job_id: str) -> ClaimedJob | None:
        """Mark a job running and hand over its video (``None``: nothing to do).

        A job already done (or failed, or unknown) is not run again.
        """
        with self.database.transaction() as session:
            row = session.get(AnalysisJobRow, job_id, with_for_update=True)
            if row is None or row.state in (JobState.DONE, JobState.FAILED):
                return None
            upload = session.get(AnalysisUploadRow, job_id)
            if upload is None:
                return None
            row.state = JobState.RUNNING
            row.attempts += 1
            row.progress = 0.0
            row.updated_utc = utc_now()
            return ClaimedJob(
                id=row.id,
                file_name=row.file_name,
                exercise_id=row.exercise_id,
                side=row.side,
                data=upload.data,
                attempt=row.attempts,
            )

    def report_progress(self, job_id: str, progress: float) -> None:
        """Record how far a running job is (0 to 1)."""
        with self.database.transaction() as session:
            session.execute(
                sa.update(AnalysisJobRow)
                .where(
                    AnalysisJobRow.id == job_id,
                    AnalysisJobRow.state == JobState.RUNNING,
                )
                .values(progress=min(1.0, max(0.0, progress)), updated_utc=utc_now())
            )

    def complete(self, job_id: str, record: SessionRecord) -> str:
        """Save the result as the patient's session and mark the job done.

        One transaction: a job that is already done keeps its first session.

        Returns:
            The session's id.
        """
        with self.database.transaction() as session:
            row = session.get(AnalysisJobRow, job_id, with_for_update=True)
            if row is None:
                raise InputError(f"job {job_id}: no such job")
            if row.state is JobState.DONE and row.session_id is not None:
                return row.session_id
            patient = session.get(User, row.patient_id)
            requester = (
                None
                if row.requested_by_id is None
                else session.get(User, row.requested_by_id)
            )
            assert patient is not None
            saved = add_session(
                session,
                record,
                patient,
                saved_by=requester,
                origin=f"{ORIGIN_PREFIX}{job_id}",
            )
            row.state = JobState.DONE
            row.progress = 1.0
            row.session_id = saved.id
            row.error = None
            row.updated_utc = utc_now()
            session.execute(
                sa.delete(AnalysisUploadRow).where(AnalysisUploadRow.job_id == job_id)
            )
            return saved.id

    def fail(self, job_id: str, problem: str) -> None:
        """Mark a job failed (its video cannot be analysed) and drop the video."""
        with self.database.transaction() as session:
            row = session.get(AnalysisJobRow, job_id, with_for_update=True)
            if row is None or row.state is JobState.DONE:
                return
            row.state = JobState.FAILED
            row.error = problem.splitlines()[0][:500] if problem else "failed"
            row.updated_utc = utc_now()
            session.execute(
                sa.delete(AnalysisUploadRow).where(AnalysisUploadRow.job_id == job_id)
            )

    def requeue(self, job_id: str) -> bool:
        """Put a job whose worker stopped back in the queue; ``False`` if not running."""
        with self.database.transaction() as session:
            row = session.get(AnalysisJobRow, job_id, with_for_update=True)
            if row is None or row.state is not JobState.RUNNING:
                return False
            row.state = JobState.QUEUED
            row.progress = 0.0
            row.updated_utc = utc_now()
            return True

"""The Review page in clinic mode: uploads go to the job queue, results come back.

In a clinic the app does not analyse videos itself (that would hold up every
other user of the instance): the Review page queues the upload for the
workers (``formcheck worker``, :mod:`formcheck.queue`), shows the user's jobs
as they go from queued to running to done, and opens a finished job's session
like a fresh analysis (without an annotated video: no video is kept). Local
mode analyses in the app's own process, as before. Nothing here imports
Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formcheck.analyze import AnalysisResult
from formcheck.clinic import JobState, Principal
from formcheck.queue.jobs import AnalysisJobs, JobView
from formcheck.record import SessionRecord
from formcheck.store.sql.database import Database
from formcheck.timings import AnalysisTimings

#: What the page says about a job, by state (``{progress}`` in per cent).
STATE_TEXT = {
    JobState.QUEUED: "waiting for a worker",
    JobState.RUNNING: "being analysed ({progress:.0f} %)",
    JobState.DONE: "done",
    JobState.FAILED: "could not be analysed: {error}",
}


def queued_text(patient_name: str | None = None) -> str:
    """What the uploader reads after queueing (a therapist: for ``patient_name``)."""
    whose = "your" if patient_name is None else f"{patient_name}'s"
    return (
        "The video is queued. It is analysed on the clinic's computers; this list "
        f"shows how far it is, and the result is saved to {whose} sessions."
    )


SAVED_BY_WORKER_TEXT = "This session is saved in the patient's sessions already."


@dataclass(frozen=True)
class QueueAccess:
    """The job queue as one logged-in user may use it."""

    database: Database
    principal: Principal


def queue_access(clinic: bool, store: object) -> QueueAccess | None:
    """The queue for this user, or ``None`` to analyse in the app (local mode).

    Args:
        clinic: Whether the app runs in clinic mode.
        store: The page's store (the SQL store in clinic mode).
    """
    if not clinic:
        return None
    database = getattr(store, "database", None)
    principal = getattr(store, "principal", None)
    if not isinstance(database, Database) or not isinstance(principal, Principal):
        return None
    if database.engine.dialect.name != "postgresql":
        return None  # a trial clinic on SQLite analyses in the app
    return QueueAccess(database, principal)


def submit(
    access: QueueAccess,
    video: Path,
    file_name: str,
    exercise_id: str,
    side: str | None,
    patient: str | None = None,
) -> str:
    """Queue a checked video for the workers; return the job id.

    The result lands in ``patient``'s sessions (a therapist's choice), or in
    the uploader's own when ``None``.

    Raises:
        FormcheckError: A one-line reason (not allowed, queue unreachable ...).
    """
    from formcheck.queue.worker import submit_upload

    return submit_upload(
        access.database,
        access.principal,
        video.read_bytes(),
        file_name,
        exercise_id,
        side,
        patient,
    )


def jobs(access: QueueAccess, limit: int = 10) -> list[JobView]:
    """The user's newest jobs (a therapist's: their patients' too)."""
    return AnalysisJobs(access.database).jobs(access.principal, limit)


def job_line(job: JobView) -> str:
    """One line per job, e.g. ``monday.mp4 · bird_dog · being analysed (40 %)``."""
    state = STATE_TEXT[job.state].format(
        progress=100 * job.progress, error=job.error or "unknown problem"
    )
    when = job.created_utc.strftime("%Y-%m-%d %H:%M")
    return f"{when} · {job.file_name} · {job.exercise_id} · {state}"


def result_of(record: SessionRecord) -> AnalysisResult:
    """A stored session shaped as an analysis result for the Review page."""
    problems = [record.source.problem] if record.source.problem else []
    return AnalysisResult(
        session=record,
        video_path=None,
        landmarks=None,
        timings=AnalysisTimings(),
        problems=problems,
    )

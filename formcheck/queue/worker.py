"""Workers that analyse queued uploads, through procrastinate on PostgreSQL.

procrastinate keeps its queue in the clinic's PostgreSQL database (no other
broker): the Review page defers a job, and ``formcheck worker`` — on any
machine that reaches the database — runs it: it claims the job in
:class:`~formcheck.queue.jobs.AnalysisJobs`, analyses the video (in parallel
chunks, ``--jobs``), and stores the result as a session of the patient.

A worker that dies (power cut, killed, out of memory) stops sending
procrastinate heartbeats; every worker looks for such stalled jobs now and
then and puts them back in the queue, so another worker runs them again. A
job is saved once whatever happens: its session and "done" are written in
one transaction, and a job already done is not run again.

procrastinate's own tables are created in the database on first use (its
``schema.sql``, under an advisory lock); formcheck pins procrastinate to one
minor version, whose schema this is (see docs/deploy.md for upgrades).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import URL

from formcheck.clinic import Principal
from formcheck.errors import FormcheckError, InputError, StoreError
from formcheck.landmarks import side_of
from formcheck.messages import MIN_HEARTBEATS_MISSED, stalled_too_soon
from formcheck.pose import PoseEstimator
from formcheck.queue.jobs import AnalysisJobs
from formcheck.store.sql.database import Database

if TYPE_CHECKING:
    import procrastinate

logger = logging.getLogger(__name__)

#: The task's name and queue in procrastinate.
TASK_NAME = "formcheck.analyze_upload"
QUEUE = "analysis"
#: Arbitrary, fixed key of the advisory lock held while creating the queue's tables.
_SCHEMA_LOCK_KEY = 0x666F726D_6A6F62
#: Seconds between two progress writes of a running job.
PROGRESS_EVERY_S = 1.0


class QueueUnavailable(StoreError):
    """The job queue cannot be used (not PostgreSQL, or unreachable)."""


def postgres_dsn(url: URL) -> str:
    """A libpq connection string for ``url`` (password included: not for messages)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_queue_schema(database: Database) -> None:
    """Create procrastinate's tables in the database if they are not there.

    Raises:
        QueueUnavailable: If the database is not PostgreSQL.
    """
    if database.engine.dialect.name != "postgresql":
        raise QueueUnavailable(
            f"{database.where}: the job queue needs PostgreSQL "
            "(set FORMCHECK_DATABASE_URL to the clinic's database)"
        )
    from procrastinate.schema import SchemaManager

    with database.engine.begin() as connection:
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY}
        )
        present = connection.execute(
            sa.text("SELECT to_regclass('procrastinate_jobs')")
        ).scalar()
        if present is None:
            # psycopg runs a query without parameters as it is (no % escapes).
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.execute(SchemaManager.get_schema())


@dataclass(frozen=True)
class WorkerSettings:
    """How a worker analyses.

    Attributes:
        jobs: Processes per analysis (parallel pose chunks).
        estimator_factory: The pose model (picklable; ``None``: MediaPipe).
        progress_every_s: Seconds between two progress writes.
    """

    jobs: int = 1
    estimator_factory: Callable[[], PoseEstimator] | None = None
    progress_every_s: float = PROGRESS_EVERY_S


def run_job(jobs: AnalysisJobs, job_id: str, settings: WorkerSettings) -> str | None:
    """Run one queued job: claim, analyse, store; return the session id.

    A video formcheck cannot analyse fails the job with its one-line reason
    (it is not retried); ``None`` is returned for a job that needs nothing.
    """
    from formcheck.analyze import analyze_video
    from formcheck.specs import load_spec

    claimed = jobs.claim(job_id)
    if claimed is None:
        return None
    last = [time.monotonic()]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= settings.progress_every_s and total > 0:
            last[0] = now
            jobs.report_progress(job_id, done / total)

    with tempfile.TemporaryDirectory(prefix="formcheck-job-") as scratch:
        suffix = Path(claimed.file_name).suffix.lower()[:8] or ".mp4"
        video = Path(scratch) / f"upload{suffix}"
        try:
            video.write_bytes(claimed.data)
            result = analyze_video(
                video,
                load_spec(claimed.exercise_id),
                side=None if claimed.side is None else side_of(claimed.side),
                progress=progress,
                jobs=settings.jobs,
                estimator_factory=settings.estimator_factory,
            )
        except FormcheckError as exc:
            jobs.fail(job_id, str(exc).replace(str(video), claimed.file_name))
            return None
        except Exception as exc:
            jobs.fail(job_id, f"internal error: {type(exc).__name__}: {exc}")
            raise
    record = result.session
    named = record.source.model_copy(update={"name": claimed.file_name})
    return jobs.complete(job_id, record.model_copy(update={"source": named}))


def make_app(url: URL) -> procrastinate.App:
    """The procrastinate app of the database at ``url``, with formcheck's task."""
    import procrastinate

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=postgres_dsn(url))
    )

    @app.task(name=TASK_NAME, queue=QUEUE, pass_context=True)
    def analyze_upload(context: procrastinate.JobContext, job_id: str) -> None:
        env: _WorkerEnv = context.additional_context["formcheck"]
        run_job(env.jobs, job_id, env.settings)

    return app


def submit_upload(
    database: Database,
    principal: Principal,
    data: bytes,
    file_name: str,
    exercise_id: str,
    side: str | None = None,
    patient: str | None = None,
) -> str:
    """Queue an uploaded video for the workers; return the job's id.

    Raises:
        AccessDenied: If the uploader may not add sessions for the patient.
        InputError: If the video or an id is not acceptable.
        QueueUnavailable: If the queue cannot be reached (nothing is queued).
    """
    ensure_queue_schema(database)
    jobs = AnalysisJobs(database)
    job_id = jobs.submit(principal, data, file_name, exercise_id, side, patient)
    try:
        app = make_app(database.engine.url)
        with app.open():
            app.tasks[TASK_NAME].defer(job_id=job_id)
    except Exception as exc:  # the job must not wait for a worker forever
        logger.debug("defer failed", exc_info=True)
        jobs.fail(job_id, "the job queue could not be reached")
        raise QueueUnavailable(
            f"{database.where}: the job queue could not be reached ({type(exc).__name__})"
        ) from None
    return job_id


@dataclass(frozen=True)
class _WorkerEnv:
    jobs: AnalysisJobs
    settings: WorkerSettings


async def _retry_stalled(
    app: procrastinate.App, jobs: AnalysisJobs, stalled_after_s: float
) -> None:
    """Now and then, put jobs of workers that stopped back in the queue."""
    while True:
        await asyncio.sleep(max(0.2, stalled_after_s / 2.0))
        try:
            stalled = list(
                await app.job_manager.get_stalled_jobs(
                    queue=QUEUE, seconds_since_heartbeat=stalled_after_s
                )
            )
        except Exception:
            logger.warning("could not look for stalled jobs", exc_info=True)
            continue
        for job in stalled:
            job_id = str(job.task_kwargs.get("job_id", ""))
            logger.warning("job %s: its worker stopped; queued again", job_id)
            await asyncio.to_thread(jobs.requeue, job_id)
            try:
                await app.job_manager.retry_job(job)
            except Exception:  # another worker retried it first
                logger.debug("retry of job %s failed", job_id, exc_info=True)


def run_worker(
    database: Database,
    settings: WorkerSettings,
    *,
    wait: bool = True,
    heartbeat_s: float = 10.0,
    stalled_after_s: float = 60.0,
) -> None:
    """Run a worker until it is stopped (Ctrl-C, SIGTERM).

    Without ``wait`` it stops as soon as the queue is empty.

    Args:
        database: The clinic's PostgreSQL database.
        settings: How to analyse.
        wait: Keep waiting for new jobs (``False``: stop when none is left).
        heartbeat_s: Seconds between two heartbeats of this worker.
        stalled_after_s: A worker silent this long is taken for dead, and
            its job is run again.

    Raises:
        InputError: If ``stalled_after_s`` is too short for ``heartbeat_s``
            (a live worker would be taken for dead).
        QueueUnavailable: If the database is not PostgreSQL.
    """
    if stalled_after_s < MIN_HEARTBEATS_MISSED * heartbeat_s:
        raise InputError(stalled_too_soon(stalled_after_s, heartbeat_s))
    ensure_queue_schema(database)
    app = make_app(database.engine.url)
    env = _WorkerEnv(AnalysisJobs(database), settings)

    async def main() -> None:
        async with app.open_async():
            janitor = asyncio.create_task(
                _retry_stalled(app, env.jobs, stalled_after_s)
            )
            try:
                await app.run_worker_async(
                    queues=[QUEUE],
                    concurrency=1,
                    wait=wait,
                    update_heartbeat_interval=heartbeat_s,
                    stalled_worker_timeout=stalled_after_s,
                    additional_context={"formcheck": env},
                )
            finally:
                janitor.cancel()

    asyncio.run(main())

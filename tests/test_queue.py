"""The clinic job queue: uploads analysed by workers, each job done once."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from formcheck.clinic import JobState, Principal, Role
from formcheck.errors import AccessDenied, InputError
from formcheck.pose import ReplayPoseEstimator
from formcheck.queue.jobs import AnalysisJobs
from formcheck.queue.worker import (
    QueueUnavailable,
    WorkerSettings,
    run_job,
    submit_upload,
)
from formcheck.store.sql import Database, Mode
from formcheck.store.sql.models import AnalysisUploadRow, SessionRow
from tests.db_support import _postgres_db, open_database
from tests.parallel_support import BIRD_DOG, blank_video

REPO = Path(__file__).resolve().parents[1]
PATIENT = "pat@example.org"
OTHER = "other@example.org"


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = blank_video(tmp_path_factory.mktemp("queue") / "set.mp4", 90)
    return path.read_bytes()


def _people(db: Database) -> tuple[Principal, Principal]:
    operator = db.operator()
    for email in (PATIENT, OTHER):
        operator.grant_role(email, Role.PATIENT)
    return db.login(PATIENT), db.login(OTHER)


def _sessions_of(db: Database, job_id: str) -> int:
    with db.engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count())
                .select_from(SessionRow)
                .where(SessionRow.origin == f"job:{job_id}")
            ).scalar_one()
        )


REPLAY = WorkerSettings(
    jobs=1,
    estimator_factory=functools.partial(ReplayPoseEstimator.from_file, str(BIRD_DOG)),
)


# ------------------------------------------------- the job table, any database
def test_a_job_runs_once_and_lands_in_the_patients_sessions(
    clinic_db: Database, video: bytes
) -> None:
    patient, other = _people(clinic_db)
    jobs = AnalysisJobs(clinic_db)
    job_id = jobs.submit(patient, video, "monday set.mp4", "bird_dog")
    assert [j.state for j in jobs.jobs(patient)] == [JobState.QUEUED]
    assert jobs.jobs(other) == []  # another patient sees nothing of it
    session_id = run_job(jobs, job_id, REPLAY)
    assert session_id is not None
    assert run_job(jobs, job_id, REPLAY) is None  # done: not run twice
    (view,) = jobs.jobs(patient)
    assert view.state is JobState.DONE and view.attempts == 1
    assert view.session_id == session_id and view.progress == 1.0
    store = clinic_db.store(patient)
    assert [s.id for s in store.list_sessions()] == [session_id]
    assert store.load_session(session_id).source.name == "monday set.mp4"
    assert _sessions_of(clinic_db, job_id) == 1
    with clinic_db.engine.connect() as connection:  # the video is gone
        assert connection.execute(sa.select(AnalysisUploadRow)).first() is None


def test_a_bad_video_fails_with_one_line_naming_the_upload(
    clinic_db: Database,
) -> None:
    patient, _ = _people(clinic_db)
    jobs = AnalysisJobs(clinic_db)
    job_id = jobs.submit(patient, b"not a video at all", "holiday.mp4", "bird_dog")
    assert run_job(jobs, job_id, REPLAY) is None
    (view,) = jobs.jobs(patient)
    assert view.state is JobState.FAILED
    assert view.error is not None and view.error.startswith("holiday.mp4:")
    assert "\n" not in view.error and "upload" not in view.error


def test_only_someone_allowed_can_queue_for_a_patient(
    clinic_db: Database, video: bytes
) -> None:
    patient, other = _people(clinic_db)
    jobs = AnalysisJobs(clinic_db)
    with pytest.raises(AccessDenied):
        jobs.submit(other, video, "x.mp4", "bird_dog", patient="pat")
    with pytest.raises(InputError, match="bytes"):
        jobs.submit(patient, b"", "x.mp4", "bird_dog")


def test_the_queue_needs_postgresql(local_db: Database, video: bytes) -> None:
    if local_db.engine.dialect.name == "postgresql":
        pytest.skip("SQLite only")
    with pytest.raises(QueueUnavailable, match="needs PostgreSQL"):
        submit_upload(local_db, local_db.local_principal(), video, "a.mp4", "bird_dog")


# ----------------------------------------------- real workers on PostgreSQL
@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[URL]:
    template = request.getfixturevalue("postgres_template")
    yield from _postgres_db(request, template)


_logs: dict[int, Path] = {}


def _worker(url: URL, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """A test worker process; its error output goes to ``log``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "tests.queue_worker", url.render_as_string(False)]
    with log.open("wb") as err:
        worker = subprocess.Popen(
            [*command, *extra],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    _logs[worker.pid] = log
    return worker


def _log(worker: subprocess.Popen[bytes]) -> str:
    return _logs[worker.pid].read_text(errors="replace")[-800:]


def _until(
    condition: Callable[[], bool], worker: subprocess.Popen[bytes], limit_s: float
) -> None:
    """Wait for ``condition``, checking every 0.2 s while ``worker`` runs."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped ({worker.returncode}): {_log(worker)}")
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {limit_s} s")
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=0.2)


def _procrastinate_states(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return sorted(
            connection.execute(
                sa.text("SELECT status FROM procrastinate_jobs")
            ).scalars()
        )


@pytest.mark.postgres
def test_two_workers_do_every_job_exactly_once(
    pg_url: URL, video: bytes, tmp_path: Path
) -> None:
    db = open_database(pg_url, Mode.CLINIC)
    try:
        patient, _ = _people(db)
        ids = [
            submit_upload(db, patient, video, f"set{i}.mp4", "bird_dog")
            for i in range(5)
        ]
        workers = [
            _worker(pg_url, tmp_path / f"worker{i}.log", "--until-empty")
            for i in range(2)
        ]
        for worker in workers:
            assert worker.wait(timeout=180) == 0, _log(worker)
        jobs = AnalysisJobs(db)
        for job_id in ids:
            view = jobs.get(job_id)
            assert view is not None and view.state is JobState.DONE
            assert view.attempts == 1
            assert _sessions_of(db, job_id) == 1
        assert len(db.store(patient).list_sessions()) == 5
        assert _procrastinate_states(db) == ["succeeded"] * 5
    finally:
        db.close()


@pytest.mark.postgres
def test_a_job_whose_worker_dies_is_run_again_by_another(
    pg_url: URL, video: bytes, tmp_path: Path
) -> None:
    db = open_database(pg_url, Mode.CLINIC)
    hung = _worker(pg_url, tmp_path / "hung.log", "--hang-after", "5")
    rescuer: subprocess.Popen[bytes] | None = None
    try:
        patient, _ = _people(db)
        job_id = submit_upload(db, patient, video, "set.mp4", "bird_dog")
        jobs = AnalysisJobs(db)

        def state() -> JobState | None:
            view = jobs.get(job_id)
            return None if view is None else view.state

        _until(lambda: state() is JobState.RUNNING, hung, 60)
        hung.send_signal(signal.SIGKILL)  # dies mid-job: no goodbye
        hung.wait(timeout=30)
        rescuer = _worker(pg_url, tmp_path / "rescuer.log")
        _until(lambda: state() is JobState.DONE, rescuer, 120)
        view = jobs.get(job_id)
        assert view is not None and view.attempts == 2
        assert _sessions_of(db, job_id) == 1
        assert len(db.store(patient).list_sessions()) == 1
    finally:
        for worker in (hung, rescuer):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
        db.close()


# ------------------------------------------------------ the Review page's part
def test_review_page_queues_only_in_clinic_mode_on_postgresql(
    clinic_db: Database, video: bytes, tmp_path: Path
) -> None:
    from formcheck.app_support import review_queue

    patient, _ = _people(clinic_db)
    store = clinic_db.store(patient)
    assert review_queue.queue_access(False, store) is None  # local: in the app
    access = review_queue.queue_access(True, store)
    if clinic_db.engine.dialect.name != "postgresql":
        assert access is None  # a trial on SQLite analyses in the app
        return
    assert access is not None
    clip = tmp_path / "upload.mp4"
    clip.write_bytes(video)
    job_id = review_queue.submit(access, clip, "tuesday.mp4", "bird_dog", None)
    (job,) = review_queue.jobs(access)
    assert job.id == job_id
    assert "tuesday.mp4 · bird_dog · waiting for a worker" in review_queue.job_line(job)
    run_job(AnalysisJobs(clinic_db), job_id, REPLAY)
    (done,) = review_queue.jobs(access)
    assert review_queue.job_line(done).endswith("· done")
    assert done.session_id is not None
    shown = review_queue.result_of(store.load_session(done.session_id))
    assert shown.video_path is None and shown.session.source.name == "tuesday.mp4"


def test_worker_on_sqlite_says_it_needs_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from formcheck.cli import main

    monkeypatch.delenv("FORMCHECK_DATABASE_URL", raising=False)
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    assert main(["worker", "--until-empty"]) == 1
    err = capsys.readouterr().err
    assert "the job queue needs PostgreSQL" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1

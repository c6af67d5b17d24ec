"""``formcheck db``, ``formcheck import`` and ``formcheck admin``: outputs and errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from formcheck.record import SessionRecord
from formcheck.store.sql import Database, DatabaseConfig, Mode
from formcheck.store.sql.config import sqlite_url
from formcheck.store.sql.migrate import head_revision
from tests.cli_support import folder_with_data, isolated_home, run_in_process
from tests.conftest import REPO

#: The newest schema revision (the tests name it rather than a number).
HEAD = head_revision()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working folder with no secrets file and a fresh FORMCHECK_HOME."""
    return isolated_home(monkeypatch, tmp_path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_in_process(capsys, *args)


def use(monkeypatch: pytest.MonkeyPatch, url: URL, mode: Mode = Mode.LOCAL) -> None:
    monkeypatch.setenv(
        "FORMCHECK_DATABASE_URL", url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("FORMCHECK_MODE", mode.value)


def test_db_upgrade_and_status(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "db", "status")
    assert status == 0 and "schema revision: none" in out and "mode: local" in out
    status, out, _ = run(capsys, "db", "upgrade")
    assert status == 0 and f"upgraded from empty to {HEAD}" in out
    assert (env / "home" / "formcheck.db").is_file()
    status, out, _ = run(capsys, "db", "upgrade")
    assert status == 0 and f"already at {HEAD}" in out


def test_admin_makes_the_first_therapist_and_links(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMCHECK_MODE", "clinic")
    assert (
        run(capsys, "admin", "add-therapist", "Ther@Clinic.org", "--name", "Dr [T]")[0]
        == 0
    )
    assert run(capsys, "admin", "add-patient", "pat@home.org")[0] == 0
    status, out, _ = run(capsys, "admin", "link", "ther@clinic.org", "pat@home.org")
    assert status == 0 and "linked" in out
    status, out, _ = run(capsys, "admin", "users")
    assert "ther@clinic.org  Dr [T]  [therapist]" in out  # names are plain text
    assert "pat@home.org" in out and "[patient]" in out
    status, out, _ = run(capsys, "admin", "unlink", "ther@clinic.org", "pat@home.org")
    assert status == 0 and "unlinked" in out
    status, out, _ = run(capsys, "admin", "remove-role", "pat@home.org", "patient")
    assert status == 0 and "no role" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ("admin", "link", "nobody@clinic.org", "pat@home.org"),
            "nobody@clinic.org: no user",
        ),
        (("admin", "remove-role", "ghost@x.org", "admin"), "ghost@x.org: no user"),
        (("admin", "add-therapist", "not-an-address"), "is not an e-mail address"),
        (("import", "nowhere"), "nowhere: no such folder"),
    ],
)
def test_bad_input_gives_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], fragment: str
) -> None:
    status, _, err = run(capsys, *args)
    assert status == 1
    assert fragment in err
    assert err.count("formcheck: error:") == 1


def test_database_down_is_one_line_without_traceback(tmp_path: Path) -> None:
    environ = dict(os.environ)
    environ["FORMCHECK_DATABASE_URL"] = "postgresql://clinic:pw@127.0.0.1:1/formcheck"
    # This checkout's formcheck, whatever is installed.
    environ["PYTHONPATH"] = os.pathsep.join([str(REPO), environ.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-m", "formcheck.cli", "admin", "users"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the database" in lines[0]
    assert ":pw@" not in proc.stderr


def test_import_round_trip_and_twice_adds_nothing(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: URL,
    bird_dog_record: SessionRecord,
) -> None:
    use(monkeypatch, database_url)
    folder = folder_with_data(env / "old", bird_dog_record)
    status, out, _ = run(capsys, "import", str(folder))
    assert status == 0
    assert "imported 3 session(s) (0 already there) and 1 prescription(s)" in out
    status, out, _ = run(capsys, "import", str(folder))
    assert status == 0
    assert (
        "imported 0 session(s) (3 already there) and 0 prescription(s) (1 kept" in out
    )

    db = Database.open(DatabaseConfig(url=database_url))
    try:
        store = db.store(db.local_principal())
        assert store.patients() == ["Jane Doe"]
        assert len(store.list_sessions()) == 3
        jane = store.list_sessions("Jane Doe")
        assert sorted(r.label.rsplit(" · ", 1)[-1] for r in jane) == ["set1", "set2"]
        assert store.load_session(jane[0].id).reps == bird_dog_record.reps
        assert store.prescription("Jane Doe", "bird_dog").reps == 7  # type: ignore[union-attr]
    finally:
        db.close()
    assert len(list((folder / "sessions").glob("*.session.json"))) == 3  # left as is


def test_import_with_a_bad_file_imports_nothing_unless_told(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    bird_dog_record: SessionRecord,
) -> None:
    folder = folder_with_data(env / "old", bird_dog_record)
    bad = folder / "sessions" / "20260101-000000_me_bird_dog.session.json"
    bad.write_text("{not json")
    status, out, err = run(capsys, "import", str(folder))
    assert status == 1
    assert "nothing was imported" in err and str(bad) in err
    assert run(capsys, "db", "status")[1].count(f"revision: {HEAD}") == 1
    status, out, err = run(capsys, "import", str(folder), "--skip-bad")
    assert status == 1  # done, but say that a file was left out
    assert f"skipped: {bad}" in out
    assert "imported 3 session(s)" in out


def test_import_into_a_clinic_patient(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    bird_dog_record: SessionRecord,
) -> None:
    monkeypatch.setenv("FORMCHECK_MODE", "clinic")
    folder = folder_with_data(env / "old", bird_dog_record)
    status, _, err = run(capsys, "import", str(folder))
    assert status == 1 and "--patient EMAIL" in err
    status, _, err = run(capsys, "import", str(folder), "--patient", "pat@home.org")
    assert status == 1 and "pat@home.org: no user" in err
    run(capsys, "admin", "add-patient", "pat@home.org", "--name", "Pat")
    status, out, _ = run(capsys, "import", str(folder), "--patient", "pat@home.org")
    assert status == 0 and "imported 3 session(s)" in out
    db = Database.open(DatabaseConfig(url=sqlite_url(env / "home"), mode=Mode.CLINIC))
    try:
        pat = db.store(db.login("pat@home.org"))
        assert len(pat.list_sessions()) == 3
        assert {r.patient for r in pat.list_sessions()} == {"pat"}
        assert pat.prescription("pat", "bird_dog").reps == 7  # type: ignore[union-attr]
    finally:
        db.close()

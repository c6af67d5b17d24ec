"""``formcheck import`` with session and prescription files no one should write.

A whole number too long for Python to read, or JSON nested 100,000 deep, is
one line naming the file, and ``--skip-bad`` leaves that file out like any
other unreadable file (it used to stop the whole import with an "internal
error").
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from formcheck.errors import SessionFileError
from formcheck.prescription import load_prescription
from formcheck.record import SessionRecord
from formcheck.record.model import parse_session
from tests.cli_support import folder_with_data, isolated_home, run_in_process

HUGE = "1" + "0" * 5000
DEEP = "[" * 100_000 + "]" * 100_000
LIMIT = sys.get_int_max_str_digits()
TOO_LONG_SESSION = (
    f"holds a number with more than {LIMIT} digits, which formcheck never writes"
)
TOO_LONG_PRESCRIPTION = (
    f"holds a number with more than {LIMIT} digits, which no prescription has"
)
TOO_DEEP = "JSON nested too deeply"
SESSION = '{"format": "formcheck-session", "format_version": 1, "x": %s}'
PRESCRIPTION = (
    '{"format": "formcheck-prescription", "patient": "Jane Doe", '
    '"exercise": "clamshell", "reps": %s}'
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working folder with no secrets file and a fresh FORMCHECK_HOME."""
    return isolated_home(monkeypatch, tmp_path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_in_process(capsys, *args)


@pytest.mark.parametrize(
    ("content", "problem"),
    [(SESSION % HUGE, TOO_LONG_SESSION), (SESSION % DEEP, TOO_DEEP)],
    ids=["5001-digit-number", "nested-100000-deep"],
)
def test_session_json_that_cannot_be_read_names_the_file(
    content: str, problem: str
) -> None:
    with pytest.raises(SessionFileError) as exc:
        parse_session(content.encode(), "me.session.json")
    assert str(exc.value) == f"me.session.json: {problem}"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (PRESCRIPTION % HUGE, TOO_LONG_PRESCRIPTION),
        (DEEP, TOO_DEEP),
        (PRESCRIPTION % DEEP, TOO_DEEP),
    ],
    ids=["5001-digit-number", "nested-100000-deep", "field-nested-100000-deep"],
)
def test_prescription_json_that_cannot_be_read_names_the_file(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "clamshell.prescription.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SessionFileError) as exc:
        load_prescription(path)
    assert str(exc.value) == f"{path}: {problem}"


@pytest.mark.parametrize(
    ("where", "content", "problem"),
    [
        ("session", SESSION % HUGE, TOO_LONG_SESSION),
        ("prescription", PRESCRIPTION % HUGE, TOO_LONG_PRESCRIPTION),
        ("prescription", DEEP, TOO_DEEP),
    ],
    ids=["session-5001-digits", "prescription-5001-digits", "prescription-deep"],
)
def test_import_names_the_bad_file_and_skip_bad_leaves_it_out(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    bird_dog_record: SessionRecord,
    where: str,
    content: str,
    problem: str,
) -> None:
    folder = folder_with_data(env / "old", bird_dog_record)
    bad = (
        folder / "sessions" / "20260101-000000_me_bird_dog.session.json"
        if where == "session"
        else folder / "patients" / "Jane Doe" / "clamshell.prescription.json"
    )
    bad.write_text(content, encoding="utf-8")

    status, out, err = run(capsys, "import", str(folder))
    assert status == 1
    assert err.splitlines() == [
        f"formcheck: error: {folder}: 1 file(s) cannot be imported, so nothing "
        "was imported (fix or move them, or pass --skip-bad):",
        f"formcheck: error: {bad}: {problem}",
    ]

    status, out, err = run(capsys, "import", str(folder), "--skip-bad")
    assert status == 1  # done, but say that a file was left out
    assert f"skipped: {bad}: {problem}" in out.splitlines()
    assert "imported 3 session(s) (0 already there) and 1 prescription(s)" in out

"""Running the command line in-process, in a clean working folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord
from formcheck.store import FolderStore


def run_in_process(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """``formcheck ARGS`` in this process: its status, standard output and error.

    Whatever happens, it never prints a traceback or an internal error.
    """
    status = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "internal error" not in out + err
    return status, out, err


def isolated_home(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """Work in ``folder`` with no secrets file and a fresh ``FORMCHECK_HOME``."""
    monkeypatch.chdir(folder)
    for name in ("FORMCHECK_DATABASE_URL", "FORMCHECK_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FORMCHECK_HOME", str(folder / "home"))
    return folder


def folder_with_data(root: Path, record: SessionRecord) -> Path:
    """A FORMCHECK_HOME folder as the app writes it: 3 sessions, 1 prescription."""
    folder = FolderStore(root)
    folder.save_session(record, "set1")
    folder.save_session(record.model_copy(update={"patient": "Jane Doe"}), "set1")
    folder.save_session(record.model_copy(update={"patient": "Jane Doe"}), "set2")
    folder.save_prescription(
        Prescription(patient="Jane Doe", exercise="bird_dog", reps=7)
    )
    return root

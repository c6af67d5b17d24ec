"""How the ``formcheck`` process ends after an analysis (:mod:`formcheck.cli._exit`).

The subprocess tests of the command line (:mod:`tests.replay_cli`, the signal
tests among them) end through the same path; these check what it must keep.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

_PROGRAM = """
import atexit, sys
from pathlib import Path
from formcheck.cli._exit import exit_now

atexit.register(lambda: Path(sys.argv[1]).write_text("exit handler ran"))
sys.stdout.write("the summary, still in the buffer")  # no newline, not flushed
exit_now(int(sys.argv[2]))
"""


@pytest.mark.parametrize("status", [0, 3])
def test_exit_now_runs_the_exit_handlers_flushes_and_keeps_the_status(
    tmp_path: Path, status: int
) -> None:
    repo = Path(__file__).resolve().parents[1]
    marker = tmp_path / "handler"
    proc = subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(marker), str(status)],
        capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == status
    assert proc.stdout == "the summary, still in the buffer"
    assert marker.read_text() == "exit handler ran"
    assert proc.stderr == ""

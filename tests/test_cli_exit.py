"""How the ``formcheck`` process ends after an analysis (:mod:`formcheck.cli._exit`).

The subprocess tests of the command line (:mod:`tests.replay_cli`, the signal
tests among them) end through the same path; these check what it must keep,
what it skips, and when it must not be used.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

_PROGRAM = """
import atexit, sys, threading
from pathlib import Path
from formcheck.cli._exit import exit_now

folder, status, how = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


class Teardown:
    # Runs when the interpreter frees the module's objects (a normal exit).
    def __del__(self, write=(folder / "teardown").write_text):
        write("torn down")


kept = Teardown()
atexit.register(lambda: (folder / "handler").write_text("exit handler ran"))
if how == "thread":  # a thread still at work when the program ends
    go = threading.Event()

    def work():
        go.wait()
        (folder / "thread").write_text("thread finished")

    threading.Thread(target=work).start()
    threading._register_atexit(go.set)  # set while Python waits for threads
sys.stdout.write("the summary, still in the buffer")  # no newline, not flushed
if how == "normal":
    sys.exit(status)
exit_now(status)
"""


def _run(folder: Path, status: int, how: str) -> subprocess.CompletedProcess[str]:
    repo = Path(__file__).resolve().parents[1]
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(folder), str(status), how],
        capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


@pytest.mark.parametrize("status", [0, 3])
def test_exit_now_keeps_status_output_and_exit_handlers_but_skips_the_teardown(
    tmp_path: Path, status: int
) -> None:
    normal = tmp_path / "normal"
    normal.mkdir()
    assert _run(normal, status, "normal").returncode == status
    assert (normal / "teardown").exists()  # what a normal exit spends time on

    proc = _run(tmp_path, status, "now")
    assert proc.returncode == status
    assert proc.stdout == "the summary, still in the buffer"
    assert (tmp_path / "handler").read_text() == "exit handler ran"
    assert not (tmp_path / "teardown").exists()  # skipped
    assert proc.stderr == ""


def test_exit_now_waits_for_a_thread_still_at_work(tmp_path: Path) -> None:
    proc = _run(tmp_path, 0, "thread")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "thread").read_text() == "thread finished"
    assert proc.stdout == "the summary, still in the buffer"
    assert (tmp_path / "handler").exists()

"""Numbers mistyped in any command's options: argparse's usage line, never a crash.

``formcheck bench --speed --repeat 0`` used to end in "internal error:
StatisticsError", ``--live-seconds nan`` in "cannot convert float NaN to
integer", ``--jobs -1`` in a ValueError, and ``formcheck worker --jobs -3``
started with "-3 process(es) per video".
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.cli._console import PlainLogFormatter
from formcheck.synth.cli import main as synth_main
from tests.cli_support import isolated_home, run_in_process


def refused(capsys: pytest.CaptureFixture[str], run: object, *args: str) -> str:
    """The last standard-error line of a command refused by argparse (status 2)."""
    assert callable(run)
    with pytest.raises(SystemExit) as exc:
        run(list(args))
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    assert err.startswith("usage: ")
    return err.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("analyze", "x.mp4", "--jobs", "0"),
            "formcheck analyze: error: argument --jobs/-j: must be from 1 to 256, got '0'",
        ),
        (
            ("analyze", "x.mp4", "-j", "100000"),
            "formcheck analyze: error: argument --jobs/-j: must be from 1 to 256, "
            "got '100000'",
        ),
        (
            ("worker", "--jobs", "-3"),
            "formcheck worker: error: argument --jobs/-j: must be from 1 to 256, got '-3'",
        ),
        (
            ("worker", "--heartbeat-s", "nan"),
            "formcheck worker: error: argument --heartbeat-s: must be from 0.5 to "
            "3600, got 'nan'",
        ),
        (
            ("worker", "--stalled-after-s", "-1"),
            "formcheck worker: error: argument --stalled-after-s: must be from 2 to "
            "86400, got '-1'",
        ),
        (
            ("bench", "--speed", "--repeat", "0"),
            "formcheck bench: error: argument --repeat: must be from 1 to 100, got '0'",
        ),
        (
            ("bench", "--speed", "--jobs", "-1"),
            "formcheck bench: error: argument --jobs: must be from 1 to 256, got '-1'",
        ),
        (
            ("bench", "--speed", "--live-seconds", "nan"),
            "formcheck bench: error: argument --live-seconds: must be from 1 to "
            "3600, got 'nan'",
        ),
        (
            ("bench", "--speed", "--live-sessions", "0"),
            "formcheck bench: error: argument --live-sessions: must be from 1 to 64, "
            "got '0'",
        ),
        (
            ("bench", "--speed", "--repeat", "two"),
            "formcheck bench: error: argument --repeat: expected a whole number, "
            "got 'two'",
        ),
    ],
)
def test_out_of_range_numbers_get_the_usage_line(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert refused(capsys, main, *args) == message


def test_samples_jobs_zero_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, synth_main, "samples", "--jobs", "0")
    assert line.endswith("argument --jobs: must be from 1 to 256, got '0'")


def test_worker_that_would_be_taken_for_dead_does_not_start(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A stalled limit shorter than 3 heartbeats would run live jobs twice."""
    isolated_home(monkeypatch, tmp_path)
    monkeypatch.setenv("FORMCHECK_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    status, _, err = run_in_process(
        capsys, "worker", "--heartbeat-s", "30", "--stalled-after-s", "60"
    )
    assert status == 1
    assert err.strip() == (
        "formcheck: error: --stalled-after-s 60 must be at least 3 × --heartbeat-s "
        "(90 s): otherwise a worker that is alive is taken for dead and its video "
        "is analysed twice (give every worker the same two values)"
    )


def test_log_lines_show_escape_sequences_instead_of_obeying_them() -> None:
    """``-v`` output naming a file called ``a<ESC>[2Jb.mp4`` cannot clear the screen."""
    record = logging.LogRecord(
        "formcheck.video",
        logging.DEBUG,
        __file__,
        1,
        "opened %s",
        ("a\x1b[2Jb.mp4",),
        None,
    )
    line = PlainLogFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert line == "DEBUG formcheck.video: opened a\\x1b[2Jb.mp4"

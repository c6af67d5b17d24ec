"""``formcheck`` with the recorded bird-dog poses instead of MediaPipe.

Run as ``python -m tests.replay_cli analyze VIDEO ...`` (with ``--jobs 1``) to
test the command line on a video without the model. With
``FORMCHECK_TEST_POSE_DELAY_S`` each pose takes that long (the signal tests
use 0.02 s), and the file named by ``FORMCHECK_TEST_MARK``, if set, is
created once frame 30 is estimated, so a test knows the analysis is under
way before it sends a signal; the file named by ``FORMCHECK_TEST_MADE``, if
set, is created when an estimator is made. :func:`run_replay_cli` runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

import formcheck.analyze
import formcheck.parallel.pose_stream
from formcheck.cli import run
from formcheck.types import PoseFrame
from tests.parallel_support import BIRD_DOG, SmoothingReplay

MARK_AT = 30


class Replay(SmoothingReplay):
    """The recorded poses, each after the delay asked for."""

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        mark = os.environ.get("FORMCHECK_TEST_MARK")
        if mark and frame_index == MARK_AT:
            Path(mark).touch()
        time.sleep(float(os.environ.get("FORMCHECK_TEST_POSE_DELAY_S", "0")))
        return super().__call__(image_bgr, timestamp_ms, frame_index)


def replay_estimator(model_complexity: int = 1) -> Replay:
    """Stands in for :func:`formcheck.pose.create_estimator`."""
    made = os.environ.get("FORMCHECK_TEST_MADE")
    if made:
        Path(made).touch()
    return Replay(str(BIRD_DOG), memory=1)


def run_replay_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tests.replay_cli ARGS`` in ``cwd``, output captured."""
    repo = Path(__file__).resolve().parents[1]
    return subprocess.run(
        [sys.executable, "-m", "tests.replay_cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin", "COLUMNS": "500"}
        | (env or {}),
        timeout=300,
    )


if __name__ == "__main__":
    # Both makers of estimators: the stream started ahead, and analyze_video's own.
    formcheck.parallel.pose_stream.create_estimator = replay_estimator  # type: ignore[assignment]
    formcheck.analyze.create_estimator = replay_estimator  # type: ignore[assignment]
    run()  # as the real program ends (formcheck.cli._exit)

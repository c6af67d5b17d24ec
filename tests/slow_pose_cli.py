"""``formcheck`` with a slow replayed pose model instead of MediaPipe.

Run as ``python -m tests.slow_pose_cli analyze ...`` by the signal tests:
the bird-dog landmarks are replayed at about 50 frames a second, and the file
named by ``FORMCHECK_TEST_MARK`` is created once frame 30 is estimated, so a
test knows the analysis is under way before it sends a signal.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

import formcheck.analyze
from formcheck.cli import main
from formcheck.types import PoseFrame
from tests.parallel_support import BIRD_DOG, SmoothingReplay

MARK_AT = 30


class SlowReplay(SmoothingReplay):
    """The recorded poses, one every 20 ms."""

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        if frame_index == MARK_AT:
            Path(os.environ["FORMCHECK_TEST_MARK"]).touch()
        time.sleep(0.02)
        return super().__call__(image_bgr, timestamp_ms, frame_index)


def slow_estimator(model_complexity: int = 1) -> SlowReplay:
    """Stands in for :func:`formcheck.pose.create_estimator`."""
    return SlowReplay(str(BIRD_DOG), memory=1)


if __name__ == "__main__":
    formcheck.analyze.create_estimator = slow_estimator  # type: ignore[assignment]
    sys.exit(main())

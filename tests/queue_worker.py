"""A ``formcheck worker`` for tests: recorded landmarks instead of the model.

Run as ``python -m tests.queue_worker URL [--hang-after N] [--until-empty]``
from the repository; with ``--hang-after`` its pose model stops answering
after N frames (as a worker that has hung), so a test can kill it mid-job.
"""

from __future__ import annotations

import argparse
import functools
import threading
from types import TracebackType

import numpy as np
import numpy.typing as npt

from formcheck.pose import ReplayPoseEstimator
from formcheck.queue.worker import WorkerSettings, run_worker
from formcheck.store.sql import Database, DatabaseConfig
from formcheck.store.sql.config import parse_database_url
from formcheck.types import PoseFrame
from tests.parallel_support import BIRD_DOG


class HangingReplay:
    """Replays the bird-dog landmarks, then blocks for good after ``frames``."""

    def __init__(self, frames: int) -> None:
        self.replay = ReplayPoseEstimator.from_file(BIRD_DOG)
        self.frames = frames

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        if frame_index >= self.frames:
            threading.Event().wait()  # never set: the worker hangs here
        return self.replay(image_bgr, timestamp_ms, frame_index)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> HangingReplay:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--hang-after", type=int, default=None)
    parser.add_argument("--until-empty", action="store_true")
    args = parser.parse_args()
    factory = (
        functools.partial(HangingReplay, args.hang_after)
        if args.hang_after is not None
        else functools.partial(ReplayPoseEstimator.from_file, str(BIRD_DOG))
    )
    url = parse_database_url(args.url, "test")
    database = Database.open(DatabaseConfig(url=url), upgrade=False)
    try:
        run_worker(
            database,
            WorkerSettings(jobs=1, estimator_factory=factory, progress_every_s=0.0),
            wait=not args.until_empty,
            heartbeat_s=0.5,
            stalled_after_s=2.0,
        )
    finally:
        database.close()


if __name__ == "__main__":
    main()

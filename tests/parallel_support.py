"""Pose estimators for parallel tests: picklable, no model, some with memory.

Worker processes import this module to build their estimators, so it holds
only what they need.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

from formcheck.errors import PoseBackendError
from formcheck.types import PoseFrame, PoseSequence
from formcheck.video import VideoWriter

DATA = Path(__file__).resolve().parent / "data"
BIRD_DOG = DATA / "polybag_bird_dog.landmarks.npz"


class SmoothingReplay:
    """Replays recorded poses, averaged over the last ``memory`` frames it saw.

    Like a real tracker it has memory: its output for a frame depends on the
    frames it was called with before, so a chunk started cold differs from a
    sequential run until ``memory`` frames have passed.
    """

    def __init__(self, path: str, memory: int) -> None:
        self.sequence = PoseSequence.load_npz(path)
        self.memory = memory
        self._seen: deque[npt.NDArray[np.float32]] = deque(maxlen=memory)

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        pose = self.sequence[frame_index]
        self._seen.append(np.nan_to_num(pose.xy, nan=0.0))
        xy = np.mean(np.stack(list(self._seen)), axis=0).astype(np.float32)
        return PoseFrame(
            xy=xy,
            visibility=pose.visibility,
            timestamp_ms=timestamp_ms,
            frame_index=frame_index,
            resolution_wh=pose.resolution_wh,
            xyz_world=pose.xyz_world,
            num_people=max(pose.num_people, 1),
        )

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> SmoothingReplay:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class FirstSightReplay(SmoothingReplay):
    """Replays the recorded poses — or, if it starts after frame 0, someone else.

    Like a tracker that starts cold while two people are in view and locks
    onto the other one for good.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, memory=1)
        self._other: bool | None = None

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        if self._other is None:
            self._other = frame_index > 0
        pose = super().__call__(image_bgr, timestamp_ms, frame_index)
        if not self._other:
            return pose
        return PoseFrame(
            xy=pose.xy + np.float32(150.0),
            visibility=pose.visibility,
            timestamp_ms=pose.timestamp_ms,
            frame_index=pose.frame_index,
            resolution_wh=pose.resolution_wh,
            num_people=pose.num_people,
        )


def broken_estimator() -> SmoothingReplay:
    """A factory whose model cannot load (as offline with a model to download)."""
    raise PoseBackendError("the pose model cannot be loaded (test)")


def blank_video(path: Path, frames: int, fps: float = 30.0) -> Path:
    """A small grey video of ``frames`` frames whose content changes each frame."""
    with VideoWriter(path, fps=fps) as writer:
        for i in range(frames):
            image = np.full((48, 64, 3), 60 + (i * 7) % 120, dtype=np.uint8)
            image[(i * 3) % 48, :, :] = 250
            writer.write(image, i * 1000.0 / fps)
    return path


def wait_for_stop() -> str:
    """A pool task that says where it runs, then works until asked to stop.

    It sends its process id (a ``PROGRESS`` message) and returns ``"stopped"``
    once :func:`~formcheck.parallel.pool.task_stop` is requested (or
    ``"never asked"`` after a minute, so a broken test cannot hang).
    """
    import os
    import threading

    from formcheck.parallel.pool import MessageKind, send, task_stop

    send(MessageKind.PROGRESS, os.getpid())
    stop = task_stop()
    asked = threading.Event()
    for _ in range(600):
        if stop is not None and stop.requested:
            return "stopped"
        asked.wait(0.1)
    return "never asked"

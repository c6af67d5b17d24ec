"""A pose "estimator" that serves poses recorded earlier (no model, no video)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

from formcheck.types import PoseFrame, PoseSequence


class ReplayPoseEstimator:
    """Replays a :class:`PoseSequence`, e.g. one saved with ``--save-landmarks``.

    It satisfies :class:`~formcheck.pose.base.PoseEstimator`: calling it with a
    frame index returns the recorded pose of that frame and ignores the image.

    Example:
        >>> replay = ReplayPoseEstimator.from_file("poses.npz")  # doctest: +SKIP
        >>> for pose in replay.frames():  # doctest: +SKIP
        ...     print(pose.timestamp_ms, pose.has_person)
    """

    def __init__(self, sequence: PoseSequence) -> None:
        """Wrap a recorded sequence.

        Args:
            sequence: The poses to serve.
        """
        self.sequence = sequence

    @classmethod
    def from_file(cls, path: str | Path) -> ReplayPoseEstimator:
        """Load a landmark file written by :meth:`PoseSequence.save_npz`.

        Args:
            path: The ``.npz`` file.

        Returns:
            A replay estimator over its poses.

        Raises:
            InputError: If the file is missing or not a formcheck landmark file.
        """
        return cls(PoseSequence.load_npz(path))

    def __len__(self) -> int:
        return len(self.sequence)

    def __call__(
        self,
        image_bgr: npt.NDArray[np.uint8] | None,
        timestamp_ms: float,
        frame_index: int,
    ) -> PoseFrame:
        """Return the recorded pose of frame ``frame_index``.

        Args:
            image_bgr: Ignored (may be ``None``).
            timestamp_ms: Ignored; the recorded timestamp is returned.
            frame_index: Index of the frame in the recording.

        Returns:
            The recorded pose.

        Raises:
            IndexError: If ``frame_index`` is outside the recording.
        """
        count = len(self.sequence)
        if not 0 <= frame_index < count:
            raise IndexError(
                f"`frame_index` must be in [0, {count}) for this recording of "
                f"{count} frames, but got {frame_index}"
            )
        return self.sequence[frame_index]

    def frames(self) -> Iterator[PoseFrame]:
        """Yield every recorded pose in order, without any video.

        Yields:
            One pose per recorded frame.
        """
        for index in range(len(self.sequence)):
            yield self.sequence[index]

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> ReplayPoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

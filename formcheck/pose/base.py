"""The interface every pose estimator implements."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from formcheck.types import PoseFrame


@runtime_checkable
class PoseEstimator(Protocol):
    """Finds the pose of one person in successive video frames.

    Estimators are stateful (they track the person from frame to frame), so
    call them with frames of one video or stream, in order, with strictly
    increasing timestamps. They are context managers: leaving the ``with``
    block calls :meth:`close`.

    Example:
        >>> with create_estimator() as estimator:  # doctest: +SKIP
        ...     pose = estimator(image_bgr, timestamp_ms=0.0, frame_index=0)
    """

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        """Estimate the pose in one frame.

        Args:
            image_bgr: ``(H, W, 3)`` uint8 BGR image.
            timestamp_ms: Time of the frame; must increase from call to call.
            frame_index: Index of the frame in its source.

        Returns:
            The pose, or :meth:`PoseFrame.empty` when nobody is found (never
            ``None``).
        """
        ...

    def close(self) -> None:
        """Release the model. Safe to call twice."""
        ...

    def __enter__(self) -> PoseEstimator: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

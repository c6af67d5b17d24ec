"""Pose estimation backends.

Importing this package does not load MediaPipe; :func:`create_estimator` does.
"""

from __future__ import annotations

from typing import Any

from formcheck.pose.base import PoseEstimator
from formcheck.pose.replay import ReplayPoseEstimator

__all__ = ["PoseEstimator", "ReplayPoseEstimator", "create_estimator"]


def create_estimator(model_complexity: int = 1, **kwargs: Any) -> PoseEstimator:
    """Create the MediaPipe pose estimator (imports MediaPipe on first use).

    Args:
        model_complexity: 0 (lite), 1 (full, bundled) or 2 (heavy).
        **kwargs: Other arguments of
            :class:`~formcheck.pose.mediapipe_backend.MediaPipePoseEstimator`.

    Returns:
        A ready estimator; close it (or use it in a ``with`` block) when done.

    Raises:
        PoseBackendError: If the model cannot be created (e.g. a model that
            must be downloaded while offline).
        ValueError: If an argument is invalid.
    """
    from formcheck.pose.mediapipe_backend import MediaPipePoseEstimator

    return MediaPipePoseEstimator(model_complexity=model_complexity, **kwargs)

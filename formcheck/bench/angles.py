"""Angle error against the truth of generated clips."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from formcheck import geometry
from formcheck.landmarks import Side, core_indices, landmark_index
from formcheck.types import PoseSequence


def _near_angles(
    xy: npt.NDArray[np.float64], side: Side
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    sh, hip, knee, ankle = (
        landmark_index(p, side) for p in ("shoulder", "hip", "knee", "ankle")
    )
    hip_angle = geometry.joint_angle_deg(xy[:, sh], xy[:, hip], xy[:, knee])
    knee_angle = geometry.joint_angle_deg(xy[:, hip], xy[:, knee], xy[:, ankle])
    return hip_angle, knee_angle


def angle_errors(
    found: PoseSequence, truth_px: npt.NDArray[np.float64], min_visibility: float = 0.5
) -> npt.NDArray[np.float64]:
    """Absolute errors of the near-side hip and knee angles against truth (deg).

    The near side is the side with the higher mean visibility. Frames where
    MediaPipe found nobody or the landmarks are hidden are left out.
    """
    n = min(len(found), len(truth_px))
    vis = found.visibility[:n]
    left = vis[:, list(core_indices(Side.LEFT))].mean()
    right = vis[:, list(core_indices(Side.RIGHT))].mean()
    side = Side.LEFT if left >= right else Side.RIGHT
    xy = found.xy[:n].astype(np.float64)
    idx = list(core_indices(side))
    hidden = (vis[:, idx] < min_visibility).any(axis=1)
    xy[hidden] = np.nan
    errors = []
    for found_a, true_a in zip(
        _near_angles(xy, side), _near_angles(truth_px[:n], side), strict=True
    ):
        d = np.abs(found_a - true_a)
        errors.append(d[np.isfinite(d)])
    return np.concatenate(errors) if errors else np.zeros(0)

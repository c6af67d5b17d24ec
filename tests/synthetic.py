"""Stick-figure pose sequences with known angles, for checker tests."""

from __future__ import annotations

import math

import numpy as np

from formcheck.landmarks import Landmark as L
from formcheck.types import PoseFrame
from tests.conftest import make_frame


def bridge_points(hip_deg: float, offset: float = 0.0) -> dict[L, tuple[float, float]]:
    """Side view, person lying with the head at the left; hip angle ``hip_deg``.

    Interior angle shoulder-hip-knee = ``hip_deg`` (reflex above 180 = hip
    above the shoulder-knee line).
    """
    s = np.array([100.0, 300.0])
    k = np.array([400.0, 230.0])
    d = float(np.linalg.norm(k - s))
    m = (s + k) / 2
    direction = (k - s) / d
    up = np.array([direction[1], -direction[0]])
    if up[1] > 0:
        up = -up
    if hip_deg <= 180:
        h = -(d / 2) / math.tan(math.radians(hip_deg) / 2) if hip_deg < 180 else 0.0
    else:
        h = (d / 2) / math.tan(math.radians(360 - hip_deg) / 2)
    hip = m + up * h
    ankle = np.array([430.0, 315.0])
    heel = ankle + np.array([-6.0, 8.0])
    toe = ankle + np.array([30.0, 4.0])
    near = {
        L.LEFT_SHOULDER: s,
        L.LEFT_HIP: hip,
        L.LEFT_KNEE: k,
        L.LEFT_ANKLE: ankle,
        L.LEFT_HEEL: heel,
        L.LEFT_FOOT_INDEX: toe,
        L.LEFT_ELBOW: s + np.array([60.0, 8.0]),
        L.LEFT_WRIST: s + np.array([120.0, 10.0]),
        L.LEFT_EAR: s + np.array([-45.0, -10.0]),
        L.NOSE: s + np.array([-60.0, -25.0]),
    }
    pts: dict[L, tuple[float, float]] = {}
    for lm, p in near.items():
        pts[lm] = (float(p[0]) + offset, float(p[1]))
        if lm.name.startswith("LEFT_"):
            twin = L[lm.name.replace("LEFT_", "RIGHT_")]
            pts[twin] = (float(p[0]) + offset + 3.0, float(p[1]) - 3.0)
    return pts


def ramp(a: float, b: float, seconds: float, fps: float) -> list[float]:
    n = max(1, round(seconds * fps))
    return [a + (b - a) * (1 - math.cos(math.pi * i / n)) / 2 for i in range(1, n + 1)]


def bridge_angles(
    peaks: list[float], fps: float = 30.0, rest: float = 130.0, hold_s: float = 1.5
) -> list[float]:
    """Rest 1.5 s, then for each peak: up 1 s, hold, down 1 s, rest 1 s."""
    values = [rest] * round(1.5 * fps)
    for peak in peaks:
        values += ramp(rest, peak, 1.0, fps) + [peak] * round(hold_s * fps)
        values += ramp(peak, rest, 1.0, fps) + [rest] * round(1.0 * fps)
    return values


def frames_from(
    points_per_frame: list[dict[L, tuple[float, float]]], fps: float = 30.0, **kw
) -> list[PoseFrame]:
    return [
        make_frame(p, timestamp_ms=i * 1000.0 / fps, **kw)
        for i, p in enumerate(points_per_frame)
    ]


def quadruped_points(
    leg_deg: dict[str, float], arm_deg: dict[str, float]
) -> dict[L, tuple[float, float]]:
    """Side view on hands and knees, head at the left.

    ``leg_deg[side]``: thigh angle from straight down (lifting backwards);
    ``arm_deg[side]``: arm angle from straight down (reaching forwards).
    """
    pts: dict[L, tuple[float, float]] = {}
    for side, dx in (("LEFT", 0.0), ("RIGHT", 4.0)):
        sh = np.array([200.0 + dx, 200.0])
        hip = np.array([400.0 + dx, 205.0])
        a = math.radians(leg_deg.get(side.lower(), 0.0))
        knee = hip + 100 * np.array([math.sin(a), math.cos(a)])
        shin_dir = (
            np.array([1.0, 0.0])
            if leg_deg.get(side.lower(), 0.0) < 30
            else np.array([math.sin(a), math.cos(a)])
        )
        ankle = knee + 100 * shin_dir
        b = math.radians(arm_deg.get(side.lower(), 0.0))
        wrist = sh + 100 * np.array([-math.sin(b), math.cos(b)])
        elbow = (sh + wrist) / 2
        for name, p in {
            "SHOULDER": sh,
            "HIP": hip,
            "KNEE": knee,
            "ANKLE": ankle,
            "WRIST": wrist,
            "ELBOW": elbow,
            "HEEL": ankle + np.array([5.0, 0.0]),
            "EAR": sh + np.array([-40.0, -15.0]),
        }.items():
            pts[L[f"{side}_{name}"]] = (float(p[0]), float(p[1]))
    pts[L.NOSE] = (150.0, 200.0)
    return pts

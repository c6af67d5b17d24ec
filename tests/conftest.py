from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.landmarks import NUM_LANDMARKS, Landmark
from formcheck.types import PoseFrame

REPO = Path(__file__).resolve().parents[1]
SHARED_VIDEOS = REPO.parent / "shared" / "videos"
DATA = Path(__file__).resolve().parent / "data"


def shared_clip(name: str) -> Path:
    """Path of a clip in ../shared/videos, skipping the test if it is absent."""
    path = SHARED_VIDEOS / name
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path


def make_frame(
    points: dict[Landmark, tuple[float, float]],
    timestamp_ms: float = 0.0,
    visibility: float = 0.99,
    resolution_wh: tuple[int, int] = (640, 480),
    hidden: tuple[Landmark, ...] = (),
    num_people: int = 1,
) -> PoseFrame:
    """A PoseFrame with the given landmarks visible and all others hidden."""
    xy = np.full((NUM_LANDMARKS, 2), np.nan, dtype=np.float32)
    vis = np.zeros(NUM_LANDMARKS, dtype=np.float32)
    for lm, (x, y) in points.items():
        xy[lm] = (x, y)
        vis[lm] = 0.0 if lm in hidden else visibility
    return PoseFrame(
        xy=xy,
        visibility=vis,
        timestamp_ms=timestamp_ms,
        frame_index=int(timestamp_ms // 33),
        resolution_wh=resolution_wh,
        num_people=num_people,
    )


# Database fixtures (SQLite per test, PostgreSQL per session): tests/db_support.py
from tests.db_support import (  # noqa: E402, F401
    bird_dog_record,
    clinic_db,
    database_url,
    empty_database_url,
    local_db,
    postgres_server,
    postgres_template,
    sqlite_template,
)

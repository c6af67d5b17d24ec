"""Speed: parallel pose chunks, overlapped stages, worker processes.

* :mod:`.plan` — how a video is cut into chunks (with warm-up overlap).
* :mod:`.pool` — worker processes that stream messages back.
* :mod:`.pose_chunks` — chunks estimated in workers, merged in frame order.
* :mod:`.segments` — the annotated video drawn in segments and joined.
* :mod:`.run` — one video analysed by several processes.
* :mod:`.threads` — decoding, pose and checking overlapped on threads.
"""

from __future__ import annotations

import os

__all__ = ["default_jobs"]


def default_jobs() -> int:
    """Processes to use by default: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)

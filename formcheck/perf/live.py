"""Live capacity: K simultaneous live sessions in one process, no browser.

One Streamlit instance runs every browser session's live pipeline in one
process (streamlit-webrtc gives each a worker thread). This benchmark does
the same without a browser: K :class:`~formcheck.app_support.live.LiveProcessor`
objects, each with its own pose model, each fed a clip at the camera's rate
by a thread of its own. Like streamlit-webrtc's ``async_processing``, a
session that is busy when frames arrive processes only the newest of them
and drops the rest.

Per session it reports the frames processed per second (sustained, after a
warm-up) and the latency from a frame's arrival to its annotated result.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.pose import PoseEstimator

if TYPE_CHECKING:
    from formcheck.app_support.live import LiveProcessor

Image = npt.NDArray[np.uint8]
#: Frame size fed to the sessions (a typical webcam stream).
LIVE_WH = (640, 480)
#: Seconds of each run not measured (models warming up).
WARM_UP_S = 3.0
#: Processed frames per second a live session needs for timely feedback.
LIVE_MIN_FPS = 15.0


@dataclass(frozen=True)
class SessionFigures:
    """What one live session managed.

    Attributes:
        fps: Frames processed per second.
        latency_ms_median: Median time from a frame's arrival to its result.
        latency_ms_p95: 95th percentile of that time.
        dropped_share: Share of arriving frames never processed.
    """

    fps: float
    latency_ms_median: float
    latency_ms_p95: float
    dropped_share: float


@dataclass(frozen=True)
class CapacityRow:
    """K sessions at once.

    Attributes:
        sessions: K.
        camera_fps: Rate frames arrive at, per session.
        figures: One entry per session.
    """

    sessions: int
    camera_fps: float
    figures: tuple[SessionFigures, ...]

    @property
    def mean_fps(self) -> float:
        """Mean of the sessions' processed rates."""
        return statistics.fmean(f.fps for f in self.figures)

    @property
    def min_fps(self) -> float:
        """The slowest session's processed rate."""
        return min(f.fps for f in self.figures)

    @property
    def worst_p95_ms(self) -> float:
        """The worst session's 95th-percentile latency."""
        return max(f.latency_ms_p95 for f in self.figures)


def sessions_held(rows: Sequence[CapacityRow], min_fps: float = LIVE_MIN_FPS) -> int:
    """The most sessions at once whose slowest still processed ``min_fps``."""
    return max((r.sessions for r in rows if r.min_fps >= min_fps), default=0)


def load_frames(
    path: Path, seconds: float, size_wh: tuple[int, int] = LIVE_WH
) -> list[Image]:
    """Decode up to ``seconds`` of ``path`` at ``size_wh`` into memory."""
    from formcheck.video import FrameReader

    reader = FrameReader(path)
    limit = max(1, round(seconds * reader.info.fps))
    frames: list[Image] = []
    for frame in reader.frames(0, limit):
        frames.append(
            np.asarray(
                cv2.resize(frame.image_bgr, size_wh, interpolation=cv2.INTER_AREA),
                dtype=np.uint8,
            )
        )
    return frames


class _Session:
    """One simulated browser session: a camera thread and a processing thread."""

    def __init__(
        self, processor: LiveProcessor, frames: Sequence[Image], fps: float
    ) -> None:
        self.processor = processor
        self.frames = frames
        self.period_s = 1.0 / fps
        self._lock = threading.Condition()
        self._newest: tuple[int, float, Image] | None = None
        self._stop = threading.Event()
        self.arrived = 0
        self.processed: list[tuple[float, float]] = []  # (arrival, done) clock times

    def camera(self, start: float, until: float) -> None:
        n = 0
        while not self._stop.is_set():
            due = start + n * self.period_s
            if due >= until:
                break
            delay = due - time.perf_counter()
            if delay > 0:
                self._stop.wait(delay)
            with self._lock:
                self._newest = (
                    n,
                    time.perf_counter(),
                    self.frames[n % len(self.frames)].copy(),
                )
                self.arrived += 1
                self._lock.notify()
            n += 1
        self._stop.set()
        with self._lock:
            self._lock.notify()

    def work(self) -> None:
        process = self.processor.process
        while True:
            with self._lock:
                while self._newest is None and not self._stop.is_set():
                    self._lock.wait()
                if self._newest is None:
                    return
                n, arrived, image = self._newest
                self._newest = None
            process(image, n * self.period_s * 1000.0)
            self.processed.append((arrived, time.perf_counter()))

    def figures(self, measured_from: float, until: float) -> SessionFigures:
        kept = [(a, d) for a, d in self.processed if measured_from <= a < until]
        latency = sorted(1000.0 * (d - a) for a, d in kept) or [float("nan")]
        span = until - measured_from
        arrived = max(1.0, span / self.period_s)
        return SessionFigures(
            fps=len(kept) / span,
            latency_ms_median=statistics.median(latency),
            latency_ms_p95=latency[
                min(len(latency) - 1, round(0.95 * (len(latency) - 1)))
            ],
            dropped_share=max(0.0, 1.0 - len(kept) / arrived),
        )


def run_sessions(
    sessions: int,
    frames: Sequence[Image],
    spec_id: str,
    seconds: float,
    camera_fps: float = 30.0,
    *,
    warm_up_s: float = WARM_UP_S,
    estimator_factory: Callable[[], PoseEstimator] | None = None,
) -> CapacityRow:
    """Run ``sessions`` live processors at once for ``seconds`` (plus warm-up).

    Args:
        sessions: K.
        frames: The clip's frames, fed in a loop.
        spec_id: The exercise.
        seconds: Measured time.
        camera_fps: Rate frames arrive at, per session.
        warm_up_s: Time run first and not measured.
        estimator_factory: Each session's pose model (default: MediaPipe).
    """
    from formcheck.app_support.live import LiveProcessor
    from formcheck.specs import load_spec

    spec = load_spec(spec_id)
    extra: dict[str, Any] = {}
    if estimator_factory is not None:
        extra["estimator_factory"] = estimator_factory
    processors = [LiveProcessor(spec, settle_s=0.5, **extra) for _ in range(sessions)]
    try:
        runs = [_Session(p, frames, camera_fps) for p in processors]
        start = time.perf_counter() + 0.2
        until = start + warm_up_s + seconds
        threads = [threading.Thread(target=r.work, daemon=True) for r in runs]
        threads += [
            threading.Thread(target=r.camera, args=(start, until), daemon=True)
            for r in runs
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        measured_from = start + warm_up_s
        figures = tuple(r.figures(measured_from, until) for r in runs)
    finally:
        for p in processors:
            p.close()
    return CapacityRow(sessions=sessions, camera_fps=camera_fps, figures=figures)


def run_capacity(
    clip: Path,
    spec_id: str,
    counts: Sequence[int] = (1, 2, 3, 4),
    seconds: float = 20.0,
    progress: Callable[[str], None] | None = None,
) -> list[CapacityRow]:
    """Live capacity for each K in ``counts``."""
    frames = load_frames(clip, seconds)
    rows: list[CapacityRow] = []
    for k in counts:
        if progress is not None:
            progress(f"live: {k} session(s) for {seconds:.0f} s")
        rows.append(run_sessions(k, frames, spec_id, seconds))
    return rows

"""Time and statistics of a live stream, apart from what is done with frames.

:class:`StreamClock` turns the times of camera frames into the two clocks the
live pipeline needs: stream time (from the first frame of the current
stream, nudged to increase) and the pose estimator's own time, which must
increase across every stream of a session (MediaPipe's video mode refuses a
timestamp that goes back). It also measures the backlog.

:class:`LiveStats` keeps the rolling figures the page shows: frames per
second, processing time per frame, backlog, and whether several people were
in view for most of the last frames.
"""

from __future__ import annotations

import math
import statistics
from collections import deque

_STATS_WINDOW = 90
#: Gap left in the estimator's clock between two streams (ms).
_STREAM_GAP_MS = 1000.0


class StreamClock:
    """Stream time, estimator time and backlog of the frames of a session."""

    def __init__(self) -> None:
        self._stream_t0_s: float | None = None
        self._wall_t0_s: float | None = None
        self._min_offset_ms = math.inf
        self._last_ts_ms = -math.inf
        self._last_est_ms = -math.inf
        self._est_base_ms = 0.0

    @property
    def streaming(self) -> bool:
        """Whether a stream is running (a frame arrived since the last end)."""
        return self._stream_t0_s is not None

    @property
    def last_ms(self) -> float:
        """Stream time of the newest frame."""
        return self._last_ts_ms

    def arrival(self, frame_time_s: float | None, now_s: float) -> tuple[float, float]:
        """A frame arrived from the camera.

        Args:
            frame_time_s: The frame's own presentation time, if it has one.
            now_s: The monotonic clock now.

        Returns:
            ``(stream_ms, lag_ms)``: the frame's time from the first frame of
            the stream, and how much later than the promptest frame so far it
            reached the pipeline (flat = no queue).
        """
        if self._stream_t0_s is None:
            self._stream_t0_s = frame_time_s if frame_time_s is not None else now_s
            self._wall_t0_s = now_s
        frame_s = frame_time_s if frame_time_s is not None else now_s
        ts_ms = (frame_s - self._stream_t0_s) * 1000.0
        wall_t0 = self._wall_t0_s if self._wall_t0_s is not None else now_s
        offset = (now_s - wall_t0) * 1000.0 - ts_ms
        self._min_offset_ms = min(self._min_offset_ms, offset)
        return ts_ms, offset - self._min_offset_ms

    def stamp(self, stream_ms: float) -> tuple[float, float]:
        """Stamp a frame about to be processed.

        Returns:
            ``(stream_ms, estimator_ms)``: the stream time nudged forward when
            it does not increase, and a time for the pose estimator that
            increases across streams.
        """
        if not stream_ms > self._last_ts_ms:
            stream_ms = self._last_ts_ms + 1.0
        self._last_ts_ms = stream_ms
        est_ms = max(self._last_est_ms + 1.0, self._est_base_ms + stream_ms)
        self._last_est_ms = est_ms
        return stream_ms, est_ms

    def warmed_up(self) -> None:
        """The estimator was run once at time 0 (before the first stream)."""
        self._last_est_ms = 0.0
        self._est_base_ms = _STREAM_GAP_MS

    def end_stream(self) -> None:
        """The stream stopped: the next frame starts a new stream."""
        self._stream_t0_s = None
        self._wall_t0_s = None
        self._min_offset_ms = math.inf
        self._last_ts_ms = -math.inf
        self._est_base_ms = self._last_est_ms + _STREAM_GAP_MS


class LiveStats:
    """Rolling figures over the last frames processed."""

    def __init__(self, window: int = _STATS_WINDOW) -> None:
        self.frames = 0
        self._proc_ms: deque[float] = deque(maxlen=window)
        self._lag_ms: deque[float] = deque(maxlen=window)
        self._done_at: deque[float] = deque(maxlen=window)
        self._people: deque[bool] = deque(maxlen=window)

    def lag(self, lag_ms: float) -> None:
        """Note one frame's backlog."""
        self._lag_ms.append(lag_ms)

    def processed(self, started_s: float, done_s: float, several_people: bool) -> None:
        """Note one processed frame."""
        self.frames += 1
        self._proc_ms.append((done_s - started_s) * 1000.0)
        self._done_at.append(done_s)
        self._people.append(several_people)

    @property
    def fps(self) -> float:
        """Frames processed per second lately."""
        done = self._done_at
        if len(done) >= 2 and done[-1] > done[0]:
            return (len(done) - 1) / (done[-1] - done[0])
        return 0.0

    @property
    def processing_ms(self) -> float:
        """Median time to process one frame."""
        return statistics.median(self._proc_ms) if self._proc_ms else 0.0

    @property
    def lag_ms(self) -> float:
        """Median backlog."""
        return statistics.median(self._lag_ms) if self._lag_ms else 0.0

    @property
    def lag_ms_max(self) -> float:
        """Largest backlog lately."""
        return max(self._lag_ms, default=0.0)

    @property
    def several_people(self) -> bool:
        """More than one person in view in most of the last frames."""
        return sum(self._people) > len(self._people) / 2

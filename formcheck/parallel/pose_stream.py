"""Decoding and pose estimation of one video, running ahead of the checker.

A one-process analysis is three stages on three threads: decoding, the pose
model, and the checker (in the caller's thread). :class:`PoseStream` is the
first two. It can start before anything else a run needs. ``formcheck
analyze --jobs 1`` starts making the model first, on the pose thread, and
meanwhile imports the video modules and probes the video (then hands it over
with :meth:`PoseStream.feed`): opening the file and decoding its first frame
is native work that needs little of the GIL, so it hides under the model's
loading. It then waits until the model is loaded
(:meth:`PoseStream.wait_ready`), and only then imports and loads the
checker's side (pydantic, the engine, the spec, the record: about 0.5 s). By
then the model is estimating the first frames in native code that releases
the GIL, on the core the pose model leaves idle, so that time is hidden
instead of added (docs/performance.md). Loading the checker's side *while*
the model loads would gain nothing: both are Python imports that hold the
GIL.

This module imports neither MediaPipe, nor OpenCV and PyAV, nor the engine:
the estimator is made on the pose thread, and the video modules are imported
while the model loads.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from formcheck.parallel.plan import plan_chunks
from formcheck.parallel.threads import Prefetch
from formcheck.pose import PoseEstimator, create_estimator
from formcheck.timings import AnalysisTimings
from formcheck.types import PoseFrame
from formcheck.video_frames import ImageBGR, check_video_path

if TYPE_CHECKING:
    from formcheck.interrupt import StopRequest
    from formcheck.video import FrameReader, VideoFrame

EstimatorFactory = Callable[[], PoseEstimator]
#: A pose and the image it was estimated on (``None`` when not kept).
PosedFrame = tuple[PoseFrame, ImageBGR | None]

#: Frames decoded ahead of the pose model.
DECODE_AHEAD_FRAMES = 4
#: Poses kept ready for the checker when the images are not passed on.
POSES_AHEAD = 1024
#: Memory for the images kept ready with their poses (for the annotated video).
IMAGES_AHEAD_BYTES = 96 * 2**20
#: Fewest frames kept ready, however large the images.
MIN_AHEAD_FRAMES = 4
#: How often a wait for the model looks at a stop request.
_WAIT_POLL_S = 0.05


class PoseStream:
    """Decode a video and estimate each frame, on two threads.

    Iterating gives ``(pose, image)`` in frame order; exceptions of either
    thread (a video that cannot be decoded, a model that cannot be made) are
    raised by the iteration. The estimator is made, used and closed on the
    pose thread, which starts making it at once; decoding starts when the
    video is given (``reader``, or later :meth:`feed`). Close the stream (or
    leave its ``with`` block) when done; a stream closed early stops both
    threads.

    Args:
        reader: The video (probed), or ``None`` to give it with :meth:`feed`
            while the model is being made.
        make_estimator: Makes the pose estimator (on the pose thread).
        close_estimator: Close the estimator when the stream ends (``False``
            for an estimator the caller owns).
        keep_images: Pass each frame's image on with its pose (to draw the
            annotated video); without them many more poses are kept ready.
        timings: Where decoding and pose time are added up.
    """

    def __init__(
        self,
        reader: FrameReader | None,
        make_estimator: EstimatorFactory,
        *,
        close_estimator: bool = True,
        keep_images: bool = True,
        timings: AnalysisTimings | None = None,
    ) -> None:
        self._reader: FrameReader | None = None
        self.keep_images = keep_images
        self.timings = timings if timings is not None else AnalysisTimings()
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._closed = False
        self._handed = False  # the pose thread was given the frames
        self._frames: Prefetch[VideoFrame] | None = None
        # Room for the frames and for close()'s "no video", whatever the order.
        self._fed: queue.Queue[Prefetch[VideoFrame] | None] = queue.Queue(maxsize=2)
        posed = self._estimated(make_estimator, close_estimator)
        self._posed = Prefetch(posed, MIN_AHEAD_FRAMES, "pose")
        if reader is not None:
            self.feed(reader)

    def feed(self, reader: FrameReader) -> None:
        """Start decoding ``reader``'s video for the model (once per stream).

        Raises:
            RuntimeError: If the stream was already given a video, or closed.
        """
        with self._lock:
            if self._closed or self._reader is not None:
                raise RuntimeError("a pose stream takes one video, before it is closed")
            ahead = self._ahead(reader)
            self._frames = Prefetch(
                self._decoded(reader), DECODE_AHEAD_FRAMES, "decode"
            )
            self._reader = reader
            self._posed.resize(ahead)
            self._fed.put_nowait(self._frames)
            self._handed = True

    @property
    def reader(self) -> FrameReader:
        """The video being decoded.

        Raises:
            RuntimeError: If the stream was given no video (yet).
        """
        if self._reader is None:
            raise RuntimeError("this pose stream was given no video")
        return self._reader

    def _ahead(self, reader: FrameReader) -> int:
        if not self.keep_images:
            return POSES_AHEAD
        info = reader.info
        frame_bytes = max(info.width * info.height * 3, 1)
        return max(MIN_AHEAD_FRAMES, IMAGES_AHEAD_BYTES // frame_bytes)

    def _decoded(self, reader: FrameReader) -> Iterator[VideoFrame]:
        it = reader.frames()
        while True:
            t0 = time.perf_counter()
            frame = next(it, None)
            self.timings.decode_s += time.perf_counter() - t0
            if frame is None:
                return
            yield frame

    def _estimated(
        self, make_estimator: EstimatorFactory, close_estimator: bool
    ) -> Iterator[PosedFrame]:
        try:
            try:
                estimator = make_estimator()
            finally:
                self._ready.set()  # made or failed: nobody waits any longer
            try:
                frames = self._fed.get()  # the video, or None: closed first
                for frame in frames or ():
                    t0 = time.perf_counter()
                    pose = estimator(frame.image_bgr, frame.timestamp_ms, frame.index)
                    self.timings.pose_s += time.perf_counter() - t0
                    yield pose, frame.image_bgr if self.keep_images else None
            finally:
                if close_estimator:
                    estimator.close()
        finally:
            self._close_frames()

    def _close_frames(self) -> None:
        with self._lock:
            frames = self._frames
        if frames is not None:
            frames.close()

    def wait_ready(
        self, stop: StopRequest | None = None, timeout_s: float | None = None
    ) -> bool:
        """Wait until the estimator is made (or failed to be: iteration says why).

        Args:
            stop: Stop waiting as soon as a stop is requested (Ctrl-C).
            timeout_s: Longest wait (``None``: no limit).

        Returns:
            Whether the estimator's making has ended.
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while not self._ready.wait(_WAIT_POLL_S):
            if stop is not None and stop.requested:
                return False
            if deadline is not None and time.monotonic() >= deadline:
                return False
        return True

    def __iter__(self) -> Iterator[PosedFrame]:
        return self._posed

    def close(self) -> None:
        """Stop both threads and close the estimator. Safe to call twice."""
        with self._lock:
            if not self._closed and not self._handed:
                self._fed.put_nowait(None)  # the pose thread waits for no video
            self._closed = True
        self._posed.close()
        self._close_frames()

    def __enter__(self) -> PoseStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def start_pose_stream(
    video: str | Path, *, jobs: int, model_complexity: int = 1, keep_images: bool
) -> PoseStream | None:
    """Start decoding and estimating ``video`` now, if one process will do it.

    With ``jobs=1`` the model starts before the video is probed, and the probe
    runs while it loads; a missing, empty or directory path is refused first,
    but a file that turns out not to be a video is refused only once the model
    being made is closed again (about a second later). With more jobs the
    video is probed first, to know whether it will be cut into parallel chunks
    instead.

    Args:
        video: The video file.
        jobs: Processes the analysis may use.
        model_complexity: MediaPipe model (see :func:`formcheck.pose.create_estimator`).
        keep_images: Whether the annotated video will be drawn.

    Returns:
        The running stream, for :func:`formcheck.analyze.analyze_video`; ``None``
        when the video will be cut into parallel chunks instead.

    Raises:
        VideoError: If the video cannot be used (see :func:`formcheck.video.probe_video`).
    """
    factory = functools.partial(create_estimator, model_complexity=model_complexity)
    if jobs > 1:
        from formcheck.video import FrameReader

        reader = FrameReader(video)
        info = reader.info
        if len(plan_chunks(info.frame_count, info.fps, jobs)) > 1:
            return None
        return PoseStream(reader, factory, keep_images=keep_images)
    check_video_path(Path(video))
    stream = PoseStream(None, factory, keep_images=keep_images)  # the model starts...
    try:
        from formcheck.video import FrameReader

        stream.feed(FrameReader(video))  # ...while the video is probed
    except BaseException:
        stream.close()
        raise
    return stream

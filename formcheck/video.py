"""Video input and output.

Reading uses OpenCV (``cv2.VideoCapture``); writing uses PyAV to produce H.264
MP4 files that browsers play (``yuv420p``, ``moov`` atom first).

Phones store portrait video as landscape frames plus a display matrix (the
``rotate`` tag). OpenCV reports it but does not apply it, so every reader here
turns frames upright itself (:mod:`formcheck.orientation`; OpenCV's own
auto-rotation is switched off, so no frame is turned twice): frames, sizes and
annotated videos come out the way a video player shows the file.

Example:
    >>> info = probe_video("clip.mp4")  # doctest: +SKIP
    >>> reader = FrameReader("clip.mp4")  # doctest: +SKIP
    >>> for frame in reader.frames():  # doctest: +SKIP
    ...     print(frame.index, frame.timestamp_ms)
    >>> reader.ended_early  # doctest: +SKIP
    False
"""

from __future__ import annotations

import functools
import logging
import math
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

from formcheck.errors import VideoError
from formcheck.orientation import Orientation, read_orientation
from formcheck.video_frames import (
    DEFAULT_FPS,
    ImageBGR,
    as_u8,
    check_video_path,
    sane_fps,
)

logger = logging.getLogger(__name__)

#: A video "ends early" when fewer than this share of the announced frames decode.
_EARLY_END_RATIO = 0.9
#: ...and more than this many frames are missing (frame counts are often estimates).
_EARLY_END_MIN_MISSING = 3
#: Frames in a row that may fail to decode before the video is taken to end
#: (a damaged spot in the middle is skipped; see FrameReader._next).
_MAX_LOST_RUN = 300
#: A CAP_PROP_POS_MSEC value further than this from index/fps is not trusted.
_MAX_POS_DRIFT_MS = 2000.0

_NOT_A_VIDEO = "not a video file (no video stream could be decoded)"


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe_video` found out about a video file.

    Attributes:
        path: The video file.
        width: Width of the upright frames in pixels (as a player shows them).
        height: Height of the upright frames in pixels.
        fps: Frames per second (``DEFAULT_FPS`` when the container gives none).
        frame_count: Frames announced by the container; may be an estimate.
        duration_s: ``frame_count / fps``.
        orientation: How stored frames are turned upright (from the file's
            display matrix / rotation tag).
    """

    path: Path
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    orientation: Orientation = field(default_factory=Orientation)


@dataclass(frozen=True, eq=False)
class VideoFrame:
    """One decoded frame.

    Attributes:
        index: Position of the frame in the video, from 0.
        timestamp_ms: Presentation time from the start of the video; strictly
            increasing along a video.
        image_bgr: ``(H, W, 3)`` uint8 BGR image.
    """

    index: int
    timestamp_ms: float
    image_bgr: ImageBGR = field(repr=False)


def _diagnose_unopenable(path: Path) -> str:
    """Explain why OpenCV cannot use ``path``, using PyAV to look inside it."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return _NOT_A_VIDEO
            try:
                for _ in container.decode(video=0):
                    return "cannot be read (unsupported codec or corrupt file?)"
            except (av.FFmpegError, OSError, ValueError):
                return "cannot be decoded (corrupt or truncated file?)"
            return "contains no frames"
    except (av.FFmpegError, OSError, ValueError):
        if path.suffix.lower() in {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"}:
            return (
                "cannot be opened: not a video file, or corrupt or truncated "
                "(no video stream could be decoded)"
            )
        return _NOT_A_VIDEO


def _is_still_image(path: Path) -> bool:
    """Whether FFmpeg reads ``path`` as a still image (``.jpg``, ``.png``...)."""
    try:
        with av.open(str(path)) as container:
            name = str(container.format.name)
    except (av.FFmpegError, OSError, ValueError):
        return False
    return name == "image2" or name.endswith("_pipe")


def _container_frame_estimate(path: Path, fps: float) -> int:
    """Estimate the frame count with PyAV when OpenCV gives none."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if stream.frames and stream.frames > 0:
                return int(stream.frames)
            if stream.duration and stream.time_base:
                return round(float(stream.duration * stream.time_base) * fps)
            if container.duration:
                return round(container.duration / av.time_base * fps)
    except (av.FFmpegError, OSError, ValueError, IndexError):
        pass
    return 0


def _open_capture(path: Path) -> cv2.VideoCapture:
    """Open ``path`` with OpenCV, its own auto-rotation off (we apply it once).

    OpenCV takes file names as UTF-8 and crashes the process on a name that
    is not (bytes that are not UTF-8, kept by Python as surrogates): such a
    file is opened through a symbolic link with a plain name in a private
    temporary folder, removed as soon as the file is open.
    """
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        with tempfile.TemporaryDirectory(prefix="formcheck-open-") as folder:
            suffix = path.suffix if path.suffix.isascii() else ""
            link = Path(folder) / f"video{suffix}"
            try:
                link.symlink_to(path.absolute())
            except OSError as exc:
                raise VideoError(
                    f"{path}: cannot be opened under its name ({exc.strerror or exc})"
                ) from exc
            return _open_capture(link)
    cap = cv2.VideoCapture(name, cv2.CAP_FFMPEG)
    if cap.isOpened():
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    return cap


def probe_video(path: str | Path) -> VideoInfo:
    """Check that ``path`` is a readable video and describe it.

    Decodes the first frame to be sure the video is usable. The answer is
    remembered for the same unchanged file (same size and modification
    time), so probing twice (the command line, then the reader) costs once.

    Args:
        path: Video file.

    Returns:
        Size, frame rate and (possibly estimated) length of the video.

    Raises:
        VideoError: If the file is missing, is a directory, is not a video, has
            no frames, or cannot be decoded. The message names the file.
    """
    path = Path(path)
    stat = check_video_path(path)
    return _probe(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _probe(path: Path, size: int, mtime_ns: int) -> VideoInfo:
    """:func:`probe_video` for one version of a file (cached)."""
    if _is_still_image(path):
        raise VideoError(f"{path}: {_NOT_A_VIDEO}; it is a still image")
    cap = _open_capture(path)
    try:
        if not cap.isOpened():
            raise VideoError(f"{path}: {_diagnose_unopenable(path)}")
        ok, image = cap.read()
        if not ok or image is None:
            raise VideoError(f"{path}: {_diagnose_unopenable(path)}")
        orientation = read_orientation(path)
        height, width = image.shape[:2]
        if orientation.transpose:
            width, height = height, width
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        raw_count = float(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        cap.release()
    if not sane_fps(fps):
        logger.warning(
            "%s: container reports frame rate %r; assuming %.0f fps",
            path,
            fps,
            DEFAULT_FPS,
        )
        fps = DEFAULT_FPS
    if math.isfinite(raw_count) and 0 < raw_count < 1e9:
        frame_count = round(raw_count)
    else:
        frame_count = _container_frame_estimate(path, fps)
        if frame_count <= 0:
            logger.warning("%s: frame count unknown", path)
            frame_count = 0
    return VideoInfo(
        path=path,
        width=int(width),
        height=int(height),
        fps=fps,
        frame_count=frame_count,
        duration_s=frame_count / fps,
        orientation=orientation,
    )


class FrameReader:
    """Reads the frames of a video, noting whether it ended early.

    The file is probed on construction, so an unusable file fails at once.
    A video that breaks midway (truncated or corrupt) does not raise: the
    decodable frames are yielded, then :attr:`ended_early` and :attr:`problem`
    tell what happened.

    Attributes:
        info: What :func:`probe_video` found.
        frames_read: Frames decoded so far (with those skipped before a
            ``start``).
        frames_lost: Frames that did not decode (a damaged spot) and were
            skipped; the frames after them are still read.
        ended_early: Whether far fewer frames decoded than the container
            announced, or some were skipped. Meaningful once :meth:`frames`
            is exhausted.
        problem: A one-line explanation when ``ended_early``, else ``None``.
    """

    def __init__(self, path: str | Path) -> None:
        """Probe ``path``.

        Args:
            path: Video file.

        Raises:
            VideoError: If the video cannot be used (see :func:`probe_video`).
        """
        self.info = probe_video(path)
        self.frames_read = 0
        self.frames_lost = 0
        self.ended_early = False
        self.problem: str | None = None

    @property
    def path(self) -> Path:
        """The video file."""
        return self.info.path

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[VideoFrame]:
        """Decode the video frame by frame.

        Frames are turned upright as the file's display matrix asks, and all
        have the size of the first one (others are resized, with a logged
        warning). Timestamps come from the container when they are
        sane and increasing, else from ``index / fps``.

        A part of the video (``start``, ``stop``) gets exactly the indexes and
        timestamps a whole read gives those frames: the frames before
        ``start`` are decoded but not converted (no seeking, which is not
        frame-exact in every container).

        Args:
            start: Index of the first frame to yield.
            stop: Index after the last frame to yield (``None``: to the end).
                :attr:`ended_early` is only worked out when reading to the end.

        Yields:
            The decoded frames, in order.
        """
        if start < 0 or (stop is not None and stop < start):
            raise ValueError(
                f"`start`/`stop` must satisfy 0 <= start <= stop, but got {start}, {stop}"
            )
        self.frames_read = 0
        self.frames_lost = 0
        self.ended_early = False
        self.problem = None
        info = self.info
        frame_ms = 1000.0 / info.fps
        size_wh = (info.width, info.height)
        warned_resize = False
        last_ms = -math.inf
        cap = _open_capture(info.path)
        try:
            if not cap.isOpened():
                raise VideoError(f"{info.path}: cannot be opened any more")
            index = 0
            while stop is None or index < stop:
                if index < start:
                    if self._next(cap, None, index) is None:
                        break
                    last_ms = self._timestamp(
                        float(cap.get(cv2.CAP_PROP_POS_MSEC)),
                        index + self.frames_lost,
                        frame_ms,
                        last_ms,
                    )
                    index += 1
                    continue
                image = self._next(cap, cap.read, index)
                if image is None:
                    break
                image = info.orientation.apply(self._normalize(image))
                if (image.shape[1], image.shape[0]) != size_wh:
                    if not warned_resize:
                        logger.warning(
                            "%s: frame %d is %dx%d, not %dx%d; resizing",
                            info.path,
                            index,
                            image.shape[1],
                            image.shape[0],
                            *size_wh,
                        )
                        warned_resize = True
                    image = as_u8(
                        cv2.resize(image, size_wh, interpolation=cv2.INTER_AREA)
                    )
                timestamp_ms = self._timestamp(
                    float(cap.get(cv2.CAP_PROP_POS_MSEC)),
                    index + self.frames_lost,  # its place, skipped frames included
                    frame_ms,
                    last_ms,
                )
                last_ms = timestamp_ms
                self.frames_read = index + 1
                yield VideoFrame(
                    index=index, timestamp_ms=timestamp_ms, image_bgr=image
                )
                index += 1
        finally:
            cap.release()
        if stop is None:
            self.frames_read = max(self.frames_read, index)
            self._check_complete(last_ms)

    @staticmethod
    def _normalize(image: npt.NDArray[Any]) -> ImageBGR:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        if image.dtype != np.uint8:
            image = cv2.convertScaleAbs(image)
        return np.ascontiguousarray(image, dtype=np.uint8)

    @staticmethod
    def _timestamp(pos_ms: float, index: int, frame_ms: float, last_ms: float) -> float:
        """Pick a strictly increasing timestamp for frame ``index``."""
        nominal_ms = index * frame_ms
        if (
            math.isfinite(pos_ms)
            and pos_ms > last_ms
            and abs(pos_ms - nominal_ms) <= _MAX_POS_DRIFT_MS + 0.1 * nominal_ms
        ):
            return pos_ms
        if math.isfinite(last_ms):
            return max(nominal_ms, last_ms + frame_ms)
        return nominal_ms

    def _next(
        self,
        cap: cv2.VideoCapture,
        read: Callable[[], tuple[bool, Any]] | None,
        index: int,
    ) -> npt.NDArray[Any] | None:
        """The next frame that decodes (``read``: ``cap.read``; ``None``: grab only).

        A frame that does not decode (a damaged spot in the file) is skipped
        as long as the video announces more frames, at most
        :data:`_MAX_LOST_RUN` in a row, and counted in :attr:`frames_lost`;
        a failure past the announced end is the end of the video.

        Returns:
            The image (an empty array when grabbing only), or ``None`` at the end.
        """
        failed = 0
        while True:
            try:
                if read is None:
                    ok, image = bool(cap.grab()), np.empty(0, np.uint8)
                else:
                    ok, image = read()
            except cv2.error as exc:
                logger.warning(
                    "%s: decoding failed at frame %d: %s", self.info.path, index, exc
                )
                ok, image = False, None
            if ok and image is not None:
                self.frames_lost += failed
                return as_u8(image)
            failed += 1
            position = index + self.frames_lost + failed
            if position >= self.info.frame_count or failed > _MAX_LOST_RUN:
                return None

    def _check_complete(self, last_ms: float) -> None:
        announced = self.info.frame_count
        missing = announced - self.frames_read - self.frames_lost
        if self.frames_lost and not (
            announced > 0
            and missing > _EARLY_END_MIN_MISSING
            and self.frames_read + self.frames_lost < _EARLY_END_RATIO * announced
        ):
            lost = self.frames_lost
            self.ended_early = True  # "ended early": its results need a look
            self.problem = (
                f"{lost} frame{'s' if lost != 1 else ''} could not be decoded "
                f"(damaged file?) and {'were' if lost != 1 else 'was'} skipped"
            )
            logger.info("%s: %s", self.info.path, self.problem)
            return
        if (
            announced > 0
            and missing > _EARLY_END_MIN_MISSING
            and self.frames_read < _EARLY_END_RATIO * announced
        ):
            end_s = max(last_ms, 0.0) / 1000.0
            self.ended_early = True
            self.problem = (
                f"video ends early at {end_s:.1f} s (file truncated or corrupt?)"
            )
            # Reported to the user through `problem`; the counts are details.
            logger.info(
                "%s: %s: %d of %d announced frames decoded",
                self.info.path,
                self.problem,
                self.frames_read,
                announced,
            )


def iter_frames(path: str | Path) -> Iterator[VideoFrame]:
    """Decode the frames of a video (see :class:`FrameReader`).

    Use :class:`FrameReader` directly to learn whether the video ended early.

    Args:
        path: Video file.

    Returns:
        An iterator over the frames.

    Raises:
        VideoError: If the video cannot be used (raised at once, not lazily).
    """
    return FrameReader(path).frames()


def read_frame_at(path: str | Path, t_s: float) -> ImageBGR | None:
    """The upright frame a player shows at ``t_s`` seconds.

    Args:
        path: Video file.
        t_s: Time from the start of the video.

    Returns:
        The ``(H, W, 3)`` BGR frame, or ``None`` if ``t_s`` is not finite or
        the video cannot be read.
    """
    if not math.isfinite(t_s):
        return None
    path = Path(path)
    orientation = read_orientation(path)
    cap = _open_capture(path)
    try:
        if not cap.isOpened():
            return None
        cap.set(cv2.CAP_PROP_POS_MSEC, max(0.0, t_s) * 1000.0)
        ok, image = cap.read()
        if ok and image is not None:
            return orientation.apply(FrameReader._normalize(image))
    finally:
        cap.release()
    # Seeking failed (e.g. past the end): read through and keep the last frame
    # at or before t_s.
    cap = _open_capture(path)
    last = None
    try:
        while True:
            ok, image = cap.read()
            if not ok or image is None:
                break
            last = image
            if cap.get(cv2.CAP_PROP_POS_MSEC) >= t_s * 1000.0:
                break
    finally:
        cap.release()
    return None if last is None else orientation.apply(FrameReader._normalize(last))


# The writers live in their own module; imported here for existing callers.
from formcheck.video_writer import VideoWriter, write_y4m  # noqa: E402

__all__ = [
    "DEFAULT_FPS",
    "FrameReader",
    "VideoFrame",
    "VideoInfo",
    "VideoWriter",
    "iter_frames",
    "probe_video",
    "read_frame_at",
    "write_y4m",
]

"""The annotated video of a parallel run: drawn in segments, joined without re-encoding.

After the checker has run over the whole video in order, each chunk's frames
are decoded, drawn with their :class:`~formcheck.results.FrameResult` and
encoded into a segment of its own by a worker process; :func:`join_segments`
then copies the segments' H.264 packets one after the other into one MP4
(no second encode). Segments carry the original frame times, so the joined
video has the same timeline as a sequential run's. Segments whose encoder
settings differ cannot be joined that way; :class:`SegmentJoinError` says so
and the caller falls back to drawing the video in one piece.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import av
import numpy as np

from formcheck.errors import FormcheckError, OutputError
from formcheck.fileio import discard, publish, temp_path_beside
from formcheck.parallel.pool import MessageKind, send
from formcheck.results import FrameResult
from formcheck.specs.schema import ExerciseSpec

#: Frames between two progress messages of a segment.
PROGRESS_FRAMES = 16


class SegmentJoinError(FormcheckError):
    """The segments cannot be joined by copying (their streams differ)."""


def save_results(results: list[FrameResult], path: Path) -> None:
    """Keep one chunk's frame results for its segment (a private temp file)."""
    try:
        with path.open("wb") as out:
            pickle.dump(results, out, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        raise OutputError(f"{path}: cannot keep frame results ({exc})") from exc


def render_segment(
    video: str,
    start: int,
    stop: int | None,
    results_path: str,
    spec: ExerciseSpec,
    out_path: str,
    fps: float,
) -> int:
    """Draw and encode frames ``start`` to ``stop`` (runs in a worker process).

    Args:
        video: The source video.
        start: First frame of the segment.
        stop: Frame after the last (``None``: to the end).
        results_path: The segment's frame results (:func:`save_results`).
        spec: The exercise spec (for the annotator).
        out_path: The segment's MP4.
        fps: Frame rate of the source.

    Returns:
        Frames written.
    """
    from formcheck.annotate import ResultAnnotator
    from formcheck.video import FrameReader, VideoWriter

    with open(results_path, "rb") as stream:
        results: list[FrameResult] = pickle.load(stream)  # our own temp file
    Path(results_path).unlink(missing_ok=True)
    annotator = ResultAnnotator(spec)
    with VideoWriter(out_path, fps=fps) as writer:
        for frame, result in zip(
            FrameReader(video).frames(start, stop), results, strict=False
        ):
            writer.write(
                annotator.annotate(frame.image_bgr, result), frame.timestamp_ms
            )
            if writer.frames_written % PROGRESS_FRAMES == 0:
                send(MessageKind.PROGRESS, writer.frames_written)
        return writer.frames_written


def reencode_segments(segments: list[Path], out: Path, fps: float) -> int:
    """Decode the segments and encode them again as one video (the slow way).

    Used only when :func:`join_segments` cannot copy them.

    Returns:
        Frames written.
    """
    from formcheck.video import VideoWriter

    with VideoWriter(out, fps=fps) as writer:
        for segment in segments:
            if not segment.is_file() or segment.stat().st_size == 0:
                continue
            try:
                with av.open(str(segment)) as source:
                    for frame in source.decode(video=0):
                        image = np.asarray(
                            frame.to_ndarray(format="bgr24"), dtype=np.uint8
                        )
                        when = None if frame.time is None else 1000.0 * frame.time
                        writer.write(image, when)
            except (av.FFmpegError, OSError) as exc:
                raise OutputError(
                    f"{segment}: cannot read a video segment ({exc})"
                ) from exc
        return writer.frames_written


def _same_stream(a: Any, b: Any) -> bool:
    return bool(
        a.codec_context.name == b.codec_context.name
        and a.codec_context.width == b.codec_context.width
        and a.codec_context.height == b.codec_context.height
        and bytes(a.codec_context.extradata or b"")
        == bytes(b.codec_context.extradata or b"")
    )


def _copy_packets(
    segment: Path,
    output: Any,
    stream: Any,
    template: Any,
    time_base: Any,
    written: int,
    last_dts: int | None,
) -> tuple[int, int | None]:
    """Copy one segment's packets into ``output``; return the running totals."""
    with av.open(str(segment)) as source:
        source_stream = source.streams.video[0]
        if not _same_stream(source_stream, template):
            raise SegmentJoinError(f"{segment}: stream differs from the first")
        if source_stream.time_base != time_base:
            raise SegmentJoinError(f"{segment}: time base differs")
        for packet in source.demux(source_stream):
            if packet.dts is None:
                continue
            if last_dts is not None and packet.dts <= last_dts:
                raise SegmentJoinError(f"{segment}: frame times overlap")
            last_dts = packet.dts
            packet.stream = stream
            output.mux(packet)
            written += 1
    return written, last_dts


def join_segments(segments: list[Path], out: Path) -> int:
    """Copy the H.264 packets of ``segments`` into one MP4, in order.

    Args:
        segments: Segment files in time order (empty ones are skipped).
        out: The joined video (``faststart``: it plays while loading).

    Returns:
        Packets written.

    Raises:
        SegmentJoinError: If the segments' streams cannot be joined by copying.
        OutputError: If ``out`` cannot be written.
    """
    present = [s for s in segments if s.is_file() and s.stat().st_size > 0]
    if not present:
        raise SegmentJoinError("no segment to join")
    written = 0
    last_dts: int | None = None
    try:
        temp = temp_path_beside(out)
    except OSError as exc:
        raise OutputError(
            f"{out}: cannot join the video segments ({exc.strerror or exc})"
        ) from exc
    try:
        with av.open(
            str(temp), "w", format="mp4", options={"movflags": "faststart"}
        ) as output:
            with av.open(str(present[0])) as first:
                template = first.streams.video[0]
                stream = output.add_stream_from_template(template)
                time_base = template.time_base
            for segment in present:
                written, last_dts = _copy_packets(
                    segment, output, stream, template, time_base, written, last_dts
                )
        publish(temp, out)
    except (av.FFmpegError, OSError) as exc:
        discard(temp)
        raise OutputError(
            f"{out}: cannot join the video segments ({exc.strerror or exc})"
        ) from exc
    except BaseException:
        discard(temp)
        raise
    return written

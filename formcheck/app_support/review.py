"""The Review page's work: accept a video, analyse it, find moments in it.

The page itself only shows widgets; everything that can go wrong with a file
is checked here and raised as a :class:`~formcheck.errors.FormcheckError`
whose message the page shows as is.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from formcheck import messages
from formcheck.analyze import AnalysisResult, analyze_video
from formcheck.errors import InputError, OutputError
from formcheck.fileio import atomic_create_bytes
from formcheck.landmarks import Side
from formcheck.pose import PoseEstimator
from formcheck.record import SessionRecord
from formcheck.specs.schema import ExerciseSpec
from formcheck.verdicts import EventKind, event_kind
from formcheck.video import probe_video, read_frame_at

#: File name endings offered in the uploader (the content is checked anyway).
VIDEO_TYPES = ("mp4", "mov", "m4v", "avi", "mkv", "webm")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Seconds with several people in view before the Review page mentions it
#: (the face counter misfires for a frame or two now and then).
SEVERAL_PEOPLE_NOTE_S = 3.0
#: Age after which the Review page's annotated videos are removed (seconds).
OUTPUT_MAX_AGE_S = 24 * 3600.0

ProgressCallback = Callable[[int, int], None]


def check_upload_size(name: str, size_bytes: int, max_mb: float) -> None:
    """Refuse an upload above the configured limit.

    Args:
        name: The file name (for the message).
        size_bytes: Its size.
        max_mb: The limit in megabytes (Streamlit's ``server.maxUploadSize``).

    Raises:
        InputError: If the file is too large or empty.
    """
    if size_bytes <= 0:
        raise InputError(f"{name}: empty file (0 bytes), contains no frames")
    limit = max_mb * 1024 * 1024
    if size_bytes > limit:
        raise InputError(
            f"{name}: {size_bytes / 1024 / 1024:.0f} MB is larger than the "
            f"{max_mb:g} MB upload limit; trim the video or set "
            "server.maxUploadSize in .streamlit/config.toml"
        )


def store_upload(name: str, data: bytes, folder: Path, max_mb: float) -> Path:
    """Save an uploaded video and check that it is a usable video.

    Args:
        name: The uploaded file's name.
        data: Its bytes.
        folder: Where to keep it.
        max_mb: Upload limit in megabytes.

    Returns:
        The saved file (named by a content hash, so uploading the same file
        twice does not duplicate it).

    Raises:
        InputError: Too large or empty.
        VideoError: Not a video, or corrupt (the file is removed again).
        OutputError: The folder cannot be written.
    """
    check_upload_size(name, len(data), max_mb)
    digest = hashlib.sha256(data).hexdigest()[:12]
    safe = _SAFE.sub("_", Path(name).name).strip("._") or "upload"
    path = folder / f"{digest}_{safe}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Whole or not at all: another tab uploading the same file at the same
        # moment never sees (and never probes) half of it.
        atomic_create_bytes(path, data)
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot store the upload ({exc.strerror or exc})"
        ) from None
    try:
        probe_video(path)
    except InputError as exc:
        path.unlink(missing_ok=True)
        raise type(exc)(str(exc).replace(str(path), name, 1)) from None
    return path


def list_samples(folder: Path) -> list[Path]:
    """Sample videos in ``folder`` (``*.mp4``), or ``[]`` if there are none."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.mp4") if p.is_file())


def sample_exercise(video: Path) -> str | None:
    """The exercise a bundled sample shows, from ``<clip>.truth.json`` beside it.

    The bundled clips are rendered by ``formcheck.synth``, which writes a
    truth file with an ``"exercise"`` id next to each one.

    Args:
        video: A sample video, e.g. ``sample_videos/bird_dog_side.mp4``.

    Returns:
        The exercise id, or ``None`` when there is no readable truth file or
        it names no exercise.
    """
    truth = video.with_name(f"{video.stem}.truth.json")
    try:
        data = json.loads(truth.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    exercise = data.get("exercise") if isinstance(data, dict) else None
    return exercise if isinstance(exercise, str) and exercise else None


def run_review(
    video: Path,
    spec: ExerciseSpec,
    side: Side | None,
    out_dir: Path,
    progress: ProgressCallback | None = None,
    estimator: PoseEstimator | None = None,
) -> AnalysisResult:
    """Analyse a video and write the annotated H.264 copy into ``out_dir``.

    Args:
        video: The video file.
        spec: The exercise spec.
        side: The painful or chosen side.
        out_dir: Output folder.
        progress: ``progress(done, total)`` after each frame.
        estimator: A pose estimator to use instead of MediaPipe (tests).

    Returns:
        The analysis result (session record, annotated video path, problems).

    Raises:
        VideoError: If the video cannot be read.
        OutputError: If the output folder or the annotated video cannot be
            started; a video that fails part-way is dropped instead
            (``AnalysisResult.video_problem``, shown by :func:`review_warnings`).
        PoseBackendError: If the pose model cannot be created.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{out_dir}: cannot create the output folder ({exc.strerror or exc})"
        ) from None
    prune_old_outputs(out_dir)
    stem = f"{video.stem}.{spec.id}"
    if side:
        stem += f".{side}"
    # A name of its own for every run: two tabs (or two people) analysing the
    # same video never write or show each other's file.
    out_video = out_dir / f"{stem}.{secrets.token_hex(4)}.annotated.mp4"
    return analyze_video(
        video, spec, side, out_video, progress=progress, estimator=estimator
    )


def prune_old_outputs(out_dir: Path, max_age_s: float = OUTPUT_MAX_AGE_S) -> int:
    """Remove annotated videos (and temporary files) older than ``max_age_s``.

    Every Review run writes a new annotated video, so old ones are removed
    here instead of piling up; a page still showing one has long since loaded
    it.

    Returns:
        How many files were removed.
    """
    cutoff = time.time() - max_age_s
    removed = 0
    for path in [*out_dir.glob("*.annotated.mp4"), *out_dir.glob(".*.tmp")]:
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # gone already, or not ours to remove
            continue
    return removed


def review_warnings(result: AnalysisResult) -> list[str]:
    """Plain-language problems with an analysis, for the page to show."""
    out = list(result.problems)
    if result.video_problem:
        out.append(messages.video_not_written(result.video_problem))
    if result.no_person:
        out.append(
            "Nobody was found in the video: check that the whole body is in view."
        )
    elif result.several_people:
        out.append(
            "More than one person was in view for most of the video: the checks "
            "may follow the wrong person."
        )
    else:
        src = result.session.source
        seconds = src.frames_with_several_people / max(src.fps, 1.0)
        if seconds >= SEVERAL_PEOPLE_NOTE_S:
            out.append(
                f"Another person seemed to be in view for about {seconds:.0f} s: "
                "checks may be unreliable then."
            )
    return out


@dataclass(frozen=True)
class Moment:
    """A fault to jump to in the video."""

    index: int
    rule_id: str
    cue: str
    start_s: float
    end_s: float
    rep_index: int | None
    side: str | None
    kind: EventKind = EventKind.FAULT

    @property
    def label(self) -> str:
        """E.g. ``"12.3 s · rep 2 (left) · fault · Keep your back still"``."""
        rep = f"rep {self.rep_index}" if self.rep_index else "between reps"
        side = f" ({self.side})" if self.side else ""
        kind = messages.event_kind_text(self.kind)
        return f"{self.start_s:.1f} s · {rep}{side} · {kind} · {self.cue}"


def fault_moments(session: SessionRecord) -> list[Moment]:
    """The session's faults and tips, in time order, as moments to jump to."""
    order = sorted(range(len(session.faults)), key=lambda i: session.faults[i].start_s)
    return [
        Moment(
            index=i,
            rule_id=session.faults[i].rule_id,
            cue=session.faults[i].cue,
            start_s=session.faults[i].start_s,
            end_s=session.faults[i].end_s,
            rep_index=session.faults[i].rep_index,
            side=session.faults[i].side,
            kind=event_kind(session.faults[i], session.reps),
        )
        for i in order
    ]


def frame_at(video: Path, t_s: float) -> npt.NDArray[np.uint8] | None:
    """The frame shown at ``t_s`` seconds (BGR, upright), or ``None`` if unreadable."""
    return read_frame_at(video, t_s)

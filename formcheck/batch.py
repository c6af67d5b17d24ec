"""Many videos at once: ``formcheck analyze`` with several files or a folder.

Each video is analysed whole by one worker process (videos in parallel, as
many at a time as ``jobs``; longest first, so the last one to finish is
short). A bad video is reported in its own row and the others go on. Every
video's files are written into the output folder as a single analysis would
write them, under a name of its own.

Example:
    >>> videos, rows = collect_videos(["clips/", "extra.mp4"])  # doctest: +SKIP
    >>> for row in run_batch(videos, spec, out, jobs=2):  # doctest: +SKIP
    ...     print(row.file, row.status)
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from formcheck import messages
from formcheck.errors import FormcheckError
from formcheck.interrupt import StopRequest
from formcheck.landmarks import Side
from formcheck.parallel.pool import MessageKind, WorkerPool, send
from formcheck.pose import PoseEstimator
from formcheck.specs.schema import ExerciseSpec

#: File endings picked up from a folder.
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")
#: formcheck's own annotated videos, left out when a folder is read.
ANNOTATED_SUFFIX = ".annotated.mp4"
#: Frames between two progress messages of a video.
PROGRESS_FRAMES = 15

ProgressCallback = Callable[[int, int], None]


class Status(StrEnum):
    """How the analysis of one video of a batch ended."""

    OK = "ok"
    ENDED_EARLY = "ended early"
    NOBODY = "nobody in view"
    SEVERAL_PEOPLE = "several people"
    NO_VIDEO = "annotated video not written"
    FAILED = "failed"


#: The status column's text per status (``{detail}``: the problem itself).
STATUS_TEXT = {
    Status.OK: "ok",
    Status.ENDED_EARLY: "{detail}; " + messages.RESULTS_SAVED,
    Status.NOBODY: "nobody was found in any frame",
    Status.SEVERAL_PEOPLE: "more than one person in view most of the time",
    Status.NO_VIDEO: "{detail}; " + messages.VIDEO_NOT_WRITTEN_SAVED,
    Status.FAILED: "{detail}",
}


@dataclass(frozen=True)
class BatchVideo:
    """One video of a batch and the name its files get.

    Attributes:
        path: The video.
        stem: Output file stem, unique within the batch.
    """

    path: Path
    stem: str


@dataclass
class BatchRow:
    """One line of the summary table.

    Attributes:
        file: The video as given.
        exercise: The exercise's name.
        reps: Counted repetitions (``None``: not analysed).
        correct: Repetitions without a fault.
        holds: Holds that reached their minimum.
        holds_total: Holds started.
        faults: Faults reported.
        status: How it ended.
        detail: The status in words.
        outputs: Files written.
    """

    file: str
    exercise: str
    status: Status
    detail: str
    reps: int | None = None
    correct: int | None = None
    holds: int | None = None
    holds_total: int | None = None
    faults: int | None = None
    outputs: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the video was analysed without any problem."""
        return self.status is Status.OK


def failed_row(file: str, exercise: str, problem: str) -> BatchRow:
    """The row of a video that could not be analysed."""
    return BatchRow(file, exercise, Status.FAILED, problem)


def _folder_videos(folder: Path, text: str) -> tuple[list[Path], list[BatchRow]]:
    """The video files directly in ``folder``, and rows for those that cannot be used.

    formcheck's own annotated videos (``*.annotated.mp4``, from an earlier
    batch written into the same folder) are left out; subfolders are not
    searched.
    """
    from formcheck.video_frames import check_video_path

    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return [], [failed_row(text, "", f"{text}: cannot list the folder ({reason})")]
    found: list[Path] = []
    bad: list[BatchRow] = []
    for entry in entries:
        name = entry.name.lower()
        if not name.endswith(VIDEO_SUFFIXES) or name.endswith(ANNOTATED_SUFFIX):
            continue
        try:
            if entry.is_dir():
                continue
            check_video_path(entry)
        except FormcheckError as exc:
            bad.append(failed_row(str(entry), "", str(exc)))
        except OSError as exc:
            bad.append(failed_row(str(entry), "", f"{entry}: {exc.strerror or exc}"))
        else:
            found.append(entry)
    return found, bad


def collect_videos(inputs: Iterable[str]) -> tuple[list[BatchVideo], list[BatchRow]]:
    """The videos named by files and folders (a folder: its videos, sorted).

    Args:
        inputs: Files and folders as the user typed them.

    Returns:
        The videos to analyse, and rows for inputs that are not there or
        cannot be used (an unreadable folder, a link to nothing, a pipe).
    """
    found: list[Path] = []
    missing: list[BatchRow] = []
    for text in inputs:
        path = Path(text)
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists() or path.is_symlink()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            missing.append(
                failed_row(text, "", f"{text}: cannot be reached ({reason})")
            )
            continue
        if is_dir:
            inside, bad = _folder_videos(path, text)
            found += inside
            missing += bad
        elif exists:
            found.append(path)
        else:
            missing.append(failed_row(text, "", f"{text}: no such file or folder"))
    from formcheck.outputs import output_stem

    seen: set[Path] = set()
    stems: set[str] = set()
    videos: list[BatchVideo] = []
    for path in found:
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        base = output_stem(path.stem)
        stem, n = base, 2
        while stem in stems:
            stem, n = f"{base}-{n}", n + 1
        stems.add(stem)
        videos.append(BatchVideo(path, stem))
    return videos, missing


@dataclass(frozen=True)
class BatchOptions:
    """What every video of a batch is analysed with.

    Attributes:
        spec: The exercise spec.
        side: The painful or chosen side.
        out: Output folder.
        video: Write the annotated videos.
        save_landmarks: Also save the landmarks.
        model_complexity: MediaPipe model.
        estimator_factory: Makes the pose estimator (picklable; ``None``:
            MediaPipe with ``model_complexity``).
    """

    spec: ExerciseSpec
    side: Side | None
    out: Path
    video: bool = True
    save_landmarks: bool = False
    model_complexity: int = 1
    estimator_factory: Callable[[], PoseEstimator] | None = None


def _status(result: object) -> tuple[Status, str]:
    from formcheck.analyze import AnalysisResult

    assert isinstance(result, AnalysisResult)
    if result.problems:
        detail = result.problems[0]
        if result.video_problem:
            detail += f"; {messages.video_not_written(result.video_problem)}"
        return Status.ENDED_EARLY, detail
    if result.no_person:
        return Status.NOBODY, ""
    if result.several_people:
        return Status.SEVERAL_PEOPLE, ""
    if result.video_problem:
        return Status.NO_VIDEO, result.video_problem
    return Status.OK, ""


def analyze_one(item: BatchVideo, options: BatchOptions) -> BatchRow | None:
    """Analyse one video of a batch and write its files (runs in a worker).

    Progress goes to the parent as ``PROGRESS`` messages (frames done).
    Expected problems become the row's status; they are not raised. Once the
    pool is asked to stop (:func:`~formcheck.parallel.pool.task_stop`), the
    video ends at the next frame and what was analysed is saved, marked as
    ended early, as a single run does.

    Returns:
        The row; ``None`` if the stop came before the first frame (nothing
        analysed, nothing written).
    """
    from formcheck.analyze import analyze_video, output_lock
    from formcheck.errors import StoppedBeforeStart
    from formcheck.parallel.pool import task_stop
    from formcheck.record import write_session_files

    spec = options.spec
    file = str(item.path)

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_FRAMES == 0:
            send(MessageKind.PROGRESS, done)

    out_video = (
        options.out / f"{item.stem}{ANNOTATED_SUFFIX}" if options.video else None
    )
    try:
        with output_lock(options.out, item.stem):
            result = analyze_video(
                item.path,
                spec,
                side=options.side,
                out_video=out_video,
                save_landmarks=options.save_landmarks,
                model_complexity=options.model_complexity,
                progress=progress,
                estimator_factory=options.estimator_factory,
                stop=task_stop(),
            )
            files = write_session_files(result.session, options.out, item.stem)
            outputs = [files.json, files.reps_csv]
            if result.video_path is not None:
                outputs.insert(0, result.video_path)
            if options.save_landmarks and result.landmarks is not None:
                landmarks = options.out / f"{item.stem}.landmarks.npz"
                result.landmarks.save_npz(landmarks)
                outputs.append(landmarks)
    except StoppedBeforeStart:
        return None
    except FormcheckError as exc:
        return failed_row(file, spec.name, str(exc).splitlines()[0])
    except OSError as exc:
        return failed_row(file, spec.name, f"{file}: {exc.strerror or exc}")
    status, detail = _status(result)
    summary = result.session.summary
    return BatchRow(
        file=file,
        exercise=spec.name,
        status=status,
        detail=STATUS_TEXT[status].format(detail=detail),
        reps=summary.reps,
        correct=summary.correct,
        holds=summary.holds_completed,
        holds_total=summary.holds,
        faults=summary.faults,
        outputs=outputs,
    )


def _frames(video: Path) -> int:
    from formcheck.video import probe_video

    return probe_video(video).frame_count


def run_batch(
    videos: list[BatchVideo],
    options: BatchOptions,
    jobs: int,
    progress: ProgressCallback | None = None,
    stop: StopRequest | None = None,
) -> Iterator[BatchRow]:
    """Analyse ``videos`` in ``jobs`` processes; yield a row per video as it ends.

    Each video is probed first (a bad one gets its row at once, without a
    worker); the rest are analysed longest first.

    Args:
        videos: From :func:`collect_videos`.
        options: How to analyse them.
        jobs: Worker processes (at most one per video).
        progress: ``progress(frames done, frames in all videos)``, in the
            calling thread.
        stop: Once requested, videos not started are not started, and each
            video being analysed ends at its next frame and is saved as
            ended early (its row says so); then no more rows come. A second
            signal (``KeyboardInterrupt``) stops the workers at once.

    Yields:
        One row per video, in the order they finish.
    """
    sizes: dict[int, int] = {}
    for i, item in enumerate(videos):
        if stop is not None and stop.requested:
            return  # nothing started yet
        try:
            sizes[i] = max(_frames(item.path), 1)
        except FormcheckError as exc:
            yield failed_row(str(item.path), options.spec.name, str(exc))
    if not sizes:
        return
    total = sum(sizes.values())
    done: dict[int, int] = {}
    order = sorted(sizes, key=lambda i: -sizes[i])
    with WorkerPool(max(1, min(jobs, len(order)))) as pool:
        for i in order:
            pool.submit(i, analyze_one, videos[i], options)

        def pass_on_stop() -> None:
            if stop is not None and stop.requested:
                pool.request_stop(stop.signum or signal.SIGINT)

        for message in pool.messages(idle=pass_on_stop):
            if message.kind is MessageKind.PROGRESS:
                done[message.task] = int(message.payload)
            elif message.kind is MessageKind.DONE:
                done[message.task] = sizes[message.task]
                if message.payload is not None:
                    yield message.payload
            elif message.kind is MessageKind.ERROR:
                done[message.task] = sizes[message.task]
                failure = message.payload
                yield failed_row(
                    str(videos[message.task].path),
                    options.spec.name,
                    f"internal error: {type(failure).__name__}: {failure}",
                )
            if progress is not None:
                progress(sum(done.values()), total)
            pass_on_stop()

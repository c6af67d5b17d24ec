"""Parallel pose chunks and batches: the same answers as one process.

No test here times anything: speed is measured by ``formcheck bench --speed``.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from formcheck.analyze import AnalysisResult, analyze_video
from formcheck.batch import BatchOptions, Status, collect_videos, run_batch
from formcheck.errors import PoseBackendError
from formcheck.parallel.plan import plan_chunks
from formcheck.parallel.threads import Prefetch
from formcheck.perf.speed import outcome_differences
from formcheck.pose import ReplayPoseEstimator
from formcheck.specs import load_spec
from formcheck.types import PoseFrame, PoseSequence
from formcheck.video import FrameReader, VideoWriter, probe_video
from tests.parallel_support import (
    BIRD_DOG,
    FirstSightReplay,
    SmoothingReplay,
    blank_video,
    broken_estimator,
)

FRAMES = len(PoseSequence.load_npz(BIRD_DOG))
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A blank video as long as the recorded bird-dog landmarks."""
    return blank_video(tmp_path_factory.mktemp("clip") / "bird_dog.mp4", FRAMES)


def _outcome(result: AnalysisResult) -> tuple[object, ...]:
    s = result.session
    return (
        [(r.index, r.side, r.counted, r.correct, r.start_s, r.end_s) for r in s.reps],
        [(h.index, h.held_s, h.completed) for h in s.holds],
        [(f.rule_id, f.start_s, f.end_s, f.rep_index) for f in s.faults],
        s.summary.model_dump(),
    )


# ------------------------------------------------------------------ planning
def test_chunks_cover_every_frame_once_with_warm_up_before_each() -> None:
    chunks = plan_chunks(2765, 30.0, 3, overlap_s=2.0)
    assert len(chunks) == 3
    assert chunks[0].start == 0 and chunks[0].warm_start == 0
    for before, after in itertools.pairwise(chunks):
        assert before.stop == after.start
        assert after.overlap == 60
    assert chunks[-1].stop is None
    kept = [c.stop - c.start for c in chunks[:-1]] + [2765 - chunks[-1].start]
    assert sum(kept) == 2765
    # Later chunks skip more frames, so they are given slightly fewer.
    assert kept[0] > kept[1] > kept[2]


def test_short_video_and_one_job_stay_in_one_piece() -> None:
    assert len(plan_chunks(200, 30.0, 4)) == 1  # under 2 x 8 s
    assert len(plan_chunks(100_000, 30.0, 1)) == 1
    assert len(plan_chunks(100_000, 30.0, 4)) == 4


@pytest.mark.parametrize(
    ("args", "needle"),
    [((100, 30.0, 0), "jobs"), ((100, 0.0, 2), "fps")],
)
def test_bad_plan_arguments_say_which(
    args: tuple[int, float, int], needle: str
) -> None:
    with pytest.raises(ValueError, match=needle):
        plan_chunks(*args)


# ------------------------------------------------------------------- reading
def test_part_of_a_video_reads_as_in_a_whole_read(clip: Path) -> None:
    whole = list(FrameReader(clip).frames())
    part = list(FrameReader(clip).frames(100, 140))
    assert [f.index for f in part] == list(range(100, 140))
    for a, b in zip(part, whole[100:140], strict=True):
        assert a.timestamp_ms == b.timestamp_ms
        assert np.array_equal(a.image_bgr, b.image_bgr)
    reader = FrameReader(clip)
    tail = list(reader.frames(FRAMES - 5))
    assert [f.index for f in tail] == list(range(FRAMES - 5, FRAMES))
    assert reader.frames_read == FRAMES and not reader.ended_early


# ------------------------------------------------------------ parallel = one
def test_parallel_chunks_give_the_sequential_counts_holds_and_faults(
    clip: Path,
) -> None:
    spec = load_spec("bird_dog")
    factory = functools.partial(ReplayPoseEstimator.from_file, str(BIRD_DOG))
    one = analyze_video(
        clip, spec, estimator_factory=factory, jobs=1, save_landmarks=True
    )
    three = analyze_video(
        clip,
        spec,
        estimator_factory=factory,
        jobs=3,
        min_chunk_s=3.0,
        save_landmarks=True,
    )
    assert one.session.summary.reps == 2  # the clip's own count
    assert _outcome(three) == _outcome(one)
    assert one.landmarks is not None and three.landmarks is not None
    assert np.array_equal(three.landmarks.timestamps_ms, one.landmarks.timestamps_ms)
    assert three.session.source.frames == one.session.source.frames == FRAMES


def test_warm_up_makes_chunks_of_a_tracker_with_memory_match(clip: Path) -> None:
    from formcheck.parallel.merge import same_pose

    spec = load_spec("bird_dog")
    factory = functools.partial(SmoothingReplay, str(BIRD_DOG), 8)
    one = analyze_video(clip, spec, estimator_factory=factory, save_landmarks=True)
    runs = {
        overlap_s: analyze_video(
            clip,
            spec,
            estimator_factory=factory,
            jobs=2,
            min_chunk_s=3.0,
            overlap_s=overlap_s,
            save_landmarks=True,
        ).landmarks
        for overlap_s in (0.5, 0.0)  # 15 frames, more than the 8 remembered; none
    }
    assert one.landmarks is not None
    warm, cold = runs[0.5], runs[0.0]
    assert warm is not None and cold is not None
    assert np.array_equal(warm.xy, one.landmarks.xy, equal_nan=True)
    # Cold, the next chunk takes over where it agrees within the tolerance:
    # a few frames differ, none by more than that.
    differ = [
        i
        for i in range(FRAMES)
        if not np.array_equal(cold.xy[i], one.landmarks.xy[i], equal_nan=True)
    ]
    assert 0 < len(differ) <= 8
    assert all(same_pose(cold[i], one.landmarks[i]) for i in differ)


def test_a_chunk_that_follows_someone_else_is_not_used(clip: Path) -> None:
    spec = load_spec("bird_dog")
    factory = functools.partial(FirstSightReplay, str(BIRD_DOG))
    one = analyze_video(clip, spec, estimator_factory=factory, save_landmarks=True)
    many = analyze_video(
        clip,
        spec,
        estimator_factory=factory,
        jobs=3,
        min_chunk_s=3.0,
        save_landmarks=True,
    )
    assert one.landmarks is not None and many.landmarks is not None
    assert np.array_equal(many.landmarks.xy, one.landmarks.xy, equal_nan=True)
    assert _outcome(many) == _outcome(one)


def test_same_pose_tells_people_apart() -> None:
    from formcheck.parallel.merge import same_pose

    seq = PoseSequence.load_npz(BIRD_DOG)
    pose = next(seq[i] for i in range(len(seq)) if seq[i].has_person)
    moved = PoseFrame(
        xy=pose.xy + np.float32(40.0),
        visibility=pose.visibility,
        timestamp_ms=pose.timestamp_ms,
        frame_index=pose.frame_index,
        resolution_wh=pose.resolution_wh,
    )
    nudged = PoseFrame(
        xy=pose.xy + np.float32(1.0),
        visibility=pose.visibility,
        timestamp_ms=pose.timestamp_ms,
        frame_index=pose.frame_index,
        resolution_wh=pose.resolution_wh,
    )
    empty = PoseFrame.empty(pose.timestamp_ms, pose.frame_index, pose.resolution_wh)
    assert same_pose(pose, nudged)
    assert not same_pose(pose, moved)
    assert not same_pose(pose, empty)
    assert same_pose(empty, empty)


def test_parallel_annotated_video_has_every_frame_at_its_time(
    clip: Path, tmp_path: Path
) -> None:
    spec = load_spec("bird_dog")
    factory = functools.partial(ReplayPoseEstimator.from_file, str(BIRD_DOG))
    analyze_video(clip, spec, out_video=tmp_path / "one.mp4", estimator_factory=factory)
    analyze_video(
        clip,
        spec,
        out_video=tmp_path / "two.mp4",
        estimator_factory=factory,
        jobs=2,
        min_chunk_s=3.0,
    )
    one = [f.timestamp_ms for f in FrameReader(tmp_path / "one.mp4").frames()]
    two = [f.timestamp_ms for f in FrameReader(tmp_path / "two.mp4").frames()]
    assert len(two) == FRAMES
    assert two == one
    assert probe_video(tmp_path / "two.mp4").duration_s == pytest.approx(
        probe_video(tmp_path / "one.mp4").duration_s
    )


def test_a_model_that_cannot_load_in_a_worker_is_one_clear_error(clip: Path) -> None:
    with pytest.raises(PoseBackendError, match="cannot be loaded"):
        analyze_video(
            clip,
            load_spec("bird_dog"),
            estimator_factory=broken_estimator,
            jobs=2,
            min_chunk_s=3.0,
        )


def test_prefetch_keeps_order_and_passes_errors_on() -> None:
    def numbers() -> Iterator[int]:
        yield from range(50)
        raise ValueError("source broke at 50")

    seen: list[int] = []
    with pytest.raises(ValueError, match="at 50"), Prefetch(numbers(), size=3) as items:
        seen.extend(items)
    assert seen == list(range(50))


def test_prefetch_can_be_given_more_room_while_it_runs() -> None:
    sixth = threading.Event()

    def numbers() -> Iterator[int]:
        for i in range(10):
            if i == 5:
                sixth.set()  # 0-4 are waiting in the queue: room for 5
            yield i

    with Prefetch(numbers(), size=1) as items:
        items.resize(5)  # the producer waits at 1 until then
        assert sixth.wait(30)
        assert list(items) == list(range(10))
        with pytest.raises(ValueError, match=">= 1"):
            items.resize(0)


# --------------------------------------------------------------------- batch
def test_batch_reports_a_bad_file_in_its_row_and_analyses_the_rest(
    clip: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "videos"
    folder.mkdir()
    for name in ("a.mp4", "b.mp4"):
        (folder / name).write_bytes(clip.read_bytes())
    (folder / "broken.mp4").write_text("not a video")
    (folder / "notes.txt").write_text("ignored: not a video name")
    videos, missing = collect_videos([str(folder), str(tmp_path / "gone.mp4")])
    assert [v.path.name for v in videos] == ["a.mp4", "b.mp4", "broken.mp4"]
    assert [r.status for r in missing] == [Status.FAILED]
    options = BatchOptions(
        spec=load_spec("bird_dog"),
        side=None,
        out=tmp_path / "out",
        video=False,
        estimator_factory=functools.partial(
            ReplayPoseEstimator.from_file, str(BIRD_DOG)
        ),
    )
    (tmp_path / "out").mkdir()
    seen: list[tuple[int, int]] = []
    rows = {
        Path(r.file).name: r
        for r in run_batch(
            videos, options, jobs=2, progress=lambda d, t: seen.append((d, t))
        )
    }
    assert rows["a.mp4"].ok and rows["b.mp4"].ok
    assert rows["a.mp4"].reps == 2 and rows["b.mp4"].reps == 2
    assert rows["broken.mp4"].status is Status.FAILED
    assert "broken.mp4" in rows["broken.mp4"].detail
    assert (tmp_path / "out" / "a.session.json").is_file()
    assert (tmp_path / "out" / "b.reps.csv").is_file()
    assert seen[-1] == (2 * FRAMES, 2 * FRAMES)


def test_a_folder_names_what_it_cannot_use_and_skips_formcheck_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "videos"
    folder.mkdir()
    (folder / "good.mp4").write_bytes(b"x")
    (folder / "good.annotated.mp4").write_bytes(b"x")  # an earlier batch's output
    (folder / "gone.mp4").symlink_to(tmp_path / "deleted.mp4")
    os.mkfifo(folder / "pipe.mov")
    (folder / "old.mp4").mkdir()  # a folder with a video's name: not searched
    locked = tmp_path / "locked"
    locked.mkdir()
    real_iterdir = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    videos, bad = collect_videos([str(folder), str(locked)])
    assert [v.path.name for v in videos] == ["good.mp4"]
    details = sorted(r.detail for r in bad)
    assert all(r.status is Status.FAILED for r in bad)
    assert details == sorted(
        [
            f"{folder / 'gone.mp4'}: a link to a file that does not exist",
            f"{folder / 'pipe.mov'}: not a regular file (a pipe or a device?)",
            f"{locked}: cannot list the folder (Permission denied)",
        ]
    )


def test_same_names_in_two_folders_get_files_of_their_own(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "clip.mp4").write_bytes(b"x")
    videos, _ = collect_videos([str(tmp_path / "one"), str(tmp_path / "two")])
    assert [v.stem for v in videos] == ["clip", "clip-2"]


def test_batch_row_of_a_video_another_run_is_writing_says_so(
    clip: Path, tmp_path: Path
) -> None:
    from formcheck.analyze import output_lock
    from formcheck.batch import analyze_one

    out = tmp_path / "out"
    out.mkdir()
    (video,), _ = collect_videos([str(clip)])
    options = BatchOptions(spec=load_spec("bird_dog"), side=None, out=out)
    with output_lock(out, video.stem):
        row = analyze_one(video, options)
    assert row.status is Status.FAILED
    assert "another formcheck run is writing these files" in row.detail
    assert list(out.iterdir()) == []  # nothing written, the lock gone


def test_long_names_get_stems_that_fit_and_stay_apart(tmp_path: Path) -> None:
    names = ["é" * 122 + "a.mp4", "é" * 122 + "b.mp4"]  # 249 bytes
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    videos, _ = collect_videos([str(tmp_path)])
    stems = [v.stem for v in videos]
    assert len(set(stems)) == 2
    assert all(len(f".{s}.landmarks.npz".encode()) <= 255 for s in stems)


def test_cli_batch_lists_every_bad_input_in_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from formcheck.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.mp4").write_bytes(b"")
    code = main(
        [
            "analyze",
            str(folder),
            str(tmp_path / "missing.mov"),
            "--exercise",
            "bird_dog",
            "--out",
            str(tmp_path / "out"),
            "--jobs",
            "2",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "summary" in out and "empty.mp4" in out and "missing.mov" in out
    assert "Traceback" not in out


def test_cli_refuses_zero_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    from formcheck.cli import main

    with pytest.raises(SystemExit) as info:
        main(["analyze", "x.mp4", "--exercise", "bird_dog", "--jobs", "0"])
    assert info.value.code == 2
    assert (
        "argument --jobs/-j: must be from 1 to 256, got '0'" in capsys.readouterr().err
    )


@pytest.mark.model
def test_real_model_in_parallel_chunks_counts_as_one_process(tmp_path: Path) -> None:
    source = REPO / "sample_videos" / "glute_bridge_side.mp4"
    clip = tmp_path / "bridge_12s.mp4"
    reader = FrameReader(source)
    with VideoWriter(clip, fps=reader.info.fps) as writer:  # two bridges, 12 s
        for frame in reader.frames(0, round(12 * reader.info.fps)):
            writer.write(frame.image_bgr, frame.timestamp_ms)
    spec = load_spec("glute_bridge")
    one = analyze_video(clip, spec, jobs=1)
    two = analyze_video(clip, spec, jobs=2, min_chunk_s=5.0)
    assert one.session.summary.reps > 0
    # What a user reads: repetitions per side and correct, hold times, faults
    # (a repetition across the cut may start or end a frame apart).
    assert outcome_differences(one.session, two.session) == []


def test_joining_overlapping_segments_keeps_the_earlier_video(
    clip: Path, tmp_path: Path
) -> None:
    from formcheck.parallel.segments import SegmentJoinError, join_segments

    out = tmp_path / "joined.mp4"
    out.write_bytes(b"an earlier, complete video")
    with pytest.raises(SegmentJoinError, match="frame times overlap"):
        join_segments([clip, clip], out)  # the second repeats the first's times
    assert out.read_bytes() == b"an earlier, complete video"
    assert [p.name for p in tmp_path.iterdir()] == ["joined.mp4"]
    assert join_segments([clip], out) == FRAMES
    assert probe_video(out).frame_count == FRAMES


def test_workers_start_whatever_the_main_script_is(tmp_path: Path) -> None:
    """Under Streamlit the main script is a page: workers must not run it again."""
    import math
    import sys
    import types

    from formcheck.parallel.pool import MessageKind, WorkerPool

    page = tmp_path / "page.py"
    page.write_text("raise SystemExit('a page was run in a worker')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(page)
    real_main = sys.modules["__main__"]
    sys.modules["__main__"] = fake_main
    try:
        with WorkerPool(1) as pool:
            pool.submit(0, math.sqrt, 16.0)
            kinds = [(m.kind, m.payload) for m in pool.messages()]
    finally:
        sys.modules["__main__"] = real_main
    assert (MessageKind.DONE, 4.0) in kinds or (MessageKind.DATA, 4.0) in kinds, kinds


def test_workers_outlive_a_sigterm_to_the_group_and_stop_when_asked() -> None:
    # `timeout`, systemd and `kill -- -PGID` send SIGTERM to every process of
    # the group: the workers must leave the stopping to the parent.
    import signal

    from formcheck.parallel.pool import MessageKind, WorkerPool
    from tests.parallel_support import wait_for_stop

    with WorkerPool(2) as pool:
        pool.submit(0, wait_for_stop)
        pool.submit(1, wait_for_stop)
        ended: dict[int, object] = {}
        started = 0
        for message in pool.messages():
            if message.kind is MessageKind.PROGRESS:
                os.kill(int(message.payload), signal.SIGTERM)
                started += 1
                if started == 2:
                    pool.request_stop(signal.SIGTERM)
            else:
                ended[message.task] = (message.kind, message.payload)
    assert ended == {
        0: (MessageKind.DONE, "stopped"),
        1: (MessageKind.DONE, "stopped"),
    }


def test_tasks_not_started_when_the_pool_is_asked_to_stop_are_cancelled() -> None:
    import math
    import signal

    from formcheck.parallel.pool import MessageKind, WorkerPool

    with WorkerPool(1) as pool:
        pool.request_stop(signal.SIGINT)
        pool.submit(0, math.sqrt, 16.0)
        kinds = [m.kind for m in pool.messages()]
    assert kinds == [MessageKind.CANCELLED]

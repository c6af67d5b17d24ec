"""The pose stream started ahead of the checker: same answers, clean ends.

``formcheck analyze`` starts decoding and estimating before it loads the
checker (:mod:`formcheck.parallel.pose_stream`). These tests use recorded
poses on a blank video, so they need no model; the command-line tests at the
end run ``formcheck analyze`` with the recorded poses (:mod:`tests.replay_cli`).
The real model goes through the same path in every model test of the command
(``formcheck demo`` among them).
"""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from formcheck.analyze import analyze_video
from formcheck.errors import PoseBackendError, VideoError
from formcheck.interrupt import StopRequest
from formcheck.outputs import output_lock
from formcheck.parallel.pose_stream import PoseStream, start_pose_stream
from formcheck.specs import load_spec
from formcheck.types import PoseFrame, PoseSequence
from formcheck.video import FrameReader
from tests.parallel_support import (
    BIRD_DOG,
    SmoothingReplay,
    blank_video,
    broken_estimator,
)
from tests.replay_cli import run_replay_cli

FRAMES = len(PoseSequence.load_npz(BIRD_DOG))


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A blank video as long as the recorded bird-dog landmarks."""
    return blank_video(tmp_path_factory.mktemp("clip") / "bird_dog.mp4", FRAMES)


class _Watched(SmoothingReplay):
    """A replay that notes the threads it was made and used on, and its closing."""

    def __init__(self) -> None:
        super().__init__(str(BIRD_DOG), memory=1)
        self.made_on = threading.current_thread().name
        self.used_on: set[str] = set()
        self.calls = 0
        self.closed = False

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        self.used_on.add(threading.current_thread().name)
        self.calls += 1
        return super().__call__(image_bgr, timestamp_ms, frame_index)

    def close(self) -> None:
        self.closed = True


def _counts(result: object) -> tuple[object, ...]:
    s = result.session  # type: ignore[attr-defined]
    return (
        [(r.index, r.side, r.counted, r.correct, r.start_s, r.end_s) for r in s.reps],
        [(f.rule_id, f.start_s, f.end_s) for f in s.faults],
        s.source.frames,
    )


def test_a_stream_started_ahead_gives_the_answers_of_a_plain_run(clip: Path) -> None:
    spec = load_spec("bird_dog")
    factory = functools.partial(SmoothingReplay, str(BIRD_DOG), 1)
    plain = analyze_video(clip, spec, estimator_factory=factory, jobs=1)
    made: list[_Watched] = []

    def make() -> _Watched:
        made.append(_Watched())
        return made[-1]

    stream = PoseStream(FrameReader(clip), make, keep_images=False)
    assert stream.wait_ready(timeout_s=60)
    ahead = analyze_video(clip, spec, jobs=1, pose_stream=stream)
    assert ahead.session.summary.reps == plain.session.summary.reps == 2
    assert _counts(ahead) == _counts(plain)
    (estimator,) = made
    # Made, used and closed on the pose thread, never on the caller's.
    assert estimator.made_on == "pose" and estimator.used_on == {"pose"}
    assert estimator.closed and estimator.calls == FRAMES


def test_a_stream_that_keeps_images_draws_the_annotated_video(
    clip: Path, tmp_path: Path
) -> None:
    stream = PoseStream(FrameReader(clip), _Watched, keep_images=True)
    out = tmp_path / "annotated.mp4"
    result = analyze_video(
        clip, load_spec("bird_dog"), out_video=out, jobs=1, pose_stream=stream
    )
    assert result.video_path == out
    assert FrameReader(out).info.frame_count == FRAMES


def _pose_threads_alive() -> set[str]:
    return {t.name for t in threading.enumerate() if t.is_alive()} & {"pose", "decode"}


def test_a_stopped_run_closes_the_stream_and_its_model(clip: Path) -> None:
    spec = load_spec("bird_dog")
    stop = StopRequest()
    seen: list[object] = []

    def stop_at_40(result: object) -> None:
        seen.append(result)
        if len(seen) == 40:
            stop.request()

    estimator = _Watched()
    stream = PoseStream(FrameReader(clip), lambda: estimator, keep_images=False)
    result = analyze_video(
        clip, spec, jobs=1, pose_stream=stream, stop=stop, on_result=stop_at_40
    )
    assert result.session.source.frames == 40
    assert result.problems  # marked as ended early
    assert estimator.closed
    assert not _pose_threads_alive()  # both threads stopped with the run


def test_a_stream_refused_by_the_analysis_is_closed_too(clip: Path) -> None:
    spec = load_spec("bird_dog")
    estimator = _Watched()
    stream = PoseStream(FrameReader(clip), lambda: estimator, keep_images=False)
    with pytest.raises(ValueError, match="its own estimator"):
        analyze_video(clip, spec, estimator=_Watched(), pose_stream=stream)
    assert estimator.closed and not _pose_threads_alive()


def test_the_same_video_named_two_ways_is_the_same_video(
    clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(clip.parent)
    stream = PoseStream(FrameReader(clip), _Watched, keep_images=False)
    result = analyze_video(Path(clip.name), load_spec("bird_dog"), pose_stream=stream)
    assert result.session.source.frames == FRAMES


def test_a_model_that_cannot_load_is_one_clear_error(clip: Path) -> None:
    stream = PoseStream(FrameReader(clip), broken_estimator, keep_images=False)
    assert stream.wait_ready(timeout_s=60)  # the failure ends the wait
    with pytest.raises(PoseBackendError, match="cannot be loaded"):
        analyze_video(clip, load_spec("bird_dog"), jobs=1, pose_stream=stream)


def test_a_stream_must_be_of_the_same_video_and_keep_images_for_a_video(
    clip: Path, tmp_path: Path
) -> None:
    other = blank_video(tmp_path / "other.mp4", 10)
    spec = load_spec("bird_dog")
    other_stream = PoseStream(FrameReader(other), _Watched, keep_images=True)
    with other_stream, pytest.raises(ValueError, match="other.mp4"):
        analyze_video(clip, spec, pose_stream=other_stream)
    no_images = PoseStream(FrameReader(clip), _Watched, keep_images=False)
    with no_images, pytest.raises(ValueError, match="keeps images"):
        analyze_video(clip, spec, out_video=tmp_path / "a.mp4", pose_stream=no_images)


def test_a_video_that_will_be_cut_into_chunks_gets_no_stream(tmp_path: Path) -> None:
    long_clip = blank_video(tmp_path / "long.mp4", 20 * 30)  # 20 s: two 8 s chunks
    assert start_pose_stream(long_clip, jobs=2, keep_images=False) is None


class _Factory:
    """Stands in for ``create_estimator`` in :func:`start_pose_stream`."""

    def __init__(self, release: threading.Event | None = None) -> None:
        self.release = release
        self.made: list[_Watched] = []

    def __call__(self, model_complexity: int = 1) -> _Watched:
        if self.release is not None:
            assert self.release.wait(60), "the test never released the model"
        self.made.append(_Watched())
        return self.made[-1]


@pytest.fixture
def factory(monkeypatch: pytest.MonkeyPatch) -> _Factory:
    made = _Factory()
    monkeypatch.setattr("formcheck.parallel.pose_stream.create_estimator", made)
    return made


def test_one_job_makes_the_model_while_the_video_is_probed(
    clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    factory = _Factory(release)
    monkeypatch.setattr("formcheck.parallel.pose_stream.create_estimator", factory)
    probed_while_making: list[bool] = []
    real_reader = FrameReader

    def reader(path: Path) -> FrameReader:
        probed_while_making.append(_pose_threads_alive() == {"pose"})
        probed = real_reader(path)
        release.set()  # the model is made only after the probe began
        return probed

    monkeypatch.setattr("formcheck.video.FrameReader", reader)
    stream = start_pose_stream(clip, jobs=1, keep_images=False)
    assert stream is not None and probed_while_making == [True]
    result = analyze_video(clip, load_spec("bird_dog"), jobs=1, pose_stream=stream)
    assert result.session.summary.reps == 2
    (estimator,) = factory.made
    assert estimator.made_on == "pose" and estimator.used_on == {"pose"}
    assert estimator.closed and estimator.calls == FRAMES


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("missing.mp4", "no such file"),
        ("empty.mp4", "empty file"),
        ("folder.mp4", "is a directory"),
    ],
)
def test_a_path_that_is_no_video_fails_before_any_model_is_made(
    tmp_path: Path, factory: _Factory, jobs: int, name: str, problem: str
) -> None:
    (tmp_path / "empty.mp4").touch()
    (tmp_path / "folder.mp4").mkdir()
    with pytest.raises(VideoError, match=f"{name}: {problem}"):
        start_pose_stream(tmp_path / name, jobs=jobs, keep_images=False)
    assert factory.made == [] and not _pose_threads_alive()


def test_a_file_that_is_no_video_is_one_clear_error_and_leaves_nothing_running(
    tmp_path: Path, factory: _Factory
) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    with pytest.raises(VideoError, match="notes.mp4: cannot be opened"):
        start_pose_stream(bad, jobs=2, keep_images=False)
    assert factory.made == []  # probed first: no model
    with pytest.raises(VideoError, match="notes.mp4: cannot be opened"):
        start_pose_stream(bad, jobs=1, keep_images=False)
    (estimator,) = factory.made  # made while the file was probed...
    assert estimator.closed and not _pose_threads_alive()  # ...and closed


def test_a_stream_closed_before_it_was_given_a_video_stops(clip: Path) -> None:
    estimator = _Watched()
    stream = PoseStream(None, lambda: estimator, keep_images=False)
    assert stream.wait_ready(timeout_s=60)
    stream.close()
    stream.close()  # twice is fine
    assert estimator.closed and not _pose_threads_alive()
    with pytest.raises(RuntimeError, match="given no video"):
        _ = stream.reader
    with pytest.raises(RuntimeError, match="one video"):
        stream.feed(FrameReader(clip))


class _UnreadableReader:
    """A reader whose video turns out unusable when it is looked at."""

    @property
    def info(self) -> object:
        raise VideoError("odd.mp4: cannot be decoded (test)")


def test_a_stream_whose_video_fails_to_start_still_closes() -> None:
    estimator = _Watched()
    stream = PoseStream(None, lambda: estimator, keep_images=True)
    with pytest.raises(VideoError, match="odd.mp4"):
        stream.feed(_UnreadableReader())  # type: ignore[arg-type]
    # No video reached the pose thread: closing must not wait for one.
    closer = threading.Thread(target=stream.close, daemon=True)
    closer.start()
    closer.join(60)
    assert not closer.is_alive(), "closing the stream hung"
    assert estimator.closed and not _pose_threads_alive()


def test_closing_while_the_model_is_made_closes_it_once_made() -> None:
    release = threading.Event()
    made: list[_Watched] = []

    def slow_model() -> _Watched:
        assert release.wait(60)
        made.append(_Watched())
        return made[-1]

    stream = PoseStream(None, slow_model, keep_images=False)
    closer = threading.Thread(target=stream.close)
    closer.start()
    release.set()
    closer.join(60)
    assert not closer.is_alive()
    (estimator,) = made
    assert estimator.closed and estimator.calls == 0 and not _pose_threads_alive()


def test_a_stream_takes_one_video(clip: Path) -> None:
    with PoseStream(FrameReader(clip), _Watched, keep_images=False) as stream:
        with pytest.raises(RuntimeError, match="one video"):
            stream.feed(FrameReader(clip))
        assert sum(1 for _ in stream) == FRAMES


def test_a_stop_request_ends_the_wait_for_the_model(clip: Path) -> None:
    release = threading.Event()

    def slow_model() -> _Watched:
        release.wait(60)
        return _Watched()

    stop = StopRequest()
    stop.request()
    with PoseStream(FrameReader(clip), slow_model, keep_images=False) as stream:
        assert stream.wait_ready(stop) is False  # not made, but no longer waited for
        release.set()


# ---------------------------------------------------------- the command line
def test_cli_refuses_an_unknown_exercise_before_making_a_model(
    clip: Path, tmp_path: Path
) -> None:
    made = tmp_path / "made"
    proc = run_replay_cli(
        "analyze", str(clip), "-e", "squat", "--out", str(tmp_path / "out"),
        cwd=tmp_path, env={"FORMCHECK_TEST_MADE": str(made)},
    )  # fmt: skip
    assert proc.returncode == 1
    assert "unknown exercise 'squat'" in proc.stderr and "Traceback" not in proc.stderr
    assert not made.exists()


def test_cli_refuses_outputs_another_run_writes_before_making_a_model(
    clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    made = tmp_path / "made"
    with output_lock(out, clip.stem):
        proc = run_replay_cli(
            "analyze", str(clip), "-e", "bird_dog", "--out", str(out), "--jobs", "1",
            cwd=tmp_path, env={"FORMCHECK_TEST_MADE": str(made)},
        )  # fmt: skip
    assert proc.returncode == 1
    assert "another formcheck run is writing" in proc.stderr
    assert not made.exists()


def test_cli_analysis_through_the_stream_counts_the_reps(
    clip: Path, tmp_path: Path
) -> None:
    made = tmp_path / "made"
    proc = run_replay_cli(
        "analyze", str(clip), "-e", "bird_dog", "--out", str(tmp_path / "out"),
        "--jobs", "1", "--no-video",
        cwd=tmp_path, env={"FORMCHECK_TEST_MADE": str(made)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Repetitions: 2" in proc.stdout
    assert made.exists()


_PRE_MODEL = """
import sys
import formcheck.parallel.pose_stream as ps
from formcheck.errors import PoseBackendError

def no_model(model_complexity=1):
    raise PoseBackendError("no model in this test")

def wait_ready(self, *args, **kwargs):
    loaded = sorted(m for m in HEAVY if m in sys.modules)
    print("loaded before the model:", loaded, file=sys.stderr)
    return WAIT(self, *args, **kwargs)

HEAVY = ("pydantic", "yaml", "importlib.metadata", "mediapipe", "formcheck.analyze",
         "formcheck.engine", "formcheck.record", "formcheck.specs", "formcheck.results")
WAIT = ps.PoseStream.wait_ready
ps.PoseStream.wait_ready = wait_ready
ps.create_estimator = no_model
from formcheck.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_cli_loads_only_what_it_needs_before_the_model_is_ready(
    clip: Path, tmp_path: Path
) -> None:
    # Whatever the command imports before the model is ready is time the user
    # waits (docs/performance.md): the checker's side comes after.
    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-c", _PRE_MODEL, "analyze", str(clip), "-e", "bird_dog",
         "--out", str(tmp_path / "out"), "--jobs", "1", "--no-video"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert "loaded before the model: []" in proc.stderr, proc.stderr
    assert proc.returncode == 1 and "no model in this test" in proc.stderr
    assert "Traceback" not in proc.stderr

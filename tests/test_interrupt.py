"""Ctrl-C and SIGTERM end a run cleanly: what was analysed is kept and saved."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from formcheck.analyze import analyze_landmarks, analyze_video
from formcheck.errors import StoppedBeforeStart
from formcheck.interrupt import StopRequest, stop_on_signals
from formcheck.pose import ReplayPoseEstimator
from formcheck.record import load_session
from formcheck.results import FrameResult
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from formcheck.video import FrameReader, probe_video
from tests.parallel_support import BIRD_DOG, blank_video

FRAMES = len(PoseSequence.load_npz(BIRD_DOG))
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A blank video as long as the recorded bird-dog landmarks."""
    return blank_video(tmp_path_factory.mktemp("clip") / "bird_dog.mp4", FRAMES)


def _stop_after(frames: int, stop: StopRequest, signum: int = signal.SIGINT):  # type: ignore[no-untyped-def]
    seen = [0]

    def on_result(result: FrameResult) -> None:
        seen[0] += 1
        if seen[0] == frames:
            stop.request(signum)

    return on_result


def test_stop_request_names_the_signal_and_its_exit_status() -> None:
    stop = StopRequest()
    assert not stop.requested
    stop.request(signal.SIGTERM)
    stop.request(signal.SIGINT)  # the first request wins
    assert (stop.how, stop.exit_status) == ("SIGTERM", 143)
    assert StopRequest().exit_status == 130


def _signal_self(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(0.5)  # the handler runs meanwhile


def test_stop_on_signals_turns_the_first_signal_into_a_request() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals() as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.01)
        assert stop.requested and stop.how == "SIGTERM"
        with pytest.raises(KeyboardInterrupt):
            _signal_self(signal.SIGINT)
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize("jobs", [1, 2])
def test_stopped_video_keeps_what_was_analysed(
    clip: Path, tmp_path: Path, jobs: int
) -> None:
    stop = StopRequest()
    out = tmp_path / "clip.annotated.mp4"
    result = analyze_video(
        clip,
        load_spec("bird_dog"),
        out_video=out,
        on_result=_stop_after(200, stop),
        estimator_factory=functools.partial(
            ReplayPoseEstimator.from_file, str(BIRD_DOG)
        ),
        jobs=jobs,
        min_chunk_s=3.0,
        stop=stop,
    )
    source = result.session.source
    assert source.frames == 200
    assert source.ended_early
    assert source.problem == (
        f"analysis stopped early by Ctrl-C after 200 of about {FRAMES} frames"
    )
    assert result.problems == [source.problem]
    assert source.problem in result.session.warnings
    assert result.session.summary.reps == 1  # the right leg's, 1.1-5.2 s
    # The annotated video is complete and playable up to the stop.
    times = [f.timestamp_ms for f in FrameReader(out).frames()]
    assert len(times) == 200
    assert times == [f.timestamp_ms for f in FrameReader(clip).frames(0, 200)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_stop_before_the_first_frame_writes_nothing(
    clip: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stop = StopRequest()
    stop.request(signal.SIGTERM)
    with pytest.raises(StoppedBeforeStart, match="stopped by SIGTERM before any"):
        analyze_video(
            clip,
            load_spec("bird_dog"),
            out_video=tmp_path / "x.mp4",
            estimator=ReplayPoseEstimator.from_file(str(BIRD_DOG)),
            stop=stop,
        )
    assert list(tmp_path.iterdir()) == []
    assert caplog.records == []  # the one error line says it all


def test_stopped_landmarks_are_marked_as_ended_early() -> None:
    stop = StopRequest()
    result = analyze_landmarks(
        PoseSequence.load_npz(BIRD_DOG), load_spec("bird_dog"), stop=stop
    )
    assert not result.session.source.ended_early
    stop = StopRequest()
    sequence = PoseSequence.load_npz(BIRD_DOG)
    result = analyze_landmarks(
        sequence,
        load_spec("bird_dog"),
        progress=lambda done, total: stop.request() if done == 50 else None,
        stop=stop,
    )
    assert result.session.source.frames == 50
    assert result.session.source.ended_early


# ------------------------------------------------------ the command line
def _run_and_signal(
    clip: Path, out: Path, mark: Path, *signals: int
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FORMCHECK_TEST_MARK": str(mark),
        "FORMCHECK_TEST_POSE_DELAY_S": "0.02",
    }
    args = ["analyze", str(clip), "-e", "bird_dog", "--out", str(out), "--jobs", "1"]
    with subprocess.Popen(
        [sys.executable, "-m", "tests.replay_cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        deadline = time.monotonic() + 120
        while not mark.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                stdout, stderr = proc.communicate()
                pytest.fail(f"the analysis did not start: {stderr}")
            time.sleep(0.05)
        for signum in signals:
            proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.mark.parametrize(
    ("signum", "how", "status"),
    [(signal.SIGINT, "Ctrl-C", 130), (signal.SIGTERM, "SIGTERM", 143)],
)
def test_cli_stopped_by_a_signal_saves_the_part_analysed(
    clip: Path, tmp_path: Path, signum: int, how: str, status: int
) -> None:
    out = tmp_path / "out"
    proc = _run_and_signal(clip, out, tmp_path / "started", signum)
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"formcheck: error: {clip}: analysis stopped early by {how}")
    assert line.endswith("the results of every frame analysed were saved")
    session = load_session(out / "bird_dog.session.json")
    assert session.source.ended_early
    assert 30 <= session.source.frames < FRAMES
    assert probe_video(out / "bird_dog.annotated.mp4").frame_count == (
        session.source.frames
    )
    assert (out / "bird_dog.reps.csv").is_file()
    assert sorted(p.name for p in out.iterdir()) == [
        "bird_dog.annotated.mp4",
        "bird_dog.reps.csv",
        "bird_dog.session.json",
    ]


def test_cli_second_ctrl_c_stops_at_once_and_leaves_no_half_file(
    clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    proc = _run_and_signal(
        clip, out, tmp_path / "started", signal.SIGINT, signal.SIGINT
    )
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    for path in out.iterdir():  # whatever was written is whole
        assert not path.name.endswith((".tmp", ".lock")), path
        if path.name.endswith(".json"):
            json.loads(path.read_text())


def test_stopped_batch_saves_the_video_in_progress_and_starts_no_other(
    clip: Path, tmp_path: Path
) -> None:
    from formcheck.batch import BatchOptions, Status, collect_videos, run_batch

    for name in ("a.mp4", "b.mp4"):
        (tmp_path / name).write_bytes(clip.read_bytes())
    videos, _ = collect_videos([str(tmp_path / "a.mp4"), str(tmp_path / "b.mp4")])
    out = tmp_path / "out"
    out.mkdir()
    options = BatchOptions(
        spec=load_spec("bird_dog"),
        side=None,
        out=out,
        estimator_factory=functools.partial(
            ReplayPoseEstimator.from_file, str(BIRD_DOG)
        ),
    )
    stop = StopRequest()
    rows = list(
        run_batch(
            videos,
            options,
            jobs=1,
            progress=lambda d, t: stop.request(signal.SIGTERM) if d else None,
            stop=stop,
        )
    )
    (row,) = rows  # the video in progress; the other one was never started
    assert row.status is Status.ENDED_EARLY
    assert "stopped early by SIGTERM" in row.detail
    stem = Path(row.file).stem
    session = load_session(out / f"{stem}.session.json")
    assert session.source.ended_early
    assert 0 < session.source.frames < FRAMES
    assert probe_video(out / f"{stem}.annotated.mp4").frame_count == (
        session.source.frames
    )
    # Whole files only: no temporary file, no lock left behind.
    assert sorted(p.name for p in out.iterdir()) == [
        f"{stem}.annotated.mp4",
        f"{stem}.reps.csv",
        f"{stem}.session.json",
    ]


def test_batch_stopped_before_any_video_started_writes_nothing(
    clip: Path, tmp_path: Path
) -> None:
    from formcheck.batch import BatchOptions, collect_videos, run_batch

    (tmp_path / "a.mp4").write_bytes(clip.read_bytes())
    videos, _ = collect_videos([str(tmp_path / "a.mp4")])
    out = tmp_path / "out"
    out.mkdir()
    options = BatchOptions(spec=load_spec("bird_dog"), side=None, out=out)
    stop = StopRequest()
    stop.request(signal.SIGINT)
    assert list(run_batch(videos, options, jobs=1, stop=stop)) == []
    assert list(out.iterdir()) == []

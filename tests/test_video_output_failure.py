"""An annotated video that cannot be written (a full disk) loses no results."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

import formcheck.analyze
import formcheck.parallel.pose_stream
from formcheck.analyze import AnalysisResult, analyze_video
from formcheck.errors import OutputError
from formcheck.pose import ReplayPoseEstimator
from formcheck.record import load_session
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from formcheck.video_writer import VideoWriter
from tests.parallel_support import BIRD_DOG, blank_video

FRAMES = len(PoseSequence.load_npz(BIRD_DOG))
FULL = "No space left on device"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A blank video as long as the recorded bird-dog landmarks."""
    return blank_video(tmp_path_factory.mktemp("clip") / "bird_dog.mp4", FRAMES)


def _replay() -> ReplayPoseEstimator:
    return ReplayPoseEstimator.from_file(str(BIRD_DOG))


def _in_two_chunks(clip: Path, out: Path) -> AnalysisResult:
    """``clip`` analysed by two worker processes, its annotated video to ``out``."""
    result = analyze_video(
        clip,
        load_spec("bird_dog"),
        out_video=out,
        estimator_factory=functools.partial(
            ReplayPoseEstimator.from_file, str(BIRD_DOG)
        ),
        jobs=2,
        min_chunk_s=3.0,
    )
    assert result.timings.chunks == 2
    return result


@pytest.fixture
def disk_fills_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """The video writer fails at its 100th frame, as on a full disk."""
    real_write = VideoWriter.write

    def write(
        self: VideoWriter, image: np.ndarray, timestamp_ms: float | None = None
    ) -> None:
        if self.frames_written == 100:
            raise OutputError(f"{self.path}: writing video failed ({FULL})")
        real_write(self, image, timestamp_ms)

    monkeypatch.setattr(VideoWriter, "write", write)


@pytest.mark.usefixtures("disk_fills_up")
def test_a_video_that_fails_part_way_is_dropped_and_the_analysis_goes_on(
    clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "clip.annotated.mp4"
    result = analyze_video(
        clip, load_spec("bird_dog"), out_video=out, estimator_factory=_replay
    )
    assert result.video_problem == f"{out}: writing video failed ({FULL})"
    assert result.video_path is None
    assert result.session.source.frames == FRAMES  # every frame was checked
    assert not result.session.source.ended_early
    assert result.session.summary.reps == 2
    assert any(FULL in w for w in result.session.warnings)
    assert list(tmp_path.iterdir()) == []  # no half video, no temporary file


def test_a_parallel_video_that_cannot_be_joined_keeps_the_results(
    clip: Path, tmp_path: Path
) -> None:
    # A name too long for the file system: the segments are drawn, the join fails.
    out = tmp_path / ("x" * 300 + ".mp4")
    result = _in_two_chunks(clip, out)
    assert result.timings.chunks == 2
    assert result.video_problem is not None
    assert result.video_problem.startswith(f"{out}: cannot join the video segments")
    assert "File name too long" in result.video_problem
    assert result.video_path is None
    assert result.session.source.frames == FRAMES
    assert result.session.summary.reps == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("disk_fills_up")
def test_cli_says_the_video_failed_and_saves_the_record(
    clip: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from formcheck.cli import main

    for module in (formcheck.analyze, formcheck.parallel.pose_stream):
        monkeypatch.setattr(module, "create_estimator", lambda **_: _replay())
    out = tmp_path / "out"
    code = main(
        ["analyze", str(clip), "-e", "bird_dog", "--jobs", "1", "--out", str(out), "-q"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines() == [
        f"formcheck: error: {out / 'bird_dog.annotated.mp4'}: writing video failed "
        f"({FULL}); the session record and tables were saved"
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "bird_dog.reps.csv",
        "bird_dog.session.json",
    ]
    assert load_session(out / "bird_dog.session.json").summary.reps == 2


def test_parallel_results_that_cannot_be_kept_for_drawing_cost_only_the_video(
    clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import formcheck.parallel.run

    def full(results: object, path: Path) -> None:
        raise OutputError(f"{path}: cannot keep frame results ({FULL})")

    monkeypatch.setattr(formcheck.parallel.run, "save_results", full)
    out = tmp_path / "clip.annotated.mp4"
    result = _in_two_chunks(clip, out)
    assert result.timings.chunks == 2
    assert result.video_problem is not None and FULL in result.video_problem
    assert result.video_path is None
    assert result.session.source.frames == FRAMES
    assert result.session.summary.reps == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("disk_fills_up")
def test_an_earlier_runs_video_left_in_place_is_mentioned(
    clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "clip.annotated.mp4"
    out.write_bytes(b"an earlier run's video")
    result = analyze_video(
        clip, load_spec("bird_dog"), out_video=out, estimator_factory=_replay
    )
    assert result.video_problem is not None
    assert result.video_problem.endswith(
        "; the annotated video of an earlier run is still there"
    )
    assert out.read_bytes() == b"an earlier run's video"


def test_a_batch_row_names_both_an_early_end_and_a_missing_video() -> None:
    from formcheck.analyze import analyze_landmarks
    from formcheck.batch import Status, _status

    result = analyze_landmarks(PoseSequence.load_npz(BIRD_DOG), load_spec("bird_dog"))
    result.problems = ["video ends early at 9.0 s (file truncated or corrupt?)"]
    result.video_problem = f"out.mp4: writing video failed ({FULL})"
    status, detail = _status(result)
    assert status is Status.ENDED_EARLY
    assert detail == (
        "video ends early at 9.0 s (file truncated or corrupt?); annotated video "
        f"not written: out.mp4: writing video failed ({FULL})"
    )

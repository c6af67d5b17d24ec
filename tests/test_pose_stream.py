"""The pose stream started ahead of the checker: same answers, clean ends.

``formcheck analyze`` starts decoding and estimating before it loads the
checker (:mod:`formcheck.parallel.pose_stream`). These tests use recorded
poses on a blank video, so they need no model; the CLI test at the end uses
the real model on a real clip.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from formcheck.analyze import analyze_video
from formcheck.errors import PoseBackendError
from formcheck.interrupt import StopRequest
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

FRAMES = len(PoseSequence.load_npz(BIRD_DOG))


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A blank video as long as the recorded bird-dog landmarks."""
    return blank_video(tmp_path_factory.mktemp("clip") / "bird_dog.mp4", FRAMES)


class _Watched(SmoothingReplay):
    """A replay that notes the threads it was made and used on, and its closing."""

    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__(str(BIRD_DOG), memory=1)
        self.made_on = threading.current_thread().name
        self.used_on: set[str] = set()
        self.calls = 0
        self.closed = False
        self.stop_after = stop_after
        self.stop = StopRequest()

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        self.used_on.add(threading.current_thread().name)
        self.calls += 1
        if self.stop_after is not None and self.calls == self.stop_after:
            self.stop.request()
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
    stream.wait_ready()
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


def test_a_stopped_run_closes_the_stream_and_its_model(clip: Path) -> None:
    estimator = _Watched(stop_after=40)
    stream = PoseStream(FrameReader(clip), lambda: estimator, keep_images=False)
    result = analyze_video(
        clip, load_spec("bird_dog"), jobs=1, pose_stream=stream, stop=estimator.stop
    )
    assert 0 < result.session.source.frames < FRAMES
    assert result.problems  # marked as ended early
    assert estimator.closed
    alive = {t.name for t in threading.enumerate() if t.is_alive()}
    assert not alive & {"pose", "decode"}  # both threads stopped with the run


def test_a_model_that_cannot_load_is_one_clear_error(clip: Path) -> None:
    stream = PoseStream(FrameReader(clip), broken_estimator, keep_images=False)
    stream.wait_ready()  # does not hang: the failure ends the wait
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


def test_a_bad_video_fails_before_any_model_is_made(tmp_path: Path) -> None:
    from formcheck.errors import VideoError

    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    with pytest.raises(VideoError, match="notes.mp4"):
        start_pose_stream(bad, jobs=1, keep_images=False)

"""End to end with the real MediaPipe model on real clips from ../shared/videos.

Rep counts are the eye counts in ../shared/videos/clips.yaml.
"""

from __future__ import annotations

from pathlib import Path

import av
import pytest
import yaml

from formcheck.analyze import analyze_video
from formcheck.specs import load_spec
from tests.conftest import SHARED_VIDEOS, shared_clip

pytestmark = [pytest.mark.model, pytest.mark.video]


def labelled_reps(name: str) -> int:
    clips = yaml.safe_load((SHARED_VIDEOS / "clips.yaml").read_text())["clips"]
    return next(c["reps_total"] for c in clips if c["file"] == name)


@pytest.mark.parametrize(
    ("clip", "exercise"),
    [
        ("kevinab633+curvelog__public__glute-bridge.mp4", "glute_bridge"),
        ("malikmrllh+exercises__buttbridge.mp4", "glute_bridge"),
        ("HonzaCzSk+polybag__videos__bird_dog.mp4", "bird_dog"),
    ],
)
def test_real_clip_rep_count_matches_label(clip: str, exercise: str) -> None:
    path = shared_clip(clip)
    result = analyze_video(path, load_spec(exercise), out_video=None)
    assert result.session.summary.reps == labelled_reps(clip)


def test_bird_dog_real_clip_per_side_and_annotated_video(tmp_path: Path) -> None:
    path = shared_clip("HonzaCzSk+polybag__videos__bird_dog.mp4")
    out = tmp_path / "annotated.mp4"
    result = analyze_video(
        path, load_spec("bird_dog"), out_video=out, save_landmarks=True
    )
    per_side = {p.side: p.reps for p in result.session.summary.per_side}
    assert per_side == {None: 2, "left": 1, "right": 1}
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == result.session.source.frames
    assert result.landmarks is not None
    assert len(result.landmarks) == frames

"""End to end: rendered clips through the real MediaPipe model and the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.analyze import analyze_video
from formcheck.specs import load_spec
from formcheck.synth.clip import ClipSpec, render_clip

pytestmark = pytest.mark.model


def _short(exercise: str, **kw: object) -> ClipSpec:
    base: dict[str, object] = {
        "exercise": exercise,
        "lead_in": "short",
        "tempo": 0.7,
        "hold_s": 1.2,
        "fps": 15.0,
        "resolution_wh": (480, 360),
        "seed": 4,
    }
    return ClipSpec(**{**base, **kw})  # type: ignore[arg-type]


def test_glute_bridge_clip_counts_the_true_reps(tmp_path: Path) -> None:
    clip = render_clip(_short("glute_bridge", n_reps=3), tmp_path)
    assert clip.video_path is not None
    assert clip.meta["duration_s"] < 16.0
    result = analyze_video(clip.video_path, load_spec("glute_bridge"))
    assert result.session.source.frames_with_person >= 0.95 * clip.frames
    assert result.session.summary.reps == clip.meta["summary"]["reps"] == 3


def test_bird_dog_clip_counts_the_true_reps_per_side(tmp_path: Path) -> None:
    clip = render_clip(_short("bird_dog", n_reps=2, seed=6), tmp_path)
    assert clip.video_path is not None
    result = analyze_video(clip.video_path, load_spec("bird_dog"))
    summary = result.session.summary
    truth = clip.meta["summary"]
    assert summary.reps == truth["reps"] == 4
    per_side = {s.side: s.reps for s in summary.per_side if s.side is not None}
    assert per_side == truth["per_side"] == {"left": 2, "right": 2}


def test_seated_twist_clip_counts_the_true_turns_per_side(tmp_path: Path) -> None:
    """Front view: one side, stand up, the chair turned round, the other side.

    The second turn on each side is shallow (12 deg, hands on the thighs) and
    must not count.
    """
    clip = render_clip(
        _short(
            "seated_torso_twist",
            n_reps=2,
            faults=("shallow",),
            resolution_wh=(640, 480),
            fps=10.0,
            seed=5,
            side="left",
        ),
        tmp_path,
    )
    assert clip.video_path is not None
    result = analyze_video(clip.video_path, load_spec("seated_torso_twist"))
    summary = result.session.summary
    truth = clip.meta["summary"]
    assert summary.reps == truth["reps"] == 2
    per_side = {s.side: s.reps for s in summary.per_side if s.side is not None}
    assert per_side == truth["per_side"] == {"left": 1, "right": 1}
    assert truth["attempts_not_counted"] == 2

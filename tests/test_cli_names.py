"""Odd and hostile file names through ``formcheck analyze``, end to end.

Spaces, accents and emoji, a leading dash, markup and HTML, and names too
long to add an ending to: every output is written under the name the user
expects (a long one cut, with a short hash), printed literally, and complete.
The video runs use the recorded bird-dog poses instead of the model
(:mod:`tests.replay_cli`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from formcheck.analyze import output_stem
from formcheck.record import load_session
from formcheck.types import PoseSequence
from formcheck.video import probe_video
from tests.parallel_support import BIRD_DOG, blank_video
from tests.replay_cli import run_replay_cli

REPO = Path(__file__).resolve().parents[1]
FRAMES = len(PoseSequence.load_npz(BIRD_DOG))
NAMES = [
    "my clip (copy 2).mp4",
    "Übung ñ 😀 日本.mp4",
    "-rf clip.mp4",
    "<script>alert(1)<script> [red]x[-].mp4",
    "é" * 120 + ".mp4",  # 244 bytes: no ending fits after it
]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return blank_video(tmp_path_factory.mktemp("clip") / "clip.mp4", FRAMES)


def replay_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_replay_cli(*args, cwd=cwd)


@pytest.mark.parametrize("name", NAMES)
def test_video_with_an_odd_name_gets_its_outputs_under_that_name(
    clip: Path, tmp_path: Path, name: str
) -> None:
    video = tmp_path / name
    shutil.copyfile(clip, video)
    out = tmp_path / "out put"
    # "--" ends the options, so a name starting with a dash is a file name.
    proc = replay_cli(
        "analyze",
        "-e",
        "bird_dog",
        "--out",
        str(out),
        "--jobs",
        "1",
        "--",
        name,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    stem = output_stem(Path(name).stem)
    if len(name.encode()) > 200:
        assert stem != Path(name).stem and len(stem.encode()) <= 200
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        f"{stem}.annotated.mp4",
        f"{stem}.reps.csv",
        f"{stem}.session.json",
    ]
    session = load_session(out / f"{stem}.session.json")
    assert session.source.name == name
    assert session.summary.reps == 2
    assert probe_video(out / f"{stem}.annotated.mp4").frame_count == FRAMES
    for path in files:  # printed as it is, markup and all
        assert str(out / path) in proc.stdout


def test_landmarks_with_an_odd_name_and_saved_landmarks(tmp_path: Path) -> None:
    name = "-<b>Jane<b> [red] ñ.npz"
    shutil.copyfile(BIRD_DOG, tmp_path / name)
    proc = replay_cli(
        "analyze",
        f"--landmarks={name}",
        "--save-landmarks",
        "-e",
        "bird_dog",
        "--out",
        "o",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "-<b>Jane<b> [red] ñ.landmarks.npz",
        "-<b>Jane<b> [red] ñ.reps.csv",
        "-<b>Jane<b> [red] ñ.session.json",
    ]
    assert "Repetitions: 2" in proc.stdout


@pytest.mark.parametrize("name", ["gone <i>x<i>.mp4", "-missing [/].mp4"])
def test_missing_video_with_an_odd_name_is_one_literal_line(
    tmp_path: Path, name: str
) -> None:
    proc = replay_cli("analyze", "-e", "bird_dog", "--", name, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"formcheck: error: {name}: no such file"]

"""A bad input prints exactly one line: formcheck's, not the native libraries'.

MediaPipe (TFLite, absl), FFmpeg and OpenCV write to standard error on their
own; ``formcheck._quiet`` silences them at the source while real errors stay
visible. The command line runs in a subprocess so that the native output
(which bypasses Python) is captured too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from formcheck._quiet import native_stderr_filtered
from tests.conftest import DATA, REPO

BRIDGE_CLIP = REPO / "sample_videos" / "glute_bridge_side.mp4"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENCV_LOG_LEVEL", "OPENCV_FFMPEG_LOGLEVEL", "GLOG_minloglevel")
    }
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def the_one_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("formcheck: error: "), proc.stderr
    assert "internal error" not in lines[0]
    return lines[0]


def test_text_file_named_mp4_prints_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.mp4"
    notes.write_text("these are my exercise notes\n" * 20)
    proc = cli("analyze", str(notes), "-e", "glute_bridge", "--out", str(tmp_path))
    assert proc.returncode == 1
    assert the_one_line(proc).startswith(f"formcheck: error: {notes}: cannot be opened")


def test_zero_resolution_landmark_file_prints_one_line(tmp_path: Path) -> None:
    with np.load(DATA / "polybag_bird_dog.landmarks.npz") as data:
        arrays = dict(data)
    arrays["resolution_wh"] = np.array([0, 0], dtype=np.int32)
    path = tmp_path / "zero.landmarks.npz"
    np.savez_compressed(path, **arrays)
    proc = cli(
        "analyze", "--landmarks", str(path), "-e", "bird_dog", "--out", str(tmp_path)
    )
    assert proc.returncode == 1
    line = the_one_line(proc)
    assert line.startswith(f"formcheck: error: {path}: cannot read landmark file")
    assert "resolution_wh" in line and "(0, 0)" in line


def test_deeply_nested_spec_prints_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "deep.yaml"
    spec.write_text("id: deep\nsignals: " + "[" * 50_000 + "]" * 50_000 + "\n")
    proc = cli("spec", "validate", str(spec))
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == (
        f"formcheck: error: {spec}: lists or mappings are nested too deeply to be "
        "a spec (a spec needs only a few levels)"
    )


@pytest.mark.model
def test_truncated_video_with_a_person_prints_one_line(tmp_path: Path) -> None:
    # The model runs on the frames before the break: TFLite, absl, FFmpeg
    # and OpenCV all have something to say about this file.
    video = tmp_path / "cut.mp4"
    data = BRIDGE_CLIP.read_bytes()
    video.write_bytes(data[: len(data) // 3])
    proc = cli(
        "analyze", str(video), "-e", "glute_bridge", "--out", str(tmp_path / "o")
    )
    assert proc.returncode == 3, proc.stderr
    line = the_one_line(proc)
    assert line.startswith(f"formcheck: error: {video}: video ends early at ")
    assert line.endswith("the results of every frame analysed were saved")


def test_native_noise_is_dropped_and_errors_are_kept(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with native_stderr_filtered():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(
            2,
            b"WARNING: All log messages before absl::InitializeLog() is called"
            b" are written to STDERR\n",
        )
        os.write(
            2,
            b"W0000 00:00:1795977868.732160   19780 inference_feedback_manager"
            b".cc:114] Feedback manager requires a model with a single signature\n",
        )
        os.write(2, b"E0000 00:00:1795977868.9  19780 graph.cc:12] real failure\n")
        print("formcheck's own line", file=sys.stderr)
    err = capfd.readouterr().err
    # (pytest's sys.stderr bypasses descriptor 2, so the order may differ.)
    assert sorted(err.splitlines()) == [
        "E0000 00:00:1795977868.9  19780 graph.cc:12] real failure",
        "formcheck's own line",
    ]

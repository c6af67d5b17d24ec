"""The command line: outputs, and one clear line (no traceback) for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from formcheck.types import PoseSequence
from formcheck.video import VideoWriter
from tests.synthetic import bridge_angles, bridge_points, frames_from


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def assert_one_clear_error(
    proc: subprocess.CompletedProcess[str], *fragments: str
) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr
    assert "Traceback" not in proc.stdout
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr


@pytest.fixture
def bridge_landmarks(tmp_path: Path) -> Path:
    frames = frames_from([bridge_points(a) for a in bridge_angles([178, 176])], 30.0)
    path = tmp_path / "bridge.landmarks.npz"
    PoseSequence.from_frames(frames, 30.0, source="bridge.mp4").save_npz(path)
    return path


def test_exercises_lists_specs_with_view() -> None:
    proc = cli("exercises")
    assert proc.returncode == 0
    assert "glute_bridge" in proc.stdout
    assert "bird_dog" in proc.stdout
    assert "side" in proc.stdout


def test_spec_validate_ok_and_bad(tmp_path: Path) -> None:
    assert cli("spec", "validate").returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nkind: reps\n")
    proc = cli("spec", "validate", str(bad))
    assert_one_clear_error(proc, str(bad))


def test_spec_schema_prints_json() -> None:
    proc = cli("spec", "schema")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["title"] == "formcheck exercise spec"


def test_analyze_landmarks_writes_session_and_csv(
    tmp_path: Path, bridge_landmarks: Path
) -> None:
    out = tmp_path / "out"
    proc = cli(
        "analyze",
        "--landmarks",
        str(bridge_landmarks),
        "-e",
        "glute_bridge",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert "Repetitions: 2" in proc.stdout
    session = json.loads((out / "bridge.landmarks.session.json").read_text())
    assert session["summary"]["reps"] == 2
    assert (out / "bridge.landmarks.reps.csv").read_text().count("\n") == 3


def test_unknown_exercise(bridge_landmarks: Path, tmp_path: Path) -> None:
    proc = cli(
        "analyze",
        "--landmarks",
        str(bridge_landmarks),
        "-e",
        "squat",
        "--out",
        str(tmp_path),
    )
    assert_one_clear_error(proc, "unknown exercise 'squat'")


def test_missing_video(tmp_path: Path) -> None:
    proc = cli(
        "analyze",
        str(tmp_path / "nope.mp4"),
        "-e",
        "glute_bridge",
        "--out",
        str(tmp_path),
    )
    assert_one_clear_error(proc, "nope.mp4", "no such file")


def test_non_video_file(tmp_path: Path) -> None:
    notes = tmp_path / "notes.mp4"
    notes.write_text("these are my exercise notes\n" * 20)
    proc = cli(
        "analyze", str(notes), "-e", "glute_bridge", "--out", str(tmp_path / "o")
    )
    assert_one_clear_error(proc, "notes.mp4")


def test_zero_byte_video(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    proc = cli(
        "analyze", str(empty), "-e", "glute_bridge", "--out", str(tmp_path / "o")
    )
    assert_one_clear_error(proc, "empty.mp4", "no frames")


def test_unwritable_output_folder(tmp_path: Path, bridge_landmarks: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    proc = cli(
        "analyze",
        "--landmarks",
        str(bridge_landmarks),
        "-e",
        "glute_bridge",
        "--out",
        str(blocker / "out"),
    )
    assert_one_clear_error(proc, str(blocker / "out"), "cannot be written")


def test_corrupt_landmark_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    proc = cli(
        "analyze",
        "--landmarks",
        str(bad),
        "-e",
        "glute_bridge",
        "--out",
        str(tmp_path / "o"),
    )
    assert_one_clear_error(proc, "bad.npz")


def test_a_second_run_on_the_same_outputs_is_refused(
    tmp_path: Path, bridge_landmarks: Path
) -> None:
    from formcheck.analyze import output_lock

    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "bridge.landmarks.session.json"
    earlier.write_text("the first run's record")
    with output_lock(out, "bridge.landmarks"):
        proc = cli(
            "analyze",
            "--landmarks",
            str(bridge_landmarks),
            "-e",
            "glute_bridge",
            "--out",
            str(out),
        )
    assert proc.returncode == 1
    assert_one_clear_error(
        proc, str(out / "bridge.landmarks"), "another formcheck run is writing"
    )
    assert earlier.read_text() == "the first run's record"
    assert sorted(p.name for p in out.iterdir()) == [earlier.name]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("fps", np.array(np.nan), "`fps` must be a finite number"),
        ("timestamps_ms", np.array([0.0, np.inf]), "`timestamps_ms` must be finite"),
    ],
)
def test_landmarks_with_nan_times_are_one_clear_line(
    tmp_path: Path, bridge_landmarks: Path, field: str, value: np.ndarray, message: str
) -> None:
    # A record made from them could be written but never read back (JSON has
    # no NaN), so they are refused where they come in.
    with np.load(bridge_landmarks) as data:
        arrays = dict(data)
    if field == "timestamps_ms":
        value = np.resize(value, arrays["timestamps_ms"].shape)
        value[0] = 0.0
    arrays[field] = value
    bad = tmp_path / "nan times.npz"
    np.savez(bad, **arrays)
    out = tmp_path / "o"
    proc = cli(
        "analyze", "--landmarks", str(bad), "-e", "glute_bridge", "--out", str(out)
    )
    assert_one_clear_error(proc, "nan times.npz", message)
    assert not out.exists() or list(out.iterdir()) == []


def test_two_people_is_reported(tmp_path: Path) -> None:
    frames = frames_from(
        [bridge_points(a) for a in bridge_angles([178])], 30.0, num_people=2
    )
    path = tmp_path / "two.landmarks.npz"
    PoseSequence.from_frames(frames, 30.0).save_npz(path)
    proc = cli(
        "analyze",
        "--landmarks",
        str(path),
        "-e",
        "glute_bridge",
        "--out",
        str(tmp_path / "o"),
    )
    assert proc.returncode == 3
    assert_one_clear_error(
        proc, "more than one person is in view in 100% of the frames"
    )


def noise_video(path: Path, frames: int, size_wh=(160, 120)) -> Path:
    rng = np.random.default_rng(1)
    with VideoWriter(path, fps=15.0) as writer:
        for i in range(frames):
            writer.write(
                rng.integers(0, 255, (size_wh[1], size_wh[0], 3), dtype=np.uint8),
                i * 1000 / 15,
            )
    return path


@pytest.mark.model
def test_nobody_in_any_frame(tmp_path: Path) -> None:
    video = noise_video(tmp_path / "empty_room.mp4", 20)
    proc = cli(
        "analyze", str(video), "-e", "glute_bridge", "--out", str(tmp_path / "o"), "-q"
    )
    assert proc.returncode == 3
    assert_one_clear_error(proc, "empty_room.mp4", "nobody was found in any frame")
    assert (tmp_path / "o" / "empty_room.session.json").is_file()


@pytest.mark.model
def test_truncated_video_keeps_results_up_to_the_break(tmp_path: Path) -> None:
    video = noise_video(tmp_path / "cut.mp4", 60)
    data = video.read_bytes()
    video.write_bytes(data[: len(data) // 2])
    proc = cli(
        "analyze", str(video), "-e", "glute_bridge", "--out", str(tmp_path / "o"), "-q"
    )
    assert proc.returncode == 3
    assert_one_clear_error(
        proc, "cut.mp4", "ends early", "the results of every frame analysed were saved"
    )
    session = json.loads((tmp_path / "o" / "cut.session.json").read_text())
    assert 0 < session["source"]["frames"] < 60
    assert session["source"]["ended_early"] is True


@pytest.mark.model
def test_demo_analyses_the_bundled_bridge(tmp_path: Path) -> None:
    proc = cli("demo", "--out", str(tmp_path / "demo"))
    assert proc.returncode == 0, proc.stderr
    assert "Repetitions: 4" in proc.stdout
    assert (tmp_path / "demo" / "glute_bridge_side.annotated.mp4").is_file()


def test_demo_unknown_exercise_is_one_clear_line(tmp_path: Path) -> None:
    proc = cli("demo", "--exercise", "squat", "--out", str(tmp_path))
    assert_one_clear_error(proc, "unknown exercise 'squat'")


def test_render_help_lists_exercises() -> None:
    proc = cli("render", "--help")
    assert proc.returncode == 0
    assert "--exercise" in proc.stdout
    assert "--fault" in proc.stdout


def test_output_folder_that_is_a_file_or_a_dangling_link(
    tmp_path: Path, bridge_landmarks: Path
) -> None:
    afile = tmp_path / "a_file"
    afile.write_text("x")
    dangling = tmp_path / "gone"
    dangling.symlink_to(tmp_path / "deleted")
    for out, problem in (
        (afile, "is a file, not a folder; give --out a folder"),
        (dangling, "output folder is a link to nothing"),
    ):
        proc = cli(
            "analyze", "--landmarks", str(bridge_landmarks), "-e", "glute_bridge",
            "--out", str(out),
        )  # fmt: skip
        assert_one_clear_error(proc, str(out), problem)
    assert afile.read_text() == "x"

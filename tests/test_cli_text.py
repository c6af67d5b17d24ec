"""The command line prints user text literally and never cuts an exercise id."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from formcheck import cli
from formcheck.cli import library as cli_library
from formcheck.specs import builtin_spec_dir, load_all
from formcheck.types import PoseSequence
from tests.conftest import DATA
from tests.synthetic import bridge_angles, bridge_points, frames_from

IDS = sorted(load_all())


def run_cli(
    *args: str, cwd: Path | None = None, columns: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


@pytest.fixture
def bridge_landmarks(tmp_path: Path) -> Path:
    frames = frames_from([bridge_points(a) for a in bridge_angles([178, 176])], 30.0)
    path = tmp_path / "bridge.landmarks.npz"
    PoseSequence.from_frames(frames, 30.0, source="bridge.mp4").save_npz(path)
    return path


# ------------------------------------------------------------- user text


@pytest.mark.parametrize("name", ["x[/]y.mp4", "[red]clip.mp4", "[bold]a[/bold].mp4"])
def test_video_name_with_brackets_is_one_literal_error_line(
    tmp_path: Path, name: str
) -> None:
    proc = run_cli("analyze", name, "-e", "glute_bridge", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"formcheck: error: {name}: no such file"]


def test_output_folder_with_brackets_works_and_is_shown_as_typed(
    tmp_path: Path, bridge_landmarks: Path
) -> None:
    out = tmp_path / "out[/]dir [red]x"
    proc = run_cli(
        "analyze", "--landmarks", str(bridge_landmarks), "-e", "glute_bridge",
        "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    session = out / "bridge.landmarks.session.json"
    assert session.is_file()
    assert f"session: {session}" in proc.stdout
    assert "Repetitions: 2" in proc.stdout


def test_spec_text_with_markup_and_emoji_codes_is_printed_as_written(
    tmp_path: Path, bridge_landmarks: Path
) -> None:
    text = (builtin_spec_dir() / "glute_bridge.yaml").read_text(encoding="utf-8")
    name = "Bridge [/] [red]hips[/red] :smile:"
    custom = tmp_path / "glute_bridge.yaml"
    custom.write_text(
        text.replace("name: Glute bridge", f"name: '{name}'"), encoding="utf-8"
    )
    proc = run_cli(
        "analyze", "--landmarks", str(bridge_landmarks), "-e", str(custom),
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"{name}: repetitions" in proc.stdout


def test_an_escape_sequence_in_a_spec_name_never_reaches_the_terminal(
    tmp_path: Path, bridge_landmarks: Path
) -> None:
    text = (builtin_spec_dir() / "glute_bridge.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "glute_bridge.yaml"
    # YAML's "\e" is ESC: "ESC [2J" would clear the screen.
    custom.write_text(
        text.replace("name: Glute bridge", 'name: "Bridge\\e[2J"'), encoding="utf-8"
    )
    proc = run_cli(
        "analyze", "--landmarks", str(bridge_landmarks), "-e", str(custom),
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr
    assert "Bridge\\x1b[2J: repetitions" in proc.stdout


def test_per_side_summary_is_printed_whole(tmp_path: Path) -> None:
    landmarks = DATA / "polybag_bird_dog.landmarks.npz"
    proc = run_cli(
        "analyze", "--landmarks", str(landmarks), "-e", "bird_dog",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "[left: 1 (1 correct)  right: 1 (1 correct)]" in proc.stdout


# -------------------------------------------------------- exercise ids


def test_exercises_piped_at_80_columns_shows_every_id_whole() -> None:
    proc = run_cli("exercises", columns=80)
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    first_words = {line.split()[0] for line in proc.stdout.splitlines() if line}
    assert set(IDS) <= first_words


@pytest.mark.parametrize("width", [20, 40, 80, 99, 100, 160])
def test_exercises_in_a_terminal_shows_every_id_whole(
    monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    out = io.StringIO()
    terminal = Console(
        file=out, width=width, force_terminal=True, color_system=None, emoji=False
    )
    monkeypatch.setattr(cli_library, "console", terminal)
    assert cli.main(["exercises"]) == 0
    text = out.getvalue()
    assert "…" not in text
    words = set(text.replace("│", " ").replace("┃", " ").split())
    missing = [i for i in IDS if i not in words]
    assert not missing, text
    # Descriptions are there too (wrapped, not cut): bird dog's ends so.
    assert {"alternate", "sides."} <= words


def test_an_error_about_a_name_with_control_characters_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from formcheck.cli._console import error

    error("clip\x0bone\u2028two.mp4: no such file")
    assert capsys.readouterr().err.splitlines() == [
        "formcheck: error: clip\\x0bone\\u2028two.mp4: no such file"
    ]

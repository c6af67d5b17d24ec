"""``formcheck render`` options a user may mistype: argparse's usage line or one line.

Each of these used to end in "internal error: ValueError / FileExistsError /
MemoryError", and ``--name ../../x`` wrote the clip outside ``--out``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.cli import main

#: A clip that renders in about a second.
QUICK = (
    "--exercise", "clamshell", "--view", "front", "--reps", "1", "--fps", "4",
    "--size", "96x72", "--lead-in", "short", "--no-video",
)  # fmt: skip


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The last stderr line of a render refused by argparse (exit status 2)."""
    with pytest.raises(SystemExit) as exc:
        main(["render", "--exercise", "glute_bridge", *args])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    assert err.startswith("usage: formcheck render ")
    return err.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fps", "0"), "argument --fps: must be from 1 to 60, got '0'"),
        (("--fps", "-5"), "argument --fps: must be from 1 to 60, got '-5'"),
        (("--fps", "nan"), "argument --fps: must be from 1 to 60, got 'nan'"),
        (("--reps", "0"), "argument --reps: must be from 1 to 50, got '0'"),
        (("--reps", "2.5"), "argument --reps: expected a whole number, got '2.5'"),
        (("--hold", "-1"), "argument --hold: must be from 0 to 300, got '-1'"),
        (("--tempo", "0"), "argument --tempo: must be from 0.3 to 4, got '0'"),
        (("--fov", "0"), "argument --fov: must be from 10 to 150, got '0'"),
        (("--seed", "-1"), "argument --seed: must be from 0 to 2147483647, got '-1'"),
        (("--crf", "-5"), "argument --crf: must be from 0 to 51, got '-5'"),
        (
            ("--camera-height", "nan"),
            "argument --camera-height: must be from 0.05 to 5, got 'nan'",
        ),
        (
            ("--camera-distance", "0"),
            "argument --camera-distance: must be from 0.2 to 20, got '0'",
        ),
        (
            ("--oblique-deg", "inf"),
            "argument --oblique-deg: must be from -180 to 180, got 'inf'",
        ),
        (
            ("--size", "100000x100000"),
            "argument --size: size must be at most 3840 pixels a side and "
            "3840x2160 pixels in all (4K), got '100000x100000'",
        ),
        (
            ("--size", "3840x3840"),
            "argument --size: size must be at most 3840 pixels a side and "
            "3840x2160 pixels in all (4K), got '3840x3840'",
        ),
        (
            ("--name", "../../escape"),
            "argument --name: must be a plain file name, without '/', '\\' or "
            "'..', got '../../escape'",
        ),
        (
            ("--name", "sub/clip"),
            "argument --name: must be a plain file name, without '/', '\\' or "
            "'..', got 'sub/clip'",
        ),
        (
            ("--name", "."),
            "argument --name: must be a visible file name (not empty, not "
            "starting with '.'), got '.'",
        ),
        (
            ("--name", ""),
            "argument --name: must be a visible file name (not empty, not "
            "starting with '.'), got ''",
        ),
    ],
)
def test_bad_render_options_get_the_usage_line(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert usage_error(capsys, *args) == f"formcheck render: error: {message}"


def test_name_with_dot_dot_writes_nothing_outside_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a" / "b"
    usage_error(capsys, "--name", "../../escape", "--out", str(out), "--no-video")
    assert not list(tmp_path.rglob("*escape*"))
    assert not out.exists()


def test_out_naming_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "clips"
    taken.write_text("not a folder")
    status = main(["render", *QUICK, "--out", str(taken)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.splitlines() == [
        f"formcheck: error: {taken}: is a file, not a folder; give --out a folder"
    ]
    assert taken.read_text() == "not a folder"


def test_impossible_view_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["render", "--exercise", "clamshell", "--view", "side", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert status == 1
    assert "internal error" not in err
    assert err.splitlines()[-1].startswith("formcheck: error: no side view")


def test_plain_name_and_limits_still_render(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["render", *QUICK, "--name", "my clip.v2", "--out", str(tmp_path)])
    assert status == 0, capsys.readouterr().err
    assert (tmp_path / "my clip.v2.truth.json").is_file()

"""``analyze --landmarks``: a damaged or absurd landmark file is one clear line.

Each file is refused when it is loaded, naming the file and the problem,
before any analysis starts (no traceback, no "internal error", no outputs),
and without allocating memory for frames the file does not hold.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formcheck.record.landmarks import MAX_FRAMES
from formcheck.types import MAX_OTHER_PEOPLE, PoseSequence
from tests.synthetic import bridge_angles, bridge_points, frames_from

Arrays = dict[str, np.ndarray]


def analyze(
    landmarks: Path, out: Path, preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", "analyze", "--landmarks"]
        + [str(landmarks), "-e", "glute_bridge", "--out", str(out), "--no-video"],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=preexec_fn,
    )


def the_one_line(proc: subprocess.CompletedProcess[str], path: Path, out: Path) -> str:
    """The single error line (after the file's name); nothing was written."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "internal error" not in lines[0]
    prefix = f"formcheck: error: {path}: "
    assert lines[0].startswith(prefix), lines[0]
    assert not out.exists() or list(out.iterdir()) == []
    return lines[0][len(prefix) :]


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Arrays:
    """The arrays of a valid landmark file (315 frames, two glute bridges)."""
    frames = frames_from([bridge_points(a) for a in bridge_angles([178, 176])], 30.0)
    path = tmp_path_factory.mktemp("bridge") / "bridge.landmarks.npz"
    PoseSequence.from_frames(frames, 30.0, source="bridge.mp4").save_npz(path)
    with np.load(path) as data:
        return dict(data)


def changed(arrays: Arrays, **changes: Any) -> Arrays:
    return {**arrays, **changes}


def with_times(arrays: Arrays, times: np.ndarray) -> Arrays:
    return changed(arrays, timestamps_ms=times)


def repeated_time(arrays: Arrays) -> Arrays:
    times = arrays["timestamps_ms"].copy()
    times[5] = times[4]
    return with_times(arrays, times)


CASES: list[tuple[str, Callable[[Arrays], Arrays], tuple[str, ...]]] = [
    (
        "resolution_of_one_number",
        lambda a: changed(a, resolution_wh=np.array([640], np.int32)),
        ("`resolution_wh` must have shape (2,), but got shape (1,)",),
    ),
    (
        "resolution_a_scalar",
        lambda a: changed(a, resolution_wh=np.array(640, np.int32)),
        ("`resolution_wh` must have shape (2,), but got shape ()",),
    ),
    (
        "xy_a_scalar",
        lambda a: changed(a, xy=np.array(1.0, np.float32)),
        ("`xy` must have shape (frames, 33, 2), but got shape ()",),
    ),
    (
        "xy_of_rank_2",
        lambda a: changed(a, xy=a["xy"][:, :, 0]),
        ("`xy` must have shape (frames, 33, 2), but got shape (315, 33)",),
    ),
    (
        "xy_of_rank_4",
        lambda a: changed(a, xy=a["xy"][..., None]),
        ("`xy` must have shape (frames, 33, 2), but got shape (315, 33, 2, 1)",),
    ),
    (
        "fps_an_array",
        lambda a: changed(a, fps=np.array([30.0, 25.0])),
        ("`fps` must be one number, but got shape (2,)",),
    ),
    (
        "fps_text",
        lambda a: changed(a, fps=np.array("thirty")),
        ("`fps` must hold numbers",),
    ),
    (
        "fps_absurd",
        lambda a: changed(a, fps=np.array(1e300)),
        ("`fps` must be a finite number above 0 and at most", "but got 1e+300"),
    ),
    (
        "fps_zero",
        lambda a: changed(a, fps=np.array(0.0)),
        ("`fps` must be a finite number above 0 and at most", "but got 0.0"),
    ),
    (
        "fps_negative",
        lambda a: changed(a, fps=np.array(-30.0)),
        ("`fps` must be a finite number above 0 and at most", "but got -30.0"),
    ),
    (
        "fps_nan",
        lambda a: changed(a, fps=np.array(np.nan)),
        ("`fps` must be a finite number above 0 and at most", "but got nan"),
    ),
    (
        "resolution_absurd",
        lambda a: changed(a, resolution_wh=np.array([2147483647, 480], np.int32)),
        (
            "`resolution_wh` must be whole numbers of pixels from 1 to",
            "but got (2147483647, 480)",
        ),
    ),
    (
        "resolution_zero",
        lambda a: changed(a, resolution_wh=np.array([640, 0], np.int32)),
        (
            "`resolution_wh` must be whole numbers of pixels from 1 to",
            "but got (640, 0)",
        ),
    ),
    (
        "timestamps_backwards",
        lambda a: with_times(a, a["timestamps_ms"][::-1].copy()),
        (
            "`timestamps_ms` must increase from frame to frame, but frame 1 is at "
            "10433.3333333 ms and frame 0 at 10466.6666667 ms",
        ),
    ),
    (
        "timestamps_repeated",
        repeated_time,
        (
            "`timestamps_ms` must increase from frame to frame, but frame 5 is at "
            "133.333333333 ms and frame 4 at 133.333333333 ms",
        ),
    ),
    (
        "visibility_of_fewer_frames",
        lambda a: changed(a, visibility=a["visibility"][:-1]),
        ("`visibility` must have shape (315, 33), but got shape (314, 33)",),
    ),
    (
        "timestamps_of_more_frames",
        lambda a: with_times(a, np.arange(400, dtype=np.float64)),
        ("`timestamps_ms` must have shape (315,), but got shape (400,)",),
    ),
    (
        "source_missing",
        lambda a: {k: v for k, v in a.items() if k != "source"},
        ("`source` is missing",),
    ),
]


@pytest.mark.parametrize(
    ("damage", "fragments"),
    [pytest.param(damage, fragments, id=name) for name, damage, fragments in CASES],
)
def test_a_damaged_landmark_file_is_one_clear_line(
    tmp_path: Path,
    bridge: Arrays,
    damage: Callable[[Arrays], Arrays],
    fragments: tuple[str, ...],
) -> None:
    path = tmp_path / "odd landmarks.npz"
    np.savez(path, **damage(bridge))
    out = tmp_path / "out"
    problem = the_one_line(analyze(path, out), path, out)
    assert problem.startswith("cannot read landmark file (")
    for fragment in fragments:
        assert fragment in problem


def test_a_plain_npy_file_is_one_clear_line(tmp_path: Path, bridge: Arrays) -> None:
    path = tmp_path / "poses.npy"
    np.save(path, bridge["xy"])
    out = tmp_path / "out"
    problem = the_one_line(analyze(path, out), path, out)
    assert problem == (
        "a single NumPy array (.npy), not a formcheck landmark file "
        "(an .npz archive, as --save-landmarks writes)"
    )


def npy_header(shape: tuple[int, ...], dtype: np.dtype[Any]) -> bytes:
    buffer = io.BytesIO()
    header = {
        "descr": np.lib.format.dtype_to_descr(dtype),
        "fortran_order": False,
        "shape": shape,
    }
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def write_declared(path: Path, arrays: Arrays, zeros: dict[str, int]) -> None:
    """Write ``arrays``, but ``zeros[name]`` frames of zeros for the arrays named.

    The zeros are streamed into the archive (never built in memory), so the
    file holds every byte its headers declare.
    """
    chunk = bytes(2**22)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                if name not in zeros:
                    np.lib.format.write_array(member, array)
                    continue
                shape = (zeros[name], *array.shape[1:])
                member.write(npy_header(shape, array.dtype))
                left = int(np.prod(shape)) * array.dtype.itemsize
                while left:
                    member.write(chunk[: min(left, len(chunk))])
                    left -= min(left, len(chunk))


def at_most_2_gb_of_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


def test_a_small_file_declaring_ten_million_frames_is_refused_unread(
    tmp_path: Path, bridge: Arrays
) -> None:
    # Each array's header declares 10 million frames; 4 MB of data follow.
    path = tmp_path / "huge.npz"
    frames = 10_000_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in bridge.items():
            member = io.BytesIO()
            if name in ("xy", "visibility", "timestamps_ms", "num_people"):
                member.write(npy_header((frames, *array.shape[1:]), array.dtype))
                member.write(bytes(4_000_000))
            else:
                np.lib.format.write_array(member, array)
            archive.writestr(f"{name}.npy", member.getvalue())
    assert path.stat().st_size < 4_000_000
    out = tmp_path / "out"
    # Allocating for the declared frames (2.5 GB for `xy` alone) would fail
    # with this limit; a whole valid run needs well under 1 GB.
    proc = analyze(path, out, preexec_fn=at_most_2_gb_of_memory)
    problem = the_one_line(proc, path, out)
    assert problem == (
        "cannot read landmark file (`xy` declares shape (10000000, 33, 2) "
        "(2640000000 bytes), but the file holds only 4000000 bytes of it)"
    )


def test_more_frames_than_a_record_keeps_is_refused_before_the_run(
    tmp_path: Path, bridge: Arrays
) -> None:
    # Every byte is present, but the record of the run could not keep it.
    frames = MAX_FRAMES + 1
    path = tmp_path / "long.npz"
    per_frame = ("xy", "visibility", "timestamps_ms", "num_people")
    write_declared(path, bridge, dict.fromkeys(per_frame, frames))
    out = tmp_path / "out"
    problem = the_one_line(analyze(path, out), path, out)
    assert problem == (
        f"cannot read landmark file (`xy` holds {frames} frames, more than the "
        f"{MAX_FRAMES} a session record can keep)"
    )


def test_too_many_other_people_per_frame_is_refused_before_reading(
    tmp_path: Path, bridge: Arrays
) -> None:
    t = bridge["xy"].shape[0]
    people = 50 * MAX_OTHER_PEOPLE
    arrays = {
        **bridge,
        "others_xy": np.zeros((0, people, 33, 2), np.float32),
        "others_visibility": np.zeros((0, people, 33), np.float32),
    }
    path = tmp_path / "crowd.npz"
    # `others_*` hold `t` frames of `people` people each (all present).
    write_declared(path, arrays, {"others_xy": t, "others_visibility": t})
    out = tmp_path / "out"
    problem = the_one_line(analyze(path, out), path, out)
    assert problem == (
        f"cannot read landmark file (`others_xy` holds {people} other people per "
        f"frame, more than the {MAX_OTHER_PEOPLE} a landmark file may hold)"
    )


def test_a_valid_file_with_unusual_number_types_still_works(
    tmp_path: Path, bridge: Arrays
) -> None:
    # As accepted before: a one-element `fps`, float resolution and xy, int64 counts.
    path = tmp_path / "bridge.npz"
    np.savez(
        path,
        **changed(
            bridge,
            xy=bridge["xy"].astype(np.float64),
            resolution_wh=bridge["resolution_wh"].astype(np.float64),
            fps=np.array([30.0]),
            num_people=bridge["num_people"].astype(np.int64),
        ),
    )
    proc = analyze(path, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "Repetitions: 2" in proc.stdout


def test_a_folder_or_a_pipe_named_as_a_landmark_file_says_what_it_is(
    tmp_path: Path,
) -> None:
    from formcheck.errors import InputError

    folder = tmp_path / "saved.npz"
    folder.mkdir()
    pipe = tmp_path / "pipe.npz"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match="is a folder, not a landmark file"):
        PoseSequence.load_npz(folder)
    with pytest.raises(
        InputError, match=r"not a regular file \(a pipe or a device\?\)"
    ):
        PoseSequence.load_npz(pipe)
    with pytest.raises(InputError, match="no such landmark file"):
        PoseSequence.load_npz(tmp_path / "missing.npz")

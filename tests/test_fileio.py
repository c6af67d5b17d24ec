"""Atomic writes and one-run-at-a-time locks (formcheck.fileio)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from formcheck.errors import AlreadyRunning, OutputError
from formcheck.fileio import (
    atomic_open,
    atomic_write_text,
    discard,
    exclusive_run,
    publish,
    temp_path_beside,
)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_atomic_open_replaces_the_file_only_when_the_block_ends(
    tmp_path: Path,
) -> None:
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    with atomic_open(path) as handle:
        handle.write(b"new")
        assert path.read_bytes() == b"old"
    assert path.read_bytes() == b"new"
    assert _leftovers(tmp_path) == []


def test_atomic_open_leaves_the_old_file_when_the_block_fails(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")

    def write_half() -> None:
        with atomic_open(path) as handle:
            handle.write(b"half")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_half()
    assert path.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_publish_and_discard_a_named_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "video.mp4"
    temp = temp_path_beside(path)
    assert temp.parent == tmp_path and temp.name.startswith(".video.mp4.")
    temp.write_bytes(b"complete")
    publish(temp, path)
    assert path.read_bytes() == b"complete"
    assert not temp.exists()
    other = temp_path_beside(path)
    discard(other)
    discard(other)  # twice is fine
    assert sorted(p.name for p in tmp_path.iterdir()) == ["video.mp4"]


@pytest.mark.parametrize(
    "name",
    [
        "x" * 250 + ".mp4",
        "é" * 120 + ".mp4",  # 240 bytes of UTF-8
        "🏋" * 60 + ".mp4",  # 4 bytes a character
        "-rf my clip <script>.mp4",
    ],
)
def test_temporary_names_fit_beside_any_name(tmp_path: Path, name: str) -> None:
    temp = temp_path_beside(tmp_path / name)
    assert len(temp.name.encode()) <= 255
    discard(temp)


def test_atomic_write_into_a_missing_folder_raises_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "missing" / "a.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_exclusive_run_refuses_a_second_holder_at_once(tmp_path: Path) -> None:
    lock = tmp_path / ".clip.lock"
    with (
        exclusive_run(lock, "clip is busy"),
        pytest.raises(AlreadyRunning, match="clip is busy"),
        exclusive_run(lock, "clip is busy"),
    ):
        pass  # pragma: no cover
    with exclusive_run(lock, "clip is busy"):
        pass  # free again once the first run ended
    assert not lock.exists()


def test_exclusive_run_in_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with (
        pytest.raises(OutputError, match="cannot be written"),
        exclusive_run(tmp_path / "missing" / ".x.lock", "busy"),
    ):
        pass  # pragma: no cover


_HOLD = """
import sys, time
from pathlib import Path
from formcheck.fileio import exclusive_run
with exclusive_run(Path(sys.argv[1]), "busy"):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_killed_run_leaves_no_stale_lock(tmp_path: Path) -> None:
    lock = tmp_path / ".clip.lock"
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(lock)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "locked"
            with pytest.raises(AlreadyRunning), exclusive_run(lock, "busy"):
                pass  # pragma: no cover
        finally:
            holder.kill()
            holder.wait(10)
    deadline = time.monotonic() + 5
    while True:  # the kernel drops the lock with the process
        try:
            with exclusive_run(lock, "busy"):
                break
        except AlreadyRunning:  # pragma: no cover - only on a slow machine
            assert time.monotonic() < deadline
            time.sleep(0.05)

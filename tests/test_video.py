from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from formcheck.errors import OutputError, VideoError
from formcheck.video import (
    FrameReader,
    VideoWriter,
    iter_frames,
    probe_video,
    write_y4m,
)

FPS = 20.0
N_FRAMES = 40
W, H = 64, 48


def _frames(n: int = N_FRAMES, width: int = W, height: int = H) -> list[np.ndarray]:
    """Noisy frames of changing colour (noise keeps every frame a similar size)."""
    rng = np.random.default_rng(0)
    frames = []
    for i in range(n):
        image = np.zeros((height, width, 3), np.uint8)
        image[:] = (i * 6 % 256, 128, 255 - i * 6 % 256)
        noise = rng.integers(-40, 40, (height, width, 3))
        frames.append(np.clip(image + noise, 0, 255).astype(np.uint8))
    return frames


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    with VideoWriter(path, fps=FPS) as writer:
        for i, image in enumerate(_frames()):
            writer.write(image, i * 1000.0 / FPS)
    return path


def test_probe_reports_size_fps_and_frame_count(clip: Path) -> None:
    info = probe_video(clip)
    assert (info.width, info.height) == (W, H)
    assert info.fps == pytest.approx(FPS, rel=0.01)
    assert info.frame_count == N_FRAMES
    assert info.duration_s == pytest.approx(N_FRAMES / FPS, rel=0.02)
    assert info.path == clip


def test_iter_frames_yields_all_frames_with_increasing_timestamps(clip: Path) -> None:
    frames = list(iter_frames(clip))
    assert [f.index for f in frames] == list(range(N_FRAMES))
    times = np.array([f.timestamp_ms for f in frames])
    assert np.all(np.diff(times) > 0)
    assert times[0] == pytest.approx(0.0, abs=1.0)
    assert times[-1] == pytest.approx((N_FRAMES - 1) * 1000 / FPS, abs=2.0)
    assert all(f.image_bgr.shape == (H, W, 3) for f in frames)
    assert all(f.image_bgr.dtype == np.uint8 for f in frames)
    # Colour survives the round trip: the blue channel rises along the clip.
    assert (
        frames[-1].image_bgr[..., 0].mean() > frames[0].image_bgr[..., 0].mean() + 100
    )


def test_complete_clip_does_not_end_early(clip: Path) -> None:
    reader = FrameReader(clip)
    assert sum(1 for _ in reader.frames()) == N_FRAMES
    assert reader.frames_read == N_FRAMES
    assert not reader.ended_early
    assert reader.problem is None


def test_truncated_clip_yields_frames_up_to_the_break(
    clip: Path, tmp_path: Path
) -> None:
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    reader = FrameReader(cut)
    frames = list(reader.frames())
    assert 0 < len(frames) < N_FRAMES
    assert reader.frames_read == len(frames)
    assert reader.ended_early
    assert reader.problem is not None
    assert reader.problem.startswith("video ends early at ")
    assert "truncated" in reader.problem


def test_writer_honours_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "vfr.mp4"
    stamps_ms = [0.0, 100.0, 150.0, 400.0, 430.0]
    with VideoWriter(path, fps=30) as writer:
        for image, t in zip(_frames(len(stamps_ms)), stamps_ms, strict=True):
            writer.write(image, t)
    read = [f.timestamp_ms for f in iter_frames(path)]
    assert read == pytest.approx(stamps_ms, abs=1.0)


def test_written_file_is_browser_friendly_h264(clip: Path) -> None:
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
    data = clip.read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")  # faststart


def test_writer_pads_odd_sizes_to_even(tmp_path: Path) -> None:
    path = tmp_path / "odd.mp4"
    with VideoWriter(path, fps=FPS) as writer:
        for image in _frames(5, width=63, height=47):
            writer.write(image)
        assert writer.frames_written == 5
    info = probe_video(path)
    assert (info.width, info.height) == (64, 48)


def test_writer_into_missing_folder_raises_output_error(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "folder" / "out.mp4"
    with pytest.raises(OutputError, match="does not exist") as excinfo:
        VideoWriter(path, fps=FPS)
    assert str(path) in str(excinfo.value)


def test_writer_onto_a_directory_raises_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as excinfo:
        VideoWriter(tmp_path, fps=FPS)
    assert str(tmp_path) in str(excinfo.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.mp4"
    with pytest.raises(VideoError, match="no such file") as excinfo:
        probe_video(path)
    assert str(path) in str(excinfo.value)


def test_directory_is_not_a_video(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="directory"):
        probe_video(tmp_path)


def test_text_file_is_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("squats 3x10\n")
    with pytest.raises(VideoError, match="not a video file") as excinfo:
        probe_video(path)
    assert str(path) in str(excinfo.value)


def test_still_image_is_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    assert cv2.imwrite(str(path), _frames(1)[0])
    with pytest.raises(VideoError, match="not a video file") as excinfo:
        probe_video(path)
    assert str(path) in str(excinfo.value)


def test_zero_byte_mp4_has_no_frames(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(VideoError, match="contains no frames") as excinfo:
        iter_frames(path)  # raises at once, not on first next()
    assert str(path) in str(excinfo.value)


def test_garbage_mp4_raises_video_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.mp4"
    path.write_bytes(np.random.default_rng(1).bytes(20_000))
    with pytest.raises(VideoError) as excinfo:
        probe_video(path)
    assert str(path) in str(excinfo.value)


def test_timestamp_fallback_is_strictly_increasing() -> None:
    # A container that reports POS_MSEC 0 for every frame.
    frame_ms = 1000 / 30
    last = float("-inf")
    stamps = []
    for index in range(5):
        last = FrameReader._timestamp(0.0, index, frame_ms, last)
        stamps.append(last)
    assert stamps == pytest.approx([i * frame_ms for i in range(5)])


def test_write_y4m(tmp_path: Path) -> None:
    path = tmp_path / "cam.y4m"
    assert write_y4m(_frames(3, width=63, height=47), path, fps=30000 / 1001) == 3
    data = path.read_bytes()
    header, _, rest = data.partition(b"\n")
    assert header == b"YUV4MPEG2 W64 H48 F30000:1001 Ip A1:1 C420jpeg"
    frame_bytes = 64 * 48 * 3 // 2
    assert len(rest) == 3 * (len(b"FRAME\n") + frame_bytes)
    assert rest.count(b"FRAME\n") >= 3
    cap = cv2.VideoCapture(str(path))
    ok, image = cap.read()
    cap.release()
    assert ok
    assert image.shape == (48, 64, 3)


def test_writer_resizes_frames_to_the_first_size(tmp_path: Path) -> None:
    path = tmp_path / "sizes.mp4"
    with VideoWriter(path, fps=FPS) as writer:
        writer.write(_frames(1)[0])
        writer.write(_frames(1, width=32, height=32)[0])
    frames = list(iter_frames(path))
    assert len(frames) == 2
    assert all(f.image_bgr.shape == (H, W, 3) for f in frames)


def test_writer_without_frames_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.mp4"
    with VideoWriter(path, fps=FPS):
        pass
    assert not path.exists()


def test_writer_rejects_non_bgr_images(tmp_path: Path) -> None:
    with (
        VideoWriter(tmp_path / "x.mp4", fps=FPS) as writer,
        pytest.raises(ValueError, match="uint8"),
    ):
        writer.write(np.zeros((H, W), np.float32))


def _tmp_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_video_appears_only_when_complete_and_replaces_the_old_one(
    tmp_path: Path, clip: Path
) -> None:
    path = tmp_path / "out.mp4"
    path.write_bytes(clip.read_bytes())
    old = path.read_bytes()
    writer = VideoWriter(path, fps=FPS)
    for i, image in enumerate(_frames(5)):
        writer.write(image, i * 1000.0 / FPS)
        assert path.read_bytes() == old  # the earlier video stays meanwhile
    writer.close()
    assert probe_video(path).frame_count == 5
    assert _tmp_files(tmp_path) == []


def test_failed_video_leaves_no_file_under_its_name(tmp_path: Path) -> None:
    path = tmp_path / "out.mp4"

    def write_and_fail() -> None:
        with VideoWriter(path, fps=FPS) as writer:
            writer.write(_frames(1)[0])
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        write_and_fail()
    assert list(tmp_path.iterdir()) == []


def test_aborted_video_keeps_the_earlier_one(tmp_path: Path, clip: Path) -> None:
    path = tmp_path / "out.mp4"
    path.write_bytes(clip.read_bytes())
    writer = VideoWriter(path, fps=FPS)
    writer.write(_frames(1)[0])
    writer.abort()
    writer.abort()  # twice is fine
    assert probe_video(path).frame_count == N_FRAMES
    assert _tmp_files(tmp_path) == []


def test_y4m_without_frames_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one image"):
        write_y4m([], tmp_path / "cam.y4m", fps=30)
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_that_is_not_utf8_is_read(tmp_path: Path, clip: Path) -> None:
    # OpenCV took such names as UTF-8 and crashed the whole process (a
    # segfault), so this runs in a child process.
    odd = tmp_path / os.fsdecode(b"bad\xffname.mp4")
    clip.rename(odd)
    code = (
        "import sys\n"
        "from formcheck.video import FrameReader, probe_video\n"
        "info = probe_video(sys.argv[1])\n"
        "print(info.frame_count, sum(1 for _ in FrameReader(sys.argv[1]).frames()))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(odd)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(N_FRAMES), str(N_FRAMES)]
    assert not list(Path(tempfile.gettempdir()).glob("formcheck-open-*/video.mp4"))


def test_a_pipe_is_not_a_video(tmp_path: Path) -> None:
    fifo = tmp_path / "clip.mp4"
    os.mkfifo(fifo)
    with pytest.raises(VideoError, match="not a regular file") as excinfo:
        probe_video(fifo)
    assert str(fifo) in str(excinfo.value)


def test_links_that_lead_nowhere_are_named(tmp_path: Path) -> None:
    dangling = tmp_path / "gone.mp4"
    dangling.symlink_to(tmp_path / "deleted.mp4")
    with pytest.raises(VideoError, match="link to a file that does not exist"):
        probe_video(dangling)
    loop = tmp_path / "loop.mp4"
    loop.symlink_to(loop)
    with pytest.raises(VideoError, match="loop of symbolic links"):
        probe_video(loop)


def test_a_file_that_cannot_be_read_says_permission_denied(
    tmp_path: Path, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root every file is readable, so the refusals are simulated.
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == clip else real_access(p, mode)
    )
    with pytest.raises(VideoError, match="permission denied") as excinfo:
        probe_video(clip)
    assert str(clip) in str(excinfo.value)
    monkeypatch.undo()
    hidden = tmp_path / "locked" / "clip.mp4"

    def no_entry(self: Path, *args: object, **kwargs: object) -> os.stat_result:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "stat", no_entry)
    with pytest.raises(VideoError, match="permission denied") as excinfo:
        probe_video(hidden)
    assert str(hidden) in str(excinfo.value)


def test_a_damaged_stretch_is_skipped_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    with VideoWriter(path, fps=FPS) as writer:
        for i, image in enumerate(_frames(60, 160, 120)):
            writer.write(image, i * 1000.0 / FPS)
    data = bytearray(path.read_bytes())
    at = int(len(data) * 0.4)  # inside the frames, not the header
    data[at : at + 1500] = np.random.default_rng(1).bytes(1500)
    path.write_bytes(bytes(data))
    reader = FrameReader(path)
    frames = list(reader.frames())
    # Reading used to stop at the damage (about frame 24), losing the rest.
    assert reader.frames_lost >= 1
    assert len(frames) + reader.frames_lost == 60
    assert frames[-1].index == len(frames) - 1
    assert frames[-1].timestamp_ms == pytest.approx(59 * 1000.0 / FPS, abs=2.0)
    assert reader.ended_early
    assert reader.problem is not None
    assert "could not be decoded (damaged file?) and" in reader.problem

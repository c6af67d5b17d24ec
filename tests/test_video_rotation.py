"""Phone videos (frames stored sideways plus a rotation tag) are read upright.

The test files are made here with PyAV: upright portrait pictures with a red
band at the top and a blue band on the left are stored turned (as a phone
stores them) with a display matrix that tells a player how to turn them back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest

from formcheck.analyze import analyze_video
from formcheck.orientation import Orientation, read_orientation
from formcheck.specs import load_spec
from formcheck.types import PoseFrame
from formcheck.video import FrameReader, probe_video, read_frame_at
from tests.conftest import shared_clip

#: Upright (as shown) size: a portrait picture.
UP_W, UP_H = 48, 64
FPS = 10
N_FRAMES = 8
BAND_PX = 12

# (display rotation counter-clockwise as PyAV/FFmpeg define it, mirror)
# -90 is what `ffmpeg -metadata:s:v rotate=90` writes (turn 90° clockwise to show).
TAGS = [(-90, False), (90, False), (180, False), (0, True), (-90, True)]


def upright_picture() -> npt.NDArray[np.uint8]:
    image = np.full((UP_H, UP_W, 3), 128, np.uint8)
    image[:BAND_PX, :] = (0, 0, 255)  # red band along the top
    image[BAND_PX:, :BAND_PX] = (255, 0, 0)  # blue band down the left side
    return image


def stored_picture(
    upright: npt.NDArray[np.uint8], rotation_ccw_deg: int, hflip: bool
) -> npt.NDArray[np.uint8]:
    """What a camera stores so that a player (rotate, then mirror) shows ``upright``."""
    image = upright[:, ::-1] if hflip else upright
    # The player turns the stored frame counter-clockwise by rotation_ccw_deg,
    # so the stored frame is the upright one turned clockwise by that much.
    return np.ascontiguousarray(np.rot90(image, k=-(rotation_ccw_deg // 90)))


def write_tagged(
    path: Path,
    frames: list[npt.NDArray[np.uint8]],
    fps: float,
    rotation_ccw_deg: int,
    hflip: bool = False,
) -> None:
    """Encode stored frames as H.264 with a display matrix in the stream."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream(
            "libx264", rate=Fraction(fps).limit_denominator(1001)
        )
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.set_display_rotation(rotation_ccw_deg, hflip=hflip)
        for i, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = i
            frame.time_base = Fraction(1, 1) / Fraction(fps).limit_denominator(1001)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def tag_in_file(path: Path) -> tuple[int, bool] | None:
    """(rotation ccw mod 360, mirrored) as PyAV reads the file back; None: no tag.

    For a mirrored matrix FFmpeg's rotation reading is not meaningful, so only
    the mirror (a negative determinant of the 2x2 part) is reported then.
    """
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        for sd in frame.side_data:
            if getattr(sd.type, "name", "") == "DISPLAYMATRIX":
                m = np.frombuffer(bytes(sd), dtype="<i4").astype(float)
                mirrored = bool(m[0] * m[4] - m[1] * m[3] < 0)
                return (0 if mirrored else int(frame.rotation) % 360, mirrored)
    return None


def is_upright(image: npt.NDArray[np.uint8]) -> bool:
    """Red band on top, blue band on the left, nothing else red or blue."""
    b, r = image[..., 0].astype(float), image[..., 2].astype(float)
    top = r[: BAND_PX - 3].mean() > 200 and b[: BAND_PX - 3].mean() < 60
    left = b[BAND_PX + 3 :, : BAND_PX - 3].mean() > 200
    rest = r[BAND_PX + 3 :, BAND_PX + 3 :].mean() < 160
    return bool(top and left and rest)


def raw_first_frame(path: Path) -> npt.NDArray[np.uint8]:
    """The first frame as stored (OpenCV, no rotation applied)."""
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    ok, image = cap.read()
    cap.release()
    assert ok
    return np.asarray(image, np.uint8)


@pytest.fixture(params=TAGS, ids=lambda t: f"rot{t[0]}{'-mirror' if t[1] else ''}")
def tagged_clip(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    rotation, hflip = request.param
    stored = stored_picture(upright_picture(), rotation, hflip)
    path = tmp_path / f"phone_{rotation}_{int(hflip)}.mp4"
    write_tagged(path, [stored] * N_FRAMES, FPS, rotation, hflip)
    # The file really carries the tag.
    assert tag_in_file(path) == ((0 if hflip else rotation % 360), hflip)
    assert not is_upright(raw_first_frame(path))  # ... and is stored turned
    return path


def test_probe_reports_the_upright_size(tagged_clip: Path) -> None:
    info = probe_video(tagged_clip)
    assert (info.width, info.height) == (UP_W, UP_H)
    assert not info.orientation.is_identity


def test_frames_come_out_upright(tagged_clip: Path) -> None:
    frames = list(FrameReader(tagged_clip).frames())
    assert len(frames) == N_FRAMES
    assert all(f.image_bgr.shape == (UP_H, UP_W, 3) for f in frames)
    assert all(is_upright(f.image_bgr) for f in frames)


def test_frame_at_a_moment_is_upright(tagged_clip: Path) -> None:
    image = read_frame_at(tagged_clip, 0.3)
    assert image is not None
    assert is_upright(image)


def test_untagged_video_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "plain.mp4"
    write_tagged(path, [upright_picture()] * 3, FPS, 0)
    assert tag_in_file(path) in (None, (0, False))
    assert read_orientation(path).is_identity
    frames = list(FrameReader(path).frames())
    assert all(is_upright(f.image_bgr) for f in frames)


def test_rotate_90_tag_means_a_clockwise_quarter_turn() -> None:
    # The matrix FFmpeg writes for `-metadata:s:v rotate=90`.
    tag = Orientation.from_display_matrix([0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30])
    assert (tag.rotation_cw_deg, tag.mirrored) == (90, False)
    stored = np.zeros((2, 3, 3), np.uint8)
    stored[0, 0] = 255  # top-left of the stored frame
    shown = tag.apply(stored)
    assert shown.shape == (3, 2, 3)
    assert shown[0, 1].tolist() == [255, 255, 255]  # now top-right


class _SeeingEstimator:
    """A stand-in pose model that notes which way up it was shown each frame."""

    def __init__(self) -> None:
        self.upright: list[bool] = []

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], timestamp_ms: float, frame_index: int
    ) -> PoseFrame:
        self.upright.append(is_upright(image_bgr))
        h, w = image_bgr.shape[:2]
        return PoseFrame.empty(timestamp_ms, frame_index, (w, h))

    def close(self) -> None:
        pass

    def __enter__(self) -> _SeeingEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def test_analysis_sees_and_writes_upright_frames(tmp_path: Path) -> None:
    clip = tmp_path / "phone.mp4"
    write_tagged(clip, [stored_picture(upright_picture(), -90, False)] * 6, FPS, -90)
    seeing = _SeeingEstimator()
    out = tmp_path / "phone.annotated.mp4"
    result = analyze_video(
        clip, load_spec("glute_bridge"), out_video=out, estimator=seeing
    )
    assert seeing.upright == [True] * 6
    assert (result.session.source.width, result.session.source.height) == (UP_W, UP_H)
    info = probe_video(out)
    assert (info.width, info.height) == (UP_W, UP_H)
    assert info.orientation.is_identity


def _rotated_copy(src: Path, dst: Path) -> None:
    """Like `ffmpeg -vf transpose=2` then `-metadata:s:v rotate=90`: stored sideways."""
    with av.open(str(src)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or 30)
        upright = [f.to_ndarray(format="bgr24") for f in container.decode(stream)]
    stored = [stored_picture(image, -90, False) for image in upright]
    write_tagged(dst, stored, fps, -90)


def _analyze(video: Path, out: Path) -> dict[str, object]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "formcheck.cli",
            "analyze",
            str(video),
            "-e",
            "glute_bridge",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / f"{video.stem}.session.json").read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.model
@pytest.mark.video
def test_rotated_real_bridge_counts_like_the_upright_original(tmp_path: Path) -> None:
    original = shared_clip("kevinab633+curvelog__public__glute-bridge.mp4")
    rotated = tmp_path / "rotated_bridge.mp4"
    _rotated_copy(original, rotated)
    assert tag_in_file(rotated) == (270, False)
    upright = _analyze(original, tmp_path / "upright_out")
    turned = _analyze(rotated, tmp_path / "rotated_out")

    def counts(session: dict[str, object]) -> tuple[object, ...]:
        summary = session["summary"]
        assert isinstance(summary, dict)
        return (
            summary["reps"],
            summary["correct"],
            summary["per_side"],
            session["side"],
        )

    assert counts(upright)[0] == 1
    assert counts(turned) == counts(upright)
    size = probe_video(original)
    annotated = probe_video(tmp_path / "rotated_out" / "rotated_bridge.annotated.mp4")
    assert (annotated.width, annotated.height) == (size.width, size.height)

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.errors import InputError, PoseBackendError
from formcheck.landmarks import NUM_LANDMARKS, Landmark
from formcheck.pose import PoseEstimator, ReplayPoseEstimator, create_estimator
from formcheck.pose.mediapipe_backend import MediaPipePoseEstimator
from formcheck.pose.people import Person
from formcheck.types import PoseFrame, PoseSequence

VIDEOS = Path("/work/shared/videos")
GLUTE_BRIDGE = VIDEOS / "kevinab633+curvelog__public__glute-bridge.mp4"
CLAMSHELLS = (
    VIDEOS / "vincentbrouillard777-cmd+pwa-renforcement__public__videos__clamshells.mp4"
)


def _clip(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"{path} not available")
    return path


def _read_frames(path: Path, start: int, count: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    try:
        images = []
        for index in range(start + count):
            ok, image = cap.read()
            assert ok, f"{path}: cannot read frame {index}"
            if index >= start:
                images.append(image)
        return images
    finally:
        cap.release()


def _sequence(n: int = 6) -> PoseSequence:
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 100, (n, NUM_LANDMARKS, 2)).astype(np.float32)
    xy[2] = np.nan
    visibility = rng.uniform(0, 1, (n, NUM_LANDMARKS)).astype(np.float32)
    visibility[2] = 0
    return PoseSequence(
        xy=xy,
        visibility=visibility,
        timestamps_ms=np.arange(n) * 40.0,
        resolution_wh=(100, 80),
        fps=25.0,
        num_people=np.array([1, 1, 0, 2, 1, 1][:n], dtype=np.int16),
        xyz_world=rng.normal(size=(n, NUM_LANDMARKS, 3)).astype(np.float32),
        source="clip.mp4",
    )


# --- replay (no model) ---------------------------------------------------------


def test_replay_round_trips_a_saved_sequence(tmp_path: Path) -> None:
    original = _sequence()
    path = tmp_path / "poses.npz"
    original.save_npz(path)
    replay = ReplayPoseEstimator.from_file(path)
    assert isinstance(replay, PoseEstimator)
    assert len(replay) == len(original)
    blank = np.zeros((80, 100, 3), np.uint8)
    for index in range(len(original)):
        pose = replay(blank, timestamp_ms=12345.0, frame_index=index)
        expected = original[index]
        np.testing.assert_array_equal(pose.xy, expected.xy)
        np.testing.assert_array_equal(pose.visibility, expected.visibility)
        assert pose.timestamp_ms == expected.timestamp_ms == index * 40.0
        assert pose.num_people == expected.num_people
        assert pose.resolution_wh == (100, 80)
    assert not replay(None, 0.0, 2).has_person
    assert replay(None, 0.0, 3).num_people == 2
    world = replay(None, 0.0, 1).xyz_world
    assert world is not None
    assert original.xyz_world is not None
    np.testing.assert_array_equal(world, original.xyz_world[1])


def test_replay_frames_iterates_without_video() -> None:
    original = _sequence()
    with ReplayPoseEstimator(original) as replay:
        poses = list(replay.frames())
    assert [p.frame_index for p in poses] == list(range(len(original)))
    assert [p.has_person for p in poses] == [True, True, False, True, True, True]


@pytest.mark.parametrize("index", [-1, 6, 100])
def test_replay_out_of_range_raises_index_error(index: int) -> None:
    replay = ReplayPoseEstimator(_sequence())
    with pytest.raises(IndexError, match=rf"\[0, 6\).*got {index}"):
        replay(None, 0.0, index)


def test_replay_from_missing_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        ReplayPoseEstimator.from_file(tmp_path / "missing.npz")


def test_importing_formcheck_pose_does_not_load_mediapipe() -> None:
    code = (
        "import sys, formcheck.pose, formcheck.video, formcheck.types; "
        "assert 'mediapipe' not in sys.modules, 'mediapipe was imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- MediaPipe ------------------------------------------------------------------


@pytest.mark.model
def test_finds_the_person_in_a_real_clip() -> None:
    images = _read_frames(_clip(GLUTE_BRIDGE), start=10, count=5)
    height, width = images[0].shape[:2]
    with create_estimator(count_people=False) as estimator:
        poses = [
            estimator(image, timestamp_ms=(10 + i) * 62.5, frame_index=10 + i)
            for i, image in enumerate(images)
        ]
    last = poses[-1]
    assert all(p.has_person for p in poses)
    assert last.frame_index == 14
    assert last.timestamp_ms == 14 * 62.5
    assert last.resolution_wh == (width, height)
    assert last.xy.shape == (NUM_LANDMARKS, 2)
    assert np.isfinite(last.xy).all()
    assert (last.xy >= 0).all()
    assert (last.xy[:, 0] < width).all()
    assert (last.xy[:, 1] < height).all()
    hips = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
    assert last.visibility[hips].max() > 0.5
    assert last.xyz_world is not None
    assert np.abs(last.xyz_world).max() < 3.0  # metres, origin between the hips
    assert last.num_people == 1


@pytest.mark.model
def test_black_image_gives_an_empty_pose() -> None:
    with create_estimator() as estimator:
        pose = estimator(np.zeros((480, 640, 3), np.uint8), 0.0, 0)
    assert isinstance(pose, PoseFrame)
    assert not pose.has_person
    assert pose.num_people == 0
    assert pose.resolution_wh == (640, 480)
    assert np.isnan(pose.xy).all()


@pytest.mark.model
@pytest.mark.parametrize("second_ms", [100.0, 99.0])
def test_non_increasing_timestamps_raise(second_ms: float) -> None:
    black = np.zeros((48, 64, 3), np.uint8)
    with create_estimator(count_people=False) as estimator:
        estimator(black, 100.0, 0)
        with pytest.raises(
            ValueError, match=f"timestamps must increase: got {second_ms} after 100.0"
        ):
            estimator(black, second_ms, 1)
        assert estimator(black, 101.0, 1).frame_index == 1  # still usable


@pytest.mark.model
@pytest.mark.parametrize("complexity", [-1, 3, 1.5])
def test_invalid_model_complexity(complexity: float) -> None:
    with pytest.raises(ValueError, match="model_complexity"):
        create_estimator(model_complexity=complexity)  # type: ignore[arg-type]


@pytest.mark.model
def test_heavy_model_offline_raises_pose_backend_error() -> None:
    try:
        estimator = create_estimator(model_complexity=2)
    except PoseBackendError as exc:
        message = str(exc)
        assert "model_complexity=2" in message
        assert "model_complexity=1" in message
        assert "download" in message
    else:
        estimator.close()
        pytest.skip("the heavy model is available (downloaded or online)")


@pytest.mark.model
def test_counts_therapist_and_patient_in_clamshells() -> None:
    # 20-21 s: therapist kneeling upright, patient lying on the side (face sideways).
    images = _read_frames(_clip(CLAMSHELLS), start=600, count=31)[::15]
    with create_estimator(people_every_ms=0) as estimator:
        poses = [
            estimator(image, timestamp_ms=1000.0 * i, frame_index=i)
            for i, image in enumerate(images)
        ]
    assert all(p.has_person for p in poses)
    assert max(p.num_people for p in poses) == 2
    # The other person (the therapist, upright) travels with the frame.
    other = next(p for p in poses if p.num_people == 2)
    assert other.others_xy is not None and other.others_xy.shape == (1, 33, 2)


@pytest.mark.model
def test_one_person_counts_one() -> None:
    images = _read_frames(_clip(GLUTE_BRIDGE), start=10, count=1)
    with create_estimator() as estimator:
        pose = estimator(images[0], 0.0, 0)
    assert pose.num_people == 1
    assert pose.others_xy is None


@pytest.mark.model
def test_a_model_started_late_looks_for_people_on_the_same_frames() -> None:
    # A parallel chunk's model starts part-way through the video; its looks
    # for everyone in view must fall on the frames a whole-video run uses.
    images = _read_frames(_clip(GLUTE_BRIDGE), start=0, count=75)

    def looks(first: int) -> list[int]:
        seen: list[int] = []
        with create_estimator() as estimator:
            assert isinstance(estimator, MediaPipePoseEstimator)
            find = estimator.find_people

            def spy(rgb: np.ndarray) -> list[Person]:
                seen.append(index)
                return find(rgb)

            estimator.find_people = spy  # type: ignore[method-assign]
            for index in range(first, len(images)):
                pose = estimator(images[index], index * 1000.0 / 30.0, index)
                assert pose.has_person
        return seen

    assert looks(0) == [0, 30, 60]
    assert looks(20) == [20, 30, 60]


def test_an_unreadable_cached_people_model_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formcheck.pose import mediapipe_backend as backend

    monkeypatch.setenv("FORMCHECK_CACHE", str(tmp_path))
    monkeypatch.setattr(backend, "build_people_bundle", lambda: b"bundle")
    cached = backend.people_model_path()
    assert cached.read_bytes() == b"bundle"
    cached.write_bytes(b"old")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m: False if Path(p) == cached else real_access(p, m)
    )
    assert backend.people_model_path() == cached
    assert cached.read_bytes() == b"bundle"


def test_nowhere_to_keep_the_people_model_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formcheck.pose import mediapipe_backend as backend

    def refuse(path: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setenv("FORMCHECK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(backend, "build_people_bundle", lambda: b"bundle")
    monkeypatch.setattr(backend, "atomic_write_bytes", refuse)
    with pytest.raises(PoseBackendError) as excinfo:
        backend.people_model_path()
    message = str(excinfo.value)
    assert str(tmp_path / "cache") in message and "FORMCHECK_CACHE" in message
    assert "Permission denied" in message

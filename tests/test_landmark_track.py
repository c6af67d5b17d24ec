"""Landmarks in the session record: round trip, size, old records, bad data."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import numpy as np
import pytest

from formcheck.analyze import analyze_landmarks
from formcheck.cli import main
from formcheck.errors import SessionFileError
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.record import LandmarkTrack, SessionRecord, load_session, parse_session
from formcheck.record.landmarks import XY_STEPS
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from tests.conftest import DATA

TORSO = (11, 12, 23, 24)


@pytest.fixture(scope="module")
def clip() -> PoseSequence:
    return PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")


@pytest.fixture(scope="module")
def record(clip: PoseSequence) -> SessionRecord:
    return analyze_landmarks(clip, load_spec("bird_dog")).session


def seconds(seq: PoseSequence) -> float:
    return len(seq) / seq.fps


def test_round_trip_keeps_every_point_within_rounding(clip: PoseSequence) -> None:
    back = LandmarkTrack.from_sequence(clip, TORSO).decode()
    assert len(back) == len(clip)
    assert back.resolution_wh == clip.resolution_wh and back.fps == clip.fps
    # a point missing before is missing after, and only those
    assert np.array_equal(np.isfinite(back.xy), np.isfinite(clip.xy))
    half_step_px = max(clip.resolution_wh) / XY_STEPS / 2
    assert np.nanmax(np.abs(back.xy - clip.xy)) <= half_step_px + 1e-3
    assert np.abs(back.visibility - clip.visibility).max() <= 0.5 / 255 + 1e-6
    assert np.abs(back.timestamps_ms - clip.timestamps_ms).max() <= 0.05
    assert np.array_equal(back.num_people, clip.num_people)
    assert clip.xyz_world is not None and back.xyz_world is not None
    assert (
        np.nanmax(np.abs(back.xyz_world[:, TORSO] - clip.xyz_world[:, TORSO])) <= 5e-4
    )
    assert np.isnan(back.xyz_world[:, 0]).all()  # world points not asked for


def test_real_clip_takes_far_less_than_10_kb_per_second(clip: PoseSequence) -> None:
    track = LandmarkTrack.from_sequence(clip, TORSO)
    assert track.size_bytes / seconds(clip) < 3_000


def test_even_pure_noise_stays_under_10_kb_per_second() -> None:
    rng = np.random.default_rng(7)
    frames, fps = 300, 30.0
    noise = PoseSequence(
        xy=rng.uniform(0, 1280, (frames, NUM_LANDMARKS, 2)).astype(np.float32),
        visibility=rng.uniform(0, 1, (frames, NUM_LANDMARKS)).astype(np.float32),
        timestamps_ms=np.arange(frames) * 1000 / fps,
        resolution_wh=(1280, 720),
        fps=fps,
    )
    track = LandmarkTrack.from_sequence(noise)
    assert track.size_bytes / (frames / fps) < 10_000


def test_record_carries_landmarks_and_replays_to_the_same_reps(
    clip: PoseSequence, record: SessionRecord
) -> None:
    spec = load_spec("bird_dog")
    assert record.landmarks is not None and record.landmarks.frames == len(clip)
    again = parse_session(record.to_json(), "x")
    assert again.landmarks == record.landmarks
    replayed = analyze_landmarks(again.landmarks.decode(), spec).session
    assert [(r.index, r.side, r.correct) for r in replayed.reps] == [
        (r.index, r.side, r.correct) for r in record.reps
    ]


def test_turn_exercise_keeps_the_torso_world_points(clip: PoseSequence) -> None:
    record = analyze_landmarks(clip, load_spec("seated_torso_twist")).session
    assert record.landmarks is not None
    assert record.landmarks.world_points == TORSO


def test_old_record_without_landmarks_still_loads(record: SessionRecord) -> None:
    data = json.loads(record.to_json())
    del data["landmarks"]
    old = parse_session(json.dumps(data), "old.session.json")
    assert old.landmarks is None
    assert old.summary == record.summary


def _with_data(record: SessionRecord, data: str) -> str:
    doc = json.loads(record.to_json())
    doc["landmarks"]["data"] = data
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("tamper", "fragment"),
    [
        (lambda d: d[:-8], "landmarks: "),
        (lambda d: "not base64!", "cannot be decoded"),
        (lambda d: base64.b64encode(zlib.compress(b"\0" * 10)).decode(), "expected"),
        (lambda d: base64.b64encode(zlib.compress(b"\0" * 10**7)).decode(), "more"),
    ],
)
def test_damaged_landmarks_give_one_clear_line(
    record: SessionRecord, tamper: object, fragment: str
) -> None:
    assert record.landmarks is not None
    damaged = parse_session(
        _with_data(record, tamper(record.landmarks.data)),  # type: ignore[operator]
        "shared.session.json",
    )
    assert damaged.landmarks is not None
    with pytest.raises(SessionFileError, match=fragment) as info:
        damaged.landmarks.decode()
    assert "\n" not in str(info.value)


def test_cli_session_file_carries_replayable_landmarks(
    tmp_path: Path, clip: PoseSequence
) -> None:
    landmarks = tmp_path / "bird_dog.landmarks.npz"
    clip.save_npz(landmarks)
    out = tmp_path / "out"
    main(
        ["analyze", "--landmarks", str(landmarks), "-e", "bird_dog", "--out", str(out)]
    )
    record = load_session(out / "bird_dog.landmarks.session.json")
    assert record.landmarks is not None
    assert len(record.landmarks.decode()) == len(clip)

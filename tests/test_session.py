"""The session record round-trips and rejects bad files with clear messages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from formcheck.analyze import analyze_landmarks
from formcheck.errors import SessionFileError
from formcheck.record import load_session, write_session_files
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from tests.synthetic import bridge_angles, bridge_points, frames_from


@pytest.fixture(scope="module")
def bridge_session():
    frames = frames_from(
        [bridge_points(a) for a in bridge_angles([178, 205, 176])], 30.0
    )
    seq = PoseSequence.from_frames(frames, 30.0, source="synthetic_bridge")
    return analyze_landmarks(seq, load_spec("glute_bridge")).session


def test_session_round_trip(tmp_path: Path, bridge_session) -> None:
    files = write_session_files(bridge_session, tmp_path, "bridge")
    loaded = load_session(files.json)
    assert loaded == bridge_session
    assert loaded.summary.reps == 3
    assert loaded.summary.correct == 2
    assert loaded.exercise.id == "glute_bridge"
    assert loaded.exercise.revision == load_spec("glute_bridge").revision
    assert loaded.reps[1].faults == ("over_arch",)
    assert loaded.signals.units["hip_extension"] == "deg"
    assert len(loaded.signals.t_s) == loaded.source.frames


def test_session_json_has_no_nan_and_is_versioned(
    tmp_path: Path, bridge_session
) -> None:
    text = bridge_session.to_json()
    assert "NaN" not in text
    data = json.loads(text)
    assert data["format"] == "formcheck-session"
    assert data["format_version"] == 1
    assert data["formcheck_version"]


def test_reps_csv_has_one_row_per_rep(bridge_session) -> None:
    rows = list(csv.DictReader(io.StringIO(bridge_session.reps_csv())))
    assert len(rows) == 3
    assert rows[1]["faults"] == "over_arch"
    assert rows[1]["correct"] == "False"
    assert float(rows[0]["hip_extension_max"]) == pytest.approx(178, abs=2)


def test_load_session_from_bytes(bridge_session) -> None:
    assert load_session(bridge_session.to_json().encode()).summary.reps == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"hello": 1}', "not a formcheck session file"),
        (
            b'{"format": "formcheck-session", "format_version": 99}',
            "version 99 is not supported",
        ),
        (
            b'{"format": "formcheck-session", "format_version": 1, "exercise": {}}',
            "exercise",
        ),
        (b"\xff\xfe\x00", "cannot read"),
    ],
)
def test_bad_session_files_are_reported(content: bytes, message: str) -> None:
    with pytest.raises(SessionFileError, match=message):
        load_session(content)


def test_missing_session_file(tmp_path: Path) -> None:
    with pytest.raises(SessionFileError, match="no such session file"):
        load_session(tmp_path / "nope.json")

"""The session record round-trips and rejects bad files with clear messages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from formcheck.analyze import analyze_landmarks
from formcheck.errors import SessionFileError
from formcheck.record import load_many, load_session, parse_session, write_session_files
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


# ------------------------------------------ records from odd or hostile files
def _edited(session, edit) -> bytes:  # type: ignore[no-untyped-def]
    data = json.loads(session.to_json())
    edit(data)
    return json.dumps(data).encode()


def _shorten_values(data: dict) -> None:  # type: ignore[type-arg]
    name = next(iter(data["signals"]["values"]))
    data["signals"]["values"][name] = data["signals"]["values"][name][:-3]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["signals"].update(phase=d["signals"]["phase"][:5]),
            r"signals: .*phase has 5 entries but t_s has \d+",
        ),
        (_shorten_values, r"signals: .*values\.\w+ has \d+ entries but t_s has"),
        (lambda d: d["summary"].update(reps=10**400), "summary.reps: .*less than"),
        (lambda d: d["summary"].update(correct=-1), "summary.correct: .*greater"),
        (lambda d: d["source"].update(frames=-5), "source.frames"),
        (
            lambda d: d["summary"]["fault_counts"].update(x=10**9),
            "summary.fault_counts.x",
        ),
        (lambda d: d["source"].update(fps=None), "source.fps"),
        (lambda d: d["signals"]["t_s"].__setitem__(0, None), r"signals.t_s.0"),
    ],
)
def test_inconsistent_sessions_are_refused_naming_the_file(
    bridge_session, edit, message: str
) -> None:
    with pytest.raises(SessionFileError, match=rf"^shared\.json: {message}"):
        parse_session(_edited(bridge_session, edit), "shared.json")


@pytest.mark.parametrize("number", ["NaN", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused(bridge_session, number: str) -> None:
    text = bridge_session.to_json().replace(
        '"duration_s": ', f'"duration_s": {number}, "x": ', 1
    )
    with pytest.raises(SessionFileError, match=f"^a.json: {number} is not a number"):
        parse_session(text, "a.json")


def test_nan_is_written_as_null_and_read_back(tmp_path: Path, bridge_session) -> None:
    values = dict(bridge_session.signals.values)
    name = next(iter(values))
    values[name] = [float("nan"), *values[name][1:]]
    first = bridge_session.reps[0].model_copy(update={"range_of_motion": float("nan")})
    record = bridge_session.model_copy(
        update={
            "signals": bridge_session.signals.model_copy(update={"values": values}),
            "reps": [first, *bridge_session.reps[1:]],
        }
    )
    files = write_session_files(record, tmp_path, "nan")
    text = files.json.read_text()
    assert "NaN" not in text
    loaded = load_session(files.json)
    assert loaded.signals.values[name][0] is None
    assert loaded.reps[0].range_of_motion is None
    assert load_session(write_session_files(loaded, tmp_path, "again").json) == loaded


def test_one_bad_session_does_not_stop_the_others(bridge_session) -> None:
    bad = _edited(bridge_session, lambda d: d["summary"].update(reps=-3))
    loaded, problems = load_many(
        [("bad.json", bad), ("good.json", bridge_session.to_json().encode())]
    )
    assert [name for name, _ in loaded] == ["good.json"]
    assert len(problems) == 1 and problems[0].startswith("bad.json: summary.reps")


def test_a_file_name_that_is_not_utf8_is_kept_readable(
    tmp_path: Path, bridge_session
) -> None:
    # Bytes that are not UTF-8 reach Python as lone surrogates, which JSON
    # cannot hold; the session keeps the name with U+FFFD in their place.
    odd = bridge_session.model_copy(
        update={
            "source": bridge_session.source.model_validate(
                {**bridge_session.source.model_dump(), "name": "bad\udcffname.mp4"}
            )
        }
    )
    files = write_session_files(odd, tmp_path, "odd")
    assert load_session(files.json).source.name == "bad\ufffdname.mp4"

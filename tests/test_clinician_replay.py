"""Replay, tracking quality and re-scoring on a real recorded bird dog."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from formcheck.analyze import analyze_landmarks
from formcheck.clinician import texts
from formcheck.clinician.model import ItemKind, Light, Trust, VerdictKind
from formcheck.clinician.replay import (
    Replay,
    frame_marks,
    items_of,
    tracking_quality,
)
from formcheck.clinician.rescore import rescore_sessions
from formcheck.errors import SessionFileError, SpecError
from formcheck.prescription import Prescription
from formcheck.record import LandmarkTrack, SessionRecord, parse_session
from formcheck.specs import ExerciseSpec, load_spec
from formcheck.types import PoseSequence
from tests.conftest import DATA

SESSION_ID = "a" * 32


@pytest.fixture(scope="module")
def clip() -> PoseSequence:
    return PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")


@pytest.fixture(scope="module")
def spec() -> ExerciseSpec:
    return load_spec("bird_dog")


@pytest.fixture(scope="module")
def record(clip: PoseSequence, spec: ExerciseSpec) -> SessionRecord:
    return analyze_landmarks(clip, spec).session


@pytest.fixture(scope="module")
def replay(record: SessionRecord, spec: ExerciseSpec) -> Replay:
    return Replay.of(record, spec)


def without_landmarks(record: SessionRecord) -> SessionRecord:
    data = json.loads(record.to_json())
    del data["landmarks"]
    return parse_session(json.dumps(data), "old.session.json")


# ------------------------------------------------------------------ replay
def test_replay_finds_the_recorded_repetitions(
    record: SessionRecord, replay: Replay
) -> None:
    assert [(i.kind, i.index, i.side) for i in items_of(record)] == [
        (ItemKind.REP, 1, "right"),
        (ItemKind.REP, 2, "left"),
    ]
    assert replay.rerun.summary.reps == record.summary.reps == 2
    assert replay.notes == ()  # same spec revision, same counts
    assert len(replay.results) == record.source.frames


def test_replay_of_an_old_record_says_it_is_unavailable(
    record: SessionRecord, spec: ExerciseSpec
) -> None:
    with pytest.raises(SessionFileError) as info:
        Replay.of(without_landmarks(record), spec)
    assert str(info.value) == texts.NO_LANDMARKS


def test_frame_marks_put_the_checked_angles_on_the_body(
    record: SessionRecord, replay: Replay
) -> None:
    rep = items_of(record)[0]
    middle = replay.frames_between(rep.start_s, rep.end_s)[60]
    marks = frame_marks(replay, middle)
    width, height = record.source.width, record.source.height
    assert marks.xy.shape == (33, 2)
    assert {m.signal for m in marks.angles} >= {"leg_height", "leg_straight"}
    placed = [m for m in marks.angles if math.isfinite(m.xy[0])]
    assert {m.signal for m in placed} >= {"leg_height", "leg_straight"}
    for mark in placed:
        assert 0 <= mark.xy[0] <= width and 0 <= mark.xy[1] <= height
    for mark in marks.angles:
        assert mark.light in (Light.PASS, Light.FAILING, Light.FAULT, Light.UNKNOWN)
    assert rep.start_s <= marks.t_s <= rep.end_s


def test_tracking_quality_of_a_well_seen_repetition_is_good(
    record: SessionRecord, replay: Replay
) -> None:
    first = tracking_quality(replay, items_of(record)[0])
    assert first.frames > 100
    assert first.visible_share == pytest.approx(1.0)
    assert first.view_share == pytest.approx(1.0)
    assert first.trust is Trust.GOOD
    assert "visible in 100 %" in first.sentence


def test_far_arm_hidden_in_a_side_view_is_named(
    record: SessionRecord, replay: Replay
) -> None:
    second = tracking_quality(replay, items_of(record)[1])  # right arm: far side
    assert "arm_short_of_line" in second.unseen
    assert "arm_short_of_line" in second.sentence


def test_hidden_limbs_make_tracking_poor(
    record: SessionRecord, spec: ExerciseSpec
) -> None:
    assert record.landmarks is not None
    seq = record.landmarks.decode()
    rep = items_of(record)[0]
    t = seq.timestamps_ms / 1000
    during = (t >= rep.start_s) & (t <= rep.end_s)
    hidden = np.flatnonzero(during)[::2]  # every other frame of the repetition
    for elbow_wrist_knee_ankle in (13, 14, 15, 16, 25, 26, 27, 28):
        seq.visibility[hidden, elbow_wrist_knee_ankle] = 0.0
    patched = record.model_copy(update={"landmarks": LandmarkTrack.from_sequence(seq)})
    quality = tracking_quality(Replay.of(patched, spec), rep)
    assert quality.visible_share < 0.7
    assert quality.trust is Trust.POOR
    assert texts.TRUST_TEXT[Trust.POOR] in quality.sentence
    assert {"leg_too_high", "leg_short_of_line"} <= set(quality.unseen)


# ----------------------------------------------------------------- rescore
def prescription(**values: object) -> Prescription:
    return Prescription(patient="Ann", exercise="bird_dog", **values)  # type: ignore[arg-type]


def test_rescore_with_the_same_limits_changes_nothing(
    record: SessionRecord, spec: ExerciseSpec
) -> None:
    assert spec.reps is not None
    same = prescription(rep_enter=spec.reps.enter, reps=8)
    summary = rescore_sessions([(SESSION_ID, "set1", record)], spec, same)
    assert summary.checked == 2
    assert summary.changes == []
    assert summary.sentence == texts.RESCORE_NONE


def test_rescore_outside_the_specs_range_is_refused(
    record: SessionRecord, spec: ExerciseSpec
) -> None:
    with pytest.raises(SpecError, match="must be between 50° and 80° for Bird dog"):
        rescore_sessions(
            [(SESSION_ID, "set1", record)], spec, prescription(rep_enter=95.0)
        )


def test_rescore_names_the_repetition_that_would_no_longer_count(
    record: SessionRecord, spec: ExerciseSpec
) -> None:
    # A spec that lets the depth go up to 95 deg: the left leg reached ~88,
    # the right one ~93.
    assert spec.reps is not None
    wider = spec.model_copy(
        update={"reps": spec.reps.model_copy(update={"enter_range": (50.0, 95.0)})}
    )
    old = without_landmarks(record)
    summary = rescore_sessions(
        [(SESSION_ID, "set1", record), ("b" * 32, "set0", old)],
        wider,
        prescription(rep_enter=90.0),
    )
    (change,) = [c for c in summary.changes if c.side == "left"]
    assert (change.movement, change.session_label) == ("repetition", "set1")
    # It is the left leg's repetition, labelled by eye at 8.5-12.6 s (the
    # counter starts a repetition when the leg starts to move, a little earlier).
    assert 7.5 <= change.start_s <= 9.0
    assert change.before.kind is VerdictKind.CORRECT
    # Short of the prescribed depth, the repetition no longer counts, or is
    # marked down (a fault, or a tip such as not holding past the depth).
    gained = set(change.after.tips) - set(change.before.tips)
    assert change.after.kind in (VerdictKind.NOT_COUNTED, VerdictKind.FAULTY) or gained
    assert change.after.text != change.before.text
    assert summary.sentence == texts.rescore_summary(len(summary.changes), 2, 1)
    assert summary.sessions[1].problem == texts.NO_LANDMARKS


def test_rescore_skips_other_exercises(
    record: SessionRecord, spec: ExerciseSpec
) -> None:
    bridge = record.model_copy(
        update={"exercise": record.exercise.model_copy(update={"id": "glute_bridge"})}
    )
    summary = rescore_sessions(
        [(SESSION_ID, "set1", bridge)], spec, prescription(rep_enter=70.0)
    )
    assert summary.sessions == ()
    assert summary.sentence == texts.RESCORE_NO_SESSIONS

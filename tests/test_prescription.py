"""Per-patient prescriptions: limits from the spec, saving and loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.errors import SessionFileError, SpecError
from formcheck.prescription import (
    Prescription,
    apply_prescription,
    load_prescription,
)
from formcheck.specs import load_spec
from formcheck.store import FolderStore


def test_apply_changes_targets_within_limits() -> None:
    spec = load_spec("glute_bridge")
    p = Prescription(
        patient="Ann B",
        exercise="glute_bridge",
        reps=8,
        sets=3,
        rep_enter=170,
        painful_side="left",
    )
    changed = apply_prescription(spec, p)
    assert changed.reps is not None
    assert (changed.reps.target_reps, changed.reps.target_sets, changed.reps.enter) == (
        8,
        3,
        170,
    )
    assert (
        spec.reps is not None and spec.reps.enter == 160
    )  # the bundled spec is untouched


def test_depth_outside_spec_range_is_refused() -> None:
    p = Prescription(patient="Ann", exercise="glute_bridge", rep_enter=140)
    with pytest.raises(SpecError) as caught:
        apply_prescription(load_spec("glute_bridge"), p)
    assert str(caught.value) == (
        "How far a repetition must go (hip extension) must be between 155° and 175° "
        "for Glute bridge, but got 140°"
    )


def test_hold_time_outside_the_limits_is_refused_in_plain_words() -> None:
    spec = load_spec("childs_pose")
    assert spec.hold is not None
    p = Prescription(patient="Ann", exercise="childs_pose", hold_s=1)
    with pytest.raises(SpecError) as caught:
        apply_prescription(spec, p)
    low = spec.hold.min_s / 2
    assert str(caught.value) == (
        f"Hold time must be between {low:g} and 120 s for Child's pose, but got 1 s"
    )


def test_prescription_fields_name_their_unit_and_limits() -> None:
    from formcheck.prescription import depth_label, depth_limits

    bridge = load_spec("glute_bridge")
    assert (
        depth_label(bridge) == "How far a repetition must go: hip extension (degrees)"
    )
    assert depth_limits(bridge) == "between 155° and 175°"


def test_hold_time_on_a_reps_exercise_is_refused() -> None:
    p = Prescription(patient="Ann", exercise="glute_bridge", hold_s=30)
    with pytest.raises(SpecError, match="has no hold"):
        apply_prescription(load_spec("glute_bridge"), p)


def test_wrong_exercise_is_refused() -> None:
    p = Prescription(patient="Ann", exercise="bird_dog", reps=5)
    with pytest.raises(SpecError, match="not for 'glute_bridge'"):
        apply_prescription(load_spec("glute_bridge"), p)


def test_unsafe_patient_names_are_refused() -> None:
    with pytest.raises(ValueError, match="patient name"):
        Prescription(patient="../etc", exercise="glute_bridge")


def test_store_round_trip(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    p = Prescription(patient="Ann", exercise="bird_dog", reps=6, notes="left leg hurts")
    store.save_prescription(p)
    path = store.prescription_path("Ann", "bird_dog")
    assert path == tmp_path / "patients" / "Ann" / "bird_dog.prescription.json"
    assert path.is_file()
    assert store.patients() == ["Ann"]
    assert store.prescriptions("Ann")["bird_dog"].reps == 6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"nope", "not valid JSON"),
        (b"{}", "not a formcheck prescription"),
        (
            b'{"format": "formcheck-prescription", "patient": "Ann", "exercise": "x", "reps": 500}',
            "reps",
        ),
    ],
)
def test_malformed_prescription_files(content: bytes, message: str) -> None:
    with pytest.raises(SessionFileError, match=message):
        load_prescription(content)

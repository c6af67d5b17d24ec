"""The routines in ``pose_specs/routines``: the seeds' routines as written, and their length.

Each routine's estimated length (``Routine.total_seconds``: repetitions times
a per-repetition time, holds, timed walking and rests) is checked against the
time the seed gives, and against an independent re-computation.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from formcheck.app_support.catalog import routine_prescription
from formcheck.prescription import apply_prescription
from formcheck.routines import Routine, list_routines
from formcheck.specs import ExerciseSpec, builtin_spec_dir, load_all
from tests.test_specs_library import routine_item_problems, routine_seconds

FOLDER = builtin_spec_dir() / "routines"
PHASES = ("phase_1_acute", "phase_2_subacute", "phase_3_recovery")

#: Minutes the seed gives for each routine: (at least, at most).
SEED_MINUTES = {
    "gentle_daily": (10.0, 15.0),  # "gentle daily routine (10–15 minutes)"
    "relief_8_minutes": (0.0, 8.0),  # "relief in 8 minutes or less"
    "sciatica_starter": (10.0, 15.0),  # the starter follows the 10–15 minute session
    # The seed gives no length for its phases: each stays within a daily session.
    **dict.fromkeys(PHASES, (0.0, 15.0)),
}


@pytest.fixture(scope="module")
def specs() -> dict[str, ExerciseSpec]:
    return load_all()


@pytest.fixture(scope="module")
def routines() -> dict[str, Routine]:
    return list_routines()


def raw(routine_id: str) -> dict[str, Any]:
    data = yaml.safe_load((FOLDER / f"{routine_id}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(routine: Routine) -> list[tuple[str | None, int, float | None]]:
    """``(exercise, sets, reps or hold or timed seconds)`` per item."""
    return [
        (item.exercise, item.sets, item.reps or item.hold_s or item.timed_s)
        for item in routine.items
    ]


def test_every_routine_file_loads_with_its_id(routines: dict[str, Routine]) -> None:
    assert {p.stem for p in FOLDER.glob("*.yaml")} == set(routines)
    assert set(SEED_MINUTES) == set(routines)


@pytest.mark.parametrize("routine_id", sorted(SEED_MINUTES))
def test_routine_lasts_as_long_as_the_seed_says(
    routine_id: str, routines: dict[str, Routine], specs: dict[str, ExerciseSpec]
) -> None:
    routine = routines[routine_id]
    minutes = routine.total_seconds(specs) / 60
    low, high = SEED_MINUTES[routine_id]
    assert low <= minutes <= high, f"{routine_id}: {minutes:.1f} min"
    # The app's estimate agrees with an independent re-computation.
    assert routine.total_seconds(specs) == pytest.approx(
        routine_seconds(raw(routine_id), specs)
    )


@pytest.mark.parametrize("routine_id", sorted(SEED_MINUTES))
def test_routine_items_are_complete_and_fit_their_exercises(
    routine_id: str, routines: dict[str, Routine], specs: dict[str, ExerciseSpec]
) -> None:
    data = raw(routine_id)
    assert data["name"] and data["description"]
    bad = {
        i: routine_item_problems(item, specs)
        for i, item in enumerate(data["items"])
        if routine_item_problems(item, specs)
    }
    assert not bad, bad
    # The Live page applies each item's targets to its exercise: none may be refused.
    for item in routines[routine_id].items:
        if item.exercise is not None:
            apply_prescription(specs[item.exercise], routine_prescription(item))


def test_gentle_daily_routine_is_the_seeds_list(routines: dict[str, Routine]) -> None:
    routine = routines["gentle_daily"]
    assert steps(routine) == [
        (None, 1, 120),  # walking in place 2 min
        ("pelvic_tilt", 1, 15),
        ("knee_to_chest_single", 2, 30),  # 30 s each side
        ("piriformis_stretch", 2, 45),  # 45 s each side
        ("mckenzie_press_up", 1, 10),
        ("bird_dog", 1, 16),  # 8 each side
        ("glute_bridge", 1, 12),
        ("cat_cow", 1, 10),
        ("sciatic_nerve_glide_supine", 1, 10),
        (None, 1, 60),  # a short walk
    ]
    press_up = routine.items[4]
    assert "if it helps" in press_up.notes.lower()
    assert "8 on each side" in routine.items[5].notes
    assert "walk" in (routine.items[-1].name or "").lower()


def test_relief_routine_is_the_seeds_list(routines: dict[str, Routine]) -> None:
    assert steps(routines["relief_8_minutes"]) == [
        ("rockbacks", 1, 12),  # 10–12
        ("bird_dog", 1, 24),  # 12 per side
        ("sciatic_nerve_glide_supine", 1, 10),
        ("knee_to_chest_double", 1, 60),  # 30–60 s
        ("piriformis_stretch", 2, 30),
    ]


@pytest.mark.parametrize("routine_id", PHASES)
def test_phase_routine_says_when_to_move_on_and_when_to_get_help(
    routine_id: str, routines: dict[str, Routine]
) -> None:
    text = routines[routine_id].description
    for advice in (
        "2–4 weeks",
        "getting worse",
        "weak",
        "bladder or bowel",
        "emergency",
    ):
        assert advice in text, (routine_id, advice)
    nxt = {"phase_1_acute": "phase 2", "phase_2_subacute": "phase 3"}.get(routine_id)
    if nxt is not None:
        assert f"Move on to {nxt} when" in text
    else:
        assert "keep progressing" in text and "go back to phase 2" in text


def test_phases_build_up_from_walking_and_gentle_movement(
    routines: dict[str, Routine],
) -> None:
    def exercises(routine_id: str) -> set[str | None]:
        return {item.exercise for item in routines[routine_id].items}

    acute, subacute, recovery = (exercises(p) for p in PHASES)
    # Acute: gentle movements and walking only — no strengthening, no press-ups.
    assert None in acute
    assert acute <= {None, "pelvic_tilt", "knee_to_chest_single", "cat_cow"}
    # Subacute adds the guide's stretches and gentle strengthening.
    assert {"glute_bridge", "bird_dog_arm", "bird_dog_leg", "piriformis_stretch"} <= (
        subacute - acute
    )
    # Recovery progresses to the full bird dog and more.
    assert "bird_dog" in recovery and "bird_dog" not in subacute

"""Fault ids the generator can inject, and which exercises they apply to.

Each fault is labelled on the repetition (or hold) where it happens. How a
fault is shaped (how far, which joints) is written down in ``docs/synth.md``
and implemented in :mod:`formcheck.synth.motions`.
"""

from __future__ import annotations

from typing import Final

#: Fault id -> one-line description (what the mannequin does).
FAULTS: Final[dict[str, str]] = {
    "back_sagging": "bird dog: the lower back sags (lumbar extension) and the hips drop",
    "hip_opening": "bird dog: the pelvis and trunk roll open toward the lifted leg",
    "arm_short_of_line": "bird dog: the arm stops well below the line of the trunk",
    "leg_short_of_line": "bird dog: the leg stops well below the line of the trunk",
    "not_high_enough": "glute bridge: the hips stop short of the shoulder-knee line",
    "over_arch": "glute bridge: the hips are pushed clearly above the shoulder-knee line",
    "thigh_drift": "supine nerve glide: the hip drifts away from 90 degrees as the knee straightens",
    "released_early": "hold exercises: the hold ends before its minimum time",
    "hip_rolls_back": "clamshell: the top hip rolls backward as the knee opens",
    "hips_lifting": "McKenzie press-up: the hips lift off the floor",
    "shallow": "rep exercises: a shallow attempt that must not count (counted: false)",
}

#: Exercise id -> faults it supports.
EXERCISE_FAULTS: Final[dict[str, tuple[str, ...]]] = {
    "rockbacks": ("shallow",),
    "bird_dog": (
        "back_sagging",
        "hip_opening",
        "arm_short_of_line",
        "leg_short_of_line",
        "shallow",
    ),
    "bird_dog_arm": ("arm_short_of_line", "hip_opening", "shallow"),
    "bird_dog_leg": ("leg_short_of_line", "back_sagging", "hip_opening", "shallow"),
    "sciatic_nerve_glide_supine": ("thigh_drift", "shallow"),
    "sciatic_nerve_glide_seated": ("shallow",),
    "knee_to_chest_single": ("released_early",),
    "knee_to_chest_double": ("released_early",),
    "piriformis_stretch": ("released_early",),
    "glute_bridge": ("not_high_enough", "over_arch", "shallow"),
    "pelvic_tilt": ("shallow",),
    "cat_cow": ("shallow",),
    "mckenzie_press_up": ("hips_lifting", "shallow"),
    "clamshell": ("hip_rolls_back", "shallow"),
    "hamstring_stretch_standing": ("released_early",),
    "hamstring_stretch_lying": ("released_early",),
    "childs_pose": ("released_early",),
    "lower_back_stretch": ("released_early",),
    "seated_torso_twist": ("shallow",),
}


def check_fault(exercise: str, fault: str) -> None:
    """Raise ``ValueError`` if ``fault`` cannot be injected in ``exercise``."""
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; expected one of {sorted(FAULTS)}")
    allowed = EXERCISE_FAULTS.get(exercise, ())
    if fault not in allowed:
        raise ValueError(
            f"fault {fault!r} does not apply to {exercise!r}; it supports "
            f"{list(allowed) or 'no faults'}"
        )

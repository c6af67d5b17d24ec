"""Every sentence the therapist's review shows, in one place.

The computations in :mod:`formcheck.clinician` return enums and numbers; the
page and the report turn them into these sentences, so the wording can be
reviewed (and translated) without reading code.
"""

from __future__ import annotations

from collections.abc import Sequence

from formcheck.clinic import SymptomLocation

from .model import Direction, Flag, SymptomChange, Trust

# ------------------------------------------------------------------ replay
NO_LANDMARKS = (
    "This session was recorded before formcheck kept landmarks with its sessions: "
    "replay and re-scoring are unavailable for it (its counts and faults are still shown)."
)
REPLAY_DIFFERS = (
    "Re-running the checks on the stored landmarks gives {replayed} counted "
    "repetition(s) where the session recorded {recorded}: landmarks are stored "
    "slightly rounded, so a borderline repetition may come out differently."
)
SPEC_CHANGED = (
    "Recorded with spec revision {recorded}; the replay uses the current revision "
    "{current}, so its checks may differ from what the patient saw."
)

TRUST_TEXT: dict[Trust, str] = {
    Trust.GOOD: "Tracking was good: trust the verdict.",
    Trust.FAIR: "Tracking was patchy: check the verdict in the replay.",
    Trust.POOR: "Tracking was poor: the verdict is unreliable.",
}


def quality_sentence(
    visible_pct: float, view_pct: float, trust: Trust, unseen: Sequence[str] = ()
) -> str:
    """How far to trust a repetition's verdict, in a sentence or two."""
    text = (
        f"Key landmarks visible in {visible_pct:.0f} % of its frames; camera view "
        f"as the exercise needs in {view_pct:.0f} %. {TRUST_TEXT[trust]}"
    )
    if unseen:
        text += f" Not measurable for most of it: {', '.join(unseen)}."
    return text


# ---------------------------------------------------------------- attention
FLAG_LABEL: dict[Flag, str] = {
    Flag.SPREADING: "symptoms spreading down the leg",
    Flag.PAIN_RISING: "symptoms getting worse",
    Flag.NO_IMPROVEMENT: "no improvement",
    Flag.SAFETY_FAULTS: "repeated faults",
    Flag.INACTIVE: "no recent session",
    Flag.LOW_ADHERENCE: "low adherence",
}


def spreading_text(count: int, days: int) -> str:
    """Symptoms reached further down the leg after a set."""
    return (
        f"Reported symptoms spreading further down the leg after {count} set(s) in "
        f"the last {days} days: the guide says to stop that exercise and contact "
        "the clinician."
    )


def pain_rising_text(first: SymptomLocation, last: SymptomLocation) -> str:
    """Symptoms reach further, or feel worse, across sessions."""
    if last.rank > first.rank:
        return (
            f"Symptoms reach further across sessions: {location_text(first)} at "
            f"first, {location_text(last)} lately."
        )
    return "Felt worse after most of the recent sets."


def no_improvement_text(weeks: int) -> str:
    """No improvement after a few weeks (the seed advice: see a professional)."""
    return (
        f"No improvement in symptoms after {weeks} weeks of exercise: the guide "
        "advises seeing a GP or physiotherapist."
    )


def safety_faults_text(exercise: str, cue: str, faulty: int, counted: int) -> str:
    """Many repetitions faulty in a rule that protects the back."""
    return f"{exercise}: “{cue}” in {faulty} of {counted} repetitions."


def inactive_text(days: int | None) -> str:
    """No session for a while (or none at all)."""
    if days is None:
        return "No session recorded yet."
    return f"No session for {days} days."


def low_adherence_text(done: int, prescribed: int) -> str:
    """Fewer sets done than prescribed in the last week."""
    return f"{done} of {prescribed} prescribed sets done in the last 7 days."


# ----------------------------------------------------------------- symptoms
LOCATION_TEXT: dict[SymptomLocation, str] = {
    SymptomLocation.NONE: "no symptoms",
    SymptomLocation.LOWER_BACK: "lower back",
    SymptomLocation.BUTTOCK: "buttock",
    SymptomLocation.THIGH: "thigh",
    SymptomLocation.BELOW_KNEE: "below the knee",
    SymptomLocation.FOOT: "foot",
}


def location_text(location: SymptomLocation) -> str:
    """Where the symptoms reach, in words."""
    return LOCATION_TEXT[location]


CHANGE_TEXT: dict[SymptomChange, str] = {
    SymptomChange.CENTRALISED: "centralised (moved toward the back)",
    SymptomChange.PERIPHERALISED: "peripheralised (spread down the leg)",
    SymptomChange.UNCHANGED: "unchanged",
    SymptomChange.UNKNOWN: "not known (no earlier answer that day)",
}

TENDENCY_TEXT: dict[SymptomChange | None, str] = {
    SymptomChange.CENTRALISED: "tends to centralise symptoms",
    SymptomChange.PERIPHERALISED: "tends to peripheralise symptoms",
    SymptomChange.UNCHANGED: "tends to leave symptoms unchanged",
    None: "no clear tendency yet",
}

DIRECTION_TEXT: dict[Direction, str] = {
    Direction.EXTENSION: "extension",
    Direction.FLEXION: "flexion",
    Direction.MIXED: "flexion and extension",
    Direction.NEUTRAL: "no particular direction",
}

NO_PREFERENCE_DATA = (
    "Not enough symptom answers after both extension exercises (such as the "
    "press-up) and flexion exercises (such as knee-to-chest) to suggest a "
    "direction preference."
)
NO_CLEAR_PREFERENCE = (
    "Extension and flexion exercises affect the symptoms alike: no direction "
    "preference shows in the answers."
)


def preference_text(preferred: Direction) -> str:
    """The direction the answers favour (a suggestion, not a diagnosis)."""
    return (
        f"The answers suggest a preference for {DIRECTION_TEXT[preferred]} "
        "exercises: they move symptoms toward the back more often. Confirm it "
        "clinically."
    )


def direction_counts_text(direction: Direction, centralised: int, total: int) -> str:
    """How often one direction's exercises centralised symptoms."""
    return (
        f"{DIRECTION_TEXT[direction].capitalize()} exercises centralised symptoms "
        f"after {centralised} of {total} sets."
    )


# ------------------------------------------------------------------ rescore
RESCORE_NONE = "No past repetition or hold would change verdict."
RESCORE_NO_SESSIONS = "No past session of this exercise to re-score."


def rescore_summary(changed: int, checked: int, sessions: int) -> str:
    """How many past repetitions or holds would change verdict."""
    return (
        f"{changed} of {checked} past repetition(s) and hold(s) in {sessions} "
        "session(s) would change verdict."
    )


# ------------------------------------------------------------------ sign-off
FINE = "this was fine"

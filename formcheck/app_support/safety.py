"""Safety text shown in the app (from ``exercise-research.md`` §3).

The red-flag list is global: every exercise links to it. Each spec adds its
own ``safety.before`` / ``safety.stop_if`` / ``safety.notes``.
"""

from __future__ import annotations

BEFORE_FIRST_SESSION = (
    "These exercises are for sciatica or low back pain that a health professional "
    "has assessed. If you haven't been assessed, or your symptoms are getting "
    "worse, speak to a doctor or physiotherapist first."
)

DURING_EXERCISE: tuple[str, ...] = (
    "A mild stretch or pull is fine. Stop if pain gets sharp, or **if pain, "
    "tingling or numbness spreads further down your leg**.",
    "If leg pain moves up toward your back (centralises), that's usually a good "
    "sign. If it moves further down the leg, stop and tell your clinician.",
    "Move slowly and don't force the range. Don't bounce.",
    "Nerve glides: go only to a light tension. Do not do more repetitions than "
    "prescribed.",
)

RED_FLAGS_TITLE = "Red flags: go to A&E or call an emergency number now"

RED_FLAGS: tuple[str, ...] = (
    "sciatica in **both** legs;",
    "weakness or numbness in **both** legs that is severe or getting worse;",
    "numbness around or under the genitals, or around the back passage;",
    "difficulty starting to pee, can't pee, or can't control peeing — when that "
    "isn't normal for you;",
    "not noticing when you need to poo, or not being able to control it;",
    "**progressive weakness** or loss of feeling in the legs, or loss of bladder "
    "or bowel control (cauda equina syndrome).",
)

SEE_GP = (
    "**See a GP** if the pain hasn't improved after a few weeks, is getting worse, "
    "or stops you doing normal activities."
)

NOT_A_MEDICAL_DEVICE = (
    "formcheck is not a medical device: it does not diagnose or treat anything, "
    "and it cannot see pain, tingling or numbness."
)

SYMPTOM_QUESTION = "Where are your symptoms now?"
SYMPTOM_BASELINE_QUESTION = "Before you start: where are your symptoms now?"
SYMPTOM_HELP = (
    "Pain, tingling or numbness: pick the place furthest down your leg that you "
    "feel them."
)
WORSE_QUESTION = "Worse than before the set?"

#: The answers to the symptom question, from central to peripheral.
SYMPTOM_PLACES: dict[str, str] = {
    "none": "No symptoms",
    "lower_back": "Lower back only",
    "buttock": "Buttock",
    "thigh": "Thigh",
    "below_knee": "Below the knee",
    "foot": "Foot",
}

PAIN_STOP_ADVICE: tuple[str, ...] = (
    "**Stop this exercise now** and don't repeat it today.",
    "Rest in a comfortable position. Pain that spreads further down the leg "
    "means the exercise is irritating the nerve: tell your physiotherapist or "
    "doctor before you do it again.",
    "If leg pain moves up toward your back (centralises) that is usually a good "
    "sign; if it moves further down the leg, stop and tell your clinician.",
)

CENTRALISED_ADVICE = (
    "That is usually a good sign: the exercise seems to help. Carry on gently."
)
WORSE_ADVICE = (
    "Go gently and keep the movement small. If your symptoms keep getting worse "
    "or spread further down your leg, stop and tell your clinician."
)
NO_BASELINE_STOP = (
    "Your symptoms are worse and reach into your leg. Without an answer from "
    "before the set formcheck cannot tell whether they spread, so to be safe: "
    "stop this exercise."
)


def place_text(place: str) -> str:
    """A symptom place in words (``below_knee`` → ``below the knee``)."""
    return SYMPTOM_PLACES.get(place, place).lower()


def spread_title(before: str, now: str) -> str:
    """The heading shown when symptoms spread further down the leg."""
    return (
        f"Your symptoms spread further down your leg "
        f"(from {place_text(before)} to {place_text(now)})."
    )


def centralised_title(before: str, now: str) -> str:
    """The heading shown when symptoms moved toward the back."""
    return (
        f"Your symptoms moved toward your back "
        f"(from {place_text(before)} to {place_text(now)})."
    )


def spread_note(before: str | None, now: str) -> str:
    """The note stored in a set's record when the exercise is stopped."""
    where = f"from {place_text(before)} " if before else ""
    return (
        f"Symptoms (pain, tingling or numbness) reached further down the leg after "
        f"this set ({where}to {place_text(now)}); the exercise was stopped."
    )


def red_flags_markdown() -> str:
    """The red-flag list as Markdown (title, bullets, GP advice)."""
    lines = [f"**{RED_FLAGS_TITLE}**", ""]
    lines += [f"- {flag}" for flag in RED_FLAGS]
    lines += ["", SEE_GP]
    return "\n".join(lines)


def safety_markdown() -> str:
    """The whole global safety text as Markdown."""
    parts = [
        BEFORE_FIRST_SESSION,
        "",
        "**During exercise**",
        "",
        *[f"- {line}" for line in DURING_EXERCISE],
        "",
        red_flags_markdown(),
        "",
        f"*{NOT_A_MEDICAL_DEVICE}*",
    ]
    return "\n".join(parts)

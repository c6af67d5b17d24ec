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

PAIN_QUESTION = "Did pain or tingling spread further down your leg?"

PAIN_STOP_ADVICE: tuple[str, ...] = (
    "**Stop this exercise now** and don't repeat it today.",
    "Rest in a comfortable position. Pain that spreads further down the leg "
    "means the exercise is irritating the nerve: tell your physiotherapist or "
    "doctor before you do it again.",
    "If leg pain moves up toward your back (centralises) that is usually a good "
    "sign; if it moves further down the leg, stop and tell your clinician.",
)

#: Note stored in a session record when the user answers "yes".
PAIN_SPREAD_NOTE = (
    "User reported that pain or tingling spread further down the leg after this "
    "set; the exercise was stopped."
)
#: Note stored in a session record when the user answers "no".
PAIN_NOT_SPREAD_NOTE = (
    "User reported no spread of pain or tingling down the leg after this set."
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

"""Every sentence formcheck's engine and live pipeline say to a person.

Cues in exercise specs are the spec author's words; everything else a user
reads or hears while exercising comes from here, so wording is changed in one
place and never changes behaviour (logic works on enums such as
:class:`~formcheck.results.RepOutcome`, never on these strings).
"""

from __future__ import annotations

from collections.abc import Sequence

from formcheck.results import HoldStatus, Phase, RepOutcome
from formcheck.verdicts import EventKind, RepVerdict

# ----------------------------------------------------------------- set-up
STEP_INTO_VIEW = "Step into view so the camera can see your whole body."
SEVERAL_PEOPLE = (
    "I can see more than one person: only the person exercising should be in view."
)
HOLD_STILL_TO_START = "Hold still in the start position for a moment."

_VIEW_CUES = {
    "side": "Turn side-on to the camera (your side facing it).",
    "front": "Face the camera.",
    "back": "Turn your back to the camera.",
    "feet_end": "Place the camera at your feet, looking along your body.",
    "head_end": "Place the camera at your head end, looking along your body.",
}

_PART_NAMES = {
    "shoulder": "shoulders",
    "hip": "hips",
    "knee": "knees",
    "ankle": "ankles",
    "heel": "heels",
    "foot_index": "feet",
    "wrist": "hands",
    "elbow": "elbows",
    "ear": "head",
    "nose": "face",
    "index": "hands",
}


def turn_side_to_camera(side: str) -> str:
    """Ask the person to turn one side towards the camera."""
    return f"Turn so your {side} side faces the camera."


def view_cue(wanted_view: str, side: str | None) -> str:
    """How to fix the camera view the spec wants.

    Args:
        wanted_view: The spec's ``camera.view``.
        side: The side that must face the camera, when one is fixed.
    """
    if wanted_view == "side" and side is not None:
        return turn_side_to_camera(side)
    return _VIEW_CUES.get(wanted_view, _VIEW_CUES["head_end"])


def body_parts(parts: Sequence[str]) -> str:
    """Plain names of up to two hidden body parts (``"knees and ankles"``)."""
    return " and ".join(_PART_NAMES.get(p, p + "s") for p in parts[:2])


def cannot_see(parts: Sequence[str]) -> str:
    """Why a check is unknown: the parts it needs are hidden."""
    return f"I can't see your {body_parts(parts)}"


def move_back(parts: Sequence[str]) -> str:
    """The set-up cue when body parts are out of view."""
    return f"{cannot_see(parts)}: move back so your whole body is in the frame."


# ----------------------------------------------------- why a rule is unknown
UNKNOWN_NOBODY = "nobody in view"
UNKNOWN_VIEW_OR_PEOPLE = "camera view or people in view"
UNKNOWN_NOT_CALIBRATED = "waiting for a still start position"
UNKNOWN_CANNOT_MEASURE = "cannot measure"

# ------------------------------------------------------------ repetitions
_OUTCOME_TEXT: dict[RepOutcome, str] = {
    RepOutcome.COUNTED: "",
    RepOutcome.PACED: "paced",
    RepOutcome.NOT_FAR_ENOUGH: "did not go far enough",
    RepOutcome.RANGE_TOO_SMALL: "range of motion too small",
    RepOutcome.TOO_QUICK: "too quick to count",
    RepOutcome.END_NOT_HELD: "end position not held long enough",
    RepOutcome.TOO_LONG: "took too long to count as one repetition",
    RepOutcome.LOST_SIGHT: "lost sight of the movement",
    RepOutcome.OUT_OF_POSITION: "not in the start position",
}


def outcome_text(outcome: RepOutcome) -> str:
    """Why a movement did not count, in plain words (empty when it counted)."""
    return _OUTCOME_TEXT[outcome]


def outcome_for_reason(reason: str, counted: bool) -> RepOutcome:
    """The outcome a reason text stands for (reads records from before outcomes)."""
    for outcome, text in _OUTCOME_TEXT.items():
        if text and text == reason:
            return outcome
    return RepOutcome.COUNTED if counted else RepOutcome.OUT_OF_POSITION


def did_not_count(outcome: RepOutcome) -> str:
    """The tip shown after a real attempt that did not count."""
    return f"That one didn't count: {outcome_text(outcome)}."


# ------------------------------------------------------------- live page
LIVE_WAITING = "Press START to turn on the camera."
LIVE_DONE = "All sets done. Well done!"
LIVE_STOPPED = "Exercise stopped for your safety."


def live_good_position(seconds_left: float) -> str:
    """Positioning is right; counting starts soon."""
    return f"Good position: hold it — counting starts in {seconds_left:.0f} s."


def live_counting(set_number: int, target_sets: int) -> str:
    """The set in progress."""
    return f"Set {set_number} of {target_sets}: counting."


def live_set_done(set_number: int) -> str:
    """A set has ended."""
    return f"Set {set_number} done."


def live_error(error: str | None) -> str:
    """Processing stopped on an error."""
    return f"Stopped: {error}"


# ------------------------------------------------------------ verdicts
_VERDICT_TEXT: dict[RepVerdict, str] = {
    RepVerdict.CORRECT: "correct",
    RepVerdict.WITH_FAULT: "with a fault",
    RepVerdict.PACED: "paced",
    RepVerdict.NOT_COUNTED: "not counted",
}
_EVENT_TEXT: dict[EventKind, str] = {EventKind.FAULT: "fault", EventKind.TIP: "tip"}


def verdict_text(verdict: RepVerdict) -> str:
    """``correct``, ``with a fault``, ``paced`` or ``not counted``."""
    return _VERDICT_TEXT[verdict]


def event_kind_text(kind: EventKind) -> str:
    """``fault`` (made the repetition incorrect) or ``tip`` (did not)."""
    return _EVENT_TEXT[kind]


def check_name(rule_id: str) -> str:
    """A rule id in words (``feet_too_close`` → ``feet too close``)."""
    return rule_id.replace("_", " ")


# --------------------------------------------------------------- holds
_HOLD_TEXT: dict[HoldStatus, str] = {
    HoldStatus.IDLE: "get into the position",
    HoldStatus.CONFIRMING: "keep still: the timer is about to start",
    HoldStatus.HOLDING: "holding",
    HoldStatus.GRACE: "holding (lost sight of you for a moment)",
    HoldStatus.PAUSED: "timer paused: get back into the position",
}
#: Short forms for the video overlay.
_HOLD_SHORT: dict[HoldStatus, str] = {
    HoldStatus.IDLE: "get into position",
    HoldStatus.CONFIRMING: "starting",
    HoldStatus.HOLDING: "holding",
    HoldStatus.GRACE: "holding",
    HoldStatus.PAUSED: "paused",
}


def hold_status_text(status: HoldStatus, short: bool = False) -> str:
    """What the hold timer is doing, in plain words."""
    return (_HOLD_SHORT if short else _HOLD_TEXT)[status]


_PHASE_TEXT: dict[Phase, str] = {
    Phase.SETUP: "getting ready",
    Phase.REST: "at the start",
    Phase.MOVING: "moving",
    Phase.ACTIVE: "in the end position",
}


def movement_phase_text(phase: Phase) -> str:
    """Where the movement is, in plain words (for the video overlay)."""
    return _PHASE_TEXT[phase]

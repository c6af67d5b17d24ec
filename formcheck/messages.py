"""Every sentence formcheck's engine and live pipeline say to a person.

Cues in exercise specs are the spec author's words; everything else a user
reads or hears while exercising comes from here, so wording is changed in one
place and never changes behaviour (logic works on enums such as
:class:`~formcheck.results.RepOutcome`, never on these strings).
"""

from __future__ import annotations

from collections.abc import Sequence

from formcheck.results import RepOutcome

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


_POSTURE_WORDS = {
    "standing": "someone standing",
    "sitting": "someone sitting",
    "kneeling": "someone kneeling upright",
    "all_fours": "someone on hands and knees",
    "lying_back": "someone lying on their back",
    "lying_front": "someone lying on their front",
    "lying_side": "someone lying on their side",
    "lying": "someone lying down",
    "upright": "someone upright",
}
FOLLOWING = (
    "Someone else is in view: I am following the person doing the exercise "
    "and not checking anyone else."
)


def not_recognised(exercise_name: str, posture: str) -> str:
    """The set-up cue when the exercise's posture is not seen."""
    seen = _POSTURE_WORDS.get(str(posture))
    tail = f": I can see {seen}" if seen else ""
    return f"That doesn't look like {exercise_name.lower()}{tail}."


def not_recognised_note(exercise_name: str, posture: str | None) -> str:
    """The record's note when a set never showed the exercise's posture."""
    seen = f"; I could see {posture_words(posture)} instead" if posture else ""
    return f"exercise not recognised: this did not look like {exercise_name.lower()}{seen}"


def posture_words(posture: str) -> str:
    """A posture in plain words ("someone lying on their back")."""
    return _POSTURE_WORDS.get(str(posture), "another position")


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


def too_fast(min_duration_s: float) -> str:
    """The fault of a repetition quicker than the exercise's tempo."""
    return f"Slow down: take at least {min_duration_s:g} s for each repetition."


END_NOT_HELD = "Pause for a moment at the end of each repetition."
SHORT_OF_TARGET = (
    "Go a little further if it is comfortable: that one stopped short of the target."
)
COUNTED_UNFINISHED = "counted at the end of the recording, before the way back"


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

"""Every sentence formcheck's engine and live pipeline say to a person.

Cues in exercise specs are the spec author's words; everything else a user
reads or hears while exercising comes from here, so wording is changed in one
place and never changes behaviour (logic works on enums such as
:class:`~formcheck.results.RepOutcome`, never on these strings).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from formcheck.states import HoldStatus, Phase, RepOutcome
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
    return (
        f"exercise not recognised: this did not look like {exercise_name.lower()}{seen}"
    )


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
COUNTED_UNFINISHED = "counted, though the way back was not seen"


def did_not_count(outcome: RepOutcome) -> str:
    """The tip shown after a real attempt that did not count."""
    return f"That one didn't count: {outcome_text(outcome)}."


# ------------------------------------------------------------- routines
ROUTINE_DONE = "Routine done. Well done!"
TIMED_ONLY = "formcheck only times this one: nothing is checked."

_PAUSED = {
    "user": "Paused. Press Resume when you are ready.",
    "stream": "Paused: the camera stopped. Press START to carry on.",
    "safety": "Stopped for your safety.",
}


def _duration(seconds: float) -> str:
    """``2 minutes``, ``90 seconds``, ``1 minute``."""
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} seconds"


def routine_next(label: str, set_number: int, sets: int) -> str:
    """What comes next: ``Glute bridge`` or ``Glute bridge, set 2 of 3``."""
    return label if sets <= 1 else f"{label}, set {set_number} of {sets}"


def routine_rest(seconds: int, next_label: str, camera: str) -> str:
    """The rest announcement: how long, what comes next, where the camera goes."""
    text = f"Rest for {_duration(seconds)}. Next: {next_label}."
    if camera:
        text += f" {camera}"
    return text


def routine_seconds_left(seconds: int) -> str:
    """A countdown call: ``10 seconds left`` ... ``3``."""
    return f"{seconds} seconds left." if seconds > 3 else f"{seconds}"


def routine_timed_start(label: str, seconds: float) -> str:
    """A timed step begins (formcheck only times it)."""
    return f"{label}: {_duration(seconds)}. Start now."


def routine_exercise_start(label: str, set_number: int, sets: int) -> str:
    """An exercise set begins with the positioning check."""
    return f"{routine_next(label, set_number, sets)}: get into position."


def routine_paused(reason: str) -> str:
    """Why the routine is paused (``user``, ``stream`` or ``safety``)."""
    return _PAUSED.get(reason, _PAUSED["user"])


# ------------------------------------------------------------- live page
LIVE_WAITING = "Press START to turn on the camera."
LIVE_START_HINT = (
    "Once it is on, the whole plan runs by itself: get into position, exercise, "
    "rest, and the next exercise follows. If an error such as *NotAllowedError* "
    "or *NotFoundError* appears under the video instead, see **Camera not "
    "working?** below it."
)
LIVE_NOTHING_PRESCRIBED = (
    "Your therapist has not prescribed any exercise yet. When they have, your "
    "exercises appear here."
)
LIVE_CAMERA_NEVER_STARTED = (
    "The camera has not started. Allow camera access in the browser, check that "
    "it is plugged in and free, then press STOP and START again. See 'Camera not "
    "working?' below the video."
)
LIVE_NO_FRAMES = (
    "No video frames are arriving: is the camera still connected? Press STOP and "
    "START to reconnect (your set so far is saved on STOP)."
)
LIVE_SEVERAL_PEOPLE = (
    "More than one person is in view: only the person exercising should be. "
    "Checks pause until they leave."
)
CAMERA_HELP = (
    "- **NotAllowedError / Permission denied**: allow camera access (click the "
    "camera icon in the address bar), then press START again.\n"
    "- **NotFoundError / Requested device not found**: no camera was found: plug "
    "one in (or pick it with SELECT DEVICE).\n"
    "- **NotReadableError / Could not start video source**: another app or tab is "
    "using the camera: close it.\n"
    "- The camera works only on `http://localhost` or over HTTPS.\n"
    "- Connecting from another network may need a STUN/TURN server: see "
    "`docs/app.md` (`FORMCHECK_ICE_SERVERS`).\n"
    "- Your video is processed on this computer only; nothing is uploaded."
)


def plan_overview(steps: int) -> str:
    """What the run holds, e.g. ``3 steps, one after the other, hands-free``."""
    if steps <= 1:
        return "one exercise; its sets follow each other with a rest in between."
    return f"{steps} steps, one after the other, hands-free."


def live_insecure_origin(host: str | None) -> str:
    """The page was opened over plain http from another machine: no camera."""
    return (
        f"You opened formcheck at {host} over plain http: browsers only allow the "
        "camera on https:// or on http://localhost. Open it on this computer as "
        "http://localhost:8501, or serve it over HTTPS (see docs/app.md)."
    )


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


# ---------------------------------------------------------- side modes
_SIDE_MODE_TEXT = {
    "auto": "the side facing the camera is checked",
    "painful": "your painful side: choose it before you start, and turn it to "
    "the camera",
    "alternating": "both sides, taking turns: each side is counted separately",
    "left": "your left side",
    "right": "your right side",
}


def side_mode_text(mode: str) -> str:
    """Which side an exercise checks, in plain words (a spec's ``side.mode``)."""
    return _SIDE_MODE_TEXT.get(mode, mode)


# ------------------------------------------------- command line and files
def already_running(folder: Path, stem: str) -> str:
    """Another run is writing the same output files."""
    return (
        f"{folder / stem}.*: another formcheck run is writing these files right "
        "now; wait for it to finish, or choose another --out folder"
    )


STOPPING = (
    "stopping: saving what was analysed so far (press Ctrl-C again to stop at "
    "once and save nothing more)"
)
_SIGNAL_NAMES = {2: "Ctrl-C", 15: "SIGTERM"}


def stop_signal_name(signum: int) -> str:
    """How a stop was asked for ("Ctrl-C", "SIGTERM")."""
    return _SIGNAL_NAMES.get(int(signum), f"signal {int(signum)}")


def stopped_early(how: str, frames_done: int, frames_total: int) -> str:
    """The record's note (and the command line's) for a run stopped part-way."""
    of = f" of about {frames_total}" if frames_total > frames_done else ""
    return f"analysis stopped early by {how} after {frames_done}{of} frames"


def stopped_before_start(how: str) -> str:
    """A run stopped before its first frame was analysed."""
    return f"stopped by {how} before any frame was analysed; nothing was written"


#: Said after a problem that cut an analysis short or skipped frames.
RESULTS_SAVED = "the results of every frame analysed were saved"


def video_not_written(problem: str) -> str:
    """The annotated video failed part-way; the analysis went on without it."""
    return f"annotated video not written: {problem}"


VIDEO_NOT_WRITTEN_SAVED = "the session record and tables were saved"


def batch_stopped(how: str, saved: int, videos: int, unstarted: int) -> str:
    """Several videos, stopped part-way."""
    return (
        f"stopped by {how}: {saved} of {videos} videos have their files saved "
        f"(a video stopped part-way is marked as ended early); {unstarted} "
        f"{'was' if unstarted == 1 else 'were'} not started"
    )


INTERRUPTED_AT_ONCE = "interrupted: stopped at once, nothing more was saved"


#: A worker is taken for dead after this many of its heartbeats were missed.
MIN_HEARTBEATS_MISSED = 3


def stalled_too_soon(stalled_after_s: float, heartbeat_s: float) -> str:
    """``formcheck worker``: a live worker would be taken for dead."""
    return (
        f"--stalled-after-s {stalled_after_s:g} must be at least "
        f"{MIN_HEARTBEATS_MISSED} × --heartbeat-s ({MIN_HEARTBEATS_MISSED * heartbeat_s:g} s): "
        "otherwise a worker that is alive is taken for dead and its video is "
        "analysed twice (give every worker the same two values)"
    )

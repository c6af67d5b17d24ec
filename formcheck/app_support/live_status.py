"""What the Live page shows, worked out from a snapshot (no Streamlit here).

The Live page (``pages/1_Live.py``) and its panels (:mod:`.live_panels`,
:mod:`.live_choices`) only lay out widgets; every fraction, clock, line of
text and yes/no about what to show comes from these functions, so they can be
tested without a browser. User text is made safe for Markdown with
:func:`~formcheck.app_support.plain.markdown_text`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlparse

from .live_plan import LivePlan, PlanStep
from .live_snapshot import LivePhase, LiveSnapshot
from .plain import markdown_text as plain
from .routine_runner import RunnerPhase, RunnerView

#: Seconds without a new frame, while the camera plays, before the page warns.
NO_FRAMES_S = 6.0
#: Seconds of "connecting" before the page says the camera never started.
NEVER_PLAYS_S = 15.0

#: Phases in which the run is under way (the choices are locked).
BUSY_PHASES = frozenset(
    {LivePhase.COUNTING, LivePhase.RESTING, LivePhase.TIMED, LivePhase.PAUSED}
)
#: Phases in which nothing is left to save when the stream goes.
_AT_REST_PHASES = frozenset(
    {LivePhase.WAITING, LivePhase.DONE, LivePhase.STOPPED, LivePhase.ERROR}
)
#: Phases in which the control buttons are shown.
_CONTROL_PHASES = frozenset(
    {
        LivePhase.POSITIONING,
        LivePhase.COUNTING,
        LivePhase.RESTING,
        LivePhase.TIMED,
        LivePhase.PAUSED,
    }
)
_LOCAL_HOSTS = (None, "localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Bar:
    """A progress bar: how full (0 to 1) and its label (``None``: none)."""

    fraction: float
    text: str | None = None


@dataclass(frozen=True)
class Countdown:
    """A rest's or timed step's countdown: heading (``What: m:ss``) and bar."""

    title: str
    fraction: float | None


@dataclass(frozen=True)
class Controls:
    """Which control buttons to show.

    Attributes:
        resume: "Resume" instead of "Pause".
        skip: "Skip" (routines only).
        finish: "Finish this set" (while counting).
    """

    resume: bool
    skip: bool
    finish: bool


class CueStyle(StrEnum):
    """How the current cue is shown."""

    TIP = "tip"
    WARNING = "warning"
    INFO = "info"


# ----------------------------------------------------------- the stream
def run_in_progress(stream_active: bool, phase: LivePhase | None) -> bool:
    """Whether the choices are locked: a stream is on or the run is under way."""
    return stream_active or phase in BUSY_PHASES


def stream_lost(playing: bool, signalling: bool, phase: LivePhase) -> bool:
    """The stream is gone while a set may be open (``end_stream`` was missed)."""
    return not playing and not signalling and phase not in _AT_REST_PHASES


def insecure_host(url: str | None) -> str | None:
    """The host name when the page is served over plain HTTP to another machine.

    Browsers refuse the camera to such a page; ``None`` when it is fine
    (HTTPS, or this machine).
    """
    parsed = urlparse(url or "")
    if parsed.scheme == "http" and parsed.hostname not in _LOCAL_HOSTS:
        return parsed.hostname
    return None


def camera_never_started(connecting_since: float | None, now_s: float) -> bool:
    """Whether the camera has been connecting for too long."""
    return connecting_since is not None and now_s - connecting_since > NEVER_PLAYS_S


def no_frames_for(
    playing: bool,
    frames: int,
    seen_frames: int | None,
    seen_at_s: float,
    now_s: float,
) -> float | None:
    """Seconds the frame count has not moved while playing.

    Args:
        playing: Whether the camera plays.
        frames: Frames processed now.
        seen_frames: The count noted last time.
        seen_at_s: When it was noted.
        now_s: The time now.

    Returns:
        ``None`` when frames are coming (or the camera is off): note ``frames``
        and ``now_s`` as seen.
    """
    if playing and frames == seen_frames:
        return now_s - seen_at_s
    return None


# ------------------------------------------------------------ the plan
def plan_lines(plan: LivePlan) -> str:
    """The plan's steps as a numbered Markdown list, with their notes."""
    return "\n".join(
        f"{i + 1}. {plain(s.step.label)}: {plain(s.step.target)}"
        + (f" — {plain(s.notes)}" if s.notes else "")
        for i, s in enumerate(plan.steps)
    )


def step_heading(snap: LiveSnapshot) -> tuple[str, float] | None:
    """A routine's "Step i of n" heading and how far along it is (else ``None``)."""
    view = snap.routine
    if not snap.is_routine or view is None or view.phase is RunnerPhase.DONE:
        return None
    title = f"#### Step {view.step_index + 1} of {view.steps}: {plain(view.label)}" + (
        f" — set {view.set_number} of {view.sets}" if view.sets > 1 else ""
    )
    return title, view.step_index / view.steps


def next_step(plan: LivePlan, view: RunnerView) -> PlanStep:
    """The plan step after the current one (the last one at the end)."""
    return plan.steps[min(view.step_index + 1, len(plan.steps) - 1)]


def summary_table(rows: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The routine summary's rows as plain text (``st.table`` renders Markdown)."""
    return [{k: plain(v) for k, v in row.items()} for row in rows]


# ------------------------------------------------------------- figures
def side_tallies(snap: LiveSnapshot) -> str | None:
    """Reps per side of a rep exercise, on one line (``None``: no sides)."""
    sides = [t for t in snap.tallies if t.side is not None]
    if not sides or snap.kind != "reps":
        return None
    return " · ".join(
        f"{t.side.capitalize()}: {t.counted} ({t.correct} correct, "
        f"{t.incorrect} with a fault)"
        for t in sides
        if t.side is not None
    )


def rep_bar(snap: LiveSnapshot) -> Bar | None:
    """Reps done of the target (``None``: no rep target)."""
    counts = snap.counts
    if counts is None or not counts.target_reps or snap.kind == "hold":
        return None
    done = min(1.0, counts.reps / counts.target_reps)
    reps = "rep" if counts.target_reps == 1 else "reps"
    return Bar(done, f"{counts.reps} of {counts.target_reps} {reps}")


def hold_bar(snap: LiveSnapshot, status: str) -> Bar | None:
    """Seconds held of the target, with the hold's ``status`` text."""
    if snap.counts is None or snap.hold is None:
        return None
    h = snap.hold
    frac = min(1.0, h.held_s / h.target_s) if h.target_s > 0 else 0.0
    return Bar(frac, f"Hold: {h.held_s:.0f} of {h.target_s:.0f} s — {status}")


def positioning_bar(snap: LiveSnapshot) -> Bar:
    """How long the framing has been right, of the time it must stay right."""
    frac = min(1.0, snap.positioning_s / snap.settle_s) if snap.settle_s else 1.0
    return Bar(frac, "Framing and camera view")


def clock_text(seconds: float) -> str:
    """Whole seconds as ``m:ss``."""
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def countdown(snap: LiveSnapshot) -> Countdown | None:
    """The countdown of a rest or timed step (``None`` when there is none)."""
    view = snap.routine
    if view is None or view.remaining_s is None:
        return None
    left = view.remaining_s
    what = "Rest" if snap.phase is LivePhase.RESTING else plain(view.label)
    fraction = (
        max(0.0, min(1.0, 1 - left / view.countdown_s)) if view.countdown_s else None
    )
    return Countdown(f"## {what}: {clock_text(left)}", fraction)


def setup_issues_text(issues: Sequence[str]) -> str:
    """Every set-up problem in view, as the positioning warning."""
    return "**Getting into position.** Counting starts once these are fixed:\n" + (
        "\n".join(f"- {issue}" for issue in issues)
    )


def cue_shown(snap: LiveSnapshot) -> bool:
    """Whether the checker's cue belongs on the page now (and is said)."""
    return snap.cue is not None and snap.phase in (
        LivePhase.POSITIONING,
        LivePhase.COUNTING,
    )


def cue_style(snap: LiveSnapshot) -> CueStyle | None:
    """How to show the cue (``None``: not at all, or already in the set-up list)."""
    cue = snap.cue
    if cue is None or not cue_shown(snap) or cue.text in snap.setup_issues:
        return None
    if cue.kind == "tip":
        return CueStyle.TIP
    if cue.severity in ("warn", "stop"):
        return CueStyle.WARNING
    return CueStyle.INFO


def controls(snap: LiveSnapshot) -> Controls | None:
    """The buttons for when the person is at the computer (``None``: none)."""
    if not snap.is_routine and snap.phase not in (LivePhase.COUNTING, LivePhase.PAUSED):
        return None
    if snap.phase not in _CONTROL_PHASES:
        return None
    return Controls(
        resume=snap.phase is LivePhase.PAUSED,
        skip=snap.is_routine,
        finish=snap.phase is LivePhase.COUNTING,
    )


def go_on_label(snap: LiveSnapshot) -> str | None:
    """After a safety stop in a routine: the next exercise to go on with."""
    view = snap.routine
    if view is None or view.phase is not RunnerPhase.PAUSED or not view.next_label:
        return None
    return view.next_label


def stats_caption(snap: LiveSnapshot) -> str:
    """Frames analysed, speed and backlog, on one line."""
    return (
        f"Frames analysed: {snap.frames_processed} · {snap.fps:.0f} fps · "
        f"{snap.processing_ms:.0f} ms per frame · lag {snap.lag_ms:.0f} ms "
        f"(max {snap.lag_ms_max:.0f})"
    )

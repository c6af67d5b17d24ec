"""What the live pipeline hands to the page: the newest snapshot, finished sets.

:class:`LatestSlot` is the one-item, thread-safe hand-off from the frame
callback's thread to the page; :class:`LiveSnapshot` is what it carries.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

from formcheck.record import SessionRecord, SymptomReport
from formcheck.results import Cue, HoldState, RepTally
from formcheck.specs.schema import ExerciseSpec
from formcheck.store import SessionRef

if TYPE_CHECKING:
    from .routine_runner import RunnerView
    from .set_summary import SetCounts

T = TypeVar("T")


class LivePhase(StrEnum):
    """Where the live pipeline is (see :mod:`formcheck.app_support.live`)."""

    WAITING = "waiting"
    POSITIONING = "positioning"
    COUNTING = "counting"
    RESTING = "resting"
    TIMED = "timed"
    PAUSED = "paused"
    DONE = "done"
    STOPPED = "stopped"
    ERROR = "error"


class LatestSlot(Generic[T]):
    """A bounded, thread-safe hand-off that keeps only the newest item.

    It is a queue of length one that drops the older item on ``put``: the
    producer (the frame callback) never blocks and memory never grows, and
    the consumer (the page) always sees the most recent result.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: T | None = None
        self._version = 0

    def put(self, item: T) -> None:
        """Store ``item``, replacing any older one."""
        with self._lock:
            self._item = item
            self._version += 1

    def get(self) -> T | None:
        """Return the newest item (it stays in the slot), or ``None``."""
        with self._lock:
            return self._item

    def take(self) -> T | None:
        """Return the newest item and empty the slot."""
        with self._lock:
            item, self._item = self._item, None
            return item

    @property
    def version(self) -> int:
        """How many items were ever put (to tell whether something is new)."""
        with self._lock:
            return self._version


@dataclass(frozen=True)
class SavedSet:
    """A finished set: its record and where it was saved.

    Attributes:
        set_number: 1-based set number within its step.
        record: The session record.
        ref: Where the store saved it (``None`` if not saved).
        reason: Why the set ended (``target reached``, ``stream stopped``...).
        save_error: Why it could not be saved, if it could not.
        step_index: The routine step it belongs to (0-based).
    """

    set_number: int
    record: SessionRecord = dataclasses.field(repr=False)
    ref: SessionRef | None
    reason: str
    save_error: str | None = None
    step_index: int = 0

    @property
    def key(self) -> str:
        """Identifies the set within a run (for widget keys)."""
        return f"{self.step_index}_{self.set_number}"


@dataclass(frozen=True)
class LiveSnapshot:
    """What the page shows, published after every processed frame (and tick).

    Attributes:
        seq: Increases with every snapshot.
        phase: Where the processor is (see the module docstring).
        exercise: The current step's name.
        kind: The current exercise's kind (``reps``, ``hold``, ``guided``;
            ``timed`` for a step formcheck only times).
        set_number: Current (or last) set of the step, 1-based; 0 before the first.
        target_sets: Sets to do in the step.
        positioning_s: How long the framing has been right (positioning).
        settle_s: How long it must be right before counting starts.
        message: One line for the page: positioning status or phase.
        cue: The checker's current cue.
        has_person: Whether a person is in view.
        several_people: Whether more than one person was in view for most of
            the last few seconds.
        view_ok: Whether the camera view matches the spec.
        tallies: Reps overall (side ``None``) and per side.
        target_reps: Reps per set, if the exercise counts reps.
        hold: The hold timer, for hold exercises.
        holds_done: Completed holds in this set.
        target_holds: Holds per set, for hold exercises.
        frames_processed: Frames processed since the processor was created.
        fps: Processing rate over the last few seconds.
        processing_ms: Median time to process one frame (pose, check, draw).
        lag_ms: Median backlog: how much later than the promptest frame so far
            a frame reaches the callback (wall time since the stream started
            minus the frame's own time, minus its minimum). Flat = no queue.
        lag_ms_max: The largest such backlog over the last few seconds.
        symptom_question_pending: A set has ended and the symptom question
            about it is due (:attr:`question_set`).
        setup_issues: While positioning, every set-up problem in the latest
            frame (``FrameResult.setup_issues``); empty otherwise.
        saved: The sets finished so far.
        error: What went wrong, if the processor stopped on an error.
        counts: The figures of the set in progress, else of the last set.
        routine: The routine's state (steps, countdowns, what comes next).
        plan_label: What the run is (an exercise's or a routine's name).
        is_routine: Whether the run has more than one step.
        last_symptoms: The latest answer to the symptom question.
        question_set: The set the pending question is about.
        summary_rows: The routine summary, once the run is done.
    """

    seq: int
    phase: LivePhase
    set_number: int
    target_sets: int
    positioning_s: float
    settle_s: float
    message: str
    cue: Cue | None
    has_person: bool
    several_people: bool
    view_ok: bool
    tallies: tuple[RepTally, ...]
    target_reps: int | None
    hold: HoldState | None
    holds_done: int
    target_holds: int | None
    frames_processed: int
    fps: float
    processing_ms: float
    lag_ms: float
    lag_ms_max: float
    symptom_question_pending: bool
    setup_issues: tuple[str, ...] = ()
    saved: tuple[SavedSet, ...] = ()
    error: str | None = None
    exercise: str = ""
    kind: str = "reps"
    counts: SetCounts | None = None
    routine: RunnerView | None = None
    plan_label: str = ""
    is_routine: bool = False
    last_symptoms: SymptomReport | None = None
    question_set: SavedSet | None = None
    summary_rows: tuple[dict[str, str], ...] = ()

    @property
    def reps(self) -> int:
        """Counted repetitions in the current set (all sides)."""
        return next((t.counted for t in self.tallies if t.side is None), 0)

    @property
    def correct(self) -> int:
        """Correct repetitions in the current set."""
        return next((t.correct for t in self.tallies if t.side is None), 0)

    @property
    def incorrect(self) -> int:
        """Counted repetitions with a fault in the current set."""
        return next((t.incorrect for t in self.tallies if t.side is None), 0)


def set_targets(spec: ExerciseSpec) -> tuple[int | None, int | None, int]:
    """``(target_reps, target_holds, target_sets)`` of a spec."""
    if spec.reps is not None:
        return spec.reps.target_reps, None, spec.reps.target_sets
    if spec.guided is not None:
        return spec.guided.target_reps, None, spec.guided.target_sets
    if spec.hold is not None:
        return None, spec.hold.repeats, 1
    return None, None, 1

"""The owner of one set: frames in, a finished session record out.

``formcheck analyze``, the Review page, the Live page and the benchmark all
run a set through :class:`ExerciseSet`; nothing else joins the checker's
results with the session recorder.

Example:
    >>> exercise = ExerciseSet(load_spec("bird_dog"), source=Source.video("clip.mp4", fps=30))  # doctest: +SKIP
    >>> for frame in poses:  # doctest: +SKIP
    ...     result = exercise.update(frame)
    >>> record = exercise.finish()  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from formcheck import messages
from formcheck.engine.checker import FormChecker
from formcheck.landmarks import Side, side_of
from formcheck.prescription import Prescription
from formcheck.record.model import SessionRecord, SourceInfo
from formcheck.record.recorder import SessionRecorder
from formcheck.results import FrameResult, RepTally
from formcheck.specs.schema import ExerciseSpec
from formcheck.types import PoseFrame

NOBODY_FOUND = "nobody was found in any frame"


@dataclass(frozen=True)
class Source:
    """Where a set's frames come from.

    Attributes:
        kind: A video file, a live camera or saved landmarks.
        name: The file name (or ``webcam``).
        fps: Frames per second of the source (0 when unknown).
    """

    kind: Literal["video", "live", "landmarks"]
    name: str
    fps: float = 0.0


class ExerciseSet:
    """One set of one exercise, from the first frame to the session record.

    Args:
        spec: The exercise spec (with any prescription applied).
        side: The user's chosen or painful side.
        source: Where the frames come from.
        patient: Whose set it is, stored in the record.
        prescription: The prescription in force, stored in the record.
    """

    def __init__(
        self,
        spec: ExerciseSpec,
        side: Side | str | None = None,
        *,
        source: Source,
        patient: str | None = None,
        prescription: Prescription | None = None,
    ) -> None:
        self.spec = spec
        self.side = side_of(side) if side is not None else None
        self.source = source
        self.patient = patient
        self.prescription = prescription
        self.checker = FormChecker(spec, side=self.side)
        self.recorder = SessionRecorder(spec, side=self.side)
        self._last_ms = 0.0

    def update(self, frame: PoseFrame) -> FrameResult:
        """Check and record one frame."""
        result = self.checker.update(frame)
        self.recorder.add(result)
        self._last_ms = frame.timestamp_ms
        return result

    @property
    def frames(self) -> int:
        """Frames seen so far."""
        return self.recorder.frames

    @property
    def frames_with_person(self) -> int:
        """Frames in which a person was found."""
        return self.recorder.frames_with_person

    def tallies(self) -> tuple[RepTally, ...]:
        """Counted and correct repetitions so far, overall and per side."""
        return self.checker.tallies()

    @property
    def holds_completed(self) -> int:
        """Holds that reached their minimum so far."""
        return sum(h.completed for h in self.checker.holds)

    def finish(
        self,
        *,
        warnings: list[str] | None = None,
        problem: str | None = None,
        fps: float | None = None,
        duration_s: float | None = None,
    ) -> SessionRecord:
        """Close the set and build its session record.

        Args:
            warnings: Notes for the record (e.g. why the set ended).
            problem: Why the source ended early, if it did.
            fps: The rate to record, when not the source's (e.g. live).
            duration_s: The duration to record (default: frames / fps).
        """
        self.checker.finish()
        recorder = self.recorder
        rate = self.source.fps if fps is None else fps
        if duration_s is None:
            duration_s = recorder.frames / rate if rate else 0.0
        width, height = recorder.resolution_wh
        source = SourceInfo(
            kind=self.source.kind,
            name=self.source.name,
            fps=rate,
            width=width,
            height=height,
            duration_s=round(duration_s, 3),
            frames=recorder.frames,
            frames_with_person=recorder.frames_with_person,
            frames_with_several_people=recorder.frames_with_several_people,
            ended_early=problem is not None,
            problem=problem,
        )
        notes = list(warnings or [])
        if recorder.frames_with_person == 0:
            notes.append(NOBODY_FOUND)
        recognised, seen = self.checker.recognised()
        if not recognised:
            notes.append(messages.not_recognised_note(self.spec.name, seen))
        record = recorder.build(
            self.checker.reps, self.checker.holds, self.checker.faults, source, notes
        )
        if not recognised:
            summary = record.summary.model_copy(
                update={"recognised": False, "posture_seen": seen}
            )
            record = record.model_copy(update={"summary": summary})
        update: dict[str, Any] = {}
        if self.patient is not None:
            update["patient"] = self.patient
        if self.prescription is not None:
            update["prescription"] = self.prescription.model_dump(mode="json")
        return record.model_copy(update=update) if update else record

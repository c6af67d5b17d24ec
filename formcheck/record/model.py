"""The session record: what a reviewer or therapist loads back.

A session is a versioned JSON document (``format: formcheck-session``,
``format_version: 1``) holding the exercise and spec revision, the side,
every repetition and hold with its faults, the fault timeline, and the
per-frame signals and the landmarks to replay it as a skeleton
(:mod:`formcheck.record.landmarks`). It holds **no video**: a patient can
share movement data without sharing footage. The per-repetition and per-hold tables render as
CSV text. Reading and writing files is :mod:`formcheck.record.files`'s job.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from formcheck._version import __version__
from formcheck.clinic import SymptomLocation
from formcheck.errors import SessionFileError
from formcheck.landmarks import Side
from formcheck.messages import verdict_text
from formcheck.record.landmarks import LandmarkTrack
from formcheck.results import FaultEvent, HoldRecord, OptFloat, Phase, RepRecord
from formcheck.verdicts import rep_verdict

FORMAT: Literal["formcheck-session"] = "formcheck-session"
FORMAT_VERSION: Literal[1] = 1

#: Largest count a record may hold (frames, repetitions, pixels, ...): far
#: above any real session, far below what breaks arithmetic or a plot.
MAX_COUNT = 10_000_000
#: The highest frame rate a record holds for its source.
MAX_SOURCE_FPS = 10_000.0
#: A count: a whole number from 0 to :data:`MAX_COUNT`.
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
#: A duration or time in seconds: finite and not negative.
Seconds = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExerciseInfo(_Model):
    """Which exercise and spec revision produced the session."""

    id: str
    name: str
    revision: int
    kind: str
    camera_view: str
    posture: str


def _readable_name(value: Any) -> Any:
    """A file name as text JSON can hold: bytes that were not UTF-8 become U+FFFD.

    Python keeps such bytes of a file name as lone surrogates, which no JSON
    encoder accepts; the record keeps a readable name instead.
    """
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


class SourceInfo(_Model):
    """Where the frames came from."""

    kind: Literal["video", "live", "landmarks"]
    name: Annotated[str, BeforeValidator(_readable_name)]
    fps: float = Field(ge=0.0, le=MAX_SOURCE_FPS)
    width: Count
    height: Count
    duration_s: Seconds
    frames: Count
    frames_with_person: Count
    frames_with_several_people: Count = 0
    ended_early: bool = False
    problem: str | None = None


class SideSummary(_Model):
    """Repetition counts for one side (or all)."""

    side: Side | None
    reps: Count
    correct: Count
    incorrect: Count


class Summary(_Model):
    """Totals for the session."""

    reps: Count
    correct: Count
    incorrect: Count
    per_side: list[SideSummary]
    attempts_not_counted: Count
    holds: Count
    holds_completed: Count
    longest_hold_s: Seconds
    total_hold_s: Seconds
    fault_counts: dict[str, Count]
    mean_range_of_motion: OptFloat
    faults: Count = Field(
        default=0,
        description="Reported faults: problems that made their repetition incorrect "
        "(between repetitions: severity warn). See formcheck.verdicts.",
    )
    tips: Count = Field(
        default=0,
        description="Reported tips: problems that did not make a repetition "
        "incorrect (between repetitions: severity info).",
    )
    recognised: bool = Field(
        default=True,
        description="False when the exercise's posture was never seen, only another one.",
    )
    posture_seen: str | None = Field(
        default=None,
        description="When not recognised: the posture seen instead (e.g. 'all_fours').",
    )


class SignalTrack(_Model):
    """Per-frame signals (smoothed), with their units.

    Every per-frame list has one entry per time in ``t_s`` (checked).
    """

    t_s: list[Annotated[float, Field(allow_inf_nan=False)]]
    phase: list[Phase]
    side: list[Side | None]
    cue: list[str | None]
    units: dict[str, str]
    values: dict[str, list[OptFloat]]

    @model_validator(mode="after")
    def _one_entry_per_frame(self) -> SignalTrack:
        frames = len(self.t_s)
        series: dict[str, int] = {
            "phase": len(self.phase),
            "side": len(self.side),
            "cue": len(self.cue),
        }
        series.update({f"values.{k}": len(v) for k, v in self.values.items()})
        for name, length in series.items():
            if length != frames:
                raise ValueError(
                    f"{name} has {length} entries but t_s has {frames} "
                    "(one per frame expected)"
                )
        return self


class SymptomReport(_Model):
    """Where the person's symptoms were right after the set, as they answered.

    Attributes:
        location: Where the symptoms reach now (none ... foot).
        worse: Whether they feel worse than before the set.
        before: Where they reached before the set, if known (the answer after
            the previous set, or one asked before the first).
        answered_utc: When they answered (ISO time, UTC).
    """

    location: SymptomLocation
    worse: bool
    before: SymptomLocation | None = None
    answered_utc: str

    @property
    def spread(self) -> bool:
        """Symptoms reach further down the leg than before the set (stop sign)."""
        return self.before is not None and self.location.rank > self.before.rank

    @property
    def centralised(self) -> bool:
        """Symptoms moved out of the leg toward the back (a good sign)."""
        return self.before is not None and self.location.rank < self.before.rank


class SessionGroup(_Model):
    """The routine run a set belongs to: every set of one run shares the ``id``.

    Attributes:
        id: The run's id (the same in every record of the run).
        label: What the run was, e.g. the routine's name.
        routine: The routine's id, if it was a routine file.
        started_utc: When the run started (ISO time, UTC).
        step: This set's step in the run, 1-based.
        steps: Steps in the run.
        set_number: This set's number within its step, 1-based.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    label: str
    routine: str | None = None
    started_utc: str
    step: int = Field(ge=1)
    steps: int = Field(ge=1)
    set_number: int = Field(ge=1)


class SessionRecord(_Model):
    """A whole session, as saved to JSON."""

    format: Literal["formcheck-session"] = FORMAT
    format_version: Literal[1] = FORMAT_VERSION
    formcheck_version: str = __version__
    created_utc: str = Field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )
    exercise: ExerciseInfo
    side_mode: str
    side: str | None
    source: SourceInfo
    summary: Summary
    reps: list[RepRecord]
    holds: list[HoldRecord]
    faults: list[FaultEvent]
    signals: SignalTrack
    warnings: list[Annotated[str, BeforeValidator(_readable_name)]] = Field(
        default_factory=list
    )
    prescription: dict[str, Any] | None = None
    patient: str | None = None
    symptoms: list[SymptomReport] = Field(
        default_factory=list,
        description="The symptom question's answers after the set (usually one).",
    )
    group: SessionGroup | None = Field(
        default=None,
        description="The routine run this set belongs to (all its sets share it).",
    )
    landmarks: LandmarkTrack | None = Field(
        default=None,
        description="Per-frame landmarks to replay the set (None in older records).",
    )

    def to_json(self) -> str:
        """Serialise to JSON text."""
        return self.model_dump_json(indent=1)

    def reps_csv(self) -> str:
        """Return the per-repetition table as CSV text.

        ``verdict`` is ``correct``, ``with a fault`` or ``not counted``
        (:mod:`formcheck.verdicts`); ``faults`` lists the checks that made the
        repetition incorrect and ``tips`` those that did not.
        """
        buffer = io.StringIO()
        signal_names = list(self.signals.units)
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "index",
                "side",
                "start_s",
                "end_s",
                "duration_s",
                "active_s",
                "counted",
                "correct",
                "verdict",
                "reason",
                "range_of_motion",
                "faults",
                "tips",
                *[f"{n}_min" for n in signal_names],
                *[f"{n}_max" for n in signal_names],
            ]
        )
        for r in self.reps:
            writer.writerow(
                [
                    r.index,
                    r.side or "",
                    r.start_s,
                    r.end_s,
                    r.duration_s,
                    r.active_s,
                    r.counted,
                    r.correct,
                    verdict_text(rep_verdict(r)),
                    r.reason,
                    "" if r.range_of_motion is None else r.range_of_motion,
                    ";".join(r.faults),
                    ";".join(r.tips),
                    *[
                        "" if r.signal_min.get(n) is None else r.signal_min[n]
                        for n in signal_names
                    ],
                    *[
                        "" if r.signal_max.get(n) is None else r.signal_max[n]
                        for n in signal_names
                    ],
                ]
            )
        return buffer.getvalue()

    def holds_csv(self) -> str:
        """Return the holds table as CSV text."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "index",
                "side",
                "start_s",
                "end_s",
                "held_s",
                "min_s",
                "target_s",
                "completed",
                "faults",
            ]
        )
        for h in self.holds:
            writer.writerow(
                [
                    h.index,
                    h.side or "",
                    h.start_s,
                    h.end_s,
                    h.held_s,
                    h.min_s,
                    h.target_s,
                    h.completed,
                    ";".join(h.faults),
                ]
            )
        return buffer.getvalue()


class _NotFiniteError(ValueError):
    """A JSON number that is NaN or infinite (``NaN``, ``Infinity``, ``1e999``)."""


def _not_finite(constant: str) -> float:
    raise _NotFiniteError(constant)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFiniteError(text)
    return value


def parse_session(source: str | bytes, name: str) -> SessionRecord:
    """Parse a session record from JSON text (or UTF-8 bytes).

    Args:
        source: The JSON document.
        name: What to call the source in messages (a file name).

    Raises:
        SessionFileError: Naming the source and what is wrong with it.
    """
    try:
        text = source.decode("utf-8") if isinstance(source, bytes) else source
        data = json.loads(text, parse_constant=_not_finite, parse_float=_finite_float)
    except _NotFiniteError as exc:
        raise SessionFileError(
            f"{name}: {exc} is not a number formcheck writes (a missing value is null)"
        ) from None
    except UnicodeDecodeError as exc:
        raise SessionFileError(f"{name}: cannot read the file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise SessionFileError(
            f"{name}: not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    except ValueError:
        # json turns digits into an int at once; Python refuses very long ones.
        import sys

        raise SessionFileError(
            f"{name}: holds a number with more than {sys.get_int_max_str_digits()} "
            "digits, which formcheck never writes"
        ) from None
    except RecursionError:
        raise SessionFileError(f"{name}: JSON nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionFileError(
            f'{name}: not a formcheck session file (no "format": "{FORMAT}")'
        )
    if data.get("format_version") != FORMAT_VERSION:
        raise SessionFileError(
            f"{name}: session format version {data.get('format_version')!r} is not supported "
            f"(this formcheck reads version {FORMAT_VERSION})"
        )
    try:
        return SessionRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SessionFileError(f"{name}: {where}: {first['msg']}") from None

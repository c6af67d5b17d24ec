"""The session record: what a reviewer or therapist loads back.

A session is a versioned JSON document (``format: formcheck-session``,
``format_version: 1``) holding the exercise and spec revision, the side,
every repetition and hold with its faults, the fault timeline, and the
per-frame signals. It holds **no video**: a patient can share movement data
without sharing footage. A per-repetition CSV is written beside it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from formcheck import __version__
from formcheck.errors import OutputError, SessionFileError
from formcheck.results import FaultEvent, FrameResult, HoldRecord, RepRecord
from formcheck.signals import signal_units
from formcheck.specs.schema import ExerciseSpec

FORMAT: Literal["formcheck-session"] = "formcheck-session"
FORMAT_VERSION: Literal[1] = 1

OptFloat = float | None


def _f(value: float, digits: int = 3) -> OptFloat:
    return round(float(value), digits) if math.isfinite(value) else None


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


class SourceInfo(_Model):
    """Where the frames came from."""

    kind: Literal["video", "live", "landmarks"]
    name: str
    fps: float
    width: int
    height: int
    duration_s: float
    frames: int
    frames_with_person: int
    frames_with_several_people: int = 0
    ended_early: bool = False
    problem: str | None = None


class RepEntry(_Model):
    """One repetition or uncounted attempt."""

    index: int
    side: str | None
    start_s: float
    end_s: float
    duration_s: float
    active_s: float
    counted: bool
    correct: bool
    reason: str
    faults: list[str]
    cues: list[str]
    range_of_motion: OptFloat
    signal_min: dict[str, OptFloat]
    signal_max: dict[str, OptFloat]


class HoldEntry(_Model):
    """One hold."""

    index: int
    side: str | None
    start_s: float
    end_s: float
    held_s: float
    min_s: float
    target_s: float
    completed: bool
    faults: list[str]


class FaultEntry(_Model):
    """One reported fault."""

    rule_id: str
    cue: str
    severity: str
    start_s: float
    end_s: float
    worst_value: OptFloat
    side: str | None
    rep_index: int | None


class SideSummary(_Model):
    """Repetition counts for one side (or all)."""

    side: str | None
    reps: int
    correct: int
    incorrect: int


class Summary(_Model):
    """Totals for the session."""

    reps: int
    correct: int
    incorrect: int
    per_side: list[SideSummary]
    attempts_not_counted: int
    holds: int
    holds_completed: int
    longest_hold_s: float
    total_hold_s: float
    fault_counts: dict[str, int]
    mean_range_of_motion: OptFloat


class SignalTrack(_Model):
    """Per-frame signals (smoothed), with their units."""

    t_s: list[float]
    phase: list[str]
    side: list[str | None]
    cue: list[str | None]
    units: dict[str, str]
    values: dict[str, list[OptFloat]]


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
    reps: list[RepEntry]
    holds: list[HoldEntry]
    faults: list[FaultEntry]
    signals: SignalTrack
    warnings: list[str] = Field(default_factory=list)
    prescription: dict[str, Any] | None = None
    patient: str | None = None

    def to_json(self) -> str:
        """Serialise to JSON text."""
        return self.model_dump_json(indent=1)

    def reps_csv(self) -> str:
        """Return the per-repetition table as CSV text."""
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
                "reason",
                "range_of_motion",
                "faults",
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
                    r.reason,
                    "" if r.range_of_motion is None else r.range_of_motion,
                    ";".join(r.faults),
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

    def save(self, folder: str | Path, stem: str) -> dict[str, Path]:
        """Write ``<stem>.session.json`` and ``<stem>.reps.csv`` (and holds CSV).

        Returns:
            The paths written, by kind.

        Raises:
            OutputError: If the folder cannot be written.
        """
        folder = Path(folder)
        paths = {
            "json": folder / f"{stem}.session.json",
            "csv": folder / f"{stem}.reps.csv",
        }
        if self.holds:
            paths["holds_csv"] = folder / f"{stem}.holds.csv"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            paths["json"].write_text(self.to_json(), encoding="utf-8")
            paths["csv"].write_text(self.reps_csv(), encoding="utf-8")
            if self.holds:
                paths["holds_csv"].write_text(self.holds_csv(), encoding="utf-8")
        except OSError as exc:
            raise OutputError(
                f"{folder}: cannot write the session files ({exc.strerror or exc})"
            ) from None
        return paths


class SessionRecorder:
    """Collects frame results and builds a :class:`SessionRecord`.

    Args:
        spec: The exercise spec used.
        side_mode: The side mode in force.
        side: The side chosen by the user, if any.
        keep_every: Keep every n-th frame of the per-frame signals (1 = all).
    """

    def __init__(
        self, spec: ExerciseSpec, side: str | None = None, keep_every: int = 1
    ) -> None:
        self.spec = spec
        self.side = side
        self.keep_every = max(1, keep_every)
        self._names = list(spec.signals)
        self._t: list[float] = []
        self._phase: list[str] = []
        self._side: list[str | None] = []
        self._cue: list[str | None] = []
        self._values: dict[str, list[OptFloat]] = {n: [] for n in self._names}
        self._frames = 0
        self._with_person = 0
        self._several = 0
        self._near: dict[str, int] = {}

    def add(self, result: FrameResult) -> None:
        """Record one frame."""
        self._frames += 1
        if result.pose.has_person:
            self._with_person += 1
            if result.near_side:
                self._near[result.near_side] = self._near.get(result.near_side, 0) + 1
        if result.pose.num_people > 1:
            self._several += 1
        if (self._frames - 1) % self.keep_every:
            return
        self._t.append(round(result.timestamp_ms / 1000.0, 3))
        self._phase.append(result.phase)
        self._side.append(result.work_side)
        self._cue.append(result.cue.text if result.cue else None)
        for n in self._names:
            self._values[n].append(_f(result.signals.get(n, math.nan), 2))

    @property
    def frames(self) -> int:
        """Frames recorded."""
        return self._frames

    @property
    def frames_with_person(self) -> int:
        """Frames in which a person was found."""
        return self._with_person

    @property
    def frames_with_several_people(self) -> int:
        """Frames in which more than one person was seen."""
        return self._several

    def build(
        self,
        reps: list[RepRecord],
        holds: list[HoldRecord],
        faults: list[FaultEvent],
        source: SourceInfo,
        warnings: list[str] | None = None,
    ) -> SessionRecord:
        """Assemble the record."""
        spec = self.spec
        rep_entries = [
            RepEntry(
                index=r.index,
                side=r.side,
                start_s=round(r.start_s, 3),
                end_s=round(r.end_s, 3),
                duration_s=round(r.duration_s, 3),
                active_s=round(r.active_s, 3),
                counted=r.counted,
                correct=r.correct,
                reason=r.reason,
                faults=list(r.faults),
                cues=list(r.cues),
                range_of_motion=_f(r.range_of_motion, 2),
                signal_min={k: _f(v, 2) for k, v in r.signal_min.items()},
                signal_max={k: _f(v, 2) for k, v in r.signal_max.items()},
            )
            for r in reps
        ]
        counted = [r for r in rep_entries if r.counted]
        sides: list[str | None] = [None]
        if spec.side.mode == "alternating":
            sides += ["left", "right"]
        per_side = []
        for s in sides:
            mine = [r for r in counted if s is None or r.side == s]
            ok = sum(r.correct for r in mine)
            per_side.append(
                SideSummary(
                    side=s, reps=len(mine), correct=ok, incorrect=len(mine) - ok
                )
            )
        fault_counts: dict[str, int] = {}
        for f in faults:
            fault_counts[f.rule_id] = fault_counts.get(f.rule_id, 0) + 1
        roms = [r.range_of_motion for r in counted if r.range_of_motion is not None]
        hold_entries = [
            HoldEntry(
                index=h.index,
                side=h.side,
                start_s=round(h.start_s, 3),
                end_s=round(h.end_s, 3),
                held_s=round(h.held_s, 2),
                min_s=h.min_s,
                target_s=h.target_s,
                completed=h.completed,
                faults=list(h.faults),
            )
            for h in holds
        ]
        summary = Summary(
            reps=len(counted),
            correct=sum(r.correct for r in counted),
            incorrect=sum(not r.correct for r in counted),
            per_side=per_side,
            attempts_not_counted=sum(not r.counted for r in rep_entries),
            holds=len(hold_entries),
            holds_completed=sum(h.completed for h in hold_entries),
            longest_hold_s=max((h.held_s for h in hold_entries), default=0.0),
            total_hold_s=round(sum(h.held_s for h in hold_entries), 2),
            fault_counts=fault_counts,
            mean_range_of_motion=_f(sum(roms) / len(roms), 2) if roms else None,
        )
        near = max(self._near, key=lambda k: self._near[k]) if self._near else None
        return SessionRecord(
            exercise=ExerciseInfo(
                id=spec.id,
                name=spec.name,
                revision=spec.revision,
                kind=spec.kind,
                camera_view=spec.camera.view,
                posture=spec.posture,
            ),
            side_mode=spec.side.mode,
            side=self.side or (near if spec.side.mode in ("auto", "painful") else None),
            source=source,
            summary=summary,
            reps=rep_entries,
            holds=hold_entries,
            faults=[
                FaultEntry(
                    rule_id=f.rule_id,
                    cue=f.cue,
                    severity=f.severity,
                    start_s=round(f.start_s, 3),
                    end_s=round(f.end_s, 3),
                    worst_value=_f(f.worst_value, 3),
                    side=f.side,
                    rep_index=f.rep_index,
                )
                for f in faults
            ],
            signals=SignalTrack(
                t_s=self._t,
                phase=self._phase,
                side=self._side,
                cue=self._cue,
                units=signal_units(spec),
                values=self._values,
            ),
            warnings=warnings or [],
        )


def load_session(source: str | Path | bytes) -> SessionRecord:
    """Load a session JSON file (or its bytes, e.g. an upload).

    Raises:
        SessionFileError: Naming the file and what is wrong with it.
    """
    name = "uploaded session" if isinstance(source, bytes) else str(source)
    try:
        if isinstance(source, bytes):
            text = source.decode("utf-8")
        else:
            path = Path(source)
            if not path.is_file():
                raise SessionFileError(f"{path}: no such session file")
            text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except SessionFileError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{name}: cannot read the file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise SessionFileError(
            f"{name}: not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
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

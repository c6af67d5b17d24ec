"""Collect per-frame results of one set and assemble its session record."""

from __future__ import annotations

import math

from formcheck.record.model import (
    ExerciseInfo,
    FaultEntry,
    HoldEntry,
    OptFloat,
    RepEntry,
    SessionRecord,
    SideSummary,
    SignalTrack,
    SourceInfo,
    Summary,
)
from formcheck.results import FaultEvent, FrameResult, HoldRecord, RepRecord
from formcheck.signals import signal_units
from formcheck.specs.schema import ExerciseSpec


def _f(value: float, digits: int = 3) -> OptFloat:
    return round(float(value), digits) if math.isfinite(value) else None


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

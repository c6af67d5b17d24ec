"""Collect the per-frame results of one set and assemble its session record."""

from __future__ import annotations

import math
from collections.abc import Sequence

from formcheck.landmarks import SIDED_PARTS, Side, landmark_index
from formcheck.record.landmarks import LandmarkCollector
from formcheck.record.model import (
    ExerciseInfo,
    SessionRecord,
    SideSummary,
    SignalTrack,
    SourceInfo,
    Summary,
)
from formcheck.results import (
    FaultEvent,
    FrameResult,
    HoldRecord,
    OptFloat,
    Phase,
    RepRecord,
    rounded,
    tally,
)
from formcheck.signals import signal_units
from formcheck.specs.schema import ExerciseSpec, TurnSignal
from formcheck.verdicts import split_events


def world_points(spec: ExerciseSpec) -> tuple[int, ...]:
    """Landmarks whose world coordinates a spec's signals read (e.g. a turn)."""
    found: set[int] = set()
    for signal in spec.signals.values():
        if isinstance(signal, TurnSignal):
            for ref in signal.point_refs():
                _, _, part = ref.partition(".")
                if part in SIDED_PARTS:
                    found.update(landmark_index(part, side) for side in Side)
    return tuple(sorted(found))


def summarise(
    reps: Sequence[RepRecord],
    holds: Sequence[HoldRecord],
    faults: Sequence[FaultEvent],
    per_side: bool,
) -> Summary:
    """Totals of a set: repetitions (per side), holds, faults, range of motion."""
    tallies = tally(list(reps), per_side)
    fault_counts: dict[str, int] = {}
    for f in faults:
        fault_counts[f.rule_id] = fault_counts.get(f.rule_id, 0) + 1
    counted = [r for r in reps if r.counted]
    roms = [r.range_of_motion for r in counted if r.range_of_motion is not None]
    total = tallies[0]
    fault_events, tip_events = split_events(faults, reps)
    return Summary(
        reps=total.counted,
        correct=total.correct,
        incorrect=total.incorrect,
        per_side=[
            SideSummary(
                side=t.side, reps=t.counted, correct=t.correct, incorrect=t.incorrect
            )
            for t in tallies
        ],
        attempts_not_counted=sum(not r.counted for r in reps),
        holds=len(holds),
        holds_completed=sum(h.completed for h in holds),
        longest_hold_s=max((h.held_s for h in holds), default=0.0),
        total_hold_s=round(sum(h.held_s for h in holds), 2),
        fault_counts=fault_counts,
        mean_range_of_motion=rounded(sum(roms) / len(roms), 2) if roms else None,
        faults=len(fault_events),
        tips=len(tip_events),
    )


class SessionRecorder:
    """Collects frame results and builds a :class:`SessionRecord`.

    Args:
        spec: The exercise spec used.
        side: The side chosen by the user, if any.
        keep_every: Keep every n-th frame of the per-frame signals (1 = all).
    """

    def __init__(
        self, spec: ExerciseSpec, side: Side | None = None, keep_every: int = 1
    ) -> None:
        self.spec = spec
        self.side = side
        self.keep_every = max(1, keep_every)
        self._names = list(spec.signals)
        self._t: list[float] = []
        self._phase: list[Phase] = []
        self._side: list[Side | None] = []
        self._cue: list[str | None] = []
        self._values: dict[str, list[OptFloat]] = {n: [] for n in self._names}
        self._frames = 0
        self._with_person = 0
        self._several = 0
        self._near: dict[Side, int] = {}
        self._resolution_wh: tuple[int, int] | None = None
        self._landmarks = LandmarkCollector(world_points(spec))

    def add(self, result: FrameResult) -> None:
        """Record one frame."""
        self._frames += 1
        if self._resolution_wh is None:
            self._resolution_wh = result.pose.resolution_wh
        if result.pose.has_person:
            self._with_person += 1
            worked = result.work_side or result.near_side
            if worked:
                self._near[worked] = self._near.get(worked, 0) + 1
        if result.pose.num_people > 1:
            self._several += 1
        pose = result.pose
        self._landmarks.add(
            pose.xy,
            pose.visibility,
            result.timestamp_ms,
            pose.num_people,
            pose.resolution_wh,
            pose.xyz_world,
        )
        if (self._frames - 1) % self.keep_every:
            return
        self._t.append(round(result.timestamp_ms / 1000.0, 3))
        self._phase.append(result.phase)
        self._side.append(result.work_side)
        self._cue.append(result.cue.text if result.cue else None)
        for n in self._names:
            self._values[n].append(rounded(result.signals.get(n, math.nan), 2))

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

    @property
    def resolution_wh(self) -> tuple[int, int]:
        """Frame size of the first frame (``(0, 0)`` before any frame)."""
        return self._resolution_wh or (0, 0)

    def build(
        self,
        reps: Sequence[RepRecord],
        holds: Sequence[HoldRecord],
        faults: Sequence[FaultEvent],
        source: SourceInfo,
        warnings: list[str] | None = None,
    ) -> SessionRecord:
        """Assemble the record."""
        spec = self.spec
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
            summary=summarise(reps, holds, faults, spec.side.mode == "alternating"),
            reps=list(reps),
            holds=list(holds),
            faults=list(faults),
            signals=SignalTrack(
                t_s=self._t,
                phase=self._phase,
                side=self._side,
                cue=self._cue,
                units=signal_units(spec),
                values=self._values,
            ),
            warnings=warnings or [],
            landmarks=self._landmarks.track(source.fps),
        )

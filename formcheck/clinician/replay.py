"""Replay a session from its stored landmarks, and how well it was tracked.

A session record keeps the landmarks of every frame
(:mod:`formcheck.record.landmarks`). Running the engine over them again
(:class:`~formcheck.engine.ExerciseSet` fed by a replay of the poses) gives,
per frame, what the checker saw: the near and working side, whether the
camera view matched the spec, every signal and every rule's state. The
therapist's skeleton replay draws these (drawing lives in
:mod:`formcheck.app_support.replay_figure`), and the tracking quality of each
repetition comes from them.

Example:
    >>> replay = Replay.of(record, load_spec(record.exercise.id))  # doctest: +SKIP
    >>> item = items_of(record)[0]  # doctest: +SKIP
    >>> tracking_quality(replay, item).trust  # doctest: +SKIP
    <Trust.GOOD: 'good'>
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from formcheck.engine.exercise_set import ExerciseSet, Source
from formcheck.errors import FormcheckError, SessionFileError
from formcheck.landmarks import Side
from formcheck.pose.replay import ReplayPoseEstimator
from formcheck.prescription import Prescription, apply_prescription
from formcheck.record.model import SessionRecord
from formcheck.results import FrameResult, ObservedView, RuleState, RuleStatus
from formcheck.signals import BodyContext, resolve_point
from formcheck.specs.schema import ExerciseSpec
from formcheck.types import PoseSequence

from . import texts
from .model import ItemKind, Light, Trust

#: Shares of frames (key landmarks visible and view right) for each trust level.
GOOD_SHARE = 0.9
FAIR_SHARE = 0.7


def record_spec(record: SessionRecord, spec: ExerciseSpec) -> ExerciseSpec:
    """``spec`` with the prescription the session was recorded under applied.

    A prescription that no longer fits the spec is left out (the plain spec
    is used).
    """
    if not record.prescription:
        return spec
    try:
        prescription = Prescription.model_validate(record.prescription)
        return apply_prescription(spec, prescription)
    except (ValidationError, FormcheckError):
        return spec


def record_side(record: SessionRecord) -> Side | None:
    """The side the patient chose, for specs that work on a chosen side."""
    if record.side_mode == "painful" and record.side in (Side.LEFT, Side.RIGHT):
        return Side(record.side)
    return None


def run_checks(
    sequence: PoseSequence, spec: ExerciseSpec, side: Side | None = None
) -> tuple[SessionRecord, tuple[FrameResult, ...]]:
    """Run the engine over recorded poses, as ``formcheck analyze`` would.

    Args:
        sequence: The poses.
        spec: The spec (with any prescription applied).
        side: The patient's chosen side, if any.

    Returns:
        The session record of this run and every frame's result.
    """
    exercise = ExerciseSet(
        spec, side, source=Source("landmarks", "replay", sequence.fps)
    )
    results = tuple(
        exercise.update(pose) for pose in ReplayPoseEstimator(sequence).frames()
    )
    return exercise.finish(), results


@dataclass(frozen=True)
class Replay:
    """A session's frames, checked again from its stored landmarks.

    Attributes:
        spec: The spec the frames were checked with.
        sequence: The decoded landmarks.
        results: One result per frame.
        rerun: The record this run produced (its reps, holds and faults).
        notes: Sentences for the therapist about how the replay may differ.
    """

    spec: ExerciseSpec
    sequence: PoseSequence
    results: tuple[FrameResult, ...]
    rerun: SessionRecord
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, record: SessionRecord, spec: ExerciseSpec) -> Replay:
        """Check a stored session again (same prescription and side).

        Args:
            record: The session record (it must hold landmarks).
            spec: The exercise's current spec.

        Raises:
            SessionFileError: If the record holds no landmarks, or they are
                corrupt.
        """
        if record.landmarks is None:
            raise SessionFileError(texts.NO_LANDMARKS)
        sequence = record.landmarks.decode()
        used = record_spec(record, spec)
        rerun, results = run_checks(sequence, used, record_side(record))
        notes: list[str] = []
        if spec.revision != record.exercise.revision:
            notes.append(
                texts.SPEC_CHANGED.format(
                    recorded=record.exercise.revision, current=spec.revision
                )
            )
        if rerun.summary.reps != record.summary.reps:
            notes.append(
                texts.REPLAY_DIFFERS.format(
                    replayed=rerun.summary.reps, recorded=record.summary.reps
                )
            )
        return cls(used, sequence, results, rerun, tuple(notes))

    @property
    def times_s(self) -> npt.NDArray[np.float64]:
        """Frame times in seconds."""
        return np.asarray(self.sequence.timestamps_ms, dtype=np.float64) / 1000.0

    def frames_between(self, start_s: float, end_s: float) -> list[int]:
        """Indices of the frames from ``start_s`` to ``end_s`` (inclusive)."""
        t = self.times_s
        return [
            int(i) for i in np.flatnonzero((t >= start_s - 1e-6) & (t <= end_s + 1e-6))
        ]


@dataclass(frozen=True)
class Item:
    """A repetition, uncounted attempt or hold of a session.

    Attributes:
        kind: Repetition, attempt or hold.
        index: Its number (a counted repetition's or a hold's index; the
            position among attempts for an attempt).
        side: The side that worked, if sided.
        start_s: When it began.
        end_s: When it ended.
        ok: formcheck's verdict: correct repetition or completed hold.
        faults: Rules that made it incorrect (or failed during a hold).
        tips: Rules that failed without making it incorrect.
        reason: Why an attempt did not count.
    """

    kind: ItemKind
    index: int
    side: Side | None
    start_s: float
    end_s: float
    ok: bool
    faults: tuple[str, ...] = ()
    tips: tuple[str, ...] = ()
    reason: str = ""

    @property
    def label(self) -> str:
        """A short label, e.g. ``Repetition 2 (left)``."""
        name = {ItemKind.REP: "Repetition", ItemKind.ATTEMPT: "Attempt"}.get(
            self.kind, "Hold"
        )
        side = f" ({self.side})" if self.side else ""
        return f"{name} {self.index}{side}, {self.start_s:.1f}–{self.end_s:.1f} s"


def items_of(record: SessionRecord) -> list[Item]:
    """The repetitions, attempts and holds of a session, in time order."""
    found: list[Item] = []
    attempts = 0
    for rep in record.reps:
        if rep.counted:
            kind, index = ItemKind.REP, rep.index
        else:
            attempts += 1
            kind, index = ItemKind.ATTEMPT, attempts
        found.append(
            Item(
                kind=kind,
                index=index,
                side=rep.side,
                start_s=rep.start_s,
                end_s=rep.end_s,
                ok=rep.correct,
                faults=rep.faults,
                tips=rep.tips,
                reason=rep.reason,
            )
        )
    for hold in record.holds:
        found.append(
            Item(
                kind=ItemKind.HOLD,
                index=hold.index,
                side=hold.side,
                start_s=hold.start_s,
                end_s=hold.end_s,
                ok=hold.completed,
                faults=hold.faults,
            )
        )
    return sorted(found, key=lambda i: (i.start_s, i.kind != ItemKind.HOLD))


def key_signals(spec: ExerciseSpec, item: Item) -> list[str]:
    """The signals a movement is counted or timed on (its key landmarks)."""
    if item.kind is ItemKind.HOLD and spec.hold is not None:
        return list(dict.fromkeys(spec.rule(r).signal for r in spec.hold.rules))
    if spec.reps is not None:
        return [spec.reps.signal]
    return list(dict.fromkeys(r.signal for r in spec.rules if r.kind != "setup"))


@dataclass(frozen=True)
class TrackingQuality:
    """How well a movement was tracked.

    Attributes:
        frames: Frames in the movement.
        visible_share: Share of frames in which the landmarks it is counted
            (or timed) on were seen, so its key signals could be measured.
        view_share: Share of frames in which the camera view matched the spec.
        view: The camera view seen most often.
        unseen: Checks whose signal could not be measured in most frames
            (their verdict on this movement rests on little).
    """

    frames: int
    visible_share: float
    view_share: float
    view: ObservedView
    unseen: tuple[str, ...] = ()

    @property
    def trust(self) -> Trust:
        """Good, fair or poor (the lower of the two shares decides)."""
        low = min(self.visible_share, self.view_share)
        if low >= GOOD_SHARE:
            return Trust.GOOD
        return Trust.FAIR if low >= FAIR_SHARE else Trust.POOR

    @property
    def sentence(self) -> str:
        """The quality in one sentence (or two) for the therapist."""
        return texts.quality_sentence(
            100 * self.visible_share, 100 * self.view_share, self.trust, self.unseen
        )


def _measured(result: FrameResult, names: Sequence[str]) -> bool:
    return all(math.isfinite(result.signals.get(n, math.nan)) for n in names)


def tracking_quality(replay: Replay, item: Item) -> TrackingQuality:
    """Key-landmark visibility and camera view over one movement's frames."""
    spec = replay.spec
    frames = replay.frames_between(item.start_s, item.end_s)
    if not frames:
        return TrackingQuality(0, 0.0, 0.0, ObservedView.UNKNOWN)
    results = [replay.results[i] for i in frames]
    keys = key_signals(spec, item)
    visible = sum(r.pose.has_person and _measured(r, keys) for r in results)
    view_ok = sum(bool(r.view_ok and r.pose.has_person) for r in results)
    views = Counter(r.view for r in results)
    n = len(results)
    unseen = tuple(
        rule.id
        for rule in spec.rules
        if rule.kind in ("fault", "safety")
        and sum(_measured(r, [rule.signal]) for r in results) < n / 2
    )
    return TrackingQuality(
        n, visible / n, view_ok / n, views.most_common(1)[0][0], unseen
    )


# ------------------------------------------------------------ frame marks
@dataclass(frozen=True)
class AngleMark:
    """One checked signal's value drawn at its joint in one frame.

    Attributes:
        signal: The signal's name.
        value: Its value (in ``unit``).
        xy: Where to draw it (pixels).
        light: Its rules' state (worst of them).
    """

    signal: str
    value: float
    xy: tuple[float, float]
    light: Light


@dataclass(frozen=True)
class FrameMarks:
    """What the skeleton replay draws for one frame.

    Attributes:
        t_s: Frame time.
        xy: float ``(33, 2)`` pixels, NaN for landmarks not seen.
        angles: Every checked signal at its joint, in a fixed order (value
            and position NaN when it cannot be measured in this frame).
        cue: The cue the patient was shown, if any.
    """

    t_s: float
    xy: npt.NDArray[np.float64]
    angles: tuple[AngleMark, ...]
    cue: str | None


def _context(result: FrameResult, spec: ExerciseSpec) -> BodyContext:
    near = result.near_side or Side.LEFT
    return BodyContext(
        near=near, work=result.work_side or near, min_visibility=spec.min_visibility
    )


def checked_signals(spec: ExerciseSpec) -> dict[str, list[str]]:
    """Signals drawn on the skeleton, with the frame rules that check them."""
    checked: dict[str, list[str]] = {}
    if spec.reps is not None:
        checked.setdefault(spec.reps.signal, [])
    for rule in spec.rules:
        if rule.scope == "frame" and rule.kind != "setup":
            checked.setdefault(rule.signal, []).append(rule.id)
    return {n: ids for n, ids in checked.items() if spec.signals[n].anchor()}


def timeline_signals(spec: ExerciseSpec) -> list[str]:
    """Signals worth plotting under the skeleton: counting first, then checked."""
    names = [spec.reps.signal] if spec.reps is not None else []
    if spec.hold is not None:
        names += [spec.rule(r).signal for r in spec.hold.rules]
    names += [r.signal for r in spec.rules if r.kind != "setup"]
    return list(dict.fromkeys(names))


def _light(states: Sequence[RuleState]) -> Light:
    if not states:
        return Light.COUNTED
    if any(s.fault for s in states):
        return Light.FAULT
    if any(s.status is RuleStatus.FAIL for s in states):
        return Light.FAILING
    if any(s.status is RuleStatus.PASS for s in states):
        return Light.PASS
    return Light.UNKNOWN


def frame_marks(replay: Replay, index: int, min_visibility: float = 0.3) -> FrameMarks:
    """The skeleton and checked angles of one replayed frame."""
    result = replay.results[index]
    pose = result.pose
    xy = np.asarray(pose.xy, dtype=np.float64).copy()
    xy[np.asarray(pose.visibility) < min_visibility] = np.nan
    marks: list[AngleMark] = []
    ctx = _context(result, replay.spec)
    states = {s.rule_id: s for s in result.rules}
    for name, rule_ids in checked_signals(replay.spec).items():
        value = result.signals.get(name, math.nan)
        anchor = replay.spec.signals[name].anchor()
        p = resolve_point(pose, anchor, ctx) if anchor else np.full(2, np.nan)
        if not (pose.has_person and math.isfinite(value) and np.isfinite(p).all()):
            value, p = math.nan, np.full(2, np.nan)
        light = _light([states[r] for r in rule_ids if r in states])
        marks.append(AngleMark(name, value, (float(p[0]), float(p[1])), light))
    return FrameMarks(
        t_s=result.timestamp_ms / 1000.0,
        xy=xy,
        angles=tuple(marks),
        cue=result.cue.text if result.cue else None,
    )

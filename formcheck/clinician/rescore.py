"""Re-score past sessions with a changed prescription, before it is saved.

When a therapist moves a limit a spec lets them change (the depth a
repetition must reach, the hold time), formcheck runs its checks again on the
landmarks stored with each past session of that exercise: once with the
prescription the session was recorded under (the baseline: the verdicts the
patient got, reproduced from the same rounded landmarks), and once with the
new one. Movements are paired by time; every pair whose verdict differs is
reported. Nothing is saved here.

Example:
    >>> summary = rescore_sessions(sessions, spec, new_prescription)  # doctest: +SKIP
    >>> summary.changed  # doctest: +SKIP
    1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from formcheck.errors import SessionFileError
from formcheck.landmarks import Side
from formcheck.prescription import Prescription, apply_prescription
from formcheck.record.model import SessionRecord
from formcheck.results import HoldRecord, RepRecord
from formcheck.specs.schema import ExerciseSpec

from . import texts
from .model import VerdictKind
from .replay import record_side, record_spec, run_checks

#: Two movements are the same one when they overlap by this share of the shorter.
MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class Verdict:
    """formcheck's verdict on one movement.

    Attributes:
        kind: Correct, faulty, not counted, hold done or short (``absent``:
            the movement is not found at all in this run).
        faults: The rules that made it incorrect.
        detail: Why it did not count, or the seconds held.
        tips: Checks that failed without making it incorrect (e.g. short of
            the target depth).
    """

    kind: VerdictKind
    faults: tuple[str, ...] = ()
    detail: str = ""
    tips: tuple[str, ...] = ()

    def same_as(self, other: Verdict) -> bool:
        """Whether two verdicts agree (kind, faults and tips; not seconds held)."""
        return (self.kind, self.faults, self.tips) == (
            other.kind,
            other.faults,
            other.tips,
        )

    @property
    def text(self) -> str:
        """The verdict in a few words, e.g. ``correct (tip: short_of_target)``."""
        base = self.kind.value.replace("_", " ")
        extra = ", ".join(self.faults) if self.faults else self.detail
        if self.tips:
            tips = "tip: " + ", ".join(self.tips)
            extra = f"{extra}; {tips}" if extra else tips
        return f"{base} ({extra})" if extra else base


def rep_verdict(rep: RepRecord) -> Verdict:
    """The verdict on a repetition or attempt."""
    if not rep.counted:
        return Verdict(VerdictKind.NOT_COUNTED, detail=rep.reason)
    if rep.correct:
        return Verdict(VerdictKind.CORRECT, tips=rep.tips)
    return Verdict(VerdictKind.FAULTY, faults=rep.faults, tips=rep.tips)


def hold_verdict(hold: HoldRecord) -> Verdict:
    """The verdict on a hold."""
    kind = VerdictKind.HOLD_DONE if hold.completed else VerdictKind.HOLD_SHORT
    return Verdict(kind, faults=hold.faults, detail=f"{hold.held_s:.0f} s")


ABSENT = Verdict(VerdictKind.ABSENT)


@dataclass(frozen=True)
class Change:
    """One movement whose verdict would change.

    Attributes:
        session_id: The session it belongs to.
        session_label: That session's label.
        movement: ``repetition`` or ``hold``.
        start_s: When it began.
        side: The side that worked.
        before: The verdict now.
        after: The verdict with the new prescription.
    """

    session_id: str
    session_label: str
    movement: str
    start_s: float
    side: Side | None
    before: Verdict
    after: Verdict


@dataclass(frozen=True)
class SessionRescore:
    """One session, re-scored.

    Attributes:
        session_id: The session.
        label: Its label.
        checked: Movements compared.
        changes: Those whose verdict would change.
        problem: Why it could not be re-scored (``None``: it was).
    """

    session_id: str
    label: str
    checked: int
    changes: tuple[Change, ...]
    problem: str | None = None


@dataclass(frozen=True)
class RescoreSummary:
    """Every past session of one exercise, re-scored."""

    sessions: tuple[SessionRescore, ...]

    @property
    def changed(self) -> int:
        """Movements that would change verdict."""
        return sum(len(s.changes) for s in self.sessions)

    @property
    def checked(self) -> int:
        """Movements compared."""
        return sum(s.checked for s in self.sessions)

    @property
    def changes(self) -> list[Change]:
        """Every change, session by session."""
        return [c for s in self.sessions for c in s.changes]

    @property
    def sentence(self) -> str:
        """The outcome in one sentence."""
        rescored = [s for s in self.sessions if s.problem is None]
        if not self.sessions:
            return texts.RESCORE_NO_SESSIONS
        if self.changed == 0:
            return texts.RESCORE_NONE
        return texts.rescore_summary(self.changed, self.checked, len(rescored))


Span = tuple[float, float]


def _overlap(a: Span, b: Span) -> float:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    shorter = max(min(a[1] - a[0], b[1] - b[0]), 1e-6)
    return shared / shorter


def _pair(
    before: Sequence[tuple[Span, Verdict, Side | None]],
    after: Sequence[tuple[Span, Verdict, Side | None]],
) -> list[tuple[Span, Side | None, Verdict, Verdict]]:
    """Pair movements of two runs by time; unpaired ones meet ``ABSENT``."""
    pairs: list[tuple[Span, Side | None, Verdict, Verdict]] = []
    used: set[int] = set()
    for span, verdict, side in before:
        best, best_overlap = None, MIN_OVERLAP
        for j, (other, _, _) in enumerate(after):
            overlap = _overlap(span, other)
            if j not in used and overlap >= best_overlap:
                best, best_overlap = j, overlap
        if best is None:
            pairs.append((span, side, verdict, ABSENT))
        else:
            used.add(best)
            pairs.append((span, side, verdict, after[best][1]))
    pairs += [
        (s, side, ABSENT, v) for j, (s, v, side) in enumerate(after) if j not in used
    ]
    return sorted(pairs, key=lambda p: p[0][0])


def _reps(record: SessionRecord) -> list[tuple[Span, Verdict, Side | None]]:
    return [((r.start_s, r.end_s), rep_verdict(r), r.side) for r in record.reps]


def _holds(record: SessionRecord) -> list[tuple[Span, Verdict, Side | None]]:
    return [((h.start_s, h.end_s), hold_verdict(h), h.side) for h in record.holds]


def rescore_record(
    session_id: str,
    label: str,
    record: SessionRecord,
    spec: ExerciseSpec,
    prescription: Prescription,
) -> SessionRescore:
    """Compare a session's verdicts now and under ``prescription``.

    Args:
        session_id: The session's id.
        label: Its label.
        record: The session record (with landmarks).
        spec: The exercise's spec, without any prescription.
        prescription: The new prescription (checked against ``spec``).

    Returns:
        The movements whose verdict would change (or why it cannot tell).

    Raises:
        SpecError: If the prescription goes beyond what the spec allows.
    """
    changed_spec = apply_prescription(spec, prescription)
    if record.landmarks is None:
        return SessionRescore(session_id, label, 0, (), texts.NO_LANDMARKS)
    try:
        sequence = record.landmarks.decode()
    except SessionFileError as exc:
        return SessionRescore(session_id, label, 0, (), str(exc))
    side = record_side(record)
    baseline, _ = run_checks(sequence, record_spec(record, spec), side)
    rescored, _ = run_checks(sequence, changed_spec, side)
    changes: list[Change] = []
    checked = 0
    for movement, pick in (("repetition", _reps), ("hold", _holds)):
        for span, moved_side, before, after in _pair(pick(baseline), pick(rescored)):
            checked += 1
            if not before.same_as(after):
                changes.append(
                    Change(
                        session_id, label, movement, span[0], moved_side, before, after
                    )
                )
    return SessionRescore(session_id, label, checked, tuple(changes))


def rescore_sessions(
    sessions: Sequence[tuple[str, str, SessionRecord]],
    spec: ExerciseSpec,
    prescription: Prescription,
) -> RescoreSummary:
    """Re-score every given session of ``spec``'s exercise.

    Args:
        sessions: ``(id, label, record)`` of the patient's past sessions
            (records of other exercises are skipped).
        spec: The exercise's spec, without any prescription.
        prescription: The prescription about to be saved.

    Raises:
        SpecError: If the prescription goes beyond what the spec allows.
    """
    apply_prescription(spec, prescription)  # refuse an out-of-range one first
    return RescoreSummary(
        tuple(
            rescore_record(sid, label, record, spec, prescription)
            for sid, label, record in sessions
            if record.exercise.id == spec.id
        )
    )

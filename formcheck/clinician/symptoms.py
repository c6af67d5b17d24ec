"""Symptoms over time: which exercises centralise or peripheralise them.

After each set the patient says where their symptoms reach (none, lower
back, buttock, thigh, below the knee, foot). Compared with where they reached
before the set, each answer shows the symptoms **centralising** (moving out
of the leg toward the back: usually a good sign), **peripheralising**
(spreading down the leg: stop that exercise) or unchanged. Summed per
exercise, and per direction of movement (extension exercises such as the
McKenzie press-up against flexion exercises such as knee-to-chest), the
answers may suggest a *direction preference* — a hint for the therapist to
confirm, never a diagnosis.

The answers come from the session records (``SessionRecord.symptoms``) and
from the database's symptom answers; the latter know no "before", which is
taken from the previous answer the same day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from formcheck.clinic import SymptomAnswer, SymptomLocation
from formcheck.record.model import SessionRecord

from . import texts
from .model import Direction, SymptomChange

#: Which way each exercise moves the lower back (judged from the exercise
#: notes: the press-up is the extension exercise; knee-to-chest, the lower
#: back stretch, child's pose, rockbacks and posterior pelvic tilts flex it;
#: cat-cow goes both ways; the others keep the back near neutral).
EXERCISE_DIRECTION: Mapping[str, Direction] = {
    "mckenzie_press_up": Direction.EXTENSION,
    "knee_to_chest_double": Direction.FLEXION,
    "knee_to_chest_single": Direction.FLEXION,
    "lower_back_stretch": Direction.FLEXION,
    "childs_pose": Direction.FLEXION,
    "rockbacks": Direction.FLEXION,
    "pelvic_tilt": Direction.FLEXION,
    "cat_cow": Direction.MIXED,
}
#: Fewest answers with a known change before a tendency is named.
MIN_ANSWERS = 2


def direction_of(exercise_id: str | None) -> Direction:
    """The direction an exercise moves the lower back (neutral if unlisted)."""
    return EXERCISE_DIRECTION.get(exercise_id or "", Direction.NEUTRAL)


@dataclass(frozen=True)
class SymptomPoint:
    """One answer to the after-set symptom question.

    Attributes:
        when: When it was answered (UTC).
        exercise_id: The exercise of the set (``None``: not known).
        session_id: The session, if known.
        location: Where the symptoms reached after the set.
        worse: Whether they felt worse than before the set.
        before: Where they reached before the set, if known.
    """

    when: datetime
    exercise_id: str | None
    session_id: str | None
    location: SymptomLocation
    worse: bool
    before: SymptomLocation | None

    @property
    def change(self) -> SymptomChange:
        """Centralised, peripheralised or unchanged over the set."""
        if self.before is None:
            return SymptomChange.UNKNOWN
        if self.location.rank > self.before.rank:
            return SymptomChange.PERIPHERALISED
        if self.location.rank < self.before.rank:
            return SymptomChange.CENTRALISED
        return SymptomChange.UNCHANGED


def _time(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def points_from_records(
    sessions: Iterable[tuple[str | None, SessionRecord]],
) -> list[SymptomPoint]:
    """The symptom answers kept in session records.

    Args:
        sessions: ``(session id or None, record)`` pairs.
    """
    return [
        SymptomPoint(
            when=_time(report.answered_utc),
            exercise_id=record.exercise.id,
            session_id=session_id,
            location=report.location,
            worse=report.worse,
            before=report.before,
        )
        for session_id, record in sessions
        for report in record.symptoms
    ]


def points_from_answers(
    answers: Sequence[SymptomAnswer],
    exercise_of: Mapping[str, str],
    skip_sessions: Iterable[str] = (),
) -> list[SymptomPoint]:
    """The database's symptom answers (before = the previous answer that day).

    Args:
        answers: The patient's answers.
        exercise_of: Exercise id by session id.
        skip_sessions: Sessions whose records already hold their answers.
    """
    skip = set(skip_sessions)
    points: list[SymptomPoint] = []
    previous: SymptomAnswer | None = None
    for answer in sorted(answers, key=lambda a: (a.answered_utc, a.id)):
        same_day = (
            previous is not None
            and previous.answered_utc.date() == answer.answered_utc.date()
        )
        before = previous.location if same_day and previous is not None else None
        previous = answer
        if answer.session_id in skip:
            continue
        points.append(
            SymptomPoint(
                when=answer.answered_utc,
                exercise_id=exercise_of.get(answer.session_id or ""),
                session_id=answer.session_id,
                location=answer.location,
                worse=answer.worse,
                before=before,
            )
        )
    return points


def all_points(
    sessions: Sequence[tuple[str | None, SessionRecord]],
    answers: Sequence[SymptomAnswer] = (),
) -> list[SymptomPoint]:
    """Answers from the records and the database, oldest first, without doubles."""
    from_records = points_from_records(sessions)
    answered = {p.session_id for p in from_records if p.session_id}
    exercise_of = {sid: r.exercise.id for sid, r in sessions if sid}
    merged = from_records + points_from_answers(answers, exercise_of, answered)
    return sorted(merged, key=lambda p: p.when)


@dataclass(frozen=True)
class Tendency:
    """How one exercise (or direction) tends to move the symptoms.

    Attributes:
        key: The exercise id (or direction).
        counts: Answers per change (unknown ones included).
        tendency: The change seen most often (``None``: too few answers or a tie).
    """

    key: str
    counts: Mapping[SymptomChange, int]
    tendency: SymptomChange | None

    @property
    def known(self) -> int:
        """Answers whose change is known."""
        return sum(n for c, n in self.counts.items() if c is not SymptomChange.UNKNOWN)

    @property
    def sentence(self) -> str:
        """The tendency in words."""
        return texts.TENDENCY_TEXT[self.tendency]


def _tendency(key: str, points: Sequence[SymptomPoint]) -> Tendency:
    counts = {c: sum(p.change is c for p in points) for c in SymptomChange}
    known = {c: n for c, n in counts.items() if c is not SymptomChange.UNKNOWN}
    best = max(known.values(), default=0)
    leaders = [c for c, n in known.items() if n == best]
    tendency = (
        leaders[0] if sum(known.values()) >= MIN_ANSWERS and len(leaders) == 1 else None
    )
    return Tendency(key, counts, tendency)


def tendencies(points: Sequence[SymptomPoint]) -> list[Tendency]:
    """Per exercise, how the symptoms tend to move (exercises in first-seen order)."""
    by_exercise: dict[str, list[SymptomPoint]] = {}
    for p in points:
        if p.exercise_id:
            by_exercise.setdefault(p.exercise_id, []).append(p)
    return [_tendency(k, v) for k, v in by_exercise.items()]


@dataclass(frozen=True)
class Preference:
    """What the answers suggest about a direction preference.

    Attributes:
        preferred: Extension or flexion (``None``: no suggestion).
        extension: Tendency over extension exercises.
        flexion: Tendency over flexion exercises.
        sentences: The suggestion and its evidence in words.
    """

    preferred: Direction | None
    extension: Tendency
    flexion: Tendency
    sentences: tuple[str, ...]


def _net(t: Tendency) -> float:
    """Share of known answers centralising minus share peripheralising."""
    if not t.known:
        return 0.0
    return (
        t.counts[SymptomChange.CENTRALISED] - t.counts[SymptomChange.PERIPHERALISED]
    ) / t.known


def direction_preference(points: Sequence[SymptomPoint]) -> Preference:
    """Compare how extension and flexion exercises moved the symptoms."""
    ext = _tendency(
        Direction.EXTENSION,
        [p for p in points if direction_of(p.exercise_id) is Direction.EXTENSION],
    )
    flex = _tendency(
        Direction.FLEXION,
        [p for p in points if direction_of(p.exercise_id) is Direction.FLEXION],
    )
    if ext.known < MIN_ANSWERS or flex.known < MIN_ANSWERS:
        return Preference(None, ext, flex, (texts.NO_PREFERENCE_DATA,))
    evidence = tuple(
        texts.direction_counts_text(
            Direction(t.key), t.counts[SymptomChange.CENTRALISED], t.known
        )
        for t in (ext, flex)
    )
    gap = _net(ext) - _net(flex)
    if abs(gap) < 0.5 or max(_net(ext), _net(flex)) <= 0:
        return Preference(None, ext, flex, (texts.NO_CLEAR_PREFERENCE, *evidence))
    preferred = Direction.EXTENSION if gap > 0 else Direction.FLEXION
    return Preference(
        preferred, ext, flex, (texts.preference_text(preferred), *evidence)
    )

"""Which patients need the therapist first: adherence and flags.

Per patient: the sets done against the sets prescribed over the last 7 and
28 days, the last session, and flags — symptoms spreading down the leg,
symptoms rising across sessions, no session for a while, no improvement
after a few weeks (the guide's advice: see a professional), many repetitions
faulty in a rule that protects the back, low adherence. Patients are sorted
by how much their flags call for attention.

A prescription's ``sets`` are per exercise day; ``days_per_week`` (default
every day) says how many days a week. Every saved set counts as a set done.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from formcheck.prescription import Prescription
from formcheck.record.model import SessionRecord
from formcheck.specs.schema import ExerciseSpec, RuleSpec
from formcheck.store.base import SessionRef

from . import texts
from .model import Flag, SymptomChange
from .symptoms import SymptomPoint


@dataclass(frozen=True)
class AttentionSettings:
    """The thresholds of the flags (the therapist may change the first two).

    Attributes:
        inactive_days: Flag a patient with no session for this many days.
        no_improvement_weeks: Flag no improvement after this many weeks (2–4).
        recent_days: Window for spreading symptoms and repeated faults.
        fault_share: Share of counted repetitions faulty in one rule to flag.
        min_faulty_reps: Fewest faulty repetitions to flag.
        low_adherence: Flag a 7-day adherence below this share.
    """

    inactive_days: int = 3
    no_improvement_weeks: int = 3
    recent_days: int = 14
    fault_share: float = 0.3
    min_faulty_reps: int = 3
    low_adherence: float = 0.5


@dataclass(frozen=True)
class Adherence:
    """Sets done against sets prescribed over a window.

    Attributes:
        days: The window's length.
        done: Sets of prescribed exercises done (at most the prescribed number
            per exercise counts).
        prescribed: Sets prescribed in the window.
        other: Sets of exercises without a prescription.
    """

    days: int
    done: int
    prescribed: int
    other: int = 0

    @property
    def share(self) -> float | None:
        """``done / prescribed`` (``None`` when nothing was prescribed)."""
        return self.done / self.prescribed if self.prescribed else None

    @property
    def text(self) -> str:
        """E.g. ``5/14 (36 %)``, or the sets done when nothing is prescribed."""
        if not self.prescribed:
            return f"{self.other} set(s), none prescribed"
        share = self.share or 0.0
        return f"{self.done}/{self.prescribed} ({100 * share:.0f} %)"


@dataclass(frozen=True)
class FlagNote:
    """A flag with its reason in words."""

    flag: Flag
    text: str

    @property
    def label(self) -> str:
        """The flag's short name."""
        return texts.FLAG_LABEL[self.flag]


@dataclass(frozen=True)
class PatientOverview:
    """One line of the therapist's patient list.

    Attributes:
        patient: The patient's handle (``None``: the local user).
        name: How to show them.
        sessions: Sessions in all.
        last_session: When they last exercised.
        days_since: Whole days since then.
        week: Adherence over the last 7 days.
        month: Adherence over the last 28 days.
        flags: Why they need attention, most urgent first.
    """

    patient: str | None
    name: str
    sessions: int
    last_session: datetime | None
    days_since: int | None
    week: Adherence
    month: Adherence
    flags: tuple[FlagNote, ...] = field(default_factory=tuple)

    @property
    def score(self) -> int:
        """How much attention the flags call for."""
        return sum(f.flag.weight for f in self.flags)


def _when(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def adherence(
    refs: Sequence[SessionRef],
    prescriptions: Mapping[str, Prescription],
    now: datetime,
    days: int,
) -> Adherence:
    """Sets done against sets prescribed over the last ``days`` days."""
    start = now - timedelta(days=days)
    recent = [r for r in refs if start <= _when(r.created_utc) <= now]
    done = prescribed = 0
    for exercise, p in prescriptions.items():
        active_from = max(start, _when(p.created_utc))
        active_days = max(0.0, (now - active_from).total_seconds() / 86400)
        per_day = (p.sets or 1) * (p.days_per_week or 7) / 7
        expected = math.ceil(round(per_day * active_days, 6))
        did = sum(r.exercise_id == exercise for r in recent)
        prescribed += expected
        done += min(did, expected)
    other = sum(r.exercise_id not in prescriptions for r in recent)
    return Adherence(days, done, prescribed, other)


def _spreading(
    points: Sequence[SymptomPoint], now: datetime, s: AttentionSettings
) -> FlagNote | None:
    start = now - timedelta(days=s.recent_days)
    spread = [
        p
        for p in points
        if p.when >= start and p.change is SymptomChange.PERIPHERALISED
    ]
    if not spread:
        return None
    return FlagNote(Flag.SPREADING, texts.spreading_text(len(spread), s.recent_days))


def _pain_rising(points: Sequence[SymptomPoint], now: datetime) -> FlagNote | None:
    recent = [p for p in points if p.when >= now - timedelta(days=28)]
    if len(recent) < 2:
        return None
    first, last = recent[0].location, recent[-1].location
    if last.rank > first.rank or sum(p.worse for p in recent[-3:]) >= 2:
        return FlagNote(Flag.PAIN_RISING, texts.pain_rising_text(first, last))
    return None


def _mean_rank(points: Sequence[SymptomPoint]) -> float:
    return sum(p.location.rank for p in points) / len(points)


def _no_improvement(
    refs: Sequence[SessionRef],
    points: Sequence[SymptomPoint],
    now: datetime,
    s: AttentionSettings,
) -> FlagNote | None:
    if not refs:
        return None
    first = min(_when(r.created_utc) for r in refs)
    if now - first < timedelta(weeks=s.no_improvement_weeks):
        return None
    # Answers from about N weeks ago (and before) against the last week's.
    early = [
        p for p in points if p.when < now - timedelta(weeks=s.no_improvement_weeks - 1)
    ]
    late = [p for p in points if p.when >= now - timedelta(days=7)]
    if not early or not late:
        return None
    if _mean_rank(late) > 0 and _mean_rank(late) >= _mean_rank(early):
        return FlagNote(
            Flag.NO_IMPROVEMENT, texts.no_improvement_text(s.no_improvement_weeks)
        )
    return None


def protects_the_back(rule: RuleSpec) -> bool:
    """Whether a rule is safety-relevant.

    A safety rule, or a fault that makes a repetition incorrect.
    """
    return rule.kind == "safety" or (rule.kind == "fault" and rule.counts_against_rep)


def _safety_faults(
    records: Sequence[SessionRecord],
    specs: Mapping[str, ExerciseSpec],
    now: datetime,
    s: AttentionSettings,
) -> list[FlagNote]:
    start = now - timedelta(days=s.recent_days)
    notes: list[FlagNote] = []
    by_exercise: dict[str, list[SessionRecord]] = {}
    for r in records:
        if _when(r.created_utc) >= start:
            by_exercise.setdefault(r.exercise.id, []).append(r)
    for exercise, recs in sorted(by_exercise.items()):
        spec = specs.get(exercise)
        if spec is None:
            continue
        counted = [rep for rec in recs for rep in rec.reps if rep.counted]
        for rule in spec.rules:
            if not protects_the_back(rule):
                continue
            faulty = sum(rule.id in rep.faults for rep in counted)
            if faulty >= s.min_faulty_reps and faulty >= s.fault_share * len(counted):
                notes.append(
                    FlagNote(
                        Flag.SAFETY_FAULTS,
                        texts.safety_faults_text(
                            spec.name, rule.cue, faulty, len(counted)
                        ),
                    )
                )
    return notes


def history_days(settings: AttentionSettings) -> int:
    """How many days of sessions :func:`overview` needs to see."""
    return max(28, settings.recent_days, 7 * settings.no_improvement_weeks + 7)


def overview(
    patient: str | None,
    name: str,
    refs: Sequence[SessionRef],
    records: Sequence[SessionRecord],
    prescriptions: Mapping[str, Prescription],
    points: Sequence[SymptomPoint],
    specs: Mapping[str, ExerciseSpec],
    now: datetime,
    settings: AttentionSettings | None = None,
) -> PatientOverview:
    """One patient's line in the list.

    Args:
        patient: The patient's handle (``None``: the local user).
        name: How to show them.
        refs: All their sessions.
        records: The records of their sessions of the last
            :func:`history_days` days (faults, symptoms).
        prescriptions: Their prescriptions by exercise.
        points: Their symptom answers, oldest first.
        specs: Exercise specs by id.
        now: The current time (UTC).
        settings: Flag thresholds.
    """
    s = settings or AttentionSettings()
    last = max((_when(r.created_utc) for r in refs), default=None)
    days_since = None if last is None else max(0, (now - last).days)
    week = adherence(refs, prescriptions, now, 7)
    notes = [
        _spreading(points, now, s),
        _pain_rising(points, now),
        _no_improvement(refs, points, now, s),
    ]
    notes += _safety_faults(records, specs, now, s)
    if (refs or prescriptions) and (
        days_since is None or days_since >= s.inactive_days
    ):
        notes.append(FlagNote(Flag.INACTIVE, texts.inactive_text(days_since)))
    if week.share is not None and week.share < s.low_adherence:
        notes.append(
            FlagNote(
                Flag.LOW_ADHERENCE, texts.low_adherence_text(week.done, week.prescribed)
            )
        )
    flags = tuple(
        sorted((n for n in notes if n is not None), key=lambda n: -n.flag.weight)
    )
    return PatientOverview(
        patient=patient,
        name=name,
        sessions=len(refs),
        last_session=last,
        days_since=days_since,
        week=week,
        month=adherence(refs, prescriptions, now, 28),
        flags=flags,
    )


def by_attention(patients: Sequence[PatientOverview]) -> list[PatientOverview]:
    """Patients most in need of attention first.

    Then those longest without a session, and last those with nothing yet.
    """
    return sorted(
        patients,
        key=lambda p: (
            -p.score,
            p.sessions == 0,
            -(p.days_since if p.days_since is not None else 10_000),
            p.name.lower(),
        ),
    )

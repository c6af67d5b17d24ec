"""What the clinical report says about one patient over a period.

Built once from :class:`~formcheck.clinician.patient.PatientData` and used
by both the HTML report (:mod:`.report`, Jinja2) and the PDF
(:mod:`.report_pdf`, ReportLab): adherence, one line per exercise, the
symptom trend and direction preference, the therapist's sign-offs and
comments. Tables are lists of dicts with one type per column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from formcheck.clinic import Comment, SignOff, VerdictLevel
from formcheck.clinician import texts
from formcheck.clinician.attention import adherence
from formcheck.clinician.model import SymptomChange
from formcheck.clinician.patient import PatientData, Period
from formcheck.clinician.symptoms import (
    SymptomPoint,
    direction_preference,
    tendencies,
)
from formcheck.record.model import SessionRecord
from formcheck.specs.schema import ExerciseSpec
from formcheck.store.base import SessionRef

Row = dict[str, Any]


@dataclass(frozen=True)
class ClinicReport:
    """The patient-level parts of the report.

    Attributes:
        patient: How the patient is named.
        period: The period covered, in words.
        adherence: Sets done against prescribed (last 7 and 28 days).
        exercises: One row per exercise done in the period.
        tendencies: One row per exercise with symptom answers.
        preference: The direction-preference sentences.
        points: The symptom answers in the period (for the charts).
        names: Exercise names by id.
        sign_offs: The therapist's sign-offs in the period.
        comments: Comments to the patient in the period.
    """

    patient: str
    period: str
    adherence: list[Row]
    exercises: list[Row]
    tendencies: list[Row]
    preference: list[str]
    points: list[SymptomPoint] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    sign_offs: list[Row] = field(default_factory=list)
    comments: list[Row] = field(default_factory=list)


def _unit(record: SessionRecord, spec: ExerciseSpec | None) -> str:
    if spec is None or spec.reps is None:
        return ""
    return record.signals.units.get(spec.reps.signal, "")


def exercise_rows(
    records: Sequence[SessionRecord], specs: Mapping[str, ExerciseSpec]
) -> list[Row]:
    """One row per exercise: sets, repetitions, correct share, holds, faults."""
    rows: list[Row] = []
    by_id: dict[str, list[SessionRecord]] = {}
    for r in records:
        by_id.setdefault(r.exercise.id, []).append(r)
    for exercise, recs in by_id.items():
        spec = specs.get(exercise)
        reps = sum(r.summary.reps for r in recs)
        correct = sum(r.summary.correct for r in recs)
        roms = [r.summary.mean_range_of_motion for r in recs]
        roms_known = [x for x in roms if x is not None]
        faults: Counter[str] = Counter()
        for r in recs:
            faults.update(f for rep in r.reps for f in rep.faults)
        top = faults.most_common(1)
        rows.append(
            {
                "exercise": spec.name if spec else recs[0].exercise.name,
                "sets": len(recs),
                "repetitions": reps,
                "correct (%)": round(100 * correct / reps) if reps else None,
                "holds done": sum(r.summary.holds_completed for r in recs),
                "range of motion": (
                    f"{sum(roms_known) / len(roms_known):.1f} {_unit(recs[0], spec)}"
                    if roms_known
                    else ""
                ),
                "most frequent fault": f"{top[0][0]} ({top[0][1]}×)" if top else "",
            }
        )
    return sorted(rows, key=lambda r: str(r["exercise"]))


def _movement(off: SignOff) -> str:
    if off.level is VerdictLevel.SESSION:
        return "whole set"
    if off.level is VerdictLevel.SET:
        return f"set {off.index}"
    return f"repetition/hold {off.index}"


def _formcheck_verdict(record: SessionRecord, off: SignOff) -> str:
    if off.level is not VerdictLevel.REP:
        s = record.summary
        return (
            f"{s.correct}/{s.reps} correct"
            if s.reps
            else f"{s.holds_completed}/{s.holds} holds"
        )
    for rep in record.reps:
        if rep.counted and rep.index == off.index:
            return "correct" if rep.correct else "faulty: " + ", ".join(rep.faults)
    for hold in record.holds:
        if hold.index == off.index:
            return "hold done" if hold.completed else "hold short"
    return ""


def sign_off_rows(
    sessions: Sequence[tuple[SessionRef, SessionRecord]],
    offs: Mapping[str, Sequence[SignOff]],
) -> list[Row]:
    """The therapist's sign-offs, oldest first."""
    rows: list[Row] = []
    for ref, record in sessions:
        for off in offs.get(ref.id, []):
            therapist = (
                "agrees" if off.agree else f"disagrees: {off.seen_fault or texts.FINE}"
            )
            rows.append(
                {
                    "date (UTC)": off.created_utc.strftime("%Y-%m-%d %H:%M"),
                    "session": ref.label,
                    "what": _movement(off),
                    "formcheck": _formcheck_verdict(record, off),
                    "therapist": therapist,
                    "note": off.note,
                    "by": off.author_name,
                }
            )
    return sorted(rows, key=lambda r: str(r["date (UTC)"]))


def comment_rows(
    comments: Sequence[Comment], labels: Mapping[str, str], period: Period
) -> list[Row]:
    """Comments to the patient in the period, oldest first."""
    return [
        {
            "date (UTC)": c.created_utc.strftime("%Y-%m-%d %H:%M"),
            "by": c.author_name,
            "about": (
                labels.get(c.session_id, "a session")
                + (f", repetition {c.rep_index}" if c.rep_index is not None else "")
                if c.session_id
                else ""
            ),
            "comment": c.text,
        }
        for c in comments
        if period.holds(c.created_utc)
    ]


def build_clinic_report(
    data: PatientData,
    specs: Mapping[str, ExerciseSpec],
    patient_name: str,
    period: Period,
    now: datetime,
) -> ClinicReport:
    """The patient-level parts of the report for ``period``.

    Args:
        data: The patient's data (sessions already limited to the period).
        specs: Exercise specs by id.
        patient_name: How to name the patient.
        period: The period covered.
        now: The current time (UTC), for the adherence windows.
    """
    names = {k: s.name for k, s in specs.items()}
    points = [p for p in data.symptom_points() if period.holds(p.when)]
    week = adherence(data.refs, data.prescriptions, now, 7)
    month = adherence(data.refs, data.prescriptions, now, 28)
    trend = [
        {
            "exercise": names.get(t.key, t.key),
            "answers": sum(t.counts.values()),
            "centralised": t.counts[SymptomChange.CENTRALISED],
            "unchanged": t.counts[SymptomChange.UNCHANGED],
            "peripheralised": t.counts[SymptomChange.PERIPHERALISED],
            "tendency": t.sentence,
        }
        for t in tendencies(points)
    ]
    labels = {ref.id: ref.label for ref in data.refs}
    return ClinicReport(
        patient=patient_name,
        period=period.text,
        adherence=[
            {"window": "last 7 days", "sets done / prescribed": week.text},
            {"window": "last 28 days", "sets done / prescribed": month.text},
        ],
        exercises=exercise_rows(data.records, specs),
        tendencies=trend,
        preference=list(direction_preference(points).sentences),
        points=points,
        names=names,
        sign_offs=sign_off_rows(data.sessions, data.sign_offs),
        comments=comment_rows(data.comments, labels, period),
    )

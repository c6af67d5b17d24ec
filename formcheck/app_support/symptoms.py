"""The symptom question after a set: where the symptoms reach now, and what it means.

The person answers where their symptoms (pain, tingling, numbness) reach now —
none, lower back only, buttock, thigh, below the knee, foot — and whether they
feel worse than before the set. The answer becomes a
:class:`~formcheck.record.SymptomReport` in the set's record, with *before*
being the previous answer in this live session (or the answer to the question
asked before the first set, if given).

What it means (exercise-research §3 and the McKenzie end-of-set prompt):

* **spread** further down the leg than before → stop that exercise, with the
  safety advice;
* **centralised** (moved toward the back) → usually a good sign;
* no earlier answer to compare with, worse, and reaching into the leg (thigh
  or further) → treated as spreading, to be safe.

How the symptoms moved, for a therapist, is
:attr:`formcheck.clinician.symptoms.SymptomPoint.change`; this module only
decides what the live page does with an answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from formcheck.clinic import SymptomLocation
from formcheck.record.model import SymptomReport

from . import safety


def symptom_report(
    location: SymptomLocation,
    worse: bool,
    before: SymptomLocation | None,
    now: datetime | None = None,
) -> SymptomReport:
    """The answer as a record entry, stamped with the time (UTC)."""
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return SymptomReport(
        location=location, worse=worse, before=before, answered_utc=when
    )


def stops_exercise(report: SymptomReport) -> bool:
    """Whether the answer stops the exercise (spread, or worse into the leg unknown)."""
    if report.spread:
        return True
    return (
        report.before is None
        and report.worse
        and report.location.rank >= SymptomLocation.THIGH.rank
    )


def symptom_summary(report: SymptomReport) -> str:
    """One line for tables: ``thigh → buttock, better`` / ``foot, worse``."""
    now = safety.place_text(report.location.value)
    where = (
        f"{safety.place_text(report.before.value)} → {now}"
        if report.before is not None
        else now
    )
    if stops_exercise(report):
        words = "further down the leg: stopped" if report.spread else "worse: stopped"
    elif report.centralised:
        words = "moved toward the back"
    else:
        words = "worse" if report.worse else "not worse"
    return f"{where} ({words})"

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
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from formcheck.clinic import SymptomLocation
from formcheck.record.model import SymptomReport

from . import safety


class SymptomChange(StrEnum):
    """How the symptoms moved over a set."""

    SPREAD = "spread"
    CENTRALISED = "centralised"
    WORSE = "worse"
    STEADY = "steady"


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


def symptom_change(report: SymptomReport) -> SymptomChange:
    """How the symptoms moved: spread, centralised, worse or steady."""
    if stops_exercise(report):
        return SymptomChange.SPREAD
    if report.centralised:
        return SymptomChange.CENTRALISED
    return SymptomChange.WORSE if report.worse else SymptomChange.STEADY


def symptom_summary(report: SymptomReport) -> str:
    """One line for tables: ``thigh → buttock, better`` / ``foot, worse``."""
    now = safety.place_text(report.location.value)
    where = (
        f"{safety.place_text(report.before.value)} → {now}"
        if report.before is not None
        else now
    )
    change = symptom_change(report)
    words = {
        SymptomChange.SPREAD: "spread: stopped",
        SymptomChange.CENTRALISED: "moved toward the back",
        SymptomChange.WORSE: "worse",
        SymptomChange.STEADY: "not worse",
    }[change]
    return f"{where} ({words})"

"""The Therapist page's other tabs (Streamlit code, like :mod:`.ui`).

Re-scoring before a prescription is saved, symptoms over time, agreement
with formcheck, and building the report. The results come from
:mod:`formcheck.clinician`; user text is shown as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

import streamlit as st

from formcheck.clinician.agreement import (
    agreement_csv,
    by_exercise,
    by_rule,
    exercise_rows,
    observations,
    rule_rows,
)
from formcheck.clinician.patient import Period, load_patient, notes_of
from formcheck.clinician.rescore import rescore_sessions
from formcheck.clinician.symptoms import direction_preference, tendencies
from formcheck.errors import FormcheckError
from formcheck.prescription import Prescription
from formcheck.record.model import SessionRecord
from formcheck.specs.schema import ExerciseSpec
from formcheck.store.base import Store

from . import report, ui
from .clinic_report import build_clinic_report
from .plain import markdown_text as plain
from .report_pdf import build_report_pdf
from .symptom_plots import symptom_figure
from .therapist_views import PatientChoice


# ----------------------------------------------------------------- rescore
def show_rescore(
    store: Store,
    patient: str | None,
    spec: ExerciseSpec,
    prescription: Prescription,
) -> None:
    """Which past repetitions the prescription being edited would change."""
    try:
        refs = [r for r in store.list_sessions(patient) if r.exercise_id == spec.id]
        sessions = [(r.id, r.label, store.load_session(r.id)) for r in refs[:20]]
        with st.spinner("Re-running the checks on the stored landmarks…"):
            summary = rescore_sessions(sessions, spec, prescription)
    except FormcheckError as exc:
        ui.error(exc)
        return
    st.info(plain(summary.sentence))
    if summary.changes:
        st.dataframe(
            [
                {
                    "session": c.session_label,
                    "movement": c.movement,
                    "at (s)": round(c.start_s, 1),
                    "side": c.side or "",
                    "now": c.before.text,
                    "with the change": c.after.text,
                }
                for c in summary.changes
            ],
            hide_index=True,
            width="stretch",
            key="rx_rescore_table",
        )
    for s in summary.sessions:
        if s.problem:
            st.caption(f"{plain(s.label)}: {plain(s.problem)}")


# ---------------------------------------------------------------- symptoms
def show_symptoms(
    store: Store, patient: str | None, specs: Mapping[str, ExerciseSpec]
) -> None:
    """Symptoms over time per exercise, and the direction preference."""
    try:
        points = load_patient(store, patient, sign_offs=False).symptom_points()
    except FormcheckError as exc:
        ui.error(exc)
        return
    if not points:
        st.info("No symptom answers yet: the patient answers after each set.")
        return
    names = {k: s.name for k, s in specs.items()}
    st.plotly_chart(symptom_figure(points, names), key="ther_symptom_plot")
    st.dataframe(
        [
            {
                "exercise": names.get(t.key, t.key),
                "answers": sum(t.counts.values()),
                "tendency": t.sentence,
            }
            for t in tendencies(points)
        ],
        hide_index=True,
        width="stretch",
        key="ther_tendencies",
    )
    for sentence in direction_preference(points).sentences:
        st.markdown(plain(sentence))


# --------------------------------------------------------------- agreement
def show_agreement(
    store: Store,
    choices: Sequence[PatientChoice],
    specs: Mapping[str, ExerciseSpec],
) -> None:
    """Therapist against formcheck, per exercise and per rule, with a CSV."""
    if notes_of(store) is None:
        st.info("Agreement needs formcheck's database, where verdicts are kept.")
        return
    if not st.button("Compute the agreement tables", key="ther_agree_go"):
        return
    signed = []
    for choice in choices:
        try:
            data = load_patient(store, choice.handle)
        except FormcheckError:
            continue
        signed += [(r, data.sign_offs.get(ref.id, [])) for ref, r in data.sessions]
    found = observations(signed)
    if not found:
        st.info("No repetition or hold has been signed off yet.")
        return
    exercises, rules = by_exercise(found, specs), by_rule(found, specs)
    st.dataframe(exercise_rows(exercises), hide_index=True, width="stretch")
    st.dataframe(rule_rows(rules, specs), hide_index=True, width="stretch")
    st.download_button(
        "Download the agreement tables (CSV)",
        agreement_csv(exercises, rules, specs),
        file_name="formcheck-agreement.csv",
        mime="text/csv",
        key="ther_agree_csv",
    )


# ------------------------------------------------------------------ report
def day_of(created_utc: str) -> date:
    """The UTC day of a store's timestamp (today if it cannot be read)."""
    try:
        return datetime.fromisoformat(created_utc).astimezone(UTC).date()
    except ValueError:
        return datetime.now(UTC).date()


def period_of(picked: object) -> Period:
    """The report period from ``st.date_input`` (one or two dates picked)."""
    values = picked if isinstance(picked, tuple | list) else [picked]
    days: list[date] = [d for d in values if isinstance(d, date)]
    if not days:
        return Period()
    return Period(days[0], days[-1])


def build_reports(
    store: Store,
    patient: str | None,
    period: Period,
    name: str,
    shared: Sequence[tuple[str, SessionRecord]],
    specs: dict[str, ExerciseSpec],
) -> tuple[str, bytes]:
    """The HTML and PDF reports of one patient over a period, from the store.

    Sessions a patient shared as files (local mode) are added when they fall
    in the period.

    Raises:
        AccessDenied: If the patient is out of the caller's scope.
    """
    data = load_patient(store, patient, period)
    sessions = [(ref.label, r) for ref, r in data.sessions]
    sessions += [(n, r) for n, r in shared if period.holds(_record_time(r))]
    clinic = build_clinic_report(data, specs, name, period, datetime.now(UTC))
    prescriptions = list(data.prescriptions.values())
    html = report.build_report_html(
        sessions,
        specs,
        patient=name or None,
        prescriptions=prescriptions,
        clinic=clinic,
    )
    return html, build_report_pdf(sessions, specs, clinic, prescriptions)


def _record_time(record: SessionRecord) -> datetime:
    try:
        when = datetime.fromisoformat(record.created_utc)
    except ValueError:
        return datetime.now(UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)

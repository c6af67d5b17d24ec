"""Therapist: patients by need of attention, sessions with skeleton replay,
verdicts and comments, prescriptions re-scored before saving, symptoms over
time, agreement with formcheck, and the report (HTML and PDF).

Everything comes from the store (``ui.store``): in clinic mode the database,
scoped to the logged-in therapist; locally, shared session JSON files can be
opened too. A session holds no video: its landmarks are enough to replay it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import streamlit as st
from pydantic import ValidationError

from formcheck.app_support import plots, report, therapist_panels, therapist_views, ui
from formcheck.app_support.plain import markdown_text as plain
from formcheck.clinician.attention import AttentionSettings
from formcheck.errors import FormcheckError
from formcheck.prescription import (
    MAX_REPS,
    MAX_SETS,
    Prescription,
    apply_prescription,
    check_against_spec,
    depth_label,
    depth_limits,
    hold_limits,
    load_prescription,
)
from formcheck.record import SessionRecord, load_many
from formcheck.store.base import SessionRef

settings = ui.page_setup("Therapist")
viewer = ui.viewer()
if not viewer.is_therapist:
    st.title("Therapist")
    st.info("This page is for therapists.")
    st.stop()
cat = ui.catalog()
store = ui.store(settings)

st.title("Therapist")
st.caption(
    "Your patients, most in need of attention first; their sessions (replay any "
    "repetition as a skeleton, give your verdict, write to them); their "
    "prescriptions, symptoms and a report."
)
ui.show_catalog_problems(cat)


def validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "prescription"
    return f"{where}: {first['msg']}"


# ------------------------------------------------------------------ patients
try:
    choices = therapist_views.patient_choices(store, viewer)
except FormcheckError as exc:
    ui.error(exc)
    st.stop()
if viewer.clinic:
    therapist_views.show_invitations(store)
with st.popover("Flag settings", icon=":material/tune:"):
    inactive = st.number_input(
        "Flag no session after (days)", 1, 60, 3, key="ther_inactive_days"
    )
    weeks = st.number_input(
        "Flag no improvement after (weeks)", 2, 4, 3, key="ther_weeks"
    )
    refresh = st.button("Refresh the list", key="ther_refresh")
flag_settings = AttentionSettings(
    inactive_days=int(inactive), no_improvement_weeks=int(weeks)
)
lines = therapist_views.cached_overviews(
    store, choices, cat.specs, flag_settings, refresh=refresh
)
listed = [p for p in lines if p.sessions or p.flags]
if listed:
    st.markdown("#### Patients, most in need of attention first")
    therapist_views.show_patient_list(listed)
if not choices:
    st.info("No patient yet: invite one by e-mail above.")
    st.stop()
by_handle = {c.handle: c for c in choices}
patient = st.selectbox(
    "Patient",
    [p.patient for p in lines] or [c.handle for c in choices],
    format_func=lambda h: by_handle[h].name if h in by_handle else str(h),
    key="ther_patient",
)

tab_sessions, tab_rx, tab_symptoms, tab_agree, tab_report = st.tabs(
    ["Sessions", "Prescription", "Symptoms", "Agreement", "Report"]
)

# ------------------------------------------------------------------ sessions
with tab_sessions:
    try:
        entries = store.list_sessions(patient)
    except FormcheckError as exc:
        ui.error(exc)
        entries = []
    if patient is None:
        entries = [e for e in entries if e.patient is None]
    chosen = st.multiselect(
        f"Sessions ({len(entries)})",
        entries,
        format_func=lambda e: e.label,
        key="ther_sessions",
        placeholder="Choose sessions" if entries else "No saved sessions yet",
    )
    uploads = None
    if not viewer.clinic:
        uploads = st.file_uploader(
            "…or sessions a patient shared with you (session JSON)",
            type=["json"],
            accept_multiple_files=True,
            key="ther_upload",
        )
    shared_loaded, problems = load_many([(u.name, u.getvalue()) for u in uploads or []])
    st.session_state["ther_shared"] = shared_loaded
    loaded = list(shared_loaded)
    refs: dict[int, SessionRef] = {}
    for ref in reversed(chosen):
        try:
            loaded.insert(0, (ref.label, store.load_session(ref.id)))
        except FormcheckError as exc:
            problems.append(str(exc))
        else:
            refs[id(loaded[0][1])] = ref
    for problem in problems:
        ui.error(problem)
    st.session_state["ther_loaded"] = loaded
    if not loaded:
        st.info("Choose or upload one or more sessions to see them here.")
    else:
        records: list[SessionRecord] = [r for _, r in loaded]
        st.dataframe(
            [
                report.summary_row(r, name, cat.specs.get(r.exercise.id))
                for name, r in loaded
            ],
            hide_index=True,
            width="stretch",
        )
        if len(loaded) > 1:
            st.markdown("#### Progress across sessions")
            st.plotly_chart(
                plots.progress_figure(records, cat.specs), key="ther_progress"
            )
            with st.expander("Range of motion of every repetition"):
                st.dataframe(report.rom_rows(records), hide_index=True, width="stretch")
        for i, (name, record) in enumerate(loaded):
            spec = cat.specs.get(record.exercise.id)
            with st.expander(
                f"{plain(name)} — {plain(record.exercise.name)}",
                expanded=len(loaded) == 1,
            ):
                for warning in record.warnings:
                    st.caption(f"Note: {plain(warning)}")
                if spec is None:
                    st.caption(
                        f"The exercise '{plain(record.exercise.id)}' is not in this "
                        "formcheck: target bands are not shown."
                    )
                elif spec.revision != record.exercise.revision:
                    st.caption(
                        f"Recorded with spec revision {record.exercise.revision}; "
                        f"the current revision is {spec.revision}."
                    )
                st.markdown("**Repetitions**")
                st.dataframe(
                    report.rep_rows(record, spec), hide_index=True, width="stretch"
                )
                if record.holds:
                    st.markdown("**Holds**")
                    st.dataframe(
                        report.hold_rows(record), hide_index=True, width="stretch"
                    )
                st.markdown("**Faults**")
                if record.faults:
                    st.dataframe(
                        report.fault_rows(record), hide_index=True, width="stretch"
                    )
                else:
                    st.caption("None reported.")
                st.plotly_chart(
                    plots.cached_timeline_figure(record, spec),
                    key=f"ther_timeline_{i}",
                )
        st.markdown("### Replay and verdict")
        index = st.selectbox(
            "Session",
            range(len(loaded)),
            format_func=lambda i: plain(loaded[i][0]),
            key="ther_review",
        )
        name, record = loaded[index]
        therapist_views.show_review(
            store,
            refs.get(id(record)),
            record,
            cat.specs.get(record.exercise.id),
            patient,
        )

# -------------------------------------------------------------- prescription
with tab_rx:
    if viewer.clinic:
        rx_patient = patient or ""
        st.markdown(f"Prescription for **{plain(by_handle[patient].name)}**")
    else:
        known = store.patients()
        rx_patient = st.text_input(
            "Patient",
            key="rx_patient",
            placeholder="e.g. Jane Doe",
            help="Letters, digits, spaces, '.', '_' or '-'. Known patients: "
            + (plain(", ".join(known)) if known else "none yet"),
        ).strip()
    if not cat.specs:
        ui.error("No exercise spec could be loaded.")
        st.stop()
    exercise_id = st.selectbox(
        "Exercise", list(cat.specs), format_func=cat.label, key="rx_exercise"
    )
    spec = cat.specs[exercise_id]
    current: Prescription | None = None
    if rx_patient:
        try:
            current = store.prescription(rx_patient, exercise_id)
        except FormcheckError as exc:
            ui.error(f"{exc} — saving below replaces it.")
        if current is not None:
            st.info(
                f"Current prescription for {plain(rx_patient)} "
                f"(set {plain(current.created_utc[:10])}): "
                f"side {current.painful_side or '–'}, reps {current.reps or '–'}, "
                f"sets {current.sets or '–'}, hold {current.hold_s or '–'} s, "
                f"{current.days_per_week or 7} day(s) a week."
            )

    default_reps = (
        spec.reps.target_reps
        if spec.reps
        else (
            spec.guided.target_reps
            if spec.guided
            else (spec.hold.repeats if spec.hold else 1)
        )
    )
    default_sets = (
        spec.reps.target_sets
        if spec.reps
        else (spec.guided.target_sets if spec.guided else 1)
    )
    c1, c2, c3, c4 = st.columns(4)
    side = c1.selectbox(
        "Painful side",
        [None, "left", "right"],
        index=[None, "left", "right"].index(current.painful_side if current else None),
        format_func=lambda s: "— not set —" if s is None else s,
        key=f"rx_side_{exercise_id}",
    )
    reps = c2.number_input(
        "Reps per set" if spec.hold is None else "Holds per set",
        min_value=1,
        max_value=MAX_REPS,
        value=min(
            MAX_REPS, (current.reps if current and current.reps else default_reps)
        ),
        key=f"rx_reps_{exercise_id}",
    )
    sets = c3.number_input(
        "Sets per day",
        min_value=1,
        max_value=MAX_SETS,
        value=min(
            MAX_SETS, (current.sets if current and current.sets else default_sets)
        ),
        key=f"rx_sets_{exercise_id}",
    )
    days = c4.number_input(
        "Days a week",
        min_value=1,
        max_value=7,
        value=current.days_per_week if current and current.days_per_week else 7,
        key=f"rx_days_{exercise_id}",
    )
    hold_s = None
    if spec.hold is not None:
        hold_s = st.number_input(
            "Hold time (s)",
            min_value=1.0,
            max_value=600.0,
            value=float(
                current.hold_s if current and current.hold_s else spec.hold.target_s
            ),
            step=5.0,
            help=f"Allowed for {spec.name}: {hold_limits(spec)}.",
            key=f"rx_hold_{exercise_id}",
        )
    rep_enter = None
    if spec.reps is not None and spec.reps.enter_range is not None:
        limits = depth_limits(spec)
        if st.checkbox(
            "Change how far a repetition must go",
            value=bool(current and current.rep_enter is not None),
            key=f"rx_depth_on_{exercise_id}",
        ):
            rep_enter = st.number_input(
                depth_label(spec),
                value=float(
                    current.rep_enter
                    if current and current.rep_enter is not None
                    else spec.reps.enter
                ),
                step=1.0,
                help=f"Allowed for {spec.name}: {limits} (default {spec.reps.enter:g}).",
                key=f"rx_enter_{exercise_id}",
            )
    notes = st.text_area(
        "Notes for the patient", value=current.notes if current else "", key="rx_notes"
    )

    def edited() -> Prescription:
        return Prescription(
            patient=rx_patient,
            exercise=exercise_id,
            painful_side=side,
            reps=int(reps),
            sets=int(sets),
            days_per_week=None if int(days) == 7 else int(days),
            hold_s=float(hold_s) if hold_s is not None else None,
            rep_enter=float(rep_enter) if rep_enter is not None else None,
            notes=notes,
            created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    check, save = st.columns(2)
    if check.button("Check against past sessions", key="rx_rescore"):
        if not rx_patient:
            ui.error("Enter the patient's name first.")
        else:
            try:
                therapist_panels.show_rescore(store, rx_patient, spec, edited())
            except ValidationError as exc:
                ui.error(validation_message(exc))
            except FormcheckError as exc:
                ui.error(exc)
    if save.button("Save prescription", type="primary", key="rx_save"):
        if not rx_patient:
            ui.error("Enter the patient's name first.")
        else:
            try:
                prescription = edited()
                apply_prescription(spec, prescription)
                store.save_prescription(prescription)
            except ValidationError as exc:
                ui.error(validation_message(exc))
            except FormcheckError as exc:
                ui.error(exc)
            else:
                st.success(
                    f"Saved {spec.name} for {plain(rx_patient)}. "
                    "The Live page loads it for the patient's next session."
                )

    if not viewer.clinic:
        with st.expander("Import a prescription file"):
            rx_upload = st.file_uploader(
                "Prescription JSON", type=["json"], key="rx_upload"
            )
            if rx_upload is not None and st.button("Import", key="rx_import"):
                try:
                    imported = load_prescription(rx_upload.getvalue())
                    target = cat.specs.get(imported.exercise)
                    if target is None:
                        raise FormcheckError(
                            f"{rx_upload.name}: unknown exercise '{imported.exercise}'"
                        )
                    check_against_spec(imported, target)
                    store.save_prescription(imported)
                except FormcheckError as exc:
                    ui.error(
                        str(exc).replace("uploaded prescription", rx_upload.name, 1)
                    )
                else:
                    st.success(
                        f"Imported for {plain(imported.patient)}: "
                        f"{plain(cat.label(imported.exercise))}"
                    )

    if rx_patient:
        try:
            existing = store.prescriptions(rx_patient)
        except FormcheckError:
            existing = {}
        if existing:
            st.markdown(f"**{plain(rx_patient)}'s prescriptions**")
            st.dataframe(
                [
                    {
                        "exercise": cat.label(p.exercise),
                        "painful side": p.painful_side or "",
                        "reps": p.reps,
                        "sets a day": p.sets,
                        "days a week": p.days_per_week or 7,
                        "hold (s)": p.hold_s,
                        "depth": p.rep_enter,
                        "notes": p.notes,
                        "set on": p.created_utc[:10],
                    }
                    for p in existing.values()
                ],
                hide_index=True,
                width="stretch",
            )

# ------------------------------------------------------------------ symptoms
with tab_symptoms:
    therapist_panels.show_symptoms(store, patient, cat.specs)

# ----------------------------------------------------------------- agreement
with tab_agree:
    therapist_panels.show_agreement(store, choices, cat.specs)

# -------------------------------------------------------------------- report
with tab_report:
    shared = st.session_state.get("ther_shared") or []
    first_day = min(
        [therapist_panels.day_of(e.created_utc) for e in entries] + [date.today()]
    )
    period = therapist_panels.period_of(
        st.date_input("Period", (first_day, date.today()), key="ther_report_period")
    )
    names = sorted({r.patient for _, r in shared if r.patient})
    default_name = (
        by_handle[patient].name
        if patient is not None and patient in by_handle
        else (names[0] if len(names) == 1 else "")
    )
    who = st.text_input(
        "Patient name on the report", value=default_name, key="report_patient"
    )
    if st.button("Build report", type="primary", key="report_build"):
        try:
            with st.spinner("Building the report…"):
                html, pdf = therapist_panels.build_reports(
                    store, patient, period, who, shared, cat.specs
                )
        except FormcheckError as exc:
            ui.error(exc)
        else:
            st.session_state["report_html"], st.session_state["report_pdf"] = html, pdf
    html = st.session_state.get("report_html")
    pdf = st.session_state.get("report_pdf")
    if html:
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        stem = f"formcheck-report-{(who or 'patient').replace(' ', '-')}-{stamp}"
        st.download_button(
            "Download report (HTML, works offline, printable)",
            html,
            file_name=f"{stem}.html",
            mime="text/html",
            key="report_download",
        )
        if pdf:
            st.download_button(
                "Download report (PDF)",
                pdf,
                file_name=f"{stem}.pdf",
                mime="application/pdf",
                key="report_download_pdf",
            )
        st.caption(f"{len(html) / 1e6:.1f} MB, plots included.")

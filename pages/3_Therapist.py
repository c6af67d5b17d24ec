"""Therapist: open sessions, follow progress, set a prescription, export a report.

A session JSON is enough (no video): patients can share movement data without
sharing footage.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
from pydantic import ValidationError

from formcheck.app_support import plots, report, ui
from formcheck.app_support.plain import markdown_text as plain
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

settings = ui.page_setup("Therapist")
cat = ui.catalog()
store = ui.store(settings)

st.title("Therapist")
st.caption(
    "Open a patient's sessions (from this computer, or the session JSON files they "
    "sent you), follow their progress, set their prescription and export a report."
)
ui.show_catalog_problems(cat)


def validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "prescription"
    return f"{where}: {first['msg']}"


tab_sessions, tab_rx, tab_report = st.tabs(["Sessions", "Prescription", "Report"])

# ------------------------------------------------------------------ sessions
with tab_sessions:
    entries = store.list_sessions()
    chosen = st.multiselect(
        f"Saved sessions on this computer ({len(entries)})",
        entries,
        format_func=lambda e: e.label,
        key="ther_sessions",
        placeholder="Choose sessions" if entries else "No saved sessions yet",
    )
    uploads = st.file_uploader(
        "…or sessions a patient shared with you (session JSON)",
        type=["json"],
        accept_multiple_files=True,
        key="ther_upload",
    )
    loaded, problems = load_many([(u.name, u.getvalue()) for u in uploads or []])
    for ref in chosen:
        try:
            loaded.insert(0, (ref.label, store.load_session(ref.id)))
        except FormcheckError as exc:
            problems.append(str(exc))
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

# -------------------------------------------------------------- prescription
with tab_rx:
    patients = store.patients()
    patient = st.text_input(
        "Patient",
        key="rx_patient",
        placeholder="e.g. Jane Doe",
        help="Letters, digits, spaces, '.', '_' or '-'. Known patients: "
        + (plain(", ".join(patients)) if patients else "none yet"),
    ).strip()
    if not cat.specs:
        ui.error("No exercise spec could be loaded.")
        st.stop()
    exercise_id = st.selectbox(
        "Exercise", list(cat.specs), format_func=cat.label, key="rx_exercise"
    )
    spec = cat.specs[exercise_id]
    current: Prescription | None = None
    if patient:
        try:
            current = store.prescription(patient, exercise_id)
        except FormcheckError as exc:
            ui.error(f"{exc} — saving below replaces it.")
        if current is not None:
            st.info(
                f"Current prescription for {plain(patient)} "
                f"(set {plain(current.created_utc[:10])}): "
                f"side {current.painful_side or '–'}, reps {current.reps or '–'}, "
                f"sets {current.sets or '–'}, hold {current.hold_s or '–'} s."
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
    c1, c2, c3 = st.columns(3)
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
        "Sets",
        min_value=1,
        max_value=MAX_SETS,
        value=min(
            MAX_SETS, (current.sets if current and current.sets else default_sets)
        ),
        key=f"rx_sets_{exercise_id}",
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
    if st.button("Save prescription", type="primary", key="rx_save"):
        if not patient:
            ui.error("Enter the patient's name first.")
        else:
            try:
                prescription = Prescription(
                    patient=patient,
                    exercise=exercise_id,
                    painful_side=side,
                    reps=int(reps),
                    sets=int(sets),
                    hold_s=float(hold_s) if hold_s is not None else None,
                    rep_enter=float(rep_enter) if rep_enter is not None else None,
                    notes=notes,
                    created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
                )
                apply_prescription(spec, prescription)
                store.save_prescription(prescription)
            except ValidationError as exc:
                ui.error(validation_message(exc))
            except FormcheckError as exc:
                ui.error(exc)
            else:
                st.success(
                    f"Saved {spec.name} for {plain(patient)}. "
                    "The Live page loads it when the patient is chosen there."
                )

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
                ui.error(str(exc).replace("uploaded prescription", rx_upload.name, 1))
            else:
                st.success(
                    f"Imported for {plain(imported.patient)}: "
                    f"{plain(cat.label(imported.exercise))}"
                )

    if patient:
        try:
            existing = store.prescriptions(patient)
        except FormcheckError:
            existing = {}
        if existing:
            st.markdown(f"**{plain(patient)}'s prescriptions**")
            st.dataframe(
                [
                    {
                        "exercise": cat.label(p.exercise),
                        "painful side": p.painful_side or "",
                        "reps": p.reps,
                        "sets": p.sets,
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

# -------------------------------------------------------------------- report
with tab_report:
    loaded = st.session_state.get("ther_loaded") or []
    if not loaded:
        st.info("Open sessions on the Sessions tab first.")
    else:
        names = sorted({r.patient for _, r in loaded if r.patient})
        who = st.text_input(
            "Patient name on the report",
            value=names[0] if len(names) == 1 else "",
            key="report_patient",
        )
        prescriptions = []
        if who:
            try:
                prescriptions = list(store.prescriptions(who).values())
            except FormcheckError:
                prescriptions = []
        if st.button("Build report", type="primary", key="report_build"):
            with st.spinner("Building the report…"):
                html = report.build_report_html(
                    loaded, cat.specs, patient=who or None, prescriptions=prescriptions
                )
            st.session_state["report_html"] = html
        html = st.session_state.get("report_html")
        if html:
            stamp = datetime.now(UTC).strftime("%Y%m%d")
            st.download_button(
                "Download report (HTML, works offline, printable)",
                html,
                file_name=f"formcheck-report-{(who or 'patient').replace(' ', '-')}-{stamp}.html",
                mime="text/html",
                key="report_download",
            )
            st.caption(f"{len(html) / 1e6:.1f} MB, plots included.")

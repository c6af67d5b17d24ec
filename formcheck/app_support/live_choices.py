"""The Live page's choices: what to do, for whom, on which side (Streamlit code).

:class:`PlanChooser` draws the choices (one exercise or a routine, the
patient whose prescription applies, the painful side) and turns them into a
:class:`~formcheck.app_support.live_plan.LivePlan` with the builders of
:mod:`.live_plan`; :func:`prescribed_plan` is a clinic patient's plan, with
nothing to choose; :func:`show_overview` lists the plan's steps and asks the
questions before starting. Widgets only: the plans are built in
:mod:`.live_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from formcheck import messages
from formcheck.clinic import SymptomLocation
from formcheck.errors import FormcheckError
from formcheck.landmarks import side_of
from formcheck.prescription import Prescription, apply_prescription
from formcheck.routines import Routine
from formcheck.store.base import Store

from . import live_status, safety, ui
from .catalog import Catalog, item_summary, routine_label
from .live_plan import (
    LivePlan,
    asks_side,
    plan_for_exercise,
    plan_for_prescriptions,
    plan_for_routine,
    prescribed_side,
    routine_asks_side,
)
from .plain import markdown_text as plain

_SIDE_KEY = "live_side"
_SIDE_SOURCE_KEY = "live_side_source"


def prescribed_plan(store: Store, cat: Catalog, patient: str) -> LivePlan:
    """A clinic patient's plan: their prescriptions (stops the page if none)."""
    try:
        prescribed = list(store.prescriptions(patient).values())
    except FormcheckError as exc:
        ui.error(exc)
        st.stop()
    plan = plan_for_prescriptions(prescribed, cat.specs, patient=patient)
    if plan is None:
        st.info(messages.LIVE_NOTHING_PRESCRIBED)
        st.stop()
    return plan


def show_overview(plan: LivePlan) -> tuple[SymptomLocation | None, bool]:
    """The plan's steps, then the questions before starting.

    Returns:
        ``(symptoms_before, voice)``: where the symptoms are now (``None``
        until answered), and whether to speak the cues.
    """
    st.markdown(f"**{plain(plan.label)}** — " + messages.plan_overview(len(plan.steps)))
    st.markdown(live_status.plan_lines(plan))
    before = st.radio(
        safety.SYMPTOM_BASELINE_QUESTION,
        list(SymptomLocation),
        format_func=lambda p: safety.SYMPTOM_PLACES[p.value],
        index=None,
        horizontal=True,
        key="live_symptoms_before",
        help=safety.SYMPTOM_HELP,
    )
    voice = st.toggle(
        "Speak the cues and the countdowns", value=False, key="live_voice"
    )
    return before, voice


@dataclass
class PlanChooser:
    """The choices of a local user or a therapist, as a plan.

    Attributes:
        cat: The exercises on offer.
        store: Where patients and prescriptions come from.
        running: A run is under way: the choices are shown but locked.
    """

    cat: Catalog
    store: Store
    running: bool

    def choose(self) -> LivePlan | None:
        """The page's choices (exercise or routine, patient, side) as a plan."""
        routines, problems = ui.routines()
        for problem in problems:
            st.warning(f"Skipped a routine that does not load: {plain(problem)}")
        modes = ["One exercise", "A routine"] if routines else ["One exercise"]
        mode = st.radio(
            "What to do", modes, horizontal=True, disabled=self.running, key="live_mode"
        )
        patient = st.selectbox(
            "Patient (loads the therapist's prescription)",
            [None, *self.store.patients()],
            format_func=lambda p: "— none —" if p is None else p,
            disabled=self.running,
            key="live_patient",
        )
        if mode == "A routine":
            return self._routine(routines, patient)
        return self._exercise(patient)

    def _routine(self, routines: dict[str, Routine], patient: str | None) -> LivePlan:
        cat = self.cat
        routine_id = st.selectbox(
            "Routine",
            list(routines),
            format_func=lambda r: routine_label(routines[r], cat.specs),
            disabled=self.running,
            key="live_routine",
        )
        routine = routines[routine_id]
        labels = [cat.item_label(i) for i in routine.items]
        start_at = st.selectbox(
            "Start at",
            range(len(routine.items)),
            format_func=lambda i: (
                f"{i + 1}. {labels[i]} — {item_summary(routine.items[i])}"
            ),
            disabled=self.running,
            key=f"live_start_{routine.id}",
        )
        rx: dict[str, Prescription] = {}
        if patient is not None:
            try:
                rx = self.store.prescriptions(patient)
            except FormcheckError as exc:
                ui.error(exc)
        rx_side = prescribed_side(list(rx.values()))
        side = self._side(
            rx_side.value if rx_side else None,
            ("routine", routine.id, patient, rx_side),
            routine_asks_side(routine, cat.specs),
        )
        st.caption(plain(routine.description))
        return plan_for_routine(
            routine,
            cat.specs,
            labels=labels,
            side=side_of(side) if side else None,
            prescriptions=rx,
            patient=patient,
            start_at=start_at,
        )

    def _exercise(self, patient: str | None) -> LivePlan:
        exercise_id = st.selectbox(
            "Exercise",
            list(self.cat.specs),
            format_func=self.cat.label,
            disabled=self.running,
            key="live_exercise",
        )
        base = self.cat.specs[exercise_id]
        prescription = self._prescription(patient, exercise_id)
        spec = base
        if prescription is not None:
            try:
                spec = apply_prescription(base, prescription)
            except FormcheckError as exc:
                prescription = None
                ui.error(exc)
                st.caption("Using the exercise's default targets instead.")
        elif patient is not None:
            st.caption(f"No prescription for {base.name} yet: default targets.")
        side = self._side(
            prescription.painful_side if prescription else None,
            (
                "exercise",
                exercise_id,
                patient,
                prescription and prescription.painful_side,
            ),
            asks_side(spec),
        )
        if spec.side.mode == "alternating":
            st.caption(messages.side_mode_text("alternating").capitalize() + ".")
        return plan_for_exercise(
            spec, side_of(side) if side else None, prescription, patient=patient
        )

    def _prescription(
        self, patient: str | None, exercise_id: str
    ) -> Prescription | None:
        if patient is None:
            return None
        try:
            return self.store.prescription(patient, exercise_id)
        except FormcheckError as exc:
            ui.error(exc)
            st.caption("Using the exercise's default targets instead.")
            return None

    def _side(self, rx_side: str | None, source: object, one_sided: bool) -> str | None:
        """The painful-side choice, reset to the prescribed side when that changes.

        One key for every exercise, so a side chosen for one exercise does not
        stick to another; whenever the exercise, routine, patient or prescribed
        side changes, the widget starts from the prescription again (whatever
        order the choices were made in).
        """
        if not one_sided:
            return None
        if st.session_state.get(_SIDE_SOURCE_KEY) != source:
            st.session_state[_SIDE_SOURCE_KEY] = source
            st.session_state[_SIDE_KEY] = rx_side
        side: str | None = st.selectbox(
            "Painful side",
            [None, "left", "right"],
            format_func=lambda s: "— the side facing the camera —" if s is None else s,
            disabled=self.running,
            key=_SIDE_KEY,
            help="Prescribed by your therapist when a patient is chosen.",
        )
        return side

"""Exercises: the library — how to do each one, where to put the camera, what is checked."""

from __future__ import annotations

import streamlit as st

from formcheck import messages
from formcheck.app_support import safety, ui
from formcheck.app_support.catalog import checks_table
from formcheck.pictures import exercise_pictures

ui.page_setup("Exercises")
cat = ui.catalog()
st.title("Exercise library")
ui.show_catalog_problems(cat)
if not cat.specs:
    ui.error("No exercise spec could be loaded.")
    st.stop()

exercise_id = st.selectbox(
    "Exercise", list(cat.specs), format_func=cat.label, key="library_exercise"
)
spec = cat.specs[exercise_id]

st.header(spec.name)
st.markdown(spec.description)

# Start, end and camera placement, drawn by the project's own mannequin.
pictures = exercise_pictures(spec)
if pictures:
    for column, picture in zip(st.columns(len(pictures)), pictures, strict=True):
        with column:
            st.image(str(picture.path), caption=picture.caption)

how, camera = st.columns(2)
with how:
    st.subheader("How to do it")
    for line in spec.instructions:
        st.markdown(f"- {line}")
    if spec.reps is not None:
        st.caption(
            f"Counted: {spec.reps.target_reps} reps × {spec.reps.target_sets} set(s) by default."
        )
    if spec.hold is not None:
        st.caption(
            f"Timed hold: {spec.hold.target_s:g} s (at least {spec.hold.min_s:g} s), "
            f"{spec.hold.repeats} time(s); the timer runs only while the pose is right."
        )
    if spec.guided is not None:
        steps = " → ".join(f"{s.cue} ({s.seconds:g} s)" for s in spec.guided.steps)
        st.caption(
            f"Paced, not measured: {steps}; {spec.guided.target_reps} reps by default."
        )
with camera:
    st.subheader("Where to put the camera")
    st.markdown(spec.camera.framing)
    st.markdown(
        f"- View: **{spec.camera.view.replace('_', ' ')}**"
        + (
            f" (a second set from the {spec.camera.secondary_view.replace('_', ' ')} "
            "view catches more)"
            if spec.camera.secondary_view
            else ""
        )
        + f"\n- Height: {spec.camera.height_m[0]:g}–{spec.camera.height_m[1]:g} m"
        + f"\n- Distance: {spec.camera.distance_m[0]:g}–{spec.camera.distance_m[1]:g} m"
        + f"\n- Side: {messages.side_mode_text(spec.side.mode)}"
    )

st.subheader("What is checked")
# A static table wraps long notes, so no column is cut off on the right.
st.table(checks_table(spec), border="horizontal")
if spec.reminders:
    st.markdown("**Reminders** (things the camera cannot check):")
    for reminder in spec.reminders:
        st.markdown(f"- {reminder.text}")

st.subheader("What the camera cannot see")
for line in spec.cannot_see or ["Nothing specific is listed for this exercise."]:
    st.markdown(f"- {line}")

st.subheader("Safety")
with st.container(border=True):
    st.markdown(f"**Before you start:** {spec.safety.before}")
    st.markdown(f"**Stop if:** {spec.safety.stop_if}")
    for note in spec.safety.notes:
        st.markdown(f"- {note}")
    st.markdown(safety.red_flags_markdown())

"""formcheck's front door: ``streamlit run app.py``.

A thin layer over the ``formcheck`` package. The pages in ``pages/`` show
widgets and hand everything else to ``formcheck`` and
``formcheck.app_support``; this home page says what the app is for and where
to go.
"""

from __future__ import annotations

import streamlit as st

from formcheck.app_support import safety, ui
from formcheck.app_support.comments_panel import show_comments

settings = ui.page_setup("Home")
cat = ui.catalog()
store = ui.store(settings)

st.title("formcheck")
st.markdown(
    "**Exercise form checking for sciatica and low-back-pain home exercises.** "
    "Your camera (or a recorded video) is read frame by frame on this computer; "
    "formcheck compares your joint angles with each exercise's spec, counts "
    "repetitions per side, times holds only while the pose is right, and says "
    "plainly what a camera cannot see."
)

if not ui.viewer().clinic:  # clinic mode's Home greets its patients itself
    show_comments(store, ui.viewer(), key="home_comments")

live, review, therapist = st.columns(3)
with live, st.container(border=True):
    st.markdown("#### :material/videocam: Exercise now")
    st.markdown(
        "Pick an exercise or a routine, get into position, and follow the cues "
        "while your reps and holds are counted."
    )
    st.page_link("pages/1_Live.py", label="Open Live", icon=":material/arrow_forward:")
with review, st.container(border=True):
    st.markdown("#### :material/movie: Review a recording")
    st.markdown(
        "Upload a video: see every repetition, the timeline of your angles, and "
        "jump to each fault."
    )
    st.page_link(
        "pages/2_Review.py", label="Open Review", icon=":material/arrow_forward:"
    )
with therapist, st.container(border=True):
    st.markdown("#### :material/medical_services: For therapists")
    st.markdown(
        "Open sessions your patient shared (the JSON is enough, no video), follow "
        "progress, set a prescription and export a report."
    )
    st.page_link(
        "pages/3_Therapist.py", label="Open Therapist", icon=":material/arrow_forward:"
    )

st.page_link(
    "pages/4_Exercises.py",
    label=f"Browse the exercise library ({len(cat.specs)} exercises)",
    icon=":material/menu_book:",
)

with st.container(border=True):
    st.markdown("#### :material/warning: Before you start")
    st.markdown(safety.BEFORE_FIRST_SESSION)
    st.markdown(safety.red_flags_markdown())
    st.caption(safety.NOT_A_MEDICAL_DEVICE)

"""formcheck's front door: ``streamlit run app.py``.

A thin layer over the ``formcheck`` package. The pages in ``pages/`` show
widgets and hand everything else to ``formcheck`` and
``formcheck.app_support``; this home page says what the app is for and where
to go. In clinic mode it also greets the logged-in user: a patient sees
their therapist's latest comments and their own progress, a therapist their
patients, an administrator the accounts page.
"""

from __future__ import annotations

import streamlit as st

from formcheck.app_support import home, plots, report, safety, ui
from formcheck.app_support.comments_panel import show_comments
from formcheck.app_support.plain import markdown_text as plain
from formcheck.errors import FormcheckError

settings = ui.page_setup("Home")
cat = ui.catalog()
who = ui.viewer()


def patient_home() -> None:
    store = ui.store(settings)
    st.markdown("#### :material/forum: From your therapist")
    try:
        comments = home.latest_comments(store.comments())
    except FormcheckError as exc:
        ui.error(exc)
        comments = []
    if not comments:
        st.caption("No comments yet: your therapist's notes will appear here.")
    for comment in comments:
        with st.container(border=True):
            st.caption(plain(home.comment_heading(comment, who.name)))
            st.markdown(plain(comment.text))
    st.markdown("#### :material/trending_up: Your progress")
    try:
        refs = store.list_sessions(who.patient)[: home.RECENT_SESSIONS]
        records = [store.load_session(ref.id) for ref in refs]
    except FormcheckError as exc:
        ui.error(exc)
        records = []
    if not records:
        st.caption(
            "No sessions yet. Exercise on the Live page, or review a video, and "
            "your sessions will show here."
        )
        return
    st.dataframe(home.progress_rows(records), hide_index=True, width="stretch")
    if len(records) > 1:
        st.plotly_chart(plots.progress_figure(records), key="home_progress")
    with st.expander("Your recent sessions"):
        st.dataframe(
            [report.summary_row(r) for r in records], hide_index=True, width="stretch"
        )


def therapist_home() -> None:
    store = ui.store(settings)
    try:
        patients = store.my_patients()
        pending = [i for i in store.invitations() if i.accepted_utc is None]
    except FormcheckError as exc:
        ui.error(exc)
        return
    st.markdown(f"#### :material/group: Your patients ({len(patients)})")
    if patients:
        st.dataframe(
            [{"name": p.name, "e-mail": p.email or ""} for p in patients],
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("No patients yet: invite them by e-mail from the Therapist page.")
    if pending:
        st.caption(
            f"{len(pending)} invitation(s) not accepted yet: "
            + plain(", ".join(i.email for i in pending))
        )


st.title("formcheck")
if who.clinic:
    st.markdown(f"**Hello, {plain(who.name)}.**")
st.markdown(
    "**Exercise form checking for sciatica and low-back-pain home exercises.** "
    "Your camera (or a recorded video) is read frame by frame on this computer; "
    "formcheck compares your joint angles with each exercise's spec, counts "
    "repetitions per side, times holds only while the pose is right, and says "
    "plainly what a camera cannot see."
)

cards = []
if who.is_patient:
    cards.append(
        (
            ":material/videocam: Exercise now",
            "Pick an exercise or a routine, get into position, and follow the cues "
            "while your reps and holds are counted.",
            "pages/1_Live.py",
            "Open Live",
        )
    )
if who.is_patient or who.is_therapist:
    cards.append(
        (
            ":material/movie: Review a recording",
            "Upload a video: see every repetition, the timeline of your angles, and "
            "jump to each fault.",
            "pages/2_Review.py",
            "Open Review",
        )
    )
if who.is_therapist:
    cards.append(
        (
            ":material/medical_services: For therapists",
            "See your patients' sessions (no video needed), follow progress, set a "
            "prescription and export a report."
            if who.clinic
            else "Open sessions your patient shared (the JSON is enough, no video), "
            "follow progress, set a prescription and export a report.",
            "pages/3_Therapist.py",
            "Open Therapist",
        )
    )
if who.is_admin:
    cards.append(
        (
            ":material/manage_accounts: Accounts",
            "Add therapists and administrators, link therapists and patients, see "
            "the invitations.",
            "pages/5_Admin.py",
            "Open Accounts",
        )
    )
for column, (heading, text, page, label) in zip(
    st.columns(max(1, len(cards))), cards, strict=False
):
    with column, st.container(border=True):
        st.markdown(f"#### {heading}")
        st.markdown(text)
        st.page_link(page, label=label, icon=":material/arrow_forward:")

st.page_link(
    "pages/4_Exercises.py",
    label=f"Browse the exercise library ({len(cat.specs)} exercises)",
    icon=":material/menu_book:",
)

if not who.clinic:  # clinic mode's Home greets its patients itself
    show_comments(ui.store(settings), who, key="home_comments")
if who.clinic and who.is_patient:
    patient_home()
if who.clinic and who.is_therapist:
    therapist_home()

with st.container(border=True):
    st.markdown("#### :material/warning: Before you start")
    st.markdown(safety.BEFORE_FIRST_SESSION)
    st.markdown(safety.red_flags_markdown())
    st.caption(safety.NOT_A_MEDICAL_DEVICE)

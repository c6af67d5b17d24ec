"""Live: exercise in front of the webcam, hands-free, with real-time feedback.

The frame work and the routine run in ``LiveProcessor``
(formcheck.app_support.live) on streamlit-webrtc's worker thread; this page
only makes the choices (in the main column, so they are reachable at phone
width; ``live_choices``), shows the stream and polls the processor's latest
snapshot (``live_panels.StatusPanel``; what to show is worked out in
``live_status``).
"""

from __future__ import annotations

import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from formcheck import messages
from formcheck.app_support import live_status, safety, ui
from formcheck.app_support.comments_panel import show_comments
from formcheck.app_support.live import LiveProcessor
from formcheck.app_support.live_choices import (
    PlanChooser,
    prescribed_plan,
    show_overview,
)
from formcheck.app_support.live_panels import StatusPanel, note_connecting
from formcheck.app_support.live_plan import plan_key
from formcheck.app_support.plain import markdown_text as plain
from formcheck.app_support.speech import CueSpeaker
from formcheck.errors import FormcheckError

WEBRTC_KEY = "formcheck-live"

settings = ui.page_setup("Live")
cat = ui.catalog()
store = ui.store(settings)
viewer = ui.viewer()

st.title("Live exercise check")
show_comments(store, ui.viewer(), key="live_comments")
ui.show_catalog_problems(cat)
if not cat.specs:
    ui.error("No exercise spec could be loaded, so there is nothing to check.")
    st.stop()

previous = st.session_state.get(WEBRTC_KEY)
active = bool(
    previous is not None and (previous.state.playing or previous.state.signalling)
)
holder = st.session_state.get("live_processor")
running = live_status.run_in_progress(
    active, holder[1].phase if holder is not None else None
)

# ----------------------------------------------------------------- choices
if viewer.clinic and viewer.is_patient and viewer.patient is not None:
    # A clinic patient does what their therapist prescribed: nothing to choose.
    plan = prescribed_plan(store, cat, viewer.patient)
    overview = st.container(border=True)
else:
    box = st.expander("Your exercise", expanded=not running, icon=":material/tune:")
    choices, overview = box.columns(2, gap="medium")
    with choices:
        chosen = PlanChooser(cat, store, running).choose()
    if chosen is None:
        st.stop()
    plan = chosen
for problem in plan.problems:
    st.warning(plain(problem))

with overview:
    before, voice = show_overview(plan)

# ---------------------------------------------------------------- processor
key = plan_key(plan)
if holder is None or (holder[0] != key and not active):
    if holder is not None:
        holder[1].close()
        st.session_state.pop("live_processor", None)
    try:
        with st.spinner("Loading the pose model…"):
            factory = ui.estimator_factory()
            processor = LiveProcessor(
                plan=plan,
                store=store,
                patient=plan.patient,
                **({"estimator_factory": factory} if factory else {}),
            )
    except FormcheckError as exc:
        ui.error(exc)
        st.stop()
    st.session_state["live_processor"] = (key, processor)
    st.session_state["live_speaker"] = CueSpeaker()
    st.session_state["live_announced"] = 0
processor: LiveProcessor = st.session_state["live_processor"][1]
processor.set_symptoms_before(before)
speaker: CueSpeaker = st.session_state.setdefault("live_speaker", CueSpeaker())

# ------------------------------------------------------------------ stream
host = live_status.insecure_host(st.context.url)
if host is not None:
    st.warning(messages.live_insecure_origin(host))

col_video, col_status = st.columns([1, 1], gap="medium")
with col_video:
    if ui.under_apptest():
        # AppTest has no browser and no WebRTC runtime: tests drive the
        # processor directly (see tests/test_app_pages.py).
        ctx = None
        st.info("Camera stream (not available under AppTest).")
    else:
        ctx = webrtc_streamer(
            key=WEBRTC_KEY,
            mode=WebRtcMode.SENDRECV,
            rtc_configuration=settings.rtc_configuration(),
            media_stream_constraints={"video": True, "audio": False},
            video_frame_callback=processor.video_frame_callback,
            on_video_ended=processor.end_stream,
            async_processing=True,
            video_html_attrs={
                "style": {
                    "width": "100%",
                    "maxHeight": "560px",
                    "objectFit": "contain",
                },
                "autoPlay": True,
                "controls": False,
                "muted": True,
            },
        )
    with st.expander("Camera not working?"):
        st.markdown(messages.CAMERA_HELP)

playing = bool(ctx is not None and ctx.state.playing)
signalling = bool(ctx is not None and ctx.state.signalling)
if live_status.stream_lost(playing, signalling, processor.phase):
    # The stream is gone but on_video_ended did not reach us: save now.
    processor.end_stream()
note_connecting(playing, signalling)


# ------------------------------------------------------------------ status
@st.fragment(run_every=0.5 if (playing or signalling) else None)
def status_panel() -> None:
    StatusPanel(processor, speaker, voice, playing, signalling).show()


with col_status:
    status_panel()

with st.container(border=True):
    st.markdown("#### :material/warning: Safety")
    for line in safety.DURING_EXERCISE[:2]:
        st.markdown(f"- {line}")
    st.markdown(safety.red_flags_markdown())

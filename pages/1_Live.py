"""Live: exercise in front of the webcam with real-time feedback.

The frame work happens in ``LiveProcessor`` (formcheck.app_support.live) on
streamlit-webrtc's worker thread; this page only picks the exercise, shows
the stream and polls the processor's latest snapshot.
"""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlparse

import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from formcheck.app_support import safety, ui
from formcheck.app_support.catalog import (
    item_summary,
    routine_label,
    routine_prescription,
)
from formcheck.app_support.comments_panel import show_comments
from formcheck.app_support.live import LiveProcessor, LiveSnapshot
from formcheck.app_support.plain import markdown_text as plain
from formcheck.app_support.speech import CueSpeaker, speech_html
from formcheck.errors import FormcheckError
from formcheck.prescription import Prescription, apply_prescription
from formcheck.routines import Routine, RoutineItem
from formcheck.specs.schema import ExerciseSpec

WEBRTC_KEY = "formcheck-live"
NO_FRAMES_S = 6.0
NEVER_PLAYS_S = 15.0

settings = ui.page_setup("Live")
cat = ui.catalog()
store = ui.store(settings)

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

# ----------------------------------------------------------------- choices
routines, routine_problems = ui.routines()
for problem in routine_problems:
    st.warning(f"Skipped a routine that does not load: {plain(problem)}")

not_checkable: str | None = None
with st.sidebar:
    st.markdown("### Your exercise")
    modes = ["One exercise", "A routine"] if routines else ["One exercise"]
    mode = st.radio(
        "What to do", modes, horizontal=True, disabled=active, key="live_mode"
    )
    item: RoutineItem | None = None
    routine: Routine | None = None
    exercise_id: str | None
    if mode == "A routine":
        routine_id = st.selectbox(
            "Routine",
            list(routines),
            format_func=lambda r: routine_label(routines[r], cat.specs),
            disabled=active,
            key="live_routine",
        )
        routine = routines[routine_id]
        step_key = f"live_routine_step_{routine.id}"
        step = min(st.session_state.get(step_key, 0), len(routine.items) - 1)
        nav_prev, nav_next = st.columns(2)
        if nav_prev.button("◀ Previous", disabled=active or step == 0):
            step -= 1
        if nav_next.button("Next ▶", disabled=active or step >= len(routine.items) - 1):
            step += 1
        st.session_state[step_key] = step
        item = routine.items[step]
        minutes = routine.total_seconds(cat.specs) / 60
        st.caption(f"About {minutes:.0f} minutes in all, rests included.")
        st.markdown(
            f"**Step {step + 1} of {len(routine.items)}: "
            f"{cat.item_label(item)}** — {item_summary(item)}"
        )
        if item.notes:
            st.caption(item.notes)
        exercise_id = item.exercise
        if exercise_id is None or exercise_id not in cat.specs:
            why = (
                "formcheck cannot check this one with a camera"
                if exercise_id is None
                else f"the exercise '{exercise_id}' is not available yet"
            )
            not_checkable = (
                f"**{cat.item_label(item)}** ({item_summary(item)}): {why}. "
                "Do it, then press **Next ▶**."
            )
    else:
        exercise_id = st.selectbox(
            "Exercise",
            list(cat.specs),
            format_func=cat.label,
            disabled=active,
            key="live_exercise",
        )

if not_checkable is not None or exercise_id is None:
    st.info(not_checkable or "Choose an exercise.")
    if routine is not None:
        st.caption(routine.description)
    st.stop()

base_spec = cat.specs[exercise_id]
prescription: Prescription | None = None
spec: ExerciseSpec = base_spec
notes: list[str] = []
broken_prescription = False
with st.sidebar:
    patient = st.selectbox(
        "Patient (loads the therapist's prescription)",
        [None, *store.patients()],
        format_func=lambda p: "— none —" if p is None else p,
        disabled=active,
        key="live_patient",
    )
    if item is not None:
        try:
            spec = apply_prescription(base_spec, routine_prescription(item))
        except FormcheckError as exc:
            st.warning(
                f"The routine's targets do not fit this exercise ({plain(exc)}); "
                "using its defaults."
            )
    if patient is not None:
        try:
            prescription = store.prescription(patient, exercise_id)
        except FormcheckError as exc:
            ui.error(exc)
            st.caption("Using the exercise's default targets instead.")
            broken_prescription = True
        if prescription is not None:
            try:
                spec = apply_prescription(base_spec, prescription)
            except FormcheckError as exc:
                prescription = None
                ui.error(exc)
                st.caption("Using the exercise's default targets instead.")
        elif not broken_prescription:
            st.caption(f"No prescription for {base_spec.name} yet: default targets.")
    side_choice = None
    if spec.side.mode in ("painful", "auto"):
        default = prescription.painful_side if prescription else None
        options = [None, "left", "right"]
        side_choice = st.selectbox(
            "Painful side" if spec.side.mode == "painful" else "Side to check",
            options,
            index=options.index(default),
            format_func=lambda s: "— the side facing the camera —" if s is None else s,
            disabled=active,
            key=f"live_side_{exercise_id}",
        )
    elif spec.side.mode == "alternating":
        st.caption("Both sides, alternating: each side is counted separately.")
    voice = st.toggle("Speak the cues", value=False, key="live_voice")

targets = []
if spec.reps is not None:
    targets.append(f"{spec.reps.target_reps} reps × {spec.reps.target_sets} set(s)")
if spec.guided is not None:
    targets.append(
        f"{spec.guided.target_reps} paced reps × {spec.guided.target_sets} set(s)"
    )
if spec.hold is not None:
    targets.append(f"{spec.hold.repeats} hold(s) of {spec.hold.target_s:g} s")
st.caption(
    f"**{spec.name}** — {spec.description} Target: {'; '.join(targets) or 'as prescribed'}."
    + (f" Prescription for {plain(patient)}." if prescription else "")
    + (f" {plain(prescription.notes)}" if prescription and prescription.notes else "")
)

# ---------------------------------------------------------------- processor
key = (
    hashlib.sha1(spec.model_dump_json().encode()).hexdigest(),
    side_choice,
    patient,
)
holder = st.session_state.get("live_processor")
if holder is None or (holder[0] != key and not active):
    if holder is not None:
        holder[1].close()
        st.session_state.pop("live_processor", None)
    try:
        with st.spinner("Loading the pose model…"):
            factory = ui.estimator_factory()
            processor = LiveProcessor(
                spec,
                side_choice,
                store=store,
                patient=patient,
                prescription=prescription,
                **({"estimator_factory": factory} if factory else {}),
            )
    except FormcheckError as exc:
        ui.error(exc)
        st.stop()
    st.session_state["live_processor"] = (key, processor)
    st.session_state["live_speaker"] = CueSpeaker()
    st.session_state.pop("live_safety_stop", None)
processor: LiveProcessor = st.session_state["live_processor"][1]
speaker: CueSpeaker = st.session_state.setdefault("live_speaker", CueSpeaker())
safety_stop = bool(st.session_state.get("live_safety_stop"))

# ------------------------------------------------------------------ stream
url = st.context.url or ""
parsed = urlparse(url)
if parsed.scheme == "http" and parsed.hostname not in (
    None,
    "localhost",
    "127.0.0.1",
    "::1",
):
    st.warning(
        f"You opened formcheck at {parsed.hostname} over plain http: browsers only "
        "allow the camera on https:// or on http://localhost. Open it on this "
        "computer as http://localhost:8501, or serve it over HTTPS (see docs/app.md)."
    )

col_video, col_status = st.columns([1, 1], gap="medium")
with col_video:
    if ui.under_apptest():
        # AppTest has no browser and no WebRTC runtime: tests drive the
        # processor directly (see tests/test_app_live.py).
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
            desired_playing_state=False if safety_stop else None,
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
        st.markdown(
            "- **NotAllowedError / Permission denied**: allow camera access (click "
            "the camera icon in the address bar), then press START again.\n"
            "- **NotFoundError / Requested device not found**: no camera was "
            "found: plug one in (or pick it with SELECT DEVICE).\n"
            "- **NotReadableError / Could not start video source**: another app "
            "or tab is using the camera: close it.\n"
            "- The camera works only on `http://localhost` or over HTTPS.\n"
            "- Connecting from another network may need a STUN/TURN server: see "
            "`docs/app.md` (`FORMCHECK_ICE_SERVERS`).\n"
            "- Your video is processed on this computer only; nothing is uploaded."
        )
    with st.expander(f"How to do {spec.name} and where to put the camera"):
        for line in spec.instructions:
            st.markdown(f"- {line}")
        st.markdown(
            f"**Camera:** {spec.camera.framing} (view: {spec.camera.view}, "
            f"{spec.camera.height_m[0]:g}–{spec.camera.height_m[1]:g} m high, "
            f"{spec.camera.distance_m[0]:g}–{spec.camera.distance_m[1]:g} m away)"
        )

playing = bool(ctx is not None and ctx.state.playing)
signalling = bool(ctx is not None and ctx.state.signalling)
if not playing and not signalling and processor.phase in ("positioning", "counting"):
    # The stream is gone but on_video_ended did not reach us: save now.
    processor.end_stream()

now = time.monotonic()
if signalling and not playing:
    st.session_state.setdefault("live_connecting_since", now)
else:
    st.session_state.pop("live_connecting_since", None)


def show_pain_question(snap: LiveSnapshot) -> None:
    box = st.container(border=True)
    box.markdown(f"**{safety.PAIN_QUESTION}**")
    yes, no = box.columns(2)
    if yes.button(
        "Yes", type="primary", key=f"pain_yes_{snap.set_number}", width="stretch"
    ):
        processor.report_pain(True)
        st.session_state["live_safety_stop"] = True
        st.rerun()
    if no.button("No", key=f"pain_no_{snap.set_number}", width="stretch"):
        processor.report_pain(False)
        st.rerun()


def show_counts(snap: LiveSnapshot) -> None:
    c1, c2, c3 = st.columns(3)
    label = "Reps this set" if snap.phase == "counting" else "Reps in the last set"
    c1.metric(label, snap.reps)
    c2.metric("Correct", snap.correct)
    c3.metric("With a fault", snap.incorrect)
    if snap.target_reps:
        done = min(1.0, snap.reps / snap.target_reps)
        st.progress(done, text=f"{snap.reps} of {snap.target_reps} reps")
    sides = [t for t in snap.tallies if t.side is not None]
    if sides:
        st.caption(
            " · ".join(
                f"{t.side.capitalize()}: {t.counted} ({t.correct} correct, {t.incorrect} with a fault)"
                for t in sides
            )
        )
    if snap.hold is not None:
        h = snap.hold
        frac = min(1.0, h.held_s / h.target_s) if h.target_s > 0 else 0.0
        st.progress(frac, text=f"Hold {h.held_s:.0f} / {h.target_s:.0f} s ({h.status})")
    if snap.target_holds:
        st.caption(f"Holds done: {snap.holds_done} / {snap.target_holds}")


@st.fragment(run_every=0.5 if (playing or signalling) else None)
def status_panel() -> None:
    snap = processor.latest()
    if snap is None:
        return
    if snap.phase == "stopped" or st.session_state.get("live_safety_stop"):
        st.error("You said pain or tingling spread further down your leg.")
        for line in safety.PAIN_STOP_ADVICE:
            st.markdown(f"- {line}")
        st.markdown(safety.red_flags_markdown())
        return
    if snap.phase == "error":
        ui.error(f"Live checking stopped: {snap.error}. The set so far was saved.")
    elif snap.phase == "waiting":
        since = st.session_state.get("live_connecting_since")
        if since is not None and time.monotonic() - since > NEVER_PLAYS_S:
            st.warning(
                "The camera has not started. Allow camera access in the browser, "
                "check that it is plugged in and free, then press STOP and START again. "
                "See 'Camera not working?' below the video."
            )
        elif not (playing or signalling):
            st.info(
                "Press **START** under the video to turn on your camera. If an "
                "error such as *NotAllowedError* or *NotFoundError* appears there "
                "instead, see **Camera not working?** below the video."
            )
        else:
            st.info("Connecting to the camera…")
    elif snap.phase == "positioning":
        if snap.setup_issues:
            # Every set-up problem in view, not only the cue being shown:
            # counting starts once none is left for a couple of seconds.
            st.warning(
                "**Getting into position.** Counting starts once these are fixed:\n"
                + "\n".join(f"- {issue}" for issue in snap.setup_issues),
                icon=":material/warning:",
            )
        else:
            st.info(f"**Getting into position.** {snap.message}")
        frac = min(1.0, snap.positioning_s / snap.settle_s) if snap.settle_s else 1.0
        st.progress(frac, text="Framing and camera view")
    elif snap.phase in ("counting", "resting", "done"):
        if snap.phase == "counting":
            st.caption(snap.message)
        else:
            st.success(snap.message)
    if snap.phase in ("counting", "resting", "done") or snap.saved:
        show_counts(snap)
    if snap.cue is not None and snap.phase in ("positioning", "counting"):
        text = f"**{snap.cue.text}**"
        if snap.cue.text in snap.setup_issues:
            pass  # already in the list of set-up issues above
        elif snap.cue.kind == "tip":
            st.info(text, icon=":material/lightbulb:")
        elif snap.cue.severity in ("warn", "stop"):
            st.warning(text, icon=":material/warning:")
        else:
            st.info(text)
        if voice:
            spoken = speaker.next_utterance(snap.cue.text)
            if spoken:
                st.html(
                    speech_html(spoken, speaker.utterance_id),
                    unsafe_allow_javascript=True,
                )
    if snap.several_people:
        st.warning(
            "More than one person is in view: only the person exercising should be. "
            "Checks pause until they leave."
        )
    if playing and snap.frames_processed == st.session_state.get("live_last_frames"):
        stalled = time.monotonic() - st.session_state.get(
            "live_last_frames_at", time.monotonic()
        )
        if stalled > NO_FRAMES_S:
            st.warning(
                "No video frames are arriving: is the camera still connected? "
                "Press STOP and START to reconnect (your set so far is saved on STOP)."
            )
    else:
        st.session_state["live_last_frames"] = snap.frames_processed
        st.session_state["live_last_frames_at"] = time.monotonic()
    if snap.pain_question_pending:
        show_pain_question(snap)
    if snap.saved:
        last = snap.saved[-1]
        if last.save_error:
            ui.error(f"Set {last.set_number} could not be saved: {last.save_error}")
        elif last.ref is not None:
            st.caption(f"Set {last.set_number} saved as `{last.ref.id}.session.json`.")
        st.download_button(
            f"Download set {last.set_number} (JSON)",
            last.record.to_json(),
            file_name=(
                f"{last.ref.id}.session.json" if last.ref else "live.session.json"
            ),
            mime="application/json",
            key=f"live_dl_{last.set_number}_{len(last.record.warnings)}",
        )
    if snap.phase == "done" and st.button("Start another round"):
        processor.new_round()
        st.rerun()
    if snap.phase == "counting" and st.button("Finish this set"):
        processor.finish_set()
        st.rerun()
    st.caption(
        f"Frames analysed: {snap.frames_processed} · {snap.fps:.0f} fps · "
        f"{snap.processing_ms:.0f} ms per frame · lag {snap.lag_ms:.0f} ms (max {snap.lag_ms_max:.0f})"
    )


with col_status:
    status_panel()

with st.container(border=True):
    st.markdown("#### :material/warning: Safety")
    st.markdown(f"**Stop if:** {spec.safety.stop_if}")
    st.markdown(safety.red_flags_markdown())

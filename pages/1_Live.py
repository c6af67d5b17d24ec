"""Live: exercise in front of the webcam, hands-free, with real-time feedback.

The frame work and the routine run in ``LiveProcessor``
(formcheck.app_support.live) on streamlit-webrtc's worker thread; this page
only makes the choices (in the main column, so they are reachable at phone
width), shows the stream and polls the processor's latest snapshot.
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from formcheck import messages
from formcheck.app_support import safety, ui
from formcheck.app_support.catalog import item_summary, routine_label
from formcheck.app_support.comments_panel import show_comments
from formcheck.app_support.live import LivePhase, LiveProcessor, LiveSnapshot
from formcheck.app_support.live_plan import (
    LivePlan,
    plan_for_exercise,
    plan_for_prescriptions,
    plan_for_routine,
    plan_key,
    prescribed_side,
)
from formcheck.app_support.plain import markdown_text as plain
from formcheck.app_support.routine_runner import RunnerPhase
from formcheck.app_support.set_summary import set_figures
from formcheck.app_support.speech import CueSpeaker, speech_html
from formcheck.clinic import SymptomLocation
from formcheck.errors import FormcheckError
from formcheck.landmarks import side_of
from formcheck.pictures import PictureKind, exercise_pictures
from formcheck.prescription import Prescription, apply_prescription

WEBRTC_KEY = "formcheck-live"
NO_FRAMES_S = 6.0
NEVER_PLAYS_S = 15.0

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
running = active or bool(
    holder is not None
    and holder[1].phase
    in (LivePhase.COUNTING, LivePhase.RESTING, LivePhase.TIMED, LivePhase.PAUSED)
)


# ----------------------------------------------------------------- choices
def side_widget(rx_side: str | None, source: object, one_sided: bool) -> str | None:
    """The painful-side choice, reset to the prescribed side when that changes.

    One key for every exercise, so a side chosen for one exercise does not
    stick to another; whenever the exercise, routine, patient or prescribed
    side changes, the widget starts from the prescription again (whatever
    order the choices were made in).
    """
    if not one_sided:
        return None
    if st.session_state.get("live_side_source") != source:
        st.session_state["live_side_source"] = source
        st.session_state["live_side"] = rx_side
    return st.selectbox(
        "Painful side",
        [None, "left", "right"],
        format_func=lambda s: "— the side facing the camera —" if s is None else s,
        disabled=running,
        key="live_side",
        help="Prescribed by your therapist when a patient is chosen.",
    )


def load_prescription(patient: str | None, exercise_id: str) -> Prescription | None:
    if patient is None:
        return None
    try:
        return store.prescription(patient, exercise_id)
    except FormcheckError as exc:
        ui.error(exc)
        st.caption("Using the exercise's default targets instead.")
        return None


def choose_plan() -> LivePlan | None:
    """The page's choices (exercise or routine, patient, side) as a plan."""
    routines, problems = ui.routines()
    for problem in problems:
        st.warning(f"Skipped a routine that does not load: {plain(problem)}")
    modes = ["One exercise", "A routine"] if routines else ["One exercise"]
    mode = st.radio(
        "What to do", modes, horizontal=True, disabled=running, key="live_mode"
    )
    patient = st.selectbox(
        "Patient (loads the therapist's prescription)",
        [None, *store.patients()],
        format_func=lambda p: "— none —" if p is None else p,
        disabled=running,
        key="live_patient",
    )
    if mode == "A routine":
        routine_id = st.selectbox(
            "Routine",
            list(routines),
            format_func=lambda r: routine_label(routines[r], cat.specs),
            disabled=running,
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
            disabled=running,
            key=f"live_start_{routine.id}",
        )
        rx = {}
        if patient is not None:
            try:
                rx = store.prescriptions(patient)
            except FormcheckError as exc:
                ui.error(exc)
        one_sided = any(
            cat.specs[i.exercise].side.mode in ("painful", "auto")
            for i in routine.items
            if i.exercise in cat.specs
        )
        rx_side = prescribed_side(list(rx.values()))
        side = side_widget(
            rx_side.value if rx_side else None,
            ("routine", routine.id, patient, rx_side),
            one_sided,
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
    exercise_id = st.selectbox(
        "Exercise",
        list(cat.specs),
        format_func=cat.label,
        disabled=running,
        key="live_exercise",
    )
    base = cat.specs[exercise_id]
    prescription = load_prescription(patient, exercise_id)
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
    side = side_widget(
        prescription.painful_side if prescription else None,
        ("exercise", exercise_id, patient, prescription and prescription.painful_side),
        spec.side.mode in ("painful", "auto"),
    )
    if spec.side.mode == "alternating":
        st.caption(messages.side_mode_text("alternating").capitalize() + ".")
    return plan_for_exercise(
        spec, side_of(side) if side else None, prescription, patient=patient
    )


if viewer.clinic and viewer.is_patient and viewer.patient is not None:
    # A clinic patient does what their therapist prescribed: nothing to choose.
    try:
        prescribed = list(store.prescriptions(viewer.patient).values())
    except FormcheckError as exc:
        ui.error(exc)
        st.stop()
    plan = plan_for_prescriptions(prescribed, cat.specs, patient=viewer.patient)
    if plan is None:
        st.info(messages.LIVE_NOTHING_PRESCRIBED)
        st.stop()
    choices, overview = None, st.container(border=True)
else:
    box = st.expander("Your exercise", expanded=not running, icon=":material/tune:")
    choices, overview = box.columns(2, gap="medium")
    with choices:
        plan = choose_plan()
    if plan is None:
        st.stop()
for problem in plan.problems:
    st.warning(plain(problem))

with overview:
    st.markdown(f"**{plain(plan.label)}** — " + messages.plan_overview(len(plan.steps)))
    st.markdown(
        "\n".join(
            f"{i + 1}. {plain(s.step.label)}: {plain(s.step.target)}"
            + (f" — {plain(s.notes)}" if s.notes else "")
            for i, s in enumerate(plan.steps)
        )
    )
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
parsed = urlparse(st.context.url or "")
if parsed.scheme == "http" and parsed.hostname not in (
    None,
    "localhost",
    "127.0.0.1",
    "::1",
):
    st.warning(messages.live_insecure_origin(parsed.hostname))

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
if (
    not playing
    and not signalling
    and processor.phase
    not in (
        LivePhase.WAITING,
        LivePhase.DONE,
        LivePhase.STOPPED,
        LivePhase.ERROR,
    )
):
    # The stream is gone but on_video_ended did not reach us: save now.
    processor.end_stream()

now = time.monotonic()
if signalling and not playing:
    st.session_state.setdefault("live_connecting_since", now)
else:
    st.session_state.pop("live_connecting_since", None)


# ------------------------------------------------------------ status parts
def speak(text: str | None, announcement_id: int | None = None) -> None:
    """Say a cue (rate-limited) or a routine announcement (once each)."""
    if not voice or not text:
        return
    if announcement_id is not None:
        if announcement_id <= st.session_state.get("live_announced", 0):
            return
        st.session_state["live_announced"] = announcement_id
        spoken: str | None = text
        number = 1_000_000 + announcement_id
    else:
        spoken = speaker.next_utterance(text)
        number = speaker.utterance_id
    if spoken:
        st.html(speech_html(spoken, number), unsafe_allow_javascript=True)


def show_figures(snap: LiveSnapshot) -> None:
    if snap.counts is None:
        return
    figures = set_figures(snap.counts)
    for row in range(0, len(figures), 3):
        chunk = figures[row : row + 3]
        for column, figure in zip(st.columns(3), chunk, strict=False):
            column.metric(figure.label, figure.value, help=figure.help or None)
    sides = [t for t in snap.tallies if t.side is not None]
    if sides and snap.kind == "reps":
        st.caption(
            " · ".join(
                f"{t.side.capitalize()}: {t.counted} ({t.correct} correct, "
                f"{t.incorrect} with a fault)"
                for t in sides
            )
        )


def show_progress(snap: LiveSnapshot) -> None:
    counts = snap.counts
    if counts is None:
        return
    if counts.target_reps and snap.kind != "hold":
        done = min(1.0, counts.reps / counts.target_reps)
        reps = "rep" if counts.target_reps == 1 else "reps"
        st.progress(done, text=f"{counts.reps} of {counts.target_reps} {reps}")
    if snap.hold is not None:
        h = snap.hold
        frac = min(1.0, h.held_s / h.target_s) if h.target_s > 0 else 0.0
        status = messages.hold_status_text(h.status)
        st.progress(frac, text=f"Hold: {h.held_s:.0f} of {h.target_s:.0f} s — {status}")


def show_last_set(snap: LiveSnapshot) -> None:
    """The finished set's figures, where it was saved, and a download."""
    if not snap.saved:
        return
    last = snap.saved[-1]
    with st.container(border=True):
        st.markdown(
            f"**{plain(last.record.exercise.name)}: set {last.set_number} done**"
        )
        show_figures(snap)
        if last.save_error:
            ui.error(f"Set {last.set_number} could not be saved: {last.save_error}")
        elif last.ref is not None:
            st.caption(f"Saved as `{last.ref.id}.session.json`.")
        st.download_button(
            f"Download set {last.set_number} (JSON)",
            last.record.to_json(),
            file_name=f"{last.ref.id}.session.json"
            if last.ref
            else "live.session.json",
            mime="application/json",
            key=f"live_dl_{last.key}_{len(last.record.symptoms)}",
        )


def show_symptom_question(snap: LiveSnapshot) -> None:
    target = snap.question_set
    if target is None:
        return
    box = st.container(border=True)
    box.markdown(f"**{safety.SYMPTOM_QUESTION}**")
    box.caption(safety.SYMPTOM_HELP)
    place = box.radio(
        "Where",
        list(SymptomLocation),
        format_func=lambda p: safety.SYMPTOM_PLACES[p.value],
        index=None,
        horizontal=True,
        key=f"symptom_place_{target.key}",
        label_visibility="collapsed",
    )
    worse = box.radio(
        safety.WORSE_QUESTION,
        ["No", "Yes"],
        index=None,
        horizontal=True,
        key=f"symptom_worse_{target.key}",
    )
    if box.button(
        "Save my answer",
        type="primary",
        disabled=place is None or worse is None,
        key=f"symptom_save_{target.key}",
        width="stretch",
    ):
        assert place is not None
        processor.report_symptoms(place, worse == "Yes")
        st.rerun()


def show_symptom_feedback(snap: LiveSnapshot) -> None:
    report = snap.last_symptoms
    if report is None or snap.phase is LivePhase.STOPPED:
        return
    if report.centralised and report.before is not None:
        st.success(
            safety.centralised_title(report.before.value, report.location.value)
            + " "
            + safety.CENTRALISED_ADVICE
        )
    elif report.worse:
        st.warning(safety.WORSE_ADVICE)


def show_stopped(snap: LiveSnapshot) -> None:
    report = snap.last_symptoms
    if report is not None and report.before is not None and report.spread:
        st.error(safety.spread_title(report.before.value, report.location.value))
    else:
        st.error(safety.NO_BASELINE_STOP)
    for line in safety.PAIN_STOP_ADVICE:
        st.markdown(f"- {line}")
    st.markdown(safety.red_flags_markdown())
    view = snap.routine
    go_on = view is not None and view.phase is RunnerPhase.PAUSED and view.next_label
    if go_on and st.button(
        f"Go on with the next exercise: {view.next_label}",  # type: ignore[union-attr]
        key="live_after_stop",
        width="stretch",
    ):
        processor.resume()
        st.rerun()


def show_countdown(snap: LiveSnapshot) -> None:
    view = snap.routine
    if view is None or view.remaining_s is None:
        return
    left = view.remaining_s
    what = "Rest" if snap.phase is LivePhase.RESTING else plain(view.label)
    st.markdown(f"## {what}: {int(left) // 60}:{int(left) % 60:02d}")
    if view.countdown_s:
        st.progress(max(0.0, min(1.0, 1 - left / view.countdown_s)))
    if snap.phase is LivePhase.TIMED:
        st.caption(messages.TIMED_ONLY)
    if view.next_label:
        st.markdown(f"**Next: {plain(view.next_label)}**")
    if view.next_camera:
        st.markdown(f":material/videocam: {plain(view.next_camera)}")
        step = processor.plan.steps[
            min(view.step_index + 1, len(processor.plan.steps) - 1)
        ]
        if step.spec is not None:
            for picture in exercise_pictures(step.spec):
                if picture.kind is PictureKind.CAMERA:
                    st.image(str(picture.path), caption=picture.caption, width=320)


def show_controls(snap: LiveSnapshot) -> None:
    """Big buttons for when the person is at the computer."""
    if not snap.is_routine and snap.phase not in (LivePhase.COUNTING, LivePhase.PAUSED):
        return
    if snap.phase not in (
        LivePhase.POSITIONING,
        LivePhase.COUNTING,
        LivePhase.RESTING,
        LivePhase.TIMED,
        LivePhase.PAUSED,
    ):
        return
    pause, skip, finish = st.columns(3)
    if snap.phase is LivePhase.PAUSED:
        if pause.button(
            "Resume",
            icon=":material/play_arrow:",
            type="primary",
            width="stretch",
            key="live_resume",
        ):
            processor.resume()
            st.rerun()
    elif pause.button(
        "Pause",
        icon=":material/pause:",
        type="primary",
        width="stretch",
        key="live_pause",
    ):
        processor.pause()
        st.rerun()
    if snap.is_routine and skip.button(
        "Skip", icon=":material/skip_next:", width="stretch", key="live_skip"
    ):
        processor.skip()
        st.rerun()
    if snap.phase is LivePhase.COUNTING and finish.button(
        "Finish this set", icon=":material/stop:", width="stretch", key="live_finish"
    ):
        processor.finish_set()
        st.rerun()


def show_waiting(snap: LiveSnapshot) -> None:
    since = st.session_state.get("live_connecting_since")
    if since is not None and time.monotonic() - since > NEVER_PLAYS_S:
        st.warning(messages.LIVE_CAMERA_NEVER_STARTED)
    elif signalling and not playing:
        st.info("Connecting to the camera…")
    else:
        st.info(snap.message + " " + messages.LIVE_START_HINT)


def show_phase(snap: LiveSnapshot) -> None:
    if snap.phase is LivePhase.POSITIONING:
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
        show_how_to()
    elif snap.phase is LivePhase.COUNTING:
        st.caption(snap.message)
        show_figures(snap)
        show_progress(snap)
    elif snap.phase in (LivePhase.RESTING, LivePhase.TIMED):
        show_countdown(snap)
    elif snap.phase is LivePhase.PAUSED:
        st.info(snap.message)
    if snap.cue is not None and snap.phase in (
        LivePhase.POSITIONING,
        LivePhase.COUNTING,
    ):
        text = f"**{plain(snap.cue.text)}**"
        if snap.cue.text in snap.setup_issues:
            pass  # already in the list of set-up issues above
        elif snap.cue.kind == "tip":
            st.info(text, icon=":material/lightbulb:")
        elif snap.cue.severity in ("warn", "stop"):
            st.warning(text, icon=":material/warning:")
        else:
            st.info(text)
        speak(snap.cue.text)


def show_how_to() -> None:
    spec = processor.spec
    if spec is None:
        return
    with st.expander(f"How to do {spec.name} and where to put the camera"):
        for line in spec.instructions:
            st.markdown(f"- {line}")
        st.markdown(f"**Camera:** {spec.camera.framing}")
        st.markdown(f"**Stop if:** {spec.safety.stop_if}")


def show_stalled(snap: LiveSnapshot) -> None:
    if playing and snap.frames_processed == st.session_state.get("live_last_frames"):
        stalled = time.monotonic() - st.session_state.get(
            "live_last_frames_at", time.monotonic()
        )
        if stalled > NO_FRAMES_S:
            st.warning(messages.LIVE_NO_FRAMES)
    else:
        st.session_state["live_last_frames"] = snap.frames_processed
        st.session_state["live_last_frames_at"] = time.monotonic()


@st.fragment(run_every=0.5 if (playing or signalling) else None)
def status_panel() -> None:
    processor.tick()
    snap = processor.latest()
    if snap is None:
        return
    view = snap.routine
    if snap.is_routine and view is not None and view.phase is not RunnerPhase.DONE:
        st.markdown(
            f"#### Step {view.step_index + 1} of {view.steps}: {plain(view.label)}"
            + (f" — set {view.set_number} of {view.sets}" if view.sets > 1 else "")
        )
        st.progress(view.step_index / view.steps)
    if snap.phase is LivePhase.STOPPED:
        show_stopped(snap)
    elif snap.phase is LivePhase.ERROR:
        ui.error(f"Live checking stopped: {snap.error}. The set so far was saved.")
    elif snap.phase is LivePhase.DONE:
        st.success(snap.message)
    show_controls(snap)
    show_phase(snap)
    if view is not None and view.announcement is not None:
        speak(view.announcement.text, view.announcement.id)
    if snap.phase is not LivePhase.COUNTING:
        show_last_set(snap)
        show_symptom_question(snap)
        show_symptom_feedback(snap)
    if snap.summary_rows:
        st.markdown("#### Your routine")
        # st.table renders Markdown: routine names may come from a user's file.
        rows = [{k: plain(v) for k, v in row.items()} for row in snap.summary_rows]
        st.table(rows, border="horizontal")
    if snap.phase is LivePhase.WAITING:
        show_waiting(snap)  # below the summary and the question
    if snap.several_people:
        st.warning(messages.LIVE_SEVERAL_PEOPLE)
    show_stalled(snap)
    if snap.phase is LivePhase.DONE and st.button(
        "Start another round", key="live_new_round"
    ):
        processor.new_round()
        st.rerun()
    st.caption(
        f"Frames analysed: {snap.frames_processed} · {snap.fps:.0f} fps · "
        f"{snap.processing_ms:.0f} ms per frame · lag {snap.lag_ms:.0f} ms "
        f"(max {snap.lag_ms_max:.0f})"
    )


with col_status:
    status_panel()

with st.container(border=True):
    st.markdown("#### :material/warning: Safety")
    for line in safety.DURING_EXERCISE[:2]:
        st.markdown(f"- {line}")
    st.markdown(safety.red_flags_markdown())

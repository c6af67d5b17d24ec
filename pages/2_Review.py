"""Review: analyse a recorded video, see every repetition, jump to each fault.

The work is done by formcheck.analyze (through formcheck.app_support.review);
this page uploads, shows progress and presents the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import streamlit as st

from formcheck.app_support import plots, report, review, review_queue, ui
from formcheck.app_support.plain import markdown_text as plain
from formcheck.app_support.set_summary import SetCounts, set_figures
from formcheck.clinic import JobState
from formcheck.errors import FormcheckError
from formcheck.units import rep_signal_unit
from formcheck.verdicts import EventKind

settings = ui.page_setup("Review")
cat = ui.catalog()

st.title("Review a recorded video")
st.caption(
    "The video is analysed on this computer: nothing is uploaded anywhere else. "
    "Film from the side the exercise describes (see the Exercises page)."
)
ui.show_catalog_problems(cat)
if not cat.specs:
    ui.error("No exercise spec could be loaded.")
    st.stop()

# ------------------------------------------------------------------ input
samples = review.list_samples(settings.samples_dir)
left, right = st.columns(2)
with left:
    source = st.radio(
        "Video",
        ["Upload a video", "A sample video"],
        horizontal=True,
        key="review_source",
    )
    video_path: Path | None = None
    video_label = ""
    if source == "Upload a video":
        upload = st.file_uploader(
            f"Video file ({', '.join(review.VIDEO_TYPES)}; up to {settings.max_upload_mb} MB)",
            type=list(review.VIDEO_TYPES),
            key="review_upload",
        )
        if upload is not None:
            try:
                video_path = review.store_upload(
                    upload.name,
                    upload.getvalue(),
                    settings.review_dir / "uploads",
                    settings.max_upload_mb,
                )
            except FormcheckError as exc:
                ui.error(exc)
            else:
                video_label = upload.name
    elif not samples:
        st.info(
            f"No sample videos yet (looked in `{settings.samples_dir}`). "
            "Upload your own video instead."
        )
    else:
        video_path = st.selectbox(
            "Sample", samples, format_func=lambda p: p.name, key="review_sample"
        )
        video_label = video_path.name if video_path is not None else ""
        # A newly picked sample preselects the exercise it shows (from its
        # truth file); the user can still change it afterwards.
        if video_path is not None and video_path != st.session_state.get(
            "review_sample_seen"
        ):
            st.session_state["review_sample_seen"] = video_path
            shown = review.sample_exercise(video_path)
            if shown in cat.specs:
                st.session_state["review_exercise"] = shown
with right:
    exercise_id = st.selectbox(
        "Exercise", list(cat.specs), format_func=cat.label, key="review_exercise"
    )
    spec = cat.specs[exercise_id]
    side = None
    if spec.side.mode in ("painful", "auto"):
        side = st.selectbox(
            "Painful side" if spec.side.mode == "painful" else "Side to check",
            [None, "left", "right"],
            format_func=lambda s: "— the side facing the camera —" if s is None else s,
            key="review_side",
        )

# In a clinic, videos are analysed by the job queue's workers, not by the app.
queue = review_queue.queue_access(ui.viewer().clinic, ui.store(settings))


@st.fragment(run_every=2.0)
def queued_jobs(access: review_queue.QueueAccess) -> None:
    try:
        jobs = review_queue.jobs(access)
    except FormcheckError as exc:
        ui.error(exc)
        return
    for job in jobs:
        line, action = st.columns([5, 1])
        line.text(review_queue.job_line(job))
        if job.state is JobState.RUNNING:
            line.progress(job.progress)
        if job.session_id and action.button("Show", key=f"review_job_{job.id}"):
            try:
                record = ui.store(settings).load_session(job.session_id)
            except FormcheckError as exc:
                ui.error(exc)
                return
            st.session_state["review_result"] = {
                "result": review_queue.result_of(record),
                "spec_id": record.exercise.id,
                "video_name": job.file_name,
                "saved": True,  # the worker saved it to the patient's sessions
            }
            st.rerun(scope="app")


def my_patient_names() -> dict[str, str]:
    """A therapist's patients, handle to name (empty after an error, shown)."""
    try:
        return {p.handle: p.name for p in ui.store(settings).my_patients()}
    except FormcheckError as exc:
        ui.error(exc)
        return {}


def choose_patient(
    where: Any, names: dict[str, str], label: str, placeholder: str, key: str
) -> str | None:
    """A therapist picks one of their patients (``None`` until they do)."""
    return cast(
        "str | None",
        where.selectbox(
            label,
            list(names),
            format_func=lambda h: names[h],
            index=None,
            placeholder=placeholder,
            key=key,
        ),
    )


who = ui.viewer()
if queue is not None:
    queue_for: str | None = None  # None: the user's own sessions
    if who.clinic and not who.is_patient:
        # A therapist queues a patient's recording for that patient's sessions.
        patients = my_patient_names()
        queue_for = choose_patient(
            st,
            patients,
            "Whose sessions should the result go to?",
            "Choose a patient…",
            "review_queue_patient",
        )
    if st.button(
        "Analyse",
        type="primary",
        disabled=video_path is None or (not who.is_patient and queue_for is None),
        key="review_go",
    ):
        assert video_path is not None
        try:
            review_queue.submit(
                queue,
                video_path,
                video_label or video_path.name,
                spec.id,
                side,
                patient=queue_for,
            )
        except FormcheckError as exc:
            ui.error(exc)
        else:
            st.success(
                review_queue.queued_text(
                    None if queue_for is None else plain(patients[queue_for])
                )
            )
            if source == "Upload a video":
                video_path.unlink(missing_ok=True)  # the queue has its copy
    st.markdown("#### Your videos in the queue")
    queued_jobs(queue)
elif st.button("Analyse", type="primary", disabled=video_path is None, key="review_go"):
    assert video_path is not None
    bar = st.progress(0.0, text="Starting the pose model…")

    def progress(done: int, total: int) -> None:
        if total > 0 and (done % max(1, total // 100) == 0 or done >= total):
            bar.progress(
                min(1.0, done / total), text=f"Analysing frame {done} of {total}"
            )

    factory = ui.estimator_factory()
    try:
        result = review.run_review(
            video_path,
            spec,
            side,
            settings.review_dir / "annotated",
            progress=progress,
            estimator=factory() if factory else None,
        )
    except FormcheckError as exc:
        bar.empty()
        ui.error(exc)
    else:
        bar.progress(1.0, text="Done")
        st.session_state["review_result"] = {
            "result": result,
            "spec_id": spec.id,
            "video_name": video_label or video_path.name,
        }
        st.session_state.pop("review_fault", None)
        st.session_state.pop("review_fault_select", None)

state: dict[str, Any] | None = st.session_state.get("review_result")
if state is None:
    st.stop()

# ----------------------------------------------------------------- result
result = state["result"]
session = result.session
rspec = cat.specs.get(state["spec_id"])
st.divider()
st.subheader(f"{plain(session.exercise.name)} — {plain(state['video_name'])}")
for warning in review.review_warnings(result):
    st.warning(plain(warning))

counts = SetCounts.from_summary(
    session.exercise.kind,
    session.summary,
    range_unit=rep_signal_unit(rspec),
)
figures = set_figures(counts)
for column, figure in zip(st.columns(len(figures)), figures, strict=True):
    column.metric(figure.label, figure.value, help=figure.help or None)
per_side = [p for p in session.summary.per_side if p.side is not None]
if per_side:
    st.caption(
        " · ".join(
            f"{p.side}: {p.reps} reps ({p.correct} correct, {p.incorrect} with a fault)"
            for p in per_side
        )
    )

moments = review.fault_moments(session)
by_index = {m.index: m for m in moments}


def on_plot_select() -> None:
    event = st.session_state.get("review_timeline")
    points = event.selection.points if event is not None else []
    for point in points:
        data = point.get("customdata")
        if data is None:
            continue
        index = int(data[0] if isinstance(data, list) else data)
        if index in by_index:
            st.session_state["review_fault"] = index
            st.session_state["review_fault_select"] = index
            return


def on_fault_select() -> None:
    st.session_state["review_fault"] = st.session_state.get("review_fault_select")


chosen = st.session_state.get("review_fault")
moment = by_index.get(chosen) if chosen is not None else None
seek = max(0.0, moment.start_s - 1.0) if moment is not None else 0.0

portrait = session.source.height > session.source.width
video_col, timeline_col = st.columns([2, 3] if portrait else [1, 1], gap="medium")
with video_col:
    if result.video_path is not None and result.video_path.is_file():
        st.video(str(result.video_path), start_time=seek)
    else:
        st.info(
            review_queue.NO_VIDEO_TEXT
            if queue is not None
            else "No annotated video was written."
        )
    st.selectbox(
        "Jump to a fault or tip",
        [None, *by_index],
        format_func=lambda i: "— choose one —" if i is None else by_index[i].label,
        key="review_fault_select",
        on_change=on_fault_select,
        disabled=not moments,
    )
    if not moments:
        st.success("Nothing to report: no fault and no tip.")
    if moment is not None:
        frame = (
            review.frame_at(result.video_path, moment.start_s)
            if result.video_path is not None
            else None
        )
        if frame is not None:
            st.image(frame, channels="BGR", caption=plain(moment.label))
        st.markdown(f"**{plain(moment.cue)}**")
        if rspec is not None:
            try:
                detail = rspec.rule(moment.rule_id).detail
            except KeyError:
                detail = ""
            if detail:
                st.caption(plain(detail))
with timeline_col:
    st.markdown("#### Timeline")
    st.caption(
        "Green bands: target ranges of the checks. Shaded spans: repetitions "
        "(green correct, amber with a fault). Red crosses: faults; purple "
        "circles: tips — click one to see that moment."
    )
    st.plotly_chart(
        plots.cached_timeline_figure(session, rspec, height_per_row=125),
        key="review_timeline",
        on_select=on_plot_select,
        selection_mode="points",
    )

if session.reps or session.exercise.kind != "hold":
    st.markdown("#### Repetitions")
    st.dataframe(report.rep_rows(session, rspec), hide_index=True, width="stretch")
if session.holds:
    st.markdown("#### Holds")
    st.dataframe(report.hold_rows(session), hide_index=True, width="stretch")
fault_table = report.fault_rows(session, EventKind.FAULT)
tip_table = report.fault_rows(session, EventKind.TIP)
if fault_table:
    st.markdown(f"#### Faults ({len(fault_table)})")
    st.caption("Each of these made its repetition count as *with a fault*.")
    st.dataframe(fault_table, hide_index=True, width="stretch")
if tip_table:
    st.markdown(f"#### Tips ({len(tip_table)})")
    st.caption("Worth improving, but the repetition still counted as correct.")
    st.dataframe(tip_table, hide_index=True, width="stretch")

stem = Path(state["video_name"]).stem
d1, d2, d3, d4 = st.columns(4)
d1.download_button(
    "Session (JSON)",
    session.to_json(),
    file_name=f"{stem}.session.json",
    mime="application/json",
)
d2.download_button(
    "Repetitions (CSV)",
    session.reps_csv(),
    file_name=f"{stem}.reps.csv",
    mime="text/csv",
)
if result.video_path is not None and result.video_path.is_file():
    d3.download_button(
        "Annotated video (MP4)",
        result.video_path.read_bytes(),
        file_name=f"{stem}.annotated.mp4",
        mime="video/mp4",
    )
if state.get("saved"):
    st.caption(review_queue.SAVED_BY_WORKER_TEXT)
    st.stop()
save_for: str | None = None  # None: the user's own sessions
if who.clinic and not who.is_patient:
    # A therapist saves a patient's recording to that patient's sessions.
    names = my_patient_names()
    save_for = choose_patient(
        d4, names, "Save for a patient", "Save for a patient…", "review_save_patient"
    )
save_label = "Save to my sessions" if save_for is None else "Save to their sessions"
if d4.button(
    save_label,
    key="review_save",
    disabled=who.clinic and not who.is_patient and save_for is None,
):
    try:
        record = (
            session
            if save_for is None
            else session.model_copy(update={"patient": save_for})
        )
        ref = ui.store(settings).save_session(record)
    except FormcheckError as exc:
        ui.error(exc)
    else:
        if who.clinic and save_for is None:
            st.success("Saved to your sessions: your therapist can see it.")
        elif who.clinic and save_for is not None:
            st.success(f"Saved to {plain(names.get(save_for, save_for))}'s sessions.")
        else:
            st.success(f"Saved ({plain(ref.label)}): open it on the Therapist page.")

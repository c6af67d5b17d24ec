"""The Live page's status panel (Streamlit code, like :mod:`.ui`).

:class:`StatusPanel` draws what the live run is doing, from the processor's
newest :class:`~formcheck.app_support.live_snapshot.LiveSnapshot`: the step,
the figures and progress of the set, countdowns, the cue (and says it), the
control buttons, the symptom question after a set, the safety stop and the
stream's health. What to show is worked out in :mod:`.live_status`; this
module only lays out widgets and passes the buttons on to the processor.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from formcheck import messages
from formcheck.clinic import SymptomLocation
from formcheck.pictures import PictureKind, exercise_pictures

from . import live_status, safety, ui
from .live import LiveProcessor
from .live_snapshot import LivePhase, LiveSnapshot
from .live_status import CueStyle
from .plain import markdown_text as plain
from .set_summary import set_figures
from .speech import CueSpeaker, speech_html

#: Session-state keys of the panel's own memory between reruns.
ANNOUNCED_KEY = "live_announced"
CONNECTING_KEY = "live_connecting_since"
_SEEN_FRAMES_KEY = "live_last_frames"
_SEEN_AT_KEY = "live_last_frames_at"


def note_connecting(playing: bool, signalling: bool) -> None:
    """Remember since when the camera has been connecting (for the warning)."""
    if signalling and not playing:
        st.session_state.setdefault(CONNECTING_KEY, time.monotonic())
    else:
        st.session_state.pop(CONNECTING_KEY, None)


@dataclass
class StatusPanel:
    """The status column of the Live page.

    Attributes:
        processor: The session's live processor.
        speaker: Rate-limits spoken cues.
        voice: Whether cues and announcements are spoken.
        playing: Whether the camera stream plays.
        signalling: Whether it is connecting.
    """

    processor: LiveProcessor
    speaker: CueSpeaker
    voice: bool
    playing: bool
    signalling: bool

    def show(self) -> None:
        """Draw the panel from the newest snapshot (after letting countdowns run)."""
        self.processor.tick()
        snap = self.processor.latest()
        if snap is None:
            return
        self._step_heading(snap)
        self._outcome(snap)
        self._controls(snap)
        self._phase(snap)
        view = snap.routine
        if view is not None and view.announcement is not None:
            self.speak(view.announcement.text, view.announcement.id)
        if snap.phase is not LivePhase.COUNTING:
            self._last_set(snap)
            self._symptom_question(snap)
            self._symptom_feedback(snap)
        if snap.summary_rows:
            st.markdown("#### Your routine")
            # st.table renders Markdown: routine names may come from a user's file.
            st.table(live_status.summary_table(snap.summary_rows), border="horizontal")
        if snap.phase is LivePhase.WAITING:
            self._waiting(snap)  # below the summary and the question
        if snap.several_people:
            st.warning(messages.LIVE_SEVERAL_PEOPLE)
        self._stalled(snap)
        if snap.phase is LivePhase.DONE and st.button(
            "Start another round", key="live_new_round"
        ):
            self.processor.new_round()
            st.rerun()
        st.caption(live_status.stats_caption(snap))

    def speak(self, text: str | None, announcement_id: int | None = None) -> None:
        """Say a cue (rate-limited) or a routine announcement (once each)."""
        if not self.voice or not text:
            return
        if announcement_id is not None:
            if announcement_id <= st.session_state.get(ANNOUNCED_KEY, 0):
                return
            st.session_state[ANNOUNCED_KEY] = announcement_id
            spoken: str | None = text
            number = 1_000_000 + announcement_id
        else:
            spoken = self.speaker.next_utterance(text)
            number = self.speaker.utterance_id
        if spoken:
            st.html(speech_html(spoken, number), unsafe_allow_javascript=True)

    # ------------------------------------------------------------- parts
    def _step_heading(self, snap: LiveSnapshot) -> None:
        heading = live_status.step_heading(snap)
        if heading is not None:
            title, fraction = heading
            st.markdown(title)
            st.progress(fraction)

    def _outcome(self, snap: LiveSnapshot) -> None:
        """How the run ended: a safety stop, an error, or done."""
        if snap.phase is LivePhase.STOPPED:
            self._stopped(snap)
        elif snap.phase is LivePhase.ERROR:
            ui.error(f"Live checking stopped: {snap.error}. The set so far was saved.")
        elif snap.phase is LivePhase.DONE:
            st.success(snap.message)

    def _figures(self, snap: LiveSnapshot) -> None:
        if snap.counts is None:
            return
        figures = set_figures(snap.counts)
        for row in range(0, len(figures), 3):
            chunk = figures[row : row + 3]
            for column, figure in zip(st.columns(3), chunk, strict=False):
                column.metric(figure.label, figure.value, help=figure.help or None)
        sides = live_status.side_tallies(snap)
        if sides is not None:
            st.caption(sides)

    def _progress(self, snap: LiveSnapshot) -> None:
        reps = live_status.rep_bar(snap)
        if reps is not None:
            st.progress(reps.fraction, text=reps.text)
        if snap.hold is not None:
            status = messages.hold_status_text(snap.hold.status)
            hold = live_status.hold_bar(snap, status)
            if hold is not None:
                st.progress(hold.fraction, text=hold.text)

    def _last_set(self, snap: LiveSnapshot) -> None:
        """The finished set's figures, where it was saved, and a download."""
        if not snap.saved:
            return
        last = snap.saved[-1]
        with st.container(border=True):
            st.markdown(
                f"**{plain(last.record.exercise.name)}: set {last.set_number} done**"
            )
            self._figures(snap)
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

    def _symptom_question(self, snap: LiveSnapshot) -> None:
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
            self.processor.report_symptoms(place, worse == "Yes")
            st.rerun()

    def _symptom_feedback(self, snap: LiveSnapshot) -> None:
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

    def _stopped(self, snap: LiveSnapshot) -> None:
        report = snap.last_symptoms
        if report is not None and report.before is not None and report.spread:
            st.error(safety.spread_title(report.before.value, report.location.value))
        else:
            st.error(safety.NO_BASELINE_STOP)
        for line in safety.PAIN_STOP_ADVICE:
            st.markdown(f"- {line}")
        st.markdown(safety.red_flags_markdown())
        go_on = live_status.go_on_label(snap)
        if go_on and st.button(
            f"Go on with the next exercise: {go_on}",
            key="live_after_stop",
            width="stretch",
        ):
            self.processor.resume()
            st.rerun()

    def _countdown(self, snap: LiveSnapshot) -> None:
        clock = live_status.countdown(snap)
        view = snap.routine
        if clock is None or view is None:
            return
        st.markdown(clock.title)
        if clock.fraction is not None:
            st.progress(clock.fraction)
        if snap.phase is LivePhase.TIMED:
            st.caption(messages.TIMED_ONLY)
        if view.next_label:
            st.markdown(f"**Next: {plain(view.next_label)}**")
        if view.next_camera:
            st.markdown(f":material/videocam: {plain(view.next_camera)}")
            step = live_status.next_step(self.processor.plan, view)
            if step.spec is not None:
                for picture in exercise_pictures(step.spec):
                    if picture.kind is PictureKind.CAMERA:
                        st.image(str(picture.path), caption=picture.caption, width=320)

    def _controls(self, snap: LiveSnapshot) -> None:
        """Big buttons for when the person is at the computer."""
        shown = live_status.controls(snap)
        if shown is None:
            return
        pause, skip, finish = st.columns(3)
        if shown.resume:
            if pause.button(
                "Resume",
                icon=":material/play_arrow:",
                type="primary",
                width="stretch",
                key="live_resume",
            ):
                self.processor.resume()
                st.rerun()
        elif pause.button(
            "Pause",
            icon=":material/pause:",
            type="primary",
            width="stretch",
            key="live_pause",
        ):
            self.processor.pause()
            st.rerun()
        if shown.skip and skip.button(
            "Skip", icon=":material/skip_next:", width="stretch", key="live_skip"
        ):
            self.processor.skip()
            st.rerun()
        if shown.finish and finish.button(
            "Finish this set",
            icon=":material/stop:",
            width="stretch",
            key="live_finish",
        ):
            self.processor.finish_set()
            st.rerun()

    def _waiting(self, snap: LiveSnapshot) -> None:
        since = st.session_state.get(CONNECTING_KEY)
        if live_status.camera_never_started(since, time.monotonic()):
            st.warning(messages.LIVE_CAMERA_NEVER_STARTED)
        elif self.signalling and not self.playing:
            st.info("Connecting to the camera…")
        else:
            st.info(snap.message + " " + messages.LIVE_START_HINT)

    def _phase(self, snap: LiveSnapshot) -> None:
        if snap.phase is LivePhase.POSITIONING:
            if snap.setup_issues:
                # Every set-up problem in view, not only the cue being shown:
                # counting starts once none is left for a couple of seconds.
                st.warning(
                    live_status.setup_issues_text(snap.setup_issues),
                    icon=":material/warning:",
                )
            else:
                st.info(f"**Getting into position.** {snap.message}")
            bar = live_status.positioning_bar(snap)
            st.progress(bar.fraction, text=bar.text)
            self._how_to()
        elif snap.phase is LivePhase.COUNTING:
            st.caption(snap.message)
            self._figures(snap)
            self._progress(snap)
        elif snap.phase in (LivePhase.RESTING, LivePhase.TIMED):
            self._countdown(snap)
        elif snap.phase is LivePhase.PAUSED:
            st.info(snap.message)
        if snap.cue is not None and live_status.cue_shown(snap):
            self._cue(snap, live_status.cue_style(snap))
            self.speak(snap.cue.text)

    def _cue(self, snap: LiveSnapshot, style: CueStyle | None) -> None:
        if snap.cue is None or style is None:
            return  # none, or already in the list of set-up issues
        text = f"**{plain(snap.cue.text)}**"
        if style is CueStyle.TIP:
            st.info(text, icon=":material/lightbulb:")
        elif style is CueStyle.WARNING:
            st.warning(text, icon=":material/warning:")
        else:
            st.info(text)

    def _how_to(self) -> None:
        spec = self.processor.spec
        if spec is None:
            return
        with st.expander(f"How to do {spec.name} and where to put the camera"):
            for line in spec.instructions:
                st.markdown(f"- {line}")
            st.markdown(f"**Camera:** {spec.camera.framing}")
            st.markdown(f"**Stop if:** {spec.safety.stop_if}")

    def _stalled(self, snap: LiveSnapshot) -> None:
        now = time.monotonic()
        gap = live_status.no_frames_for(
            self.playing,
            snap.frames_processed,
            st.session_state.get(_SEEN_FRAMES_KEY),
            st.session_state.get(_SEEN_AT_KEY, now),
            now,
        )
        if gap is None:
            st.session_state[_SEEN_FRAMES_KEY] = snap.frames_processed
            st.session_state[_SEEN_AT_KEY] = now
        elif gap > live_status.NO_FRAMES_S:
            st.warning(messages.LIVE_NO_FRAMES)

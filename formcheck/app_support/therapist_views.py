"""The Therapist page's sections (Streamlit code, like :mod:`.ui`).

Each function shows one part of the therapist's review — the patient list,
one session's replay with sign-off and comments, re-scoring, symptoms,
agreement — from results computed in :mod:`formcheck.clinician`. Nothing
here computes an angle, a verdict or a flag; all user text is shown as plain
text.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import streamlit as st

from formcheck.clinic import VerdictLevel
from formcheck.clinician import texts
from formcheck.clinician.attention import (
    AttentionSettings,
    PatientOverview,
    by_attention,
    history_days,
    overview,
)
from formcheck.clinician.model import ItemKind
from formcheck.clinician.patient import (
    NotesStore,
    Period,
    load_patient,
    notes_of,
)
from formcheck.clinician.replay import (
    Item,
    Replay,
    items_of,
    timeline_signals,
    tracking_quality,
)
from formcheck.errors import FormcheckError
from formcheck.record.model import SessionRecord
from formcheck.specs.schema import ExerciseSpec
from formcheck.store.base import SessionRef, Store

from . import ui
from .plain import markdown_text as plain
from .plots import content_key
from .replay_figure import replay_figure

#: What the local user's own data is called in the patient list.
OWN = "You (this computer)"


@dataclass(frozen=True)
class PatientChoice:
    """A patient the therapist may pick: handle (``None``: own data) and name."""

    handle: str | None
    name: str


def patient_choices(store: Store, viewer: ui.Viewer) -> list[PatientChoice]:
    """The patients the store lets the viewer see (own data first, locally)."""
    if viewer.clinic:
        mine = getattr(store, "my_patients", None)
        infos = mine() if callable(mine) else []
        return [
            PatientChoice(i.handle, f"{i.name} <{i.email}>" if i.email else i.name)
            for i in infos
        ]
    return [PatientChoice(None, OWN)] + [PatientChoice(p, p) for p in store.patients()]


def overviews(
    store: Store,
    choices: Sequence[PatientChoice],
    specs: Mapping[str, ExerciseSpec],
    settings: AttentionSettings,
) -> list[PatientOverview]:
    """Every patient's line in the list, most in need of attention first."""
    now = datetime.now(UTC)
    since = Period(first=(now - timedelta(days=history_days(settings))).date())
    lines: list[PatientOverview] = []
    for choice in choices:
        try:
            data = load_patient(store, choice.handle, since, sign_offs=False)
        except FormcheckError:
            continue
        lines.append(
            overview(
                choice.handle,
                choice.name,
                data.refs,
                data.records,
                data.prescriptions,
                data.symptom_points(),
                specs,
                now,
                settings,
            )
        )
    return by_attention(lines)


#: Seconds the patient list is kept before it is worked out again.
OVERVIEW_TTL_S = 60.0
_OVERVIEW_KEY = "ther_overview"


def cached_overviews(
    store: Store,
    choices: Sequence[PatientChoice],
    specs: Mapping[str, ExerciseSpec],
    settings: AttentionSettings,
    *,
    refresh: bool = False,
) -> list[PatientOverview]:
    """:func:`overviews`, kept for a minute in this user's session.

    The page reruns on every click; reading every patient's recent sessions
    each time would make it slow for a clinic. The list is per user (kept in
    ``st.session_state``), so it never shows another user's patients.
    """
    key = (tuple(choices), settings)
    kept = st.session_state.get(_OVERVIEW_KEY)
    now = time.monotonic()
    if (
        not refresh
        and isinstance(kept, tuple)
        and kept[0] == key
        and now - kept[1] < OVERVIEW_TTL_S
    ):
        lines: list[PatientOverview] = kept[2]
        return lines
    lines = overviews(store, choices, specs, settings)
    st.session_state[_OVERVIEW_KEY] = (key, now, lines)
    return lines


def show_patient_list(lines: Sequence[PatientOverview]) -> None:
    """The attention-sorted patient table and each flag's reason."""
    st.dataframe(
        [
            {
                "patient": p.name,
                "needs attention": ", ".join(f.label for f in p.flags) or "–",
                "last session": (
                    p.last_session.strftime("%Y-%m-%d") if p.last_session else ""
                ),
                "days since": p.days_since,
                "sets, last 7 days": p.week.text,
                "sets, last 28 days": p.month.text,
                "sessions": p.sessions,
            }
            for p in lines
        ],
        hide_index=True,
        width="stretch",
        key="ther_patient_table",
    )
    for p in lines:
        for flag in p.flags:
            st.caption(f"**{plain(p.name)}** — {plain(flag.text)}")


def show_invitations(store: Store) -> None:
    """Invite a patient by e-mail (clinic mode) and list the invitations."""
    invite = getattr(store, "invite", None)
    invitations = getattr(store, "invitations", None)
    if not callable(invite) or not callable(invitations):
        return
    with st.expander("Invite a patient", icon=":material/person_add:"):
        email = st.text_input("Patient's e-mail address", key="ther_invite_email")
        if st.button("Invite", key="ther_invite_send") and email.strip():
            try:
                sent = invite(email.strip())
            except FormcheckError as exc:
                ui.error(exc)
            else:
                st.success(
                    f"Invited {plain(sent.email)}: they become your patient when "
                    "they first log in (within 30 days)."
                )
        try:
            rows = [
                {
                    "e-mail": i.email,
                    "invited (UTC)": i.created_utc.strftime("%Y-%m-%d"),
                    "accepted": i.accepted_utc is not None,
                }
                for i in invitations()
            ]
        except FormcheckError:
            rows = []
        if rows:
            st.dataframe(rows, hide_index=True, width="stretch")


# ------------------------------------------------------------------ replay
_CACHE_SIZE = 4
_replays: OrderedDict[str, Replay] = OrderedDict()
_lock = threading.Lock()


def cached_replay(record: SessionRecord, spec: ExerciseSpec) -> Replay:
    """:meth:`Replay.of`, kept for the last few sessions (by content).

    Raises:
        SessionFileError: If the record has no (readable) landmarks.
    """
    key = content_key(record) + content_key(spec)
    with _lock:
        found = _replays.get(key)
        if found is not None:
            _replays.move_to_end(key)
            return found
    replay = Replay.of(record, spec)
    with _lock:
        _replays[key] = replay
        while len(_replays) > _CACHE_SIZE:
            _replays.popitem(last=False)
    return replay


def _verdict_mark(item: Item) -> str:
    if item.kind is ItemKind.ATTEMPT:
        return f"not counted: {item.reason}"
    if item.ok:
        return "correct" if item.kind is ItemKind.REP else "done"
    return "faults: " + ", ".join(item.faults) if item.faults else "not done"


def _signal_choice(spec: ExerciseSpec, item: Item) -> str | None:
    signals = timeline_signals(spec)
    if not signals:
        return None
    for rule_id in item.faults:
        try:
            name = spec.rule(rule_id).signal
        except KeyError:
            continue
        if name in signals:
            return name
    if spec.reps is not None and spec.reps.signal in signals:
        return spec.reps.signal
    return signals[0]


def show_replay(record: SessionRecord, spec: ExerciseSpec | None) -> Item | None:
    """Pick a repetition or hold and watch its skeleton; returns the pick."""
    items = items_of(record)
    if not items:
        st.caption("No repetition or hold was recorded in this session.")
        return None
    item = st.selectbox(
        "Repetition or hold",
        items,
        format_func=lambda i: plain(f"{i.label} — {_verdict_mark(i)}"),
        key="ther_item",
    )
    if spec is None:
        st.caption(
            f"The exercise '{plain(record.exercise.id)}' is not in this formcheck: "
            "replay is unavailable."
        )
        return item
    if record.landmarks is None:
        st.info(texts.NO_LANDMARKS)
        return item
    try:
        with st.spinner("Checking the session again from its landmarks…"):
            replay = cached_replay(record, spec)
    except FormcheckError as exc:
        ui.error(exc)
        return item
    for note in replay.notes:
        st.caption(plain(note))
    quality = tracking_quality(replay, item)
    st.markdown(f"**Tracking quality:** {plain(quality.sentence)}")
    signals = timeline_signals(replay.spec)
    if not signals:
        st.caption("This exercise checks no signal that could be drawn.")
        return item
    default = _signal_choice(replay.spec, item)
    signal = st.selectbox(
        "Signal under the skeleton",
        signals,
        index=signals.index(default) if default in signals else 0,
        key="ther_signal",
    )
    st.plotly_chart(
        replay_figure(replay, item, record, signal),
        key="ther_replay",
        config={"displaylogo": False},
    )
    return item


# --------------------------------------------------------------- sign-off
def show_sign_off(
    notes: NotesStore,
    ref: SessionRef,
    record: SessionRecord,
    spec: ExerciseSpec | None,
    item: Item | None,
) -> None:
    """Agree or disagree with formcheck on the picked movement or the set."""
    st.markdown("#### Your verdict")
    targets = ["The whole set"]
    if item is not None and item.kind is not ItemKind.ATTEMPT:
        targets.insert(0, item.label)
    target = st.radio("About", targets, horizontal=True, key="ther_so_target")
    verdict = st.radio(
        "formcheck's verdict is",
        ["right", "wrong"],
        format_func=lambda v: "Right: I agree" if v == "right" else "Wrong: I disagree",
        horizontal=True,
        key="ther_so_verdict",
    )
    seen: str | None = None
    if verdict == "wrong":
        rules = [r.id for r in spec.rules if r.kind != "setup"] if spec else []
        picked = st.selectbox("What you see", [texts.FINE, *rules], key="ther_so_fault")
        seen = None if picked == texts.FINE else picked
    note = st.text_input("Note (optional)", max_chars=1000, key="ther_so_note")
    if st.button("Save verdict", key="ther_so_save", type="primary"):
        whole = target == "The whole set" or item is None
        try:
            notes.sign_off(
                ref.id,
                VerdictLevel.SESSION if whole else VerdictLevel.REP,
                verdict == "right",
                index=None if whole else (item.index if item else None),
                note=note,
                seen_fault=seen,
            )
        except FormcheckError as exc:
            ui.error(exc)
        else:
            st.success("Verdict saved.")
    try:
        offs = notes.sign_offs(ref.id)
    except FormcheckError:
        offs = []
    if offs:
        st.dataframe(
            [
                {
                    "when (UTC)": o.created_utc.strftime("%Y-%m-%d %H:%M"),
                    "about": "whole set" if o.index is None else f"#{o.index}",
                    "verdict": "agree"
                    if o.agree
                    else f"disagree: {o.seen_fault or texts.FINE}",
                    "note": o.note,
                    "by": o.author_name,
                }
                for o in offs
            ],
            hide_index=True,
            width="stretch",
            key="ther_so_table",
        )


def show_comments(
    notes: NotesStore, ref: SessionRef, patient: str | None, item: Item | None
) -> None:
    """Write to the patient about this session (or the picked repetition)."""
    st.markdown("#### Comment to the patient")
    text = st.text_area(
        "Comment",
        max_chars=4000,
        key="ther_comment",
        placeholder="e.g. Slower on the way down",
    )
    about_item = item is not None and item.kind is not ItemKind.ATTEMPT
    on_item = about_item and st.checkbox(
        "About this repetition or hold", key="ther_comment_on_item"
    )
    if st.button("Send to the patient", key="ther_comment_send"):
        try:
            notes.add_comment(
                text,
                patient=patient,
                session_id=ref.id,
                rep_index=item.index if on_item and item is not None else None,
            )
        except FormcheckError as exc:
            ui.error(exc)
        else:
            st.success("Sent: the patient sees it on their Home and Live pages.")
    try:
        sent = notes.comments(patient, session_id=ref.id)
    except FormcheckError:
        sent = []
    for comment in sent:
        st.caption(
            f"{plain(comment.author_name)} · "
            f"{comment.created_utc.strftime('%Y-%m-%d %H:%M')} UTC"
        )
        st.markdown(plain(comment.text))


def show_review(
    store: Store,
    ref: SessionRef | None,
    record: SessionRecord,
    spec: ExerciseSpec | None,
    patient: str | None,
) -> None:
    """One session: replay, then sign-off and comments when it is stored."""
    item = show_replay(record, spec)
    notes = notes_of(store)
    if ref is None:
        st.caption(
            "Verdicts and comments are for sessions stored in formcheck's database."
        )
        return
    if notes is None:
        st.caption(
            "Verdicts and comments need formcheck's database "
            "(set FORMCHECK_DATABASE_URL, see docs/deploy.md)."
        )
        return
    left, right = st.columns(2)
    with left:
        show_sign_off(notes, ref, record, spec, item)
    with right:
        show_comments(notes, ref, patient, item)

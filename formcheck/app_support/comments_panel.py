"""The therapist's comments, as a patient sees them on the Home and Live pages.

Streamlit code (like :mod:`.ui`): it only reads the comments through the
store, which shows a patient their own comments and nothing else, and writes
them as plain text.
"""

from __future__ import annotations

import streamlit as st

from formcheck.clinician.patient import notes_of
from formcheck.errors import FormcheckError
from formcheck.store.base import Store

from .plain import markdown_text
from .ui import Viewer

#: How many of the newest comments are shown.
SHOWN = 5


def show_comments(store: Store, viewer: Viewer, *, key: str) -> None:
    """Show the newest comments to the patient using the app (if any).

    Args:
        store: The app's store (comments exist only with clinic notes).
        viewer: Who uses the app; only a patient sees comments.
        key: A key unique on the page.
    """
    notes = notes_of(store)
    if notes is None or not viewer.is_patient:
        return
    try:
        comments = notes.comments(viewer.patient)
    except FormcheckError:
        return
    mine = [c for c in comments if c.author_name != viewer.name]
    if not mine:
        return
    with st.container(border=True, key=key):
        st.markdown("#### :material/chat: From your therapist")
        for comment in reversed(mine[-SHOWN:]):
            when = comment.created_utc.strftime("%Y-%m-%d %H:%M UTC")
            st.caption(f"{markdown_text(comment.author_name)} · {when}")
            st.markdown(markdown_text(comment.text))

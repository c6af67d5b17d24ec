"""The few helpers every page shares that must touch Streamlit.

Kept deliberately small: settings and spec loading that need ``st.secrets``,
``st.get_option`` or caching, and the one way pages report an error. All
other app logic lives in modules that do not import Streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import streamlit as st
from streamlit import config as st_config

from formcheck._quiet import quiet_native_logging
from formcheck.errors import FormcheckError
from formcheck.pose import PoseEstimator
from formcheck.routines import Routine
from formcheck.store import FolderStore, Store

from . import safety
from .catalog import Catalog, load_catalog, load_routines
from .plain import markdown_text
from .settings import AppSettings, load_settings

#: ``st.session_state`` key of an optional pose-estimator factory. Tests put a
#: replay estimator here so AppTest runs need no model; unset in real use.
ESTIMATOR_HOOK = "formcheck_estimator_factory"

#: The app's pages for the sidebar: (file, label, icon). Streamlit's automatic
#: page list is turned off in ``.streamlit/config.toml`` in favour of these.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("app.py", "Home", ":material/home:"),
    ("pages/1_Live.py", "Live exercise", ":material/videocam:"),
    ("pages/2_Review.py", "Review a video", ":material/movie:"),
    ("pages/3_Therapist.py", "Therapist", ":material/medical_services:"),
    ("pages/4_Exercises.py", "Exercise library", ":material/menu_book:"),
)


def _secrets() -> dict[str, Any] | None:
    """``st.secrets`` as a dict, or ``None`` without a (readable) secrets file.

    Streamlit raises ``StreamlitSecretNotFoundError`` (a FileNotFoundError)
    both for a missing and for an unparsable ``secrets.toml``.
    """
    try:
        return {k: st.secrets[k] for k in st.secrets}
    except (FileNotFoundError, KeyError, AttributeError, TypeError):
        return None


def settings() -> AppSettings:
    """The app settings (environment, secrets, ``server.maxUploadSize``)."""
    try:
        max_mb = int(st.get_option("server.maxUploadSize"))
    except (RuntimeError, TypeError, ValueError):
        max_mb = None
    return load_settings(secrets=_secrets(), max_upload_mb=max_mb)


@st.cache_resource(ttl=60, show_spinner=False)
def _catalog() -> Catalog:
    return load_catalog()


@st.cache_resource(ttl=60, show_spinner=False)
def _routines(extra: str) -> tuple[dict[str, Routine], list[str]]:
    # Routines may name only exercises the app can offer.
    return load_routines(specs=_catalog().specs, extra=Path(extra))


def catalog() -> Catalog:
    """The exercise specs (read-only, cached for a minute, shared by sessions)."""
    return _catalog()


def routines() -> tuple[dict[str, Routine], list[str]]:
    """The bundled routines and your own (``FORMCHECK_HOME/routines``), cached a minute."""
    return _routines(str(settings().routines_dir))


@dataclass(frozen=True)
class Viewer:
    """Who is using the app, and what the pages should offer them.

    Attributes:
        clinic: Clinic mode (everyone logs in) rather than local use.
        name: How to greet them.
        patient: The patient whose own data this is: in clinic mode a logged-in
            patient's handle; locally ``None`` (the local user picks or types
            patient names, as before).
        is_patient: May exercise and see their own sessions.
        is_therapist: May see patients' sessions and set prescriptions.
    """

    clinic: bool
    name: str
    patient: str | None
    is_patient: bool
    is_therapist: bool


LOCAL_VIEWER = Viewer(
    clinic=False, name="you", patient=None, is_patient=True, is_therapist=True
)


def viewer() -> Viewer:
    """Who is using the app (locally: the one local user, who may do anything)."""
    return LOCAL_VIEWER


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Any:
    from formcheck.store.sql import Database, load_database_config

    return Database.open(load_database_config())


def store(current: AppSettings) -> Store:
    """The store the pages save to and read from.

    The data folder, locally; formcheck's database (local mode's one user)
    when ``FORMCHECK_DATABASE_URL`` names one. Login and clinic mode come
    with issue 12.
    """
    if not os.environ.get("FORMCHECK_DATABASE_URL"):
        return FolderStore(current.home)
    try:
        database = _database(os.environ["FORMCHECK_DATABASE_URL"])
        return cast("Store", database.store(database.local_principal()))
    except FormcheckError as exc:
        error(exc)
        st.stop()


def show_catalog_problems(cat: Catalog) -> None:
    """Report spec files that could not be loaded (the others still work)."""
    for problem in cat.problems:
        st.warning(
            f"Skipped an exercise spec that does not load: {markdown_text(problem)}"
        )


def error(exc: FormcheckError | str) -> None:
    """Show an expected problem: the message says what and what to do.

    The message is shown literally: it may quote a file name or other text
    that came with the user's data.
    """
    st.error(markdown_text(str(exc)), icon=":material/error:")


def estimator_factory() -> Callable[[], PoseEstimator] | None:
    """The pose-estimator factory injected by tests, if any (``None``: MediaPipe)."""
    hook = st.session_state.get(ESTIMATOR_HOOK)
    return cast("Callable[[], PoseEstimator]", hook) if callable(hook) else None


def under_apptest() -> bool:
    """Whether the page runs under ``streamlit.testing.v1.AppTest``.

    AppTest has no browser and no WebRTC runtime, so the Live page leaves the
    camera component out and tests drive the processor directly.
    """
    return bool(st_config.get_option("global.appTest"))


def page_setup(title: str) -> AppSettings:
    """Start a page: page config, the sidebar's safety panel and data folder.

    Every page calls this first (Streamlit runs each ``pages/`` file on its
    own), so the safety text is one click away everywhere.

    Args:
        title: The browser tab title.

    Returns:
        The app settings.
    """
    st.set_page_config(page_title=f"{title} · formcheck", page_icon="🧘", layout="wide")
    quiet_native_logging()  # keep FFmpeg/OpenCV/MediaPipe chatter out of the log
    current = settings()
    with st.sidebar:
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon)
        st.divider()
        with st.expander("Safety — read before you start", icon=":material/warning:"):
            st.markdown(safety.safety_markdown())
        with st.expander("Privacy and data", icon=":material/lock:"):
            st.caption(
                "Webcam frames and videos are analysed on this computer and never "
                f"leave it. Sessions and prescriptions are saved in `{current.home}`."
            )
        for problem in current.problems:
            st.warning(markdown_text(problem))
    return current

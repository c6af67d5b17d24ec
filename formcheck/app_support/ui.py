"""The few helpers every page shares that must touch Streamlit.

Kept deliberately small: settings and spec loading that need ``st.secrets``,
``st.get_option`` or caching, the one way pages report an error, and who
uses the app: the database (opened once per process), the login in clinic
mode (``st.login`` / ``st.user``), page gating, :func:`viewer` and
:func:`store`. The decisions themselves (who may open which page, what the
login screens say) live in :mod:`.clinic_mode`, which does not import
Streamlit; so does all other app logic.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, cast

import streamlit as st
from streamlit import config as st_config

from formcheck._quiet import quiet_native_logging
from formcheck.clinic import Principal
from formcheck.errors import AccessDenied, FormcheckError, InputError
from formcheck.pose import PoseEstimator
from formcheck.routines import Routine
from formcheck.store.sql import DatabaseConfig, Mode, SqlStore, load_database_config

from . import clinic_mode, safety
from .app_database import AppDatabase, open_app_database
from .catalog import Catalog, load_catalog, load_routines
from .clinic_mode import (
    APP_PAGES,
    LOCAL_VIEWER,
    AppPage,
    LoginSetup,
    Viewer,
    identity_from_claims,
    login_setup,
    page_for,
    page_message,
    viewer_for,
)
from .plain import markdown_text
from .settings import AppSettings, load_settings

__all__ = [
    "ESTIMATOR_HOOK",
    "LOCAL_VIEWER",
    "PAGES",
    "Viewer",
    "catalog",
    "database",
    "error",
    "estimator_factory",
    "page_setup",
    "routines",
    "settings",
    "show_catalog_problems",
    "store",
    "under_apptest",
    "viewer",
]

#: ``st.session_state`` key of an optional pose-estimator factory. Tests put a
#: replay estimator here so AppTest runs need no model; unset in real use.
ESTIMATOR_HOOK = "formcheck_estimator_factory"

#: ``st.session_state`` keys of who uses the app in this script run. Set by
#: :func:`page_setup` at the start of every run from the login (or, locally,
#: the one local user); no widget uses these keys.
_PRINCIPAL_KEY = "formcheck_principal"
_VIEWER_KEY = "formcheck_viewer"

#: The app's pages for the sidebar: (file, label, icon).
PAGES: tuple[tuple[str, str, str], ...] = tuple(
    (p.path, p.label, p.icon) for p in APP_PAGES
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


# ------------------------------------------------------------ the database
def _close_database(app_db: object) -> None:
    """Close a database the cache lets go of (its pooled connections)."""
    if isinstance(app_db, AppDatabase):
        app_db.database.close()


@st.cache_resource(
    show_spinner="Opening the database…", max_entries=8, on_release=_close_database
)
def _open_database(key: str, _config: DatabaseConfig, _home: Path) -> AppDatabase:
    # ``key`` (mode, URL with password, data folder) picks the cached
    # database; the arguments with a leading underscore are not hashed.
    del key
    return open_app_database(_config, _home)


def _clinic_configured() -> bool:
    """Whether clinic mode is asked for (even if the rest is malformed)."""
    try:
        return load_database_config(secrets=_secrets()).mode is Mode.CLINIC
    except FormcheckError:
        return os.environ.get("FORMCHECK_MODE", "").strip().lower() == "clinic"


def _stop_with(error: FormcheckError | str, *, clinic: bool) -> NoReturn:
    """Show one clear message instead of the page, and end this run."""
    text = error if isinstance(error, str) else page_message(error, clinic=clinic)
    st.error(markdown_text(text), icon=":material/error:")
    st.stop()


def database(current: AppSettings) -> AppDatabase:
    """The app's database (opened, and migrated, once per process).

    A database that cannot be used stops the page with one clear message;
    the next run tries again (a server that is back is used at once).
    """
    try:
        config = load_database_config(secrets=_secrets())
        key = "|".join(
            (
                config.mode.value,
                config.url.render_as_string(hide_password=False),
                str(current.home.resolve()),
            )
        )
        return _open_database(key, config, current.home)
    except FormcheckError as exc:
        _stop_with(exc, clinic=_clinic_configured())


def _user_claims() -> dict[str, Any]:
    """``st.user`` as a dict: ``is_logged_in`` and the ID token's claims."""
    try:
        return dict(st.user.to_dict())
    except (AttributeError, KeyError, RuntimeError):
        return {}


def _logout_button(key: str) -> None:
    st.button(clinic_mode.LOGOUT_BUTTON, on_click=st.logout, key=key)


def _login_screen(setup: LoginSetup) -> NoReturn:
    """The page for someone not logged in: the login buttons, nothing else."""
    st.title(clinic_mode.LOGIN_TITLE)
    st.markdown(clinic_mode.LOGIN_TEXT)
    for i, provider in enumerate(setup.providers):
        if st.button(setup.label(provider), type="primary", key=f"formcheck_login_{i}"):
            if provider is None:
                st.login()
            else:
                st.login(provider)
    st.caption(safety.NOT_A_MEDICAL_DEVICE)
    st.stop()


def _refuse(message: str) -> NoReturn:
    """Say why and offer to log out; nothing else is shown."""
    st.title("formcheck")
    st.warning(markdown_text(message), icon=":material/lock:")
    _logout_button("formcheck_logout_refused")
    st.stop()


def _clinic_principal(app_db: AppDatabase) -> Principal:
    """The logged-in clinic user with a role, or a stop with the reason."""
    try:
        setup = login_setup(_secrets())
    except FormcheckError as exc:
        _stop_with(exc, clinic=True)
    try:
        identity = identity_from_claims(_user_claims())
    except InputError as exc:
        _refuse(str(exc))
    if identity is None:
        _login_screen(setup)
    try:
        principal = app_db.database.login(identity.email, identity.name)
    except (InputError, AccessDenied) as exc:
        _refuse(str(exc))
    except FormcheckError as exc:
        _stop_with(exc, clinic=True)
    if not principal.roles:
        _refuse(clinic_mode.NO_ROLE.format(email=identity.email))
    return principal


def _resolve(current: AppSettings) -> tuple[AppDatabase, Principal, Viewer]:
    """Who uses the app in this run (clinic mode: from the login)."""
    # Forget the last run's user first: a run that stops below (logged out,
    # role taken away, database down) must leave nobody behind.
    st.session_state.pop(_PRINCIPAL_KEY, None)
    st.session_state.pop(_VIEWER_KEY, None)
    app_db = database(current)
    if app_db.local_principal is not None:
        principal, who = app_db.local_principal, LOCAL_VIEWER
    else:
        principal = _clinic_principal(app_db)
        try:
            account = app_db.database.store(principal).me()
        except AccessDenied as exc:
            _refuse(str(exc))
        except FormcheckError as exc:
            _stop_with(exc, clinic=True)
        who = viewer_for(principal, account)
    st.session_state[_PRINCIPAL_KEY] = principal
    st.session_state[_VIEWER_KEY] = who
    return app_db, principal, who


def viewer() -> Viewer:
    """Who is using the app (locally: the one local user, who may do anything).

    In clinic mode: the logged-in user, as :func:`page_setup` resolved them
    at the start of this run.
    """
    who = st.session_state.get(_VIEWER_KEY)
    if isinstance(who, Viewer):
        return who
    return _resolve(settings())[2]


def store(current: AppSettings) -> SqlStore:
    """The store the pages save to and read from, as the current user may use it.

    Locally: the SQLite database in the data folder, as the one local user.
    In clinic mode: the clinic's database, scoped to the logged-in user
    (every call is checked against their roles and links).
    """
    app_db = database(current)
    principal = st.session_state.get(_PRINCIPAL_KEY)
    if not isinstance(principal, Principal):
        principal = _resolve(current)[1]
    return app_db.database.store(principal)


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


def _sidebar(current: AppSettings, app_db: AppDatabase, who: Viewer) -> None:
    """The sidebar: the pages this user may open, their account, safety, privacy."""
    with st.sidebar:
        for page in APP_PAGES:
            if page.opens_for(who):
                st.page_link(page.path, label=page.label, icon=page.icon)
        st.divider()
        if who.clinic:
            st.caption(
                f"Logged in as {markdown_text(who.name)} "
                f"({markdown_text(who.email or '')}) · {who.roles_text()}"
            )
            _logout_button("formcheck_logout")
        with st.expander("Safety — read before you start", icon=":material/warning:"):
            st.markdown(safety.safety_markdown())
        with st.expander("Privacy and data", icon=":material/lock:"):
            if who.clinic:
                where = (
                    "in your clinic's formcheck database: you, and the therapists "
                    "you are linked to, can see them"
                )
            else:
                where = (
                    f"in `{markdown_text(app_db.config.display())}` on this computer"
                )
            st.caption(
                "Webcam frames and videos are analysed on this computer and never "
                f"leave it. Sessions and prescriptions are saved {where}."
            )
        for problem in current.problems:
            st.warning(markdown_text(problem))


def page_setup(title: str) -> AppSettings:
    """Start a page: page config, login and gating, the sidebar's safety panel.

    Every page calls this first (Streamlit runs each ``pages/`` file on its
    own), so the safety text is one click away everywhere. In clinic mode
    nothing of a page is shown before its user has logged in and has a role
    that opens it (:data:`formcheck.app_support.clinic_mode.APP_PAGES`);
    otherwise the run ends here with the login screen or the reason.

    Args:
        title: The browser tab title (and the page's key in ``APP_PAGES``).

    Returns:
        The app settings.
    """
    st.set_page_config(page_title=f"{title} · formcheck", page_icon="🧘", layout="wide")
    quiet_native_logging()  # keep FFmpeg/OpenCV/MediaPipe chatter out of the log
    current = settings()
    app_db, _principal, who = _resolve(current)
    _sidebar(current, app_db, who)
    page: AppPage | None = page_for(title)
    if page is not None and not page.opens_for(who):
        st.warning(markdown_text(page.refusal(who)), icon=":material/lock:")
        st.page_link("app.py", label="Go to the home page", icon=":material/home:")
        st.stop()
    notice = app_db.take_notice()
    if notice:
        st.info(markdown_text(notice), icon=":material/inventory_2:")
    return current

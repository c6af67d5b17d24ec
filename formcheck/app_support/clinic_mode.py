"""Who uses the app, which pages they may open, and what they are told.

The app runs in one of two modes (:class:`formcheck.store.sql.Mode`):

* **local** — no login: one implicit user who is patient and therapist at
  once (:data:`LOCAL_VIEWER`);
* **clinic** — everyone logs in with the clinic's OpenID Connect identity
  provider (Streamlit's ``st.login``); formcheck reads the verified e-mail
  from the ID token's claims (:func:`identity_from_claims`) and looks the
  roles up in its database.

Nothing here imports Streamlit (``ui.py`` is the glue), so every decision —
who is logged in, which page is whose, what a refusal says — is testable on
its own. The sentences the login and gating screens show are kept together
at the top of the module.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from formcheck.clinic import Principal, Role, UserInfo
from formcheck.errors import (
    DatabaseConfigError,
    DatabaseUnavailable,
    FormcheckError,
    InputError,
    MigrationError,
    StoreError,
)
from formcheck.ids import check_email

log = logging.getLogger(__name__)

# ----------------------------------------------------------------- sentences
LOGIN_TITLE = "Log in to formcheck"
LOGIN_TEXT = (
    "This formcheck is run by your clinic. Log in with your clinic account: "
    "formcheck itself keeps no passwords, and your camera pictures never leave "
    "your computer."
)
LOGIN_BUTTON = "Log in"
LOGOUT_BUTTON = "Log out"
NO_ROLE = (
    "You are logged in as {email}, but this clinic's formcheck has no account "
    "for you yet. Please ask your clinic for an invitation; once your therapist "
    "has invited this e-mail address, log out and log in again."
)
NO_EMAIL = (
    "Your clinic's identity provider did not tell formcheck your e-mail address, "
    "so formcheck cannot tell who you are. Please tell your clinic (the "
    "provider must send the 'email' claim)."
)
EMAIL_NOT_VERIFIED = (
    "Your identity provider says the e-mail address {email} is not verified. "
    "Verify it with your provider, then log in again."
)
AUTH_NOT_CONFIGURED = (
    "formcheck runs in clinic mode but its login is not set up: {problem}. "
    "See docs/deploy.md, section 'Identity provider'."
)
PAGE_REFUSED = "This page is for {who}; you are logged in as {name} ({roles})."
ADMIN_PAGE_LOCAL = (
    "Accounts are managed in clinic mode only: locally formcheck has one user "
    "and no login."
)
DATABASE_DOWN = (
    "formcheck cannot reach its database at the moment, so nothing can be shown "
    "or saved. Please try again in a few minutes; if it goes on, tell your "
    "clinic (the details are in the server log)."
)
DATABASE_BROKEN = (
    "formcheck's database cannot be used at the moment ({kind}). Please tell "
    "your clinic (the details are in the server log)."
)
ROLE_WORDS = {
    Role.PATIENT: "patients",
    Role.THERAPIST: "therapists",
    Role.ADMIN: "clinic administrators",
}

#: Settings every ``[auth]`` provider needs besides ``redirect_uri`` and
#: ``cookie_secret`` (Streamlit's ``st.login``).
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
AUTH_KEYS = ("redirect_uri", "cookie_secret")


# ------------------------------------------------------------------- viewer
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
        is_admin: May manage accounts and links (clinic mode).
        email: The verified e-mail address (clinic mode).
    """

    clinic: bool
    name: str
    patient: str | None
    is_patient: bool
    is_therapist: bool
    is_admin: bool = False
    email: str | None = None

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this viewer has."""
        flags = (
            (Role.PATIENT, self.is_patient),
            (Role.THERAPIST, self.is_therapist),
            (Role.ADMIN, self.is_admin),
        )
        return frozenset(role for role, has in flags if has)

    def roles_text(self) -> str:
        """The roles in words, e.g. ``therapist, admin``."""
        return ", ".join(r.value for r in Role if r in self.roles) or "no role"


LOCAL_VIEWER = Viewer(
    clinic=False, name="you", patient=None, is_patient=True, is_therapist=True
)


def viewer_for(principal: Principal, account: UserInfo | None) -> Viewer:
    """The viewer for a logged-in clinic user.

    Args:
        principal: What the store issued at login.
        account: Their own account (for the patient handle), if they have one.
    """
    if principal.local:
        return LOCAL_VIEWER
    roles = frozenset(account.roles) if account is not None else principal.roles
    is_patient = Role.PATIENT in roles
    return Viewer(
        clinic=True,
        name=(account.name if account is not None else principal.name)
        or principal.email,
        patient=account.handle if (account is not None and is_patient) else None,
        is_patient=is_patient,
        is_therapist=Role.THERAPIST in roles,
        is_admin=Role.ADMIN in roles,
        email=principal.email,
    )


# --------------------------------------------------------------------- pages
@dataclass(frozen=True)
class AppPage:
    """One page of the app and who may open it.

    Attributes:
        path: The script, relative to the app folder.
        title: The title the page passes to ``ui.page_setup``.
        label: The sidebar label.
        icon: The sidebar icon.
        roles: Roles any one of which opens the page (empty: everyone with a
            role).
        clinic_only: Only in clinic mode (accounts).
    """

    path: str
    title: str
    label: str
    icon: str
    roles: frozenset[Role] = frozenset()
    clinic_only: bool = False

    def opens_for(self, viewer: Viewer) -> bool:
        """Whether ``viewer`` may open this page."""
        if self.clinic_only and not viewer.clinic:
            return False
        return not self.roles or bool(self.roles & viewer.roles)

    def refusal(self, viewer: Viewer) -> str:
        """Why ``viewer`` may not open this page."""
        if self.clinic_only and not viewer.clinic:
            return ADMIN_PAGE_LOCAL
        who = " and ".join(ROLE_WORDS[r] for r in Role if r in self.roles)
        return PAGE_REFUSED.format(who=who, name=viewer.name, roles=viewer.roles_text())


#: The app's pages for the sidebar, in order. Streamlit's automatic page list
#: is turned off in ``.streamlit/config.toml`` in favour of these.
APP_PAGES: tuple[AppPage, ...] = (
    AppPage("app.py", "Home", "Home", ":material/home:"),
    AppPage(
        "pages/1_Live.py",
        "Live",
        "Live exercise",
        ":material/videocam:",
        frozenset({Role.PATIENT}),
    ),
    AppPage(
        "pages/2_Review.py",
        "Review",
        "Review a video",
        ":material/movie:",
        frozenset({Role.PATIENT, Role.THERAPIST}),
    ),
    AppPage(
        "pages/3_Therapist.py",
        "Therapist",
        "Therapist",
        ":material/medical_services:",
        frozenset({Role.THERAPIST}),
    ),
    AppPage(
        "pages/4_Exercises.py", "Exercises", "Exercise library", ":material/menu_book:"
    ),
    AppPage(
        "pages/5_Admin.py",
        "Accounts",
        "Accounts",
        ":material/manage_accounts:",
        frozenset({Role.ADMIN}),
        clinic_only=True,
    ),
)


def page_for(title: str) -> AppPage | None:
    """The page that calls ``page_setup(title)`` (``None``: not in the list)."""
    return next((p for p in APP_PAGES if p.title == title), None)


# ------------------------------------------------------------------ identity
@dataclass(frozen=True)
class Identity:
    """Who the identity provider says is logged in.

    Attributes:
        email: The verified e-mail address, in lower case.
        name: Their display name (may be empty).
    """

    email: str
    name: str


def identity_from_claims(claims: Mapping[str, Any]) -> Identity | None:
    """The logged-in person from ``st.user``'s claims (``None``: not logged in).

    Args:
        claims: ``st.user`` as a dict: ``is_logged_in`` plus the ID token's
            claims (``email``, ``email_verified``, ``name`` …).

    Raises:
        InputError: If the provider sent no usable e-mail address, or said it
            is not verified (``email_verified`` false).
    """
    if claims.get("is_logged_in") is not True:
        return None
    raw = claims.get("email")
    if not isinstance(raw, str) or not raw.strip():
        raise InputError(NO_EMAIL)
    try:
        email = check_email(raw)
    except InputError:
        raise InputError(NO_EMAIL) from None
    if claims.get("email_verified") is False:
        raise InputError(EMAIL_NOT_VERIFIED.format(email=email))
    name = claims.get("name")
    return Identity(email=email, name=name.strip() if isinstance(name, str) else "")


# ----------------------------------------------------------------- the login
@dataclass(frozen=True)
class LoginSetup:
    """The identity providers ``st.login`` can use, from ``[auth]``.

    Attributes:
        providers: Provider names for ``st.login`` (``None``: the unnamed one
            configured directly in ``[auth]``).
    """

    providers: tuple[str | None, ...]

    def label(self, provider: str | None) -> str:
        """The login button's text for ``provider``."""
        if provider is None or len(self.providers) == 1:
            return LOGIN_BUTTON
        return f"{LOGIN_BUTTON} with {provider.replace('_', ' ').title()}"


def login_setup(secrets: Mapping[str, Any] | None) -> LoginSetup:
    """Check the ``[auth]`` section of the secrets and name its providers.

    Args:
        secrets: Streamlit secrets (``None``: no secrets file).

    Raises:
        DatabaseConfigError: Naming what is missing (a configuration problem
            of the deployment, reported like a bad database setting).
    """
    auth = (secrets or {}).get("auth")
    if not isinstance(auth, Mapping):
        raise DatabaseConfigError(
            AUTH_NOT_CONFIGURED.format(
                problem="there is no [auth] section in .streamlit/secrets.toml"
            )
        )
    missing = [k for k in AUTH_KEYS if not auth.get(k)]
    if missing:
        raise DatabaseConfigError(
            AUTH_NOT_CONFIGURED.format(problem=f"[auth] needs {', '.join(missing)}")
        )
    named = sorted(k for k, v in auth.items() if isinstance(v, Mapping))
    providers: list[str | None] = []
    if all(auth.get(k) for k in PROVIDER_KEYS):
        providers.append(None)
    for name in named:
        lacking = [k for k in PROVIDER_KEYS if not auth[name].get(k)]
        if lacking:
            raise DatabaseConfigError(
                AUTH_NOT_CONFIGURED.format(
                    problem=f"[auth.{name}] needs {', '.join(lacking)}"
                )
            )
        providers.append(name)
    if not providers:
        raise DatabaseConfigError(
            AUTH_NOT_CONFIGURED.format(
                problem="[auth] names no identity provider ("
                + ", ".join(PROVIDER_KEYS)
                + ")"
            )
        )
    return LoginSetup(providers=tuple(providers))


# -------------------------------------------------------------------- errors
def page_message(error: FormcheckError, *, clinic: bool) -> str:
    """What a page says about a database problem.

    Locally the user runs formcheck themself and sees the full line. In
    clinic mode anyone, logged in or not, may see the page: the line (which
    names the database server) goes to the server log, and the page says
    what happened in plain words.

    Args:
        error: The problem (a store or configuration error).
        clinic: Clinic mode.
    """
    if not clinic or isinstance(error, DatabaseConfigError | InputError):
        return str(error)
    log.error("%s", error)
    if isinstance(error, DatabaseUnavailable):
        return DATABASE_DOWN
    if isinstance(error, MigrationError):
        return DATABASE_BROKEN.format(kind="its schema could not be brought up to date")
    if isinstance(error, StoreError):
        return DATABASE_BROKEN.format(kind="a database error")
    return str(error)

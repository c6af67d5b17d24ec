"""Who may see what: every store call is scoped here, inside its transaction.

The rules (issue 12, item 4):

* nobody logged in: nothing (:class:`~formcheck.errors.NotLoggedIn`);
* a user without a role: nothing ("ask your clinic for an invitation");
* a patient: their own sessions, prescriptions, comments, symptom answers;
* a therapist: those of the patients linked to them;
* an admin: users, roles and links, but no clinical data unless also a
  therapist;
* local mode's one user is patient and therapist at once and may name new
  patients (they are created and linked on first write).

Roles and links are read from the database on every call, never taken from
the principal object. A session, comment or patient that exists but is out
of scope is refused with exactly the same message as one that does not
exist, so a forged id tells nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from formcheck.clinic import Principal, Role
from formcheck.errors import AccessDenied, InputError, NotLoggedIn
from formcheck.ids import check_email, check_patient
from formcheck.store.sql.models import (
    NAME_LEN,
    CareLink,
    InvitationRow,
    SessionRow,
    User,
    UserRole,
    utc_now,
)

#: Local mode's implicit user (``.invalid`` can never be a real address).
LOCAL_EMAIL = "me@local.invalid"
#: The local user's handle; sessions without a patient name are theirs.
LOCAL_HANDLE = "me"
E = TypeVar("E", bound=StrEnum)
#: An invitation not accepted within this many days no longer links anyone.
INVITATION_VALID_DAYS = 30
_SESSION_ID = re.compile(r"[0-9a-f]{32}")
_HANDLE_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")

NO_ROLE = (
    "{email} has no role in this clinic's formcheck yet: "
    "ask your clinic for an invitation"
)


@dataclass(frozen=True)
class Actor:
    """The caller, as the database knows them in this transaction.

    Attributes:
        email: Their e-mail (``None`` for the command-line operator).
        user: Their user row (``None``: operator, or a user with no role).
        roles: Their roles, read now.
        local: Local mode's implicit user.
        operator: The command-line operator (manages users, no clinical data).
    """

    email: str | None
    user: User | None
    roles: frozenset[Role]
    local: bool = False
    operator: bool = False

    def has(self, role: Role) -> bool:
        """Whether the caller has ``role`` now."""
        return role in self.roles

    @property
    def user_id(self) -> int | None:
        """The caller's user id (``None`` for the operator)."""
        return None if self.user is None else self.user.id


def row_id(value: object) -> int | None:
    """``value`` if it can be a row id (a positive 32-bit int), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value < 2**31 else None


def choice(enum: type[E], value: object, what: str) -> E:
    """``value`` as a member of ``enum``.

    Raises:
        InputError: Naming the allowed values.
    """
    if isinstance(value, str):  # members of a StrEnum are strings too
        try:
            return enum(value)
        except ValueError:
            pass
    allowed = ", ".join(m.value for m in enum)
    raise InputError(f"{value!r} is not a {what}; use one of: {allowed}")


def denied(what: str) -> AccessDenied:
    """The one refusal for data that is missing or out of scope."""
    return AccessDenied(f"{what}: not found, or not yours to see")


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this (already checked) e-mail address."""
    return session.scalars(sa.select(User).where(User.email == email)).one_or_none()


def roles_of(session: Session, user_id: int) -> frozenset[Role]:
    """A user's roles, read now."""
    rows = session.scalars(sa.select(UserRole.role).where(UserRole.user_id == user_id))
    return frozenset(rows)


def resolve_actor(
    session: Session, principal: Principal | None, *, operator: bool = False
) -> Actor:
    """Who is calling, with roles read from the database.

    Raises:
        NotLoggedIn: If there is no principal (and this is not the operator).
    """
    if operator:
        return Actor(email=None, user=None, roles=frozenset(), operator=True)
    if principal is None:
        raise NotLoggedIn("nobody is logged in: log in first")
    user = user_by_email(session, principal.email)
    if user is None:
        return Actor(email=principal.email, user=None, roles=frozenset())
    local = principal.local and user.email == LOCAL_EMAIL
    roles = roles_of(session, user.id)
    return Actor(email=principal.email, user=user, roles=roles, local=local)


def require_role(actor: Actor, *roles: Role, doing: str) -> None:
    """Refuse unless the caller has one of ``roles``.

    Raises:
        AccessDenied: Saying what needs which role.
    """
    if any(actor.has(r) for r in roles) or (actor.operator and Role.ADMIN in roles):
        return
    if not actor.roles and not actor.operator:
        raise AccessDenied(NO_ROLE.format(email=actor.email))
    needed = " or ".join(r.value for r in roles)
    article = "an" if needed[0] in "aeiou" else "a"
    raise AccessDenied(f"only {article} {needed} can {doing}")


def clinical_scope(session: Session, actor: Actor) -> set[int]:
    """Ids of the patients whose clinical data the caller may see.

    Raises:
        AccessDenied: If the caller is neither patient nor therapist.
    """
    if actor.user is None or not (actor.has(Role.PATIENT) or actor.has(Role.THERAPIST)):
        if actor.operator or actor.has(Role.ADMIN):
            raise AccessDenied(
                "administrators manage accounts and links; they see no clinical data"
            )
        raise AccessDenied(NO_ROLE.format(email=actor.email))
    scope: set[int] = set()
    if actor.has(Role.PATIENT):
        scope.add(actor.user.id)
    if actor.has(Role.THERAPIST):
        linked = session.scalars(
            sa.select(CareLink.patient_id).where(CareLink.therapist_id == actor.user.id)
        )
        scope.update(linked)
    return scope


def patient_for(
    session: Session, actor: Actor, handle: str | None, *, create: bool = False
) -> User | None:
    """The patient a handle names, if the caller may act for them.

    ``None`` names the caller themself (who must be a patient). For local
    mode's user an unknown name is a new patient: created and linked when
    ``create`` is set, otherwise ``None`` is returned (nothing stored yet).

    Raises:
        InputError: If the handle is not a valid patient name.
        AccessDenied: If the patient is unknown or out of scope.
    """
    scope = clinical_scope(session, actor)
    assert actor.user is not None
    if handle is None or (actor.local and handle == LOCAL_HANDLE):
        if actor.user.id not in scope:
            raise AccessDenied("choose a patient: you are not a patient yourself")
        return actor.user
    handle = check_patient(handle)
    patient = session.scalars(
        sa.select(User).where(User.handle == handle)
    ).one_or_none()
    if patient is not None and patient.id in scope:
        return patient
    if patient is None and actor.local:
        return create_local_patient(session, actor.user, handle) if create else None
    raise denied(f"patient {handle!r}")


def session_in_scope(session: Session, actor: Actor, session_id: object) -> SessionRow:
    """A stored session the caller may see.

    Raises:
        AccessDenied: If the id is malformed, unknown or out of scope.
    """
    scope = clinical_scope(session, actor)
    shown = repr(session_id)[:60]
    if not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
        raise denied(f"session {shown}")
    row = session.get(SessionRow, session_id)
    if row is None or row.patient_id not in scope:
        raise denied(f"session {shown}")
    return row


# ------------------------------------------------------------ users and links
def new_handle(session: Session, email: str) -> str:
    """A readable, unique patient handle from an e-mail's local part."""
    base = _HANDLE_CHARS.sub("-", email.split("@", 1)[0]).strip("-._")[:40] or "user"
    taken = set(
        session.scalars(
            sa.select(User.handle).where(
                sa.or_(User.handle == base, User.handle.like(f"{base}-%"))
            )
        )
    )
    taken.add(LOCAL_HANDLE)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def create_user(session: Session, email: str, name: str = "") -> User:
    """Add a clinic user (no role yet)."""
    user = User(
        email=email,
        handle=new_handle(session, email),
        name=(name.strip() or email.split("@", 1)[0])[:NAME_LEN],
        created_utc=utc_now(),
    )
    session.add(user)
    session.flush()
    return user


def grant(session: Session, user: User, role: Role) -> bool:
    """Give ``user`` a role; ``False`` if they had it already."""
    if session.get(UserRole, (user.id, role)) is not None:
        return False
    session.add(UserRole(user_id=user.id, role=role))
    session.flush()
    return True


def link(session: Session, therapist: User, patient: User) -> bool:
    """Link a therapist to a patient; ``False`` if already linked."""
    if therapist.id == patient.id:
        return False
    if session.get(CareLink, (therapist.id, patient.id)) is not None:
        return False
    session.add(
        CareLink(
            therapist_id=therapist.id, patient_id=patient.id, created_utc=utc_now()
        )
    )
    session.flush()
    return True


def ensure_local_user(session: Session) -> User:
    """Local mode's user (created on first use), patient and therapist."""
    user = user_by_email(session, LOCAL_EMAIL)
    if user is None:
        user = User(
            email=LOCAL_EMAIL, handle=LOCAL_HANDLE, name="me", created_utc=utc_now()
        )
        session.add(user)
        session.flush()
    grant(session, user, Role.PATIENT)
    grant(session, user, Role.THERAPIST)
    return user


def create_local_patient(session: Session, local_user: User, name: str) -> User:
    """A patient named in local mode (no e-mail, cannot log in), linked."""
    patient = User(email=None, handle=name, name=name, created_utc=utc_now())
    session.add(patient)
    session.flush()
    grant(session, patient, Role.PATIENT)
    link(session, local_user, patient)
    return patient


def login(session: Session, email: str, name: str = "") -> Principal:
    """Look up (and, if invited, create and link) a verified user.

    Raises:
        InputError: If ``email`` is not an e-mail address.
        AccessDenied: For reserved ``.invalid`` addresses.
    """
    email = check_email(email)
    if email.endswith(".invalid"):
        raise AccessDenied(f"{email} is reserved; log in with your clinic account")
    user = user_by_email(session, email)
    pending = list(
        session.scalars(
            sa.select(InvitationRow).where(
                InvitationRow.email == email,
                InvitationRow.accepted_utc.is_(None),
                InvitationRow.created_utc
                >= utc_now() - timedelta(days=INVITATION_VALID_DAYS),
            )
        )
    )
    if user is None and not pending:
        return Principal(email=email, name=name.strip() or email)
    if user is None:
        user = create_user(session, email, name)
    elif name.strip() and name.strip()[:NAME_LEN] != user.name:
        user.name = name.strip()[:NAME_LEN]
    for invitation in pending:
        therapist = session.get(User, invitation.therapist_id)
        if therapist is not None and therapist.id != user.id:
            grant(session, user, Role.PATIENT)
            link(session, therapist, user)
        invitation.accepted_utc = utc_now()
    return Principal(email=email, name=user.name, roles=roles_of(session, user.id))

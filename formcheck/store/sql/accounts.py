"""Accounts: invitations, a therapist's patients, and user administration.

Administration (roles and links) is for admins and the command-line
operator; they see e-mail addresses, names and roles, never clinical data.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from formcheck.clinic import Invitation, PatientInfo, Role, UserInfo
from formcheck.errors import AccessDenied, InputError, UnknownUserError
from formcheck.ids import check_email
from formcheck.store.sql import access
from formcheck.store.sql.models import CareLink, InvitationRow, User, UserRole, utc_now
from formcheck.store.sql.scoped import Scoped


def _user(session: Session, email: str) -> User:
    email = check_email(email)
    user = access.user_by_email(session, email)
    if user is None:
        raise UnknownUserError(f"{email}: no user has this e-mail address")
    return user


def _user_info(session: Session, user: User) -> UserInfo:
    return UserInfo(
        email=user.email,
        name=user.name,
        handle=user.handle,
        roles=tuple(sorted(access.roles_of(session, user.id), key=list(Role).index)),
        created_utc=user.created_utc,
    )


def _invitation(session: Session, row: InvitationRow) -> Invitation:
    therapist = session.get(User, row.therapist_id)
    return Invitation(
        id=row.id,
        email=row.email,
        therapist_email=(therapist.email or "") if therapist else "",
        created_utc=row.created_utc,
        accepted_utc=row.accepted_utc,
    )


class AccountsPart(Scoped):
    """Invitations and links (therapists), users and roles (admins)."""

    # ------------------------------------------------------------- therapists
    def invite(self, email: str) -> Invitation:
        """Invite a patient by e-mail; they are linked when they log in.

        Inviting the same address again renews the invitation.

        Raises:
            AccessDenied: Unless the caller is a clinic therapist.
            InputError: If ``email`` is not an e-mail address, or is the
                caller's own.
        """
        email = check_email(email)
        with self._scope() as (session, actor):
            access.require_role(actor, Role.THERAPIST, doing="invite patients")
            if actor.local or actor.user is None:
                raise AccessDenied("invitations are for clinic mode")
            if email == actor.user.email:
                raise InputError(f"{email} is your own address")
            row = session.scalars(
                sa.select(InvitationRow).where(
                    InvitationRow.email == email,
                    InvitationRow.therapist_id == actor.user.id,
                )
            ).one_or_none()
            if row is None:
                row = InvitationRow(email=email, therapist_id=actor.user.id)
                session.add(row)
            row.created_utc, row.accepted_utc = utc_now(), None
            session.flush()
            return _invitation(session, row)

    def invitations(self) -> list[Invitation]:
        """A therapist's own invitations (an admin's: everyone's), newest first.

        Raises:
            AccessDenied: Unless the caller is a therapist or an admin.
        """
        with self._scope() as (session, actor):
            access.require_role(
                actor, Role.THERAPIST, Role.ADMIN, doing="see invitations"
            )
            query = sa.select(InvitationRow)
            if not (actor.operator or actor.has(Role.ADMIN)):
                assert actor.user is not None
                query = query.where(InvitationRow.therapist_id == actor.user.id)
            rows = session.scalars(
                query.order_by(InvitationRow.created_utc.desc(), InvitationRow.id)
            )
            return [_invitation(session, r) for r in rows]

    def cancel_invitation(self, invitation_id: int) -> None:
        """Withdraw one of the caller's pending invitations.

        Raises:
            AccessDenied: If it is not the caller's pending invitation.
        """
        with self._scope() as (session, actor):
            access.require_role(actor, Role.THERAPIST, doing="cancel invitations")
            key = access.row_id(invitation_id)
            row = None if key is None else session.get(InvitationRow, key)
            if (
                row is None
                or actor.user is None
                or row.therapist_id != actor.user.id
                or row.accepted_utc is not None
            ):
                raise access.denied(f"pending invitation {invitation_id!r}")
            session.delete(row)

    def my_patients(self) -> list[PatientInfo]:
        """The patients linked to the calling therapist, by name.

        Raises:
            AccessDenied: Unless the caller is a therapist.
        """
        with self._scope() as (session, actor):
            access.require_role(actor, Role.THERAPIST, doing="list patients")
            assert actor.user is not None
            rows = session.scalars(
                sa.select(User)
                .join(CareLink, CareLink.patient_id == User.id)
                .where(CareLink.therapist_id == actor.user.id)
                .order_by(User.name, User.handle)
            )
            return [
                PatientInfo(handle=u.handle, name=u.name, email=u.email) for u in rows
            ]

    # ------------------------------------------------------------------- self
    def me(self) -> UserInfo | None:
        """The caller's own account (``None``: not in the database, or the operator).

        Anyone logged in may read their own e-mail, name, handle and roles;
        nothing clinical is in it.

        Raises:
            NotLoggedIn: If nobody is logged in.
        """
        with self._scope() as (session, actor):
            return None if actor.user is None else _user_info(session, actor.user)

    # ----------------------------------------------------------------- admins
    def users(self) -> list[UserInfo]:
        """Every user with an e-mail, with roles (no clinical data).

        Raises:
            AccessDenied: Unless the caller is an admin.
        """
        with self._scope() as (session, actor):
            access.require_role(actor, Role.ADMIN, doing="list users")
            rows = session.scalars(
                sa.select(User).where(User.email.is_not(None)).order_by(User.email)
            )
            return [_user_info(session, u) for u in rows]

    def grant_role(self, email: str, role: Role, name: str = "") -> UserInfo:
        """Give a user a role, adding the user if they are new.

        Raises:
            AccessDenied: Unless the caller is an admin.
            InputError: If ``email`` is not an e-mail address.
        """
        role = access.choice(Role, role, "role")
        email = check_email(email)
        if email.endswith(".invalid"):
            raise InputError(f"{email} is reserved for local mode")
        with self._scope() as (session, actor):
            access.require_role(actor, Role.ADMIN, doing="manage roles")
            user = access.user_by_email(session, email) or access.create_user(
                session, email, name
            )
            access.grant(session, user, role)
            return _user_info(session, user)

    def revoke_role(self, email: str, role: Role) -> UserInfo:
        """Take a role away from a user (their data stays).

        Raises:
            AccessDenied: Unless the caller is an admin.
            UnknownUserError: If nobody has this e-mail.
        """
        role = access.choice(Role, role, "role")
        with self._scope() as (session, actor):
            access.require_role(actor, Role.ADMIN, doing="manage roles")
            user = _user(session, email)
            found = session.get(UserRole, (user.id, role))
            if found is not None:
                session.delete(found)
                session.flush()
            return _user_info(session, user)

    def link(self, therapist_email: str, patient_email: str) -> bool:
        """Link a therapist to a patient; ``False`` if they were linked already.

        Raises:
            AccessDenied: Unless the caller is an admin.
            UnknownUserError: If either e-mail is unknown.
            InputError: If the therapist is not a therapist or the patient
                not a patient.
        """
        with self._scope() as (session, actor):
            access.require_role(actor, Role.ADMIN, doing="link patients")
            therapist = _user(session, therapist_email)
            patient = _user(session, patient_email)
            if Role.THERAPIST not in access.roles_of(session, therapist.id):
                raise InputError(f"{therapist.email} is not a therapist")
            if Role.PATIENT not in access.roles_of(session, patient.id):
                raise InputError(
                    f"{patient.email} is not a patient (add the role first, or "
                    "have a therapist invite them)"
                )
            if therapist.id == patient.id:
                raise InputError("a therapist cannot be linked to themself")
            return access.link(session, therapist, patient)

    def unlink(self, therapist_email: str, patient_email: str) -> bool:
        """Remove a link; ``False`` if there was none.

        Raises:
            AccessDenied: Unless the caller is an admin.
            UnknownUserError: If either e-mail is unknown.
        """
        with self._scope() as (session, actor):
            access.require_role(actor, Role.ADMIN, doing="unlink patients")
            therapist = _user(session, therapist_email)
            patient = _user(session, patient_email)
            found = session.get(CareLink, (therapist.id, patient.id))
            if found is None:
                return False
            session.delete(found)
            return True

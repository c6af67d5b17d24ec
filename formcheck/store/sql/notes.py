"""Comments, symptom answers and sign-offs, scoped to the principal."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from formcheck.clinic import (
    MAX_COMMENT_CHARS,
    MAX_NOTE_CHARS,
    RULE_ID_PATTERN,
    Comment,
    Role,
    SignOff,
    SymptomAnswer,
    SymptomLocation,
    VerdictLevel,
)
from formcheck.errors import AccessDenied, InputError
from formcheck.record.model import parse_session
from formcheck.store.sql import access
from formcheck.store.sql.access import Actor
from formcheck.store.sql.models import (
    CommentRow,
    SessionRow,
    SignOffRow,
    SymptomAnswerRow,
    User,
    utc_now,
)
from formcheck.store.sql.scoped import Scoped


def _text(text: str, limit: int, what: str, *, required: bool) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if required and not text:
        raise InputError(f"{what} is empty")
    if len(text) > limit:
        raise InputError(f"{what} is {len(text)} characters long; at most {limit}")
    return text


def _index(value: int | None, what: str, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{what} must be a whole number >= {minimum}, got {value!r}")
    return value


def _session_of(
    session: Session, actor: Actor, session_id: str | None, patient: User
) -> str | None:
    """Check that ``session_id`` (if given) is a session of ``patient``."""
    if session_id is None:
        return None
    row = access.session_in_scope(session, actor, session_id)
    if row.patient_id != patient.id:
        raise access.denied(f"session {session_id!r} of patient {patient.handle!r}")
    return row.id


def _name(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return "" if user is None else user.name


def _comment(session: Session, row: CommentRow, patient: User) -> Comment:
    return Comment(
        id=row.id,
        patient=patient.handle,
        author_name=_name(session, row.author_id),
        text=row.text,
        session_id=row.session_id,
        rep_index=row.rep_index,
        created_utc=row.created_utc,
    )


def _answer(row: SymptomAnswerRow, patient: User) -> SymptomAnswer:
    return SymptomAnswer(
        id=row.id,
        patient=patient.handle,
        session_id=row.session_id,
        set_index=row.set_index,
        location=row.location,
        worse=row.worse,
        answered_utc=row.answered_utc,
    )


def _sign_off(session: Session, row: SignOffRow) -> SignOff:
    return SignOff(
        id=row.id,
        session_id=row.session_id,
        level=row.level,
        index=row.item_index,
        agree=row.agree,
        note=row.note,
        author_name=_name(session, row.author_id),
        created_utc=row.created_utc,
        seen_fault=row.seen_fault,
    )


def _seen_fault(agree: bool, seen_fault: str | None) -> str | None:
    if seen_fault is None:
        return None
    if agree:
        raise InputError("a fault the therapist sees goes with disagreeing only")
    if not isinstance(seen_fault, str) or not re.fullmatch(RULE_ID_PATTERN, seen_fault):
        raise InputError(f"{seen_fault!r} is not a rule id such as 'back_sagging'")
    return seen_fault


def _check_verdict_index(
    row: SessionRow, level: VerdictLevel, index: int | None
) -> None:
    if level is VerdictLevel.SESSION:
        if index is not None:
            raise InputError("a sign-off on a whole session takes no index")
        return
    if index is None:
        raise InputError(f"a sign-off on a {level.value} needs its index")
    if level is VerdictLevel.REP:
        record = parse_session(row.record, f"session {row.id}")
        items = {r.index for r in record.reps if r.counted}
        items |= {h.index for h in record.holds}
        if index not in items:
            holds = f" and no hold {index}" if record.holds else ""
            raise InputError(
                f"session {row.id} has no counted repetition {index}{holds}"
            )


class NotesPart(Scoped):
    """What patients and therapists tell each other about the exercises."""

    # --------------------------------------------------------------- comments
    def add_comment(
        self,
        text: str,
        *,
        patient: str | None = None,
        session_id: str | None = None,
        rep_index: int | None = None,
    ) -> Comment:
        """Write a comment to a patient (``None``: the caller, as patient).

        Raises:
            AccessDenied: If the patient or session is out of scope.
            InputError: If the text is empty or too long.
        """
        body = _text(text, MAX_COMMENT_CHARS, "the comment", required=True)
        _index(rep_index, "rep_index", 0)
        with self._scope() as (session, actor):
            who = access.patient_for(session, actor, patient, create=True)
            assert who is not None
            assert actor.user is not None
            row = CommentRow(
                patient_id=who.id,
                author_id=actor.user.id,
                session_id=_session_of(session, actor, session_id, who),
                rep_index=rep_index,
                text=body,
                created_utc=utc_now(),
            )
            session.add(row)
            session.flush()
            return _comment(session, row, who)

    def comments(
        self, patient: str | None = None, session_id: str | None = None
    ) -> list[Comment]:
        """A patient's comments, oldest first; only one session's if given.

        Raises:
            AccessDenied: If the patient or session is out of scope.
        """
        with self._scope() as (session, actor):
            who = access.patient_for(session, actor, patient)
            if who is None:
                return []
            query = sa.select(CommentRow).where(CommentRow.patient_id == who.id)
            if session_id is not None:
                sid = _session_of(session, actor, session_id, who)
                query = query.where(CommentRow.session_id == sid)
            rows = session.scalars(
                query.order_by(CommentRow.created_utc, CommentRow.id)
            )
            return [_comment(session, row, who) for row in rows]

    def comment(self, comment_id: int) -> Comment:
        """One comment by id.

        Raises:
            AccessDenied: If there is no such comment the caller may see.
        """
        with self._scope() as (session, actor):
            scope = access.clinical_scope(session, actor)
            key = access.row_id(comment_id)
            row = None if key is None else session.get(CommentRow, key)
            if row is None or row.patient_id not in scope:
                raise access.denied(f"comment {comment_id!r}")
            who = session.get(User, row.patient_id)
            assert who is not None
            return _comment(session, row, who)

    # ------------------------------------------------------- symptom answers
    def record_symptoms(
        self,
        location: SymptomLocation,
        worse: bool,
        *,
        patient: str | None = None,
        session_id: str | None = None,
        set_index: int | None = None,
        answered_utc: datetime | None = None,
    ) -> SymptomAnswer:
        """Store the answer to the after-set symptom question.

        Raises:
            AccessDenied: If the patient or session is out of scope.
            InputError: If a value is invalid.
        """
        where = access.choice(SymptomLocation, location, "symptom location")
        _index(set_index, "set_index", 1)
        if answered_utc is not None and answered_utc.tzinfo is None:
            raise InputError("answered_utc must carry a time zone")
        with self._scope() as (session, actor):
            who = access.patient_for(session, actor, patient, create=True)
            assert who is not None
            assert actor.user is not None
            row = SymptomAnswerRow(
                patient_id=who.id,
                session_id=_session_of(session, actor, session_id, who),
                set_index=set_index,
                location=where,
                worse=bool(worse),
                answered_utc=answered_utc or utc_now(),
                recorded_by_id=actor.user.id,
            )
            session.add(row)
            session.flush()
            return _answer(row, who)

    def symptom_answers(
        self, patient: str | None = None, session_id: str | None = None
    ) -> list[SymptomAnswer]:
        """A patient's symptom answers, oldest first.

        Raises:
            AccessDenied: If the patient or session is out of scope.
        """
        with self._scope() as (session, actor):
            who = access.patient_for(session, actor, patient)
            if who is None:
                return []
            query = sa.select(SymptomAnswerRow).where(
                SymptomAnswerRow.patient_id == who.id
            )
            if session_id is not None:
                sid = _session_of(session, actor, session_id, who)
                query = query.where(SymptomAnswerRow.session_id == sid)
            rows = session.scalars(
                query.order_by(SymptomAnswerRow.answered_utc, SymptomAnswerRow.id)
            )
            return [_answer(row, who) for row in rows]

    # -------------------------------------------------------------- sign-offs
    def sign_off(
        self,
        session_id: str,
        level: VerdictLevel,
        agree: bool,
        *,
        index: int | None = None,
        note: str = "",
        seen_fault: str | None = None,
    ) -> SignOff:
        """Agree or disagree with formcheck's verdict on a rep, set or session.

        A ``rep`` sign-off names a counted repetition, or a hold of a hold
        exercise, by its index.

        Args:
            session_id: The session (one set's record).
            level: What is signed off.
            agree: Whether the therapist agrees with formcheck's verdict.
            index: The repetition, hold or set (``None`` for a session).
            note: A short note.
            seen_fault: When disagreeing, the rule the therapist sees failing
                (``None``: the movement was fine).

        Raises:
            AccessDenied: Unless the caller is a therapist linked to the patient.
            InputError: If the index does not fit the level, the note is long,
                or ``seen_fault`` is not a rule id or comes with agreeing.
        """
        level = access.choice(VerdictLevel, level, "verdict level")
        body = _text(note, MAX_NOTE_CHARS, "the note", required=False)
        _index(index, "index", 0)
        fault = _seen_fault(bool(agree), seen_fault)
        with self._scope() as (session, actor):
            row = access.session_in_scope(session, actor, session_id)
            access.require_role(actor, Role.THERAPIST, doing="sign off verdicts")
            if (
                not actor.local
                and actor.user is not None
                and row.patient_id == actor.user.id
            ):
                raise AccessDenied("a therapist cannot sign off their own sessions")
            _check_verdict_index(row, level, index)
            assert actor.user is not None
            sign = SignOffRow(
                session_id=row.id,
                author_id=actor.user.id,
                level=level,
                item_index=index,
                agree=bool(agree),
                note=body,
                created_utc=utc_now(),
                seen_fault=fault,
            )
            session.add(sign)
            session.flush()
            return _sign_off(session, sign)

    def sign_offs(self, session_id: str) -> list[SignOff]:
        """The sign-offs on a session, oldest first.

        Raises:
            AccessDenied: If there is no such session the caller may see.
        """
        with self._scope() as (session, actor):
            row = access.session_in_scope(session, actor, session_id)
            rows = session.scalars(
                sa.select(SignOffRow)
                .where(SignOffRow.session_id == row.id)
                .order_by(SignOffRow.created_utc, SignOffRow.id)
            )
            return [_sign_off(session, r) for r in rows]

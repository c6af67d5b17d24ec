"""Sign-offs and comments through the data layer: who may write what.

On SQLite and PostgreSQL: a patient cannot sign off; a therapist signs off
and comments only for linked patients; a disagreeing therapist's fault is
kept; a hold can be signed off; the patient reads the therapist's comment.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import URL

from formcheck.clinic import Role, VerdictLevel
from formcheck.errors import AccessDenied, InputError
from formcheck.record import SessionRecord
from formcheck.results import HoldRecord
from formcheck.store.sql import Database, DatabaseConfig, SqlStore
from formcheck.store.sql.migrate import alembic_config, head_revision

pytestmark = pytest.mark.security

NOT_YOURS = "not found, or not yours to see"


class Team:
    """Two therapists; only Dr A is linked to Pat, who saved one session."""

    def __init__(self, db: Database, record: SessionRecord) -> None:
        for who in ("ta@clinic.org", "tb@clinic.org"):
            db.operator().grant_role(who, Role.THERAPIST)
        self.ta: SqlStore = db.store(db.login("ta@clinic.org", "Dr A"))
        self.tb: SqlStore = db.store(db.login("tb@clinic.org", "Dr B"))
        self.ta.invite("pat@home.org")
        self.pat: SqlStore = db.store(db.login("pat@home.org", "Pat"))
        (self.handle,) = self.ta.patients()
        self.session = self.pat.save_session(record, "set1")


@pytest.fixture
def team(clinic_db: Database, bird_dog_record: SessionRecord) -> Team:
    return Team(clinic_db, bird_dog_record)


def test_patient_cannot_sign_off_their_own_session(team: Team) -> None:
    for level, index in ((VerdictLevel.REP, 1), (VerdictLevel.SESSION, None)):
        with pytest.raises(AccessDenied, match="only a therapist can sign off"):
            team.pat.sign_off(team.session.id, level, agree=True, index=index)
    assert team.ta.sign_offs(team.session.id) == []


def test_unlinked_therapist_can_neither_sign_off_nor_comment(team: Team) -> None:
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        team.tb.sign_off(team.session.id, VerdictLevel.REP, agree=True, index=1)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        team.tb.add_comment("Looks good", patient=team.handle)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        team.tb.add_comment(
            "Looks good", patient=team.handle, session_id=team.session.id
        )
    assert team.pat.comments() == []


def test_linked_therapist_signs_off_with_the_fault_they_see(team: Team) -> None:
    off = team.ta.sign_off(
        team.session.id,
        VerdictLevel.REP,
        agree=False,
        index=2,
        note="the back sagged at the end",
        seen_fault="back_sagging",
    )
    fine = team.ta.sign_off(team.session.id, VerdictLevel.REP, agree=False, index=1)
    assert (off.seen_fault, off.author_name) == ("back_sagging", "Dr A")
    assert fine.seen_fault is None  # "this was fine"
    seen = [
        (s.index, s.agree, s.seen_fault) for s in team.pat.sign_offs(team.session.id)
    ]
    assert seen == [(2, False, "back_sagging"), (1, False, None)]


@pytest.mark.parametrize(
    ("agree", "fault", "message"),
    [
        (True, "back_sagging", "goes with disagreeing only"),
        (False, "Back Sagging!", "is not a rule id"),
        (False, "x" * 65, "is not a rule id"),
    ],
)
def test_bad_seen_fault_is_refused(
    team: Team, agree: bool, fault: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        team.ta.sign_off(
            team.session.id, VerdictLevel.REP, agree=agree, index=1, seen_fault=fault
        )
    assert team.ta.sign_offs(team.session.id) == []


def test_a_hold_can_be_signed_off(
    clinic_db: Database, team: Team, bird_dog_record: SessionRecord
) -> None:
    hold = HoldRecord(
        index=1,
        side=None,
        start_s=2.0,
        end_s=32.0,
        held_s=28.0,
        min_s=20.0,
        target_s=30.0,
        completed=True,
    )
    held = bird_dog_record.model_copy(update={"reps": [], "holds": [hold]})
    ref = team.pat.save_session(held, "set2")
    team.ta.sign_off(ref.id, VerdictLevel.REP, agree=True, index=1)
    with pytest.raises(InputError, match="no counted repetition 2 and no hold 2"):
        team.ta.sign_off(ref.id, VerdictLevel.REP, agree=True, index=2)


def test_patient_reads_the_therapists_comment_on_a_repetition(team: Team) -> None:
    team.ta.add_comment(
        "Lovely control on this one",
        patient=team.handle,
        session_id=team.session.id,
        rep_index=1,
    )
    (comment,) = team.pat.comments()
    assert (comment.author_name, comment.text, comment.rep_index) == (
        "Dr A",
        "Lovely control on this one",
        1,
    )


def test_upgrade_from_0001_keeps_sign_offs(
    empty_database_url: URL, bird_dog_record: SessionRecord
) -> None:
    engine = sa.create_engine(empty_database_url)
    when = datetime(2026, 3, 1, 10, 0)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        for statement, values in (
            (
                "INSERT INTO users (id, email, handle, name, created_utc) "
                "VALUES (1, 'me@local.invalid', 'me', 'me', :t)",
                {"t": when},
            ),
            ("INSERT INTO user_roles (user_id, role) VALUES (1, 'therapist')", {}),
            ("INSERT INTO user_roles (user_id, role) VALUES (1, 'patient')", {}),
            (
                "INSERT INTO sessions (id, patient_id, exercise_id, created_utc, "
                "label, record) VALUES (:id, 1, 'bird_dog', :t, 'set1', :r)",
                {"id": "c" * 32, "t": when, "r": bird_dog_record.to_json()},
            ),
            (
                "INSERT INTO sign_offs (session_id, author_id, level, item_index, "
                "agree, note, created_utc) VALUES (:id, 1, 'rep', 1, false, "
                "'older note', :t)",
                {"id": "c" * 32, "t": when},
            ),
        ):
            connection.execute(sa.text(statement), values)
    engine.dispose()
    db = Database.open(DatabaseConfig(url=empty_database_url))  # upgrades
    try:
        assert db.revision() == head_revision()
        (off,) = db.store(db.local_principal()).sign_offs("c" * 32)
        assert (off.note, off.agree, off.seen_fault) == ("older note", False, None)
    finally:
        db.close()

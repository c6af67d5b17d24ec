"""Access control in the data layer, on SQLite and on PostgreSQL.

Each test is something a page could be tricked into (an id from a URL or a
widget, a stale login, a role taken away) and checks that the store refuses
it, whatever the page does.
"""

from __future__ import annotations

import pytest

from formcheck.clinic import Principal, Role, SymptomLocation, VerdictLevel
from formcheck.errors import AccessDenied, NotLoggedIn
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord
from formcheck.store.base import SessionRef
from formcheck.store.sql import Database, SqlStore

pytestmark = pytest.mark.security

NOT_YOURS = "not found, or not yours to see"


class Clinic:
    """Two therapists, each with one invited patient; each patient has data."""

    def __init__(self, db: Database, record: SessionRecord) -> None:
        self.db = db
        for who in ("ta@clinic.org", "tb@clinic.org"):
            db.operator().grant_role(who, Role.THERAPIST)
        self.ta = db.store(db.login("ta@clinic.org", "Dr A"))
        self.tb = db.store(db.login("tb@clinic.org", "Dr B"))
        self.ta.invite("alice@home.org")
        self.tb.invite("bob@home.org")
        self.alice = db.store(db.login("alice@home.org", "Alice"))
        self.bob = db.store(db.login("bob@home.org", "Bob"))
        (self.alice_handle,) = self.ta.patients()
        (self.bob_handle,) = self.tb.patients()
        self.tb.save_prescription(
            Prescription(patient=self.bob_handle, exercise="bird_dog", reps=6)
        )
        self.alice_record = record
        self.bob_session = self.bob.save_session(record, "set1")
        self.bob_comment = self.tb.add_comment(
            "Keep the hips level", patient=self.bob_handle
        )
        self.bob.record_symptoms(
            SymptomLocation.FOOT, worse=True, session_id=self.bob_session.id
        )


@pytest.fixture
def world(clinic_db: Database, bird_dog_record: SessionRecord) -> Clinic:
    return Clinic(clinic_db, bird_dog_record)


def test_patient_cannot_read_another_patients_session_by_id(world: Clinic) -> None:
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.load_session(world.bob_session.id)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.sign_offs(world.bob_session.id)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.landmarks(world.bob_session.id)
    assert world.alice.list_sessions() == []


def test_patient_cannot_read_another_patients_prescription(world: Clinic) -> None:
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.prescription(world.bob_handle, "bird_dog")
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.prescriptions(world.bob_handle)


def test_patient_cannot_read_another_patients_comments_or_symptoms(
    world: Clinic,
) -> None:
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.comment(world.bob_comment.id)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.comments(world.bob_handle)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.symptom_answers(world.bob_handle)
    assert world.alice.comments() == []
    assert [c.text for c in world.bob.comments()] == ["Keep the hips level"]


def test_patient_cannot_write_into_another_patients_record(
    world: Clinic, bird_dog_record: SessionRecord
) -> None:
    forged = bird_dog_record.model_copy(update={"patient": world.bob_handle})
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.save_session(forged)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.replace_session(world.bob_session, bird_dog_record)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.add_comment("hi Bob", patient=world.bob_handle)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.record_symptoms(
            SymptomLocation.NONE, worse=False, session_id=world.bob_session.id
        )
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.alice.save_landmarks(world.bob_session.id, b"x")
    assert len(world.bob.list_sessions()) == 1
    assert len(world.bob.comments()) == 1


def test_therapist_cannot_read_an_unlinked_patient(world: Clinic) -> None:
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.ta.load_session(world.bob_session.id)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.ta.list_sessions(world.bob_handle)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.ta.prescriptions(world.bob_handle)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.ta.comment(world.bob_comment.id)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.ta.save_prescription(
            Prescription(patient=world.bob_handle, exercise="bird_dog", reps=30)
        )
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.ta.sign_off(world.bob_session.id, VerdictLevel.SESSION, agree=True)
    assert world.ta.patients() == [world.alice_handle]
    assert world.ta.list_sessions() == []
    assert world.tb.prescription(world.bob_handle, "bird_dog").reps == 6  # type: ignore[union-attr]


def test_unlinking_ends_access_at_once(world: Clinic) -> None:
    world.db.operator().unlink("tb@clinic.org", "bob@home.org")
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.tb.load_session(world.bob_session.id)


def test_user_without_a_role_gets_nothing(world: Clinic) -> None:
    principal = world.db.login("stranger@else.org", "Stranger")
    assert principal.roles == frozenset()
    stranger = world.db.store(principal)
    for attempt in (
        stranger.list_sessions,
        stranger.patients,
        lambda: stranger.load_session(world.bob_session.id),
        lambda: stranger.comment(world.bob_comment.id),
        lambda: stranger.prescriptions(world.bob_handle),
        lambda: stranger.invite("x@y.org"),
        stranger.users,
    ):
        with pytest.raises(AccessDenied, match="ask your clinic for an invitation"):
            attempt()


def test_logged_out_request_is_refused(world: Clinic) -> None:
    nobody = world.db.store(None)
    for attempt in (
        nobody.list_sessions,
        nobody.patients,
        lambda: nobody.load_session(world.bob_session.id),
        lambda: nobody.comments(world.bob_handle),
        nobody.users,
    ):
        with pytest.raises(NotLoggedIn, match="log in"):
            attempt()


def test_admin_sees_accounts_but_no_clinical_data(world: Clinic) -> None:
    world.db.operator().grant_role("boss@clinic.org", Role.ADMIN)
    admin = world.db.store(world.db.login("boss@clinic.org"))
    assert "bob@home.org" in {u.email for u in admin.users()}
    for attempt in (
        admin.list_sessions,
        lambda: admin.load_session(world.bob_session.id),
        lambda: admin.prescriptions(world.bob_handle),
        lambda: admin.comments(world.bob_handle),
    ):
        with pytest.raises(AccessDenied, match="no clinical data"):
            attempt()


def test_therapist_and_patient_cannot_administer(world: Clinic) -> None:
    for store in (world.ta, world.bob):
        with pytest.raises(AccessDenied, match="only an admin"):
            store.link("ta@clinic.org", "bob@home.org")
        with pytest.raises(AccessDenied, match="only an admin"):
            store.grant_role("bob@home.org", Role.THERAPIST)
    assert world.ta.patients() == [world.alice_handle]


FORGED_SESSION_IDS = [
    "../../etc/passwd",
    "' OR 1=1 --",
    "0" * 32,
    "A" * 32,
    "",
    "x\nabc",
    42,
]
FORGED_COMMENT_IDS = [-1, 0, 10_000, "1", True, None]


def test_forged_session_ids_are_refused(world: Clinic) -> None:
    for forged in FORGED_SESSION_IDS:
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            world.alice.load_session(forged)  # type: ignore[arg-type]
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            world.alice.sign_offs(forged)  # type: ignore[arg-type]
        ref = SessionRef(
            id=forged, patient=None, exercise_id="", created_utc="", label=""
        )  # type: ignore[arg-type]
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            world.alice.replace_session(ref, world.alice_record)


def test_forged_comment_ids_are_refused(world: Clinic) -> None:
    for forged in [*FORGED_COMMENT_IDS, world.bob_comment.id]:
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            world.alice.comment(forged)  # type: ignore[arg-type]


def test_hand_made_principal_grants_nothing(world: Clinic) -> None:
    fake = Principal(
        email="alice@home.org",
        name="Alice",
        roles=frozenset({Role.THERAPIST, Role.ADMIN}),
        local=True,
    )
    forged = SqlStore(world.db, fake)
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        forged.load_session(world.bob_session.id)
    with pytest.raises(AccessDenied, match="only an admin"):
        forged.users()
    with pytest.raises(AccessDenied, match="reserved"):
        world.db.login("me@local.invalid")


def test_comment_on_someone_elses_session_is_refused(world: Clinic) -> None:
    """A therapist's own patient id with another patient's session id."""
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        world.ta.add_comment(
            "look", patient=world.alice_handle, session_id=world.bob_session.id
        )

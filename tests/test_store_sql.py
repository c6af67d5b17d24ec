"""The SQL store on SQLite and on a real PostgreSQL server: what users get back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from formcheck.clinic import Role, SymptomLocation, VerdictLevel
from formcheck.errors import AccessDenied, InputError, StoreError
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord
from formcheck.store import FolderStore, Store
from formcheck.store.sql import Database, SqlStore
from formcheck.store.sql.access import INVITATION_VALID_DAYS
from formcheck.store.sql.models import InvitationRow, User, utc_now
from formcheck.store.sql.sessions import add_session


def clinic(db: Database) -> tuple[SqlStore, SqlStore, str]:
    """A therapist and an invited, logged-in patient; returns the patient handle."""
    db.operator().grant_role("thera@clinic.org", Role.THERAPIST, "Dr Thera")
    therapist = db.store(db.login("thera@clinic.org"))
    therapist.invite("Pat@Home.org")
    patient = db.store(db.login("pat@home.org", "Pat Smith"))
    (handle,) = therapist.patients()
    return therapist, patient, handle


# ------------------------------------------------------------------ local mode
def test_local_store_is_a_store_and_round_trips_sessions(
    local_db: Database, bird_dog_record: SessionRecord
) -> None:
    store = local_db.store(local_db.local_principal())
    assert isinstance(store, Store)
    assert store.list_sessions() == []
    first = store.save_session(bird_dog_record, "set1")
    second = store.save_session(
        bird_dog_record.model_copy(update={"patient": "Jane Doe"}), "set2"
    )
    assert first.id != second.id
    assert first.patient is None  # the local user's own session, as before ("me")
    assert second.patient == "Jane Doe"
    assert "bird_dog" in second.label and "set2" in second.label
    assert {r.id for r in store.list_sessions()} == {first.id, second.id}
    assert [r.id for r in store.list_sessions("Jane Doe")] == [second.id]
    assert store.list_sessions("Nobody Yet") == []
    loaded = store.load_session(first.id)
    assert loaded.reps == bird_dog_record.reps
    assert loaded.summary == bird_dog_record.summary
    assert store.patients() == ["Jane Doe"]


def test_replace_session_keeps_id_and_patient(
    local_db: Database, bird_dog_record: SessionRecord
) -> None:
    store = local_db.store(local_db.local_principal())
    ref = store.save_session(bird_dog_record, "set1")
    noted = bird_dog_record.model_copy(update={"warnings": ["pain did not spread"]})
    again = store.replace_session(ref, noted)
    assert again.id == ref.id
    assert store.load_session(ref.id).warnings == ["pain did not spread"]
    assert len(store.list_sessions()) == 1
    moved = noted.model_copy(update={"patient": "Someone Else"})
    with pytest.raises(AccessDenied, match="another patient"):
        store.replace_session(ref, moved)
    assert store.load_session(ref.id).patient is None


def test_local_prescriptions_by_patient_name(local_db: Database) -> None:
    store = local_db.store(local_db.local_principal())
    assert store.prescription("Ann", "bird_dog") is None
    store.save_prescription(Prescription(patient="Ann", exercise="bird_dog", reps=6))
    store.save_prescription(Prescription(patient="Ann", exercise="bird_dog", reps=8))
    store.save_prescription(
        Prescription(patient="Ann", exercise="glute_bridge", sets=2)
    )
    found = store.prescription("Ann", "bird_dog")
    assert found is not None and found.reps == 8
    assert sorted(store.prescriptions("Ann")) == ["bird_dog", "glute_bridge"]
    assert store.patients() == ["Ann"]
    with pytest.raises(InputError):
        store.prescription("../etc", "bird_dog")
    with pytest.raises(InputError):
        store.prescription("Ann", "../x")


def test_sql_store_gives_what_the_folder_store_gives(
    local_db: Database, bird_dog_record: SessionRecord, tmp_path
) -> None:
    folder, sql = (
        FolderStore(tmp_path / "folder"),
        local_db.store(local_db.local_principal()),
    )
    for store in (folder, sql):
        store.save_session(
            bird_dog_record.model_copy(update={"patient": "Ann"}), "set1"
        )
        store.save_prescription(
            Prescription(patient="Ann", exercise="bird_dog", reps=5)
        )
    assert folder.patients() == sql.patients() == ["Ann"]
    assert (
        folder.prescriptions("Ann")["bird_dog"].reps
        == sql.prescriptions("Ann")["bird_dog"].reps
    )
    (f_ref,), (s_ref,) = folder.list_sessions(), sql.list_sessions()
    assert s_ref.exercise_id == "bird_dog"
    assert folder.load_session(f_ref.id).reps == sql.load_session(s_ref.id).reps


def test_local_principal_is_refused_in_clinic_mode(clinic_db: Database) -> None:
    with pytest.raises(StoreError, match="clinic mode"):
        clinic_db.local_principal()


# ----------------------------------------------------------------- clinic mode
def test_invited_patient_is_linked_at_login(clinic_db: Database) -> None:
    clinic_db.operator().grant_role("thera@clinic.org", Role.THERAPIST)
    therapist = clinic_db.store(clinic_db.login("thera@clinic.org", "Dr Thera"))
    invitation = therapist.invite("pat@home.org")
    assert invitation.accepted_utc is None
    assert therapist.patients() == []
    principal = clinic_db.login("PAT@home.org", "Pat Smith")
    assert principal.roles == frozenset({Role.PATIENT})
    (info,) = therapist.my_patients()
    assert (info.name, info.email) == ("Pat Smith", "pat@home.org")
    (accepted,) = therapist.invitations()
    assert accepted.accepted_utc is not None


def test_prescription_set_by_therapist_reaches_the_patient(clinic_db: Database) -> None:
    therapist, patient, handle = clinic(clinic_db)
    therapist.save_prescription(
        Prescription(
            patient=handle, exercise="glute_bridge", reps=10, painful_side="left"
        )
    )
    mine = patient.prescriptions(handle)
    assert mine["glute_bridge"].reps == 10
    assert mine["glute_bridge"].painful_side == "left"
    with pytest.raises(AccessDenied, match="only a therapist"):
        patient.save_prescription(
            Prescription(patient=handle, exercise="bird_dog", reps=30)
        )


def test_patient_session_is_seen_by_the_therapist(
    clinic_db: Database, bird_dog_record: SessionRecord
) -> None:
    therapist, patient, handle = clinic(clinic_db)
    ref = patient.save_session(bird_dog_record, "set1")
    assert ref.patient == handle
    (seen,) = therapist.list_sessions(handle)
    assert seen.id == ref.id
    record = therapist.load_session(ref.id)
    assert record.patient == handle
    assert record.summary.reps == bird_dog_record.summary.reps


def test_comments_symptoms_and_sign_offs(
    clinic_db: Database, bird_dog_record: SessionRecord
) -> None:
    therapist, patient, handle = clinic(clinic_db)
    ref = patient.save_session(bird_dog_record, "set1")
    rep = next(r.index for r in bird_dog_record.reps if r.counted)
    therapist.add_comment(
        "Slower on the way down", patient=handle, session_id=ref.id, rep_index=rep
    )
    patient.add_comment("It felt easier today")
    texts = [(c.author_name, c.text) for c in patient.comments()]
    assert texts == [
        ("Dr Thera", "Slower on the way down"),
        ("Pat Smith", "It felt easier today"),
    ]
    assert [c.text for c in therapist.comments(handle, session_id=ref.id)] == [
        "Slower on the way down"
    ]

    when = datetime(2026, 3, 12, 10, 15, tzinfo=UTC)
    patient.record_symptoms(
        SymptomLocation.THIGH,
        worse=False,
        session_id=ref.id,
        set_index=1,
        answered_utc=when,
    )
    patient.record_symptoms(SymptomLocation.BELOW_KNEE, worse=True, set_index=2)
    answers = therapist.symptom_answers(handle)
    assert [(a.location, a.worse, a.set_index) for a in answers] == [
        (SymptomLocation.THIGH, False, 1),
        (SymptomLocation.BELOW_KNEE, True, 2),
    ]
    assert answers[0].answered_utc == when
    assert [a.set_index for a in patient.symptom_answers(session_id=ref.id)] == [1]

    therapist.sign_off(
        ref.id, VerdictLevel.REP, agree=False, index=rep, note="knee drifted"
    )
    therapist.sign_off(ref.id, VerdictLevel.SESSION, agree=True)
    offs = patient.sign_offs(ref.id)
    assert [(s.level, s.agree, s.index) for s in offs] == [
        (VerdictLevel.REP, False, rep),
        (VerdictLevel.SESSION, True, None),
    ]
    with pytest.raises(InputError, match="no counted repetition 999"):
        therapist.sign_off(ref.id, VerdictLevel.REP, agree=True, index=999)
    with pytest.raises(AccessDenied, match="only a therapist"):
        patient.sign_off(ref.id, VerdictLevel.SESSION, agree=True)


def test_bad_notes_are_refused_and_nothing_is_saved(clinic_db: Database) -> None:
    therapist, patient, handle = clinic(clinic_db)
    with pytest.raises(InputError, match="empty"):
        therapist.add_comment("   ", patient=handle)
    with pytest.raises(InputError, match="at most 4000"):
        therapist.add_comment("x" * 4001, patient=handle)
    with pytest.raises(InputError, match="'ankle' is not a symptom location"):
        patient.record_symptoms("ankle", worse=True)  # type: ignore[arg-type]
    assert therapist.comments(handle) == []
    assert therapist.symptom_answers(handle) == []


def test_landmarks_are_kept_apart_from_the_record(
    clinic_db: Database, bird_dog_record: SessionRecord
) -> None:
    therapist, patient, _ = clinic(clinic_db)
    ref = patient.save_session(bird_dog_record)
    assert therapist.landmarks(ref.id) is None
    blob = bytes(range(256)) * 40
    patient.save_landmarks(ref.id, blob)
    assert therapist.landmarks(ref.id) == ("application/x-npz", blob)
    with pytest.raises(InputError, match="landmarks"):
        patient.save_landmarks(ref.id, b"")


def test_admin_manages_roles_and_links(clinic_db: Database) -> None:
    operator = clinic_db.operator()
    operator.grant_role("boss@clinic.org", Role.ADMIN)
    admin = clinic_db.store(clinic_db.login("boss@clinic.org"))
    admin.grant_role("t2@clinic.org", Role.THERAPIST)
    admin.grant_role("p2@home.org", Role.PATIENT, name="Pia")
    assert admin.link("t2@clinic.org", "p2@home.org") is True
    assert admin.link("t2@clinic.org", "p2@home.org") is False
    t2 = clinic_db.store(clinic_db.login("t2@clinic.org"))
    assert [p.name for p in t2.my_patients()] == ["Pia"]
    assert admin.unlink("t2@clinic.org", "p2@home.org") is True
    assert t2.my_patients() == []
    by_email = {u.email: u.roles for u in admin.users()}
    assert by_email["p2@home.org"] == (Role.PATIENT,)
    assert by_email["boss@clinic.org"] == (Role.ADMIN,)
    admin.revoke_role("t2@clinic.org", Role.THERAPIST)
    with pytest.raises(AccessDenied, match="ask your clinic"):
        t2.my_patients()


def _save_then_break(db: Database, record: SessionRecord, handle: str) -> None:
    """In one transaction: save a session, then violate the unique e-mail."""
    with db.transaction() as session:
        pat = session.scalars(sa.select(User).where(User.handle == handle)).one()
        add_session(session, record, pat)
        session.add(
            User(email="pat@home.org", handle="dup", name="d", created_utc=utc_now())
        )
        session.flush()


def test_a_failed_write_leaves_nothing_behind(
    clinic_db: Database, bird_dog_record: SessionRecord
) -> None:
    _, patient, handle = clinic(clinic_db)
    with pytest.raises(StoreError, match="conflicts"):
        _save_then_break(clinic_db, bird_dog_record, handle)
    assert patient.list_sessions() == []


def test_an_old_invitation_links_nobody(clinic_db: Database) -> None:
    clinic_db.operator().grant_role("thera@clinic.org", Role.THERAPIST)
    therapist = clinic_db.store(clinic_db.login("thera@clinic.org"))
    therapist.invite("late@home.org")
    with clinic_db.transaction() as session:
        session.execute(
            sa.update(InvitationRow).values(
                created_utc=utc_now() - timedelta(days=INVITATION_VALID_DAYS + 1)
            )
        )
    assert clinic_db.login("late@home.org").roles == frozenset()
    assert therapist.patients() == []
    therapist.invite("late@home.org")  # inviting again renews it
    assert clinic_db.login("late@home.org").roles == frozenset({Role.PATIENT})

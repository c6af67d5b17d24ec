"""The Therapist page on formcheck's database, through Streamlit's AppTest.

Local mode (one user who is patient and therapist) with the SQL store, and
clinic mode with a logged-in therapist (the viewer and the store injected the
way ``ui`` hands them out). No browser and no model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.app_support import ui
from formcheck.clinic import Role, SymptomLocation, VerdictLevel
from formcheck.clinician import texts
from formcheck.clinician.model import Direction
from formcheck.record import SessionRecord, SymptomReport, parse_session
from formcheck.store.sql import Database, DatabaseConfig, SqlStore
from formcheck.store.sql.config import sqlite_url
from tests.conftest import REPO

TIMEOUT = 90


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """Local mode on a fresh SQLite database the app uses too."""
    url = sqlite_url(tmp_path / "home")
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FORMCHECK_SAMPLES", str(tmp_path / "samples"))
    monkeypatch.setenv("FORMCHECK_DATABASE_URL", url.render_as_string())
    database = Database.open(DatabaseConfig(url=url))
    try:
        yield database
    finally:
        database.close()


def local(db: Database) -> SqlStore:
    return db.store(db.local_principal())


def recent(record: SessionRecord, hours_ago: float, **update: object) -> SessionRecord:
    when = datetime.now(UTC) - timedelta(hours=hours_ago)
    return record.model_copy(
        update={"created_utc": when.isoformat(timespec="seconds"), **update}
    )


def open_therapist() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/3_Therapist.py")
    return at.run()


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def texts_of(elements: object) -> list[str]:
    return [e.value for e in elements]  # type: ignore[attr-defined]


def test_patients_are_listed_by_need_of_attention(
    db: Database, bird_dog_record: SessionRecord
) -> None:
    store = local(db)
    store.save_session(recent(bird_dog_record, 2, patient="Calm Carl"), "set1")
    spread = SymptomReport(
        location=SymptomLocation.BELOW_KNEE,
        before=SymptomLocation.BUTTOCK,
        worse=True,
        answered_utc=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    store.save_session(
        recent(bird_dog_record, 1, patient="Ann Spread", symptoms=[spread]), "set1"
    )
    at = open_therapist()
    no_exceptions(at)
    (table,) = [d.value for d in at.dataframe if "needs attention" in d.value.columns]
    assert list(table["patient"])[:2] == ["Ann Spread", "Calm Carl"]
    assert "symptoms spreading down the leg" in table["needs attention"][0]
    assert any("spreading further down the leg" in c for c in texts_of(at.caption))
    assert at.selectbox(key="ther_patient").value == "Ann Spread"


def test_session_replay_sign_off_and_comment_reach_the_patient(
    db: Database, bird_dog_record: SessionRecord
) -> None:
    store = local(db)
    ref = store.save_session(recent(bird_dog_record, 1), "set1")  # the user's own
    at = open_therapist()
    at.selectbox(key="ther_patient").select(None).run()
    at.multiselect(key="ther_sessions").set_value([ref]).run()  # type: ignore[list-item]
    no_exceptions(at)
    assert at.selectbox(key="ther_item").value.label.startswith("Repetition 1 (right)")
    quality = [
        m for m in texts_of(at.markdown) if m.startswith("**Tracking quality:**")
    ]
    assert quality and "visible in 100 %" in quality[0]
    replay = json.loads(at.get("plotly_chart")[-1].proto.spec)  # the replay figure
    assert len(replay["frames"]) > 30
    buttons = [
        b["label"] for m in replay["layout"]["updatemenus"] for b in m["buttons"]
    ]
    assert buttons[:3] == ["▶ real speed", "▶ ¼ speed", "❚❚ pause"]

    at.radio(key="ther_so_verdict").set_value("wrong").run()
    at.selectbox(key="ther_so_fault").select("back_sagging").run()
    at.text_input(key="ther_so_note").input("sagged at the end").run()
    at.button(key="ther_so_save").click().run()
    no_exceptions(at)
    assert "Verdict saved." in texts_of(at.success)
    (off,) = store.sign_offs(ref.id)
    assert (off.level, off.index, off.agree, off.seen_fault, off.note) == (
        VerdictLevel.REP,
        1,
        False,
        "back_sagging",
        "sagged at the end",
    )

    at.text_area(key="ther_comment").input("Slower on the way down, please").run()
    at.button(key="ther_comment_send").click().run()
    no_exceptions(at)
    assert [c.text for c in store.comments()] == ["Slower on the way down, please"]

    home = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()
    no_exceptions(home)
    assert "Slower on the way down, please" in texts_of(home.markdown)


def test_old_session_without_landmarks_says_replay_is_unavailable(
    db: Database, bird_dog_record: SessionRecord
) -> None:
    data = json.loads(recent(bird_dog_record, 1).to_json())
    del data["landmarks"]
    old = parse_session(json.dumps(data), "old")
    ref = local(db).save_session(old, "set1")
    at = open_therapist()
    at.selectbox(key="ther_patient").select(None).run()
    at.multiselect(key="ther_sessions").set_value([ref]).run()  # type: ignore[list-item]
    no_exceptions(at)
    assert texts.NO_LANDMARKS in texts_of(at.info)


def test_rescore_shows_that_nothing_changes_before_saving(
    db: Database, bird_dog_record: SessionRecord
) -> None:
    local(db).save_session(recent(bird_dog_record, 1, patient="Ann"), "set1")
    at = open_therapist()
    at.text_input(key="rx_patient").input("Ann").run()
    at.selectbox(key="rx_exercise").select("bird_dog").run()
    at.checkbox(key="rx_depth_on_bird_dog").check().run()
    at.number_input(key="rx_enter_bird_dog").set_value(65.0).run()  # the spec's own
    at.button(key="rx_rescore").click().run()
    no_exceptions(at)
    assert texts.RESCORE_NONE in texts_of(at.info)
    assert local(db).prescription("Ann", "bird_dog") is None  # nothing saved yet
    at.number_input(key="rx_enter_bird_dog").set_value(95.0).run()
    at.button(key="rx_rescore").click().run()
    assert any(
        "How far a repetition must go (extension) must be between 50° and 80°" in e
        for e in texts_of(at.error)
    )


def test_report_for_a_period_holds_the_therapists_notes(
    db: Database, bird_dog_record: SessionRecord
) -> None:
    store = local(db)
    ref = store.save_session(recent(bird_dog_record, 1, patient="Ann"), "set1")
    store.sign_off(ref.id, VerdictLevel.REP, agree=True, index=2, note="nice & slow")
    store.add_comment("Keep <going>", patient="Ann", session_id=ref.id)
    at = open_therapist()
    at.selectbox(key="ther_patient").select("Ann").run()
    at.button(key="report_build").click().run()
    no_exceptions(at)
    html = at.session_state["report_html"]
    assert "Keep &lt;going&gt;" in html and "nice &amp; slow" in html
    assert "Therapist&#39;s sign-offs" in html or "Therapist's sign-offs" in html
    assert at.session_state["report_pdf"].startswith(b"%PDF-")


# ------------------------------------------------------------------ clinic
@pytest.fixture
def clinic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bird_dog_record: SessionRecord
) -> Iterator[tuple[SqlStore, SqlStore, str]]:
    """A clinic: Dr A is logged in; Pat (linked) saved a session; Bob is not hers."""
    url = sqlite_url(tmp_path / "clinic")
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    database = Database.open(DatabaseConfig(url=url))
    database.operator().grant_role("ta@clinic.org", Role.THERAPIST)
    database.operator().grant_role("tb@clinic.org", Role.THERAPIST)
    dr_a = database.store(database.login("ta@clinic.org", "Dr A"))
    dr_b = database.store(database.login("tb@clinic.org", "Dr B"))
    dr_a.invite("pat@home.org")
    dr_b.invite("bob@home.org")
    pat = database.store(database.login("pat@home.org", "Pat"))
    bob = database.store(database.login("bob@home.org", "Bob"))
    pat.save_session(recent(bird_dog_record, 3), "set1")
    bob.save_session(recent(bird_dog_record, 3), "set1")
    viewer = ui.Viewer(
        clinic=True, name="Dr A", patient=None, is_patient=False, is_therapist=True
    )
    monkeypatch.setattr(ui, "viewer", lambda: viewer)
    monkeypatch.setattr(ui, "store", lambda settings: dr_a)
    (handle,) = dr_a.patients()
    try:
        yield dr_a, pat, handle
    finally:
        database.close()


def test_clinic_therapist_sees_only_linked_patients_and_invites(
    clinic: tuple[SqlStore, SqlStore, str],
) -> None:
    dr_a, _, _ = clinic
    at = open_therapist()
    no_exceptions(at)
    assert at.selectbox(key="ther_patient").options == ["Pat <pat@home.org>"]
    assert len(at.multiselect(key="ther_sessions").options) == 1
    assert not at.get("file_uploader") or all(
        u.key != "ther_upload" for u in at.get("file_uploader")
    )
    at.text_input(key="ther_invite_email").input("new@home.org").run()
    at.button(key="ther_invite_send").click().run()
    no_exceptions(at)
    assert {i.email for i in dr_a.invitations()} == {"pat@home.org", "new@home.org"}


def test_clinic_prescription_reaches_the_patient(
    clinic: tuple[SqlStore, SqlStore, str],
) -> None:
    _, pat, handle = clinic
    at = open_therapist()
    at.selectbox(key="rx_exercise").select("bird_dog").run()
    at.number_input(key="rx_reps_bird_dog").set_value(6).run()
    at.number_input(key="rx_days_bird_dog").set_value(3).run()
    at.button(key="rx_save").click().run()
    no_exceptions(at)
    mine = pat.prescription(handle, "bird_dog")
    assert mine is not None and (mine.reps, mine.days_per_week) == (6, 3)


def test_a_patient_is_not_shown_the_therapist_page(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = ui.Viewer(
        clinic=True, name="Pat", patient="pat", is_patient=True, is_therapist=False
    )
    monkeypatch.setattr(ui, "viewer", lambda: viewer)
    at = open_therapist()
    no_exceptions(at)
    assert texts_of(at.info) == ["This page is for therapists."]
    assert not at.get("tab")


def test_symptoms_tab_suggests_a_direction_preference(
    db: Database, bird_dog_record: SessionRecord
) -> None:
    store = local(db)
    moves = [
        ("mckenzie_press_up", SymptomLocation.THIGH, SymptomLocation.BUTTOCK),
        ("mckenzie_press_up", SymptomLocation.BUTTOCK, SymptomLocation.LOWER_BACK),
        ("knee_to_chest_double", SymptomLocation.THIGH, SymptomLocation.BELOW_KNEE),
        ("knee_to_chest_double", SymptomLocation.BELOW_KNEE, SymptomLocation.FOOT),
    ]
    for hours, (exercise, before, after) in enumerate(moves, 1):
        answer = SymptomReport(
            location=after,
            before=before,
            worse=after.rank > before.rank,
            answered_utc=(datetime.now(UTC) - timedelta(hours=hours)).isoformat(),
        )
        info = bird_dog_record.exercise.model_copy(update={"id": exercise})
        store.save_session(
            recent(
                bird_dog_record, hours, exercise=info, patient="Ann", symptoms=[answer]
            ),
            "set1",
        )
    at = open_therapist()
    at.selectbox(key="ther_patient").select("Ann").run()
    no_exceptions(at)
    shown = texts_of(at.markdown)
    assert texts.preference_text(Direction.EXTENSION) in shown
    (tendency,) = [d.value for d in at.dataframe if "tendency" in d.value.columns]
    assert dict(zip(tendency["exercise"], tendency["tendency"], strict=True)) == {
        "McKenzie press-up": "tends to centralise symptoms",
        "Double knee-to-chest stretch": "tends to peripheralise symptoms",
    }


def test_agreement_tables_and_their_csv(
    db: Database, bird_dog_record: SessionRecord
) -> None:
    store = local(db)
    ref = store.save_session(recent(bird_dog_record, 1, patient="Ann"), "set1")
    store.sign_off(ref.id, VerdictLevel.REP, agree=True, index=1)
    store.sign_off(
        ref.id, VerdictLevel.REP, agree=False, index=2, seen_fault="leg_too_high"
    )
    at = open_therapist()
    at.button(key="ther_agree_go").click().run()
    no_exceptions(at)
    (per_exercise,) = [d.value for d in at.dataframe if "signed off" in d.value.columns]
    assert list(per_exercise["agreed"]) == [1] and list(per_exercise["signed off"]) == [
        2
    ]
    (per_rule,) = [d.value for d in at.dataframe if "kappa" in d.value.columns]
    high = per_rule[per_rule["rule"] == "leg_too_high"].iloc[0]
    assert (high["therapist only"], high["neither"]) == (1, 1)
    (csv_button,) = [b for b in at.get("download_button") if "agreement" in b.label]
    assert csv_button.label == "Download the agreement tables (CSV)"

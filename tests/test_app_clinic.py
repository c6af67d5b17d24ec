"""Clinic mode in the app, through ``streamlit.testing.v1.AppTest``.

The database is real (SQLite, and PostgreSQL for the tests marked
``postgres``); only the identity provider is stood in for: AppTest has no
browser to log in with, so ``ui._user_claims`` (what ``st.user`` holds after
``st.login``) is replaced by the claims of the person the test logs in as.
The real login with a real OpenID Connect provider is
``tests/test_clinic_browser.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL
from streamlit.testing.v1 import AppTest

from formcheck.app_support import ui
from formcheck.app_support.ui import ESTIMATOR_HOOK
from formcheck.clinic import Role
from formcheck.pose import ReplayPoseEstimator
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord
from formcheck.store.sql import Database, DatabaseConfig, Mode
from formcheck.types import PoseSequence
from formcheck.video import VideoWriter
from tests.conftest import DATA, REPO

pytestmark = pytest.mark.security

TIMEOUT = 60
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret-but-long-enough",
    "client_id": "formcheck",
    "client_secret": "client-secret",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
THERAPIST = "anna@clinic.example"
PATIENT = "pat@home.example"
ADMIN = "office@clinic.example"
STRANGER = "nobody@else.example"


class Clinic:
    """A clinic database: a therapist, her invited patient, an administrator."""

    def __init__(self, db: Database, record: SessionRecord) -> None:
        self.db = db
        operator = db.operator()
        operator.grant_role(THERAPIST, Role.THERAPIST, "Anna Physio")
        operator.grant_role(ADMIN, Role.ADMIN, "The Office")
        self.therapist = db.store(db.login(THERAPIST, "Anna Physio"))
        self.therapist.invite(PATIENT)
        self.patient = db.store(db.login(PATIENT, "Pat Smith"))
        (self.handle,) = self.therapist.patients()
        self.record = record


@pytest.fixture
def clinic(
    database_url: URL,
    bird_dog_record: SessionRecord,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Clinic]:
    """The app in clinic mode on a fresh database (each backend)."""
    monkeypatch.setenv("FORMCHECK_MODE", "clinic")
    monkeypatch.setenv(
        "FORMCHECK_DATABASE_URL", database_url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FORMCHECK_SAMPLES", str(tmp_path / "samples"))
    db = Database.open(DatabaseConfig(url=database_url, mode=Mode.CLINIC))
    try:
        yield Clinic(db, bird_dog_record)
    finally:
        ui._open_database.clear()  # closes the app's connections
        db.close()


def log_in(monkeypatch: pytest.MonkeyPatch, claims: dict[str, Any] | None) -> None:
    """Make ``st.user`` say that this person logged in (``None``: nobody)."""
    value = (
        {"is_logged_in": False} if claims is None else {"is_logged_in": True, **claims}
    )
    monkeypatch.setattr(ui, "_user_claims", lambda: dict(value))


def as_user(monkeypatch: pytest.MonkeyPatch, email: str, name: str = "") -> None:
    log_in(monkeypatch, {"email": email, "email_verified": True, "name": name})


def open_page(
    page: str, *, auth: bool = True, estimator: object | None = None
) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    if estimator is not None:
        at.session_state[ESTIMATOR_HOOK] = estimator
    if auth:
        at.secrets["auth"] = AUTH
    if page != "app.py":
        at.switch_page(page)
    return at.run()


def shown(text: str) -> str:
    """Text as the browser shows it (Markdown escapes and word joiners gone)."""
    return text.replace("\u2060", "").replace("\\", "")


def texts(elements: object) -> list[str]:
    return [shown(e.value) for e in elements]  # type: ignore[attr-defined]


def all_text(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "markdown", "caption", "error", "warning", "info", "success"):
        parts += texts(getattr(at, kind))
        parts += texts(getattr(at.sidebar, kind))
    return "\n".join(parts)


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def analysed_review(tmp_path: Path) -> AppTest:
    """The Review page after analysing a tiny upload (replayed landmarks)."""
    at = uploaded_review(tmp_path)
    at.button(key="review_go").click().run()
    no_exceptions(at)
    return at


def uploaded_review(tmp_path: Path) -> AppTest:
    """The Review page with a tiny bird-dog upload chosen, not yet analysed."""
    import numpy as np

    video = tmp_path / "tiny.mp4"
    with VideoWriter(video, fps=10) as writer:
        for i in range(20):
            writer.write(np.full((96, 128, 3), 10 * i, np.uint8), i * 100.0)
    poses = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    at = open_page("pages/2_Review.py", estimator=lambda: ReplayPoseEstimator(poses))
    no_exceptions(at)
    at.selectbox(key="review_exercise").select("bird_dog").run()
    at.file_uploader(key="review_upload").set_value(
        ("tiny.mp4", video.read_bytes(), "video/mp4")
    )
    at.run()
    no_exceptions(at)
    return at


PAGES = [
    "app.py",
    "pages/1_Live.py",
    "pages/2_Review.py",
    "pages/3_Therapist.py",
    "pages/4_Exercises.py",
    "pages/5_Admin.py",
]


# --------------------------------------------------------------- logged out
@pytest.mark.parametrize("page", PAGES)
def test_every_page_asks_a_logged_out_visitor_to_log_in(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    log_in(monkeypatch, None)
    at = open_page(page)
    no_exceptions(at)
    assert [t.value for t in at.title] == ["Log in to formcheck"]
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.sidebar.markdown and not at.sidebar.button
    assert "Red flags" not in all_text(at)  # nothing of the page itself


def test_clinic_mode_without_a_login_setup_says_what_is_missing(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(monkeypatch, PATIENT)
    at = open_page("app.py", auth=False)
    no_exceptions(at)
    (error,) = texts(at.error)
    assert "login is not set up" in error
    assert "no [auth] section in .streamlit/secrets.toml" in error
    assert not at.title


# ------------------------------------------------------------- without role
@pytest.mark.parametrize("page", ["app.py", "pages/1_Live.py", "pages/4_Exercises.py"])
def test_someone_without_a_role_is_asked_to_get_an_invitation_and_sees_nothing_else(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    as_user(monkeypatch, STRANGER, "Some One")
    at = open_page(page)
    no_exceptions(at)
    (warning,) = texts(at.warning)
    assert STRANGER in warning and "ask your clinic for an invitation" in warning
    assert [b.label for b in at.button] == ["Log out"]
    assert not at.sidebar.markdown and not at.dataframe and not at.metric
    assert STRANGER not in {u.email for u in clinic.db.operator().users()}


def test_an_unverified_email_is_refused(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(monkeypatch, {"email": PATIENT, "email_verified": False})
    at = open_page("app.py")
    no_exceptions(at)
    (warning,) = texts(at.warning)
    assert "not verified" in warning and PATIENT in warning
    assert not at.dataframe


def test_a_login_without_an_email_is_refused(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(monkeypatch, {"sub": "1234", "name": "No Mail"})
    at = open_page("app.py")
    no_exceptions(at)
    (warning,) = texts(at.warning)
    assert "did not tell formcheck your e-mail address" in warning


def test_an_invited_patient_is_linked_at_their_first_login(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic.therapist.invite("new@home.example")
    as_user(monkeypatch, "new@home.example", "New Patient")
    at = open_page("app.py")
    no_exceptions(at)
    assert "Hello, New Patient." in all_text(at)
    names = {p.name for p in clinic.therapist.my_patients()}
    assert names == {"Pat Smith", "New Patient"}


# ------------------------------------------------------------------ patient
def test_patient_home_shows_the_therapists_comments_and_their_progress(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in ("2026-01-01", "2026-01-08"):
        clinic.patient.save_session(
            clinic.record.model_copy(update={"created_utc": f"{day}T10:00:00+00:00"})
        )
    clinic.therapist.add_comment(
        "Lovely work — keep the **hips** level", patient=clinic.handle
    )
    as_user(monkeypatch, PATIENT, "Pat Smith")
    at = open_page("app.py")
    no_exceptions(at)
    text = all_text(at)
    assert "Hello, Pat Smith." in text
    # The comment is shown as plain text, with who wrote it.
    assert any("keep the \\*\\*hips\\*\\* level" in m.value for m in at.markdown)
    assert any(c.startswith("Anna Physio · ") for c in texts(at.caption))
    progress = at.dataframe[0].value
    assert list(progress["exercise"]) == ["Bird dog"]
    assert list(progress["sessions"]) == [2]
    assert list(progress["first"]) == ["2026-01-01"]
    assert list(progress["latest"]) == ["2026-01-08"]
    assert list(progress["reps last time"]) == [clinic.record.summary.reps]
    # Pages for patients only; the therapist's page is not offered.
    links = [p.label for p in at.sidebar.get("page_link")]
    assert links == ["Home", "Live exercise", "Review a video", "Exercise library"]
    assert f"Logged in as Pat Smith ({PATIENT}) · patient" in all_text(at)


@pytest.mark.parametrize(
    ("page", "who"),
    [
        ("pages/3_Therapist.py", "therapists"),
        ("pages/5_Admin.py", "clinic administrators"),
    ],
)
def test_a_patient_cannot_open_the_therapist_or_accounts_page(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, page: str, who: str
) -> None:
    other = clinic.therapist.save_session(
        clinic.record.model_copy(update={"patient": clinic.handle})
    )
    as_user(monkeypatch, PATIENT, "Pat Smith")
    at = open_page(page)
    no_exceptions(at)
    (warning,) = texts(at.warning)
    assert f"This page is for {who}" in warning and "(patient)" in warning
    assert not at.dataframe and not at.tabs
    assert other.id not in all_text(at)


def test_the_live_page_opens_for_a_patient_with_their_prescription(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic.therapist.save_prescription(
        Prescription(patient=clinic.handle, exercise="glute_bridge", reps=7, sets=2)
    )
    as_user(monkeypatch, PATIENT, "Pat Smith")
    at = open_page("pages/1_Live.py")
    no_exceptions(at)
    assert at.title[0].value == "Live exercise check"
    # A clinic patient exercises what was prescribed: nothing else to pick.
    keys = {w.key for w in [*at.selectbox, *at.radio]}
    assert not keys & {"live_exercise", "live_routine", "live_patient", "live_mode"}
    plan = at.session_state["live_processor"][1].plan
    assert [(s.spec.id, s.step.target) for s in plan.steps] == [
        ("glute_bridge", "7 reps × 2 sets")
    ]
    assert plan.patient == clinic.handle


def queued(clinic: Clinic) -> bool:
    """On PostgreSQL the Review page queues videos for the workers."""
    return clinic.db.engine.dialect.name == "postgresql"


def run_the_queue(clinic: Clinic) -> None:
    """Be the clinic's worker: run every queued job (recorded landmarks)."""
    from formcheck.queue.jobs import AnalysisJobs
    from formcheck.queue.worker import WorkerSettings, run_job

    poses = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    settings = WorkerSettings(
        jobs=1, estimator_factory=lambda: ReplayPoseEstimator(poses)
    )
    jobs = AnalysisJobs(clinic.db)
    viewer = clinic.db.login(THERAPIST, "Anna Physio")
    for job in jobs.jobs(viewer):
        assert run_job(jobs, job.id, settings) is not None


def test_review_saves_to_the_logged_in_patients_sessions(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    as_user(monkeypatch, PATIENT, "Pat Smith")
    at = analysed_review(tmp_path)
    if queued(clinic):
        from formcheck.app_support.review_queue import queued_text

        assert not at.button(key="review_go").disabled  # a patient is never blocked
        assert queued_text() in texts(at.success)
        assert clinic.patient.list_sessions() == []  # not analysed by the app
        run_the_queue(clinic)
    else:
        at.button(key="review_save").click().run()
        no_exceptions(at)
        assert "Saved to your sessions: your therapist can see it." in texts(at.success)
    (ref,) = clinic.therapist.list_sessions()
    assert ref.patient == clinic.handle
    assert clinic.patient.list_sessions() == [ref]


def test_a_therapist_saves_a_review_for_one_of_their_patients(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    as_user(monkeypatch, THERAPIST, "Anna Physio")
    if queued(clinic):
        # Whose sessions the result goes to is chosen before queueing.
        at = uploaded_review(tmp_path)
        assert at.button(key="review_go").disabled
        patient = at.selectbox(key="review_queue_patient")
        assert patient.options == ["Pat Smith"]
        patient.select(clinic.handle).run()
        assert not at.button(key="review_go").disabled
        at.button(key="review_go").click().run()
        no_exceptions(at)
        assert "saved to Pat Smith's sessions." in " ".join(texts(at.success))
        run_the_queue(clinic)
    else:
        at = analysed_review(tmp_path)
        assert at.button(key="review_save").disabled  # whose sessions? not chosen yet
        patient = at.selectbox(key="review_save_patient")
        assert patient.options == ["Pat Smith"]
        patient.select(clinic.handle).run()
        at.button(key="review_save").click().run()
        no_exceptions(at)
        assert "Saved to Pat Smith's sessions." in texts(at.success)
    (ref,) = clinic.patient.list_sessions()
    assert ref.patient == clinic.handle


# ---------------------------------------------------------------- therapist
def test_therapist_home_lists_their_patients_and_pending_invitations(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic.therapist.invite("later@home.example")
    as_user(monkeypatch, THERAPIST, "Anna Physio")
    at = open_page("app.py")
    no_exceptions(at)
    patients = at.dataframe[0].value
    assert list(patients["name"]) == ["Pat Smith"]
    assert any("1 invitation(s) not accepted yet" in c for c in texts(at.caption))
    links = [p.label for p in at.sidebar.get("page_link")]
    assert links == ["Home", "Review a video", "Therapist", "Exercise library"]


def test_the_live_page_is_for_patients(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(monkeypatch, THERAPIST, "Anna Physio")
    at = open_page("pages/1_Live.py")
    no_exceptions(at)
    (warning,) = texts(at.warning)
    assert "This page is for patients" in warning
    assert "live_processor" not in at.session_state


def test_a_role_taken_away_counts_at_the_next_page_run(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(monkeypatch, THERAPIST, "Anna Physio")
    at = open_page("pages/3_Therapist.py")
    assert at.title[0].value == "Therapist"
    clinic.db.operator().revoke_role(THERAPIST, Role.THERAPIST)
    at.run()
    no_exceptions(at)
    assert any("ask your clinic for an invitation" in w for w in texts(at.warning))
    assert not at.tabs
    assert "formcheck_principal" not in at.session_state  # nobody left behind


# -------------------------------------------------------------------- admin
def test_admin_adds_a_therapist_and_links_a_patient_from_the_app(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(monkeypatch, ADMIN, "The Office")
    at = open_page("pages/5_Admin.py")
    no_exceptions(at)
    users = at.dataframe[0].value
    assert set(users["e-mail"]) == {THERAPIST, PATIENT, ADMIN}
    at.text_input(key="admin_email").input("Ben.Physio@Clinic.Example")
    at.text_input(key="admin_name").input("Ben Physio")
    at.selectbox(key="admin_role").select(Role.THERAPIST)
    at.button[0].click().run()  # "Give the role"
    no_exceptions(at)
    assert "ben.physio@clinic.example: therapist" in texts(at.success)
    at.selectbox(key="admin_link_therapist").select("ben.physio@clinic.example")
    at.selectbox(key="admin_link_patient").select(PATIENT)
    link = next(b for b in at.button if b.label == "Link")
    link.click().run()
    no_exceptions(at)
    assert any("linked" in s for s in texts(at.success))
    ben = clinic.db.store(clinic.db.login("ben.physio@clinic.example"))
    assert [p.name for p in ben.my_patients()] == ["Pat Smith"]
    # The administrator sees no clinical data: no session, no prescription.
    assert "Sessions" not in [t.label for t in at.tabs]


def test_admin_page_reports_an_unknown_email_in_one_line(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(monkeypatch, ADMIN, "The Office")
    at = open_page("pages/5_Admin.py")
    at.text_input(key="admin_email").input("ghost@clinic.example")
    at.selectbox(key="admin_role").select(Role.THERAPIST)
    at.button[1].click().run()  # "Take the role away"
    no_exceptions(at)
    assert texts(at.error) == ["ghost@clinic.example: no user has this e-mail address"]
    at.text_input(key="admin_email").input("not an address")
    at.button[0].click().run()
    no_exceptions(at)
    assert any("is not an e-mail address" in e for e in texts(at.error))
    assert "ghost@clinic.example" not in {u.email for u in clinic.db.operator().users()}


def test_admin_without_therapist_role_gets_no_clinical_page(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(monkeypatch, ADMIN, "The Office")
    at = open_page("app.py")
    links = [p.label for p in at.sidebar.get("page_link")]
    assert links == ["Home", "Exercise library", "Accounts"]
    for page in ("pages/3_Therapist.py", "pages/2_Review.py", "pages/1_Live.py"):
        at = open_page(page)
        no_exceptions(at)
        assert any("This page is for" in w for w in texts(at.warning))


def test_forged_session_ids_in_the_url_change_nothing(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = clinic.patient.save_session(clinic.record)
    clinic.db.operator().grant_role(STRANGER, Role.PATIENT, "Other Patient")
    as_user(monkeypatch, STRANGER, "Other Patient")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.query_params["session"] = other.id
    at.query_params["patient"] = clinic.handle
    at.run()
    no_exceptions(at)
    assert "No sessions yet" in all_text(at)
    assert other.id not in all_text(at)

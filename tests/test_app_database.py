"""The app's database: bad settings, a database that is down, a failed
migration, and the first start next to an old data folder.

Every problem must end as one clear message on the page (no traceback) and
leave nothing half-written behind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.app_support import ui
from formcheck.app_support.app_database import import_old_folder, open_app_database
from formcheck.app_support.clinic_mode import (
    DATABASE_DOWN,
    Identity,
    identity_from_claims,
    login_setup,
    page_message,
)
from formcheck.errors import (
    DatabaseConfigError,
    DatabaseUnavailable,
    InputError,
    MigrationError,
)
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord
from formcheck.store import FolderStore
from formcheck.store.sql import Database, load_database_config
from formcheck.store.sql.config import SQLITE_FILE
from tests.conftest import REPO
from tests.db_support import table_names

TIMEOUT = 60


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh FORMCHECK_HOME in local mode; the app's databases closed after."""
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FORMCHECK_SAMPLES", str(tmp_path / "samples"))
    for name in ("FORMCHECK_MODE", "FORMCHECK_DATABASE_URL", "FORMCHECK_ICE_SERVERS"):
        monkeypatch.delenv(name, raising=False)
    yield tmp_path / "home"
    ui._open_database.clear()


def open_page(page: str = "app.py") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    if page != "app.py":
        at.switch_page(page)
    return at.run()


def shown(values: object) -> list[str]:
    return [e.value.replace("\u2060", "").replace("\\", "") for e in values]  # type: ignore[attr-defined]


def the_only_error(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    errors = shown(at.error)
    assert len(errors) == 1, errors
    assert not at.title  # nothing of the page itself
    return errors[0]


def closed_port() -> int:
    from devtools.browser import free_port

    return free_port()


# ------------------------------------------------------- malformed settings
@pytest.mark.parametrize("mode", ["local", "clinic"])
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://db.internal/formcheck", "'mysql' databases are not supported"),
        ("not a url at all", "not a database URL"),
        ("postgresql://formcheck:pw@db.internal", "names no database"),
    ],
)
def test_a_malformed_database_url_is_one_message_on_the_page(
    home: Path, monkeypatch: pytest.MonkeyPatch, mode: str, url: str, expected: str
) -> None:
    monkeypatch.setenv("FORMCHECK_MODE", mode)
    monkeypatch.setenv("FORMCHECK_DATABASE_URL", url)
    error = the_only_error(open_page())
    assert error.startswith("FORMCHECK_DATABASE_URL: ")
    assert expected in error
    assert ":pw@" not in error  # never a password


def test_an_unknown_mode_is_one_message_on_the_page(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMCHECK_MODE", "hospital")
    error = the_only_error(open_page("pages/4_Exercises.py"))
    assert error == "FORMCHECK_MODE: 'hospital' is not a mode; use 'local' or 'clinic'"


# --------------------------------------------------------- database is down
def test_a_database_that_is_down_is_named_locally(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port()
    monkeypatch.setenv(
        "FORMCHECK_DATABASE_URL", f"postgresql://fc:secret@127.0.0.1:{port}/formcheck"
    )
    error = the_only_error(open_page())
    assert error.startswith(f"postgresql+psycopg://fc:***@127.0.0.1:{port}/formcheck: ")
    assert "cannot reach the database" in error
    assert "secret" not in error


def test_a_database_that_is_down_is_said_plainly_in_clinic_mode(
    home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    monkeypatch.setenv("FORMCHECK_MODE", "clinic")
    monkeypatch.setenv(
        "FORMCHECK_DATABASE_URL",
        f"postgresql://fc:secret@127.0.0.1:{port}/formcheck",
    )
    error = the_only_error(open_page("pages/1_Live.py"))
    # Anyone may see this page: the server's address goes to the log only.
    assert error == DATABASE_DOWN
    assert any("cannot reach the database" in r.getMessage() for r in caplog.records)


# -------------------------------------------------------- failed migrations
def test_a_failed_migration_is_one_message_and_changes_nothing(
    home: Path,
) -> None:
    home.mkdir(parents=True)
    with sqlite3.connect(home / SQLITE_FILE) as con:  # a table in the way
        con.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, note TEXT)")
    error = the_only_error(open_page())
    assert "the database upgrade from revision none to" in error
    assert "failed" in error and error.endswith("nothing was changed")
    assert table_names(load_database_config().url) == {"users"}  # nothing half-made


def test_a_database_newer_than_this_formcheck_is_refused(home: Path) -> None:
    home.mkdir(parents=True)
    with sqlite3.connect(home / SQLITE_FILE) as con:
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        con.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    error = the_only_error(open_page("pages/2_Review.py"))
    assert "newer than this formcheck knows; upgrade formcheck" in error


# ----------------------------------------------------- first start, old data
def old_folder(home: Path, record: SessionRecord) -> FolderStore:
    folder = FolderStore(home)
    folder.save_session(record, "set1")
    folder.save_session(record.model_copy(update={"patient": "Jane Doe"}), "set1")
    folder.save_prescription(Prescription(patient="Jane Doe", exercise="bird_dog"))
    return folder


def test_first_start_copies_an_old_data_folder_into_the_database(
    home: Path, bird_dog_record: SessionRecord
) -> None:
    old_folder(home, bird_dog_record)
    at = open_page()
    assert not at.exception
    (notice,) = shown(at.info)
    assert notice.startswith(
        f"Your earlier data in {home} was copied into the database"
    )
    assert "2 session(s) and 1 prescription(s)" in notice
    db = Database.open(load_database_config())
    try:
        store = db.store(db.local_principal())
        assert len(store.list_sessions()) == 2
        assert store.prescription("Jane Doe", "bird_dog") is not None
    finally:
        db.close()
    assert (home / "sessions").is_dir()  # left as it is
    again = open_page()  # said once
    assert not shown(again.info)


def test_first_start_names_the_files_it_could_not_read(
    home: Path, bird_dog_record: SessionRecord
) -> None:
    old_folder(home, bird_dog_record)
    bad = home / "sessions" / "20260101-000000_me_bird_dog.session.json"
    bad.write_text('{"format": "formcheck-session"', encoding="utf-8")
    db = Database.open(load_database_config())
    try:
        notice = import_old_folder(db, home)
        assert notice is not None
        assert "2 session(s) and 1 prescription(s)" in notice
        assert "1 file(s) could not be read and were left out" in notice
        assert str(bad) in notice
        assert f"formcheck import {home}" in notice
        # The database holds data now: a second start imports nothing.
        assert import_old_folder(db, home) is None
        store = db.store(db.local_principal())
        assert len(store.list_sessions()) == 2
    finally:
        db.close()


def test_no_old_folder_no_notice(home: Path) -> None:
    app_db = open_app_database(load_database_config(), home)
    try:
        assert app_db.take_notice() is None
        assert not app_db.clinic and app_db.local_principal is not None
    finally:
        app_db.database.close()


# --------------------------------------------------------------- pure parts
@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({}, None),
        ({"is_logged_in": False, "email": "a@b.org"}, None),
        ({"email": "a@b.org"}, None),  # AppTest's user: not logged in
        (
            {"is_logged_in": True, "email": " Ann@Clinic.ORG ", "name": " Ann "},
            Identity("ann@clinic.org", "Ann"),
        ),
        (
            {"is_logged_in": True, "email": "a@b.org", "email_verified": True},
            Identity("a@b.org", ""),
        ),
    ],
)
def test_identity_from_claims(claims: dict[str, object], expected: Identity) -> None:
    assert identity_from_claims(claims) == expected


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"is_logged_in": True}, "did not tell formcheck your e-mail address"),
        ({"is_logged_in": True, "email": "not-an-address"}, "did not tell"),
        (
            {"is_logged_in": True, "email": "a@b.org", "email_verified": False},
            "a@b.org is not verified",
        ),
    ],
)
def test_identity_from_claims_refuses(claims: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        identity_from_claims(claims)


AUTH = {
    "redirect_uri": "https://formcheck.clinic.example/oauth2callback",
    "cookie_secret": "x" * 32,
}
PROVIDER = {
    "client_id": "formcheck",
    "client_secret": "s",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


def test_login_setup_names_the_providers() -> None:
    setup = login_setup({"auth": {**AUTH, **PROVIDER}})
    assert setup.providers == (None,)
    assert setup.label(None) == "Log in"
    named = login_setup({"auth": {**AUTH, "microsoft": PROVIDER, "google": PROVIDER}})
    assert named.providers == ("google", "microsoft")
    assert named.label("microsoft") == "Log in with Microsoft"


@pytest.mark.parametrize(
    ("secrets", "problem"),
    [
        (None, "no [auth] section"),
        ({"auth": {**PROVIDER}}, "[auth] needs redirect_uri, cookie_secret"),
        ({"auth": {**AUTH}}, "[auth] names no identity provider"),
        (
            {"auth": {**AUTH, "okta": {"client_id": "x"}}},
            "[auth.okta] needs client_secret, server_metadata_url",
        ),
    ],
)
def test_login_setup_says_what_is_missing(
    secrets: dict[str, object] | None, problem: str
) -> None:
    with pytest.raises(DatabaseConfigError) as caught:
        login_setup(secrets)
    assert problem in str(caught.value)
    assert "docs/deploy.md" in str(caught.value)


def test_page_message_keeps_server_details_off_clinic_pages() -> None:
    down = DatabaseUnavailable(
        "postgresql+psycopg://fc:***@db.internal/formcheck: cannot reach the database"
    )
    assert page_message(down, clinic=False) == str(down)
    assert page_message(down, clinic=True) == DATABASE_DOWN
    failed = MigrationError("postgresql+psycopg://fc:***@db.internal/x: upgrade failed")
    assert "db.internal" not in page_message(failed, clinic=True)
    config = DatabaseConfigError("FORMCHECK_MODE: 'x' is not a mode")
    assert page_message(config, clinic=True) == str(config)


# ------------------------------------------------------- who am I (the store)
@pytest.mark.security
def test_me_is_the_callers_own_account_and_nothing_more(clinic_db: Database) -> None:
    from formcheck.clinic import Principal, Role
    from formcheck.errors import NotLoggedIn

    clinic_db.operator().grant_role("ann@clinic.org", Role.THERAPIST, "Ann")
    ann = clinic_db.store(clinic_db.login("ann@clinic.org"))
    ann.invite("pat@home.org")
    pat = clinic_db.store(clinic_db.login("pat@home.org", "Pat"))
    mine = pat.me()
    assert mine is not None
    assert (mine.email, mine.name, mine.handle, mine.roles) == (
        "pat@home.org",
        "Pat",
        "pat",
        (Role.PATIENT,),
    )
    stranger = clinic_db.store(clinic_db.login("who@else.org"))
    assert stranger.me() is None  # no account: nothing stored about them
    forged = clinic_db.store(Principal(email="ann@clinic.org", name="x"))
    forged_me = forged.me()  # roles come from the database, not the principal
    assert forged_me is not None and forged_me.roles == (Role.THERAPIST,)
    with pytest.raises(NotLoggedIn):
        clinic_db.store(None).me()

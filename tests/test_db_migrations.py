"""Migrations and database configuration: upgrade, drift, and one-line errors."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import URL

from formcheck.errors import (
    DatabaseConfigError,
    DatabaseUnavailable,
    MigrationError,
    OutputError,
)
from formcheck.store.sql import Database, DatabaseConfig, Mode, load_database_config
from formcheck.store.sql.config import parse_database_url
from formcheck.store.sql.migrate import head_revision
from formcheck.store.sql.models import Base
from tests.db_support import table_names

APP_TABLES = {
    "users",
    "user_roles",
    "care_links",
    "invitations",
    "prescriptions",
    "sessions",
    "session_landmarks",
    "comments",
    "symptom_answers",
    "sign_offs",
    "analysis_jobs",
    "analysis_uploads",
}


def test_upgrade_from_empty_to_head_matches_the_models(
    empty_database_url: URL,
) -> None:
    db = Database(Database.open(DatabaseConfig(url=empty_database_url)).engine)
    try:
        assert db.revision() == head_revision()
        assert table_names(empty_database_url) == APP_TABLES | {"alembic_version"}
        with db.engine.connect() as connection:
            drift = compare_metadata(
                MigrationContext.configure(connection), Base.metadata
            )
        assert drift == [], "models changed without a migration"
        assert db.upgrade().changed is False  # upgrading again does nothing
    finally:
        db.close()


def test_failed_migration_changes_nothing(empty_database_url: URL) -> None:
    engine = sa.create_engine(empty_database_url)
    with engine.begin() as connection:  # a foreign table in the way
        connection.execute(sa.text("CREATE TABLE sign_offs (x INTEGER)"))
    engine.dispose()
    with pytest.raises(
        MigrationError, match=f"upgrade from revision none to {head_revision()} failed"
    ) as info:
        Database.open(DatabaseConfig(url=empty_database_url))
    assert "nothing was changed" in str(info.value)
    assert "\n" not in str(info.value)
    assert table_names(empty_database_url) == {"sign_offs"}


def test_database_newer_than_formcheck_is_refused(database_url: URL) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE alembic_version SET version_num = 'ffff9999'")
        )
    engine.dispose()
    for upgrade in (True, False):
        with pytest.raises(MigrationError, match="newer than this formcheck knows"):
            Database.open(DatabaseConfig(url=database_url), upgrade=upgrade)


def test_old_schema_without_upgrade_says_what_to_run(empty_database_url: URL) -> None:
    with pytest.raises(MigrationError, match="run `formcheck db upgrade`"):
        Database.open(DatabaseConfig(url=empty_database_url), upgrade=False)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_database_that_is_down_gives_one_clear_line() -> None:
    url = parse_database_url(
        f"postgresql://clinic:S3cret@127.0.0.1:{_closed_port()}/formcheck", "test"
    )
    with pytest.raises(DatabaseUnavailable, match="cannot reach the database") as info:
        Database.open(DatabaseConfig(url=url))
    message = str(info.value)
    assert "S3cret" not in message and "***" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not a url", "not a database URL"),
        ("mysql://u@h/db", "'mysql' databases are not supported"),
        ("postgresql://u:pw@h", "names no database"),
    ],
)
def test_malformed_database_url_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(DatabaseConfigError, match=fragment) as info:
        load_database_config({"FORMCHECK_DATABASE_URL": text})
    assert str(info.value).startswith("FORMCHECK_DATABASE_URL: ")
    assert "pw" not in str(info.value)


def test_config_defaults_env_and_secrets(tmp_path: Path) -> None:
    default = load_database_config({"FORMCHECK_HOME": str(tmp_path)})
    assert default.mode is Mode.LOCAL and default.is_sqlite
    assert default.url.database == str(tmp_path.resolve() / "formcheck.db")
    secrets = {"formcheck": {"mode": "clinic", "database_url": "postgres://u:pw@db/fc"}}
    from_file = load_database_config({}, secrets)
    assert from_file.mode is Mode.CLINIC
    assert from_file.url.drivername == "postgresql+psycopg"
    assert from_file.display() == "postgresql+psycopg://u:***@db/fc"
    env = {
        "FORMCHECK_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "FORMCHECK_MODE": "local",
    }
    assert load_database_config(env, secrets).mode is Mode.LOCAL
    assert load_database_config(env, secrets).is_sqlite
    with pytest.raises(DatabaseConfigError, match="'hospital' is not a mode"):
        load_database_config({"FORMCHECK_MODE": "hospital"})


def test_unwritable_data_folder_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    config = load_database_config({"FORMCHECK_HOME": str(blocker / "home")})
    with pytest.raises(OutputError, match="cannot create the data folder"):
        Database.open(config)

"""Database fixtures: SQLite per test, and a real PostgreSQL server per session.

The PostgreSQL server comes from Debian's ``postgresql`` package
(``/usr/lib/postgresql/*/bin``). ``initdb`` and ``pg_ctl`` refuse to run as
root, so as root they run as the ``postgres`` user (``runuser``), in a
temporary directory it owns, on a free port, with fsync off. One cluster is
started per test session; the schema is migrated once into a template
database, and every test gets a fresh copy of it (pytest-postgresql's
``DatabaseJanitor``), dropped afterwards.

When the server cannot start, the PostgreSQL tests are skipped — except in
CI (``CI`` set) or with ``FORMCHECK_REQUIRE_POSTGRES=1``, where they fail.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_postgresql.janitor import DatabaseJanitor
from sqlalchemy.engine import URL

from formcheck.record import SessionRecord
from formcheck.store.sql import Database, DatabaseConfig, Mode
from formcheck.store.sql.config import SQLITE_FILE, sqlite_url

DATA = Path(__file__).resolve().parent / "data"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
_counter = itertools.count()


def postgres_required() -> bool:
    """Whether a PostgreSQL server that does not start is a failure."""
    return (
        bool(os.environ.get("CI"))
        or os.environ.get("FORMCHECK_REQUIRE_POSTGRES") == "1"
    )


@dataclass
class PostgresServer:
    """A throw-away PostgreSQL cluster."""

    bindir: Path
    root: Path
    port: int
    host: str = "127.0.0.1"
    user: str = "postgres"

    def url(self, dbname: str) -> URL:
        """The SQLAlchemy URL of one database on this server."""
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            host=self.host,
            port=self.port,
            database=dbname,
        )

    def stop(self) -> None:
        """Stop the server at once and delete its files."""
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            _run(
                self.bindir / "pg_ctl",
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            )
        shutil.rmtree(self.root, ignore_errors=True)


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(*args: str | Path) -> None:
    proc = subprocess.run(
        [*_as_postgres(), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{Path(str(args[0])).name} failed: {' / '.join(tail)}")


def _bindir() -> Path:
    override = os.environ.get("FORMCHECK_PG_BINDIR")
    if override:
        return Path(override)
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: (
            int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0
        ),
    )
    if not found:
        raise RuntimeError(
            "no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql)"
        )
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_postgres() -> PostgresServer:
    """Start a fresh cluster (as ``postgres`` when running as root).

    Raises:
        RuntimeError: Saying which step failed.
    """
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="formcheck-pg-"))
    try:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(root, owner.pw_uid, owner.pw_gid)
        server = PostgresServer(bindir=bindir, root=root, port=_free_port())
        _run(
            bindir / "initdb",
            "-D",
            root / "data",
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-F -p {server.port} -k {root} -c listen_addresses=127.0.0.1"
        _run(
            bindir / "pg_ctl",
            "-D",
            root / "data",
            "-l",
            root / "server.log",
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


def _migrate(url: URL) -> None:
    Database.open(DatabaseConfig(url=url)).close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole test session."""
    try:
        server = start_postgres()
    except (RuntimeError, OSError, KeyError, subprocess.SubprocessError) as error:
        message = f"PostgreSQL server could not start: {error}"
        if postgres_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield server
    finally:
        server.stop()


def _janitor(
    server: PostgresServer,
    dbname: str,
    template: str | None = None,
    *,
    as_template: bool = False,
) -> DatabaseJanitor:
    return DatabaseJanitor(
        user=server.user,
        host=server.host,
        port=server.port,
        dbname=dbname,
        template_dbname=template,
        as_template=as_template,
    )


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    """A database migrated to head, the template of every test database."""
    with _janitor(postgres_server, "formcheck_tmpl", as_template=True):
        _migrate(postgres_server.url("formcheck_tmpl"))
        yield "formcheck_tmpl"


def _postgres_db(request: pytest.FixtureRequest, template: str | None) -> Iterator[URL]:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    dbname = f"formcheck_t{next(_counter)}"
    with _janitor(server, dbname, template):
        yield server.url(dbname)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database file migrated to head, copied for every test."""
    home = tmp_path_factory.mktemp("sqlite-template")
    _migrate(sqlite_url(home))
    return home / SQLITE_FILE


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """The URL of a fresh database at the newest schema, on each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        (tmp_path / "home").mkdir()
        shutil.copyfile(template, tmp_path / "home" / template.name)
        yield sqlite_url(tmp_path / "home")
    else:
        dbname = request.getfixturevalue("postgres_template")
        yield from _postgres_db(request, dbname)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """The URL of an empty database (no tables), on each backend."""
    if request.param == "sqlite":
        (tmp_path / "home").mkdir()
        yield sqlite_url(tmp_path / "home")
    else:
        yield from _postgres_db(request, None)


def open_database(url: URL, mode: Mode) -> Database:
    """Open a database at ``url`` in ``mode`` (already migrated)."""
    return Database.open(DatabaseConfig(url=url, mode=mode), upgrade=False)


@pytest.fixture
def clinic_db(database_url: URL) -> Iterator[Database]:
    """A clinic-mode database on each backend."""
    db = open_database(database_url, Mode.CLINIC)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def local_db(database_url: URL) -> Iterator[Database]:
    """A local-mode database on each backend."""
    db = open_database(database_url, Mode.LOCAL)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture(scope="session")
def bird_dog_record() -> SessionRecord:
    """A real session record (the bundled bird-dog landmarks, analysed)."""
    from formcheck.analyze import analyze_landmarks
    from formcheck.specs import load_spec
    from formcheck.types import PoseSequence

    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    return analyze_landmarks(seq, load_spec("bird_dog")).session


def table_names(url: URL) -> set[str]:
    """The tables in a database."""
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()

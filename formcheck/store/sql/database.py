"""The database: engine, transactions, migrations on open, and login.

:class:`Database` is shared by every user of one app process (it holds the
connection pool); what each user may do is decided per call by the scoped
:class:`~formcheck.store.sql.store.SqlStore` it hands out.

Every write is one transaction: it is committed whole or rolled back whole.
Database errors never escape as tracebacks; they become one-line
:class:`~formcheck.errors.StoreError` subclasses naming the database (with
its password hidden) and what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.orm import Session, sessionmaker

from formcheck.clinic import Principal, Role
from formcheck.errors import (
    DatabaseConfigError,
    DatabaseUnavailable,
    FormcheckError,
    MigrationError,
    OutputError,
    StoreError,
)
from formcheck.store.sql import access, migrate
from formcheck.store.sql.config import DatabaseConfig, Mode, display_url
from formcheck.store.sql.store import SqlStore

log = logging.getLogger(__name__)

#: Seconds to wait for a PostgreSQL server before saying it is unreachable.
CONNECT_TIMEOUT_S = 5
#: Seconds SQLite waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_S = 15


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def map_database_error(error: exc.SQLAlchemyError, where: str) -> StoreError:
    """Turn a SQLAlchemy error into one clear formcheck error.

    Args:
        error: What SQLAlchemy raised.
        where: The database, for the message (password hidden).
    """
    detail = _first_line(error)
    if isinstance(error, exc.ProgrammingError) or "no such table" in detail:
        return StoreError(
            f"{where}: the database schema does not match this formcheck ({detail}); "
            "run `formcheck db upgrade`"
        )
    if isinstance(error, exc.IntegrityError):
        return StoreError(
            f"{where}: the change conflicts with data saved at the same time "
            f"({detail}); nothing was saved, try again"
        )
    if isinstance(error, exc.OperationalError | exc.InterfaceError):
        if "locked" in detail:
            return StoreError(
                f"{where}: the database is busy ({detail}); nothing was saved, try again"
            )
        return DatabaseUnavailable(f"{where}: cannot reach the database ({detail})")
    return StoreError(f"{where}: database error ({detail})")


def _sqlite_engine(config: DatabaseConfig) -> sa.Engine:
    database = config.url.database
    if database and database != ":memory:":
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(
                f"{folder}: cannot create the data folder ({error.strerror or error})"
            ) from None
    engine = sa.create_engine(
        config.url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, start transactions, so that DDL
        # (migrations) is transactional too; enforce foreign keys.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def create_engine(config: DatabaseConfig) -> sa.Engine:
    """A SQLAlchemy engine for ``config`` (no connection is made yet).

    Raises:
        OutputError: If the SQLite file's folder cannot be created.
        DatabaseConfigError: If the driver cannot be loaded.
    """
    try:
        if config.is_sqlite:
            return _sqlite_engine(config)
        return sa.create_engine(
            config.url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
        )
    except (exc.ArgumentError, ImportError) as error:
        raise DatabaseConfigError(
            f"{config.display()}: cannot use this database ({_first_line(error)})"
        ) from None


class Database:
    """One formcheck database, shared by all users of a process.

    Args:
        engine: The engine (see :func:`create_engine`).
        mode: Local mode (one implicit user) or clinic mode.

    Example:
        >>> db = Database.open(load_database_config())  # doctest: +SKIP
        >>> store = db.store(db.local_principal())  # doctest: +SKIP
        >>> store.list_sessions()  # doctest: +SKIP
        []
    """

    def __init__(self, engine: sa.Engine, mode: Mode = Mode.LOCAL) -> None:
        self.engine = engine
        self.mode = mode
        self.where = display_url(engine.url)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, config: DatabaseConfig, *, upgrade: bool = True) -> Database:
        """Connect, and bring the schema up to date (unless ``upgrade=False``).

        Raises:
            DatabaseConfigError: If the URL cannot be used.
            DatabaseUnavailable: If the server cannot be reached.
            MigrationError: If the schema cannot be brought up to date, or is
                older than this formcheck needs and ``upgrade`` is off.
        """
        database = cls(create_engine(config), config.mode)
        try:
            if upgrade:
                database.upgrade()
            else:
                database.check_schema()
        except BaseException:
            database.close()
            raise
        return database

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # ----------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed whole on success, rolled back otherwise.

        Raises:
            StoreError: A database problem, as one clear line.
        """
        try:
            with self._sessions.begin() as session:
                yield session
        except exc.SQLAlchemyError as error:
            log.debug("database error", exc_info=True)
            raise map_database_error(error, self.where) from None

    # -------------------------------------------------------------- migration
    def revision(self) -> str | None:
        """The schema revision of the database (``None``: empty).

        Raises:
            DatabaseUnavailable: If the server cannot be reached.
        """
        try:
            with self.engine.connect() as connection:
                return migrate.current_revision(connection)
        except exc.SQLAlchemyError as error:
            raise map_database_error(error, self.where) from None

    def check_schema(self) -> None:
        """Check that the schema is at the revision this formcheck needs.

        Raises:
            MigrationError: Saying what to run.
        """
        current, head = self.revision(), migrate.head_revision()
        if current == head:
            return
        if current is not None and current not in migrate.known_revisions():
            raise MigrationError(
                f"{self.where}: the database is at revision {current}, newer than "
                "this formcheck knows; upgrade formcheck"
            )
        raise MigrationError(
            f"{self.where}: the database is at revision {current or 'none'}, this "
            f"formcheck needs {head}; run `formcheck db upgrade`"
        )

    def upgrade(self) -> migrate.UpgradeResult:
        """Bring the schema to the newest revision, in one transaction.

        Raises:
            DatabaseUnavailable: If the server cannot be reached.
            MigrationError: If a migration fails (nothing of it is kept) or
                the database is newer than this formcheck.
        """
        current = self.revision()  # a server that is down is reported as such
        if current is not None and current not in migrate.known_revisions():
            self.check_schema()
        try:
            with self.engine.begin() as connection:
                return migrate.upgrade(connection)
        except (exc.SQLAlchemyError, FormcheckError) as error:
            log.debug("migration failed", exc_info=True)
            raise MigrationError(
                f"{self.where}: the database upgrade from revision {current or 'none'} "
                f"to {migrate.head_revision()} failed ({_first_line(error)}); "
                "nothing was changed"
            ) from None

    # ------------------------------------------------------------------ users
    def login(self, email: str, name: str = "") -> Principal:
        """The principal for someone the identity provider has verified.

        Pending invitations for ``email`` are accepted here: the user becomes
        a patient linked to each inviting therapist. Someone with no role and
        no invitation gets a principal without roles (and nothing is stored
        about them).

        Raises:
            InputError: If ``email`` is not an e-mail address.
            AccessDenied: For the reserved local-mode address.
        """
        with self.transaction() as session:
            return access.login(session, email, name)

    def local_principal(self) -> Principal:
        """Local mode's one implicit user: patient and therapist at once.

        Raises:
            DatabaseConfigError: In clinic mode, where everyone logs in.
        """
        if self.mode is not Mode.LOCAL:
            raise DatabaseConfigError(
                "formcheck runs in clinic mode: everyone logs in (no local user)"
            )
        with self.transaction() as session:
            access.ensure_local_user(session)
        return Principal(
            email=access.LOCAL_EMAIL,
            name=access.LOCAL_HANDLE,
            roles=frozenset({Role.PATIENT, Role.THERAPIST}),
            local=True,
        )

    def store(self, principal: Principal | None) -> SqlStore:
        """The store as ``principal`` may use it (``None``: nobody logged in)."""
        return SqlStore(self, principal)

    def operator(self) -> SqlStore:
        """The store for the command line's operator.

        The operator manages users, roles and links (like an admin) and may
        import folders, but reads no clinical data.
        """
        return SqlStore(self, None, operator=True)

"""The app's database: opened once per process, old data folders brought in.

Locally the app keeps everything in the embedded SQLite database
``FORMCHECK_HOME/formcheck.db``; before the database existed it kept JSON
files in ``FORMCHECK_HOME/sessions/`` and ``FORMCHECK_HOME/patients/``.
On the first start in local mode with such a folder and a database that
holds no session or prescription yet, :func:`open_app_database` copies the
folder in (:func:`formcheck.store.sql.importer.import_folder`, one
transaction; the folder is left as it is) and says what it did. A file that
cannot be read is left out and named, with the command that imports the
rest once it is fixed. Nothing here imports Streamlit.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.clinic import Principal
from formcheck.errors import FormcheckError
from formcheck.record.files import SESSION_SUFFIX
from formcheck.store.folder import PRESCRIPTION_SUFFIX
from formcheck.store.sql import Database, DatabaseConfig, Mode
from formcheck.store.sql.importer import has_clinical_data, import_folder

log = logging.getLogger(__name__)

#: How many unreadable files the first-start notice names before "…".
MAX_NAMED_PROBLEMS = 5


@dataclass
class AppDatabase:
    """The database the app process shares between its users.

    Attributes:
        database: The open database (its connection pool is shared).
        config: Where it is and which mode the app runs in.
        local_principal: Local mode's one user (``None`` in clinic mode).
        notice: What the first start did with an old data folder (plain
            text), if anything; :meth:`take_notice` hands it out once.
    """

    database: Database
    config: DatabaseConfig
    local_principal: Principal | None = None
    notice: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_notice(self) -> str | None:
        """The first-start notice, the first time it is asked for (then ``None``)."""
        with self._lock:
            notice, self.notice = self.notice, None
        return notice

    @property
    def clinic(self) -> bool:
        """Whether the app runs in clinic mode."""
        return self.config.mode is Mode.CLINIC


def old_folder_has_data(home: Path) -> bool:
    """Whether ``home`` holds sessions or prescriptions saved as files."""
    sessions = home / "sessions"
    patients = home / "patients"
    return (sessions.is_dir() and any(sessions.glob(f"*{SESSION_SUFFIX}"))) or (
        patients.is_dir() and any(patients.glob(f"*/*{PRESCRIPTION_SUFFIX}"))
    )


def import_old_folder(database: Database, home: Path) -> str | None:
    """Bring an old data folder into an empty local database.

    Args:
        database: The local-mode database.
        home: The data folder (``FORMCHECK_HOME``).

    Returns:
        What was done, for the user (``None``: nothing to do).
    """
    if not old_folder_has_data(home):
        return None
    try:
        if has_clinical_data(database):
            return None
        report = import_folder(database, home, skip_bad=True)
    except FormcheckError as error:
        log.warning("first-start import of %s failed: %s", home, error)
        return (
            f"Your earlier sessions in {home} could not be copied into the database "
            f"({error}). Nothing was copied; run `formcheck import {home}` to see "
            "the details."
        )
    lines = [
        f"Your earlier data in {home} was copied into the database: "
        f"{report.sessions_added} session(s) and {report.prescriptions_added} "
        "prescription(s). The folder was left as it is."
    ]
    if report.skipped:
        named = "; ".join(report.skipped[:MAX_NAMED_PROBLEMS])
        more = " …" if len(report.skipped) > MAX_NAMED_PROBLEMS else ""
        lines.append(
            f"{len(report.skipped)} file(s) could not be read and were left out "
            f"({named}{more}). Fix or remove them, then run "
            f"`formcheck import {home}` (importing twice adds nothing)."
        )
    return " ".join(lines)


def open_app_database(config: DatabaseConfig, home: Path) -> AppDatabase:
    """Open the database (migrating it) and, locally, import an old folder.

    Args:
        config: The database configuration.
        home: The data folder (``FORMCHECK_HOME``).

    Raises:
        StoreError: If the database cannot be used (its subclasses say
            whether the URL is malformed, the server is down or the
            migration failed).
        OutputError: If the SQLite file's folder cannot be created.
    """
    database = Database.open(config)
    if config.mode is not Mode.LOCAL:
        return AppDatabase(database=database, config=config)
    try:
        principal = database.local_principal()
        notice = import_old_folder(database, home)
    except BaseException:
        database.close()
        raise
    return AppDatabase(
        database=database, config=config, local_principal=principal, notice=notice
    )

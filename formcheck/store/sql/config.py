"""Where the database is and which mode formcheck runs in.

=============================  =============================================
``FORMCHECK_DATABASE_URL``     e.g. ``postgresql+psycopg://formcheck@db/formcheck``
                               (``postgresql://`` and ``postgres://`` mean the
                               same). Default: SQLite in ``FORMCHECK_HOME``
                               (``formcheck_data/formcheck.db``)
``FORMCHECK_MODE``             ``local`` (default: no login, one user) or
                               ``clinic`` (login, roles, links)
=============================  =============================================

The same two settings can be given in ``.streamlit/secrets.toml``::

    [formcheck]
    mode = "clinic"
    database_url = "postgresql+psycopg://formcheck:SECRET@db.internal/formcheck"

The environment wins over the file. Passwords never appear in messages
(:func:`display_url`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from formcheck.errors import DatabaseConfigError

#: Default data folder (the app's ``FORMCHECK_HOME`` default too).
DEFAULT_HOME = "formcheck_data"
#: File name of the embedded database inside ``FORMCHECK_HOME``.
SQLITE_FILE = "formcheck.db"
#: Where Streamlit (and the command line) find secrets, relative to the app.
SECRETS_FILE = Path(".streamlit") / "secrets.toml"

_POSTGRES_NAMES = ("postgresql", "postgres", "postgresql+psycopg")
_SQLITE_NAMES = ("sqlite", "sqlite+pysqlite")


class Mode(StrEnum):
    """How formcheck is deployed."""

    LOCAL = "local"
    CLINIC = "clinic"


@dataclass(frozen=True)
class DatabaseConfig:
    """A resolved database configuration.

    Attributes:
        url: The SQLAlchemy URL (driver normalised: ``postgresql+psycopg``).
        mode: Local or clinic mode.
        source: Where the URL came from, for messages.
    """

    url: URL
    mode: Mode = Mode.LOCAL
    source: str = "default"

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.url.get_backend_name() == "sqlite"

    def display(self) -> str:
        """The URL with any password hidden."""
        return display_url(self.url)


def display_url(url: URL) -> str:
    """Render ``url`` for messages, with the password replaced by ``***``."""
    return url.render_as_string(hide_password=True)


def parse_database_url(text: str, source: str) -> URL:
    """Parse and normalise a database URL.

    Args:
        text: The URL text.
        source: Where it came from (``FORMCHECK_DATABASE_URL``), for messages.

    Raises:
        DatabaseConfigError: If it is not a SQLite or PostgreSQL URL.
    """
    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise DatabaseConfigError(
            f"{source}: not a database URL; expected e.g. "
            "postgresql+psycopg://user:password@host:5432/formcheck "
            "or sqlite:///path/to/formcheck.db"
        ) from None
    if url.drivername in _POSTGRES_NAMES:
        if not url.database:
            raise DatabaseConfigError(
                f"{source}: {display_url(url)} names no database (…/formcheck)"
            )
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in _SQLITE_NAMES:
        return url.set(drivername="sqlite")
    raise DatabaseConfigError(
        f"{source}: {url.drivername!r} databases are not supported; "
        "use postgresql+psycopg://… or sqlite:///…"
    )


def sqlite_url(home: str | Path) -> URL:
    """The default embedded database inside the data folder ``home``."""
    path = Path(home).expanduser().resolve() / SQLITE_FILE
    return URL.create("sqlite", database=str(path))


def read_secrets_file(path: str | Path = SECRETS_FILE) -> dict[str, Any]:
    """Read a Streamlit ``secrets.toml`` (``{}`` if there is none).

    Raises:
        DatabaseConfigError: If the file exists but is not valid TOML.
    """
    p = Path(path)
    if not p.is_file():
        return {}
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DatabaseConfigError(
            f"{p}: cannot read the secrets file ({exc})"
        ) from None


def load_database_config(
    env: Mapping[str, str] | None = None,
    secrets: Mapping[str, Any] | None = None,
) -> DatabaseConfig:
    """Resolve the database URL and the mode.

    Args:
        env: Environment variables (default: ``os.environ``).
        secrets: Streamlit secrets (``st.secrets`` or :func:`read_secrets_file`).

    Raises:
        DatabaseConfigError: Naming the setting that is malformed.
    """
    env = os.environ if env is None else env
    section: Mapping[str, Any] = {}
    if secrets is not None and isinstance(secrets.get("formcheck"), Mapping):
        section = secrets["formcheck"]
    mode_text, mode_source = env.get("FORMCHECK_MODE"), "FORMCHECK_MODE"
    if not mode_text and "mode" in section:
        mode_text, mode_source = section["mode"], "secrets.toml [formcheck] mode"
    try:
        mode = Mode(str(mode_text).strip().lower()) if mode_text else Mode.LOCAL
    except ValueError:
        raise DatabaseConfigError(
            f"{mode_source}: {mode_text!r} is not a mode; use 'local' or 'clinic'"
        ) from None
    if env.get("FORMCHECK_DATABASE_URL"):
        source = "FORMCHECK_DATABASE_URL"
        url = parse_database_url(env["FORMCHECK_DATABASE_URL"], source)
    elif isinstance(section.get("database_url"), str) and section["database_url"]:
        source = "secrets.toml [formcheck] database_url"
        url = parse_database_url(section["database_url"], source)
    else:
        source = "FORMCHECK_HOME" if env.get("FORMCHECK_HOME") else "default"
        url = sqlite_url(env.get("FORMCHECK_HOME") or DEFAULT_HOME)
    return DatabaseConfig(url=url, mode=mode, source=source)

"""The database store: SQLAlchemy models, Alembic migrations, access control.

* :mod:`.config` — ``FORMCHECK_DATABASE_URL`` / ``FORMCHECK_MODE``.
* :mod:`.database` — :class:`Database`: engine, transactions, migrations, login.
* :mod:`.store` — :class:`SqlStore`: the store, scoped to one principal.
* :mod:`.access` — who may see what.
* :mod:`.importer` — ``formcheck import FOLDER``.
"""

from __future__ import annotations

from formcheck.store.sql.config import DatabaseConfig, Mode, load_database_config
from formcheck.store.sql.database import Database
from formcheck.store.sql.store import SqlStore

__all__ = ["Database", "DatabaseConfig", "Mode", "SqlStore", "load_database_config"]

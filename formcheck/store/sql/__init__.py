"""The database store: SQLAlchemy models, Alembic migrations, access control.

* :mod:`.config` — ``FORMCHECK_DATABASE_URL`` / ``FORMCHECK_MODE``.
* :mod:`.database` — :class:`Database`: engine, transactions, migrations, login.
* :mod:`.store` — :class:`SqlStore`: the store, scoped to one principal.
* :mod:`.access` — who may see what.
* :mod:`.importer` — ``formcheck import FOLDER``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from formcheck.store.sql.config import DatabaseConfig, Mode, load_database_config

if TYPE_CHECKING:
    from formcheck.store.sql.database import Database
    from formcheck.store.sql.store import SqlStore

# SQLAlchemy is loaded on first use (the command line's parser imports this
# package for its ``db`` commands and should not pay for it).
_LAZY = {
    "Database": "formcheck.store.sql.database",
    "SqlStore": "formcheck.store.sql.store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["Database", "DatabaseConfig", "Mode", "SqlStore", "load_database_config"]

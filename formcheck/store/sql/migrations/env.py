"""Alembic environment: run formcheck's migrations on the given connection.

formcheck runs migrations itself (``formcheck db upgrade`` or on start), on
a connection inside one transaction; see :mod:`formcheck.store.sql.migrate`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from formcheck.store.sql.models import Base

_connection = context.config.attributes.get("connection")
if not isinstance(_connection, sa.Connection):
    raise RuntimeError(
        "formcheck migrations run through `formcheck db upgrade`, "
        "not the alembic command line"
    )
context.configure(
    connection=_connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite needs table copies for most ALTERs
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

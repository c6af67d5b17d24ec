"""Write a new Alembic migration for a change to formcheck/store/sql/models.py.

    python scripts/db_revision.py "add a column for X"

A scratch SQLite database is brought to the current head, Alembic compares it
with the models and writes ``formcheck/store/sql/migrations/versions/NNNN_*.py``.
Read and tidy the result (it must not import formcheck's models: a migration
describes the schema as it was at that revision), then run
``pytest tests/test_db_migrations.py`` (both backends), which fails while
models and migrations differ.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from formcheck.store.sql.migrate import alembic_config, head_revision, upgrade


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = sa.create_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        with engine.begin() as connection:
            upgrade(connection)
            next_id = f"{int(head_revision()) + 1:04d}"
            command.revision(
                alembic_config(connection),
                message=message,
                autogenerate=True,
                rev_id=next_id,
            )
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

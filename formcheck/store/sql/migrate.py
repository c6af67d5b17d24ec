"""Schema migrations (Alembic), run on start or with ``formcheck db upgrade``.

The migration scripts ship inside the package (``migrations/versions``), so
an installed formcheck can upgrade its database without a source checkout.
An upgrade runs in one transaction: on PostgreSQL and on SQLite (whose
driver is told to make DDL transactional, see :mod:`.database`) a failed
migration leaves the schema exactly as it was. On PostgreSQL an advisory
lock makes several app instances starting at once upgrade one at a time.

To change the schema, edit :mod:`.models`, then run
``python scripts/db_revision.py "what changed"`` and tidy the script it
writes; ``tests/test_db_migrations.py`` fails while the two differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

#: Where the migration scripts are, as a ``package:folder`` resource.
SCRIPT_LOCATION = "formcheck.store.sql:migrations"
#: Arbitrary, fixed key of the PostgreSQL advisory lock held while upgrading.
_ADVISORY_LOCK_KEY = 7_302_915_411


@dataclass(frozen=True)
class UpgradeResult:
    """What an upgrade did.

    Attributes:
        before: The revision before (``None``: an empty database).
        after: The revision now (the head).
    """

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        """Whether any migration ran."""
        return self.before != self.after


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration for formcheck's scripts, bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision this formcheck knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "formcheck ships at least one migration"
    return head


def known_revisions() -> set[str]:
    """Every revision this formcheck knows."""
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(connection: sa.Connection) -> str | None:
    """The database's revision (``None``: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: sa.Connection) -> UpgradeResult:
    """Bring the schema to the head revision inside the caller's transaction.

    The caller commits on success and rolls back on failure (so nothing of
    a failed upgrade is kept).

    Raises:
        Any database error of a failing migration (the caller maps it).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY}
        )
    before = current_revision(connection)
    command.upgrade(alembic_config(connection), "head")
    return UpgradeResult(before=before, after=head_revision())

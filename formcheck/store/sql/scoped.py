"""The base of the scoped store: one principal, one transaction per call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from formcheck.clinic import Principal
from formcheck.store.sql.access import Actor, resolve_actor

if TYPE_CHECKING:
    from formcheck.store.sql.database import Database


class Scoped:
    """What every part of the SQL store shares.

    Args:
        database: The database.
        principal: Who is logged in (``None``: nobody).
        operator: The command line's operator (accounts, links, import).
    """

    def __init__(
        self, database: Database, principal: Principal | None, *, operator: bool = False
    ) -> None:
        self._db = database
        self._principal = principal
        self._operator = operator

    @property
    def principal(self) -> Principal | None:
        """Who this store acts for."""
        return self._principal

    @property
    def database(self) -> Database:
        """The database behind this store (e.g. for its job queue)."""
        return self._db

    @contextmanager
    def _scope(self) -> Iterator[tuple[Session, Actor]]:
        """One transaction, with the caller resolved inside it."""
        with self._db.transaction() as session:
            yield (
                session,
                resolve_actor(session, self._principal, operator=self._operator),
            )

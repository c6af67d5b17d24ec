"""The SQL store: everything the app stores, scoped to one logged-in user.

:class:`SqlStore` implements :class:`~formcheck.store.Store` (so the pages
work unchanged in local mode) and the clinic operations. Get one from
:meth:`Database.store <formcheck.store.sql.database.Database.store>`; every
call is one transaction, checked against the caller's roles and links as
they are in the database at that moment (see :mod:`.access`).
"""

from __future__ import annotations

from formcheck.store.sql.accounts import AccountsPart
from formcheck.store.sql.notes import NotesPart
from formcheck.store.sql.sessions import SessionsPart


class SqlStore(SessionsPart, NotesPart, AccountsPart):
    """Sessions, prescriptions, landmarks, notes and accounts for one principal.

    Example:
        >>> store = db.store(db.login("jane@example.org"))  # doctest: +SKIP
        >>> store.list_sessions()  # doctest: +SKIP
        []
    """

"""Where sessions and prescriptions are kept, behind one interface.

:class:`~formcheck.store.base.Store` is the interface; :class:`FolderStore`
keeps JSON files in a folder; :class:`formcheck.store.sql.SqlStore` keeps
everything in SQLite or PostgreSQL, scoped to the logged-in user (import it
from :mod:`formcheck.store.sql`, which needs SQLAlchemy).
"""

from __future__ import annotations

from formcheck.store.base import PrescriptionStore, SessionRef, SessionStore, Store
from formcheck.store.folder import FolderStore

__all__ = ["FolderStore", "PrescriptionStore", "SessionRef", "SessionStore", "Store"]

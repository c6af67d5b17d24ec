"""Where sessions and prescriptions are kept, behind one interface.

:class:`~formcheck.store.base.Store` is the interface; :class:`FolderStore`
keeps JSON files in a folder.
"""

from __future__ import annotations

from formcheck.store.base import PrescriptionStore, SessionRef, SessionStore, Store
from formcheck.store.folder import FolderStore

__all__ = ["FolderStore", "PrescriptionStore", "SessionRef", "SessionStore", "Store"]

"""Exceptions raised by formcheck.

The hierarchy::

    FormcheckError                 base of everything formcheck raises on purpose
    ├── SpecError (ValueError)     an exercise spec is invalid or unknown
    ├── InputError (ValueError)    a user-supplied file is missing, unreadable or unusable
    │   └── VideoError             a video cannot be opened or decoded
    ├── OutputError (OSError)      an output folder or file cannot be written
    │   └── AlreadyRunning         another run is writing the same outputs now
    ├── SessionFileError           a saved session JSON cannot be loaded
    ├── StoppedBeforeStart         the user stopped a run before its first frame
    ├── PoseBackendError (RuntimeError)
    │                              the pose model cannot be created or run
    ├── AccessDenied (PermissionError)
    │   │                          the user may not see or change this data
    │   └── NotLoggedIn            nobody is logged in
    ├── UnknownUserError (LookupError)
    │                              no user has this e-mail address
    └── StoreError                 the database cannot be used
        ├── DatabaseConfigError (ValueError)
        │                          the database URL or mode is malformed
        ├── DatabaseUnavailable (ConnectionError)
        │                          the database server cannot be reached
        └── MigrationError         the schema cannot be brought up to date

Data problems inside a stream (nobody in view, a landmark hidden) are *not*
exceptions: they become empty poses, NaN signals and "unknown" rule states.
"""

from __future__ import annotations

import warnings


class FormcheckError(Exception):
    """Base class of every error formcheck raises deliberately."""


class SpecError(FormcheckError, ValueError):
    """An exercise spec file is invalid, or an exercise id is unknown."""


class InputError(FormcheckError, ValueError):
    """A user-supplied input file cannot be used."""


class VideoError(InputError):
    """A video cannot be opened or decoded."""


class OutputError(FormcheckError, OSError):
    """An output location cannot be written."""


class AlreadyRunning(OutputError):
    """Another formcheck run is writing the same outputs right now."""


class SessionFileError(FormcheckError, ValueError):
    """A saved session record cannot be read back."""


class StoppedBeforeStart(FormcheckError):
    """A run was asked to stop (Ctrl-C, SIGTERM) before any frame was analysed."""


class PoseBackendError(FormcheckError, RuntimeError):
    """The pose estimator cannot be created or run."""


class AccessDenied(FormcheckError, PermissionError):
    """The logged-in user may not see or change this data.

    Raised the same way whether the data exists or not, so a forged id tells
    nothing about what is stored.
    """


class NotLoggedIn(AccessDenied):
    """A request came with nobody logged in."""


class UnknownUserError(FormcheckError, LookupError):
    """No user has the given e-mail address (administration commands)."""


class StoreError(FormcheckError):
    """The database behind a store cannot be used."""


class DatabaseConfigError(StoreError, ValueError):
    """The database URL or the formcheck mode is not valid."""


class DatabaseUnavailable(StoreError, ConnectionError):
    """The database server cannot be reached (down, refused, timed out)."""


class MigrationError(StoreError):
    """The database schema cannot be brought to the version formcheck needs."""


class FormcheckWarning(UserWarning):
    """Warning category for recoverable problems formcheck reports."""


def warn(message: str) -> None:
    """Emit a :class:`FormcheckWarning`.

    Args:
        message: What happened, in plain language.
    """
    warnings.warn(message, FormcheckWarning, stacklevel=2)

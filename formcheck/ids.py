"""Names and ids that end up in file names, database keys and URLs.

Every place that stores or looks up data by a user-supplied name checks it
here first, so ``..``, ``/``, a newline or a NUL never reach a path or a
query. Patterns are matched whole (``fullmatch``), never with ``$``, which
would let a trailing newline through.
"""

from __future__ import annotations

import re

from formcheck.errors import InputError

#: A patient name in local mode: 1-64 letters, digits, spaces, ``.``, ``_`` or
#: ``-``, starting with a letter or digit.
PATIENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}")
#: An exercise id, as in the specs (``glute_bridge``).
EXERCISE_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
PATIENT_NAME_RULE = (
    "a patient name must be 1-64 letters, digits, spaces, '.', '_' or '-', "
    "starting with a letter or digit"
)


def is_patient_name(name: object) -> bool:
    """Whether ``name`` is a valid patient name (no path or control characters)."""
    return isinstance(name, str) and PATIENT_NAME.fullmatch(name) is not None


def check_patient(name: object) -> str:
    """Return ``name`` if it is a valid patient name.

    Raises:
        InputError: Naming the rule the name breaks.
    """
    if not is_patient_name(name):
        raise InputError(f"{name!r}: {PATIENT_NAME_RULE}")
    assert isinstance(name, str)
    return name


def check_exercise_id(exercise: object) -> str:
    """Return ``exercise`` if it is a well-formed exercise id.

    Raises:
        InputError: If it is not (e.g. it contains ``..`` or ``/``).
    """
    if not isinstance(exercise, str) or not EXERCISE_ID.fullmatch(exercise):
        raise InputError(f"{exercise!r} is not a valid exercise id")
    return exercise


#: An e-mail address as an identity provider reports it: one ``@``, no spaces
#: or control characters, a dotted domain. Checked for shape only (the
#: identity provider has verified it); compared in lower case.
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
)
EMAIL_MAX_LEN = 254


def check_email(email: object) -> str:
    """Return ``email`` trimmed and in lower case if it looks like an address.

    Raises:
        InputError: If it is not shaped like ``name@example.org``.
    """
    if isinstance(email, str):
        email = email.strip().lower()
        if len(email) <= EMAIL_MAX_LEN and EMAIL.fullmatch(email):
            return email
    raise InputError(f"{email!r} is not an e-mail address (name@example.org)")

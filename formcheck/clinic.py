"""Clinic data: who is who, and what patients and therapists tell each other.

These are the validated types the store hands out and takes in (clinic mode
and, with one implicit user, local mode). Where they are kept, and who may
see them, is :mod:`formcheck.store.sql`'s business.

* :class:`Role` — patient, therapist, admin (a user may have several).
* :class:`Principal` — the logged-in user, as the store issued it.
* :class:`UserInfo`, :class:`PatientInfo`, :class:`Invitation` — accounts.
* :class:`Comment`, :class:`SymptomAnswer`, :class:`SignOff` — clinical notes.
* :class:`JobState` — an uploaded video's analysis in the job queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

#: Longest comment a therapist or patient may write, in characters.
MAX_COMMENT_CHARS = 4000
#: Longest note on a sign-off, in characters.
MAX_NOTE_CHARS = 1000
#: What a rule id looks like (as in the exercise specs), at most 64 characters.
RULE_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class Role(StrEnum):
    """What a user may do. Roles live in formcheck's database, keyed by e-mail."""

    PATIENT = "patient"
    THERAPIST = "therapist"
    ADMIN = "admin"


class SymptomLocation(StrEnum):
    """Where the symptoms are now, from central to peripheral."""

    NONE = "none"
    LOWER_BACK = "lower_back"
    BUTTOCK = "buttock"
    THIGH = "thigh"
    BELOW_KNEE = "below_knee"
    FOOT = "foot"

    @property
    def rank(self) -> int:
        """0 for no symptoms, rising as symptoms reach further down the leg."""
        return list(SymptomLocation).index(self)


class VerdictLevel(StrEnum):
    """What a therapist's sign-off is about."""

    REP = "rep"
    SET = "set"
    SESSION = "session"


class JobState(StrEnum):
    """Where an uploaded video's analysis is in the clinic's job queue."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class Principal:
    """The logged-in user, as a store issued it at login.

    Only a store makes principals (``Database.login`` / ``local_principal``).
    ``roles`` is a snapshot for deciding what to show; the store checks the
    database again on every call, so a role revoked a moment ago already
    counts, and a principal built by hand grants nothing.

    Attributes:
        email: The verified e-mail address (lower case).
        name: The display name.
        roles: The user's roles at login.
        local: Whether this is local mode's one implicit user.
    """

    email: str
    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    local: bool = False

    def has(self, role: Role) -> bool:
        """Whether the user had ``role`` at login."""
        return role in self.roles


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UserInfo(_Frozen):
    """A user as an administrator sees it (no clinical data)."""

    email: str | None
    name: str
    handle: str
    roles: tuple[Role, ...]
    created_utc: datetime


class PatientInfo(_Frozen):
    """A patient as their therapist sees it in a list."""

    handle: str = Field(description="The key the store's patient arguments take.")
    name: str
    email: str | None


class Invitation(_Frozen):
    """A therapist's invitation; the link is made when that e-mail logs in."""

    id: int
    email: str
    therapist_email: str
    created_utc: datetime
    accepted_utc: datetime | None


class Comment(_Frozen):
    """A comment to a patient, optionally on one session and repetition."""

    id: int
    patient: str
    author_name: str
    text: str = Field(min_length=1, max_length=MAX_COMMENT_CHARS)
    session_id: str | None
    rep_index: int | None = Field(ge=0)
    created_utc: datetime


class SymptomAnswer(_Frozen):
    """The patient's answer to the symptom question after a set."""

    id: int
    patient: str
    session_id: str | None
    set_index: int | None = Field(ge=1)
    location: SymptomLocation
    worse: bool = Field(description="Worse than before the set.")
    answered_utc: datetime


class SignOff(_Frozen):
    """A therapist agreeing or disagreeing with formcheck's verdict.

    A ``rep`` sign-off names a counted repetition by its index, or (for a
    hold exercise) a hold by its index. When the therapist disagrees,
    ``seen_fault`` is the rule they see failing, or ``None`` for "this was
    fine".
    """

    id: int
    session_id: str
    level: VerdictLevel
    index: int | None = Field(ge=0, description="Rep or set index; None for a session.")
    agree: bool
    note: str = Field(max_length=MAX_NOTE_CHARS)
    author_name: str
    created_utc: datetime
    seen_fault: str | None = Field(
        default=None,
        pattern=RULE_ID_PATTERN,
        description="When disagreeing: the rule the therapist sees failing.",
    )

"""The states and outcomes the checker reports, as enums.

They are kept apart from the records (:mod:`formcheck.results`, which needs
pydantic) so that light modules (:mod:`formcheck.messages`,
:mod:`formcheck.verdicts`) can use them without loading pydantic: the command
line imports them before the pose model starts, when every import is time
the user waits (docs/performance.md). :mod:`formcheck.results` re-exports them.
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """Where a set is: before calibration, at rest, moving, in the end position."""

    SETUP = "setup"
    REST = "rest"
    MOVING = "moving"
    ACTIVE = "active"


class ObservedView(StrEnum):
    """The camera view as seen from the body's proportions."""

    SIDE = "side"
    FRONTAL = "frontal"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    """How serious a cue or fault is: stop (safety), warn (fault), info (tip)."""

    STOP = "stop"
    WARN = "warn"
    INFO = "info"


class RuleStatus(StrEnum):
    """One rule in one frame (see :class:`RuleState`)."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    INACTIVE = "inactive"


class CueKind(StrEnum):
    """What a cue is about; earlier kinds win (safety > setup > fault > tip)."""

    SAFETY = "safety"
    SETUP = "setup"
    FAULT = "fault"
    TIP = "tip"


CUE_RANK: dict[CueKind, int] = {
    CueKind.SAFETY: 0,
    CueKind.SETUP: 1,
    CueKind.FAULT: 2,
    CueKind.TIP: 3,
}


class RepOutcome(StrEnum):
    """Whether a movement cycle counted, and if not, why."""

    COUNTED = "counted"
    PACED = "paced"
    NOT_FAR_ENOUGH = "not_far_enough"
    RANGE_TOO_SMALL = "range_too_small"
    TOO_QUICK = "too_quick"
    END_NOT_HELD = "end_not_held"
    TOO_LONG = "too_long"
    LOST_SIGHT = "lost_sight"
    OUT_OF_POSITION = "out_of_position"

    @property
    def counted(self) -> bool:
        """Whether this outcome is a counted repetition."""
        return self in (RepOutcome.COUNTED, RepOutcome.PACED)


class HoldStatus(StrEnum):
    """What the hold timer is doing."""

    IDLE = "idle"
    CONFIRMING = "confirming"
    HOLDING = "holding"
    PAUSED = "paused"
    GRACE = "grace"

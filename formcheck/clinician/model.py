"""The states the therapist's review reports (enums, never free text)."""

from __future__ import annotations

from enum import StrEnum


class Trust(StrEnum):
    """How far tracking lets a therapist trust a repetition's verdict."""

    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


class Light(StrEnum):
    """A checked angle's state in one replayed frame (as the annotators colour it)."""

    PASS = "pass"
    FAILING = "failing"
    FAULT = "fault"
    UNKNOWN = "unknown"
    COUNTED = "counted"


class ItemKind(StrEnum):
    """What a therapist can pick to replay and sign off."""

    REP = "rep"
    ATTEMPT = "attempt"
    HOLD = "hold"


class Flag(StrEnum):
    """Why a patient needs the therapist's attention (most urgent first)."""

    SPREADING = "spreading"
    PAIN_RISING = "pain_rising"
    NO_IMPROVEMENT = "no_improvement"
    SAFETY_FAULTS = "safety_faults"
    INACTIVE = "inactive"
    LOW_ADHERENCE = "low_adherence"

    @property
    def weight(self) -> int:
        """How much this flag raises a patient in the list."""
        return _FLAG_WEIGHT[self]


_FLAG_WEIGHT = {
    Flag.SPREADING: 100,
    Flag.PAIN_RISING: 60,
    Flag.NO_IMPROVEMENT: 40,
    Flag.SAFETY_FAULTS: 30,
    Flag.INACTIVE: 20,
    Flag.LOW_ADHERENCE: 10,
}


class SymptomChange(StrEnum):
    """How the symptoms moved over one set."""

    CENTRALISED = "centralised"
    PERIPHERALISED = "peripheralised"
    UNCHANGED = "unchanged"
    UNKNOWN = "unknown"


class Direction(StrEnum):
    """Which way an exercise moves the lower back."""

    EXTENSION = "extension"
    FLEXION = "flexion"
    MIXED = "mixed"
    NEUTRAL = "neutral"


class VerdictKind(StrEnum):
    """formcheck's verdict on one movement."""

    CORRECT = "correct"
    FAULTY = "faulty"
    NOT_COUNTED = "not_counted"
    HOLD_DONE = "hold_done"
    HOLD_SHORT = "hold_short"
    ABSENT = "absent"

"""The figures that sum up a set, by kind of exercise: one place for every page.

A repetition exercise shows repetitions (correct, with a fault) and tips; a
hold shows holds only (no "Reps 0" above a hold bar); a guided exercise, which
the camera paces but cannot measure, shows what was paced. The Live page (the
set in progress and the last set), the Review page and the routine summary
all take their figures from :func:`set_figures`, so the words and the
verdicts are the same everywhere (:mod:`formcheck.verdicts`).
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.record.model import Summary
from formcheck.units import plain_amount


@dataclass(frozen=True)
class SetCounts:
    """What happened in one set (or so far in the set in progress).

    Attributes:
        kind: The exercise's kind: ``reps``, ``hold`` or ``guided``.
        reps: Counted repetitions.
        correct: Counted repetitions without a fault.
        faults: Reported faults (made a repetition incorrect).
        tips: Reported tips (did not).
        holds_done: Holds that reached their minimum time.
        holds: Holds started.
        longest_hold_s: The longest hold, in seconds.
        mean_range: Mean range of motion of the counted repetitions.
        range_unit: Its unit (``deg`` or a body length).
        target_reps: Repetitions to do, if set.
        target_holds: Holds to do, if set.
        target_hold_s: Seconds each hold should last, if set.
    """

    kind: str
    reps: int = 0
    correct: int = 0
    faults: int = 0
    tips: int = 0
    holds_done: int = 0
    holds: int = 0
    longest_hold_s: float = 0.0
    mean_range: float | None = None
    range_unit: str | None = None
    target_reps: int | None = None
    target_holds: int | None = None
    target_hold_s: float | None = None

    @property
    def with_fault(self) -> int:
        """Counted repetitions with a fault."""
        return self.reps - self.correct

    @classmethod
    def from_summary(
        cls,
        kind: str,
        summary: Summary,
        *,
        range_unit: str | None = None,
        target_reps: int | None = None,
        target_holds: int | None = None,
        target_hold_s: float | None = None,
    ) -> SetCounts:
        """The counts of a finished set, from its record's summary."""
        return cls(
            kind=kind,
            reps=summary.reps,
            correct=summary.correct,
            faults=summary.faults,
            tips=summary.tips,
            holds_done=summary.holds_completed,
            holds=summary.holds,
            longest_hold_s=summary.longest_hold_s,
            mean_range=summary.mean_range_of_motion,
            range_unit=range_unit,
            target_reps=target_reps,
            target_holds=target_holds,
            target_hold_s=target_hold_s,
        )


@dataclass(frozen=True)
class Figure:
    """One figure to show (``st.metric``): a label and its value as text."""

    label: str
    value: str
    help: str = ""


def _of(done: int, target: int | None) -> str:
    return f"{done} of {target}" if target else str(done)


def _rep_figures(counts: SetCounts) -> list[Figure]:
    figures = [
        Figure("Reps", _of(counts.reps, counts.target_reps)),
        Figure("Correct", str(counts.correct)),
        Figure(
            "With a fault",
            str(counts.with_fault),
            "Repetitions during which a check that matters failed.",
        ),
        Figure("Tips", str(counts.tips), "Things to improve that did not spoil a rep."),
    ]
    if counts.mean_range is not None and counts.range_unit is not None:
        figures.append(
            Figure(
                "Typical range",
                plain_amount(counts.mean_range, counts.range_unit),
                "The mean over the counted repetitions.",
            )
        )
    return figures


def _guided_figures(counts: SetCounts) -> list[Figure]:
    return [
        Figure(
            "Paced reps",
            _of(counts.reps, counts.target_reps),
            "The camera cannot measure this movement: formcheck paced it.",
        ),
        Figure(
            "With a fault",
            str(counts.with_fault),
            "Paced repetitions during which a visible check failed.",
        ),
        Figure("Tips", str(counts.tips)),
    ]


def _hold_figures(counts: SetCounts) -> list[Figure]:
    figures = [
        Figure("Holds done", _of(counts.holds_done, counts.target_holds)),
        Figure(
            "Longest hold",
            f"{counts.longest_hold_s:.0f} s"
            + (f" of {counts.target_hold_s:g} s" if counts.target_hold_s else ""),
        ),
        Figure("Faults", str(counts.faults)),
        Figure("Tips", str(counts.tips)),
    ]
    return figures


def set_figures(counts: SetCounts) -> list[Figure]:
    """The figures of a set, by kind: reps, holds, or what was paced."""
    if counts.kind == "hold":
        return _hold_figures(counts)
    if counts.kind == "guided":
        return _guided_figures(counts)
    return _rep_figures(counts)

"""What is right on a benchmark clip, and the targets the benchmark holds formcheck to.

Each clip gets the checks that apply to it (:func:`clip_checks`): an exact
repetition count, a count within one, each hold timed within a tolerance, the
exercise recognised (or, on a clip of another exercise, said not to be it),
and no false "several people" on a one-person clip. The targets of issue 9
(:data:`REAL_TARGETS`) are rates of those checks over real clips with high or
medium labels; :data:`GENERATED_TARGETS` keep the project's rendered clips as
good as they are (every clip in its spec's view exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from formcheck.app_support.review import SEVERAL_PEOPLE_NOTE_S
from formcheck.bench.labels import ClipSource
from formcheck.bench.result import ClipResult

#: Largest hold-time error (s) on a generated clip (exact truth).
HOLD_TOLERANCE_S = 1.0
#: Largest hold-time error (s) on a real clip (eye-labelled; issue 9).
REAL_HOLD_TOLERANCE_S = 1.5
#: Angle error (deg) against truth above which an exercise/view is reported.
ANGLE_TOLERANCE_DEG = 10.0


class Check(StrEnum):
    """One thing that must be right on a clip."""

    ANALYSED = "analysed"
    EXACT_COUNT = "exact_count"
    WITHIN_ONE = "within_one"
    HOLD_TIME = "hold_time"
    RECOGNISED = "recognised"
    WRONG_EXERCISE = "wrong_exercise"
    PEOPLE = "people"


def hold_tolerance_s(source: ClipSource) -> float:
    """Largest hold-time error that counts as right for clips from ``source``."""
    return REAL_HOLD_TOLERANCE_S if source is ClipSource.REAL else HOLD_TOLERANCE_S


def reported_several_people(r: ClipResult) -> bool:
    """Whether formcheck told the user that more than one person was in view.

    Any of: it paused its checks saying "I can see more than one person";
    it said someone else was in view and it was following the person doing
    the exercise; the analysis concluded several people were in view for
    most of the video (``formcheck analyze`` then refuses it, ``formcheck
    batch`` marks it); or the pose backend saw another person long enough
    for the Review page to mention it
    (:data:`~formcheck.app_support.review.SEVERAL_PEOPLE_NOTE_S`).
    """
    return (
        r.several_people_verdict
        or r.checks_paused_s > 0.0
        or r.followed_s > 0.0
        or r.several_people_s >= SEVERAL_PEOPLE_NOTE_S
    )


def clip_checks(r: ClipResult) -> dict[Check, bool]:
    """The checks that apply to a clip, and whether each passed.

    A clip that could not be analysed fails every check that applies to it.
    Guided exercises (paced, not counted) have no count check; a clip of
    another exercise (``recognised: false``) is judged only on being said not
    to be the exercise, and on people.
    """
    analysed = r.error is None
    checks = {Check.ANALYSED: analysed}
    if r.count_scored:
        error = r.count_error
        checks[Check.EXACT_COUNT] = error == 0
        checks[Check.WITHIN_ONE] = error is not None and abs(error) <= 1
    if r.expected_recognised and r.expected_holds_s:
        checks[Check.HOLD_TIME] = (
            r.hold_error_s is not None and r.hold_error_s <= hold_tolerance_s(r.source)
        )
    if r.expected_recognised:
        checks[Check.RECOGNISED] = r.found_recognised is True
    else:
        checks[Check.WRONG_EXERCISE] = r.found_recognised is False
    if r.expected_people == 1:
        checks[Check.PEOPLE] = analysed and not reported_several_people(r)
    return checks


def failed_checks(r: ClipResult) -> list[Check]:
    """The checks a clip failed, in :class:`Check` order."""
    checks = clip_checks(r)
    return [c for c in Check if checks.get(c) is False]


@dataclass(frozen=True)
class Target:
    """A rate of one check the benchmark holds formcheck to.

    Attributes:
        check: The check.
        source: The clips it is computed on.
        min_rate: The lowest acceptable share of those clips passing the
            check (``None``: shown, with no target).
        in_spec_view_only: Only clips filmed in the spec's camera view count.
    """

    check: Check
    source: ClipSource
    min_rate: float | None
    in_spec_view_only: bool = False

    def applies(self, r: ClipResult) -> bool:
        """Whether a clip counts toward this target.

        Real clips count only with high or medium labels.
        """
        return (
            r.source is self.source
            and r.confidence.scored
            and self.check in clip_checks(r)
            and (r.in_spec_view or not self.in_spec_view_only)
        )


#: Issue 9's targets on real clips with high or medium labels.
REAL_TARGETS = (
    Target(Check.EXACT_COUNT, ClipSource.REAL, 0.90),
    Target(Check.WITHIN_ONE, ClipSource.REAL, 1.0),
    Target(Check.HOLD_TIME, ClipSource.REAL, 1.0, in_spec_view_only=True),
    Target(Check.PEOPLE, ClipSource.REAL, 1.0),
    Target(Check.WRONG_EXERCISE, ClipSource.REAL, 1.0),
    Target(Check.RECOGNISED, ClipSource.REAL, None),
)
#: The rendered clips stay as good as they are: every clip in its view exact.
GENERATED_TARGETS = (
    Target(Check.EXACT_COUNT, ClipSource.GENERATED, 1.0, in_spec_view_only=True),
    Target(Check.HOLD_TIME, ClipSource.GENERATED, 1.0, in_spec_view_only=True),
    Target(Check.WITHIN_ONE, ClipSource.GENERATED, None),
    Target(Check.PEOPLE, ClipSource.GENERATED, 1.0),
)


@dataclass(frozen=True)
class TargetResult:
    """How a set of clips did against one target.

    Attributes:
        target: The target.
        clips: Clips it was computed on.
        passed: Clips that passed the check.
        failed_files: The clips that did not.
    """

    target: Target
    clips: int
    passed: int
    failed_files: tuple[str, ...]

    @property
    def rate(self) -> float | None:
        """Share of the clips that passed (``None`` without clips)."""
        return self.passed / self.clips if self.clips else None

    @property
    def met(self) -> bool | None:
        """Whether the target is met (``None``: no target, or no clips)."""
        rate = self.rate
        if rate is None or self.target.min_rate is None:
            return None
        return rate >= self.target.min_rate - 1e-9


def evaluate_target(target: Target, results: Sequence[ClipResult]) -> TargetResult:
    """Compute one target's rate over the clips it applies to."""
    counted = [r for r in results if target.applies(r)]
    failed = tuple(r.file for r in counted if not clip_checks(r)[target.check])
    return TargetResult(target, len(counted), len(counted) - len(failed), failed)

"""How formcheck did on one benchmark clip (what was expected and what it found)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from formcheck.bench.labels import ClipSource, LabelConfidence


@dataclass
class ClipResult:
    """How formcheck did on one clip.

    The fields up to ``processing_s`` are always given; the later ones have
    defaults so that rows can be built by hand (tests, older JSON).

    Attributes:
        spec_kind: The spec's kind (``reps``, ``hold`` or ``guided``); the
            repetitions of guided exercises are paced, not counted, and are
            not scored.
        in_spec_view: The clip was filmed in the spec's camera view.
        expected_recognised: The clip shows the exercise (label).
        found_recognised: The session summary says the exercise was
            recognised (``None`` when the clip could not be analysed).
        posture_seen: When not recognised, the posture formcheck saw instead.
        expected_people: People in view (label).
        several_people_s: Seconds of video in which the pose backend saw more
            than one person.
        checks_paused_s: Seconds in which formcheck said "I can see more than
            one person" and paused its checks.
        several_people_verdict: The analysis concluded that more than one
            person was in view for most of the video (``formcheck analyze``
            then refuses the video).
        followed_s: Seconds in which formcheck said it was following the
            person doing the exercise among others in view.
    """

    file: str
    exercise: str
    view: str
    source: ClipSource
    confidence: LabelConfidence
    expected_reps: int | None
    found_reps: int | None
    expected_per_side: dict[str, int] | None
    found_per_side: dict[str, int] | None
    expected_holds_s: list[float] | None
    found_holds_s: list[float] | None
    hold_error_s: float | None
    faults_injected: int
    faults_flagged: int
    faults_missed: list[str]
    clean_reps: int
    clean_reps_flagged: int
    flagged_rules: list[str]
    angle_error_median_deg: float | None
    angle_error_p90_deg: float | None
    tracked_share: float
    frames: int
    duration_s: float
    pose_ms_per_frame: float
    formcheck_ms_per_frame: float
    processing_s: float
    error: str | None = None
    formcheck_isolated_ms_per_frame: float = math.nan
    spec_kind: str = "reps"
    in_spec_view: bool = True
    expected_recognised: bool = True
    found_recognised: bool | None = True
    posture_seen: str | None = None
    expected_people: int = 1
    several_people_s: float = 0.0
    checks_paused_s: float = 0.0
    several_people_verdict: bool = False
    followed_s: float = 0.0

    def __post_init__(self) -> None:
        self.source = ClipSource(self.source)
        self.confidence = LabelConfidence(self.confidence)

    @property
    def count_scored(self) -> bool:
        """Whether the repetition count is scored (a counted exercise with a count label)."""
        return (
            self.expected_reps is not None
            and self.expected_recognised
            and self.spec_kind != "guided"
        )

    @property
    def count_error(self) -> int | None:
        """Found minus expected repetitions (``None`` when the count is not scored)."""
        if (
            not self.count_scored
            or self.expected_reps is None
            or self.found_reps is None
        ):
            return None
        return self.found_reps - self.expected_reps

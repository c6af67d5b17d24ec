"""The accuracy benchmark's scoring and report, on hand-made clip results (no model)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from formcheck.bench import (
    Check,
    ClipResult,
    ClipSource,
    LabelConfidence,
    clip_checks,
    failed_checks,
    reported_several_people,
    summarise,
    texts,
    to_markdown,
)
from formcheck.bench.checks import REAL_TARGETS, Target, evaluate_target


def result(**kw: Any) -> ClipResult:
    base: dict[str, Any] = dict(
        file="a.mp4",
        exercise="glute_bridge",
        view="side",
        source="generated",
        confidence="exact",
        expected_reps=5,
        found_reps=5,
        expected_per_side=None,
        found_per_side=None,
        expected_holds_s=None,
        found_holds_s=None,
        hold_error_s=None,
        faults_injected=0,
        faults_flagged=0,
        faults_missed=[],
        clean_reps=5,
        clean_reps_flagged=0,
        flagged_rules=[],
        angle_error_median_deg=2.0,
        angle_error_p90_deg=5.0,
        tracked_share=1.0,
        frames=300,
        duration_s=10.0,
        pose_ms_per_frame=20.0,
        formcheck_ms_per_frame=0.3,
        processing_s=5.0,
        formcheck_isolated_ms_per_frame=0.2,
    )
    base.update(kw)
    return ClipResult(**base)


def real(**kw: Any) -> ClipResult:
    """A real clip with a high-confidence label and no truth landmarks."""
    base: dict[str, Any] = dict(
        source="real",
        confidence="high",
        clean_reps=0,
        angle_error_median_deg=None,
        angle_error_p90_deg=None,
    )
    return result(**{**base, **kw})


def hold(**kw: Any) -> dict[str, Any]:
    """Fields of a hold clip (five seconds held)."""
    return dict(
        exercise="childs_pose",
        spec_kind="hold",
        expected_reps=None,
        found_reps=None,
        expected_holds_s=[5.0],
        **kw,
    )


def negative(found_recognised: bool | None, **kw: Any) -> ClipResult:
    """A real clip of another exercise (``recognised: false``)."""
    return real(
        expected_reps=None,
        found_reps=0,
        expected_recognised=False,
        found_recognised=found_recognised,
        **kw,
    )


def section(md: str, heading: str) -> str:
    """The text of a ``## heading`` section, up to the next one."""
    start = md.index(f"## {heading}\n")
    end = md.find("\n## ", start + 1)
    return md[start : end if end >= 0 else len(md)]


def test_clip_result_fields_from_strings_become_enums() -> None:
    r = result(source="real", confidence="medium-high")
    assert r.source is ClipSource.REAL
    assert r.confidence is LabelConfidence.MEDIUM_HIGH
    assert r.confidence.scored
    assert not LabelConfidence.LOW.scored
    assert not LabelConfidence.UNKNOWN.scored
    with pytest.raises(ValueError, match="sure"):
        result(confidence="sure")


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        pytest.param(
            result(),
            {
                Check.ANALYSED: True,
                Check.EXACT_COUNT: True,
                Check.WITHIN_ONE: True,
                Check.RECOGNISED: True,
                Check.PEOPLE: True,
            },
            id="right",
        ),
        pytest.param(
            result(found_reps=6),
            {
                Check.ANALYSED: True,
                Check.EXACT_COUNT: False,
                Check.WITHIN_ONE: True,
                Check.RECOGNISED: True,
                Check.PEOPLE: True,
            },
            id="off-by-one",
        ),
        pytest.param(
            result(spec_kind="guided", found_reps=1),
            {Check.ANALYSED: True, Check.RECOGNISED: True, Check.PEOPLE: True},
            id="guided-count-not-scored",
        ),
        pytest.param(
            negative(False),
            {Check.ANALYSED: True, Check.WRONG_EXERCISE: True, Check.PEOPLE: True},
            id="wrong-exercise-recognised",
        ),
        pytest.param(
            negative(True),
            {Check.ANALYSED: True, Check.WRONG_EXERCISE: False, Check.PEOPLE: True},
            id="wrong-exercise-accepted",
        ),
        pytest.param(
            real(**hold(found_holds_s=[6.2], hold_error_s=1.2)),
            {
                Check.ANALYSED: True,
                Check.HOLD_TIME: True,
                Check.RECOGNISED: True,
                Check.PEOPLE: True,
            },
            id="real-hold-within-1.5s",
        ),
        pytest.param(
            result(**hold(found_holds_s=[6.2], hold_error_s=1.2)),
            {
                Check.ANALYSED: True,
                Check.HOLD_TIME: False,
                Check.RECOGNISED: True,
                Check.PEOPLE: True,
            },
            id="generated-hold-within-1s-only",
        ),
        pytest.param(
            real(expected_people=2, followed_s=12.0, several_people_s=12.0),
            {
                Check.ANALYSED: True,
                Check.EXACT_COUNT: True,
                Check.WITHIN_ONE: True,
                Check.RECOGNISED: True,
            },
            id="two-people-no-people-check",
        ),
        pytest.param(
            real(error="x.mp4: cannot open", found_reps=None, found_recognised=None),
            {
                Check.ANALYSED: False,
                Check.EXACT_COUNT: False,
                Check.WITHIN_ONE: False,
                Check.RECOGNISED: False,
                Check.PEOPLE: False,
            },
            id="error-fails-everything",
        ),
    ],
)
def test_clip_checks(r: ClipResult, expected: dict[Check, bool]) -> None:
    assert clip_checks(r) == expected
    assert failed_checks(r) == [c for c in Check if expected.get(c) is False]


@pytest.mark.parametrize(
    ("fields", "reported"),
    [
        ({}, False),
        ({"several_people_s": 2.9}, False),
        ({"several_people_s": 3.0}, True),
        ({"checks_paused_s": 0.1}, True),
        ({"followed_s": 0.5}, True),
        ({"several_people_verdict": True}, True),
    ],
)
def test_several_people_reported(fields: dict[str, Any], reported: bool) -> None:
    r = real(**fields)
    assert reported_several_people(r) is reported
    assert clip_checks(r)[Check.PEOPLE] is not reported


def test_real_targets_count_only_scored_clips_and_holds_in_view() -> None:
    clips = [
        real(file="right.mp4"),
        real(file="off.mp4", found_reps=3),
        real(file="low.mp4", confidence="low", found_reps=0),
        real(file="unknown.mp4", confidence="unknown", found_reps=0),
        result(file="generated.mp4", found_reps=0),
        real(file="hold.mp4", **hold(found_holds_s=[2.0], hold_error_s=3.0)),
        real(
            file="hold_oblique.mp4",
            in_spec_view=False,
            **hold(found_holds_s=[1.0], hold_error_s=4.0),
        ),
    ]
    by_check = {t.check: evaluate_target(t, clips) for t in REAL_TARGETS}
    exact = by_check[Check.EXACT_COUNT]
    assert (exact.clips, exact.passed, exact.failed_files) == (2, 1, ("off.mp4",))
    assert exact.rate == pytest.approx(0.5)
    assert exact.met is False
    within = by_check[Check.WITHIN_ONE]
    assert (within.clips, within.passed) == (2, 1)
    holds = by_check[Check.HOLD_TIME]
    assert holds.failed_files == ("hold.mp4",)  # the oblique one is not counted
    people = by_check[Check.PEOPLE]
    assert (people.clips, people.passed, people.met) == (4, 4, True)
    wrong = by_check[Check.WRONG_EXERCISE]
    assert (wrong.clips, wrong.rate, wrong.met) == (0, None, None)


def test_target_rate_at_its_minimum_is_met() -> None:
    target = Target(Check.EXACT_COUNT, ClipSource.REAL, 0.9)
    clips = [real(file=f"{i}.mp4") for i in range(9)] + [real(found_reps=0)]
    assert evaluate_target(target, clips).met is True
    assert evaluate_target(target, [*clips, real(found_reps=0)]).met is False


def test_totals_rates_and_unreliable_list() -> None:
    results = [
        result(),
        result(file="b.mp4", found_reps=6),
        result(
            file="c.mp4",
            exercise="bird_dog",
            faults_injected=2,
            faults_flagged=1,
            faults_missed=["hip_opening"],
        ),
        result(file="d.mp4", **hold(found_holds_s=[27.5], hold_error_s=2.5)),
    ]
    report = summarise(results, "formcheck bench --generated x")
    t = report.totals
    assert t["exact_count_rate"] == pytest.approx(2 / 3)
    assert t["within_one_rate"] == pytest.approx(1.0)
    assert t["mean_abs_count_error"] == pytest.approx(1 / 3)
    assert t["fault_recall"] == pytest.approx(0.5)
    assert t["max_hold_error_s"] == pytest.approx(2.5)
    assert t["formcheck_to_pose_ratio"] == pytest.approx(0.01)
    assert t["formcheck_in_pipeline_to_pose_ratio"] == pytest.approx(0.015)
    assert t["realtime_factor"] == pytest.approx(2.0)
    assert report.totals_by_source["generated"]["clips"] == 4
    assert report.totals_by_source["real"]["clips"] == 0
    joined = "\n".join(report.unreliable)
    assert "count off by +1 on b.mp4" in joined
    assert "missed hip_opening on c.mp4" in joined
    assert "hold time off by 2.5 s on d.mp4" in joined
    md = to_markdown(report)
    assert "formcheck bench --generated x" in md
    assert "| b.mp4 | glute_bridge |" in md


def mixed_report() -> str:
    results = [
        result(file="gen_right.mp4"),
        result(file="gen_feet.mp4", view="feet_end", in_spec_view=False, found_reps=2),
        real(file="real_right.mp4"),
        real(file="real_off.mp4", found_reps=4),
        real(file="real_low.mp4", confidence="low", found_reps=1),
        negative(False, file="real_bird_dog.mp4", posture_seen="all_fours"),
        negative(True, file="real_squat.mp4"),
        real(
            file="real_child.mp4",
            confidence="medium",
            checks_paused_s=2.0,
            **hold(found_holds_s=[2.1], hold_error_s=2.9),
        ),
        real(
            file="real_clam.mp4",
            exercise="clamshell",
            expected_people=2,
            followed_s=10.0,
            several_people_s=10.0,
        ),
        real(
            file="real_gone.mp4",
            error="real_gone.mp4: cannot open",
            found_reps=None,
            found_recognised=None,
            frames=0,
        ),
    ]
    return to_markdown(summarise(results, "formcheck bench --labels x"))


def test_report_shows_real_and_generated_clips_separately() -> None:
    md = mixed_report()
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == [
        f"# {texts.TITLE}",
        f"## {texts.REAL_HEADING}",
        f"### {texts.TARGETS_HEADING}",
        f"### {texts.PER_EXERCISE_HEADING}",
        f"### {texts.PER_CLIP_HEADING}",
        f"## {texts.GENERATED_HEADING}",
        f"### {texts.TARGETS_HEADING}",
        f"### {texts.PER_EXERCISE_HEADING}",
        f"### {texts.PER_CLIP_HEADING}",
        f"## {texts.UNRELIABLE_HEADING}",
        f"## {texts.TOTALS_HEADING}",
    ]
    real_part = section(md, texts.REAL_HEADING)
    generated_part = section(md, texts.GENERATED_HEADING)
    assert "| real_right.mp4 |" in real_part
    assert "| gen_right.mp4 |" in generated_part
    assert "real_right.mp4" not in generated_part
    assert "gen_right.mp4" not in real_part


def test_report_real_targets_follow_issue_9() -> None:
    real_part = section(mixed_report(), texts.REAL_HEADING)
    # 8 real clips, 7 with high or medium labels.
    assert texts.real_targets_intro(7, 8) in real_part
    rows = {
        line.split(" | ")[0].lstrip("| "): line
        for line in real_part.splitlines()
        if line.startswith("| ")
    }
    # Counted clips: right, off by one, the two-person clamshell, the error.
    assert rows["exact repetition count"].endswith("| 4 | 2 | 50 % | ≥ 90 % | ✗ |")
    assert rows["repetition count within ±1"].endswith("| 4 | 3 | 75 % | 100 % | ✗ |")
    hold_row = rows["hold time within ±1.5 s (clips filmed in the spec's view)"]
    assert hold_row.endswith("| 1 | 0 | 0 % | 100 % | ✗ |")
    people = rows['one-person clips never reported as "several people"']
    assert people.endswith("| 6 | 4 | 67 % | 100 % | ✗ |")
    wrong = rows["another exercise said not to be this one"]
    assert wrong.endswith("| 2 | 1 | 50 % | 100 % | ✗ |")


def test_report_real_rows_per_exercise_and_per_clip() -> None:
    real_part = section(mixed_report(), texts.REAL_HEADING)
    # Per exercise: the low-confidence clip is listed but not scored.
    assert "| glute_bridge | 5 (+1 low) |" in real_part
    assert "| childs_pose | 1 |" in real_part
    # Per clip: label, recognition, people and the verdict.
    assert "| real_low.mp4 | glute_bridge | side | low (not scored) |" in real_part
    bird_dog = next(ln for ln in real_part.splitlines() if "real_bird_dog.mp4" in ln)
    assert "| no → no, saw someone on hands and knees |" in bird_dog
    assert bird_dog.endswith(f"| {texts.RIGHT} |")
    squat = next(ln for ln in real_part.splitlines() if "real_squat.mp4" in ln)
    assert squat.endswith("| ✗ wrong exercise accepted |")
    child = next(ln for ln in real_part.splitlines() if "real_child.mp4" in ln)
    assert '| 1 → "more than one person" for 2.0 s |' in child
    assert child.endswith("| ✗ hold off 2.9 s; false several people |")
    clam = next(ln for ln in real_part.splitlines() if "real_clam.mp4" in ln)
    assert "| 2 → followed the person exercising for 10.0 s |" in clam
    assert clam.endswith(f"| {texts.RIGHT} |")
    gone = next(ln for ln in real_part.splitlines() if "| real_gone.mp4 |" in ln)
    assert gone.endswith("| ✗ error: real_gone.mp4: cannot open |")


def test_report_generated_targets_and_unreliable_list() -> None:
    md = mixed_report()
    generated_part = section(md, texts.GENERATED_HEADING)
    assert texts.GENERATED_TARGETS_INTRO in generated_part
    assert (
        "| exact repetition count (clips filmed in the spec's view) "
        "| 1 | 1 | 100 % | 100 % | ✓ |"
    ) in generated_part
    assert "| glute_bridge | 2 | 1/1 |" in generated_part
    unreliable = section(md, texts.UNRELIABLE_HEADING)
    assert "glute_bridge (feet_end, generated): count off by -3 on gen_feet.mp4" in (
        unreliable
    )
    assert "another exercise accepted as this one on real_squat.mp4" in unreliable
    assert "reported several people on one-person clip real_child.mp4" in unreliable
    assert "real_clam.mp4" not in unreliable
    totals = section(md, texts.TOTALS_HEADING)
    assert "| clips | 8 | 2 |  |" in totals


def test_report_without_real_clips_says_so() -> None:
    md = to_markdown(summarise([result()], "formcheck bench --generated x"))
    assert texts.NO_CLIPS in section(md, texts.REAL_HEADING)
    assert f"* {texts.NONE_FOUND}" in section(md, texts.UNRELIABLE_HEADING)


def test_report_json_has_checks_targets_and_exercises() -> None:
    report = summarise(
        [real(file="r.mp4", found_reps=4), negative(False, file="n.mp4")], "cmd"
    )
    data = json.loads(report.to_json())
    clips = {c["file"]: c for c in data["clips"]}
    assert clips["r.mp4"]["passed"] is False
    assert clips["r.mp4"]["checks"]["exact_count"] is False
    assert clips["n.mp4"]["checks"] == {
        "analysed": True,
        "wrong_exercise": True,
        "people": True,
    }
    assert clips["n.mp4"]["source"] == "real"
    exact = next(
        t
        for t in data["targets"]
        if t["check"] == "exact_count" and t["source"] == "real"
    )
    assert (exact["clips"], exact["passed"], exact["failed"]) == (1, 0, ["r.mp4"])
    (row,) = data["exercises"]
    assert (row["exercise"], row["source"], row["clips"]) == ("glute_bridge", "real", 2)


def test_every_check_has_words() -> None:
    assert set(texts.TARGET_NAMES) == set(Check)
    assert set(texts.COLUMN_NAMES) == set(Check)

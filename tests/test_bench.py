"""The accuracy benchmark: labels, scoring, report; and a fast real-model subset for CI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from formcheck.bench import (
    ClipLabel,
    ClipResult,
    ClipSource,
    LabelConfidence,
    evaluate_clip,
    load_labels,
    summarise,
    to_markdown,
)
from formcheck.errors import InputError
from tests.conftest import REPO, SHARED_VIDEOS

LABELS = REPO / "benchmarks" / "shared_clips.labels.yaml"


def write_labels(tmp_path: Path, clip: dict[str, object]) -> Path:
    path = tmp_path / "labels.yaml"
    data = {"format": "formcheck-bench-labels", "videos": ".", "clips": [clip]}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def result(**kw) -> ClipResult:
    base = dict(
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
        result(
            file="d.mp4",
            exercise="childs_pose",
            expected_reps=None,
            found_reps=None,
            expected_holds_s=[30.0],
            found_holds_s=[27.5],
            hold_error_s=2.5,
        ),
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
    joined = "\n".join(report.unreliable)
    assert "count off by +1 on b.mp4" in joined
    assert "missed hip_opening on c.mp4" in joined
    assert "hold time off by 2.5 s on d.mp4" in joined
    md = to_markdown(report)
    assert "formcheck bench --generated x" in md
    assert "| b.mp4 | glute_bridge |" in md


def test_labels_file_loads_with_confidence() -> None:
    labels = load_labels(LABELS)
    assert len(labels) >= 8
    bridge = next(
        c for c in labels if c.path.name == "malikmrllh+exercises__buttbridge.mp4"
    )
    assert bridge.reps == 7
    assert bridge.confidence is LabelConfidence.MEDIUM
    assert bridge.source is ClipSource.REAL
    assert bridge.path.parent == SHARED_VIDEOS.resolve()


def test_labels_file_negatives_and_people() -> None:
    labels = load_labels(LABELS)
    negatives = [c for c in labels if not c.recognised]
    assert len(negatives) >= 4
    for c in negatives:
        assert c.reps is None, c.path.name
        assert not c.holds_s, c.path.name
    # The same bird-dog clip is a bird-dog positive and a glute-bridge negative.
    bird_dog = {
        c.exercise: c.recognised
        for c in labels
        if c.path.name == "HonzaCzSk+polybag__videos__bird_dog.mp4"
    }
    assert bird_dog == {"bird_dog": True, "glute_bridge": False}
    several = {c.path.name for c in labels if c.people > 1}
    assert several == {
        "vincentbrouillard777-cmd+pwa-renforcement__public__videos__clamshells.mp4"
    }
    assert all(c.people == 1 for c in labels if c.path.name not in several)


def test_labels_file_agrees_with_the_clip_list() -> None:
    """Every label names a listed clip; spec ids and people agree with clips.yaml."""
    listing = SHARED_VIDEOS / "clips.yaml"
    if not listing.is_file():
        pytest.skip(f"{listing} is not available")
    clips = {
        c["file"]: c
        for c in yaml.safe_load(listing.read_text(encoding="utf-8"))["clips"]
    }
    for label in load_labels(LABELS):
        name = label.path.name
        assert name in clips, name
        entry = clips[name]
        if "spec_id" in entry:
            shows_it = entry["spec_id"] == label.exercise
            assert label.recognised == shows_it, (name, label.exercise)
        other_people = str(entry.get("other_people_in_view", "no")).lower()
        assert (label.people > 1) == (
            other_people not in ("no", "false")
            or "two people" in str(entry.get("notes", "")).lower()
        ), name


def test_label_defaults(tmp_path: Path) -> None:
    path = write_labels(tmp_path, {"file": "x.mp4", "exercise": "glute_bridge"})
    (label,) = load_labels(path)
    assert label.recognised is True
    assert label.people == 1
    assert label.view == "side"
    assert label.confidence is LabelConfidence.UNKNOWN
    assert label.path == tmp_path.resolve() / "x.mp4"


def test_labels_negative_and_people(tmp_path: Path) -> None:
    path = write_labels(
        tmp_path,
        {
            "file": "x.mp4",
            "exercise": "glute_bridge",
            "recognised": False,
            "people": 2,
            "confidence": "high",
        },
    )
    (label,) = load_labels(path)
    assert label.recognised is False
    assert label.people == 2
    assert label.confidence is LabelConfidence.HIGH
    assert label.confidence.scored


def test_bad_labels_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such labels file"):
        load_labels(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: something-else\n")
    with pytest.raises(InputError, match="not a formcheck benchmark labels file"):
        load_labels(bad)
    missing = tmp_path / "missing.yaml"
    missing.write_text("format: formcheck-bench-labels\nclips:\n  - file: x.mp4\n")
    with pytest.raises(InputError, match=r"clips\.0: missing or bad field"):
        load_labels(missing)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"recognized": False}, r"clips\.0: .*recognized: Extra inputs"),
        ({"recognised": False, "reps": 3}, "recognised: false has no reps"),
        ({"recognised": False, "holds_s": [5.0]}, "recognised: false has no reps"),
        ({"people": 0}, r"clips\.0: .*people"),
        ({"confidence": "sure"}, r"clips\.0: .*confidence"),
        ({"reps": -1}, r"clips\.0: .*reps"),
        ({"exercise": "no_such_exercise"}, "exercise 'no_such_exercise'"),
    ],
)
def test_bad_label_fields_are_errors(
    tmp_path: Path, extra: dict[str, object], message: str
) -> None:
    path = write_labels(
        tmp_path, {"file": "x.mp4", "exercise": "glute_bridge", **extra}
    )
    with pytest.raises(InputError, match=message):
        load_labels(path)


def test_missing_clip_is_an_error_row_not_a_crash(tmp_path: Path) -> None:
    label = ClipLabel(
        path=tmp_path / "gone.mp4",
        exercise="glute_bridge",
        view="side",
        source=ClipSource.REAL,
        reps=None,
        confidence=LabelConfidence.HIGH,
        recognised=False,
        people=2,
    )
    r = evaluate_clip(label)
    assert r.error is not None
    assert "gone.mp4" in r.error
    assert r.found_reps is None
    assert r.found_recognised is None
    assert r.expected_recognised is False
    assert r.expected_people == 2
    assert r.source is ClipSource.REAL
    assert r.confidence is LabelConfidence.HIGH


@pytest.mark.model
@pytest.mark.video
def test_ci_subset_real_clips_do_not_regress() -> None:
    """Two or three real clips end to end: counts must match the eye counts."""
    if not SHARED_VIDEOS.is_dir():
        pytest.skip("../shared/videos is not available")
    wanted = {
        "kevinab633+curvelog__public__glute-bridge.mp4",
        "HonzaCzSk+polybag__videos__bird_dog.mp4",
    }
    labels = [c for c in load_labels(LABELS) if c.path.name in wanted]
    assert len(labels) == 2
    report = summarise([evaluate_clip(c) for c in labels], "test")
    assert report.totals["exact_count_rate"] == 1.0
    assert report.totals["errors"] == 0


@pytest.mark.model
def test_ci_subset_generated_clips_do_not_regress() -> None:
    """A handful of the project's own clips: exact counts, injected faults flagged, holds within 1 s."""
    from formcheck.synth_labels import label_from_truth

    samples = REPO / "sample_videos"
    names = [
        "glute_bridge_side_over_arch",
        "bird_dog_side",
        "mckenzie_press_up_side_hips_lifting",
        "knee_to_chest_single_side_released_early",
        "clamshell_front_hip_rolls_back",
    ]
    labels = [label_from_truth(samples / f"{n}.truth.json") for n in names]
    results = [evaluate_clip(label) for label in labels]
    for r in results:
        assert r.error is None, r.error
        assert r.count_error in (None, 0), (r.file, r.expected_reps, r.found_reps)
        if r.expected_per_side:
            assert r.found_per_side == r.expected_per_side, r.file
        if r.hold_error_s is not None:
            assert r.hold_error_s <= 1.0, (r.file, r.expected_holds_s, r.found_holds_s)
        assert r.faults_missed == [], (r.file, r.faults_missed)
        assert r.clean_reps_flagged == 0, r.file
    assert sum(r.faults_injected for r in results) >= 4

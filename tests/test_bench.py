"""The accuracy benchmark: labels, evaluation; and fast real-model subsets for CI.

Scoring and the report are tested in ``test_bench_report.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from formcheck.bench import (
    ClipLabel,
    ClipSource,
    LabelConfidence,
    evaluate_clip,
    load_labels,
    summarise,
)
from formcheck.errors import InputError
from tests.conftest import REPO, SHARED_VIDEOS

LABELS = REPO / "benchmarks" / "shared_clips.labels.yaml"

#: The real clips CI runs through the model, as (file, exercise) pairs: a clip
#: can be listed twice in the labels file (as a positive of one exercise and a
#: negative of another), so the file name alone does not pick one label.
CI_REAL_CLIPS = (
    ("kevinab633+curvelog__public__glute-bridge.mp4", "glute_bridge"),
    ("HonzaCzSk+polybag__videos__bird_dog.mp4", "bird_dog"),
)
#: A real hold: in the figure 4 from the first frame, feet off the floor
#: (the floor must not tilt, the hold must be timed from the start).
CI_REAL_HOLD_CLIPS = (
    (
        "orthocareconcierge+adam-hep__piriformis-stretch-with-overpressure.mp4",
        "piriformis_stretch",
    ),
)


def select_clips(
    labels: list[ClipLabel], wanted: tuple[tuple[str, str], ...]
) -> list[ClipLabel]:
    """The labels of the wanted (file, exercise) pairs, in the order wanted."""
    by_key: dict[tuple[str, str], list[ClipLabel]] = {}
    for c in labels:
        by_key.setdefault((c.path.name, c.exercise), []).append(c)
    missing = [w for w in wanted if w not in by_key]
    assert not missing, f"not in the labels file: {missing}"
    twice = [w for w in wanted if len(by_key[w]) > 1]
    assert not twice, f"labelled more than once: {twice}"
    return [by_key[w][0] for w in wanted]


def write_labels(tmp_path: Path, clip: dict[str, object]) -> Path:
    path = tmp_path / "labels.yaml"
    data = {"format": "formcheck-bench-labels", "videos": ".", "clips": [clip]}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


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


def test_ci_subset_selects_its_labels_explicitly() -> None:
    """The CI subset picks one label per (file, exercise), all counted positives."""
    labels = select_clips(load_labels(LABELS), CI_REAL_CLIPS)
    assert [(c.path.name, c.exercise) for c in labels] == list(CI_REAL_CLIPS)
    for c in labels:
        assert c.recognised
        assert c.reps is not None
        assert c.confidence.scored
    with pytest.raises(AssertionError, match="not in the labels file"):
        select_clips(
            labels, (("HonzaCzSk+polybag__videos__bird_dog.mp4", "clamshell"),)
        )


@pytest.mark.model
@pytest.mark.video
def test_ci_subset_real_clips_do_not_regress() -> None:
    """Two real clips end to end: counts must match the eye counts."""
    if not SHARED_VIDEOS.is_dir():
        pytest.skip("../shared/videos is not available")
    labels = select_clips(load_labels(LABELS), CI_REAL_CLIPS)
    assert len(labels) == 2
    results = [evaluate_clip(c) for c in labels]
    for r in results:
        assert r.count_error == 0, (r.file, r.expected_reps, r.found_reps)
    report = summarise(results, "test")
    assert report.totals["rep_clips"] == 2
    assert report.totals["exact_count_rate"] == 1.0
    assert report.totals["errors"] == 0


@pytest.mark.model
@pytest.mark.video
def test_ci_subset_real_hold_is_timed() -> None:
    """A real figure-4 hold end to end: timed within 1.5 s of the eye's timing."""
    if not SHARED_VIDEOS.is_dir():
        pytest.skip("../shared/videos is not available")
    labels = select_clips(load_labels(LABELS), CI_REAL_HOLD_CLIPS)
    assert [c.holds_s for c in labels] == [[10.0]]
    (r,) = [evaluate_clip(c) for c in labels]
    assert r.error is None, r.error
    assert r.hold_error_s is not None and r.hold_error_s <= 1.5, r.found_holds_s


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
        "clamshell_front",  # ends with the person getting up: no extra repetition
    ]
    labels = [label_from_truth(samples / f"{n}.truth.json") for n in names]
    results = [evaluate_clip(label) for label in labels]
    for r in results:
        assert r.error is None, r.error
        assert r.source is ClipSource.GENERATED
        assert r.count_error in (None, 0), (r.file, r.expected_reps, r.found_reps)
        if r.expected_per_side:
            assert r.found_per_side == r.expected_per_side, r.file
        if r.hold_error_s is not None:
            assert r.hold_error_s <= 1.0, (r.file, r.expected_holds_s, r.found_holds_s)
        assert r.faults_missed == [], (r.file, r.faults_missed)
        assert r.clean_reps_flagged == 0, r.file
    assert sum(r.faults_injected for r in results) >= 4

"""App-side logic that needs no browser: settings, catalog, storage, speech,
review, plots and the report."""

from __future__ import annotations

import json
import os
import time
from contextlib import nullcontext as does_not_raise
from pathlib import Path

import numpy as np
import pytest

from formcheck.analyze import analyze_landmarks
from formcheck.app_support import plots, report, review
from formcheck.app_support.catalog import (
    item_summary,
    load_catalog,
    load_routines,
    routine_prescription,
)
from formcheck.app_support.settings import load_settings, parse_ice_servers
from formcheck.app_support.speech import CueSpeaker, speech_html
from formcheck.errors import InputError, SpecError, VideoError
from formcheck.pose import ReplayPoseEstimator
from formcheck.prescription import Prescription, apply_prescription
from formcheck.record import SessionRecord, load_many
from formcheck.routines import Routine, RoutineItem
from formcheck.specs import load_spec
from formcheck.store import FolderStore
from formcheck.store.folder import label_for_stem, slug
from formcheck.types import PoseSequence
from formcheck.video import VideoWriter
from tests.conftest import DATA, REPO


@pytest.fixture(scope="module")
def bird_dog_session() -> SessionRecord:
    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    return analyze_landmarks(seq, load_spec("bird_dog")).session


@pytest.fixture
def tiny_video(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.mp4"
    with VideoWriter(path, fps=10) as writer:
        for i in range(20):
            writer.write(np.full((96, 128, 3), 10 * i, np.uint8), i * 100.0)
    return path


# ----------------------------------------------------------------- settings
def test_settings_defaults_work_on_localhost(tmp_path: Path) -> None:
    settings = load_settings(env={}, max_upload_mb=None)
    assert settings.home == Path("formcheck_data")
    assert settings.sessions_dir == Path("formcheck_data") / "sessions"
    assert settings.patients_dir == Path("formcheck_data") / "patients"
    assert settings.rtc_configuration() == {"iceServers": []}
    assert settings.max_upload_mb == 200
    assert settings.problems == []


def test_settings_from_environment(tmp_path: Path) -> None:
    env = {
        "FORMCHECK_HOME": str(tmp_path),
        "FORMCHECK_SAMPLES": str(tmp_path / "clips"),
        "FORMCHECK_ICE_SERVERS": '[{"urls": "stun:stun.example.org:3478"},'
        ' {"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"}]',
    }
    settings = load_settings(env=env, max_upload_mb=50)
    assert settings.home == tmp_path
    assert settings.samples_dir == tmp_path / "clips"
    assert settings.max_upload_mb == 50
    assert settings.rtc_configuration()["iceServers"] == [
        {"urls": ["stun:stun.example.org:3478"]},
        {"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"},
    ]


def test_settings_from_secrets_and_env_wins() -> None:
    secrets = {"formcheck": {"ice_servers": [{"urls": ["stun:a.example:3478"]}]}}
    assert load_settings(env={}, secrets=secrets).ice_servers == [
        {"urls": ["stun:a.example:3478"]}
    ]
    env = {"FORMCHECK_ICE_SERVERS": '[{"urls": "stun:b.example:3478"}]'}
    assert load_settings(env=env, secrets=secrets).ice_servers == [
        {"urls": ["stun:b.example:3478"]}
    ]


def test_malformed_ice_servers_fall_back_with_a_message() -> None:
    settings = load_settings(env={"FORMCHECK_ICE_SERVERS": "[{urls: nope"})
    assert settings.ice_servers == []
    assert len(settings.problems) == 1
    assert "FORMCHECK_ICE_SERVERS: not valid JSON" in settings.problems[0]


@pytest.mark.parametrize(
    ("value", "expectation"),
    [
        ('[{"urls": "stun:x:1"}]', does_not_raise()),
        ({"urls": "turns:x:1"}, does_not_raise()),
        ('{"a": 1}', pytest.raises(InputError, match="needs a 'urls' key")),
        ('[{"urls": "http://x"}]', pytest.raises(InputError, match="not a stun")),
        ('[{"urls": []}]', pytest.raises(InputError, match="must be a URL")),
        (
            '[{"urls": "stun:x", "password": "p"}]',
            pytest.raises(InputError, match="unknown key"),
        ),
        ("42", pytest.raises(InputError, match="expected a list")),
    ],
)
def test_parse_ice_servers(value: object, expectation: object) -> None:
    with expectation:  # type: ignore[attr-defined]
        parse_ice_servers(value, "FORMCHECK_ICE_SERVERS")


# ------------------------------------------------------------------ catalog
def test_catalog_skips_a_broken_spec(tmp_path: Path) -> None:
    good = load_spec("glute_bridge")
    (tmp_path / "glute_bridge.yaml").write_text(
        json.dumps(good.model_dump(mode="json")), encoding="utf-8"
    )
    (tmp_path / "broken.yaml").write_text(
        "id: broken\nname: [unclosed\n", encoding="utf-8"
    )
    catalog = load_catalog(tmp_path)
    assert list(catalog.specs) == ["glute_bridge"]
    assert len(catalog.problems) == 1 and "broken.yaml" in catalog.problems[0]
    assert catalog.label("glute_bridge") == good.name


def test_bundled_catalog_and_routines_load() -> None:
    catalog = load_catalog()
    assert "bird_dog" in catalog.specs
    assert catalog.problems == []
    routines, problems = load_routines()
    assert problems == []
    assert "sciatica_starter" in routines
    for routine in routines.values():
        assert routine.items


def test_routines_are_the_engine_models_and_broken_files_are_skipped(
    tmp_path: Path,
) -> None:
    specs = load_catalog().specs
    (tmp_path / "ok.yaml").write_text(
        "id: ok\nname: OK\nitems:\n"
        "  - {exercise: null, name: Walk, timed_s: 300}\n"
        "  - {exercise: glute_bridge, sets: 2, reps: 8, notes: pause at top}\n",
        encoding="utf-8",
    )
    (tmp_path / "bad.yaml").write_text(
        "id: bad\nname: Bad\nitems:\n  - {exercise: glute_bridge, reps: -3}\n",
        encoding="utf-8",
    )
    (tmp_path / "unknown.yaml").write_text(
        "id: unknown\nname: U\nitems:\n  - {exercise: no_such_thing, reps: 3}\n",
        encoding="utf-8",
    )
    (tmp_path / "same_id.yaml").write_text(
        "id: ok\nname: Again\nitems:\n  - {exercise: null, timed_s: 60}\n",
        encoding="utf-8",
    )
    (tmp_path / "yaml.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    routines, problems = load_routines(tmp_path, specs)
    assert list(routines) == ["ok"]
    routine = routines["ok"]
    assert isinstance(routine, Routine)
    walk, bridge = routine.items
    assert isinstance(bridge, RoutineItem)
    assert item_summary(walk) == "1 × 5 min"
    assert item_summary(bridge) == "2 × 8 reps"
    assert bridge.notes == "pause at top"
    assert routine.total_seconds(specs) == pytest.approx(
        300 + bridge.seconds(specs["glute_bridge"])
    )
    # One message per broken file, naming the file and the key path.
    assert len(problems) == 4, problems
    by_file = {Path(m.split(":")[0]).name: m for m in problems}
    assert set(by_file) == {"bad.yaml", "unknown.yaml", "same_id.yaml", "yaml.yaml"}
    assert "items.0.reps" in by_file["bad.yaml"]
    assert "unknown exercise 'no_such_thing'" in by_file["unknown.yaml"]
    assert "already used" in by_file["same_id.yaml"]


def test_routine_prescription_takes_an_engine_item() -> None:
    bridge = RoutineItem(exercise="glute_bridge", sets=2, reps=8)
    spec = apply_prescription(load_spec("glute_bridge"), routine_prescription(bridge))
    assert spec.reps is not None
    assert (spec.reps.target_reps, spec.reps.target_sets) == (8, 2)
    with pytest.raises(SpecError, match="Walk.*no exercise"):
        routine_prescription(RoutineItem(exercise=None, name="Walk", timed_s=60))
    # Routines and prescriptions share their limits: a routine cannot ask for more.
    with pytest.raises(ValueError, match="hold_s"):
        RoutineItem(exercise="childs_pose", hold_s=200)


# ------------------------------------------------------------------ storage
def test_session_store_saves_lists_and_loads(
    bird_dog_session: SessionRecord, tmp_path: Path
) -> None:
    store = FolderStore(tmp_path)
    assert store.list_sessions() == []
    record = bird_dog_session.model_copy(update={"patient": "Jane Doe"})
    first = store.save_session(record, "set1")
    second = store.save_session(record, "set1")  # same second: a unique stem
    assert first.id != second.id
    assert "_jane-doe_bird_dog_set1" in first.id
    entries = store.list_sessions()
    assert len(entries) == 2
    assert "jane-doe" in entries[0].label and "bird_dog" in entries[0].label
    loaded = store.load_session(entries[0].id)
    assert loaded.reps == record.reps


def test_load_many_reports_each_bad_file(
    bird_dog_session: SessionRecord, tmp_path: Path
) -> None:
    good = bird_dog_session.to_json().encode()
    loaded, problems = load_many(
        [
            ("a.json", good),
            ("b.json", b"{not json"),
            ("c.json", b'{"format": "something-else"}'),
            ("d.json", tmp_path / "missing.session.json"),
        ]
    )
    assert [name for name, _ in loaded] == ["a.json"]
    assert len(problems) == 3
    assert problems[0].startswith("b.json: not valid JSON")
    assert problems[1].startswith("c.json: not a formcheck session file")
    assert "no such session file" in problems[2]


def test_slug_and_entry_label() -> None:
    assert slug("Jane  Doe!") == "jane-doe"
    label = label_for_stem("20260312-101530_jane-doe_bird_dog_set1")
    assert label == "2026-03-12 10:15 · jane-doe · bird_dog_set1"
    assert label_for_stem("other") == "other"


# ------------------------------------------------------------------- speech
def test_cue_speaker_speaks_changes_at_most_every_few_seconds() -> None:
    now = [0.0]
    speaker = CueSpeaker(min_interval_s=4.0, clock=lambda: now[0])
    assert speaker.next_utterance(None) is None
    assert speaker.next_utterance("Lower your leg.") == "Lower your leg."
    assert speaker.next_utterance("Lower your leg.") is None  # unchanged
    now[0] = 1.0
    assert speaker.next_utterance("Keep your back flat.") is None  # too soon
    now[0] = 4.5
    assert speaker.next_utterance("Keep your back flat.") == "Keep your back flat."
    now[0] = 20.0
    assert speaker.next_utterance("Keep your back flat.") is None  # never repeats
    assert speaker.utterance_id == 2
    with pytest.raises(ValueError, match="min_interval_s"):
        CueSpeaker(min_interval_s=-1)


def test_speech_snippet_escapes_text() -> None:
    snippet = speech_html('Say "</script><b>hi', 3)
    assert "</script><b>" not in snippet.split("<script>")[1].split("</script>")[0]
    assert "speechSynthesis" in snippet
    assert '"id": 3' in snippet


# ------------------------------------------------------------------- review
def test_upload_size_limit_has_a_clear_message() -> None:
    with pytest.raises(
        InputError, match=r"clip.mp4: 3 MB is larger than the 2 MB upload limit"
    ):
        review.check_upload_size("clip.mp4", 3 * 1024 * 1024, 2)
    with pytest.raises(InputError, match="empty file"):
        review.check_upload_size("clip.mp4", 0, 2)
    review.check_upload_size("clip.mp4", 1024, 2)


def test_store_upload_accepts_a_video_and_refuses_others(
    tiny_video: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "uploads"
    path = review.store_upload("my clip.mp4", tiny_video.read_bytes(), folder, 10)
    assert path.is_file() and path.name.endswith("_my_clip.mp4")
    with pytest.raises(VideoError, match=r"^notes\.mp4: .*not a video") as info:
        review.store_upload("notes.mp4", b"hello, not a video", folder, 10)
    assert str(tmp_path) not in str(info.value)  # names the upload, not our path
    truncated = tiny_video.read_bytes()[:1500]
    with pytest.raises(VideoError, match=r"^cut\.mp4: "):
        review.store_upload("cut.mp4", truncated, folder, 10)
    assert sorted(p.name for p in folder.iterdir()) == [path.name]  # bad ones removed


def test_list_samples_handles_missing_and_empty_folders(tmp_path: Path) -> None:
    assert review.list_samples(tmp_path / "nope") == []
    assert review.list_samples(tmp_path) == []
    (tmp_path / "b.mp4").write_bytes(b"x")
    (tmp_path / "a.mp4").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in review.list_samples(tmp_path)] == ["a.mp4", "b.mp4"]


def test_sample_exercise_reads_the_truth_file(tmp_path: Path) -> None:
    video = tmp_path / "bird_dog_side.mp4"
    assert review.sample_exercise(video) is None  # no truth file
    truth = tmp_path / "bird_dog_side.truth.json"
    truth.write_text('{"exercise": "bird_dog", "side": "left"}', encoding="utf-8")
    assert review.sample_exercise(video) == "bird_dog"
    for broken in ("{not json", "[1, 2]", '{"exercise": 3}', '{"clip": "x"}'):
        truth.write_text(broken, encoding="utf-8")
        assert review.sample_exercise(video) is None, broken
    assert review.sample_exercise(REPO / "sample_videos" / "glute_bridge_side.mp4") in (
        "glute_bridge",
        None,  # the bundled samples are optional
    )


def test_run_review_writes_annotated_video_and_finds_moments(
    tiny_video: Path, tmp_path: Path
) -> None:
    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    result = review.run_review(
        tiny_video,
        load_spec("bird_dog"),
        None,
        tmp_path / "out",
        estimator=ReplayPoseEstimator(seq),
    )
    assert result.video_path is not None and result.video_path.is_file()
    assert result.session.source.frames == 20
    frame = review.frame_at(result.video_path, 1.0)
    assert frame is not None and frame.shape == (96, 128, 3)
    assert review.frame_at(result.video_path, float("nan")) is None
    assert review.review_warnings(result) == []


def test_every_review_run_writes_a_video_of_its_own(
    tiny_video: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    spec = load_spec("bird_dog")
    first, second = (
        review.run_review(
            tiny_video, spec, "left", out, estimator=ReplayPoseEstimator(seq)
        )
        for _ in range(2)
    )
    assert first.video_path is not None and second.video_path is not None
    assert first.video_path != second.video_path  # two tabs never share a file
    assert first.video_path.name.startswith(f"{tiny_video.stem}.bird_dog.left.")
    assert first.video_path.is_file() and second.video_path.is_file()
    # Old ones (and temporary files left by a killed run) are pruned.
    stale = out / ".x.annotated.mp4.abc.tmp"
    stale.write_bytes(b"x")
    day_ago = time.time() - 2 * review.OUTPUT_MAX_AGE_S
    for path in (first.video_path, stale):
        os.utime(path, (day_ago, day_ago))
    assert review.prune_old_outputs(out) == 2
    assert sorted(out.iterdir()) == [second.video_path]


def test_same_upload_from_two_tabs_is_stored_once_and_whole(
    tiny_video: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "uploads"
    data = tiny_video.read_bytes()
    one = review.store_upload("clip.mp4", data, folder, 10)
    two = review.store_upload("clip.mp4", data, folder, 10)
    assert one == two and one.read_bytes() == data
    assert [p.name for p in folder.iterdir()] == [one.name]


def test_review_warns_about_nobody_in_view(tiny_video: Path, tmp_path: Path) -> None:
    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    empty = PoseSequence(
        xy=np.full_like(seq.xy, np.nan),
        visibility=np.zeros_like(seq.visibility),
        timestamps_ms=seq.timestamps_ms,
        resolution_wh=seq.resolution_wh,
        fps=seq.fps,
    )
    result = review.run_review(
        tiny_video,
        load_spec("bird_dog"),
        None,
        tmp_path,
        estimator=ReplayPoseEstimator(empty),
    )
    assert any("Nobody was found" in w for w in review.review_warnings(result))


def test_truncated_video_is_analysed_up_to_the_break(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    full = tmp_path / "full.mp4"
    with VideoWriter(full, fps=10) as writer:
        for i in range(60):
            writer.write(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8), i * 100.0)
    data = full.read_bytes()
    cut = review.store_upload(
        "cut.mp4", data[: int(len(data) * 0.6)], tmp_path / "up", 10
    )
    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    result = review.run_review(
        cut,
        load_spec("bird_dog"),
        None,
        tmp_path / "out",
        estimator=ReplayPoseEstimator(seq),
    )
    assert 0 < result.session.source.frames < 60
    assert result.session.source.ended_early
    warnings = review.review_warnings(result)
    assert any("video ends early" in w for w in warnings)


def test_fault_moments_are_in_time_order(bird_dog_session: SessionRecord) -> None:
    from formcheck.results import FaultEvent

    faults = [
        FaultEvent(
            rule_id="back_moving",
            cue="Keep your back still.",
            severity="warn",
            start_s=t,
            end_s=t + 1,
            worst_value=12.0,
            side="left",
            rep_index=i + 1,
        )
        for i, t in enumerate([9.0, 2.0])
    ]
    # Rep 2 was spoiled by the fault; in rep 1 the same check was only a tip.
    reps = [
        bird_dog_session.reps[0].model_copy(update={"tips": ("back_moving",)}),
        bird_dog_session.reps[1].model_copy(
            update={"faults": ("back_moving",), "correct": False}
        ),
    ]
    session = bird_dog_session.model_copy(update={"faults": faults, "reps": reps})
    moments = review.fault_moments(session)
    assert [m.start_s for m in moments] == [2.0, 9.0]
    assert [m.index for m in moments] == [1, 0]
    assert moments[0].label == "2.0 s · rep 2 (left) · fault · Keep your back still."
    assert moments[1].label == "9.0 s · rep 1 (left) · tip · Keep your back still."


# ------------------------------------------------------------ plots, report
def test_timeline_has_signals_bands_and_clickable_faults(
    bird_dog_session: SessionRecord,
) -> None:
    from formcheck.results import FaultEvent

    spec = load_spec("bird_dog")
    fault = FaultEvent(
        rule_id="back_moving",
        cue="Keep your back still.",
        severity="warn",
        start_s=3.0,
        end_s=4.0,
        worst_value=12.0,
        side="right",
        rep_index=1,
    )
    spoiled = bird_dog_session.reps[0].model_copy(
        update={"faults": ("back_moving",), "correct": False}
    )
    session = bird_dog_session.model_copy(
        update={"faults": [fault], "reps": [spoiled, *bird_dog_session.reps[1:]]}
    )
    names = plots.key_signals(session, spec)
    assert names[0] == "extension"  # the rep signal first
    assert names[1] == "trunk_drift"  # then the signal that faulted
    fig = plots.timeline_figure(session, spec)
    markers = [t for t in fig.data if t.name == "fault"]
    assert len(markers) == 1 and list(markers[0].customdata) == [0]
    assert fig.layout.shapes, "target bands and rep spans are drawn"
    # Without a spec: every recorded signal, no bands.
    assert plots.key_signals(session, None)[0] in session.signals.values


def test_progress_figure_has_one_line_per_exercise(
    bird_dog_session: SessionRecord,
) -> None:
    later = bird_dog_session.model_copy(
        update={"created_utc": "2099-01-01T00:00:00+00:00"}
    )
    fig = plots.progress_figure([later, bird_dog_session])
    assert [t.name for t in fig.data] == ["Bird dog", "Bird dog"]
    assert len(fig.data[0].x) == 2
    assert list(fig.data[1].y) == [100.0, 100.0]


def test_report_is_self_contained_html(bird_dog_session: SessionRecord) -> None:
    rx = Prescription(
        patient="Jane Doe", exercise="bird_dog", reps=6, painful_side="left"
    )
    html = report.build_report_html(
        [("s1", bird_dog_session), ("s2", bird_dog_session)],
        {"bird_dog": load_spec("bird_dog")},
        patient="Jane Doe",
        prescriptions=[rx],
    )
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("plotly.js v") <= 2  # the library is inlined once
    assert "<script src=" not in html  # nothing fetched: works offline
    assert "Jane Doe" in html and "Red flags" in html and "Prescription" in html
    rows = report.rep_rows(bird_dog_session)
    assert [r["rep"] for r in rows] == [1, 2]
    assert report.summary_row(bird_dog_session, "s1")["reps"] == 2

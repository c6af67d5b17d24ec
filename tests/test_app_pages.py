"""Every page of the Streamlit app, through ``streamlit.testing.v1.AppTest``.

No model and no browser: a replay pose estimator is injected through
``st.session_state`` (``formcheck.app_support.ui.ESTIMATOR_HOOK``), and the
Live page's webcam component is left out under AppTest, so the tests drive
its :class:`LiveProcessor` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from formcheck.analyze import analyze_landmarks
from formcheck.app_support.live import LiveProcessor
from formcheck.app_support.ui import ESTIMATOR_HOOK
from formcheck.clinic import SymptomLocation
from formcheck.pose import ReplayPoseEstimator
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord
from formcheck.specs import load_spec
from formcheck.store.sql import Database, SqlStore, load_database_config
from formcheck.store.sql.models import PrescriptionRow
from formcheck.types import PoseSequence
from formcheck.video import VideoWriter
from tests.conftest import DATA, REPO

TIMEOUT = 60


@pytest.fixture(scope="module")
def bird_dog() -> PoseSequence:
    return PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")


@pytest.fixture(scope="module")
def bird_dog_session(bird_dog: PoseSequence) -> SessionRecord:
    return analyze_landmarks(bird_dog, load_spec("bird_dog")).session


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh FORMCHECK_HOME and an empty samples folder."""
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FORMCHECK_SAMPLES", str(tmp_path / "samples"))
    monkeypatch.delenv("FORMCHECK_ICE_SERVERS", raising=False)
    return tmp_path / "home"


@pytest.fixture
def local_database(home: Path) -> Iterator[Database]:
    """The local-mode database the app uses in ``home`` (SQLite)."""
    db = Database.open(load_database_config(env={"FORMCHECK_HOME": str(home)}))
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def saved(local_database: Database) -> SqlStore:
    """What the app has stored, as the one local user sees it."""
    return local_database.store(local_database.local_principal())


@pytest.fixture
def tiny_video(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.mp4"
    with VideoWriter(path, fps=10) as writer:
        for i in range(20):
            writer.write(np.full((96, 128, 3), 10 * i, np.uint8), i * 100.0)
    return path


def open_page(page: str, estimator: Callable[[], object] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    if estimator is not None:
        at.session_state[ESTIMATOR_HOOK] = estimator
    if page != "app.py":
        at.switch_page(page)
    return at.run()


def texts(elements: object) -> list[str]:
    return [e.value for e in elements]  # type: ignore[attr-defined]


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# --------------------------------------------------------------------- home
def test_home_page_links_every_page(home: Path) -> None:
    at = open_page("app.py")
    no_exceptions(at)
    assert at.title[0].value == "formcheck"
    assert any("Red flags" in m for m in texts(at.markdown))


# --------------------------------------------------------------------- live
def feed_live(at: AppTest, count: int, start: int = 0) -> LiveProcessor:
    """Frames 30 fps through the page's processor (the replay serves frame i)."""
    processor: LiveProcessor = at.session_state["live_processor"][1]
    for i in range(start, start + count):
        processor.process(np.zeros((96, 54, 3), np.uint8), i * 1000 / 30)
    return processor


def test_live_page_selects_an_exercise(home: Path, bird_dog: PoseSequence) -> None:
    at = open_page("pages/1_Live.py", lambda: ReplayPoseEstimator(bird_dog))
    no_exceptions(at)
    # The choices are in the page itself, not in the sidebar (reachable on a phone).
    assert not at.sidebar.selectbox
    at.selectbox(key="live_exercise").select("glute_bridge").run()
    no_exceptions(at)
    processor: LiveProcessor = at.session_state["live_processor"][1]
    assert processor.spec is not None and processor.spec.id == "glute_bridge"
    assert any("Glute bridge" in m and "12 reps" in m for m in texts(at.markdown))
    # The side choice exists for exercises measured on one side.
    assert at.selectbox(key="live_side").value is None
    assert any("Press START" in i for i in texts(at.info))
    assert any("Red flags" in m for m in texts(at.markdown))


def test_live_page_shows_reps_saves_the_set_and_asks_where_the_symptoms_are(
    home: Path, bird_dog: PoseSequence, saved: SqlStore
) -> None:
    at = open_page("pages/1_Live.py", lambda: ReplayPoseEstimator(bird_dog))
    at.selectbox(key="live_exercise").select("bird_dog").run()
    at.radio(key="live_symptoms_before").set_value(SymptomLocation.BUTTOCK).run()
    processor = feed_live(at, len(bird_dog))
    at.run()  # no stream under AppTest: the page finalises the set
    no_exceptions(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reps"] == "2 of 10"
    assert (metrics["Correct"], metrics["With a fault"]) == ("2", "0")
    # The page's figures are the record's: tips counted apart from faults.
    (saved_set,) = processor.saved_sets
    assert metrics["Tips"] == str(saved_set.record.summary.tips)
    assert any("Left: 1" in c and "Right: 1" in c for c in texts(at.caption))
    refs = saved.list_sessions()
    assert len(refs) == 1
    assert any(refs[0].id in c for c in texts(at.caption))
    markdown = texts(at.markdown)
    assert any("Bird dog: set 1 done" in m for m in markdown)
    assert any("Where are your symptoms now?" in m for m in markdown)
    # After STOP: the set's summary, then the question, then "Press START".
    order = [
        getattr(e, "value", "")
        for e in at.main
        if getattr(e, "type", "") in ("markdown", "alert") or e.type == "info"
    ]
    done = next(i for i, v in enumerate(order) if "set 1 done" in str(v))
    question = next(i for i, v in enumerate(order) if "Where are your" in str(v))
    start = next(i for i, v in enumerate(order) if "Press START" in str(v))
    assert done < question < start, order
    at.radio(key="symptom_place_0_1").set_value(SymptomLocation.BELOW_KNEE)
    at.radio(key="symptom_worse_0_1").set_value("Yes")
    at.button(key="symptom_save_0_1").click().run()
    no_exceptions(at)
    assert any("spread further down your leg" in e for e in texts(at.error))
    assert any("from buttock to below the knee" in e for e in texts(at.error))
    assert processor.phase == "stopped"
    record = saved.load_session(refs[0].id)
    assert [(r.before, r.location, r.worse) for r in record.symptoms] == [
        (SymptomLocation.BUTTOCK, SymptomLocation.BELOW_KNEE, True)
    ]


def test_live_page_shows_hold_figures_for_a_hold(
    home: Path, bird_dog: PoseSequence
) -> None:
    at = open_page("pages/1_Live.py", lambda: ReplayPoseEstimator(bird_dog))
    at.selectbox(key="live_exercise").select("childs_pose").run()
    feed_live(at, 120)
    at.run()
    no_exceptions(at)
    labels = [m.label for m in at.metric]
    assert labels == ["Holds done", "Longest hold", "Faults", "Tips"]


@pytest.mark.parametrize("patient_first", [False, True])
def test_live_page_loads_the_prescribed_side_and_targets_in_either_order(
    home: Path, bird_dog: PoseSequence, saved: SqlStore, patient_first: bool
) -> None:
    saved.save_prescription(
        Prescription(
            patient="Jane Doe",
            exercise="glute_bridge",
            reps=6,
            sets=2,
            painful_side="right",
        )
    )
    at = open_page("pages/1_Live.py", lambda: ReplayPoseEstimator(bird_dog))
    # A side chosen earlier for another exercise must not stick.
    at.selectbox(key="live_exercise").select("piriformis_stretch").run()
    at.selectbox(key="live_side").select("left").run()
    steps = [
        lambda: at.selectbox(key="live_exercise").select("glute_bridge").run(),
        lambda: at.selectbox(key="live_patient").select("Jane Doe").run(),
    ]
    for step in reversed(steps) if patient_first else steps:
        step()
    no_exceptions(at)
    assert at.selectbox(key="live_side").value == "right"
    processor: LiveProcessor = at.session_state["live_processor"][1]
    assert processor.target_reps == 6 and processor.target_sets == 2
    assert processor.side == "right"
    assert any("6 reps × 2 sets" in m for m in texts(at.markdown))


def test_live_page_reports_a_broken_prescription(
    home: Path, bird_dog: PoseSequence, local_database: Database, saved: SqlStore
) -> None:
    saved.save_prescription(
        Prescription(patient="Jane Doe", exercise="glute_bridge", reps=6, sets=2)
    )
    saved.save_prescription(Prescription(patient="Jane Doe", exercise="bird_dog"))
    with local_database.transaction() as session:  # damage the stored document
        row = session.scalars(
            sa.select(PrescriptionRow).where(PrescriptionRow.exercise_id == "bird_dog")
        ).one()
        row.document = '{"format": "formcheck-prescription", "reps": "many"'

    at = open_page("pages/1_Live.py", lambda: ReplayPoseEstimator(bird_dog))
    at.selectbox(key="live_patient").select("Jane Doe").run()
    at.selectbox(key="live_exercise").select("bird_dog").run()
    no_exceptions(at)
    assert any("not valid JSON" in e for e in texts(at.error))
    assert any("Bird dog: 10 reps" in m for m in texts(at.markdown))  # defaults


def test_live_page_runs_a_routine_hands_free(
    home: Path, bird_dog: PoseSequence
) -> None:
    at = open_page("pages/1_Live.py", lambda: ReplayPoseEstimator(bird_dog))
    at.radio(key="live_mode").set_value("A routine").run()
    at.selectbox(key="live_routine").select("gentle_daily").run()
    no_exceptions(at)
    plan = at.session_state["live_processor"][1].plan
    assert plan.steps[0].step.label == "Walking in place"
    assert plan.steps[0].step.timed_s == 120
    assert any("1. Walking in place: 1 × 2 min" in m for m in texts(at.markdown))
    # Start later in the routine: no Prev/Next, a choice of the first step.
    at.selectbox(key="live_start_gentle_daily").select(1).run()
    processor: LiveProcessor = at.session_state["live_processor"][1]
    assert processor.plan.start_at == 1
    assert processor.spec is not None and processor.spec.id == "pelvic_tilt"


def test_live_page_offers_the_seed_routines_with_their_length(
    home: Path, bird_dog: PoseSequence
) -> None:
    from formcheck.routines import list_routines
    from formcheck.specs import load_all

    at = open_page("pages/1_Live.py", lambda: ReplayPoseEstimator(bird_dog))
    at.radio(key="live_mode").set_value("A routine").run()
    no_exceptions(at)
    options = at.selectbox(key="live_routine").options
    specs = load_all()
    for routine_id in ("gentle_daily", "relief_8_minutes", "phase_1_acute"):
        routine = list_routines()[routine_id]
        minutes = round(routine.total_seconds(specs) / 60)
        assert f"{routine.name} — about {minutes} min" in options
    assert "Gentle daily routine — about 15 min" in options
    assert "Sciatica relief in 8 minutes — about 7 min" in options
    # The phase routine's description (when to move on, when to get help) is shown.
    at.selectbox(key="live_routine").select("phase_1_acute").run()
    no_exceptions(at)
    assert any("2–4 weeks" in c for c in texts(at.caption))


def test_live_page_shows_a_clinic_patient_only_their_prescriptions(
    home: Path,
    bird_dog: PoseSequence,
    saved: SqlStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from formcheck.app_support import ui

    for exercise, reps in (("glute_bridge", 8), ("bird_dog", 6)):
        saved.save_prescription(
            Prescription(patient="jane", exercise=exercise, reps=reps)
        )
    saved.save_prescription(Prescription(patient="bob", exercise="clamshell", reps=5))
    patient = ui.Viewer(
        clinic=True, name="Jane", patient="jane", is_patient=True, is_therapist=False
    )
    monkeypatch.setattr(ui, "viewer", lambda: patient)
    at = open_page("pages/1_Live.py", lambda: ReplayPoseEstimator(bird_dog))
    no_exceptions(at)
    # Nothing to choose: no exercise, routine or patient pickers.
    keys = {w.key for w in [*at.selectbox, *at.radio]}
    assert not keys & {"live_exercise", "live_routine", "live_patient", "live_mode"}
    plan = at.session_state["live_processor"][1].plan
    assert [(s.spec.id, s.step.target) for s in plan.steps] == [
        ("bird_dog", "6 reps"),
        ("glute_bridge", "8 reps × 2 sets"),
    ]
    assert plan.patient == "jane"


def test_live_page_reports_a_malformed_ice_configuration(
    home: Path, bird_dog: PoseSequence, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMCHECK_ICE_SERVERS", "[{oops")
    at = open_page("pages/1_Live.py", lambda: ReplayPoseEstimator(bird_dog))
    no_exceptions(at)
    assert any(
        "FORMCHECK_ICE_SERVERS: not valid JSON" in w for w in texts(at.sidebar.warning)
    )


# ------------------------------------------------------------------- review
def test_review_page_analyses_an_upload(
    home: Path, bird_dog: PoseSequence, tiny_video: Path, saved: SqlStore
) -> None:
    at = open_page("pages/2_Review.py", lambda: ReplayPoseEstimator(bird_dog))
    no_exceptions(at)
    at.selectbox(key="review_exercise").select("bird_dog").run()
    at.file_uploader(key="review_upload").set_value(
        ("tiny.mp4", tiny_video.read_bytes(), "video/mp4")
    )
    at.run()
    at.button(key="review_go").click().run()
    no_exceptions(at)
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reps"] == "0"
    assert len(at.dataframe) >= 1  # the per-rep table
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Session (JSON)", "Repetitions (CSV)", "Annotated video (MP4)"]
    at.button(key="review_save").click().run()
    assert len(saved.list_sessions()) == 1
    assert any(s.startswith("Saved (") for s in texts(at.success))


def test_review_page_rejects_a_non_video(home: Path, bird_dog: PoseSequence) -> None:
    at = open_page("pages/2_Review.py", lambda: ReplayPoseEstimator(bird_dog))
    at.file_uploader(key="review_upload").set_value(
        ("holiday.mp4", b"this is a text file, not a video", "video/mp4")
    )
    at.run()
    no_exceptions(at)
    assert any(
        e.startswith("holiday.mp4: ") and "not a video" in e for e in texts(at.error)
    )
    assert at.button(key="review_go").disabled


def test_review_page_without_samples_says_so(home: Path) -> None:
    at = open_page("pages/2_Review.py")
    at.radio(key="review_source").set_value("A sample video").run()
    no_exceptions(at)
    assert any("No sample videos yet" in i for i in texts(at.info))


def test_review_page_analyses_a_sample(
    home: Path, bird_dog: PoseSequence, tiny_video: Path
) -> None:
    samples = home.parent / "samples"
    samples.mkdir()
    (samples / "bridge_demo.mp4").write_bytes(tiny_video.read_bytes())
    (samples / "bridge_demo.truth.json").write_text(
        '{"clip": "bridge_demo", "exercise": "glute_bridge"}', encoding="utf-8"
    )
    (samples / "z_no_truth.mp4").write_bytes(tiny_video.read_bytes())
    at = open_page("pages/2_Review.py", lambda: ReplayPoseEstimator(bird_dog))
    assert at.selectbox(key="review_exercise").value != "glute_bridge"
    at.radio(key="review_source").set_value("A sample video").run()
    assert at.selectbox(key="review_sample").value.name == "bridge_demo.mp4"
    # The sample's truth file preselects the exercise it shows.
    assert at.selectbox(key="review_exercise").value == "glute_bridge"
    # A sample without one leaves the choice alone, and the user may change it.
    at.selectbox(key="review_exercise").select("cat_cow").run()
    at.selectbox(key="review_sample").select(samples / "z_no_truth.mp4").run()
    assert at.selectbox(key="review_exercise").value == "cat_cow"
    at.selectbox(key="review_sample").select(samples / "bridge_demo.mp4").run()
    assert at.selectbox(key="review_exercise").value == "glute_bridge"
    at.button(key="review_go").click().run()
    no_exceptions(at)
    assert at.subheader[0].value.endswith("bridge_demo.mp4")


# ---------------------------------------------------------------- therapist
def test_therapist_page_loads_shared_session_json(
    home: Path, bird_dog_session: SessionRecord
) -> None:
    at = open_page("pages/3_Therapist.py")
    no_exceptions(at)
    at.file_uploader(key="ther_upload").set_value(
        [
            (
                "jane.session.json",
                bird_dog_session.to_json().encode(),
                "application/json",
            ),
            (
                "broken.json",
                b'{"format": "formcheck-session", "format_version": 1}',
                "application/json",
            ),
        ]
    )
    at.run()
    no_exceptions(at)
    errors = texts(at.error)
    assert len(errors) == 1 and errors[0].startswith("broken.json: ")
    summary = at.dataframe[0].value
    assert list(summary["reps"]) == [2]
    assert list(summary["exercise"]) == ["Bird dog"]


def test_therapist_page_compares_sessions_and_builds_a_report(
    home: Path, bird_dog_session: SessionRecord, saved: SqlStore
) -> None:
    saved.save_session(
        bird_dog_session.model_copy(update={"created_utc": "2026-01-01T10:00:00+00:00"})
    )
    saved.save_session(
        bird_dog_session.model_copy(update={"created_utc": "2026-01-08T10:00:00+00:00"})
    )
    at = open_page("pages/3_Therapist.py")
    ms = at.multiselect(key="ther_sessions")
    assert len(ms.options) == 2
    ms.set_value(list(ms.options)).run()  # type: ignore[arg-type]
    no_exceptions(at)
    assert any("Progress across sessions" in m for m in texts(at.markdown))
    at.button(key="report_build").click().run()
    no_exceptions(at)
    assert [b.label for b in at.get("download_button")] == [
        "Download report (HTML, works offline, printable)",
        "Download report (PDF)",
    ]
    assert at.session_state["report_html"].startswith("<!DOCTYPE html>")
    assert at.session_state["report_pdf"].startswith(b"%PDF-")


def test_therapist_page_saves_a_prescription(home: Path, saved: SqlStore) -> None:
    at = open_page("pages/3_Therapist.py")
    at.text_input(key="rx_patient").input("Jane Doe").run()
    at.selectbox(key="rx_exercise").select("bird_dog").run()
    at.selectbox(key="rx_side_bird_dog").select("left").run()
    at.number_input(key="rx_reps_bird_dog").set_value(6).run()
    at.checkbox(key="rx_depth_on_bird_dog").check().run()
    at.number_input(key="rx_enter_bird_dog").set_value(95.0).run()
    at.button(key="rx_save").click().run()
    no_exceptions(at)
    assert (
        "How far a repetition must go (extension) must be between 50° and 80° "
        "for Bird dog, but got 95°"
    ) in texts(at.error)
    assert "Jane Doe" not in saved.patients()
    at.number_input(key="rx_enter_bird_dog").set_value(70.0).run()
    at.button(key="rx_save").click().run()
    no_exceptions(at)
    assert not at.error
    assert any("Saved Bird dog for Jane Doe" in s for s in texts(at.success))
    stored = saved.prescription("Jane Doe", "bird_dog")
    assert stored is not None
    assert (stored.reps, stored.painful_side, stored.rep_enter) == (6, "left", 70.0)


def test_therapist_page_rejects_a_bad_patient_name(home: Path) -> None:
    at = open_page("pages/3_Therapist.py")
    at.text_input(key="rx_patient").input("../etc").run()
    no_exceptions(at)
    assert any("patient name must be" in e for e in texts(at.error))


# ---------------------------------------------------------------- exercises
def test_exercises_page_shows_the_chosen_exercise(home: Path) -> None:
    at = open_page("pages/4_Exercises.py")
    no_exceptions(at)
    at.selectbox(key="library_exercise").select("glute_bridge").run()
    no_exceptions(at)
    spec = load_spec("glute_bridge")
    assert at.header[0].value == spec.name
    subheaders = texts(at.subheader)
    for section in (
        "How to do it",
        "Where to put the camera",
        "What is checked",
        "What the camera cannot see",
        "Safety",
    ):
        assert section in subheaders
    # A static table (not a scrolling grid): every column is on the page.
    checked = at.table[0].value
    assert list(checked.columns) == [
        "check", "what you hear", "when", "how it is measured",
    ]  # fmt: skip
    assert set(checked["what you hear"]) == {r.cue for r in spec.rules}
    proxies = [r for r in spec.rules if r.observability == "proxy"]
    assert proxies
    for rule in proxies:
        assert f"by a proxy: {rule.detail}" in set(checked["how it is measured"])
    assert any(spec.safety.stop_if in m for m in texts(at.markdown))


@pytest.mark.parametrize("exercise", ["glute_bridge", "clamshell"])
def test_exercises_page_shows_start_end_and_camera_pictures(
    home: Path, exercise: str
) -> None:
    at = open_page("pages/4_Exercises.py")
    at.selectbox(key="library_exercise").select(exercise).run()
    no_exceptions(at)
    spec = load_spec(exercise)
    captions = [c for image in at.image for c in image.captions]
    assert len(captions) == 3
    start, end, camera = captions
    assert "start position" in start
    assert "end position" in end
    low, high = spec.camera.distance_m
    assert f"{low:g}–{high:g} m away" in camera
    assert spec.camera.view.replace("_", " ") in camera
    assert all(url for image in at.image for url in image.value)


def test_exercises_page_lists_the_seated_twist_with_its_camera_placement(
    home: Path,
) -> None:
    at = open_page("pages/4_Exercises.py")
    assert "Seated torso twist" in at.selectbox(key="library_exercise").options
    at.selectbox(key="library_exercise").select("seated_torso_twist").run()
    no_exceptions(at)
    spec = load_spec("seated_torso_twist")
    assert at.header[0].value == "Seated torso twist"
    markdown = texts(at.markdown)
    assert spec.camera.framing in markdown
    assert any("View: **front**" in m for m in markdown)
    assert any("Twisting can aggravate sciatica" in m for m in markdown)

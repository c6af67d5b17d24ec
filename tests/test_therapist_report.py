"""The patient report (HTML and PDF), the symptom charts and the replay figure."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from formcheck.app_support.clinic_report import ClinicReport, build_clinic_report
from formcheck.app_support.replay_figure import LIGHT_COLOUR, replay_figure
from formcheck.app_support.report import build_report_html
from formcheck.app_support.report_pdf import FRAME_W, build_report_pdf, col_widths
from formcheck.app_support.symptom_plots import STYLE, symptom_figure
from formcheck.clinic import Comment, SignOff, SymptomLocation, VerdictLevel
from formcheck.clinician.model import Light, SymptomChange
from formcheck.clinician.patient import PatientData, Period
from formcheck.clinician.replay import Replay, items_of
from formcheck.clinician.symptoms import SymptomPoint
from formcheck.landmarks import Side
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord, SymptomReport
from formcheck.results import FaultEvent, Severity
from formcheck.specs import load_all, load_spec
from formcheck.store import SessionRef

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
HOSTILE = '<img src="http://tracker.example/x.png"> **bold** & done'
L = SymptomLocation


def at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat(timespec="seconds")


@pytest.fixture(scope="module")
def specs() -> dict:  # type: ignore[type-arg]
    return dict(load_all())


@pytest.fixture(scope="module")
def patient_data(bird_dog_record: SessionRecord) -> PatientData:
    report = SymptomReport(
        location=L.BUTTOCK, worse=False, before=L.THIGH, answered_utc=at(2)
    )
    press = bird_dog_record.model_copy(
        update={"created_utc": at(2), "patient": "Ann", "symptoms": [report]}
    )
    later = bird_dog_record.model_copy(update={"created_utc": at(1), "patient": "Ann"})
    refs = [
        SessionRef(f"{i:032x}", "Ann", "bird_dog", r.created_utc, f"set{i}")
        for i, r in enumerate((press, later), 1)
    ]
    sid = refs[0].id
    return PatientData(
        patient="Ann",
        refs=refs,
        sessions=list(zip(refs, (press, later), strict=True)),
        prescriptions={
            "bird_dog": Prescription(
                patient="Ann", exercise="bird_dog", sets=2, created_utc=at(10)
            )
        },
        comments=[
            Comment(
                id=1,
                patient="ann",
                author_name="Dr A",
                text=HOSTILE,
                session_id=sid,
                rep_index=1,
                created_utc=NOW - timedelta(days=1),
            )
        ],
        sign_offs={
            sid: [
                SignOff(
                    id=1,
                    session_id=sid,
                    level=VerdictLevel.REP,
                    index=2,
                    agree=False,
                    note="hips dropped",
                    author_name="Dr A",
                    created_utc=NOW - timedelta(days=1),
                    seen_fault="back_sagging",
                )
            ]
        },
        notes=True,
    )


@pytest.fixture(scope="module")
def clinic(patient_data: PatientData, specs: dict) -> ClinicReport:  # type: ignore[type-arg]
    return build_clinic_report(patient_data, specs, "Ann Example", Period(), NOW)


def test_clinic_report_tables(clinic: ClinicReport) -> None:
    assert clinic.adherence == [
        {"window": "last 7 days", "sets done / prescribed": "2/14 (14 %)"},
        {"window": "last 28 days", "sets done / prescribed": "2/20 (10 %)"},
    ]
    (bird_dog,) = clinic.exercises
    assert (bird_dog["exercise"], bird_dog["sets"], bird_dog["repetitions"]) == (
        "Bird dog",
        2,
        4,
    )
    assert bird_dog["range of motion"].endswith(" deg")
    (off,) = clinic.sign_offs
    assert (off["what"], off["formcheck"], off["therapist"]) == (
        "repetition/hold 2",
        "correct",
        "disagrees: back_sagging",
    )
    (comment,) = clinic.comments
    assert comment["about"] == "set1, repetition 1"
    assert clinic.tendencies[0]["centralised"] == 1


def test_html_report_shows_the_notes_as_text(
    patient_data: PatientData,
    clinic: ClinicReport,
    specs: dict,  # type: ignore[type-arg]
) -> None:
    sessions = [(ref.label, r) for ref, r in patient_data.sessions]
    html = build_report_html(sessions, specs, clinic=clinic)
    assert "Patient: <b>Ann Example</b>" in html
    assert "tracker.example" not in html.replace(
        "&lt;img src=&#34;http://tracker.example", ""
    )
    assert "&lt;img src=" in html and "<img" not in html
    assert "disagrees: back_sagging" in html and "hips dropped" in html
    assert "Symptoms over time" in html and "Adherence" in html
    assert html.count("plotly.js v") == 1  # the library is inlined once


def test_pdf_report_is_a4_and_holds_the_patient_parts(
    patient_data: PatientData,
    clinic: ClinicReport,
    specs: dict,  # type: ignore[type-arg]
) -> None:
    sessions = [(ref.label, r) for ref, r in patient_data.sessions]
    pdf = build_report_pdf(
        sessions, specs, clinic, list(patient_data.prescriptions.values())
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert all(
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) == (595, 842)
        for p in reader.pages
    )
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Ann Example",
        "Adherence",
        "Per exercise",
        "Symptoms over time",
        "disagrees: back_sagging",
        '<img src="http://tracker.example/x.png"> **bold** & done',
        "Red flags",
    ):
        assert expected in " ".join(text.split()), expected


PATIENT_NAME = "<script>alert('x')</script> O'Brien & <b>Jane</b> **Ann**"


class _Text(HTMLParser):
    """The text pieces of a document (entities decoded) and its tags."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)


def test_report_shows_the_patient_name_as_plain_text(
    patient_data: PatientData,
    specs: dict,  # type: ignore[type-arg]
) -> None:
    sessions = [
        (ref.label, r.model_copy(update={"patient": PATIENT_NAME}))
        for ref, r in patient_data.sessions
    ]
    clinic = build_clinic_report(patient_data, specs, PATIENT_NAME, Period(), NOW)
    html = build_report_html(sessions, specs, clinic=clinic)
    assert "<script>alert" not in html and "<b>Jane</b>" not in html
    parsed = _Text()
    parsed.feed(html)
    assert PATIENT_NAME in parsed.pieces  # escaped, so shown exactly as typed
    assert parsed.tags.count("b") == html.count("<b>")  # no tag from the name
    pdf = build_report_pdf(sessions, specs, clinic, [])
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert f"Patient: {PATIENT_NAME} · period" in text  # literal, not markup


def test_pdf_tables_take_the_page_width_however_long_the_text() -> None:
    rows = [{"a": "x" * 500, "b": 1, "c": "short"}, {"a": "", "b": 2, "c": "y"}]
    widths = col_widths(rows)
    assert sum(widths) == pytest.approx(FRAME_W)
    assert min(widths) > 30  # no column squeezed away


def test_symptom_chart_one_panel_per_exercise_with_shapes() -> None:
    points = [
        SymptomPoint(
            NOW - timedelta(days=3),
            "mckenzie_press_up",
            None,
            L.BUTTOCK,
            False,
            L.THIGH,
        ),
        SymptomPoint(
            NOW - timedelta(days=2), "knee_to_chest_double", None, L.FOOT, True, L.THIGH
        ),
        SymptomPoint(
            NOW - timedelta(days=1), "knee_to_chest_double", None, L.FOOT, True, None
        ),
    ]
    fig = symptom_figure(points, {"mckenzie_press_up": "McKenzie press-up"})
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["McKenzie press-up", "knee_to_chest_double"]
    symbols = {t.marker.symbol for t in fig.data if t.mode == "markers"}
    assert symbols == {
        STYLE[SymptomChange.CENTRALISED][0],
        STYLE[SymptomChange.PERIPHERALISED][0],
        STYLE[SymptomChange.UNKNOWN][0],
    }
    assert {fig.layout[f"yaxis{i}"].title.text for i in ("", "2")} == {"symptoms reach"}


def test_replay_figure_frames_and_fault_buttons(bird_dog_record: SessionRecord) -> None:
    spec = load_spec("bird_dog")
    fault = FaultEvent(
        rule_id="back_sagging",
        cue="Keep your hips level",
        severity=Severity.WARN,
        start_s=3.0,
        end_s=3.8,
        worst_value=12.0,
        side=Side.RIGHT,
        rep_index=1,
    )
    record = bird_dog_record.model_copy(update={"faults": [fault]})
    replay = Replay.of(record, spec)
    first = items_of(record)[0]
    fig = replay_figure(replay, first, record, "extension").to_dict()
    frames = fig["frames"]
    assert 40 <= len(frames) <= 90  # ~4.7 s at 15 frames per second
    assert [f["name"] for f in frames] == [str(i) for i in range(len(frames))]
    assert all(len(f["data"][0]["x"]) == len(frames[0]["data"][0]["x"]) for f in frames)
    jump = fig["layout"]["updatemenus"][1]["buttons"][0]
    assert jump["label"] == "⤳ back_sagging at 3.0 s"
    (target,) = jump["args"][0]
    frame_time = float(fig["layout"]["sliders"][0]["steps"][int(target)]["label"][:-2])
    assert frame_time == pytest.approx(3.0, abs=0.07)
    colours = {c for f in frames for c in f["data"][1]["marker"]["color"]}
    assert colours <= set(LIGHT_COLOUR.values())
    assert LIGHT_COLOUR[Light.PASS] in colours

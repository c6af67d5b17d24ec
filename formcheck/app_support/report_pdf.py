"""The clinical report as a real PDF (ReportLab), for one patient and a period.

ReportLab was chosen over WeasyPrint because it is a wheel with no system
libraries (WeasyPrint needs Pango and its fonts from the operating system),
so it installs offline from PyPI on any machine formcheck runs on.

The PDF holds what the HTML report holds at the patient level — adherence,
one line per exercise, every session's summary and repetitions, the symptom
trend with one chart per exercise, the direction preference, the
therapist's sign-offs and comments — on A4 pages. Every table is given the
page's width and wraps its cells, so nothing runs off the page; charts use
marker shapes as well as colours, so they read in black and white. User text
is set as text (escaped), never interpreted as markup.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from formcheck import __version__
from formcheck.clinic import SymptomLocation
from formcheck.clinician import texts
from formcheck.clinician.model import SymptomChange
from formcheck.clinician.symptoms import SymptomPoint
from formcheck.prescription import Prescription
from formcheck.record.model import SessionRecord
from formcheck.specs.schema import ExerciseSpec

from . import safety
from .clinic_report import ClinicReport
from .report import _cell, _prescription_rows, rep_rows, summary_row

Row = dict[str, Any]
PAGE_W: float = float(A4[0])
MARGIN: float = 15 * float(mm)
#: Width between the margins, in points.
FRAME_W: float = PAGE_W - 2 * MARGIN
#: Narrowest a table column may be.
MIN_COL: float = 12 * float(mm)
CHART_H: float = 42 * float(mm)
CHANGE_COLOUR = {
    SymptomChange.CENTRALISED: colors.HexColor("#2ca02c"),
    SymptomChange.PERIPHERALISED: colors.HexColor("#d62728"),
    SymptomChange.UNCHANGED: colors.HexColor("#7f7f7f"),
    SymptomChange.UNKNOWN: colors.HexColor("#1f77b4"),
}


@cache
def _fonts() -> tuple[str, str]:
    """A Unicode font (DejaVu Sans, shipped with matplotlib) or Helvetica."""
    try:
        import matplotlib

        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont("FcSans", str(folder / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(
            TTFont("FcSans-Bold", str(folder / "DejaVuSans-Bold.ttf"))
        )
    except (ImportError, OSError):
        return "Helvetica", "Helvetica-Bold"
    return "FcSans", "FcSans-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", base["Title"], fontName=bold, fontSize=16),
        "h2": ParagraphStyle("h2", base["Heading2"], fontName=bold, fontSize=12),
        "h3": ParagraphStyle("h3", base["Heading3"], fontName=bold, fontSize=10),
        "body": ParagraphStyle("b", base["BodyText"], fontName=regular, fontSize=9),
        "small": ParagraphStyle(
            "s", base["BodyText"], fontName=regular, fontSize=7.5, leading=9
        ),
        "head": ParagraphStyle(
            "h", base["BodyText"], fontName=bold, fontSize=7.5, leading=9
        ),
    }


def _text(value: object) -> str:
    """User or table text as Paragraph markup that shows it literally."""
    return escape(_cell(value))


def col_widths(rows: Sequence[Row], width: float = FRAME_W) -> list[float]:
    """Column widths that fill ``width`` in proportion to the text they hold.

    Each column gets at least :data:`MIN_COL`; long texts wrap.
    """
    keys = list(rows[0])
    weights = []
    for key in keys:
        longest = max([len(key), *(len(_cell(r[key])) for r in rows)])
        weights.append(min(max(longest, 4), 40))
    total = sum(weights)
    widths = [max(MIN_COL, width * w / total) for w in weights]
    scale = width / sum(widths)
    return [w * scale for w in widths]


def _table(rows: Sequence[Row], styles: Mapping[str, ParagraphStyle]) -> Any:
    if not rows:
        return Paragraph("None.", styles["small"])
    keys = list(rows[0])
    data = [[Paragraph(_text(k), styles["head"]) for k in keys]]
    data += [[Paragraph(_text(r[k]), styles["small"]) for k in keys] for r in rows]
    table = Table(data, colWidths=col_widths(rows), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _marker(change: SymptomChange, x: float, y: float) -> Any:
    size = 3.2
    colour = CHANGE_COLOUR[change]
    if change is SymptomChange.CENTRALISED:
        return Polygon(
            [x - size, y - size, x + size, y - size, x, y + size],
            fillColor=colour,
            strokeColor=colour,
        )
    if change is SymptomChange.PERIPHERALISED:
        return Polygon(
            [x - size, y + size, x + size, y + size, x, y - size],
            fillColor=colour,
            strokeColor=colour,
        )
    filled = change is SymptomChange.UNCHANGED
    return Circle(
        x,
        y,
        size,
        fillColor=colour if filled else colors.white,
        strokeColor=colour,
    )


def symptom_chart(points: Sequence[SymptomPoint], title: str) -> Drawing:
    """One exercise's symptom answers over time, as a vector drawing.

    The y axis is where the symptoms reach (none … foot), the x axis the
    date; each answer is a triangle up (centralised), a triangle down
    (peripheralised), a filled circle (unchanged) or an open one (not known),
    joined to where the symptoms were before the set.
    """
    regular, _ = _fonts()
    drawing = Drawing(FRAME_W, CHART_H)
    left, right, bottom, top = 70.0, FRAME_W - 10, 16.0, CHART_H - 20
    levels = list(SymptomLocation)
    drawing.add(String(left, CHART_H - 9, title, fontName=regular, fontSize=8))

    def y_of(location: SymptomLocation) -> float:
        return bottom + (top - bottom) * location.rank / (len(levels) - 1)

    for loc in levels:
        y = y_of(loc)
        drawing.add(Line(left, y, right, y, strokeColor=colors.HexColor("#e6e6e6")))
        drawing.add(
            String(
                left - 4,
                y - 2.5,
                texts.location_text(loc),
                fontName=regular,
                fontSize=6.5,
                textAnchor="end",
            )
        )
    drawing.add(Line(left, bottom, right, bottom, strokeColor=colors.grey))
    stamps = [p.when.timestamp() for p in points]
    lo, hi = min(stamps), max(stamps)
    span = max(hi - lo, 86400.0)

    def x_of(when: datetime) -> float:
        return left + 8 + (right - left - 16) * (when.timestamp() - lo) / span

    for when in {points[0].when, points[-1].when}:
        drawing.add(
            String(
                x_of(when),
                bottom - 10,
                when.strftime("%Y-%m-%d"),
                fontName=regular,
                fontSize=6.5,
                textAnchor="middle",
            )
        )
    for p in points:
        x = x_of(p.when)
        if p.before is not None:
            drawing.add(
                Line(x, y_of(p.before), x, y_of(p.location), strokeColor=colors.grey)
            )
        drawing.add(_marker(p.change, x, y_of(p.location)))
    return drawing


def _symptoms(report: ClinicReport, styles: Mapping[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [Paragraph("Symptoms over time", styles["h2"])]
    by_exercise: dict[str, list[SymptomPoint]] = {}
    for p in sorted(report.points, key=lambda p: p.when):
        by_exercise.setdefault(p.exercise_id or "", []).append(p)
    if by_exercise:
        story.append(
            Paragraph(
                "▲ centralised (toward the back) · ▼ peripheralised (down the leg) · "
                "● unchanged · ○ not known",
                styles["small"],
            )
        )
    for key, points in by_exercise.items():
        name = report.names.get(key, key) if key else "exercise not known"
        story.append(KeepTogether([symptom_chart(points, name), Spacer(1, 3 * mm)]))
    story.append(_table(report.tendencies, styles))
    story += [Paragraph(_text(s), styles["body"]) for s in report.preference]
    return story


def _session_rows(record: SessionRecord, spec: ExerciseSpec | None) -> list[Row]:
    keep = ("rep", "side", "duration (s)", "result", "faults", "tips")
    return [
        {k: v for k, v in row.items() if k in keep or k.startswith("range of motion")}
        for row in rep_rows(record, spec)
    ]


def build_report_pdf(
    sessions: Sequence[tuple[str, SessionRecord]],
    specs: Mapping[str, ExerciseSpec],
    clinic: ClinicReport,
    prescriptions: Sequence[Prescription] = (),
    title: str = "formcheck exercise report",
) -> bytes:
    """The report as PDF bytes (A4).

    Args:
        sessions: ``(name, record)`` pairs in the period (any order).
        specs: Exercise specs by id.
        clinic: The patient-level parts (see :mod:`.clinic_report`).
        prescriptions: The patient's prescriptions.
        title: Report title.
    """
    s = _styles()
    ordered = sorted(sessions, key=lambda item: item[1].created_utc)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    story: list[Any] = [
        Paragraph(_text(title), s["title"]),
        Paragraph(
            f"Patient: <b>{_text(clinic.patient)}</b> · period: {_text(clinic.period)} · "
            f"{len(ordered)} session(s) · generated {generated} by formcheck "
            f"{_text(__version__)}. Movement data only: no video.",
            s["body"],
        ),
        Paragraph(_text(safety.NOT_A_MEDICAL_DEVICE), s["small"]),
    ]

    def section(heading: str, rows: Sequence[Row]) -> None:
        story.extend([Paragraph(heading, s["h2"]), _table(rows, s)])

    if prescriptions:
        section("Prescription", _prescription_rows(prescriptions, dict(specs)))
    section("Adherence", clinic.adherence)
    section("Per exercise", clinic.exercises)
    summary = [summary_row(r, name, specs.get(r.exercise.id)) for name, r in ordered]
    keep = (
        "date (UTC)",
        "exercise",
        "side",
        "reps",
        "correct",
        "with a fault",
        "holds done",
        "faults",
        "tips",
    )
    section("Sessions", [{k: row[k] for k in keep if k in row} for row in summary])
    story += _symptoms(clinic, s)
    section("Therapist's sign-offs", clinic.sign_offs)
    section("Comments to the patient", clinic.comments)
    story.append(Paragraph("Repetitions per session", s["h2"]))
    for name, record in ordered:
        story.append(
            Paragraph(
                _text(
                    f"{record.exercise.name} — {record.created_utc[:16].replace('T', ' ')} UTC ({name})"
                ),
                s["h3"],
            )
        )
        story.append(_table(_session_rows(record, specs.get(record.exercise.id)), s))
    story.append(Paragraph(_text(safety.RED_FLAGS_TITLE), s["h2"]))
    story += [
        Paragraph(_text(flag.replace("**", "")), s["small"])
        for flag in safety.RED_FLAGS
    ]
    story.append(Paragraph(_text(safety.SEE_GP.replace("**", "")), s["small"]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="formcheck",
        invariant=True,
    )
    doc.build(story)
    return buffer.getvalue()

"""Tables and the printable clinical report.

The tables are plain lists of dicts (``st.dataframe`` shows them as is; one
type per column). The report is one self-contained HTML file rendered from
the Jinja2 template ``templates/report.html`` with autoescaping: names,
notes, warnings and cues from shared sessions are shown as text, never as
markup or links, and a Content-Security-Policy keeps the file from loading
anything. The plotly library is inlined once, so it opens offline and can be
printed or attached to a clinical record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from formcheck import __version__, messages
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord
from formcheck.specs.schema import ExerciseSpec
from formcheck.units import plain_amount, rep_signal_unit, unit_name
from formcheck.verdicts import EventKind, event_kind, rep_verdict

from . import safety
from .clinic_report import ClinicReport
from .plots import cached_timeline_figure, progress_figure
from .symptom_plots import symptom_figure

Row = dict[str, Any]


def _cue_of(session: SessionRecord, rule_id: str) -> str:
    """The cue a check gave in this session (its id in words if none was kept)."""
    for event in session.faults:
        if event.rule_id == rule_id:
            return event.cue
    return messages.check_name(rule_id)


def rep_rows(session: SessionRecord, spec: ExerciseSpec | None = None) -> list[Row]:
    """One row per repetition (and uncounted attempt).

    Every column holds one type (a table column is typed): an attempt that
    did not count has no repetition number (``None``), not a dash. ``result``
    is the verdict (:mod:`formcheck.verdicts`); ``faults`` lists what made the
    repetition incorrect (or why an attempt did not count) and ``tips`` what
    did not. With the spec, the range of motion's header names its unit.
    """
    unit = rep_signal_unit(spec)
    rom = f"range of motion ({unit_name(unit)})" if unit else "range of motion"
    rows: list[Row] = []
    for rep in session.reps:
        tips = ", ".join(_cue_of(session, rule_id) for rule_id in rep.tips)
        rows.append(
            {
                "rep": rep.index if rep.counted else None,
                "side": rep.side or "",
                "start (s)": round(rep.start_s, 1),
                "end (s)": round(rep.end_s, 1),
                "duration (s)": round(rep.duration_s, 1),
                "held (s)": round(rep.active_s, 1),
                "result": messages.verdict_text(rep_verdict(rep)),
                rom: rep.range_of_motion,
                "faults": ", ".join(rep.cues) or ("–" if rep.counted else rep.reason),
                "tips": tips or "–",
            }
        )
    return rows


def hold_rows(session: SessionRecord) -> list[Row]:
    """One row per hold."""
    return [
        {
            "hold": h.index,
            "side": h.side or "",
            "start (s)": round(h.start_s, 1),
            "held (s)": h.held_s,
            "target (s)": h.target_s,
            "completed": h.completed,
            "faults": ", ".join(messages.check_name(f) for f in h.faults) or "–",
        }
        for h in session.holds
    ]


def fault_rows(session: SessionRecord, kind: EventKind | None = None) -> list[Row]:
    """One row per reported problem, in time order (``rep`` is ``None`` between reps).

    Args:
        session: The session record.
        kind: Only faults, or only tips (default: both, with a ``kind`` column
            saying which).
    """
    rows: list[Row] = []
    for f in sorted(session.faults, key=lambda f: f.start_s):
        this = event_kind(f, session.reps)
        if kind is not None and this is not kind:
            continue
        rows.append(
            {
                "start (s)": round(f.start_s, 1),
                "end (s)": round(f.end_s, 1),
                "rep": f.rep_index if f.rep_index else None,
                "side": f.side or "",
                "kind": messages.event_kind_text(this),
                "check": messages.check_name(f.rule_id),
                "cue": f.cue,
                "worst value": f.worst_value,
            }
        )
    return rows


def summary_row(
    session: SessionRecord, name: str = "", spec: ExerciseSpec | None = None
) -> Row:
    """One line summarising a session (for the sessions table).

    ``correct`` and ``with a fault`` count repetitions, ``faults`` and ``tips``
    the problems reported (:mod:`formcheck.verdicts`); the mean range of
    motion is shown with its unit (as an everyday size for body lengths) when
    the spec is given.
    """
    s = session.summary
    per_side = ", ".join(
        f"{p.side} {p.correct}/{p.reps}" for p in s.per_side if p.side is not None
    )
    unit = rep_signal_unit(spec)
    mean = s.mean_range_of_motion
    if mean is None:
        rom = None
    elif unit is not None:
        rom = plain_amount(mean, unit)
    else:
        rom = f"{mean:g}"
    return {
        "session": name or session.created_utc,
        "date (UTC)": session.created_utc.replace("T", " ")[:16],
        "patient": session.patient or "",
        "exercise": session.exercise.name,
        "side": session.side or "",
        "source": session.source.kind,
        "reps": s.reps,
        "correct": s.correct,
        "with a fault": s.incorrect,
        "per side (correct/reps)": per_side,
        "holds done": f"{s.holds_completed}/{s.holds}" if s.holds else "",
        "longest hold (s)": s.longest_hold_s if s.holds else None,
        "mean range of motion": rom,
        "faults": s.faults,
        "tips": s.tips,
    }


def rom_rows(sessions: Sequence[SessionRecord]) -> list[Row]:
    """Range of motion per counted repetition, across sessions."""
    rows: list[Row] = []
    for session in sessions:
        for rep in session.reps:
            if rep.counted:
                rows.append(
                    {
                        "date (UTC)": session.created_utc.replace("T", " ")[:16],
                        "exercise": session.exercise.name,
                        "rep": rep.index,
                        "side": rep.side or "",
                        "range of motion": rep.range_of_motion,
                        "correct": rep.correct,
                    }
                )
    return rows


def _cell(value: Any) -> str:
    """How a table value reads in the report."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if value is None:
        return "–"
    return str(value)


def _markdown_bold(text: str) -> Markup:
    """Escape ``text`` and turn ``**x**`` into ``<b>x</b>`` (safety text only)."""
    parts = str(escape(text)).split("**")
    return Markup("".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts)))


_TEMPLATES = Environment(
    loader=PackageLoader("formcheck.app_support", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_TEMPLATES.filters["cell"] = _cell
_TEMPLATES.filters["bold"] = _markdown_bold


def _plot_html(fig: Any, include_js: bool) -> Markup:
    """A figure as an HTML fragment (plotly.js inlined when asked)."""
    return Markup(
        fig.to_html(full_html=False, include_plotlyjs="inline" if include_js else False)
    )


def _prescription_rows(
    prescriptions: Sequence[Prescription], specs: dict[str, ExerciseSpec]
) -> list[Row]:
    return [
        {
            "exercise": specs[p.exercise].name if p.exercise in specs else p.exercise,
            "painful side": p.painful_side or "",
            "reps": p.reps,
            "sets": p.sets,
            "hold (s)": p.hold_s,
            "depth (rep enter)": p.rep_enter,
            "notes": p.notes,
            "set on (UTC)": p.created_utc.replace("T", " ")[:16],
        }
        for p in prescriptions
    ]


def _session_section(
    name: str, record: SessionRecord, spec: ExerciseSpec | None, include_js: bool
) -> dict[str, Any]:
    """What the report shows for one session."""
    src = record.source
    changed = spec is not None and spec.revision != record.exercise.revision
    return {
        "name": name,
        "exercise": record.exercise.name,
        "date": record.created_utc.replace("T", " ")[:16],
        "source_kind": src.kind,
        "source_name": src.name,
        "duration_s": src.duration_s,
        "frames": src.frames,
        "frames_with_person": src.frames_with_person,
        "revision": record.exercise.revision,
        "current_revision": spec.revision if spec is not None and changed else None,
        "warnings": record.warnings,
        "reps": rep_rows(record, spec),
        "holds": hold_rows(record) if record.holds else [],
        "faults": fault_rows(record),
        "plot": _plot_html(
            cached_timeline_figure(record, spec, height_per_row=140), include_js
        ),
        "cannot_see": " ".join(spec.cannot_see) if spec is not None else "",
    }


def build_report_html(
    sessions: Sequence[tuple[str, SessionRecord]],
    specs: dict[str, ExerciseSpec],
    patient: str | None = None,
    prescriptions: Sequence[Prescription] = (),
    title: str = "formcheck exercise report",
    clinic: ClinicReport | None = None,
) -> str:
    """A self-contained, printable HTML report.

    Rendered from ``templates/report.html`` with autoescaping, so every name,
    note, warning and cue from the sessions is shown as text; a
    Content-Security-Policy keeps the file from loading anything.

    Args:
        sessions: ``(name, record)`` pairs, any order (sorted by date here).
        specs: Exercise specs by id, for target bands and "cannot see" notes.
        patient: Patient name for the header, if any.
        prescriptions: The patient's prescriptions to list.
        title: Report title.
        clinic: The patient-level parts (period, adherence, per exercise,
            symptoms, sign-offs, comments), when the report is for one
            patient and a period.

    Returns:
        The HTML text (plotly inlined once; works offline).
    """
    ordered = sorted(sessions, key=lambda item: item[1].created_utc)
    records = [r for _, r in ordered]
    # plotly.js is inlined once, with the first figure in the document.
    progress = (
        _plot_html(progress_figure(records, specs), True) if len(records) > 1 else None
    )
    symptoms = None
    if clinic is not None and clinic.points:
        symptoms = _plot_html(
            symptom_figure(clinic.points, clinic.names), progress is None
        )
    first_plot = progress is None and symptoms is None
    sections = [
        _session_section(
            name, record, specs.get(record.exercise.id), first_plot and i == 0
        )
        for i, (name, record) in enumerate(ordered)
    ]
    return _TEMPLATES.get_template("report.html").render(
        clinic=clinic,
        symptom_plot=symptoms,
        title=title,
        patient=(clinic.patient if clinic else None)
        or patient
        or next((r.patient for r in records if r.patient), None),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        not_a_medical_device=safety.NOT_A_MEDICAL_DEVICE,
        prescriptions=_prescription_rows(prescriptions, specs),
        summary=[summary_row(r, name, specs.get(r.exercise.id)) for name, r in ordered],
        notes=[
            (name, w)
            for name, r in ordered
            for w in r.warnings
            if "pain" in w.lower() or "nobody" in w.lower()
        ],
        progress_plot=progress,
        sessions=sections,
        red_flags_title=safety.RED_FLAGS_TITLE,
        red_flags=safety.RED_FLAGS,
        see_gp=safety.SEE_GP,
    )

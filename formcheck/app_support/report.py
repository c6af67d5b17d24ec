"""Tables and the printable clinical report.

The tables are plain lists of dicts (``st.dataframe`` shows them as is). The
report is one self-contained HTML file: the plotly library is inlined once,
so it opens offline and can be printed or attached to a clinical record.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from formcheck import __version__
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord
from formcheck.specs.schema import ExerciseSpec

from . import safety
from .plots import cached_timeline_figure, progress_figure

Row = dict[str, Any]


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def rep_rows(session: SessionRecord) -> list[Row]:
    """One row per repetition (and uncounted attempt).

    Every column holds one type (a table column is typed): an attempt that
    did not count has no repetition number (``None``), not a dash.
    """
    rows: list[Row] = []
    for rep in session.reps:
        rows.append(
            {
                "rep": rep.index if rep.counted else None,
                "side": rep.side or "",
                "start (s)": round(rep.start_s, 1),
                "end (s)": round(rep.end_s, 1),
                "duration (s)": round(rep.duration_s, 1),
                "held (s)": round(rep.active_s, 1),
                "counted": rep.counted,
                "correct": rep.correct,
                "range of motion": rep.range_of_motion,
                "faults": ", ".join(rep.cues) or ("–" if rep.counted else rep.reason),
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
            "faults": ", ".join(h.faults) or "–",
        }
        for h in session.holds
    ]


def fault_rows(session: SessionRecord) -> list[Row]:
    """One row per reported fault, in time order (``rep`` is ``None`` between reps)."""
    return [
        {
            "start (s)": round(f.start_s, 1),
            "end (s)": round(f.end_s, 1),
            "rep": f.rep_index if f.rep_index else None,
            "side": f.side or "",
            "check": f.rule_id,
            "cue": f.cue,
            "worst value": f.worst_value,
        }
        for f in sorted(session.faults, key=lambda f: f.start_s)
    ]


def summary_row(session: SessionRecord, name: str = "") -> Row:
    """One line summarising a session (for the sessions table)."""
    s = session.summary
    per_side = ", ".join(
        f"{p.side} {p.correct}/{p.reps}" for p in s.per_side if p.side is not None
    )
    return {
        "session": name or session.created_utc,
        "date (UTC)": session.created_utc.replace("T", " ")[:16],
        "patient": session.patient or "",
        "exercise": session.exercise.name,
        "side": session.side or "",
        "source": session.source.kind,
        "reps": s.reps,
        "correct": s.correct,
        "incorrect": s.incorrect,
        "per side (correct/reps)": per_side,
        "holds done": f"{s.holds_completed}/{s.holds}" if s.holds else "",
        "longest hold (s)": s.longest_hold_s if s.holds else None,
        "mean range of motion": s.mean_range_of_motion,
        "faults": sum(s.fault_counts.values()),
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


def _table(rows: Sequence[Row]) -> str:
    if not rows:
        return "<p class='muted'>None.</p>"
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = []
    for row in rows:
        cells = []
        for value in row.values():
            if isinstance(value, bool):
                text = "yes" if value else "no"
            elif isinstance(value, float):
                text = f"{value:.2f}".rstrip("0").rstrip(".")
            elif value is None:
                text = "–"
            else:
                text = str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


_CSS = """
body { font-family: -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif;
       margin: 2rem auto; max-width: 60rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem;
     margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.4rem; text-align: left; }
th { background: #f3f3f3; }
.muted { color: #777; }
.warn { background: #fff4e5; border-left: 4px solid #f0a020; padding: 0.5rem 0.8rem; }
.flags { background: #fdecea; border-left: 4px solid #d62728; padding: 0.5rem 0.8rem; }
@media print { .plot { page-break-inside: avoid; } h2 { page-break-before: auto; } }
"""


def _markdown_bold(text: str) -> str:
    """Escape ``text`` and turn ``**x**`` into ``<b>x</b>``."""
    parts = html.escape(text).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


def build_report_html(
    sessions: Sequence[tuple[str, SessionRecord]],
    specs: dict[str, ExerciseSpec],
    patient: str | None = None,
    prescriptions: Sequence[Prescription] = (),
    title: str = "formcheck exercise report",
) -> str:
    """A self-contained, printable HTML report.

    Args:
        sessions: ``(name, record)`` pairs, any order (sorted by date here).
        specs: Exercise specs by id, for target bands and "cannot see" notes.
        patient: Patient name for the header, if any.
        prescriptions: The patient's prescriptions to list.
        title: Report title.

    Returns:
        The HTML text (plotly inlined once; works offline).
    """
    ordered = sorted(sessions, key=lambda item: item[1].created_utc)
    records = [r for _, r in ordered]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    who = patient or next((r.patient for r in records if r.patient), None)
    parts: list[str] = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='muted'>Patient: <b>{html.escape(who or 'not named')}</b> · "
        f"{len(records)} session(s) · generated {now} by formcheck {__version__}. "
        "Video was analysed on the patient's own device; this report holds "
        "movement data only.</p>",
        f"<p class='warn'>{html.escape(safety.NOT_A_MEDICAL_DEVICE)} Angles come "
        "from a single 2D camera: expect ±5–7° error in the best (side) view; "
        "trends are more reliable than absolute values.</p>",
    ]
    if prescriptions:
        parts.append("<h2>Prescription</h2>")
        parts.append(
            _table(
                [
                    {
                        "exercise": specs[p.exercise].name
                        if p.exercise in specs
                        else p.exercise,
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
            )
        )
    parts.append("<h2>Sessions</h2>")
    parts.append(_table([summary_row(r, name) for name, r in ordered]))
    notes = [
        (name, w)
        for name, r in ordered
        for w in r.warnings
        if "pain" in w.lower() or "nobody" in w.lower()
    ]
    if notes:
        parts.append("<h3>Notes recorded with the sessions</h3><ul>")
        parts += [f"<li>{html.escape(n)}: {html.escape(w)}</li>" for n, w in notes]
        parts.append("</ul>")
    include_js: str | bool = "inline"
    if len(records) > 1:
        parts.append("<h2>Progress across sessions</h2>")
        fig = progress_figure(records)
        parts.append(
            "<div class='plot'>"
            + fig.to_html(full_html=False, include_plotlyjs=include_js)
            + "</div>"
        )
        include_js = False
    for name, record in ordered:
        spec = specs.get(record.exercise.id)
        parts.append(
            f"<h2>{html.escape(record.exercise.name)} — "
            f"{html.escape(record.created_utc.replace('T', ' ')[:16])} UTC</h2>"
        )
        src = record.source
        parts.append(
            f"<p class='muted'>{html.escape(name)} · source: {html.escape(src.kind)} "
            f"({html.escape(src.name)}), {src.duration_s:.0f} s, "
            f"{src.frames_with_person}/{src.frames} frames with the person in view · "
            f"spec revision {record.exercise.revision}"
            + (
                f" (current revision {spec.revision})"
                if spec is not None and spec.revision != record.exercise.revision
                else ""
            )
            + "</p>"
        )
        if record.warnings:
            parts.append(
                "<ul>"
                + "".join(f"<li>{html.escape(w)}</li>" for w in record.warnings)
                + "</ul>"
            )
        parts.append("<h3>Repetitions</h3>" + _table(rep_rows(record)))
        if record.holds:
            parts.append("<h3>Holds</h3>" + _table(hold_rows(record)))
        parts.append("<h3>Faults</h3>" + _table(fault_rows(record)))
        fig = cached_timeline_figure(record, spec, height_per_row=140)
        parts.append(
            "<div class='plot'>"
            + fig.to_html(full_html=False, include_plotlyjs=include_js)
            + "</div>"
        )
        include_js = False
        if spec is not None and spec.cannot_see:
            parts.append(
                "<p class='muted'>What the camera cannot see for this exercise: "
                + html.escape(" ".join(spec.cannot_see))
                + "</p>"
            )
    parts.append("<h2>Safety</h2><div class='flags'>")
    parts.append(f"<p><b>{html.escape(safety.RED_FLAGS_TITLE)}</b></p><ul>")
    parts += [f"<li>{_markdown_bold(flag)}</li>" for flag in safety.RED_FLAGS]
    parts.append(f"</ul><p>{_markdown_bold(safety.SEE_GP)}</p></div>")
    parts.append("</body></html>")
    return "\n".join(parts)

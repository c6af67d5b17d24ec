"""Plotly figures for the Review and Therapist pages and the report.

* :func:`timeline_figure`: the key signals of one session over time, with the
  spec's target bands shaded, repetitions as background spans and faults as
  clickable red markers (``customdata`` = index into ``session.faults``).
* :func:`progress_figure`: range of motion and share of correct repetitions
  across sessions.

Figures only read the session record (and the spec, for bands): no angle is
computed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from formcheck.record import SessionRecord
from formcheck.specs.schema import ExerciseSpec

GREEN = "rgba(60, 170, 80, 0.14)"
REP_OK = "rgba(60, 170, 80, 0.08)"
REP_BAD = "rgba(230, 150, 0, 0.12)"
FAULT = "#d62728"
LINE = "#1f77b4"
_MAX_ROWS = 8


def key_signals(session: SessionRecord, spec: ExerciseSpec | None) -> list[str]:
    """The signals worth plotting: the rep signal, then those the rules check.

    Falls back to every recorded signal when the spec is unknown.

    Args:
        session: The session record.
        spec: Its exercise spec, if available.

    Returns:
        Signal names present in ``session.signals``, most important first.
    """
    recorded = session.signals.values
    names: list[str] = []
    if spec is not None:
        if spec.reps is not None:
            names.append(spec.reps.signal)
        faulted = {f.rule_id for f in session.faults}
        checked = [
            r
            for r in spec.rules
            if not (r.scope == "rep" and r.stat in ("active_s", "duration_s"))
        ]
        # Signals of rules that raised a fault first, then rep-level targets,
        # then the other frame rules (stable within each group).
        checked.sort(key=lambda r: (r.id not in faulted, r.scope != "rep"))
        names += [r.signal for r in checked]
    else:
        names = list(recorded)
    out: list[str] = []
    for name in names:
        if name in recorded and name not in out and _has_data(recorded[name]):
            out.append(name)
    return out[:_MAX_ROWS]


def _has_data(values: Sequence[float | None]) -> bool:
    return any(v is not None for v in values)


def _values(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _value_at(t: Sequence[float], y: Sequence[float], when: float) -> float:
    if not t:
        return math.nan
    best = min(range(len(t)), key=lambda i: abs(t[i] - when))
    for i in range(best, min(best + 30, len(y))):
        if math.isfinite(y[i]):
            return y[i]
    return y[best]


def _view_range(y: Sequence[float], marks: Sequence[float]) -> tuple[float, float]:
    """The y range of a panel: the data, plus target edges that lie near it.

    Edges far from the data (e.g. a limit of 40 deg when the data stays near
    15) would squash the curve, so only edges within one data span are shown;
    a band is clipped to this range.
    """
    finite = [v for v in y if math.isfinite(v)]
    lo = min(finite) if finite else 0.0
    hi = max(finite) if finite else 1.0
    span = max(hi - lo, 1e-3)
    for mark in marks:
        if lo - span <= mark <= hi + span:
            lo, hi = min(lo, mark), max(hi, mark)
    pad = 0.08 * max(hi - lo, 1e-3)
    return lo - pad, hi + pad


def _bands(
    spec: ExerciseSpec | None, name: str
) -> list[tuple[float | None, float | None, str]]:
    if spec is None:
        return []
    out = []
    for rule in spec.rules:
        if rule.signal != name:
            continue
        if rule.scope == "rep" and rule.stat in ("active_s", "duration_s"):
            continue
        out.append((rule.min, rule.max, rule.id))
    return out


def timeline_figure(
    session: SessionRecord,
    spec: ExerciseSpec | None,
    height_per_row: int = 170,
) -> Any:
    """Key signals over time with target bands, repetitions and faults.

    Args:
        session: The session record.
        spec: Its spec (for target bands and rep thresholds), if available.
        height_per_row: Pixel height of each signal's panel.

    Returns:
        A ``plotly.graph_objects.Figure``. Fault markers carry the fault's
        index in ``session.faults`` as ``customdata``.
    """
    names = key_signals(session, spec)
    units = session.signals.units
    t = session.signals.t_s
    if not names:
        fig = go.Figure()
        fig.update_layout(
            height=200,
            annotations=[
                {
                    "text": "No signal was recorded (nobody in view?)",
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                }
            ],
        )
        return fig
    titles = [f"{n} ({units.get(n, '')})" for n in names]
    fig = make_subplots(
        rows=len(names),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.06, 0.3 / len(names)),
        subplot_titles=titles,
    )
    row_of = {n: i + 1 for i, n in enumerate(names)}
    series = {n: _values(session.signals.values[n]) for n in names}
    for name in names:
        row = row_of[name]
        y = series[name]
        # The trace first: plotly skips shapes on subplots without data.
        fig.add_trace(
            go.Scatter(
                x=t,
                y=y,
                mode="lines",
                name=name,
                line={"color": LINE, "width": 1.6},
                hovertemplate=f"{name}: %{{y:.1f}} at %{{x:.1f}} s<extra></extra>",
                showlegend=False,
            ),
            row=row,
            col=1,
        )
        lines: list[tuple[float, str]] = []
        if spec is not None and spec.reps is not None and name == spec.reps.signal:
            lines = [(spec.reps.enter, "enter"), (spec.reps.exit, "exit")]
        bands = _bands(spec, name)
        edges = [e for lo, hi, _ in bands for e in (lo, hi) if e is not None]
        view_lo, view_hi = _view_range(y, edges + [v for v, _ in lines])
        for lo, hi, rule_id in bands:
            y0 = max(lo if lo is not None else -math.inf, view_lo)
            y1 = min(hi if hi is not None else math.inf, view_hi)
            if y0 < y1:
                fig.add_hrect(
                    y0=y0,
                    y1=y1,
                    fillcolor=GREEN,
                    line_width=0,
                    layer="below",
                    row=row,
                    col=1,
                )
            fig.add_annotation(
                text=f"target: {rule_id}",
                xref="x domain",
                yref="y domain",
                x=1.0,
                y=1.0,
                showarrow=False,
                font={"size": 10, "color": "seagreen"},
                row=row,
                col=1,
            )
        for level, label in lines:
            fig.add_hline(
                y=level,
                line_dash="dot",
                line_color="grey",
                annotation_text=label,
                annotation_position="bottom left",
                row=row,
                col=1,
            )
        fig.update_yaxes(range=[view_lo, view_hi], row=row, col=1)
    for rep in session.reps:
        if not rep.counted:
            continue
        fig.add_vrect(
            x0=rep.start_s,
            x1=rep.end_s,
            fillcolor=REP_OK if rep.correct else REP_BAD,
            line_width=0,
            layer="below",
            row="all",
            col=1,
        )
    # Faults: one marker per fault, on its rule's signal panel (or the first).
    xs: dict[int, list[float]] = {}
    ys: dict[int, list[float]] = {}
    idx: dict[int, list[int]] = {}
    text: dict[int, list[str]] = {}
    for i, fault in enumerate(session.faults):
        signal = None
        if spec is not None:
            try:
                signal = spec.rule(fault.rule_id).signal
            except KeyError:
                signal = None
        row = row_of.get(signal or "", 1)
        name = names[row - 1]
        y_value = _value_at(t, series[name], fault.start_s)
        xs.setdefault(row, []).append(fault.start_s)
        ys.setdefault(row, []).append(y_value if math.isfinite(y_value) else 0.0)
        idx.setdefault(row, []).append(i)
        where = f"rep {fault.rep_index}" if fault.rep_index else "between reps"
        text.setdefault(row, []).append(f"{fault.start_s:.1f} s, {where}: {fault.cue}")
    for row in sorted(xs):
        fig.add_trace(
            go.Scatter(
                x=xs[row],
                y=ys[row],
                mode="markers",
                name="fault",
                marker={"color": FAULT, "size": 11, "symbol": "x"},
                customdata=idx[row],
                text=text[row],
                hovertemplate="%{text}<br>(click to see this moment)<extra></extra>",
                showlegend=False,
            ),
            row=row,
            col=1,
        )
    fig.update_xaxes(title_text="time (s)", row=len(names), col=1)
    fig.update_layout(
        height=max(260, height_per_row * len(names) + 60),
        margin={"l": 50, "r": 20, "t": 40, "b": 40},
        hovermode="closest",
        clickmode="event+select",
    )
    return fig


def _when(record: SessionRecord) -> datetime | str:
    try:
        return datetime.fromisoformat(record.created_utc)
    except ValueError:
        return record.created_utc


def progress_figure(sessions: Sequence[SessionRecord]) -> Any:
    """Range of motion and correct-rep share over time, one line per exercise.

    Args:
        sessions: Session records (any order).

    Returns:
        A ``plotly.graph_objects.Figure`` with two panels.
    """
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=(
            "Mean range of motion per session",
            "Correct repetitions (% of counted)",
        ),
    )
    by_exercise: dict[str, list[SessionRecord]] = {}
    for record in sorted(sessions, key=lambda r: r.created_utc):
        by_exercise.setdefault(record.exercise.name, []).append(record)
    for name, records in by_exercise.items():
        when = [_when(r) for r in records]
        rom = [
            r.summary.mean_range_of_motion
            if r.summary.mean_range_of_motion is not None
            else math.nan
            for r in records
        ]
        share = [
            100.0 * r.summary.correct / r.summary.reps if r.summary.reps else math.nan
            for r in records
        ]
        reps = [f"{r.summary.correct}/{r.summary.reps} correct" for r in records]
        fig.add_trace(
            go.Scatter(
                x=when,
                y=rom,
                mode="lines+markers",
                name=name,
                legendgroup=name,
                text=reps,
                hovertemplate="%{x}<br>ROM %{y:.1f}<br>%{text}<extra>"
                + name
                + "</extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=when,
                y=share,
                mode="lines+markers",
                name=name,
                legendgroup=name,
                showlegend=False,
                text=reps,
                hovertemplate="%{x}<br>%{y:.0f} %<br>%{text}<extra>"
                + name
                + "</extra>",
            ),
            row=2,
            col=1,
        )
    fig.update_yaxes(title_text="deg (or body lengths)", row=1, col=1)
    fig.update_yaxes(title_text="%", range=[0, 105], row=2, col=1)
    fig.update_layout(
        height=480,
        margin={"l": 50, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig

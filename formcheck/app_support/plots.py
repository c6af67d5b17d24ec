"""Plotly figures for the Review and Therapist pages and the report.

* :func:`timeline_figure`: the key signals of one session over time, with the
  spec's target bands shaded, repetitions as background spans and faults as
  clickable red markers (``customdata`` = index into ``session.faults``).
* :func:`progress_figure` (:mod:`.progress`): range of motion and share of
  correct repetitions across sessions.
* :func:`cached_timeline_figure`: the timeline, kept for the last few
  sessions (by content), so that the pages' reruns do not rebuild it.

Figures only read the session record (and the spec, for bands): no angle is
computed here.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from formcheck import messages
from formcheck.record import SessionRecord
from formcheck.specs.schema import ExerciseSpec
from formcheck.units import unit_name
from formcheck.verdicts import EventKind, event_kind

from .plain import plotly_text
from .progress import progress_figure

__all__ = [
    "axis_title",
    "cached_timeline_figure",
    "content_key",
    "key_signals",
    "progress_figure",
    "row_title",
    "timeline_figure",
]

GREEN = "rgba(60, 170, 80, 0.14)"
REP_OK = "rgba(60, 170, 80, 0.08)"
REP_BAD = "rgba(230, 150, 0, 0.12)"
FAULT = "#d62728"
TIP = "#9467bd"
LINE = "#1f77b4"
_MAX_ROWS = 8

FloatArray = npt.NDArray[np.float64]


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


def _values(values: Sequence[float | None]) -> FloatArray:
    """A recorded signal as floats, NaN where it was not measured.

    Plotly takes numpy arrays as they are (lists are checked item by item)
    and sends them to the browser in binary.
    """
    return np.array(values, dtype=np.float64)


def _value_at(t: Sequence[float], y: FloatArray, when: float) -> float:
    """The signal at ``when`` (or the next finite value within 30 frames)."""
    if not t:
        return math.nan
    i = bisect.bisect_left(t, when)
    near = [j for j in (i - 1, i) if 0 <= j < len(t)]
    best = min(near, key=lambda j: abs(t[j] - when))
    for j in range(best, min(best + 30, len(y))):
        if math.isfinite(y[j]):
            return float(y[j])
    return float(y[best])


def _view_range(y: FloatArray, marks: Sequence[float]) -> tuple[float, float]:
    """The y range of a panel: the data, plus target edges that lie near it.

    Edges far from the data (e.g. a limit of 40 deg when the data stays near
    15) would squash the curve, so only edges within one data span are shown;
    a band is clipped to this range.
    """
    finite = y[np.isfinite(y)]
    lo = float(finite.min()) if finite.size else 0.0
    hi = float(finite.max()) if finite.size else 1.0
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


def _axis(letter: str, row: int) -> str:
    """Plotly's name for a subplot's axis (``x``, ``x2`` …, ``y``, ``y2`` …)."""
    return letter if row == 1 else f"{letter}{row}"


def _no_signal_figure() -> Any:
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


def _span_trace(
    spans: Sequence[tuple[float, float]], lo: float, hi: float, color: str, row: int
) -> Any:
    """One filled trace drawing every span of a row (one polygon per span)."""
    ends = np.array(spans, dtype=np.float64).reshape(-1, 2)
    gap = np.full(len(ends), np.nan)
    x0, x1 = ends[:, 0], ends[:, 1]
    xs = np.column_stack([x0, x0, x1, x1, x0, gap]).ravel()
    ys = np.tile([lo, hi, hi, lo, lo, np.nan], len(ends))
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        fill="toself",
        fillcolor=color,
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
        xaxis=_axis("x", row),
        yaxis=_axis("y", row),
    )


def _row_decorations(
    spec: ExerciseSpec | None, name: str, row: int, view: tuple[float, float]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Target bands and rep thresholds of one signal's row, with their labels.

    The bands are named once, in the row's title (:func:`row_title`), so their
    labels never pile up; the two rep lines are labelled at opposite ends of
    the row.
    """
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    x_domain, y_ref = f"{_axis('x', row)} domain", _axis("y", row)
    for lo, hi, _rule_id in _bands(spec, name):
        y0 = max(lo if lo is not None else -math.inf, view[0])
        y1 = min(hi if hi is not None else math.inf, view[1])
        if y0 < y1:
            shapes.append(
                {
                    "type": "rect",
                    "xref": x_domain,
                    "yref": y_ref,
                    "x0": 0,
                    "x1": 1,
                    "y0": y0,
                    "y1": y1,
                    "fillcolor": GREEN,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
    for i, (level, label) in enumerate(_rep_lines(spec, name)):
        shapes.append(
            {
                "type": "line",
                "xref": x_domain,
                "yref": y_ref,
                "x0": 0,
                "x1": 1,
                "y0": level,
                "y1": level,
                "line": {"dash": "dot", "color": "grey", "width": 1},
            }
        )
        notes.append(
            {
                "text": label,
                "xref": x_domain,
                "yref": y_ref,
                "x": 0.0 if i == 0 else 1.0,
                "y": level,
                "xanchor": "left" if i == 0 else "right",
                "yanchor": "bottom" if i == 0 else "top",
                "showarrow": False,
                "font": {"size": 10, "color": "grey"},
            }
        )
    return shapes, notes


def row_title(session: SessionRecord, spec: ExerciseSpec | None, name: str) -> str:
    """A row's title in plain words: what the signal is, its unit, its targets.

    Example: ``Knee (degrees) · green: target for feet too close``. The unit
    is the one the session recorded; text from the session is escaped.
    """
    label = spec.signal_label(name) if spec is not None else name.replace("_", " ")
    unit = session.signals.units.get(name, "")
    title = label[:1].upper() + label[1:]
    if unit:
        title += f" ({unit_name(unit)})"
    targets = [messages.check_name(rule_id) for _, _, rule_id in _bands(spec, name)]
    if targets:
        title += " · green: target for " + ", ".join(dict.fromkeys(targets))
    return plotly_text(title)


def axis_title(session: SessionRecord, name: str) -> str:
    """The y-axis title of a signal's row: its unit (``°``, ``hip widths``)."""
    unit = session.signals.units.get(name, "")
    return plotly_text("°" if unit == "deg" else unit_name(unit))


def _rep_lines(spec: ExerciseSpec | None, name: str) -> list[tuple[float, str]]:
    if spec is not None and spec.reps is not None and name == spec.reps.signal:
        return [
            (spec.reps.enter, "a rep counts past this line"),
            (spec.reps.exit, "back at the start"),
        ]
    return []


_MARKERS = {
    EventKind.FAULT: {"color": FAULT, "size": 11, "symbol": "x"},
    EventKind.TIP: {"color": TIP, "size": 10, "symbol": "circle-open"},
}


def _fault_traces(
    session: SessionRecord,
    spec: ExerciseSpec | None,
    names: Sequence[str],
    series: dict[str, FloatArray],
) -> list[Any]:
    """Per row, one marker trace of its faults and one of its tips (clickable).

    Traces are named ``fault`` and ``tip``; ``customdata`` holds each event's
    index in ``session.faults``.
    """
    row_of = {n: i + 1 for i, n in enumerate(names)}
    t = session.signals.t_s
    Points = tuple[list[float], list[float], list[int], list[str]]
    by_row: dict[tuple[int, EventKind], Points] = {}
    for i, fault in enumerate(session.faults):
        signal = None
        if spec is not None:
            try:
                signal = spec.rule(fault.rule_id).signal
            except KeyError:
                signal = None
        row = row_of.get(signal or "", 1)
        kind = event_kind(fault, session.reps)
        y_value = _value_at(t, series[names[row - 1]], fault.start_s)
        xs, ys, idx, text = by_row.setdefault((row, kind), ([], [], [], []))
        xs.append(fault.start_s)
        ys.append(y_value if math.isfinite(y_value) else 0.0)
        idx.append(i)
        where = f"rep {fault.rep_index}" if fault.rep_index else "between reps"
        text.append(
            f"{fault.start_s:.1f} s, {where}, {messages.event_kind_text(kind)}: "
            f"{plotly_text(fault.cue)}"
        )
    return [
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name=kind.value,
            marker=_MARKERS[kind],
            customdata=idx,
            text=text,
            hovertemplate="%{text}<br>(click to see this moment)<extra></extra>",
            showlegend=False,
            xaxis=_axis("x", row),
            yaxis=_axis("y", row),
        )
        for (row, kind), (xs, ys, idx, text) in sorted(by_row.items())
    ]


def timeline_figure(
    session: SessionRecord,
    spec: ExerciseSpec | None,
    height_per_row: int = 170,
) -> Any:
    """Key signals over time with target bands, repetitions and faults.

    The figure is built from whole arrays in one pass (one line, two
    repetition-span traces and one fault trace per signal; shapes only for
    target bands), so its cost grows linearly with the session's length.
    Text from the session (signal names, units, cues) is shown literally.

    Args:
        session: The session record.
        spec: Its spec (for target bands and rep thresholds), if available.
        height_per_row: Pixel height of each signal's panel.

    Returns:
        A ``plotly.graph_objects.Figure``. Fault markers carry the fault's
        index in ``session.faults`` as ``customdata``.
    """
    names = key_signals(session, spec)
    if not names:
        return _no_signal_figure()
    t = np.array(session.signals.t_s, dtype=np.float64)
    fig = make_subplots(
        rows=len(names),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.06, 0.3 / len(names)),
        subplot_titles=[row_title(session, spec, n) for n in names],
    )
    series = {n: _values(session.signals.values[n]) for n in names}
    counted = [r for r in session.reps if r.counted]
    good = [(r.start_s, r.end_s) for r in counted if r.correct]
    bad = [(r.start_s, r.end_s) for r in counted if not r.correct]
    traces: list[Any] = []
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = list(fig.layout.annotations)
    axes: dict[str, Any] = {}
    for row, name in enumerate(names, start=1):
        bands = _bands(spec, name)
        edges = [e for lo, hi, _ in bands for e in (lo, hi) if e is not None]
        marks = edges + [v for v, _ in _rep_lines(spec, name)]
        view = _view_range(series[name], marks)
        # Repetition spans first, so that the signal is drawn over them.
        for spans, color in ((good, REP_OK), (bad, REP_BAD)):
            if spans:
                traces.append(_span_trace(spans, *view, color, row))
        traces.append(
            go.Scatter(
                x=t,
                y=series[name],
                mode="lines",
                name=plotly_text(name),
                meta=plotly_text(spec.signal_label(name) if spec else name),
                line={"color": LINE, "width": 1.6},
                hovertemplate="%{meta}: %{y:.1f} at %{x:.1f} s<extra></extra>",
                showlegend=False,
                xaxis=_axis("x", row),
                yaxis=_axis("y", row),
            )
        )
        row_shapes, row_notes = _row_decorations(spec, name, row, view)
        shapes += row_shapes
        notes += row_notes
        axes[f"yaxis{'' if row == 1 else row}"] = {
            "range": list(view),
            "title": {"text": axis_title(session, name), "font": {"size": 11}},
        }
    traces += _fault_traces(session, spec, names, series)
    fig.add_traces(traces)
    axes[f"xaxis{'' if len(names) == 1 else len(names)}"] = {
        "title": {"text": "time (s)"}
    }
    fig.update_layout(
        shapes=shapes,
        annotations=notes,
        height=max(260, height_per_row * len(names) + 60),
        margin={"l": 50, "r": 20, "t": 40, "b": 40},
        hovermode="closest",
        clickmode="event+select",
        **axes,
    )
    return fig


_TIMELINE_CACHE_SIZE = 16
_timeline_cache: OrderedDict[tuple[str, str, int], Any] = OrderedDict()
_timeline_lock = threading.Lock()


def content_key(record: SessionRecord | ExerciseSpec | None) -> str:
    """A digest of a session's (or spec's) content, for caching.

    Args:
        record: A session record, a spec, or ``None``.

    Returns:
        A SHA-256 hex digest of its JSON (``""`` for ``None``).
    """
    if record is None:
        return ""
    return hashlib.sha256(record.model_dump_json().encode("utf-8")).hexdigest()


def cached_timeline_figure(
    session: SessionRecord, spec: ExerciseSpec | None, height_per_row: int = 170
) -> Any:
    """:func:`timeline_figure`, kept for the last 16 sessions by content.

    The Review and Therapist pages rerun on every click; an unchanged session
    (the same content, even re-read from its file) gets the same figure back
    without rebuilding it. Treat the figure as read-only.

    Args:
        session: The session record.
        spec: Its spec, if available.
        height_per_row: Pixel height of each signal's panel.

    Returns:
        The figure (shared: do not modify it).
    """
    key = (content_key(session), content_key(spec), height_per_row)
    with _timeline_lock:
        fig = _timeline_cache.get(key)
        if fig is not None:
            _timeline_cache.move_to_end(key)
            return fig
    fig = timeline_figure(session, spec, height_per_row)
    with _timeline_lock:
        _timeline_cache[key] = fig
        while len(_timeline_cache) > _TIMELINE_CACHE_SIZE:
            _timeline_cache.popitem(last=False)
    return fig

"""The skeleton replay of one repetition or hold, as a Plotly animation.

One figure, two panels kept in step by the animation:

* top: the skeleton of each frame, with the checked angles written at their
  joints in the colour of their rules (green passing, amber failing, red a
  reported fault, grey not judgeable);
* bottom: one signal over the movement, with the spec's target band, the
  repetition thresholds, the reported faults as red crosses and a cursor
  that follows the skeleton.

Buttons play it at real speed or at a quarter of it, pause it, and jump to
the frame where each fault began. Everything drawn comes from
:mod:`formcheck.clinician.replay` (no angle is computed here); user text
goes through :func:`~formcheck.app_support.plain.plotly_text`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from formcheck.clinician.model import Light
from formcheck.clinician.replay import FrameMarks, Item, Replay, frame_marks
from formcheck.landmarks import SKELETON_EDGES
from formcheck.record.model import SessionRecord
from formcheck.results import FaultEvent

from .plain import plotly_text

LIGHT_COLOUR: dict[Light, str] = {
    Light.PASS: "#2ca02c",
    Light.FAILING: "#ff9f1c",
    Light.FAULT: "#d62728",
    Light.UNKNOWN: "#8c8c8c",
    Light.COUNTED: "#1f77b4",
}
BONE = "#3b3b3b"
JOINT = "#1f77b4"
BAND = "rgba(60, 170, 80, 0.16)"
FAULT = "#d62728"
#: Most frames put into one animation (longer movements are thinned evenly).
MAX_FRAMES = 240
#: Highest frame rate of the animation (enough for slow exercise movements).
MAX_FPS = 15.0
#: Seconds of context shown before and after the movement.
CONTEXT_S = 0.5
#: Playback speeds offered (1 = real speed).
SPEEDS: tuple[tuple[str, float], ...] = (("▶ real speed", 1.0), ("▶ ¼ speed", 0.25))


class AnimatedFigure(go.Figure):  # type: ignore[misc]
    """A figure whose animation frames stay plain dicts until it is exported.

    Plotly validates every trace of every frame when frames are assigned to
    a figure, which takes seconds for a replay of a hundred frames; these
    frames are built here from checked data and joined in :meth:`to_dict`
    (which Streamlit, ``to_json`` and ``to_html`` all use).

    Args:
        figure: The figure without frames.
        frames: Plotly frame dicts (``name``, ``data``, ``traces``).
    """

    def __init__(self, figure: Any, frames: list[dict[str, Any]]) -> None:
        super().__init__(figure.to_dict(), _validate=False)
        self._plain_frames = frames

    @property
    def frame_dicts(self) -> list[dict[str, Any]]:
        """The animation frames."""
        return self._plain_frames

    def to_dict(self) -> dict[str, Any]:
        """The figure as a dict, frames included."""
        out: dict[str, Any] = super().to_dict()
        out["frames"] = self._plain_frames
        return out

    def to_plotly_json(self) -> dict[str, Any]:
        """Same as :meth:`to_dict`."""
        return self.to_dict()


@dataclass(frozen=True)
class _Frames:
    """The frames of the replay window, thinned to at most ``MAX_FRAMES``."""

    indices: list[int]
    marks: list[FrameMarks]
    step_ms: float


def _window(replay: Replay, item: Item, max_frames: int) -> _Frames:
    indices = replay.frames_between(item.start_s - CONTEXT_S, item.end_s + CONTEXT_S)
    if not indices:
        indices = [0]
    fps = replay.sequence.fps or 30.0
    stride = max(1, math.ceil(len(indices) / max_frames), round(fps / MAX_FPS))
    picked = indices[::stride]
    t = replay.times_s
    dt = float(np.median(np.diff(t[picked]))) if len(picked) > 1 else 1 / 30
    return _Frames(picked, [frame_marks(replay, i) for i in picked], 1000.0 * dt)


def _bounds(marks: Sequence[FrameMarks]) -> tuple[list[float], list[float]]:
    """The x and y ranges (pixels, y pointing down) holding the body, with a margin."""
    xy = np.concatenate([m.xy for m in marks])
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return [0.0, 1.0], [1.0, 0.0]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = 0.12 * max(float((hi - lo).max()), 1.0)
    return [float(lo[0] - pad), float(hi[0] + pad)], [
        float(hi[1] + pad),
        float(lo[1] - pad),
    ]


def _skeleton(marks: FrameMarks) -> list[dict[str, Any]]:
    """The two per-frame skeleton traces (plain dicts): body and angle labels.

    Plain dicts, not ``go.Scatter``: a replay has a hundred frames or more,
    and Plotly's per-object validation would take seconds.
    """
    # Every frame has the same number of points (NaN where a bone or a value
    # is not seen), so that Plotly animates point for point.
    xs: list[float] = []
    ys: list[float] = []
    for a, b in SKELETON_EDGES:
        pa, pb = marks.xy[a], marks.xy[b]
        seen = bool(np.isfinite(pa).all() and np.isfinite(pb).all())
        xs += [float(pa[0]), float(pb[0])] if seen else [math.nan, math.nan]
        ys += [float(pa[1]), float(pb[1])] if seen else [math.nan, math.nan]
        xs.append(math.nan)
        ys.append(math.nan)
    labels = marks.angles
    colours = [LIGHT_COLOUR[m.light] for m in labels]
    return [
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "mode": "lines+markers",
            "line": {"color": BONE, "width": 4},
            "marker": {"color": JOINT, "size": 7},
            "hoverinfo": "skip",
            "xaxis": "x",
            "yaxis": "y",
        },
        {
            "type": "scatter",
            "x": [m.xy[0] for m in labels],
            "y": [m.xy[1] for m in labels],
            "mode": "markers+text",
            "text": [
                f"{m.value:.0f}" if math.isfinite(m.value) else "" for m in labels
            ],
            "textposition": "middle right",
            "textfont": {"size": 15, "color": colours},
            "marker": {"size": 11, "color": colours},
            "customdata": [plotly_text(m.signal) for m in labels],
            "hovertemplate": "%{customdata}: %{text}<extra></extra>",
            "xaxis": "x",
            "yaxis": "y",
        },
    ]


def _cursor(t_s: float, y_range: tuple[float, float]) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": [t_s, t_s],
        "y": list(y_range),
        "mode": "lines",
        "line": {"color": "#444", "width": 2, "dash": "dot"},
        "hoverinfo": "skip",
        "xaxis": "x2",
        "yaxis": "y2",
    }


def _signal_panel(
    fig: Any, replay: Replay, signal: str, window: _Frames
) -> tuple[float, float]:
    """Draw the signal, its targets and thresholds; return the y range."""
    t = replay.times_s[window.indices[0] : window.indices[-1] + 1]
    values = np.array(
        [
            replay.results[i].signals.get(signal, math.nan)
            for i in range(window.indices[0], window.indices[-1] + 1)
        ],
        dtype=np.float64,
    )
    marks: list[float] = []
    spec = replay.spec
    for rule in spec.rules:
        if rule.signal == signal and rule.scope == "frame" and rule.kind != "setup":
            marks += [v for v in (rule.min, rule.max) if v is not None]
    if spec.reps is not None and spec.reps.signal == signal:
        marks += [spec.reps.enter, spec.reps.exit]
    finite = values[np.isfinite(values)]
    lo = min([*finite.tolist(), *marks], default=0.0)
    hi = max([*finite.tolist(), *marks], default=1.0)
    pad = 0.08 * max(hi - lo, 1e-3)
    y_range = (lo - pad, hi + pad)
    for rule in spec.rules:
        if rule.signal != signal or rule.scope != "frame" or rule.kind == "setup":
            continue
        fig.add_shape(
            type="rect",
            xref="x2 domain",
            yref="y2",
            x0=0,
            x1=1,
            y0=rule.min if rule.min is not None else y_range[0],
            y1=rule.max if rule.max is not None else y_range[1],
            fillcolor=BAND,
            line={"width": 0},
            layer="below",
        )
    if spec.reps is not None and spec.reps.signal == signal:
        for level in (spec.reps.enter, spec.reps.exit):
            fig.add_shape(
                type="line",
                xref="x2 domain",
                yref="y2",
                x0=0,
                x1=1,
                y0=level,
                y1=level,
                line={"dash": "dot", "color": "grey", "width": 1},
            )
    fig.add_trace(
        go.Scatter(
            x=t,
            y=values,
            mode="lines",
            line={"color": "#1f77b4", "width": 2},
            name=plotly_text(signal),
            hovertemplate="%{y:.1f} at %{x:.2f} s<extra></extra>",
        ),
        row=2,
        col=1,
    )
    return y_range


def _faults_in(record: SessionRecord, start_s: float, end_s: float) -> list[FaultEvent]:
    return [f for f in record.faults if f.end_s >= start_s and f.start_s <= end_s]


def _nearest(window: _Frames, t_s: float) -> int:
    times = [m.t_s for m in window.marks]
    return int(np.argmin(np.abs(np.array(times) - t_s)))


def _buttons(window: _Frames, faults: Sequence[FaultEvent]) -> list[dict[str, Any]]:
    names = [str(i) for i in range(len(window.marks))]
    play: list[dict[str, Any]] = [
        {
            "label": label,
            "method": "animate",
            "args": [
                None,
                {
                    "frame": {"duration": window.step_ms / speed, "redraw": False},
                    "transition": {"duration": 0},
                    "fromcurrent": True,
                    "mode": "immediate",
                },
            ],
        }
        for label, speed in SPEEDS
    ]
    play.append(
        {
            "label": "❚❚ pause",
            "method": "animate",
            "args": [[None], {"frame": {"duration": 0}, "mode": "immediate"}],
        }
    )
    jumps = [
        {
            "label": plotly_text(f"⤳ {f.rule_id} at {f.start_s:.1f} s"),
            "method": "animate",
            "args": [
                [names[_nearest(window, f.start_s)]],
                {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"},
            ],
        }
        for f in faults
    ]
    menus: list[dict[str, Any]] = [
        {
            "type": "buttons",
            "direction": "left",
            "x": 0.0,
            "y": 1.12,
            "buttons": play,
            "xanchor": "left",
            "showactive": False,
        }
    ]
    if jumps:
        menus.append(
            {
                "type": "buttons",
                "direction": "down",
                "x": 1.02,
                "y": 1.0,
                "xanchor": "left",
                "buttons": jumps,
                "showactive": False,
            }
        )
    return menus


def _fault_marks(faults: Sequence[FaultEvent], y_range: tuple[float, float]) -> Any:
    """Red crosses near the top of the signal panel, one per fault."""
    return go.Scatter(
        x=[f.start_s for f in faults],
        y=[y_range[1] - 0.05 * (y_range[1] - y_range[0])] * len(faults),
        mode="markers",
        marker={"color": FAULT, "symbol": "x", "size": 12},
        text=[plotly_text(f"{f.rule_id}: {f.cue}") for f in faults],
        hovertemplate="%{text}<br>%{x:.1f} s<extra></extra>",
        name="fault",
    )


def _slider(window: _Frames) -> dict[str, Any]:
    """The time slider: one step per animation frame."""
    return {
        "active": 0,
        "currentvalue": {"prefix": "t = "},
        "pad": {"t": 30},
        "steps": [
            {
                "label": f"{m.t_s:.2f} s",
                "method": "animate",
                "args": [
                    [str(i)],
                    {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"},
                ],
            }
            for i, m in enumerate(window.marks)
        ],
    }


def replay_figure(
    replay: Replay,
    item: Item,
    record: SessionRecord,
    signal: str,
    *,
    max_frames: int = MAX_FRAMES,
) -> Any:
    """An animated skeleton replay of one movement, with its signal below.

    Args:
        replay: The session, checked again from its landmarks.
        item: The repetition, attempt or hold to replay.
        record: The stored session record (its faults are marked).
        signal: The signal drawn under the skeleton.
        max_frames: Most animation frames (longer movements are thinned).

    Returns:
        An :class:`AnimatedFigure` with one animation frame per kept video
        frame (named ``"0"``, ``"1"`` …), play/pause buttons and one button
        per fault that jumps to the frame where it began.
    """
    window = _window(replay, item, max_frames)
    fig = make_subplots(
        rows=2,
        cols=1,
        row_heights=[0.72, 0.28],
        vertical_spacing=0.08,
        subplot_titles=(
            plotly_text(item.label),
            plotly_text(f"{signal} ({replay.rerun.signals.units.get(signal, '')})"),
        ),
    )
    first = window.marks[0]
    for trace in _skeleton(first):
        fig.add_trace(trace)
    y_range = _signal_panel(fig, replay, signal, window)
    faults = _faults_in(record, first.t_s, window.marks[-1].t_s)
    if faults:
        fig.add_trace(_fault_marks(faults, y_range), row=2, col=1)
    fig.add_trace(_cursor(first.t_s, y_range))
    cursor = len(fig.data) - 1
    frames = [
        {
            "name": str(i),
            "data": [*_skeleton(marks), _cursor(marks.t_s, y_range)],
            "traces": [0, 1, cursor],
        }
        for i, marks in enumerate(window.marks)
    ]
    x_range, y_pixels = _bounds(window.marks)
    fig.update_xaxes(range=x_range, visible=False, row=1, col=1)
    fig.update_yaxes(range=y_pixels, visible=False, scaleanchor="x", row=1, col=1)
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    fig.update_yaxes(range=list(y_range), row=2, col=1)
    fig.update_layout(
        height=760,
        showlegend=False,
        margin={"l": 40, "r": 170 if faults else 20, "t": 70, "b": 40},
        updatemenus=_buttons(window, faults),
        sliders=[_slider(window)],
        plot_bgcolor="#f7f7f7",
    )
    return AnimatedFigure(fig, frames)

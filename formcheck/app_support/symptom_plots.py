"""Symptoms over time, one panel per exercise (Plotly).

Each panel's y axis is the one scale of the symptom question — where the
symptoms reach, from none to the foot — so no axis mixes units. Each answer
is a marker at the time it was given; its shape and colour say how the
symptoms moved over the set (triangle up, green: centralised; triangle
down, red: peripheralised; circle, grey: unchanged; open circle: not known),
so the chart still reads in black and white. A thin line joins where the
symptoms were before the set to where they were after it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from formcheck.clinic import SymptomLocation
from formcheck.clinician import texts
from formcheck.clinician.model import SymptomChange
from formcheck.clinician.symptoms import SymptomPoint

from .plain import plotly_text

#: Marker shape and colour per change (shapes keep it readable in print).
STYLE: dict[SymptomChange, tuple[str, str]] = {
    SymptomChange.CENTRALISED: ("triangle-up", "#2ca02c"),
    SymptomChange.PERIPHERALISED: ("triangle-down", "#d62728"),
    SymptomChange.UNCHANGED: ("circle", "#7f7f7f"),
    SymptomChange.UNKNOWN: ("circle-open", "#1f77b4"),
}
_TICKS = list(SymptomLocation)


def _panel(fig: Any, points: Sequence[SymptomPoint], row: int, legend: bool) -> None:
    xs: list[object] = []
    ys: list[float | None] = []
    for p in points:
        if p.before is not None:
            xs += [p.when, p.when, None]
            ys += [p.before.rank, p.location.rank, None]
    if xs:
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": "#bbbbbb", "width": 2},
                hoverinfo="skip",
                showlegend=False,
            ),
            row=row,
            col=1,
        )
    for change, (symbol, colour) in STYLE.items():
        mine = [p for p in points if p.change is change]
        if not mine:
            continue
        fig.add_trace(
            go.Scatter(
                x=[p.when for p in mine],
                y=[p.location.rank for p in mine],
                mode="markers",
                marker={"symbol": symbol, "color": colour, "size": 12},
                name=texts.CHANGE_TEXT[change],
                legendgroup=change.value,
                showlegend=legend,
                text=[
                    plotly_text(
                        f"{texts.location_text(p.location)}"
                        + (" (worse)" if p.worse else "")
                    )
                    for p in mine
                ],
                hovertemplate="%{x}<br>%{text}<extra></extra>",
            ),
            row=row,
            col=1,
        )


def symptom_figure(
    points: Sequence[SymptomPoint], names: Mapping[str, str], height_per_row: int = 190
) -> Any:
    """Where the symptoms reached after each set, one panel per exercise.

    Args:
        points: The answers (any order).
        names: Exercise names by id (unknown ids are shown as they are).
        height_per_row: Pixel height of each panel.

    Returns:
        A ``plotly.graph_objects.Figure``.
    """
    by_exercise: dict[str, list[SymptomPoint]] = {}
    for p in sorted(points, key=lambda p: p.when):
        by_exercise.setdefault(p.exercise_id or "", []).append(p)
    keys = list(by_exercise) or [""]
    fig = make_subplots(
        rows=len(keys),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.08, 0.4 / len(keys)),
        subplot_titles=[
            plotly_text(names.get(k, k) if k else "exercise not known") for k in keys
        ],
    )
    for row, key in enumerate(keys, start=1):
        _panel(fig, by_exercise.get(key, []), row, legend=False)
    # One legend entry per change shown anywhere.
    shown: set[str] = set()
    for trace in fig.data:
        group = trace.legendgroup
        if group and group not in shown:
            trace.showlegend = True
            shown.add(group)
    fig.update_yaxes(
        tickvals=[loc.rank for loc in _TICKS],
        ticktext=[texts.location_text(loc) for loc in _TICKS],
        range=[-0.5, len(_TICKS) - 0.5],
        title_text="symptoms reach",
    )
    fig.update_layout(
        height=max(260, height_per_row * len(keys) + 80),
        margin={"l": 110, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.12},
    )
    return fig

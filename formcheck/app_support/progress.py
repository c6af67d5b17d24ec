"""The progress figure: range of motion and correct repetitions across sessions.

Used by the Therapist page and the report; it only reads session records (and
the specs, for the range of motion's unit).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from formcheck.record import SessionRecord
from formcheck.specs.schema import ExerciseSpec
from formcheck.units import rep_signal_unit, unit_name

from .plain import plotly_text


def _when(record: SessionRecord) -> datetime | str:
    try:
        return datetime.fromisoformat(record.created_utc)
    except ValueError:
        return plotly_text(record.created_utc)


def _range_unit(
    records: Sequence[SessionRecord], specs: Mapping[str, ExerciseSpec] | None
) -> str | None:
    """The one unit the sessions' ranges of motion share, if known."""
    if not specs:
        return None
    units = {rep_signal_unit(specs.get(r.exercise.id)) for r in records}
    units.discard(None)
    return units.pop() if len(units) == 1 else None


def progress_figure(
    sessions: Sequence[SessionRecord],
    specs: Mapping[str, ExerciseSpec] | None = None,
) -> Any:
    """Range of motion and correct-rep share over time, one line per exercise.

    Args:
        sessions: Session records (any order).
        specs: Exercise specs by id, to name the range of motion's unit.

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
    for exercise, records in by_exercise.items():
        name = plotly_text(exercise)
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
                meta=name,
                text=reps,
                hovertemplate="%{x}<br>range of motion %{y:.1f}<br>%{text}"
                "<extra>%{meta}</extra>",
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
                meta=name,
                showlegend=False,
                text=reps,
                hovertemplate="%{x}<br>%{y:.0f} %<br>%{text}<extra>%{meta}</extra>",
            ),
            row=2,
            col=1,
        )
    unit = _range_unit(sessions, specs)
    fig.update_yaxes(
        title_text=unit_name(unit) if unit else "degrees or body lengths",
        row=1,
        col=1,
    )
    fig.update_yaxes(title_text="% of counted", range=[0, 105], row=2, col=1)
    fig.update_xaxes(title_text="date", row=2, col=1)
    fig.update_layout(
        height=480,
        margin={"l": 50, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig

"""Time the timeline plot and the HTML report on generated long sessions.

The Review and Therapist pages and the clinical report draw one timeline per
session; its cost must grow linearly with the number of repetitions. This
script builds sessions of 12 to 240 repetitions (5 s each, 30 frames per
second, a fault on every third repetition and an uncounted attempt every
tenth) from a bundled spec, and prints how long the timeline figure, its
JSON and the report take::

    python scripts/bench_timeline.py            # 12, 48, 96 and 240 reps
    python scripts/bench_timeline.py 240 480    # chosen sizes

A 240-repetition session (20 minutes) should take a couple of seconds at
most for the timeline and the report together.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence

import plotly.io as pio  # type: ignore[import-untyped]

from formcheck.app_support import plots, report
from formcheck.record import (
    ExerciseInfo,
    SessionRecord,
    SideSummary,
    SignalTrack,
    SourceInfo,
    Summary,
)
from formcheck.results import FaultEvent, RepRecord
from formcheck.specs import load_spec
from formcheck.specs.schema import ExerciseSpec

FPS = 30.0
REP_S = 5.0


def _rep(i: int, spec: ExerciseSpec, counted: bool, faulty: bool) -> RepRecord:
    start = i * REP_S + 0.5
    rule = spec.rules[-1]
    return RepRecord(
        index=i + 1,
        side=None,
        start_s=start,
        end_s=start + 4.0,
        duration_s=4.0,
        active_s=1.0,
        counted=counted,
        correct=counted and not faulty,
        reason="" if counted else "too shallow",
        faults=[rule.id] if faulty else [],
        cues=[rule.cue] if faulty else [],
        range_of_motion=40.0,
        signal_min={},
        signal_max={},
    )


def make_session(reps: int, spec: ExerciseSpec) -> SessionRecord:
    """A generated session of ``reps`` repetitions of ``spec``'s exercise.

    Args:
        reps: Number of repetitions (and attempts) in the session.
        spec: The exercise; every one of its signals gets a sine wave.

    Returns:
        The session record, with per-frame signals at 30 fps.
    """
    frames = round(reps * REP_S * FPS)
    t = [round(i / FPS, 3) for i in range(frames)]
    values: dict[str, list[float | None]] = {
        name: [round(90.0 + 40.0 * math.sin(2 * math.pi * s / REP_S + k), 2) for s in t]
        for k, name in enumerate(spec.signals)
    }
    entries = [_rep(i, spec, i % 10 != 9, i % 3 == 0) for i in range(reps)]
    faults = [
        FaultEvent(
            rule_id=spec.rules[-1].id,
            cue=spec.rules[-1].cue,
            severity="warn",
            start_s=r.start_s + 1.0,
            end_s=r.start_s + 2.0,
            worst_value=140.0,
            side=None,
            rep_index=r.index,
        )
        for r in entries
        if r.faults
    ]
    counted = [r for r in entries if r.counted]
    correct = sum(r.correct for r in counted)
    return SessionRecord(
        exercise=ExerciseInfo(
            id=spec.id,
            name=spec.name,
            revision=spec.revision,
            kind=spec.kind,
            camera_view=spec.camera.view,
            posture=spec.posture,
        ),
        side_mode=spec.side.mode,
        side=None,
        source=SourceInfo(
            kind="landmarks",
            name="generated",
            fps=FPS,
            width=1280,
            height=720,
            duration_s=frames / FPS,
            frames=frames,
            frames_with_person=frames,
        ),
        summary=Summary(
            reps=len(counted),
            correct=correct,
            incorrect=len(counted) - correct,
            per_side=[
                SideSummary(
                    side=None,
                    reps=len(counted),
                    correct=correct,
                    incorrect=len(counted) - correct,
                )
            ],
            attempts_not_counted=len(entries) - len(counted),
            holds=0,
            holds_completed=0,
            longest_hold_s=0.0,
            total_hold_s=0.0,
            fault_counts={spec.rules[-1].id: len(faults)},
            mean_range_of_motion=40.0,
        ),
        reps=entries,
        holds=[],
        faults=faults,
        signals=SignalTrack(
            t_s=t,
            phase=["moving"] * frames,
            side=[None] * frames,
            cue=[None] * frames,
            units={name: "deg" for name in spec.signals},
            values=values,
        ),
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Print build times for sessions of the given sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reps", nargs="*", type=int, default=[12, 48, 96, 240])
    parser.add_argument("--exercise", default="glute_bridge")
    args = parser.parse_args(argv)
    spec = load_spec(args.exercise)
    print(
        f"{'reps':>5} {'timeline s':>11} {'+ JSON s':>9} {'report s':>9} {'ms/rep':>7}"
    )
    for reps in args.reps:
        session = make_session(reps, spec)
        start = time.perf_counter()
        fig = plots.timeline_figure(session, spec)
        figure_s = time.perf_counter() - start
        start = time.perf_counter()
        pio.to_json(fig, validate=False)
        json_s = time.perf_counter() - start
        start = time.perf_counter()
        report.build_report_html([("generated", session)], {spec.id: spec})
        report_s = time.perf_counter() - start
        per_rep_ms = 1000.0 * (figure_s + json_s + report_s) / reps
        print(
            f"{reps:>5} {figure_s:>11.2f} {json_s:>9.2f} {report_s:>9.2f} {per_rep_ms:>7.1f}"
        )


if __name__ == "__main__":
    main()

"""The accuracy benchmark: how often formcheck counts, times and flags correctly.

``formcheck bench`` runs the full pipeline with the real model over labelled
clips — the project's generated clips (exact truth) and any folder of real clips
with a labels file (eye counts, with their confidence) — and reports real and
generated clips separately, per exercise and per clip: the targets of issue 9
(exact count, within ±1, holds timed, wrong exercises recognised as such, no
false "several people"), fault recall, angle error against truth where truth
exists, and the time spent in pose inference versus formcheck's own work.

Modules, one job each:

* :mod:`~formcheck.bench.labels`: what a clip contains; reading a labels file.
* :mod:`~formcheck.bench.evaluate`: running the pipeline on a clip.
* :mod:`~formcheck.bench.result`: what was expected and found on a clip.
* :mod:`~formcheck.bench.checks`: what is right on a clip, and the targets.
* :mod:`~formcheck.bench.summary`: totals, targets, per-exercise rows.
* :mod:`~formcheck.bench.report`: the Markdown layout (``docs/accuracy.md``).
* :mod:`~formcheck.bench.texts`: every sentence of the report.
* :mod:`~formcheck.bench.angles`: angle error against truth.

Labels file format (YAML)::

    format: formcheck-bench-labels
    version: 1
    videos: ../../shared/videos      # folder of the clips, relative to this file
    clips:
      - file: clip.mp4
        exercise: glute_bridge         # spec id
        view: side                     # as filmed; starts with the view word
        reps: 7                        # counted repetitions (null for holds)
        reps_per_side: {left: 1, right: 1}   # optional
        holds_s: [5.0]                 # optional: hold durations, in order
        confidence: medium             # of the label: high | medium-high | medium | low
        side: left                     # optional: the --side to analyse with
        recognised: false              # optional (default true): not this exercise
        people: 2                      # optional (default 1): people in view
        faults:                        # optional: [{rule, start_s, end_s}]
        note: free text

A ``recognised: false`` clip shows another exercise: it is right when the
session summary says the exercise was not recognised, and it has no ``reps``
or ``holds_s``. Unknown keys are an error.
"""

from formcheck.bench.angles import angle_errors
from formcheck.bench.checks import (
    ANGLE_TOLERANCE_DEG,
    HOLD_TOLERANCE_S,
    REAL_HOLD_TOLERANCE_S,
    Check,
    clip_checks,
    failed_checks,
    reported_several_people,
)
from formcheck.bench.evaluate import evaluate_clip, run_benchmark
from formcheck.bench.labels import (
    ClipLabel,
    ClipSource,
    FaultLabel,
    LabelConfidence,
    load_labels,
)
from formcheck.bench.report import to_markdown
from formcheck.bench.result import ClipResult
from formcheck.bench.summary import BenchReport, summarise

__all__ = [
    "ANGLE_TOLERANCE_DEG",
    "HOLD_TOLERANCE_S",
    "REAL_HOLD_TOLERANCE_S",
    "BenchReport",
    "Check",
    "ClipLabel",
    "ClipResult",
    "ClipSource",
    "FaultLabel",
    "LabelConfidence",
    "angle_errors",
    "clip_checks",
    "evaluate_clip",
    "failed_checks",
    "load_labels",
    "reported_several_people",
    "run_benchmark",
    "summarise",
    "to_markdown",
]

"""The Markdown report of ``formcheck bench`` (the format of ``docs/accuracy.md``).

The layout only: real and generated clips in separate sections, each with its
targets, a row per exercise and a row per clip; then what went wrong where,
and totals and speed. The words come from :mod:`formcheck.bench.texts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from formcheck.bench import texts
from formcheck.bench.checks import Check, TargetResult, failed_checks
from formcheck.bench.labels import ClipSource
from formcheck.bench.result import ClipResult
from formcheck.bench.summary import BenchReport, ExerciseRow


def _fmt(value: Any, digits: int = 1, pct: bool = False) -> str:
    if value is None:
        return texts.MISSING
    if isinstance(value, float):
        return f"{100 * value:.0f} %" if pct else f"{value:.{digits}f}"
    return str(value)


def _table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _fraction(t: TargetResult) -> str:
    return f"{t.passed}/{t.clips}" if t.clips else texts.MISSING


def _targets(targets: Sequence[TargetResult]) -> list[str]:
    rows = [
        (
            texts.target_name(t.target),
            str(t.clips),
            str(t.passed),
            _fmt(t.rate, pct=True),
            texts.minimum(t.target.min_rate),
            texts.met_cell(t.met),
        )
        for t in targets
    ]
    return _table(texts.TARGETS_COLUMNS, rows)


def _reps(c: ClipResult) -> str:
    if c.expected_reps is None:
        return texts.MISSING
    return f"{c.expected_reps} → {_fmt(c.found_reps)}"


def _sides(c: ClipResult) -> str:
    if not c.expected_per_side:
        return texts.MISSING
    found = c.found_per_side or {}
    return ", ".join(
        f"{s} {n}→{found.get(s, 0)}" for s, n in c.expected_per_side.items()
    )


def _holds(c: ClipResult) -> str:
    if not c.expected_holds_s:
        return texts.MISSING
    expected = "/".join(f"{h:g}" for h in c.expected_holds_s)
    found = "/".join(f"{h:.1f}" for h in c.found_holds_s or [])
    return f"{expected} → {found or texts.MISSING}"


def _result(c: ClipResult) -> str:
    failed = [Check.ANALYSED] if c.error is not None else failed_checks(c)
    return texts.result_cell([texts.short_failure(c, f) for f in failed])


def _real_clip_row(c: ClipResult) -> list[str]:
    return [
        c.file,
        c.exercise,
        c.view,
        texts.label_cell(c.confidence, c.confidence.scored),
        _reps(c),
        _sides(c),
        _holds(c),
        texts.recognised_cell(c),
        texts.people_cell(c),
        _result(c),
    ]


def _generated_clip_row(c: ClipResult) -> list[str]:
    angle = (
        texts.MISSING
        if c.angle_error_median_deg is None or c.angle_error_p90_deg is None
        else f"{c.angle_error_median_deg:.1f}° / {c.angle_error_p90_deg:.1f}°"
    )
    return [
        c.file,
        c.exercise,
        c.view,
        _reps(c),
        _sides(c),
        _holds(c),
        f"{c.faults_flagged}/{c.faults_injected}",
        f"{c.clean_reps_flagged}/{c.clean_reps}",
        angle,
        f"{100 * c.tracked_share:.0f} %",
        ", ".join(c.flagged_rules) or texts.MISSING,
        _result(c),
    ]


def _fault_cells(clips: Sequence[ClipResult]) -> list[str]:
    """Faults flagged, clean reps flagged and angle error over an exercise's clips."""
    flagged = sum(c.faults_flagged for c in clips)
    injected = sum(c.faults_injected for c in clips)
    clean_flagged = sum(c.clean_reps_flagged for c in clips)
    clean = sum(c.clean_reps for c in clips)
    angles = [
        c.angle_error_median_deg for c in clips if c.angle_error_median_deg is not None
    ]
    angle = f"{sum(angles) / len(angles):.1f}°" if angles else texts.MISSING
    return [f"{flagged}/{injected}", f"{clean_flagged}/{clean}", angle]


def _exercise_table(
    rows: Sequence[ExerciseRow], clips: Sequence[ClipResult], with_faults: bool
) -> list[str]:
    if not rows:
        return []
    columns = [texts.EXERCISE_COLUMN, texts.CLIPS_COLUMN]
    columns += [texts.column_name(t.target) for t in rows[0].targets]
    if with_faults:
        columns += [texts.FAULTS_COLUMN, texts.CLEAN_COLUMN, texts.ANGLE_COLUMN]
    columns.append(texts.ALL_RIGHT_COLUMN)
    table = []
    for row in rows:
        cells = [row.exercise, texts.clips_cell(row.clips, row.unscored)]
        cells += [_fraction(t) for t in row.targets]
        if with_faults:
            cells += _fault_cells([c for c in clips if c.exercise == row.exercise])
        cells.append(f"{row.all_right}/{row.clips}")
        table.append(cells)
    return _table(columns, table)


def _source_section(report: BenchReport, source: ClipSource) -> list[str]:
    real = source is ClipSource.REAL
    clips = report.clips_from(source)
    lines = [
        f"## {texts.REAL_HEADING if real else texts.GENERATED_HEADING}",
        "",
    ]
    if not clips:
        return [*lines, texts.NO_CLIPS, ""]
    scored = sum(c.confidence.scored for c in clips)
    intro = (
        texts.real_targets_intro(scored, len(clips))
        if real
        else texts.GENERATED_TARGETS_INTRO
    )
    targets = [t for t in report.targets if t.target.source is source]
    lines += [f"### {texts.TARGETS_HEADING}", "", intro, "", *_targets(targets), ""]
    rows = [e for e in report.exercises if e.source is source]
    lines += [f"### {texts.PER_EXERCISE_HEADING}", ""]
    lines += [*_exercise_table(rows, clips, with_faults=not real), ""]
    lines += [f"### {texts.PER_CLIP_HEADING}", ""]
    if real:
        lines += _table(texts.REAL_CLIP_COLUMNS, (_real_clip_row(c) for c in clips))
    else:
        lines += _table(
            texts.GENERATED_CLIP_COLUMNS, (_generated_clip_row(c) for c in clips)
        )
    return [*lines, ""]


def _unreliable_section(report: BenchReport) -> list[str]:
    lines = [f"## {texts.UNRELIABLE_HEADING}", ""]
    found = [f"* {u}" for u in report.unreliable]
    return [*lines, *(found or [f"* {texts.NONE_FOUND}"]), ""]


_PERCENT_TOTALS = frozenset(
    {"exact_count_rate", "within_one_rate", "fault_recall", "clean_flag_rate"}
)


def _accuracy_rows(report: BenchReport) -> list[tuple[str, ...]]:
    real = report.totals_by_source.get(str(ClipSource.REAL), {})
    gen = report.totals_by_source.get(str(ClipSource.GENERATED), {})
    rows: list[tuple[str, ...]] = []
    for key, name, target in texts.ACCURACY_MEASURES:
        digits = 2 if key == "mean_abs_count_error" else 1
        pct = key in _PERCENT_TOTALS
        rows.append(
            (
                name,
                _fmt(real.get(key), digits, pct),
                _fmt(gen.get(key), digits, pct),
                target,
            )
        )
    return rows


def _speed_rows(totals: dict[str, Any]) -> list[tuple[str, ...]]:
    t = totals
    return [
        (texts.POSE_MS, texts.milliseconds(_fmt(t["pose_ms_per_frame"])), ""),
        (
            texts.ISOLATED_MS,
            texts.milliseconds(_fmt(t["formcheck_isolated_ms_per_frame"], 2)),
            "",
        ),
        (
            texts.PIPELINE_MS,
            texts.milliseconds(_fmt(t["formcheck_ms_per_frame"], 2)),
            "",
        ),
        (
            texts.RATIO,
            texts.ratios(
                _fmt(t["formcheck_to_pose_ratio"], pct=True),
                _fmt(t["formcheck_in_pipeline_to_pose_ratio"], pct=True),
            ),
            texts.RATIO_TARGET,
        ),
        (
            texts.OFFLINE_SPEED,
            texts.offline_speed(_fmt(t["offline_fps"]), _fmt(t["realtime_factor"], 2)),
            texts.OFFLINE_SPEED_TARGET,
        ),
    ]


def _totals_section(report: BenchReport) -> list[str]:
    return [
        f"## {texts.TOTALS_HEADING}",
        "",
        texts.TOTALS_NOTE,
        "",
        *_table(texts.TOTALS_COLUMNS, _accuracy_rows(report)),
        "",
        *_table(texts.SPEED_COLUMNS, _speed_rows(report.totals)),
    ]


def to_markdown(report: BenchReport) -> str:
    """Render the report as Markdown (the format of ``docs/accuracy.md``)."""
    lines = [
        f"# {texts.TITLE}",
        "",
        texts.generated_by(report.formcheck_version),
        "",
        "```bash",
        report.command,
        "```",
        "",
        texts.HOW_MEASURED,
        "",
        *_source_section(report, ClipSource.REAL),
        *_source_section(report, ClipSource.GENERATED),
        *_unreliable_section(report),
        *_totals_section(report),
    ]
    return "\n".join(lines) + "\n"

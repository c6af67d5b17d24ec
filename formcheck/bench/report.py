"""The Markdown report of ``formcheck bench`` (the format of ``docs/accuracy.md``)."""

from __future__ import annotations

from typing import Any

from formcheck.bench.summary import BenchReport


def _fmt(value: Any, digits: int = 1, pct: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{100 * value:.0f} %" if pct else f"{value:.{digits}f}"
    return str(value)


def to_markdown(report: BenchReport) -> str:
    """Render the report as Markdown (the format of ``docs/accuracy.md``)."""
    t = report.totals
    lines = [
        "# formcheck accuracy benchmark",
        "",
        f"formcheck {report.formcheck_version}. Produced by:",
        "",
        "```bash",
        report.command,
        "```",
        "",
        "## Totals",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| clips (with repetitions) | {t['clips']} ({t['rep_clips']}) | |",
        f"| exact repetition count | {_fmt(t['exact_count_rate'], pct=True)} | ≥ 95 % |",
        f"| within ±1 | {_fmt(t['within_one_rate'], pct=True)} | 100 % |",
        f"| off by one | {_fmt(t['off_by_one_rate'], pct=True)} | |",
        f"| mean absolute count error | {_fmt(t['mean_abs_count_error'], 2)} | |",
        f"| hold time error (max / mean) | {_fmt(t['max_hold_error_s'])} s / {_fmt(t['mean_hold_error_s'])} s | ±1 s |",
        f"| injected faults flagged on their rep | {t['faults_flagged']} / {t['faults_injected']} ({_fmt(t['fault_recall'], pct=True)}) | ≥ 90 % |",
        f"| clean reps flagged | {t['clean_reps_flagged']} / {t['clean_reps']} ({_fmt(t['clean_flag_rate'], pct=True)}) | ≤ 5 % |",
        f"| near-side hip/knee angle error vs truth (mean of clip medians) | {_fmt(t['angle_error_median_deg'])}° | |",
        f"| pose inference per frame | {_fmt(t['pose_ms_per_frame'])} ms | |",
        f"| formcheck's own work per frame, on its own (replayed) | {_fmt(t['formcheck_isolated_ms_per_frame'], 2)} ms | |",
        f"| formcheck's own work per frame, inside the pipeline | {_fmt(t['formcheck_ms_per_frame'], 2)} ms | |",
        f"| formcheck / pose time (on its own; inside the pipeline) | {_fmt(t['formcheck_to_pose_ratio'], pct=True)}; {_fmt(t['formcheck_in_pipeline_to_pose_ratio'], pct=True)} | ≤ 3 % |",
        f"| offline analysis speed | {_fmt(t['offline_fps'])} frames/s, {_fmt(t['realtime_factor'], 2)}× real time | > 1× |",
        "",
        "## Where the checks are not reliable",
        "",
    ]
    lines += [f"* {u}" for u in report.unreliable] or ["* none found in this run"]
    lines += [
        "",
        "## Per clip",
        "",
        "| clip | exercise | view | source (label confidence) | reps expected → found | per side expected → found | holds expected → found (s) | faults flagged / injected | clean reps flagged | angle err median / p90 | tracked | rules flagged |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in report.clips:
        reps = (
            "–"
            if c.expected_reps is None
            else f"{c.expected_reps} → {_fmt(c.found_reps)}"
        )
        sides = "–"
        if c.expected_per_side:
            found = c.found_per_side or {}
            sides = ", ".join(
                f"{s} {n}→{found.get(s, 0)}" for s, n in c.expected_per_side.items()
            )
        holds = "–"
        if c.expected_holds_s:
            holds = f"{'/'.join(f'{h:g}' for h in c.expected_holds_s)} → {'/'.join(f'{h:.1f}' for h in c.found_holds_s or [])}"
        angle = (
            "–"
            if c.angle_error_median_deg is None
            else f"{c.angle_error_median_deg:.1f}° / {c.angle_error_p90_deg:.1f}°"
        )
        name = c.file if c.error is None else f"{c.file} (error: {c.error})"
        lines.append(
            f"| {name} | {c.exercise} | {c.view} | {c.source} ({c.confidence}) | {reps} | {sides} | {holds} | "
            f"{c.faults_flagged}/{c.faults_injected} | {c.clean_reps_flagged}/{c.clean_reps} | {angle} | "
            f"{100 * c.tracked_share:.0f} % | {', '.join(c.flagged_rules) or '–'} |"
        )
    return "\n".join(lines) + "\n"

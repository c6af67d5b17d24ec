"""The Markdown report of ``formcheck bench --speed``."""

from __future__ import annotations

import platform
from collections.abc import Sequence

from formcheck import __version__
from formcheck.perf.live import LIVE_MIN_FPS, CapacityRow, sessions_held
from formcheck.perf.speed import Equality, SpeedResult


def _met(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "**no**")


def speed_section(result: SpeedResult) -> list[str]:
    """The ratios table and the medians behind it."""
    lines = [
        "## Ratios",
        "",
        f"Each variant run {result.repeat} times in fresh processes, alternating; "
        "medians compared. Time ratio = formcheck's time / the reference's time "
        "(lower is better); speed-up = its inverse.",
        "",
        "| figure | time ratio | speed-up | target | met |",
        "|---|---|---|---|---|",
    ]
    for r in result.ratios:
        target = ""
        if r.target is not None:
            target = (
                f"≤ {r.target:.2f}× time"
                if r.target_kind == "time"
                else f"≥ {r.target:.2f}× faster"
            )
        lines.append(
            f"| {r.figure} | {r.time_ratio:.3f} | {r.speedup:.2f}× | {target} | {_met(r.met)} |"
        )
    lines += ["", "| variant | median s | runs |", "|---|---|---|"]
    for name, samples in result.samples_s.items():
        runs = ", ".join(f"{s:.1f}" for s in samples)
        lines.append(
            f"| {result.labels.get(name, name)} | {result.median(name):.1f} | {runs} |"
        )
    return [*lines, ""]


def equality_section(rows: Sequence[Equality], jobs: int) -> list[str]:
    """Parallel against one process, clip by clip."""
    equal = sum(r.equal for r in rows)
    split = [r for r in rows if r.chunks > 1]
    lines = [
        "## Parallel runs give the sequential answers",
        "",
        f"{equal} of {len(rows)} clips equal (repetitions per side and correct, hold "
        f"times, faults), {len(split)} of them split into chunks with --jobs {jobs}. "
        "Landmark differences: pixels, over the frames that differ at all.",
        "",
        "| clip | exercise | chunks | replayed | equal | frames differing | max px | mean px | differences |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        diff = "; ".join(r.differences).replace("|", "/")
        lines.append(
            f"| {r.clip} | {r.exercise} | {r.chunks} | {r.replayed} | {'yes' if r.equal else '**no**'} | "
            f"{r.frames_differing} of {r.frames} | {r.max_px:.2f} | {r.mean_px:.2f} | {diff} |"
        )
    return [*lines, ""]


def live_section(rows: Sequence[CapacityRow], cores: int) -> list[str]:
    """Live sessions at once in one process."""
    lines = [
        "## Live capacity (one process, no browser)",
        "",
        f"K sessions fed at {rows[0].camera_fps:.0f} fps each on {cores} cores; "
        "busy sessions drop frames as streamlit-webrtc does. Share = processed "
        "frames / camera frames.",
        "",
        "| sessions | mean fps | slowest fps | share of camera rate | median latency ms | worst p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        median_ms = max(f.latency_ms_median for f in row.figures)
        lines.append(
            f"| {row.sessions} | {row.mean_fps:.1f} | {row.min_fps:.1f} | "
            f"{row.mean_fps / row.camera_fps:.2f} | {median_ms:.0f} | {row.worst_p95_ms:.0f} |"
        )
    held = sessions_held(rows)
    lines += [
        "",
        f"Sessions held at {LIVE_MIN_FPS:.0f} fps or more each (slowest session): "
        f"**{held}** on {cores} cores, about **{held / max(cores, 1):.1f} per core**"
        + (" (or more: raise --live-sessions)" if held == rows[-1].sessions else "")
        + ".",
    ]
    return [*lines, ""]


def to_markdown(
    command: str,
    cores: int,
    speed: SpeedResult | None,
    equality: Sequence[Equality],
    live: Sequence[CapacityRow],
) -> str:
    """The whole report."""
    lines = [
        "# formcheck speed benchmark",
        "",
        f"`{command}` — formcheck {__version__}, Python {platform.python_version()}, "
        f"{cores} cores ({platform.machine()}).",
        "",
    ]
    if speed is not None:
        lines += speed_section(speed)
    if equality:
        lines += equality_section(equality, speed.jobs if speed else cores)
    if live:
        lines += live_section(live, cores)
    return "\n".join(lines)

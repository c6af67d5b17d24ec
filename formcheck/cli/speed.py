"""``formcheck bench --speed``: every speed figure of issue 15 in one run."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.cli._args import jobs_count, number_in, whole_in
from formcheck.cli._console import EXIT_ERROR, EXIT_OK, err_console, error, lit
from formcheck.fileio import atomic_write_text

if TYPE_CHECKING:
    from formcheck.perf.speed import Clip


def add_speed_arguments(bench: argparse.ArgumentParser) -> None:
    """The ``--speed`` options of ``formcheck bench``."""
    group = bench.add_argument_group(
        "speed (--speed)",
        "ratios against a bare pose loop, parallel equality, live capacity; see docs/performance.md",
    )
    group.add_argument("--speed", action="store_true", help="run the speed benchmark")
    group.add_argument(
        "--jobs",
        type=jobs_count,
        default=None,
        help="jobs for the parallel runs (default: the cores)",
    )
    group.add_argument(
        "--repeat",
        type=whole_in(1, 100),
        default=3,
        help="runs of each variant (default 3)",
    )
    group.add_argument(
        "--long", metavar="VIDEO", help="the long clip (default: the 92 s bird dog)"
    )
    group.add_argument("--long-exercise", default=None, metavar="ID")
    group.add_argument(
        "--short",
        metavar="VIDEO",
        help="the short clip (default: the 10 s 720p bridge)",
    )
    group.add_argument("--short-exercise", default=None, metavar="ID")
    group.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["ratios", "batch", "equality", "live"],
        help="leave a part out (repeatable)",
    )
    group.add_argument(
        "--live-clip",
        metavar="VIDEO",
        help="clip fed to the live sessions (default: a bundled bird-dog sample)",
    )
    group.add_argument(
        "--live-seconds",
        type=number_in(1, 3600),
        default=20.0,
        help="measured seconds per live run",
    )
    group.add_argument(
        "--live-sessions",
        type=whole_in(1, 64),
        default=4,
        help="largest K of live sessions (runs K = 1..this)",
    )


def _equality_clips(args: argparse.Namespace) -> list[tuple[Clip, str | None]]:
    from formcheck.bench import load_labels
    from formcheck.perf.speed import REPO, Clip
    from formcheck.synth_labels import labels_from_manifest

    generated = args.generated or [str(REPO / "sample_videos" / "manifest.yaml")]
    labelled = args.labels or [str(REPO / "benchmarks" / "shared_clips.labels.yaml")]
    labels = []
    for manifest in generated:
        if Path(manifest).exists():
            labels += labels_from_manifest(manifest)
    for path in labelled:
        if Path(path).exists():
            labels += load_labels(path, args.videos)
    if args.only:
        labels = [c for c in labels if c.exercise in set(args.only)]
    return [
        (Clip(c.path, c.exercise), None if c.side is None else str(c.side))
        for c in labels
        if c.path.is_file()
    ]


def cmd_speed(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Run the speed benchmark; print and save its report."""
    from formcheck.outputs import check_output_folder
    from formcheck.parallel import default_jobs
    from formcheck.perf import live, speed
    from formcheck.perf.report import to_markdown

    cores = default_jobs()
    jobs = args.jobs or cores
    out = check_output_folder(args.out)
    words = list(argv) if argv is not None else sys.argv[1:]
    command = "formcheck " + " ".join(words)

    def note(text: str) -> None:
        err_console.print(f"[dim]{lit(text)}[/]")

    result = None
    if "ratios" not in args.skip:
        long = speed.Clip(
            Path(args.long) if args.long else speed.LONG_CLIP,
            args.long_exercise or speed.LONG_EXERCISE,
        )
        short = speed.Clip(
            Path(args.short) if args.short else speed.SHORT_CLIP,
            args.short_exercise or speed.SHORT_EXERCISE,
        )
        batch = [] if "batch" in args.skip else speed.default_batch()
        result = speed.run_speed(long, short, batch, jobs, args.repeat, note)
    equality = []
    if "equality" not in args.skip:
        clips = _equality_clips(args)
        for i, (clip, side) in enumerate(clips, 1):
            note(f"equality {i}/{len(clips)}: {clip.path.name}")
            equality.append(speed.check_equality(clip, jobs, side))
    rows = []
    if "live" not in args.skip:
        live_clip = (
            Path(args.live_clip)
            if args.live_clip
            else speed.SAMPLES / "bird_dog_side.mp4"
        )
        counts = range(1, max(1, args.live_sessions) + 1)
        rows = live.run_capacity(live_clip, "bird_dog", counts, args.live_seconds, note)
    if result is None and not equality and not rows:
        error("nothing to measure (every part was skipped or no clip was found)")
        return EXIT_ERROR
    markdown = to_markdown(command, cores, result, equality, rows)
    atomic_write_text(out / "speed.md", markdown)
    data = {
        "command": command,
        "cores": cores,
        "speed": None if result is None else asdict(result),
        "equality": [asdict(e) for e in equality],
        "live": [asdict(r) for r in rows],
    }
    atomic_write_text(out / "speed.json", json.dumps(data, indent=1, default=str))
    sys.stdout.write(markdown)
    return EXIT_OK

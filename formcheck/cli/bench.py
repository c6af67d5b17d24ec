"""``formcheck bench``: the accuracy benchmark."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from formcheck.cli._console import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    err_console,
    error,
    lit,
)
from formcheck.fileio import atomic_write_text


def cmd_bench(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """``formcheck bench``: run the accuracy benchmark and write its report."""
    from formcheck.bench import ClipLabel, load_labels, run_benchmark, to_markdown
    from formcheck.outputs import check_output_folder
    from formcheck.synth_labels import labels_from_manifest

    if args.speed:
        from formcheck.cli.speed import cmd_speed

        return cmd_speed(args, argv)
    labels: list[ClipLabel] = []
    for manifest in args.generated:
        labels += labels_from_manifest(manifest)
    for path in args.labels:
        labels += load_labels(path, args.videos)
    if not args.generated and not args.labels:
        error("bench needs --generated MANIFEST and/or --labels FILE")
        return EXIT_USAGE
    if args.only:
        labels = [c for c in labels if c.exercise in set(args.only)]
    missing = [c for c in labels if not c.path.is_file()]
    for c in missing:
        err_console.print(f"[yellow]skipped (not found):[/] {lit(c.path)}")
    labels = [c for c in labels if c.path.is_file()]
    if not labels:
        error("no labelled clips found")
        return EXIT_ERROR
    out = check_output_folder(args.out)
    words = list(argv) if argv is not None else sys.argv[1:]
    command = "formcheck " + " ".join(words)
    from rich.progress import Progress

    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("benchmark", total=len(labels))

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, description=lit(name[:40] or "done"))

        report = run_benchmark(labels, command, progress=progress)
    markdown = to_markdown(report)
    atomic_write_text(out / "report.md", markdown)
    atomic_write_text(out / "report.json", report.to_json())
    if args.docs:
        atomic_write_text(Path(args.docs), markdown)
    sys.stdout.write(markdown)
    return EXIT_OK

"""``formcheck analyze`` with several videos or a folder: one bar, one table."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.table import Table

from formcheck.cli._console import (
    EXIT_ERROR,
    EXIT_NOT_ANALYSABLE,
    EXIT_OK,
    console,
    error,
    lit,
)


def wants_batch(inputs: list[str]) -> bool:
    """Whether the inputs are a batch: several of them, or a folder."""
    return len(inputs) > 1 or any(os.path.isdir(p) for p in inputs)


def show_progress(args: argparse.Namespace) -> bool:
    """Whether to draw a progress bar (a terminal, or FORMCHECK_PROGRESS=1)."""
    return (not args.quiet and sys.stderr.isatty()) or os.environ.get(
        "FORMCHECK_PROGRESS"
    ) == "1"


def _table(rows: list[object]) -> Table:
    from formcheck.batch import BatchRow

    table = Table(title="formcheck analyze: summary")
    table.add_column("file", no_wrap=True)
    for column in ("exercise", "reps", "holds", "faults", "status"):
        table.add_column(column)
    for row in rows:
        assert isinstance(row, BatchRow)
        reps = "" if row.reps is None else f"{row.reps} ({row.correct} correct)"
        holds = "" if not row.holds_total else f"{row.holds} of {row.holds_total}"
        faults = "" if row.faults is None else str(row.faults)
        style = "green" if row.ok else ("red" if row.reps is None else "yellow")
        table.add_row(
            lit(Path(row.file).name),
            lit(row.exercise),
            reps,
            holds,
            faults,
            f"[{style}]{lit(row.detail)}[/]",
        )
    return table


def cmd_batch(args: argparse.Namespace, jobs: int) -> int:
    """Analyse every video named (files and folders); print the summary table."""
    from tqdm import tqdm

    from formcheck import messages
    from formcheck.batch import (
        BatchOptions,
        BatchRow,
        Status,
        collect_videos,
        run_batch,
    )
    from formcheck.interrupt import stop_on_signals
    from formcheck.outputs import check_output_folder
    from formcheck.specs import load_spec

    if args.landmarks:
        error("--landmarks analyses one landmark file: give no video with it")
        return EXIT_ERROR
    spec = load_spec(args.exercise)
    out = check_output_folder(args.out)
    videos, rows = collect_videos(args.video)
    if not videos and not rows:
        error(f"{', '.join(args.video)}: no video files found")
        return EXIT_ERROR
    options = BatchOptions(
        spec=spec,
        side=args.side,
        out=out,
        video=not args.no_video,
        save_landmarks=args.save_landmarks,
        model_complexity=args.model_complexity,
    )
    bar = tqdm(
        total=1,
        unit="frame",
        desc="videos",
        disable=not show_progress(args),
        file=sys.stderr,
    )

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    results: list[BatchRow] = []
    with stop_on_signals() as stop:
        try:
            results = list(run_batch(videos, options, jobs, progress, stop))
        finally:
            bar.close()
    order = {str(v.path): i for i, v in enumerate(videos)}
    results.sort(key=lambda r: order.get(r.file, -1))
    everything: list[object] = [*rows, *results]
    console.print(_table(everything))
    console.print(f"[dim]output folder:[/] {lit(out)}", soft_wrap=True)
    if stop.requested:
        saved = sum(1 for r in results if r.outputs)
        unstarted = len(videos) - len(results)
        error(messages.batch_stopped(stop.how, saved, len(videos), unstarted))
        return stop.exit_status
    failed = [
        r for r in [*rows, *results] if r.reps is None or r.status is Status.NO_VIDEO
    ]
    if failed:
        return EXIT_ERROR
    if any(not r.ok for r in results):
        return EXIT_NOT_ANALYSABLE
    return EXIT_OK

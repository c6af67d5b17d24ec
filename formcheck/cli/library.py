"""``formcheck exercises``, ``spec validate``, ``spec schema`` and ``pictures``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.table import Table
from rich.text import Text

from formcheck.cli._console import (
    EXIT_ERROR,
    EXIT_OK,
    console,
    error,
    lit,
)

_EXERCISE_COLUMNS = ("id", "kind", "camera view", "side", "description")
_MIN_DESCRIPTION_WIDTH = 30


def _field_widths(rows: Sequence[tuple[str, ...]]) -> list[int]:
    """Widths of every column but the description (header included)."""
    return [
        max(len(name), *(len(row[i]) for row in rows))
        for i, name in enumerate(_EXERCISE_COLUMNS[:-1])
    ]


def _exercise_table(rows: Sequence[tuple[str, ...]]) -> Table | None:
    """The exercises as a table, or ``None`` if it would not fit the terminal."""
    widths = _field_widths(rows)
    # Borders and padding take 3 characters per column, plus 1.
    needed = sum(widths) + _MIN_DESCRIPTION_WIDTH + 3 * len(_EXERCISE_COLUMNS) + 1
    if not console.is_terminal or needed > console.width:
        return None
    table = Table(title="formcheck exercises", show_lines=False)
    for name, width in zip(_EXERCISE_COLUMNS, widths, strict=False):
        # Ids are typed by the user: never wrapped, never cut.
        table.add_column(
            name, style="bold" if name == "id" else None, no_wrap=True, min_width=width
        )
    table.add_column(
        _EXERCISE_COLUMNS[-1], overflow="fold", min_width=_MIN_DESCRIPTION_WIDTH
    )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


def cmd_exercises() -> int:
    """List the exercises; every id is shown whole, at any width and in a pipe.

    A terminal wide enough gets a table (only the description wraps); a
    narrower one gets each id on its own line with the description wrapped
    below it; a pipe gets one line per exercise with aligned fields and no
    line breaks inserted (easy to ``grep``).
    """
    from rich.padding import Padding

    from formcheck.specs import load_all

    rows = [
        (spec.id, spec.kind, spec.camera.view, spec.side.mode, spec.description)
        for spec in load_all().values()
    ]
    table = _exercise_table(rows)
    if table is not None:
        console.print(table)
    elif console.is_terminal:
        for ex_id, kind, view, side, description in rows:
            details = f"  {kind}, {view} view, side: {side}"
            console.print(Text.assemble((ex_id, "bold"), details), soft_wrap=True)
            console.print(Padding(Text(description), (0, 0, 1, 4)))
    else:
        widths = _field_widths(rows)
        for row in [_EXERCISE_COLUMNS, *rows]:
            fields = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
            console.print(Text("  ".join([*fields, row[-1]])), soft_wrap=True)
    return EXIT_OK


def cmd_spec_validate(paths: list[str]) -> int:
    """``formcheck spec validate``: check spec files, one line per problem."""
    from formcheck.errors import SpecError
    from formcheck.specs.loader import builtin_spec_dir, list_spec_files, load_spec_file

    files: list[Path] = []
    for raw in paths or [str(builtin_spec_dir())]:
        p = Path(raw)
        if p.is_dir():
            files.extend(list_spec_files(p))
        else:
            files.append(p)
    if not files:
        error(f"{', '.join(paths)}: no spec files (*.yaml) found")
        return EXIT_ERROR
    failed = 0
    for f in files:
        try:
            spec = load_spec_file(f)
        except SpecError as exc:
            failed += 1
            error(str(exc))
        else:
            console.print(
                f"[green]ok[/]  {lit(f)}  ({lit(spec.id)}, revision {spec.revision})"
            )
    if failed:
        error(f"{failed} of {len(files)} spec file(s) are invalid")
        return EXIT_ERROR
    return EXIT_OK


def cmd_spec_schema() -> int:
    """``formcheck spec schema``: print the JSON Schema of the spec format."""
    from formcheck.specs.loader import json_schema

    sys.stdout.write(json_schema() + "\n")
    return EXIT_OK


def cmd_pictures(args: argparse.Namespace) -> int:
    """``formcheck pictures``: render (or check) the Exercises page pictures."""
    from formcheck.pictures import pictures_dir
    from formcheck.specs import load_all, load_spec
    from formcheck.synth.pictures import can_draw, stale_pictures, write_pictures

    specs = [load_spec(i) for i in args.exercise] or list(load_all().values())
    cannot = [spec.id for spec in specs if not can_draw(spec.id)]
    for spec_id in cannot:
        error(f"{spec_id}: the mannequin cannot perform this exercise; no pictures")
    folder = Path(args.out) if args.out else pictures_dir()
    if args.check:
        stale = stale_pictures(specs, folder)
        for path in stale:
            error(f"{path}: missing or out of date; run `formcheck pictures`")
        return EXIT_ERROR if stale or cannot else EXIT_OK
    written = write_pictures(specs, folder)
    size_kb = sum(p.stat().st_size for p in written) / 1000
    console.print(
        f"{len(written)} pictures ({size_kb:.0f} kB) in {lit(folder)}", soft_wrap=True
    )
    return EXIT_ERROR if cannot else EXIT_OK

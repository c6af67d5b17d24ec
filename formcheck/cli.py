"""The ``formcheck`` command line.

Every expected problem (bad file, unknown exercise, unwritable folder, bad
spec) is reported as one line naming the file and the problem, with a
non-zero exit status and no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from formcheck import __version__
from formcheck.errors import FormcheckError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_ANALYSABLE = 3

_EXERCISE_COLUMNS = ("id", "kind", "camera view", "side", "description")
_MIN_DESCRIPTION_WIDTH = 30

# No emoji codes (":smile:") either: user text is printed exactly as given.
console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)


def _lit(value: object) -> str:
    """``value`` as Rich markup that prints literally.

    Every piece of user-supplied text (paths, names, spec text, cues,
    warnings) goes through this before it meets Rich markup, so ``[red]`` or
    ``x[/]y.mp4`` is printed as typed instead of styling or crashing.
    """
    return escape(str(value))


def _error(message: str) -> None:
    for line in message.splitlines() or [message]:
        err_console.print(
            f"[bold red]formcheck: error:[/] {_lit(line)}", markup=True, soft_wrap=True
        )


def _plain(line: str) -> None:
    """Print a line as plain text (names and e-mails are never markup)."""
    console.print(line, markup=False, highlight=False, soft_wrap=True)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="formcheck",
        description="Check exercise form for sciatica and low-back-pain exercises from video.",
    )
    parser.add_argument(
        "--version", action="version", version=f"formcheck {__version__}"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show debug logging"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    analyze = sub.add_parser(
        "analyze",
        help="analyse a recorded video: annotated MP4, per-rep table, session JSON and CSV",
        description="Analyse a recorded exercise video.",
    )
    analyze.add_argument(
        "video", nargs="?", help="the video file (mp4, mov, avi, webm ...)"
    )
    analyze.add_argument(
        "--exercise",
        "-e",
        required=True,
        help="exercise id (see `formcheck exercises`) or a spec file",
    )
    analyze.add_argument(
        "--side", choices=["left", "right"], help="your painful or chosen side"
    )
    analyze.add_argument(
        "--out",
        "-o",
        default="formcheck_out",
        help="output folder (default: formcheck_out)",
    )
    analyze.add_argument(
        "--save-landmarks",
        action="store_true",
        help="also save the landmarks (.npz) for replay",
    )
    analyze.add_argument(
        "--landmarks",
        help="analyse saved landmarks (.npz) instead of a video: no model, no video output",
    )
    analyze.add_argument(
        "--no-video", action="store_true", help="do not write the annotated video"
    )
    analyze.add_argument(
        "--model-complexity",
        type=int,
        choices=[0, 1, 2],
        default=1,
        help="MediaPipe pose model: 1 = full (bundled, default); 0 = lite and 2 = heavy are downloaded on first use",
    )
    analyze.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    sub.add_parser("exercises", help="list the exercises with their camera view")

    demo = sub.add_parser(
        "demo",
        help="analyse a bundled sample video (no camera or download needed)",
        description="Run `formcheck analyze` on one of the project's own sample videos.",
    )
    demo.add_argument(
        "--exercise",
        "-e",
        default="glute_bridge",
        help="exercise id (default: glute_bridge)",
    )
    demo.add_argument(
        "--out",
        "-o",
        default="formcheck_out",
        help="output folder (default: formcheck_out)",
    )

    from formcheck.synth.cli import add_render_arguments

    render = sub.add_parser(
        "render",
        help="render a labelled synthetic exercise clip (any exercise x view x body x fault)",
        description="Render a mannequin doing an exercise, with a ground-truth file beside the clip.",
    )
    add_render_arguments(render)
    pictures = sub.add_parser(
        "pictures",
        help="draw each exercise's start, end and camera-placement pictures (for the app)",
        description=(
            "Render the pictures of the Exercises page with the project's mannequin; "
            "the same specs give the same bytes."
        ),
    )
    pictures.add_argument(
        "--exercise",
        "-e",
        action="append",
        default=[],
        metavar="ID",
        help="only this exercise (repeatable; default: every bundled exercise)",
    )
    pictures.add_argument(
        "--out", "-o", help="output folder (default: the bundled pose_specs/pictures)"
    )
    pictures.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any picture is missing or out of date",
    )
    samples = sub.add_parser(
        "samples",
        help="regenerate sample_videos/ exactly (python -m formcheck.synth samples ...)",
        add_help=False,
    )
    samples.add_argument("rest", nargs=argparse.REMAINDER)

    bench = sub.add_parser(
        "bench",
        help="accuracy benchmark on labelled clips (generated samples and real clips)",
        description="Run the full pipeline with the real model over labelled clips and report accuracy and speed.",
    )
    bench.add_argument(
        "--generated",
        action="append",
        default=[],
        metavar="MANIFEST",
        help="a generated-clip manifest (e.g. sample_videos/manifest.yaml); repeatable",
    )
    bench.add_argument(
        "--labels",
        action="append",
        default=[],
        metavar="FILE",
        help="a labels file for real clips (e.g. benchmarks/shared_clips.labels.yaml); repeatable",
    )
    bench.add_argument(
        "--videos",
        help="folder of the real clips (overrides the labels file's `videos`)",
    )
    bench.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="EXERCISE",
        help="only these exercise ids",
    )
    bench.add_argument(
        "--out", "-o", default="bench_out", help="folder for report.md and report.json"
    )
    bench.add_argument(
        "--docs", help="also write the Markdown report here (e.g. docs/accuracy.md)"
    )

    from formcheck.store.sql.commands import add_commands

    add_commands(sub)

    spec = sub.add_parser(
        "spec", help="validate spec files or print the spec JSON Schema"
    )
    spec_sub = spec.add_subparsers(dest="spec_command", metavar="ACTION")
    validate = spec_sub.add_parser(
        "validate", help="validate spec files (default: the bundled specs)"
    )
    validate.add_argument("paths", nargs="*", help="spec files or folders")
    spec_sub.add_parser(
        "schema", help="print the JSON Schema of the spec format (for editors)"
    )
    return parser


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


def _cmd_exercises() -> int:
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


def _cmd_spec_validate(paths: list[str]) -> int:
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
        _error(f"{', '.join(paths)}: no spec files (*.yaml) found")
        return EXIT_ERROR
    failed = 0
    for f in files:
        try:
            spec = load_spec_file(f)
        except SpecError as exc:
            failed += 1
            _error(str(exc))
        else:
            console.print(
                f"[green]ok[/]  {_lit(f)}  ({_lit(spec.id)}, revision {spec.revision})"
            )
    if failed:
        _error(f"{failed} of {len(files)} spec file(s) are invalid")
        return EXIT_ERROR
    return EXIT_OK


def _cmd_spec_schema() -> int:
    from formcheck.specs.loader import json_schema

    sys.stdout.write(json_schema() + "\n")
    return EXIT_OK


def _summary_table(session: object) -> Table:
    from formcheck.record import SessionRecord

    assert isinstance(session, SessionRecord)
    table = Table(title=f"{_lit(session.exercise.name)}: repetitions", show_lines=False)
    for col in (
        "#",
        "side",
        "start",
        "end",
        "counted",
        "result",
        "range",
        "faults / reason",
    ):
        table.add_column(col)
    for r in session.reps:
        result = "correct" if r.correct else ("faulty" if r.counted else "-")
        style = "green" if r.correct else ("red" if r.counted else "dim")
        detail = ", ".join(r.cues) if r.counted else r.reason
        rom = "" if r.range_of_motion is None else f"{r.range_of_motion:.0f}"
        table.add_row(
            str(r.index) if r.counted else "-",
            _lit(r.side or ""),
            f"{r.start_s:.1f}s",
            f"{r.end_s:.1f}s",
            "yes" if r.counted else "no",
            f"[{style}]{result}[/]",
            rom,
            _lit(detail),
        )
    return table


def _print_summary(result: object, outputs: dict[str, Path]) -> None:
    from formcheck.analyze import AnalysisResult

    assert isinstance(result, AnalysisResult)
    s = result.session
    if s.reps:
        console.print(_summary_table(s))
    if s.holds:
        table = Table(title=f"{_lit(s.exercise.name)}: holds")
        for col in ("#", "start", "end", "held", "target", "done"):
            table.add_column(col)
        for h in s.holds:
            table.add_row(
                str(h.index),
                f"{h.start_s:.1f}s",
                f"{h.end_s:.1f}s",
                f"{h.held_s:.1f}s",
                f"{h.target_s:.0f}s",
                "[green]yes[/]" if h.completed else "[red]no[/]",
            )
        console.print(table)
    sm = s.summary
    if s.exercise.kind == "reps":
        per_side = "  ".join(
            f"{p.side}: {p.reps} ({p.correct} correct)"
            for p in sm.per_side
            if p.side is not None
        )
        console.print(
            f"[bold]Repetitions:[/] {sm.reps}  correct {sm.correct}  faulty {sm.incorrect}"
            + (f"   {_lit(f'[{per_side}]')}" if per_side else ""),
            soft_wrap=True,
        )
    if s.exercise.kind == "hold" or s.holds:
        console.print(
            f"[bold]Holds:[/] {sm.holds_completed} of {sm.holds} reached the minimum; longest {sm.longest_hold_s:.1f}s"
        )
    if s.faults:
        console.print("[bold]Faults:[/]")
        for f in s.faults:
            rep = f" (rep {f.rep_index})" if f.rep_index else ""
            console.print(
                f"  {f.start_s:6.1f}s-{f.end_s:6.1f}s  "
                f"[yellow]{_lit(f.rule_id)}[/]{rep}: {_lit(f.cue)}"
            )
    for w in s.warnings:
        console.print(f"[yellow]warning:[/] {_lit(w)}")
    for kind, path in outputs.items():
        console.print(f"[dim]{kind}:[/] {_lit(path)}", soft_wrap=True)


def _cmd_analyze(args: argparse.Namespace) -> int:
    from formcheck.analyze import (
        AnalysisResult,
        analyze_landmarks,
        analyze_video,
        check_output_folder,
    )
    from formcheck.record import write_session_files
    from formcheck.specs import load_spec
    from formcheck.types import PoseSequence
    from formcheck.video import probe_video

    if not args.video and not args.landmarks:
        _error("analyze needs a VIDEO file (or --landmarks FILE.npz)")
        return EXIT_USAGE
    spec = load_spec(args.exercise)
    out = check_output_folder(args.out)
    if args.landmarks:
        sequence = PoseSequence.load_npz(args.landmarks)
        result: AnalysisResult = analyze_landmarks(sequence, spec, side=args.side)
        stem = Path(args.landmarks).stem
        source_name = args.landmarks
    else:
        video = Path(args.video)
        info = probe_video(video)  # fail fast with a clear message
        stem = video.stem
        source_name = str(video)
        out_video = None if args.no_video else out / f"{stem}.annotated.mp4"
        show = (not args.quiet and sys.stderr.isatty()) or os.environ.get(
            "FORMCHECK_PROGRESS"
        ) == "1"
        from tqdm import tqdm

        bar = tqdm(
            total=max(info.frame_count, 1),
            unit="frame",
            desc=video.name,
            disable=not show,
            file=sys.stderr,
        )

        def progress(done: int, total: int) -> None:
            bar.update(1)

        try:
            result = analyze_video(
                video,
                spec,
                side=args.side,
                out_video=out_video,
                save_landmarks=args.save_landmarks,
                model_complexity=args.model_complexity,
                progress=progress,
            )
        finally:
            bar.close()
    outputs: dict[str, Path] = {}
    if result.video_path is not None:
        outputs["annotated video"] = result.video_path
    files = write_session_files(result.session, out, stem)
    outputs["session"] = files.json
    outputs["per-rep CSV"] = files.reps_csv
    if files.holds_csv is not None:
        outputs["holds CSV"] = files.holds_csv
    if args.save_landmarks and result.landmarks is not None:
        lm_path = out / f"{stem}.landmarks.npz"
        try:
            result.landmarks.save_npz(lm_path)
        except OSError as exc:
            _error(f"{lm_path}: cannot write landmarks ({exc})")
            return EXIT_ERROR
        outputs["landmarks"] = lm_path
    _print_summary(result, outputs)
    if result.problems:
        for p in result.problems:
            _error(f"{source_name}: {p}; results up to that point were saved")
        return EXIT_NOT_ANALYSABLE
    if result.no_person:
        _error(
            f"{source_name}: nobody was found in any frame; check the camera framing (whole body in view)"
        )
        return EXIT_NOT_ANALYSABLE
    if result.several_people:
        src = result.session.source
        share = 100 * src.frames_with_several_people / max(src.frames_with_person, 1)
        _error(
            f"{source_name}: more than one person is in view in {share:.0f}% of the frames; "
            "formcheck follows one person, so film only the person exercising (form checks were skipped in those frames)"
        )
        return EXIT_NOT_ANALYSABLE
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from formcheck.specs import load_spec

    spec = load_spec(args.exercise)
    samples = Path(__file__).resolve().parents[1] / "sample_videos"
    view = "front" if spec.camera.view == "front" else "side"
    clip = samples / f"{spec.id}_{view}.mp4"
    if not clip.is_file():
        _error(
            f"{clip}: no bundled sample for '{spec.id}' "
            "(sample videos come with a source checkout; see `formcheck samples`)"
        )
        return EXIT_ERROR
    truth = clip.with_name(clip.stem + ".truth.json")
    side: list[str] = []
    if spec.side.mode == "painful" and truth.is_file():
        import json

        side = ["--side", json.loads(truth.read_text())["side"]]
    console.print(
        f"[bold]formcheck demo:[/] analysing {_lit(clip)} as '{_lit(spec.id)}'"
    )
    words = ["analyze", str(clip), "--exercise", spec.id, "--out", args.out, *side]
    return _cmd_analyze(_build_parser().parse_args(words))


def _cmd_pictures(args: argparse.Namespace) -> int:
    from formcheck.pictures import pictures_dir
    from formcheck.specs import load_all, load_spec
    from formcheck.synth.pictures import can_draw, stale_pictures, write_pictures

    specs = [load_spec(i) for i in args.exercise] or list(load_all().values())
    cannot = [spec.id for spec in specs if not can_draw(spec.id)]
    for spec_id in cannot:
        _error(f"{spec_id}: the mannequin cannot perform this exercise; no pictures")
    folder = Path(args.out) if args.out else pictures_dir()
    if args.check:
        stale = stale_pictures(specs, folder)
        for path in stale:
            _error(f"{path}: missing or out of date; run `formcheck pictures`")
        return EXIT_ERROR if stale or cannot else EXIT_OK
    written = write_pictures(specs, folder)
    size_kb = sum(p.stat().st_size for p in written) / 1000
    console.print(
        f"{len(written)} pictures ({size_kb:.0f} kB) in {_lit(folder)}", soft_wrap=True
    )
    return EXIT_ERROR if cannot else EXIT_OK


def _cmd_bench(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from formcheck.analyze import check_output_folder
    from formcheck.bench import ClipLabel, load_labels, run_benchmark, to_markdown
    from formcheck.synth_labels import labels_from_manifest

    labels: list[ClipLabel] = []
    for manifest in args.generated:
        labels += labels_from_manifest(manifest)
    for path in args.labels:
        labels += load_labels(path, args.videos)
    if not args.generated and not args.labels:
        _error("bench needs --generated MANIFEST and/or --labels FILE")
        return EXIT_USAGE
    if args.only:
        labels = [c for c in labels if c.exercise in set(args.only)]
    missing = [c for c in labels if not c.path.is_file()]
    for c in missing:
        err_console.print(f"[yellow]skipped (not found):[/] {_lit(c.path)}")
    labels = [c for c in labels if c.path.is_file()]
    if not labels:
        _error("no labelled clips found")
        return EXIT_ERROR
    out = check_output_folder(args.out)
    words = list(argv) if argv is not None else sys.argv[1:]
    command = "formcheck " + " ".join(words)
    from rich.progress import Progress

    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("benchmark", total=len(labels))

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, description=_lit(name[:40] or "done"))

        report = run_benchmark(labels, command, progress=progress)
    markdown = to_markdown(report)
    (out / "report.md").write_text(markdown, encoding="utf-8")
    (out / "report.json").write_text(report.to_json(), encoding="utf-8")
    if args.docs:
        Path(args.docs).write_text(markdown, encoding="utf-8")
    sys.stdout.write(markdown)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # MediaPipe, FFmpeg and OpenCV would print their own lines beside ours.
        from formcheck._quiet import quiet_native_logging

        quiet_native_logging()
    try:
        if args.command == "analyze":
            return _cmd_analyze(args)
        if args.command == "exercises":
            return _cmd_exercises()
        if args.command == "bench":
            return _cmd_bench(args, argv)
        if args.command == "demo":
            return _cmd_demo(args)
        if args.command == "render":
            from formcheck.synth.cli import render_command

            return render_command(args)
        if args.command == "pictures":
            return _cmd_pictures(args)
        if args.command == "samples":
            from formcheck.synth.cli import main as synth_main

            return synth_main(["samples", *args.rest])
        if args.command in ("db", "import", "admin"):
            from formcheck.store.sql.commands import run_command

            status = run_command(args, _plain)
            if status == EXIT_USAGE:
                with contextlib.suppress(SystemExit):
                    parser.parse_args([args.command, "--help"])
            return status
        if args.command == "spec":
            if args.spec_command == "validate":
                return _cmd_spec_validate(args.paths)
            if args.spec_command == "schema":
                return _cmd_spec_schema()
            parser.parse_args(["spec", "--help"])
            return EXIT_USAGE
        parser.print_help()
        return EXIT_USAGE
    except FormcheckError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:  # a bug, not bad input: say so without a wall of text
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        _error(f"internal error: {type(exc).__name__}: {exc} (run with -v for details)")
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

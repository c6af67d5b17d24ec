"""The argument parser of ``formcheck``: every command and option."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from formcheck._version import __version__
from formcheck.cli._args import jobs_count

#: Commands whose options are defined by modules that are slow to import
#: (the mannequin renderer, the database layer). Other commands get a light
#: stand-in for them, so that ``formcheck analyze`` starts quickly.
SLOW_COMMANDS = ("render", "db", "import", "admin")


def command_word(argv: Sequence[str]) -> str | None:
    """The command in ``argv`` (its first word that is not an option)."""
    return next((word for word in argv if not word.startswith("-")), None)


def _stand_ins(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, text in (
        ("render", "render a labelled synthetic exercise clip"),
        ("db", "database: upgrade the schema, show its status"),
        ("import", "copy a data folder's sessions and prescriptions into the database"),
        ("admin", "clinic accounts: roles and links"),
    ):
        sub.add_parser(name, help=text, add_help=False)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every ``formcheck`` command.

    Args:
        command: The command about to run (see :func:`command_word`); the
            options of the :data:`SLOW_COMMANDS` are only defined when it is
            one of them or ``None``.
    """
    full = command is None or command in SLOW_COMMANDS
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

    _add_analyze(sub)

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

    if full:
        from formcheck.synth.cli import add_render_arguments

        render = sub.add_parser(
            "render",
            help="render a labelled synthetic exercise clip (any exercise x view x body x fault)",
            description="Render a mannequin doing an exercise, with a ground-truth file beside the clip.",
        )
        add_render_arguments(render)
    else:
        _stand_ins(sub)
    _add_pictures(sub)
    samples = sub.add_parser(
        "samples",
        help="regenerate sample_videos/ exactly (python -m formcheck.synth samples ...)",
        add_help=False,
    )
    samples.add_argument("rest", nargs=argparse.REMAINDER)

    bench = _add_bench(sub)
    from formcheck.cli.speed import add_speed_arguments

    add_speed_arguments(bench)
    from formcheck.cli.worker import add_worker_arguments

    add_worker_arguments(sub)

    if full:
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


def _add_analyze(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``formcheck analyze``: one video, a batch, or saved landmarks."""
    analyze = sub.add_parser(
        "analyze",
        help="analyse a recorded video: annotated MP4, per-rep table, session JSON and CSV",
        description="Analyse a recorded exercise video.",
    )
    analyze.add_argument(
        "video",
        nargs="*",
        help="the video file (mp4, mov, avi, webm ...); several files or folders "
        "are analysed as a batch with a summary table",
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
    analyze.add_argument(
        "--jobs",
        "-j",
        type=jobs_count,
        default=None,
        metavar="N",
        help="processes to use (default: the number of cores); one video is cut "
        "into parallel chunks, a batch runs videos side by side; 1 = one process",
    )
    analyze.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def _add_pictures(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``formcheck pictures``: the Exercises page's pictures."""
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


def _add_bench(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """``formcheck bench``: the accuracy benchmark's options."""
    bench = sub.add_parser(
        "bench",
        help="accuracy benchmark on labelled clips (generated samples and real clips); "
        "--speed: speed against a bare pose loop",
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
    return bench

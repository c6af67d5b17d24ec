"""The ``formcheck`` command line.

Every expected problem (bad file, unknown exercise, unwritable folder, bad
spec) is reported as one line naming the file and the problem, with a
non-zero exit status and no traceback. One module per group of commands:
:mod:`~formcheck.cli.analyze` (analyze, demo), :mod:`~formcheck.cli.library`
(exercises, spec, pictures), :mod:`~formcheck.cli.bench`, and the database
commands in :mod:`formcheck.store.sql.commands`.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from formcheck.cli._console import (
    EXIT_ERROR,
    EXIT_USAGE,
    configure_logging,
    error,
    plain,
)
from formcheck.cli.analyze import cmd_analyze, cmd_demo
from formcheck.cli.bench import cmd_bench
from formcheck.cli.library import (
    cmd_exercises,
    cmd_pictures,
    cmd_spec_schema,
    cmd_spec_validate,
)
from formcheck.cli.parser import build_parser, command_word
from formcheck.errors import FormcheckError

__all__ = ["main", "run"]


def run() -> NoReturn:
    """The ``formcheck`` program (the console script and ``python -m formcheck``).

    Runs :func:`main` on ``sys.argv`` and exits with its status; commands that
    are done once their files are written end without the interpreter's
    teardown (:mod:`formcheck.cli._exit`).
    """
    from formcheck.cli._exit import FAST_EXIT_COMMANDS, exit_now

    status = main()
    if command_word(sys.argv[1:]) in FAST_EXIT_COMMANDS:
        exit_now(status)
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_word(words))
    args = parser.parse_args(words)
    configure_logging(args.verbose)
    if not args.verbose:
        # MediaPipe, FFmpeg and OpenCV would print their own lines beside ours.
        from formcheck._quiet import quiet_native_logging

        quiet_native_logging()
    try:
        if args.command == "analyze":
            return cmd_analyze(args)
        if args.command == "exercises":
            return cmd_exercises()
        if args.command == "bench":
            return cmd_bench(args, argv)
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "worker":
            from formcheck.cli.worker import cmd_worker

            return cmd_worker(args)
        if args.command == "render":
            from formcheck.synth.cli import render_command

            return render_command(args)
        if args.command == "pictures":
            return cmd_pictures(args)
        if args.command == "samples":
            from formcheck.synth.cli import main as synth_main

            return synth_main(["samples", *args.rest])
        if args.command in ("db", "import", "admin"):
            from formcheck.store.sql.commands import run_command

            status = run_command(args, plain)
            if status == EXIT_USAGE:
                with contextlib.suppress(SystemExit):
                    parser.parse_args([args.command, "--help"])
            return status
        if args.command == "spec":
            if args.spec_command == "validate":
                return cmd_spec_validate(args.paths)
            if args.spec_command == "schema":
                return cmd_spec_schema()
            parser.parse_args(["spec", "--help"])
            return EXIT_USAGE
        parser.print_help()
        return EXIT_USAGE
    except FormcheckError as exc:
        error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        from formcheck.messages import INTERRUPTED_AT_ONCE

        error(INTERRUPTED_AT_ONCE)
        return 130
    except Exception as exc:  # a bug, not bad input: say so without a wall of text
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        error(f"internal error: {type(exc).__name__}: {exc} (run with -v for details)")
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    run()

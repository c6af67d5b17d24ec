"""``formcheck worker``: analyse the clinic's queued uploads."""

from __future__ import annotations

import argparse

from formcheck.cli._args import jobs_count, number_in
from formcheck.cli._console import EXIT_OK, plain


def add_worker_arguments(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """The ``worker`` command."""
    worker = sub.add_parser(
        "worker",
        help="analyse videos uploaded in clinic mode (job queue in PostgreSQL)",
        description=(
            "Take queued uploads from the clinic's database (FORMCHECK_DATABASE_URL) "
            "and analyse them; run one per machine, on as many machines as needed."
        ),
    )
    worker.add_argument(
        "--jobs",
        "-j",
        type=jobs_count,
        default=None,
        metavar="N",
        help="processes per analysis (default: the number of cores)",
    )
    worker.add_argument(
        "--until-empty",
        action="store_true",
        help="stop when no job is left instead of waiting for new ones",
    )
    worker.add_argument(
        "--heartbeat-s",
        type=number_in(0.5, 3600),
        default=10.0,
        help="seconds between two signs of life (default 10)",
    )
    worker.add_argument(
        "--stalled-after-s",
        type=number_in(2, 86400),
        default=60.0,
        help="a worker silent this long is taken for dead and its job runs again (default 60)",
    )


def cmd_worker(args: argparse.Namespace) -> int:
    """Run a worker until Ctrl-C (or until the queue is empty)."""
    from formcheck.parallel import default_jobs
    from formcheck.queue.worker import WorkerSettings, run_worker
    from formcheck.store.sql import Database, load_database_config
    from formcheck.store.sql.config import read_secrets_file

    config = load_database_config(secrets=read_secrets_file())
    database = Database.open(config)
    settings = WorkerSettings(jobs=args.jobs or default_jobs())
    plain(
        f"formcheck worker: {config.display()}, {settings.jobs} process(es) per video"
    )
    try:
        run_worker(
            database,
            settings,
            wait=not args.until_empty,
            heartbeat_s=args.heartbeat_s,
            stalled_after_s=args.stalled_after_s,
        )
    finally:
        database.close()
    return EXIT_OK

"""The database commands of the ``formcheck`` command line.

::

    formcheck db upgrade                     bring the schema up to date
    formcheck db status                      where the database is, its revision
    formcheck import FOLDER [--patient EMAIL] [--skip-bad]
    formcheck admin users                    users and roles (no clinical data)
    formcheck admin add-therapist EMAIL [--name NAME]
    formcheck admin add-admin EMAIL | add-patient EMAIL
    formcheck admin remove-role EMAIL ROLE
    formcheck admin link THERAPIST_EMAIL PATIENT_EMAIL
    formcheck admin unlink THERAPIST_EMAIL PATIENT_EMAIL
    formcheck admin invitations

The database comes from ``FORMCHECK_DATABASE_URL`` / ``FORMCHECK_MODE`` or
``.streamlit/secrets.toml`` (see :mod:`.config`); the command line acts as
the operator: it manages accounts and links but prints no clinical data.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from formcheck.clinic import Role
from formcheck.store.sql.config import load_database_config, read_secrets_file

if TYPE_CHECKING:
    from formcheck.store.sql.database import Database

Printer = Callable[[str], None]
COMMANDS = ("db", "import", "admin")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``db``, ``import`` and ``admin`` to the ``formcheck`` parser."""
    db = sub.add_parser("db", help="database: upgrade the schema, show its status")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.add_parser("upgrade", help="bring the database schema up to date")
    db_sub.add_parser("status", help="where the database is and its schema revision")

    imp = sub.add_parser(
        "import",
        help="copy a data folder's sessions and prescriptions into the database",
        description="Import FORMCHECK_HOME-style folder data (sessions/, patients/) "
        "into the database. Importing twice adds nothing; the folder is left as it is.",
    )
    imp.add_argument("folder", help="the data folder (e.g. formcheck_data)")
    imp.add_argument(
        "--patient",
        metavar="EMAIL",
        help="clinic mode: the patient the data belongs to",
    )
    imp.add_argument(
        "--skip-bad",
        action="store_true",
        help="import the readable files even if some cannot be read",
    )

    admin = sub.add_parser("admin", help="clinic accounts: roles and links")
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION")
    admin_sub.add_parser("users", help="list users and their roles")
    admin_sub.add_parser("invitations", help="list invitations")
    for action, role in (
        ("add-therapist", "therapist"),
        ("add-admin", "admin"),
        ("add-patient", "patient"),
    ):
        p = admin_sub.add_parser(action, help=f"give EMAIL the {role} role")
        p.add_argument("email")
        p.add_argument("--name", default="", help="display name for a new user")
    remove = admin_sub.add_parser("remove-role", help="take a role from EMAIL")
    remove.add_argument("email")
    remove.add_argument("role", choices=[r.value for r in Role])
    for action, text in (("link", "link"), ("unlink", "unlink")):
        p = admin_sub.add_parser(action, help=f"{text} a therapist and a patient")
        p.add_argument("therapist_email")
        p.add_argument("patient_email")


def _open() -> Database:
    from formcheck.store.sql.database import Database

    config = load_database_config(secrets=read_secrets_file())
    return Database.open(config)


def _db_command(args: argparse.Namespace, out: Printer) -> int:
    from formcheck.store.sql.database import Database, create_engine
    from formcheck.store.sql.migrate import head_revision

    config = load_database_config(secrets=read_secrets_file())
    database = Database(create_engine(config), config.mode)
    try:
        if args.db_command == "status":
            revision = database.revision()
            out(f"database: {config.display()} (from {config.source})")
            out(f"mode: {config.mode.value}")
            out(
                f"schema revision: {revision or 'none'} (this formcheck: {head_revision()})"
            )
            return 0
        result = database.upgrade()
    finally:
        database.close()
    if result.changed:
        out(
            f"{config.display()}: upgraded from {result.before or 'empty'} to {result.after}"
        )
    else:
        out(f"{config.display()}: already at {result.after}")
    return 0


def _import_command(args: argparse.Namespace, out: Printer) -> int:
    from formcheck.store.sql.importer import import_folder

    database = _open()
    try:
        report = import_folder(
            database, args.folder, patient_email=args.patient, skip_bad=args.skip_bad
        )
    finally:
        database.close()
    for line in report.skipped:
        out(f"skipped: {line}")
    out(
        f"imported {report.sessions_added} session(s) "
        f"({report.sessions_present} already there) and "
        f"{report.prescriptions_added} prescription(s) "
        f"({report.prescriptions_kept} kept: the database's was as new) "
        f"into {database.where}; {args.folder} was left as it is"
    )
    return 1 if report.skipped else 0


def _admin_command(args: argparse.Namespace, out: Printer) -> int:
    database = _open()
    try:
        return _admin(database, args, out)
    finally:
        database.close()


def _admin(database: Database, args: argparse.Namespace, out: Printer) -> int:
    operator = database.operator()
    action = args.admin_command
    if action == "users":
        for user in operator.users():
            roles = ", ".join(r.value for r in user.roles) or "no role"
            out(f"{user.email}  {user.name}  [{roles}]")
        return 0
    if action == "invitations":
        for inv in operator.invitations():
            state = "accepted" if inv.accepted_utc else "pending"
            out(f"{inv.email}  invited by {inv.therapist_email}  {state}")
        return 0
    if action in ("add-therapist", "add-admin", "add-patient"):
        role = Role(action.removeprefix("add-"))
        user = operator.grant_role(args.email, role, args.name)
        out(f"{user.email}: {', '.join(r.value for r in user.roles)}")
        return 0
    if action == "remove-role":
        user = operator.revoke_role(args.email, Role(args.role))
        out(f"{user.email}: {', '.join(r.value for r in user.roles) or 'no role'}")
        return 0
    if action in ("link", "unlink"):
        act = operator.link if action == "link" else operator.unlink
        changed = act(args.therapist_email, args.patient_email)
        verb = "linked" if action == "link" else "unlinked"
        state = verb if changed else f"already {verb}"
        out(f"{args.therapist_email} → {args.patient_email}: {state}")
        return 0
    return 2


def run_command(args: argparse.Namespace, out: Printer) -> int:
    """Run ``db``, ``import`` or ``admin``; return the exit status.

    Raises:
        FormcheckError: Any expected problem (the caller prints one line).
    """
    if args.command == "db" and args.db_command in ("upgrade", "status"):
        return _db_command(args, out)
    if args.command == "import":
        return _import_command(args, out)
    if args.command == "admin" and args.admin_command:
        return _admin_command(args, out)
    return 2

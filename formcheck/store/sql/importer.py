"""``formcheck import FOLDER``: bring a data folder's sessions and prescriptions in.

The folder is what :class:`~formcheck.store.FolderStore` writes
(``FORMCHECK_HOME``: ``sessions/*.session.json`` and
``patients/NAME/*.prescription.json``). Files are read and checked first;
then everything is written in **one transaction**, so an import is complete
or absent. Importing the same folder again adds nothing: a session is known
by the SHA-256 of its file, and a prescription already in the database is
kept unless the folder's is newer. The folder itself is left untouched.

Whose data it becomes:

* local mode, no ``--patient``: the local user's (unnamed sessions) and the
  named local patients' (created as needed), as the folder had it;
* ``--patient EMAIL``: everything in the folder belongs to that one clinic
  patient (e.g. someone who used formcheck at home before joining a clinic).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from formcheck.clinic import Role
from formcheck.errors import (
    DatabaseConfigError,
    InputError,
    SessionFileError,
    UnknownUserError,
)
from formcheck.ids import check_email, is_patient_name
from formcheck.prescription import Prescription, load_prescription
from formcheck.record.files import SESSION_SUFFIX
from formcheck.record.model import SessionRecord, parse_session
from formcheck.store.folder import PRESCRIPTION_SUFFIX
from formcheck.store.sql import access
from formcheck.store.sql.access import Actor
from formcheck.store.sql.config import Mode
from formcheck.store.sql.database import Database
from formcheck.store.sql.models import PrescriptionRow, SessionRow, User
from formcheck.store.sql.sessions import (
    add_session,
    prescription_time,
    put_prescription,
)


@dataclass(frozen=True)
class _SessionFile:
    path: Path
    record: SessionRecord
    sha256: str


@dataclass
class ImportReport:
    """What an import did.

    Attributes:
        sessions_added: Sessions written.
        sessions_present: Sessions already in the database (skipped).
        prescriptions_added: Prescriptions written (new or newer).
        prescriptions_kept: Prescriptions where the database's was as new.
        skipped: One line per file that could not be read (``--skip-bad``).
    """

    sessions_added: int = 0
    sessions_present: int = 0
    prescriptions_added: int = 0
    prescriptions_kept: int = 0
    skipped: list[str] = field(default_factory=list)


def _read_sessions(folder: Path, problems: list[str]) -> list[_SessionFile]:
    found: list[_SessionFile] = []
    for path in sorted((folder / "sessions").glob(f"*{SESSION_SUFFIX}")):
        try:
            data = path.read_bytes()
            record = parse_session(data, str(path))
        except OSError as error:
            problems.append(f"{path}: cannot read the file ({error.strerror or error})")
            continue
        except SessionFileError as error:
            problems.append(str(error))
            continue
        if record.patient is not None and not is_patient_name(record.patient):
            problems.append(f"{path}: patient {record.patient!r} is not a valid name")
            continue
        origin = hashlib.sha256(path.name.encode() + b"\0" + data).hexdigest()
        found.append(_SessionFile(path, record, origin))
    return found


def _read_prescriptions(folder: Path, problems: list[str]) -> list[Prescription]:
    found: list[Prescription] = []
    for path in sorted((folder / "patients").glob(f"*/*{PRESCRIPTION_SUFFIX}")):
        try:
            found.append(load_prescription(path))
        except SessionFileError as error:
            problems.append(str(error))
    return found


def read_folder(
    folder: str | Path,
) -> tuple[list[_SessionFile], list[Prescription], list[str]]:
    """Read and check every session and prescription file in a data folder.

    Returns:
        The sessions, the prescriptions, and one line per unreadable file.

    Raises:
        InputError: If ``folder`` is not a formcheck data folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: no such folder")
    if not (root / "sessions").is_dir() and not (root / "patients").is_dir():
        raise InputError(
            f"{root}: not a formcheck data folder (no sessions/ or patients/ inside)"
        )
    problems: list[str] = []
    sessions = _read_sessions(root, problems)
    prescriptions = _read_prescriptions(root, problems)
    return sessions, prescriptions, problems


def _clinic_patient(session: Session, email: str) -> User:
    email = check_email(email)
    user = access.user_by_email(session, email)
    if user is None:
        raise UnknownUserError(f"{email}: no user has this e-mail address")
    if Role.PATIENT not in access.roles_of(session, user.id):
        raise InputError(f"{email} is not a patient")
    return user


def _target(
    session: Session, actor: Actor | None, fixed: User | None, name: str | None
) -> User:
    if fixed is not None:
        return fixed
    assert actor is not None
    patient = access.patient_for(session, actor, name, create=True)
    assert patient is not None
    return patient


def _import_session(session: Session, item: _SessionFile, patient: User) -> bool:
    present = session.scalars(
        sa.select(SessionRow.id).where(
            SessionRow.patient_id == patient.id, SessionRow.origin == item.sha256
        )
    ).first()
    if present is not None:
        return False
    # FolderStore stems are <date>_<patient>_<exercise>[_<suffix>]: keep the suffix.
    rest = item.path.name[: -len(SESSION_SUFFIX)].split("_", 2)[-1]
    exercise = item.record.exercise.id
    suffix = rest[len(exercise) + 1 :] if rest.startswith(f"{exercise}_") else ""
    add_session(session, item.record, patient, suffix=suffix, origin=item.sha256)
    return True


def _import_prescription(session: Session, item: Prescription, patient: User) -> bool:
    existing = session.scalars(
        sa.select(PrescriptionRow).where(
            PrescriptionRow.patient_id == patient.id,
            PrescriptionRow.exercise_id == item.exercise,
        )
    ).one_or_none()
    if existing is not None and existing.created_utc >= prescription_time(item):
        return False
    put_prescription(session, item, patient, None)
    return True


def has_clinical_data(database: Database) -> bool:
    """Whether the database holds any session or prescription at all.

    Used on the app's first start in local mode: an empty database next to
    an old data folder means the folder has not been imported yet.

    Raises:
        StoreError: If the database cannot be read.
    """
    with database.transaction() as session:
        session_id = session.scalars(sa.select(SessionRow.id).limit(1)).first()
        rx_id = session.scalars(sa.select(PrescriptionRow.id).limit(1)).first()
        return session_id is not None or rx_id is not None


def import_folder(
    database: Database,
    folder: str | Path,
    *,
    patient_email: str | None = None,
    skip_bad: bool = False,
) -> ImportReport:
    """Copy a data folder's sessions and prescriptions into the database.

    Raises:
        InputError: If the folder is not a data folder, if files cannot be
            read and ``skip_bad`` is off (nothing is imported then), or the
            patient is not a patient.
        UnknownUserError: If ``patient_email`` is unknown.
        DatabaseConfigError: In clinic mode without ``patient_email``.
    """
    sessions, prescriptions, problems = read_folder(folder)
    if problems and not skip_bad:
        raise InputError(
            "\n".join(
                [
                    f"{folder}: {len(problems)} file(s) cannot be imported, so nothing "
                    "was imported (fix or move them, or pass --skip-bad):",
                    *problems,
                ]
            )
        )
    if patient_email is None and database.mode is not Mode.LOCAL:
        raise DatabaseConfigError(
            "clinic mode: say whose data this folder is with --patient EMAIL"
        )
    principal = database.local_principal() if patient_email is None else None
    report = ImportReport(skipped=problems)
    with database.transaction() as session:
        fixed = (
            None if patient_email is None else _clinic_patient(session, patient_email)
        )
        actor = None if principal is None else access.resolve_actor(session, principal)
        for item in sessions:
            patient = _target(session, actor, fixed, item.record.patient)
            if _import_session(session, item, patient):
                report.sessions_added += 1
            else:
                report.sessions_present += 1
        for p in prescriptions:
            patient = _target(session, actor, fixed, p.patient)
            if _import_prescription(session, p, patient):
                report.prescriptions_added += 1
            else:
                report.prescriptions_kept += 1
    return report

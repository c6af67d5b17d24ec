"""The sets of a live run: saved with their session group, then the symptom answer.

:class:`SetBook` keeps what a run produced: every set's record, saved to the
store as soon as the set ends (with the run's shared
:class:`~formcheck.record.SessionGroup`), the symptom question due about the
last set, and the answers. An answer is added to its set's record, which is
saved again in place (``Store.replace_session``). It holds no lock: the live
run (:mod:`.live_run`) calls it under the live processor's.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from formcheck.clinic import SymptomLocation
from formcheck.errors import FormcheckError
from formcheck.record import SessionGroup, SessionRecord, SymptomReport
from formcheck.store import SessionRef, SessionStore

from . import safety
from .live_plan import LivePlan
from .live_snapshot import SavedSet
from .symptoms import stops_exercise, symptom_report

logger = logging.getLogger(__name__)


class SetBook:
    """The saved sets, the pending symptom question and the answers of a run.

    Args:
        store: Where sets are saved (``None``: kept in memory only).
        symptoms_before: Where the symptoms were before the first set, if asked.
    """

    def __init__(
        self,
        store: SessionStore | None,
        symptoms_before: SymptomLocation | None = None,
    ) -> None:
        self._store = store
        self.symptoms_before = symptoms_before
        self.saved: list[SavedSet] = []
        self.question: SavedSet | None = None
        self.last_symptoms: SymptomReport | None = None
        self.group: SessionGroup | None = None

    def start_group(self, plan: LivePlan) -> None:
        """A run of ``plan`` begins: its sets will share a new group id."""
        self.group = SessionGroup(
            id=uuid.uuid4().hex[:16],
            label=plan.label,
            routine=plan.routine_id,
            started_utc=datetime.now(UTC).isoformat(timespec="seconds"),
            step=1,
            steps=len(plan.steps),
            set_number=1,
        )

    def save(
        self, record: SessionRecord, step_index: int, set_number: int, reason: str
    ) -> SavedSet:
        """Save a finished set (in its group); the symptom question becomes due."""
        if self.group is not None:
            group = self.group.model_copy(
                update={"step": step_index + 1, "set_number": set_number}
            )
            record = record.model_copy(update={"group": group})
        ref: SessionRef | None = None
        save_error = None
        if self._store is not None:
            try:
                ref = self._store.save_session(record, f"set{set_number}")
            except FormcheckError as exc:
                save_error = str(exc)
                logger.error("could not save the live session: %s", exc)
        saved = SavedSet(set_number, record, ref, reason, save_error, step_index)
        self.saved.append(saved)
        self.question = saved
        return saved

    def answer(
        self, location: SymptomLocation, worse: bool
    ) -> tuple[SymptomReport, SavedSet] | None:
        """Record the answer about the set the question is due for.

        "Before" is the previous answer in this run, else the answer given
        before the first set. A spread adds a note to the record.

        Returns:
            The answer and the set it is about (``None``: no question was due).
        """
        target = self.question
        if target is None:
            return None
        before = (
            self.last_symptoms.location
            if self.last_symptoms is not None
            else self.symptoms_before
        )
        report = symptom_report(location, worse, before)
        notes = []
        if stops_exercise(report):
            was = before.value if before is not None else None
            notes.append(safety.spread_note(was, location.value))
        self._replace(target, report, notes)
        self.last_symptoms = report
        self.question = None
        return report, target

    def _replace(
        self, target: SavedSet, report: SymptomReport, notes: list[str]
    ) -> None:
        record = target.record.model_copy(
            update={
                "symptoms": [*target.record.symptoms, report],
                "warnings": [*target.record.warnings, *notes],
            }
        )
        ref, save_error = target.ref, target.save_error
        if self._store is not None and ref is not None:
            try:
                ref = self._store.replace_session(ref, record)
            except FormcheckError as exc:
                save_error = str(exc)
        changed = SavedSet(
            target.set_number,
            record,
            ref,
            target.reason,
            save_error,
            target.step_index,
        )
        self.saved = [changed if s is target else s for s in self.saved]

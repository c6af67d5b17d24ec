"""What the Live page runs: one exercise, a routine, or a patient's prescriptions.

A :class:`LivePlan` is a list of :class:`PlanStep` — each a
:class:`~formcheck.app_support.routine_runner.RoutineStep` for the runner plus
the exercise spec to check (targets already applied), the side and the
prescription in force. The builders here turn the page's choices into a plan,
whatever order they were made in: a patient's prescription always wins over a
routine's targets, and the prescribed painful side is the default side.
:func:`routine_summary_rows` sums a run up, one row per step.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from formcheck.errors import FormcheckError
from formcheck.landmarks import Side, side_of
from formcheck.prescription import Prescription, apply_prescription
from formcheck.routines import Routine, RoutineItem
from formcheck.specs.schema import ExerciseSpec

from .catalog import item_summary, routine_prescription
from .live_snapshot import SavedSet, set_targets
from .routine_runner import RoutineRunner, RoutineStep, StepEnd, StepProgress
from .set_summary import SetCounts
from .symptoms import symptom_summary

#: Rest between the sets of one exercise when nobody prescribed one.
DEFAULT_SET_REST_S = 30.0
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class PlanStep:
    """One step of a plan: what the runner counts down and what is checked.

    Attributes:
        step: The runner's view of the step.
        spec: The exercise spec with its targets applied (``None``: timed).
        side: The side to check, for one-sided exercises.
        prescription: The patient's prescription in force, if any.
        notes: Notes to show with the step (the routine's, the therapist's).
    """

    step: RoutineStep
    spec: ExerciseSpec | None = None
    side: Side | None = None
    prescription: Prescription | None = None
    notes: str = ""


@dataclass(frozen=True)
class LivePlan:
    """What one run of the Live page does, step by step.

    Attributes:
        label: What the run is ("Glute bridge", "Gentle daily routine").
        steps: The steps, in order.
        routine_id: The routine's id, when it is a routine file.
        start_at: The step to begin with (0-based).
        patient: Whose run it is (stored in the records).
        problems: Things the page should mention (e.g. targets that did not
            fit an exercise and were left at its defaults).
    """

    label: str
    steps: tuple[PlanStep, ...]
    routine_id: str | None = None
    start_at: int = 0
    patient: str | None = None
    problems: tuple[str, ...] = field(default=())

    def runner(self) -> RoutineRunner:
        """A fresh runner for this plan."""
        return RoutineRunner([s.step for s in self.steps], start_at=self.start_at)

    @property
    def is_routine(self) -> bool:
        """More than one step."""
        return len(self.steps) > 1


def camera_sentence(spec: ExerciseSpec) -> str:
    """Where to put the camera, in one sentence (the first of the spec's framing)."""
    return _SENTENCE.split(spec.camera.framing.strip(), maxsplit=1)[0]


def exercise_target(spec: ExerciseSpec) -> str:
    """What a spec asks for: ``10 reps × 2 sets``, ``2 holds of 30 s``, ``15 paced reps``."""
    reps, holds, sets = set_targets(spec)
    per_set = f" × {sets} sets" if sets > 1 else ""
    if spec.hold is not None and holds is not None:
        return f"{holds} hold{'s' if holds != 1 else ''} of {spec.hold.target_s:g} s"
    plural = "" if reps == 1 else "s"
    if spec.guided is not None:
        return f"{reps} paced rep{plural}{per_set}"
    if reps is not None:
        return f"{reps} rep{plural}{per_set}"
    return "as long as you like"


def _exercise_step(
    label: str,
    spec: ExerciseSpec,
    side: Side | None,
    prescription: Prescription | None,
    rest_s: float,
    notes: str = "",
) -> PlanStep:
    _, _, sets = set_targets(spec)
    step = RoutineStep(
        label=label,
        exercise_id=spec.id,
        sets=sets,
        rest_s=rest_s,
        camera=camera_sentence(spec),
        target=exercise_target(spec),
    )
    return PlanStep(step, spec, side, prescription, notes)


def asks_side(spec: ExerciseSpec) -> bool:
    """Whether the exercise is done on one side the user chooses (the painful one)."""
    return spec.side.mode in ("painful", "auto")


def routine_asks_side(routine: Routine, specs: Mapping[str, ExerciseSpec]) -> bool:
    """Whether any exercise of the routine is done on a side the user chooses."""
    return any(
        asks_side(specs[i.exercise])
        for i in routine.items
        if i.exercise is not None and i.exercise in specs
    )


def _side_for(
    spec: ExerciseSpec, chosen: Side | None, prescription: Prescription | None
) -> Side | None:
    if not asks_side(spec):
        return None
    if chosen is not None:
        return chosen
    if prescription is not None and prescription.painful_side is not None:
        return side_of(prescription.painful_side)
    return None


def plan_for_exercise(
    spec: ExerciseSpec,
    side: Side | None = None,
    prescription: Prescription | None = None,
    *,
    patient: str | None = None,
    rest_s: float = DEFAULT_SET_REST_S,
) -> LivePlan:
    """One exercise (its sets, with rests between): the targets already applied."""
    step = _exercise_step(
        spec.name,
        spec,
        _side_for(spec, side, prescription),
        prescription,
        rest_s,
        prescription.notes if prescription else "",
    )
    return LivePlan(spec.name, (step,), patient=patient)


def _item_step(
    item: RoutineItem,
    label: str,
    specs: Mapping[str, ExerciseSpec],
    side: Side | None,
    prescriptions: Mapping[str, Prescription],
    problems: list[str],
) -> PlanStep:
    if item.exercise is None or item.exercise not in specs:
        why = "" if item.exercise is None else " (not available: only timed)"
        timed = RoutineStep(
            label=label,
            exercise_id=None,
            timed_s=item.timed_s or 60.0,
            rest_s=item.rest_s,
            target=item_summary(item) + why,
        )
        return PlanStep(timed, notes=item.notes)
    base = specs[item.exercise]
    spec = base
    rx = prescriptions.get(item.exercise)
    try:
        spec = (
            apply_prescription(base, rx)
            if rx is not None
            else apply_prescription(base, routine_prescription(item))
        )
    except FormcheckError as exc:
        problems.append(f"{label}: {exc}; using its default targets.")
    notes = " ".join(n for n in (item.notes, rx.notes if rx else "") if n)
    return _exercise_step(
        label, spec, _side_for(spec, side, rx), rx, item.rest_s, notes
    )


def plan_for_routine(
    routine: Routine,
    specs: Mapping[str, ExerciseSpec],
    *,
    labels: Sequence[str] | None = None,
    side: Side | None = None,
    prescriptions: Mapping[str, Prescription] | None = None,
    patient: str | None = None,
    start_at: int = 0,
) -> LivePlan:
    """A routine's steps; a patient's prescription wins over the routine's targets.

    Args:
        routine: The routine.
        specs: The exercises the app offers.
        labels: What to call each item (default: its own label).
        side: The side chosen on the page (default: the prescribed side).
        prescriptions: The patient's prescriptions by exercise id.
        patient: Whose run it is.
        start_at: The step to begin with.
    """
    problems: list[str] = []
    names = (
        list(labels)
        if labels is not None
        else [
            i.name
            or (
                specs[i.exercise].name
                if i.exercise and i.exercise in specs
                else i.label
            )
            for i in routine.items
        ]
    )
    steps = tuple(
        _item_step(item, names[i], specs, side, prescriptions or {}, problems)
        for i, item in enumerate(routine.items)
    )
    return LivePlan(
        routine.name,
        steps,
        routine_id=routine.id,
        start_at=min(max(start_at, 0), len(steps) - 1),
        patient=patient,
        problems=tuple(problems),
    )


def plan_for_prescriptions(
    prescriptions: Sequence[Prescription],
    specs: Mapping[str, ExerciseSpec],
    *,
    patient: str,
    label: str = "Your therapist's plan",
) -> LivePlan | None:
    """A patient's prescriptions as one routine, in the order given.

    Returns:
        The plan, or ``None`` when no prescription names an exercise on offer.
    """
    problems: list[str] = []
    steps: list[PlanStep] = []
    for rx in prescriptions:
        base = specs.get(rx.exercise)
        if base is None:
            problems.append(f"{rx.exercise}: this exercise is not available here.")
            continue
        try:
            spec = apply_prescription(base, rx)
        except FormcheckError as exc:
            problems.append(f"{base.name}: {exc}; using its default targets.")
            spec = base
        steps.append(
            _exercise_step(
                spec.name,
                spec,
                _side_for(spec, None, rx),
                rx,
                DEFAULT_SET_REST_S,
                rx.notes,
            )
        )
    if not steps:
        return None
    return LivePlan(label, tuple(steps), patient=patient, problems=tuple(problems))


def plan_key(plan: LivePlan) -> str:
    """A digest of everything a plan checks (to tell when it changed)."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(
        repr((plan.label, plan.routine_id, plan.start_at, plan.patient)).encode()
    )
    for s in plan.steps:
        digest.update(repr((s.step, s.side, s.notes)).encode())
        digest.update((s.spec.model_dump_json() if s.spec else "-").encode())
        digest.update(
            (s.prescription.model_dump_json() if s.prescription else "-").encode()
        )
    return digest.hexdigest()


def prescribed_side(prescriptions: Sequence[Prescription | None]) -> Side | None:
    """The painful side the first prescription that names one gives."""
    for rx in prescriptions:
        if rx is not None and rx.painful_side is not None:
            return side_of(rx.painful_side)
    return None


# --------------------------------------------------------------- summary
def _clock(seconds: float) -> str:
    """``45 s`` or ``2:00 min``."""
    whole = round(seconds)
    return f"{whole} s" if whole < 60 else f"{whole // 60}:{whole % 60:02d} min"


def _done_text(plan_step: PlanStep, progress: StepProgress) -> str:
    step = plan_step.step
    if step.timed:
        timed = f"{_clock(progress.timed_s)} of {_clock(step.timed_s or 0.0)}"
        return timed if progress.end is not StepEnd.SKIPPED else f"skipped ({timed})"
    done = f"{progress.sets_done} of {step.sets} set{'s' if step.sets != 1 else ''}"
    if progress.end is StepEnd.STOPPED:
        return f"{done}, stopped (symptoms)"
    if progress.end is StepEnd.SKIPPED:
        return f"{done}, skipped"
    return done if progress.end is not None else f"{done}, not reached"


def _result_text(counts: list[SetCounts]) -> str:
    if not counts:
        return "–"
    kind = counts[0].kind
    if kind == "hold":
        done = sum(c.holds_done for c in counts)
        longest = max(c.longest_hold_s for c in counts)
        return f"{done} holds done, longest {longest:.0f} s"
    reps = sum(c.reps for c in counts)
    faulty = sum(c.with_fault for c in counts)
    if kind == "guided":
        return f"{reps} paced, {faulty} with a fault"
    correct = sum(c.correct for c in counts)
    return f"{reps} rep{'' if reps == 1 else 's'}: {correct} correct, {faulty} with a fault"


def routine_summary_rows(
    plan: LivePlan,
    progress: Sequence[StepProgress],
    saved: Sequence[SavedSet],
) -> list[dict[str, str]]:
    """One row per step: done vs prescribed, what was counted, the symptom answers.

    Args:
        plan: The plan that ran.
        progress: The runner's progress per step.
        saved: The sets saved during the run.
    """
    rows = []
    for i, (plan_step, prog) in enumerate(zip(plan.steps, progress, strict=True)):
        mine = [s for s in saved if s.step_index == i]
        counts = [
            SetCounts.from_summary(s.record.exercise.kind, s.record.summary)
            for s in mine
        ]
        answers = [symptom_summary(r) for s in mine for r in s.record.symptoms]
        rows.append(
            {
                "step": str(i + 1),
                "exercise": plan_step.step.label,
                "asked": plan_step.step.target,
                "done": _done_text(plan_step, prog),
                "result": "timed only"
                if plan_step.step.timed
                else _result_text(counts),
                "symptoms after": "; ".join(answers) or "–",
            }
        )
    return rows

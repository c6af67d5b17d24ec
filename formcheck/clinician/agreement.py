"""How often the therapist agrees with formcheck: per exercise and per rule.

Each repetition (or hold) a therapist signs off is one observation. Agreeing
means the therapist sees exactly formcheck's verdict; disagreeing names the
fault the therapist sees, or "this was fine". Per exercise this gives the
share of verdicts the therapist agreed with; per rule a two-by-two table
(both saw the fault, formcheck only, therapist only, neither) with the share
of agreement and Cohen's kappa. It is the clinic's own evidence of how far
formcheck can be trusted, exportable as CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from formcheck.clinic import SignOff, VerdictLevel
from formcheck.record.model import SessionRecord
from formcheck.specs.schema import ExerciseSpec


@dataclass(frozen=True)
class Observation:
    """One signed-off movement: what formcheck and the therapist saw.

    Attributes:
        exercise_id: The exercise.
        formcheck: Rules formcheck flagged.
        therapist: Rules the therapist sees failing.
        agree: Whether the therapist agreed with the verdict.
    """

    exercise_id: str
    formcheck: frozenset[str]
    therapist: frozenset[str]
    agree: bool


def _movement_faults(record: SessionRecord, index: int) -> frozenset[str] | None:
    for rep in record.reps:
        if rep.counted and rep.index == index:
            return frozenset(rep.faults)
    for hold in record.holds:
        if hold.index == index:
            return frozenset(hold.faults)
    return None


def observations(
    signed: Sequence[tuple[SessionRecord, Sequence[SignOff]]],
) -> list[Observation]:
    """Movement sign-offs as observations (the latest per movement counts)."""
    found: list[Observation] = []
    for record, offs in signed:
        latest: dict[int, SignOff] = {}
        for off in sorted(offs, key=lambda o: (o.created_utc, o.id)):
            if off.level is VerdictLevel.REP and off.index is not None:
                latest[off.index] = off
        for index, off in sorted(latest.items()):
            flagged = _movement_faults(record, index)
            if flagged is None:
                continue
            if off.agree:
                seen = flagged
            else:
                seen = frozenset({off.seen_fault}) if off.seen_fault else frozenset()
            found.append(Observation(record.exercise.id, flagged, seen, off.agree))
    return found


@dataclass(frozen=True)
class ExerciseAgreement:
    """Agreement on the verdicts of one exercise."""

    exercise_id: str
    name: str
    signed: int
    agreed: int

    @property
    def share(self) -> float:
        """Share of signed-off movements the therapist agreed with."""
        return self.agreed / self.signed if self.signed else 0.0


@dataclass(frozen=True)
class RuleAgreement:
    """Therapist against formcheck on one rule (a two-by-two table)."""

    exercise_id: str
    rule_id: str
    both: int
    formcheck_only: int
    therapist_only: int
    neither: int

    @property
    def total(self) -> int:
        """Movements compared."""
        return self.both + self.formcheck_only + self.therapist_only + self.neither

    @property
    def share(self) -> float:
        """Share of movements on which both said the same about this rule."""
        return (self.both + self.neither) / self.total if self.total else 0.0

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa (``None`` when chance agreement is already total)."""
        n = self.total
        if not n:
            return None
        fc_yes = (self.both + self.formcheck_only) / n
        th_yes = (self.both + self.therapist_only) / n
        chance = fc_yes * th_yes + (1 - fc_yes) * (1 - th_yes)
        if chance >= 1.0:
            return None
        return (self.share - chance) / (1 - chance)


def by_exercise(
    found: Sequence[Observation], specs: Mapping[str, ExerciseSpec]
) -> list[ExerciseAgreement]:
    """Agreement per exercise (in name order)."""
    ids = sorted({o.exercise_id for o in found})
    rows = [
        ExerciseAgreement(
            exercise_id=e,
            name=specs[e].name if e in specs else e,
            signed=sum(o.exercise_id == e for o in found),
            agreed=sum(o.exercise_id == e and o.agree for o in found),
        )
        for e in ids
    ]
    return sorted(rows, key=lambda r: r.name)


def by_rule(
    found: Sequence[Observation], specs: Mapping[str, ExerciseSpec]
) -> list[RuleAgreement]:
    """Agreement per exercise and rule (every rule of a signed-off exercise)."""
    rows: list[RuleAgreement] = []
    for exercise in sorted({o.exercise_id for o in found}):
        mine = [o for o in found if o.exercise_id == exercise]
        spec = specs.get(exercise)
        rules = [r.id for r in spec.rules if r.kind != "setup"] if spec else []
        rules += sorted(
            {r for o in mine for r in o.formcheck | o.therapist} - set(rules)
        )
        for rule in rules:
            fc = [rule in o.formcheck for o in mine]
            th = [rule in o.therapist for o in mine]
            rows.append(
                RuleAgreement(
                    exercise_id=exercise,
                    rule_id=rule,
                    both=sum(a and b for a, b in zip(fc, th, strict=True)),
                    formcheck_only=sum(
                        a and not b for a, b in zip(fc, th, strict=True)
                    ),
                    therapist_only=sum(
                        b and not a for a, b in zip(fc, th, strict=True)
                    ),
                    neither=sum(not a and not b for a, b in zip(fc, th, strict=True)),
                )
            )
    return rows


def exercise_rows(rows: Sequence[ExerciseAgreement]) -> list[dict[str, object]]:
    """The per-exercise table (one type per column)."""
    return [
        {
            "exercise": r.name,
            "signed off": r.signed,
            "agreed": r.agreed,
            "agreement (%)": round(100 * r.share, 1),
        }
        for r in rows
    ]


def rule_rows(
    rows: Sequence[RuleAgreement], specs: Mapping[str, ExerciseSpec]
) -> list[dict[str, object]]:
    """The per-rule table (one type per column)."""
    out: list[dict[str, object]] = []
    for r in rows:
        spec = specs.get(r.exercise_id)
        kappa = r.kappa
        out.append(
            {
                "exercise": spec.name if spec else r.exercise_id,
                "rule": r.rule_id,
                "both saw it": r.both,
                "formcheck only": r.formcheck_only,
                "therapist only": r.therapist_only,
                "neither": r.neither,
                "agreement (%)": round(100 * r.share, 1),
                "kappa": None if kappa is None else round(kappa, 2),
            }
        )
    return out


CSV_HEADER = (
    "table",
    "exercise",
    "rule",
    "signed off",
    "agreed",
    "both saw it",
    "formcheck only",
    "therapist only",
    "neither",
    "agreement (%)",
    "kappa",
)


def agreement_csv(
    exercises: Sequence[ExerciseAgreement],
    rules: Sequence[RuleAgreement],
    specs: Mapping[str, ExerciseSpec],
) -> str:
    """Both tables as one CSV text (per-exercise rows, then per-rule rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for e in exercises:
        share = round(100 * e.share, 1)
        writer.writerow(
            ["exercise", e.name, "", e.signed, e.agreed, "", "", "", "", share, ""]
        )
    for r in rules:
        spec = specs.get(r.exercise_id)
        kappa = r.kappa
        writer.writerow(
            [
                "rule",
                spec.name if spec else r.exercise_id,
                r.rule_id,
                r.total,
                r.both + r.neither,
                r.both,
                r.formcheck_only,
                r.therapist_only,
                r.neither,
                round(100 * r.share, 1),
                "" if kappa is None else round(kappa, 2),
            ]
        )
    return buffer.getvalue()

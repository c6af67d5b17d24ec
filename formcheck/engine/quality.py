"""Quality checks every counted repetition gets from its exercise's reps section.

Whether a repetition happened is the counter's business; how well it was done
is judged here, as repetition-scope rules built from the spec's numbers and
handled exactly like the spec's own rules (faults make a repetition "with a
fault", tips do not):

* ``too_fast`` (fault) — quicker than ``reps.min_duration_s``;
* ``end_not_held`` (tip) — less than ``reps.min_active_s`` in the end position;
* ``short_of_target`` (tip) — the movement stayed short of ``reps.enter``,
  unless the spec has its own check of how far the counting signal went.
"""

from __future__ import annotations

from formcheck import messages
from formcheck.specs.schema import ExerciseSpec, RuleSpec

TOO_FAST = "too_fast"
END_NOT_HELD = "end_not_held"
SHORT_OF_TARGET = "short_of_target"


def quality_rules(spec: ExerciseSpec) -> list[RuleSpec]:
    """The repetition-scope quality checks implied by a spec's ``reps`` section."""
    reps = spec.reps
    if reps is None:
        return []
    taken = {r.id for r in spec.rules}
    rules: list[RuleSpec] = []
    if reps.min_duration_s > 0 and TOO_FAST not in taken:
        rules.append(
            RuleSpec(
                id=TOO_FAST,
                kind="fault",
                severity="warn",
                scope="rep",
                signal=reps.signal,
                stat="duration_s",
                min=reps.min_duration_s,
                cue=messages.too_fast(reps.min_duration_s),
            )
        )
    if reps.min_active_s > 0 and END_NOT_HELD not in taken:
        rules.append(
            RuleSpec(
                id=END_NOT_HELD,
                kind="tip",
                severity="info",
                scope="rep",
                signal=reps.signal,
                stat="active_s",
                min=reps.min_active_s,
                cue=messages.END_NOT_HELD,
            )
        )
    has_depth_check = any(
        r.scope == "rep" and r.signal == reps.signal and r.stat in ("max", "min")
        for r in spec.rules
    )
    if not has_depth_check and SHORT_OF_TARGET not in taken:
        up = reps.direction == "up"
        rules.append(
            RuleSpec(
                id=SHORT_OF_TARGET,
                kind="tip",
                severity="info",
                scope="rep",
                signal=reps.signal,
                stat="max" if up else "min",
                min=reps.enter if up else None,
                max=None if up else reps.enter,
                cue=messages.SHORT_OF_TARGET,
            )
        )
    return rules

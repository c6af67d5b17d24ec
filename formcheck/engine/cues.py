"""Cues: the one message shown (and spoken) at a time.

:class:`CueSelector` collects the candidates of a frame — set-up problems,
faults in progress, tips after a repetition, reminders about what the camera
cannot see — and picks one by kind (safety > setup > fault > tip), severity
and the rule's priority. A cue stays up for at least :data:`CUE_HOLD_S` unless
something more important comes, so the screen does not flicker.
"""

from __future__ import annotations

from formcheck import messages
from formcheck.engine.records import RepResult
from formcheck.results import Cue, CueKind, RepOutcome, RuleState, Severity
from formcheck.specs.schema import ExerciseSpec, RuleSpec

CUE_HOLD_S = 1.5
TIP_SHOW_S = 4.0
#: Only attempts at least this long get a "that one didn't count" tip.
MIN_ATTEMPT_S = 0.8
#: Attempts whose reason is worth telling (not blips or lost tracking).
ATTEMPT_OUTCOMES = frozenset(
    {
        RepOutcome.NOT_FAR_ENOUGH,
        RepOutcome.RANGE_TOO_SMALL,
        RepOutcome.TOO_QUICK,
        RepOutcome.END_NOT_HELD,
    }
)
_SEVERITY_RANK = {Severity.STOP: 0, Severity.WARN: 1, Severity.INFO: 2}
_DEFAULT_PRIORITY = 50


class CueSelector:
    """Chooses the cue of each frame.

    Args:
        spec: The exercise spec (its reminders).
        rules: Every rule a cue may come from (the spec's and the built-in
            quality checks), for their kinds and priorities.
    """

    def __init__(self, spec: ExerciseSpec, rules: list[RuleSpec] | None = None) -> None:
        self._spec = spec
        self._rules = {r.id: r for r in (spec.rules if rules is None else rules)}
        self._cue: Cue | None = None
        self._since_s = 0.0
        self._tips: list[tuple[float, Cue]] = []  # (until_s, cue)
        self._last_reminder_s: dict[int, float] = {}
        self._first_s: float | None = None

    def start(self, t: float) -> None:
        """Note the time of the first frame (for reminders at the start)."""
        if self._first_s is None:
            self._first_s = t

    def tip(self, cue: Cue, t: float) -> None:
        """Show ``cue`` as a tip for the next few seconds."""
        self._tips.append((t + TIP_SHOW_S, cue))

    def after_rep(self, result: RepResult) -> None:
        """Queue the tips a repetition earned.

        Failed repetition checks and reminders after a counted repetition;
        after a real attempt that did not count, why it did not.
        """
        rep, event = result.record, result.event
        if rep.counted:
            for rule in result.failed_rules:
                self.tip(
                    Cue(CueKind(rule.kind), rule.cue, Severity(rule.severity), rule.id),
                    event.end_s,
                )
            for reminder in self._spec.reminders:
                if reminder.every_n_reps and rep.index % reminder.every_n_reps == 0:
                    self.tip(Cue(CueKind.TIP, reminder.text), event.end_s)
        elif rep.outcome in ATTEMPT_OUTCOMES and event.duration_s >= MIN_ATTEMPT_S:
            # Tell the user why a real attempt did not count; stay quiet about
            # blips while getting into position or when tracking was lost.
            self.tip(Cue(CueKind.TIP, messages.did_not_count(rep.outcome)), event.end_s)

    def fault_cues(self, states: list[RuleState]) -> list[Cue]:
        """Cues of the faults in progress (safety faults say stop)."""
        cues = []
        for state in states:
            if state.fault:
                rule = self._rules[state.rule_id]
                severity = (
                    Severity.STOP if rule.kind == "safety" else Severity(rule.severity)
                )
                cues.append(Cue(CueKind(rule.kind), rule.cue, severity, rule.id))
        return cues

    def choose(self, candidates: list[Cue], t: float) -> Cue | None:
        """Pick this frame's cue among ``candidates``, tips and reminders."""
        candidates = list(candidates)
        self._tips = [(until, c) for until, c in self._tips if until >= t]
        candidates.extend(c for _, c in self._tips)
        first = self._first_s if self._first_s is not None else t
        for i, reminder in enumerate(self._spec.reminders):
            if reminder.at_start and t - first <= TIP_SHOW_S * 2:
                candidates.append(Cue(CueKind.TIP, reminder.text))
            if reminder.every_s:
                last = self._last_reminder_s.get(i, first)
                if t - last >= reminder.every_s:
                    self._last_reminder_s[i] = t
                    self.tip(Cue(CueKind.TIP, reminder.text), t)
        if not candidates:
            self._cue = None
            return None
        best = min(candidates, key=self._key)
        current = self._cue
        if (
            current is not None
            and current != best
            and any(c.text == current.text for c in candidates)
            and current.rank <= best.rank
            and t - self._since_s < CUE_HOLD_S
        ):
            return current
        if current is None or best.text != current.text:
            self._since_s = t
        self._cue = best
        return best

    def _key(self, cue: Cue) -> tuple[int, int, int]:
        priority = (
            self._rules[cue.rule_id].priority if cue.rule_id else _DEFAULT_PRIORITY
        )
        return (cue.rank, _SEVERITY_RANK[cue.severity], -priority)

"""The form checker: pose frames in, feedback, repetitions and holds out.

:class:`FormChecker` is fed one :class:`~formcheck.types.PoseFrame` at a time
(live or from a video) and returns a :class:`~formcheck.results.FrameResult`.
It is causal — it only uses past frames — so the live app and the offline
``formcheck analyze`` give the same answers for the same frames.

It only wires the stages together, in this order per frame:

1. :class:`~formcheck.engine.scene.SceneTracker` — anyone in view, how many
   people, which side is near, does the camera view match, camera cuts.
2. :class:`~formcheck.engine.tracking.SignalTracker` — the spec's signals for
   each side assignment, smoothed.
3. The :mod:`~formcheck.engine.modes` mode picks the moving side; the phase.
4. :mod:`~formcheck.engine.rules` — pass / fail / unknown per rule; failures
   that persist become faults.
5. :class:`~formcheck.engine.calibration.Calibrator` — the still start pose;
   once found, :mod:`~formcheck.engine.early_frames` judges the frames seen
   before it again (a hold already under way is timed from its start).
6. The mode counts a repetition, times a hold or paces a guided repetition;
   :class:`~formcheck.engine.records.RecordBook` records it.
7. :class:`~formcheck.engine.cues.CueSelector` — one cue: safety > setup >
   fault > tip.
"""

from __future__ import annotations

import math

from formcheck import messages
from formcheck.engine.calibration import Calibrator
from formcheck.engine.cues import CueSelector
from formcheck.engine.early_frames import EarlyFrames, hold_seen_since
from formcheck.engine.modes import HoldMode, ModeFrame, ModeUpdate, RepMode, mode_for
from formcheck.engine.posture import Posture
from formcheck.engine.quality import quality_rules
from formcheck.engine.records import RecordBook
from formcheck.engine.rules import FaultTracker, RuleContext, evaluate_rule
from formcheck.engine.scene import Scene, SceneTracker
from formcheck.engine.spec_facts import defining_signals, hold_speed_limits, rest_key
from formcheck.engine.tracking import SignalTracker
from formcheck.engine.working_side import WorkingSideChooser
from formcheck.landmarks import Side, side_of
from formcheck.results import (
    Cue,
    CueKind,
    FaultEvent,
    FrameResult,
    HoldRecord,
    Phase,
    RepRecord,
    RepTally,
    RuleState,
    RuleStatus,
    Severity,
)
from formcheck.signals import (
    BodyContext,
    missing_parts,
    signal_order,
    signal_refs,
)
from formcheck.specs.schema import ExerciseSpec
from formcheck.types import PoseFrame

#: Seconds in position before a repetition may start.
SETTLE_S = 1.0


def _setup(text: str, severity: Severity = Severity.WARN) -> Cue:
    return Cue(CueKind.SETUP, text, severity)


class FormChecker:
    """Checks one person doing one exercise, frame by frame.

    Args:
        spec: The exercise spec.
        side: The user's chosen or painful side; used for ``painful`` specs
            and to fix the side of ``auto`` specs.

    Raises:
        ValueError: If ``side`` is not left/right.

    Example:
        >>> from formcheck.specs import load_spec
        >>> checker = FormChecker(load_spec("glute_bridge"))
        >>> result = checker.update(PoseFrame.empty(0, 0, (640, 480)))
        >>> result.cue.text
        'Step into view so the camera can see your whole body.'
    """

    def __init__(self, spec: ExerciseSpec, side: Side | str | None = None) -> None:
        if side is not None and side_of(side) is None:
            raise ValueError(
                f"Argument 'side' must be 'left', 'right' or None, but got {side!r}"
            )
        self.spec = spec
        self.user_side = side_of(side)
        mode = spec.side.mode
        self._fixed = side_of(mode) or self.user_side
        self.alternating = mode == "alternating"
        # One-sided exercise, side not named: the working limb is observed.
        self._chooser = (
            WorkingSideChooser(spec)
            if mode == "painful" and self._fixed is None
            else None
        )
        both = self.alternating or self._chooser is not None
        self._assignments: list[Side | None] = (
            [Side.LEFT, Side.RIGHT] if both else [None]
        )
        order = signal_order(spec)
        self._frame_rules = [r for r in spec.rules if r.scope == "frame"]
        rep_rules = [r for r in spec.rules if r.scope == "rep"] + quality_rules(spec)
        self._rules = {r.id: r for r in [*spec.rules, *rep_rules]}
        self._from_start = frozenset(
            name for name, s in spec.signals.items() if s.change_from_start
        )
        self._needs_calibration = bool(self._from_start) or (
            spec.calibration.floor.method == "fit"
        )
        self._hold_speeds = hold_speed_limits(spec, self._rules)
        self._defining = defining_signals(spec, self._rules)
        self._scene = SceneTracker(spec, default_near=self._fixed or Side.LEFT)
        self._calibrator = Calibrator(
            spec, self._assignments, order, self._fixed, rest_key(spec, order)
        )
        self._tracker = SignalTracker(spec, self._assignments, order)
        self._mode = mode_for(spec)
        self._faults = FaultTracker(self._frame_rules)
        self._book = RecordBook(rep_rules, self.alternating)
        self._cues = CueSelector(spec, list(self._rules.values()))
        self._last_t = 0.0
        self._following = False
        # -inf: in position "since before the recording" until a gate fails.
        self._in_position_since: float | None = -math.inf
        self._just_calibrated = False
        self._early = EarlyFrames()

    # ------------------------------------------------------------- per frame
    def update(self, frame: PoseFrame) -> FrameResult:
        """Process one frame and return what to show.

        Args:
            frame: The pose (possibly empty) with its timestamp.

        Returns:
            The :class:`FrameResult` for this frame.
        """
        t = frame.timestamp_ms / 1000.0
        self._cues.start(t)
        self._last_t = t
        scene = self._scene.update(frame, t)
        setup_cues = self._scene_cues(scene)
        people_ok = not scene.several_people
        contexts = {
            a: self._calibrator.context(a, scene.near, scene.forward_sign)
            for a in self._assignments
        }
        values = self._tracker.update(frame, t, contexts, self._calibrator.start_values)
        working = self._working_side(values, t, scene)
        moving = self._mode.observe(
            values if working is None else {working: values[working]}
        )
        setup_cues += self._count_signal_cues(frame, scene)
        display = working or self._display_side(moving, scene.near)
        signals = values[display]
        work_side = (
            display
            if display is not None
            else (self._fixed or (scene.near if scene.has_person else None))
        )
        cut_hold = self._after_cut(t, scene.near) if scene.cut else None
        if self._just_calibrated:
            self._just_calibrated = False
            self._start_under_way(moving or working or display, t, scene)
        elif not self._calibrator.done and scene.has_person:
            self._early.remember(frame, t)
        phase = self._mode.phase()
        phase_for_rules = phase
        if self._needs_calibration and not self._calibrator.done and scene.has_person:
            reps = self.spec.reps
            if reps is not None and self.spec.signals[reps.signal].change_from_start:
                phase = phase_for_rules = Phase.SETUP
                setup_cues.append(_setup(messages.HOLD_STILL_TO_START, Severity.INFO))
        rule_ctx = self._calibrator.context(display, scene.near, scene.forward_sign)
        states = self._evaluate_rules(
            frame, scene, signals, rule_ctx, phase_for_rules, work_side, setup_cues
        )
        by_id = {s.rule_id: s for s in states}
        gated = self._gated(by_id, scene)
        if not self._calibrator.done and scene.has_person and people_ok:
            self._calibrate(frame, t, phase, by_id, scene)
        step = ModeFrame(
            t=t,
            has_person=scene.has_person,
            ready=scene.has_person
            and people_ok
            and scene.view_ok
            and not gated
            and (self._calibrator.done or not self._needs_calibration),
            gated=gated,
            states=by_id,
            settled=self._settled(gated, t),
            still=lambda: self._tracker.is_still(display, t, self._hold_speeds),
            moving_since=lambda: self._tracker.moving_since(
                display, t, self._hold_speeds
            ),
        )
        update = self._mode.update(step)
        if update.cue is not None:
            setup_cues.append(update.cue)
        new_rep, new_hold = self._record(update, scene.near)
        new_hold = new_hold or cut_hold
        self._book.settle(rep_in_progress=self._mode.busy)
        return FrameResult(
            pose=frame,
            timestamp_ms=frame.timestamp_ms,
            phase=phase,
            near_side=scene.near if scene.has_person else None,
            work_side=work_side,
            view=scene.view,
            view_ok=scene.view_ok,
            calibrated=self._calibrator.done,
            signals=signals,
            rules=tuple(states),
            cue=self._cues.choose(setup_cues + self._cues.fault_cues(states), t),
            tallies=self.tallies(),
            hold=self._mode.hold_state(),
            new_rep=new_rep,
            new_hold=new_hold,
            new_faults=self._book.take_new_faults(),
            setup_issues=tuple(
                dict.fromkeys(
                    c.text
                    for c in setup_cues
                    if c.kind in (CueKind.SETUP, CueKind.SAFETY)
                    and c.severity is not Severity.INFO
                )
            ),
        )

    # --------------------------------------------------------------- stages
    def _calibrate(
        self,
        frame: PoseFrame,
        t: float,
        phase: Phase,
        by_id: dict[str, RuleState],
        scene: Scene,
    ) -> None:
        """Look for the start pose in this frame.

        The start pose is calibrated only when every posture gate and every
        setup check (e.g. "knee bent to 90° to start") passes.
        """
        gates_ok = not any(
            by_id[r.id].status is RuleStatus.FAIL
            for r in self._frame_rules
            if r.gate or r.kind == "setup"
        )
        # In the exercise's posture, whatever the start-position checks say.
        in_posture = not scene.posture_other and not any(
            by_id[r.id].status is RuleStatus.FAIL
            for r in self._frame_rules
            if r.gate and r.kind != "setup"
        )
        self._just_calibrated = self._calibrator.update(
            frame,
            t,
            phase in (Phase.REST, Phase.SETUP) and gates_ok,
            self._scene.near,
            scene.forward_sign,
            in_posture=in_posture,
        )
        if self._just_calibrated:
            # Values measured before (no floor, body lengths, start pose yet)
            # must not be smoothed into, or compared with, those measured now.
            self._tracker.reset(t)

    def _after_cut(self, t: float, near: Side) -> HoldRecord | None:
        """The camera cut to another shot: start again, ending a hold in progress."""
        self._calibrator.reset()
        self._scene.forget_view()
        self._tracker.reset(t)
        self._just_calibrated = False
        self._early.clear()
        if not isinstance(self._mode, HoldMode):
            return None
        # Edited footage: the time across a cut is not a time held.
        return self._record(self._mode.finish(t), near)[1]

    def _start_under_way(self, side: Side | None, t: float, scene: Scene) -> None:
        """Right after a late calibration: a movement or hold under way counts."""
        frames = self._early.take()
        if isinstance(self._mode, HoldMode):
            self._hold_under_way(frames, side, t, scene)
            return
        reps, since = self.spec.reps, self._calibrator.rest_seen_s
        if reps is None or since is None or not isinstance(self._mode, RepMode):
            return
        start = self._calibrator.start_values(side) or {}
        value = 0.0 if reps.signal in self._from_start else start.get(reps.signal)
        if value is not None:
            self._mode.start_under_way(t, since, value)

    def _hold_under_way(
        self, frames: list[PoseFrame], side: Side | None, t: float, scene: Scene
    ) -> None:
        """Right after a late calibration: a hold already under way counts."""
        assert isinstance(self._mode, HoldMode)
        if not frames:
            return
        context = (
            side,
            self._calibrator.context(side, scene.near, scene.forward_sign),
            self._calibrator.start_values(side),
        )
        rules = [self._rules[r] for r in self._mode.rules]
        since = hold_seen_since(self.spec, frames, rules, context, self._hold_speeds, t)
        if since is not None:
            self._mode.start_under_way(since, t)

    def _scene_cues(self, scene: Scene) -> list[Cue]:
        if not scene.has_person:
            return [_setup(messages.STEP_INTO_VIEW)]
        cues = []
        if scene.several_people:
            cues.append(_setup(messages.SEVERAL_PEOPLE))
        if not scene.view_ok:
            cues.append(_setup(messages.view_cue(self.spec.camera.view, self._fixed)))
        elif (
            self.spec.camera.view == "side"
            and self._fixed is not None
            and scene.near != self._fixed
        ):
            cues.append(_setup(messages.turn_side_to_camera(self._fixed)))
        if scene.not_recognised:
            cues.append(_setup(messages.not_recognised(self.spec.name, scene.posture)))
        if scene.following and not self._following:
            self._cues.tip(Cue(CueKind.TIP, messages.FOLLOWING), self._last_t)
        self._following = scene.following
        return cues

    def _settled(self, gated: bool, t: float) -> bool:
        """In position for :data:`SETTLE_S`: a repetition may start.

        Movements made while getting into position (kneeling down onto all
        fours, lying back) are not repetitions. Someone already in position
        when the recording starts needs no settling.
        """
        if gated:
            self._in_position_since = None
            return False
        if self._in_position_since is None:
            self._in_position_since = t
        return t - self._in_position_since >= SETTLE_S

    def _gated(self, states: dict[str, RuleState], scene: Scene) -> bool:
        """Whether counting must stop: the person is not in the exercise's posture.

        A posture gate that fails, or the posture clearly being another one,
        stops it. A gate that cannot be judged (a limb out of the frame) stops
        it only while the posture itself is not confirmed either.
        """
        if scene.posture_other:
            return True
        for rule in self._frame_rules:
            if not rule.gate:
                continue
            state = states[rule.id]
            if state.fault:
                return True
            if state.status is RuleStatus.UNKNOWN and scene.posture_fits is not True:
                return True
        return False

    def _count_signal_cues(self, frame: PoseFrame, scene: Scene) -> list[Cue]:
        """Ask to move back when the counting signal's body parts are hidden."""
        name = self._mode.count_signal
        if (
            name is None
            or not scene.has_person
            or math.isfinite(self._mode.counting_value)
            or (self._needs_calibration and not self._calibrator.done)
        ):
            return []
        ctx = self._calibrator.context(None, scene.near, scene.forward_sign)
        hidden = missing_parts(frame, signal_refs(self.spec, name), ctx)
        return [_setup(messages.move_back(hidden))] if hidden else []

    def _working_side(
        self, values: dict[Side | None, dict[str, float]], t: float, scene: Scene
    ) -> Side | None:
        """The observed working side of a one-sided exercise (else ``None``)."""
        if self._chooser is None:
            return None
        if not scene.has_person:
            return self._chooser.side or scene.near
        return self._chooser.update(values, t, scene.near)

    def _display_side(self, moving: Side | None, near: Side) -> Side | None:
        """Whose signals are shown and checked (alternating: the moving side)."""
        if not self.alternating:
            return None
        if self._mode.busy and moving:
            return moving
        return self._book.last_rep_side or near

    def _evaluate_rules(
        self,
        frame: PoseFrame,
        scene: Scene,
        signals: dict[str, float],
        ctx: BodyContext,
        phase: Phase,
        side: Side | None,
        setup_cues: list[Cue],
    ) -> list[RuleState]:
        rule_ctx = RuleContext(
            phase=phase,
            has_person=scene.has_person,
            judgeable=scene.view_ok and not scene.several_people,
            calibrated=self._calibrator.done,
            from_start=self._from_start,
            hidden_parts=lambda name: missing_parts(
                frame, signal_refs(self.spec, name), ctx
            ),
        )
        states = []
        t = frame.timestamp_ms / 1000.0
        # Partial framing: while what defines the exercise is in view, a check
        # on a hidden part is skipped quietly rather than asking to move back.
        defining_seen = bool(self._defining) and all(
            math.isfinite(signals.get(n, math.nan)) for n in self._defining
        )
        for rule in self._frame_rules:
            value = signals.get(rule.signal, math.nan)
            verdict = evaluate_rule(rule, value, rule_ctx)
            if verdict.hidden and not (
                defining_seen and rule.signal not in self._defining
            ):
                setup_cues.append(_setup(messages.move_back(verdict.hidden)))
            fault, ended = self._faults.update(rule, verdict.status, value, t, side)
            if ended is not None:
                self._book.fault_ended(ended)
            states.append(
                RuleState(rule.id, verdict.status, value, fault, verdict.reason)
            )
        return states

    def _record(
        self, update: ModeUpdate, near: Side
    ) -> tuple[RepRecord | None, HoldRecord | None]:
        new_rep = new_hold = None
        if update.rep is not None:
            event = update.rep
            side = self._rep_side(event.side, near)
            lo, hi = self._tracker.stats(
                side if len(self._assignments) > 1 else None, event.start_s, event.end_s
            )
            result = self._book.rep(event, side, lo, hi, self._faults.in_progress())
            self._cues.after_rep(result)
            new_rep = result.record
        if update.hold is not None:
            new_hold = self._book.hold(update.hold, self._side_now())
        return new_rep, new_hold

    def _side_now(self) -> Side | None:
        """The side worked now: fixed, observed, or the near side."""
        if self._fixed is not None:
            return self._fixed
        if self._chooser is not None and self._chooser.side is not None:
            return self._chooser.side
        return self._scene.near

    def _rep_side(self, moved: Side | None, near: Side) -> Side | None:
        if not self.alternating:
            return self._side_now()
        # An alternating attempt with no side (e.g. tracking lost at once):
        # fall back to the side that moved last.
        return moved or self._book.last_rep_side or self._scene.near or Side.LEFT

    # ---------------------------------------------------------------- totals
    def tallies(self) -> tuple[RepTally, ...]:
        """Counted and correct repetitions, overall and per side."""
        return self._book.tallies()

    @property
    def reps(self) -> tuple[RepRecord, ...]:
        """Repetitions and attempts so far."""
        return self._book.reps

    @property
    def holds(self) -> tuple[HoldRecord, ...]:
        """Holds so far."""
        return self._book.holds

    @property
    def faults(self) -> tuple[FaultEvent, ...]:
        """Faults so far."""
        return self._book.faults

    def finish(self) -> None:
        """Close what is still open at the end of a video or stream."""
        t = self._last_t
        for span in self._faults.finish(t):
            self._book.fault_ended(span)
        self._record(self._mode.finish(t), self._scene.near or Side.LEFT)
        self._book.settle(rep_in_progress=False)

    def recognised(self) -> tuple[bool, Posture | None]:
        """Whether the exercise's posture was seen; if not, what was seen."""
        return self._scene.recognised()

    @property
    def calibrated(self) -> bool:
        """Whether the start pose has been calibrated."""
        return self._calibrator.done

    @property
    def near_side(self) -> Side | None:
        """The side currently facing the camera."""
        return self._scene.near

    def other_side(self) -> Side | None:
        """The side away from the camera."""
        near = self._scene.near
        return near.other if near else None

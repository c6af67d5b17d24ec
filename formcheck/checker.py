"""The form checker: pose frames in, feedback, repetitions and holds out.

:class:`FormChecker` is fed one :class:`~formcheck.types.PoseFrame` at a time
(live or from a video) and returns a :class:`~formcheck.results.FrameResult`.
It is causal — it only uses past frames — so the live app and the offline
``formcheck analyze`` give the same answers for the same frames.

Order of work per frame:

1. Setup checks: is anyone there, more than one person, which side is near the
   camera, does the camera view match the spec.
2. Signals for each side assignment (two for alternating exercises), relative
   to the calibrated start pose where the spec asks, smoothed with a One Euro
   filter.
3. Counting (two thresholds with hysteresis) or hold timing.
4. Rules: pass / fail / unknown per frame; a failure becomes a reported fault
   only after it persists.
5. One cue, by priority: safety > setup > fault > tip.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from formcheck import geometry
from formcheck.counting import (
    GuidedPacer,
    HoldEvent,
    HoldTimer,
    PacedStep,
    RepCounter,
    RepEvent,
)
from formcheck.landmarks import Side, landmark_index, opposite
from formcheck.results import (
    Cue,
    FaultEvent,
    FrameResult,
    HoldRecord,
    RepRecord,
    RepTally,
    RuleState,
    RuleStatus,
)
from formcheck.signals import (
    BodyContext,
    body_lengths_px,
    compute_signals,
    missing_parts,
    raw_signals,
    resolve_point,
    signal_order,
    signal_points,
    signal_units,
)
from formcheck.smoothing import OneEuroFilter
from formcheck.specs.schema import CombineSignal, ExerciseSpec, RuleSpec
from formcheck.types import PoseFrame

_CORE_PARTS = ("shoulder", "hip", "knee", "ankle")
_CORE_INDEX: dict[str, tuple[int, ...]] = {
    side: tuple(landmark_index(p, side) for p in _CORE_PARTS)
    for side in ("left", "right")
}
_FRONTAL_VIEWS = {"front", "back", "feet_end", "head_end"}
_VIEW_SPLIT = 0.5  # mean L-R width / torso length: below = side-on, above = frontal
_CUE_HOLD_S = 1.5
_TIP_SHOW_S = 4.0
_MIN_COVERAGE = 0.5
_MAX_FLOOR_TILT_DEG = 25.0
_PEOPLE_WINDOW_S = 2.0
_CUT_WINDOW_S = 0.3
_STILL_WINDOW_S = 0.5
_MIN_ATTEMPT_S = 0.8
_ATTEMPT_REASONS = frozenset(
    {
        "did not go far enough",
        "range of motion too small",
        "too quick to count",
        "end position not held long enough",
    }
)
_CUT_GAP_S = 1.0

_PART_NAMES = {
    "shoulder": "shoulders",
    "hip": "hips",
    "knee": "knees",
    "ankle": "ankles",
    "heel": "heels",
    "foot_index": "feet",
    "wrist": "hands",
    "elbow": "elbows",
    "ear": "head",
    "nose": "face",
    "index": "hands",
}


def _nanmedian(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.median(finite)) if finite else math.nan


def _plural(part: str) -> str:
    return _PART_NAMES.get(part, part + "s")


@dataclass
class _RuleTrack:
    fail_since_s: float | None = None
    fault_since_s: float | None = None
    worst: float = math.nan
    side: str | None = None


@dataclass
class _Calibration:
    done: bool = False
    floor_point: npt.NDArray[np.float64] = field(
        default_factory=lambda: np.array([0.0, 0.0])
    )
    floor_dir: npt.NDArray[np.float64] = field(
        default_factory=lambda: geometry.IMAGE_RIGHT.copy()
    )
    lengths_px: dict[str, float] = field(default_factory=dict)
    start_values: dict[str, dict[str, float]] = field(default_factory=dict)
    at_s: float = math.nan


class FormChecker:
    """Checks one person doing one exercise, frame by frame.

    Args:
        spec: The exercise spec.
        side: The user's chosen or painful side (``"left"``/``"right"``); used
            for ``painful`` specs and to fix the side of ``auto`` specs.
        rep_overrides: Optional replacements for ``reps`` thresholds
            (``enter``, ``exit``, ``target_reps`` ...), e.g. a therapist's
            prescription; they are validated by the spec model.

    Raises:
        ValueError: If ``side`` is not left/right.

    Example:
        >>> from formcheck.specs import load_spec
        >>> checker = FormChecker(load_spec("glute_bridge"))
        >>> result = checker.update(PoseFrame.empty(0, 0, (640, 480)))
        >>> result.cue.text
        'Step into view so the camera can see your whole body.'
    """

    def __init__(self, spec: ExerciseSpec, side: Side | None = None) -> None:
        if side not in (None, "left", "right"):
            raise ValueError(
                f"Argument 'side' must be 'left', 'right' or None, but got {side!r}"
            )
        self.spec = spec
        self.user_side: Side | None = side
        mode = spec.side.mode
        self._fixed: Side | None = None
        if mode in ("left", "right"):
            self._fixed = "left" if mode == "left" else "right"
        elif side is not None:
            self._fixed = side
        self.alternating = mode == "alternating"
        self._assignments: list[Side | None] = (
            ["left", "right"] if self.alternating else [None]
        )
        self._order = signal_order(spec)
        n = len(self._order)
        smoothing = spec.reps
        cutoff = smoothing.smoothing_min_cutoff_hz if smoothing else 1.0
        beta = smoothing.smoothing_beta if smoothing else 0.05
        self._filters = {a: OneEuroFilter(n, cutoff, beta) for a in self._assignments}
        self._counter: RepCounter | None = None
        if spec.reps is not None:
            r = spec.reps
            self._counter = RepCounter(
                enter=r.enter,
                exit=r.exit,
                direction=r.direction,
                min_amplitude=r.min_amplitude,
                min_duration_s=r.min_duration_s,
                min_active_s=r.min_active_s,
                max_duration_s=r.max_duration_s,
            )
        self._hold: HoldTimer | None = None
        if spec.hold is not None:
            h = spec.hold
            self._hold = HoldTimer(
                h.min_s, h.target_s, h.enter_after_s, h.grace_s, h.reset_after_s
            )
        self._pacer: GuidedPacer | None = None
        if spec.guided is not None:
            g = spec.guided
            self._pacer = GuidedPacer(
                [PacedStep(s.cue, s.seconds, s.phase) for s in g.steps],
                g.target_reps,
                g.start_after_s,
            )
        self._frame_rules = [r for r in spec.rules if r.scope == "frame"]
        self._rep_rules = [r for r in spec.rules if r.scope == "rep"]
        self._tracks = {r.id: _RuleTrack() for r in self._frame_rules}
        self._cal = _Calibration()
        self._still: deque[tuple[float, PoseFrame]] = deque()
        self._near: Side | None = None
        self._near_challenger_since: float | None = None
        self._view_ratios: deque[tuple[float, float]] = deque()
        self._history: dict[Side | None, deque[tuple[float, dict[str, float]]]] = {
            a: deque() for a in self._assignments
        }
        self._last_rep_side: Side | None = None
        self._in_pose: bool | None = None
        self._cue: Cue | None = None
        self._cue_since_s = 0.0
        self._tips: list[tuple[float, Cue]] = []  # (until_s, cue)
        self._last_reminder_s: dict[int, float] = {}
        self._first_s: float | None = None
        self._recent_bodies: deque[tuple[float, float, npt.NDArray[np.float64]]] = (
            deque()
        )
        self._people: deque[tuple[float, bool]] = deque()
        self._tally_cache: tuple[int, tuple[RepTally, ...]] | None = None
        self._forward_sign = 1.0
        self._rules_by_id = {r.id: r for r in spec.rules}
        self._units = signal_units(spec)
        self._hold_signals = sorted(
            {self._rules_by_id[r].signal for r in spec.hold.rules}
            if spec.hold
            else set()
        )
        self.reps: list[RepRecord] = []
        self.holds: list[HoldRecord] = []
        self.faults: list[FaultEvent] = []
        self._rep_index = 0
        self._hold_index = 0
        self._last_t = 0.0
        self._needs_calibration = any(
            s.change_from_start for s in spec.signals.values()
        ) or (spec.calibration.floor.method == "fit")

    # ------------------------------------------------------------------ setup
    def _update_near(self, frame: PoseFrame, t: float) -> Side:
        vis = frame.visibility

        def score(side: Side) -> float:
            idx = _CORE_INDEX[side]
            return float(vis[idx[0]] + vis[idx[1]] + vis[idx[2]] + vis[idx[3]]) / 4

        left, right = score("left"), score("right")
        better: Side = "left" if left >= right else "right"
        if self._near is None:
            self._near = better
        elif better != self._near and abs(left - right) > 0.1:
            if self._near_challenger_since is None:
                self._near_challenger_since = t
            if t - self._near_challenger_since >= self.spec.side.lock_s:
                self._near = better
                self._near_challenger_since = None
        else:
            self._near_challenger_since = None
        return self._near

    def _update_view(self, frame: PoseFrame, t: float) -> tuple[str, bool]:
        (lsx, lsy), (rsx, rsy), (lhx, lhy), (rhx, rhy) = (
            frame.xy[i].tolist() for i in (11, 12, 23, 24)
        )
        torso = math.hypot((lsx + rsx - lhx - rhx) / 2, (lsy + rsy - lhy - rhy) / 2)
        shoulders = math.hypot(lsx - rsx, lsy - rsy)
        hips = math.hypot(lhx - rhx, lhy - rhy)
        if self.spec.posture == "side_lying":
            # Lying on one side, the hips are narrower than the shoulders and
            # roll when the top hip moves: judge the view by the shoulders.
            ratio = shoulders / torso if torso > 0 else math.nan
        else:
            ratio = (shoulders + hips) / 2 / torso if torso > 0 else math.nan
        if math.isfinite(ratio):
            self._view_ratios.append((t, ratio))
        while self._view_ratios and t - self._view_ratios[0][0] > 1.0:
            self._view_ratios.popleft()
        if not self._view_ratios:
            return "unknown", True
        median = float(np.median([r for _, r in self._view_ratios]))
        view = "side" if median < _VIEW_SPLIT else "frontal"
        wanted = self.spec.camera.view
        ok = (view == "side") == (wanted == "side")
        return view, ok

    def _facing(self, frame: PoseFrame, near: Side) -> float:
        """+1 if the body's forward direction points image-right, else -1.

        Lying, kneeling and on all fours, forward is from the hips towards the
        head; standing and sitting, it is from the heel to the toes.
        """
        if self.spec.posture in ("standing", "seated"):
            heel = frame.xy[landmark_index("heel", near)]
            toe = frame.xy[landmark_index("foot_index", near)]
            dx = float(toe[0] - heel[0])
        else:
            ls, rs = frame.xy[11], frame.xy[12]
            lh, rh = frame.xy[23], frame.xy[24]
            dx = float((ls[0] + rs[0]) - (lh[0] + rh[0]))
        if not math.isfinite(dx) or dx == 0:
            return self._forward_sign
        return 1.0 if dx > 0 else -1.0

    def _view_cue(self, work: Side | None) -> str:
        wanted = self.spec.camera.view
        if wanted == "side":
            if work is not None and self._fixed is not None:
                return f"Turn so your {work} side faces the camera."
            return "Turn side-on to the camera (your side facing it)."
        if wanted == "front":
            return "Face the camera."
        if wanted == "back":
            return "Turn your back to the camera."
        if wanted == "feet_end":
            return "Place the camera at your feet, looking along your body."
        return "Place the camera at your head end, looking along your body."

    # ------------------------------------------------------------ calibration
    def _try_calibrate(self, frame: PoseFrame, t: float, phase_rest: bool) -> None:
        cal = self.spec.calibration
        ctx = BodyContext(
            near=self._near or "left", min_visibility=self.spec.min_visibility
        )
        refs = list(cal.floor.points) or ["mid.shoulder", "mid.hip"]
        ok = frame.has_person and not missing_parts(frame, refs, ctx) and phase_rest
        if ok and self._still:
            prev_t, prev = self._still[-1]
            dt = t - prev_t
            torso = body_lengths_px(frame, ctx)["torso"]
            if dt > 0 and torso > 0:
                core = [
                    landmark_index(p, s)
                    for p in _CORE_PARTS[:2]
                    for s in ("left", "right")
                ]
                speed = (
                    np.nanmax(np.linalg.norm(frame.xy[core] - prev.xy[core], axis=1))
                    / dt
                    / torso
                )
                ok = bool(np.isfinite(speed) and speed <= cal.max_motion)
        if not ok:
            self._still.clear()
            return
        self._still.append((t, frame))
        if t - self._still[0][0] < cal.still_s:
            return
        frames = [f for _, f in self._still]
        near = self._near or "left"
        base = BodyContext(
            near=near, work=self._fixed or near, min_visibility=self.spec.min_visibility
        )
        if cal.floor.method == "fit":
            pts = np.array(
                [
                    np.median([resolve_point(f, r, base) for f in frames], axis=0)
                    for r in cal.floor.points
                ]
            )
            centre, direction = geometry.fit_line(pts)
            tilt_deg = math.degrees(math.atan2(abs(direction[1]), abs(direction[0])))
            if np.isfinite(direction).all() and tilt_deg <= _MAX_FLOOR_TILT_DEG:
                self._cal.floor_point, self._cal.floor_dir = centre, direction
            else:
                # An implausible floor (a raised, tilted camera or a pose that is
                # not the start pose): fall back to the image horizontal.
                self._cal.floor_point = np.array([0.0, float(np.nanmax(pts[:, 1]))])
        else:
            ys = [np.nanmax(f.xy[:, 1]) for f in frames]
            self._cal.floor_point = np.array([0.0, float(np.median(ys))])
        lengths = [body_lengths_px(f, base) for f in frames]
        self._cal.lengths_px = {
            k: _nanmedian([length[k] for length in lengths]) for k in lengths[0]
        }
        for a in self._assignments:
            ctx = self._ctx(a, near, calibrated=True)
            values = [raw_signals(self.spec, f, ctx, self._order) for f in frames]
            self._cal.start_values[str(a)] = {
                k: _nanmedian([v[k] for v in values]) for k in self._order
            }
        self._cal.done = True
        self._cal.at_s = t
        self._still.clear()

    def _several_people(self, frame: PoseFrame, t: float) -> bool:
        """Whether more than one person has been in view for most of the last 2 s.

        People counts from the backend miss or invent a face now and then, so a
        single sample never switches this on or off.
        """
        self._people.append((t, frame.num_people > 1))
        while self._people and t - self._people[0][0] > _PEOPLE_WINDOW_S:
            self._people.popleft()
        several = sum(flag for _, flag in self._people)
        return several > len(self._people) / 2

    def _hold_still(self, side: Side | None, t: float) -> bool:
        """Whether the hold rules' signals have been still over the last 0.3 s."""
        hold = self.spec.hold
        if hold is None:
            return True
        history = self._history[side if self.alternating else None]
        if len(history) < 2:
            return True
        now = history[-1][1]
        before = None
        for ts, values in reversed(history):
            if t - ts >= _STILL_WINDOW_S:
                before = values
                break
        if before is None:
            return True
        for name in self._hold_signals:
            limit = (
                hold.max_speed_deg_s
                if self._units[name] == "deg"
                else hold.max_speed_len_s
            )
            if limit is None:
                continue
            change = abs(now[name] - before[name])
            if math.isfinite(change) and change / _STILL_WINDOW_S > limit:
                return False
        return True

    def _scene_cut(self, frame: PoseFrame, t: float) -> bool:
        """Detect a camera cut (the body jumps) so calibration can start again."""
        ctx = BodyContext(min_visibility=0.0)
        hip_now = resolve_point(frame, "mid.hip", ctx)
        torso_now = float(
            geometry.distance(resolve_point(frame, "mid.shoulder", ctx), hip_now)
        )
        # Compare with the body about 0.3 s ago (MediaPipe smooths a cut over
        # a few frames, so frame-to-frame steps can all look small), and across
        # short gaps with nobody in view (a cut through black frames).
        history = self._recent_bodies
        while history and t - history[0][0] > _CUT_GAP_S:
            history.popleft()
        reference = None
        for entry in history:
            if t - entry[0] >= _CUT_WINDOW_S or entry is history[-1]:
                reference = entry
            if t - entry[0] < _CUT_WINDOW_S:
                break
        if not (torso_now > 0 and np.isfinite(hip_now).all()):
            return False
        history.append((t, torso_now, hip_now))
        if reference is None:
            return False
        _, torso_before, hip_before = reference
        jump = float(geometry.distance(hip_now, hip_before)) / torso_before
        scale = max(torso_now, torso_before) / min(torso_now, torso_before)
        if jump > 0.8 or scale > 1.6:
            history.clear()
            history.append((t, torso_now, hip_now))
            return True
        return False

    def _reset_calibration(self) -> None:
        self._cal = _Calibration()
        self._still.clear()
        self._view_ratios.clear()
        for f in self._filters.values():
            f.reset()

    def _ctx(
        self, assignment: Side | None, near: Side, calibrated: bool | None = None
    ) -> BodyContext:
        work: Side = assignment or self._fixed or near
        use_cal = self._cal.done if calibrated is None else calibrated
        return BodyContext(
            near=near,
            work=work,
            floor_point=self._cal.floor_point,
            floor_dir=self._cal.floor_dir,
            forward_sign=self._forward_sign,
            lengths_px=self._cal.lengths_px if use_cal else {},
            min_visibility=self.spec.min_visibility,
        )

    # ------------------------------------------------------------- per frame
    def update(self, frame: PoseFrame) -> FrameResult:
        """Process one frame and return what to show.

        Args:
            frame: The pose (possibly empty) with its timestamp.

        Returns:
            The :class:`FrameResult` for this frame.
        """
        t = frame.timestamp_ms / 1000.0
        if self._first_s is None:
            self._first_s = t
        self._last_t = t
        setup_cues: list[Cue] = []
        people_ok = True
        view, view_ok = "unknown", True
        near: Side = self._near or (self._fixed or "left")
        if not frame.has_person:
            setup_cues.append(
                Cue(
                    "setup",
                    "Step into view so the camera can see your whole body.",
                    "warn",
                )
            )
        else:
            near = self._update_near(frame, t)
            view, view_ok = self._update_view(frame, t)
            self._forward_sign = self._facing(frame, near)
            if self._several_people(frame, t):
                people_ok = False
                setup_cues.append(
                    Cue(
                        "setup",
                        "I can see more than one person: only the person exercising should be in view.",
                        "warn",
                    )
                )
            if not view_ok:
                setup_cues.append(Cue("setup", self._view_cue(self._fixed), "warn"))
            if (
                view_ok
                and self.spec.camera.view == "side"
                and self._fixed is not None
                and near != self._fixed
            ):
                setup_cues.append(
                    Cue(
                        "setup",
                        f"Turn so your {self._fixed} side faces the camera.",
                        "warn",
                    )
                )
        # Signals for each side assignment.
        per_assignment: dict[Side | None, dict[str, float]] = {}
        shared_points: dict[tuple[int, ...], npt.NDArray[np.float64]] = {}
        for a in self._assignments:
            ctx = self._ctx(a, near)
            if frame.has_person:
                start = self._cal.start_values.get(str(a)) if self._cal.done else None
                values = compute_signals(
                    self.spec, frame, ctx, start, self._order, shared_points
                )
            else:
                values = dict.fromkeys(self._order, math.nan)
            raw = np.array([values[k] for k in self._order])
            smooth = self._filters[a](raw, t)
            per_assignment[a] = dict(
                zip(self._order, (float(v) for v in smooth), strict=True)
            )
            hist = self._history[a]
            hist.append((t, per_assignment[a]))
            horizon = (self.spec.reps.max_duration_s if self.spec.reps else 60.0) + 5.0
            while hist and t - hist[0][0] > horizon:
                hist.popleft()
        # Which side is moving now (alternating), and the counting signal.
        moving_side: Side | None = None
        count_value = math.nan
        if self.spec.reps is not None:
            name = self.spec.reps.signal
            sign = 1.0 if self.spec.reps.direction == "up" else -1.0
            best = -math.inf
            for a in self._assignments:
                v = per_assignment[a][name]
                if math.isfinite(v) and sign * v > best:
                    best, count_value = sign * v, v
                    moving_side = a
        if (
            self.spec.reps is not None
            and frame.has_person
            and not math.isfinite(count_value)
            and not (self._needs_calibration and not self._cal.done)
        ):
            refs = self._rule_points(self.spec.reps.signal)
            hidden = missing_parts(frame, refs, self._ctx(None, near))
            if hidden:
                names = " and ".join(_plural(p) for p in hidden[:2])
                setup_cues.append(
                    Cue(
                        "setup",
                        f"I can't see your {names}: move back so your whole body is in the frame.",
                        "warn",
                    )
                )
        display: Side | None
        if self.alternating:
            counter_busy = self._counter is not None and self._counter.state != "rest"
            display = (
                moving_side
                if counter_busy and moving_side
                else (self._last_rep_side or near)
            )
        else:
            display = None
        signals = per_assignment[display if self.alternating else None]
        work_side: Side | None = (
            display
            if self.alternating
            else (self._fixed or (near if frame.has_person else None))
        )

        # Phase from the counter / hold state.
        phase = "rest"
        if self._counter is not None:
            state = self._counter.state
            phase = (
                "active"
                if state == "active"
                else ("moving" if state in ("moving", "returning") else "rest")
            )
        elif self._pacer is not None:
            step = self._pacer.current_step()
            phase = step.phase if step is not None else "rest"
        elif self._hold is not None and self._hold.state().status in (
            "holding",
            "paused",
            "grace",
        ):
            phase = "active"
        if frame.has_person and self._scene_cut(frame, t):
            self._reset_calibration()
        if self._needs_calibration and not self._cal.done and frame.has_person:
            phase_for_rules = phase
            if (
                self.spec.reps is not None
                and self.spec.signals[self.spec.reps.signal].change_from_start
            ):
                phase = "setup"
                phase_for_rules = "setup"
                setup_cues.append(
                    Cue(
                        "setup",
                        "Hold still in the start position for a moment.",
                        "info",
                    )
                )
        else:
            phase_for_rules = phase

        # Rules.
        rule_ctx = self._ctx(display, near)
        states: list[RuleState] = []
        new_faults: list[FaultEvent] = []
        for rule in self._frame_rules:
            rule_state = self._evaluate(
                rule,
                signals,
                frame,
                rule_ctx,
                phase_for_rules,
                view_ok and people_ok,
                t,
                work_side,
                new_faults,
                setup_cues,
            )
            states.append(rule_state)
        status = {s.rule_id: s for s in states}
        if not self._cal.done and frame.has_person and people_ok:
            # The start pose is calibrated only when every posture gate and
            # every setup check (e.g. "knee bent to 90° to start") passes.
            gates_ok = not any(
                status[r.id].status == "fail"
                for r in self._frame_rules
                if r.gate or r.kind == "setup"
            )
            self._try_calibrate(frame, t, phase in ("rest", "setup") and gates_ok)

        # Counting.
        new_rep: RepRecord | None = None
        if self._counter is not None:
            # Count only while every posture gate is known to pass: when the
            # posture cannot be judged, a movement is not counted either.
            gated = any(
                status[r.id].fault or status[r.id].status == "unknown"
                for r in self._frame_rules
                if r.gate
            )
            event: RepEvent | None
            if gated:
                event = self._counter.abandon(t, "not in the start position")
            else:
                event = self._counter.update(count_value, t, moving_side)
            if event is not None:
                new_rep = self._record_rep(event)
        if self._pacer is not None:
            ready = (
                frame.has_person
                and people_ok
                and view_ok
                and not any(
                    status[r.id].fault or status[r.id].status == "unknown"
                    for r in self._frame_rules
                    if r.gate
                )
                and (self._cal.done or not self._needs_calibration)
            )
            paced = self._pacer.update(ready, t)
            if paced is not None:
                new_rep = self._record_rep(paced)
            step = self._pacer.current_step()
            if step is not None:
                setup_cues.append(Cue("tip", step.cue, "info"))
        # Holds.
        new_hold: HoldRecord | None = None
        if self._hold is not None and self.spec.hold is not None:
            hold_states = [status[r] for r in self.spec.hold.rules if r in status]
            if (
                any(s.status in ("unknown", "inactive") for s in hold_states)
                or not frame.has_person
            ):
                self._in_pose = None
            elif any(s.fault for s in hold_states):
                self._in_pose = False
            elif all(s.status == "pass" for s in hold_states):
                # In the pose and still: moving into or out of it is not
                # holding (the timer pauses while the pose is changing).
                self._in_pose = self._hold_still(display, t)
            elif self._in_pose and not self._hold_still(display, t):
                self._in_pose = False
            hold_event = self._hold.update(self._in_pose, t)
            if hold_event is not None:
                new_hold = self._record_hold(hold_event)
        setup_issues = tuple(
            dict.fromkeys(
                c.text
                for c in setup_cues
                if c.kind in ("setup", "safety") and c.severity != "info"
            )
        )
        cue = self._choose_cue(setup_cues, states, t)
        return FrameResult(
            pose=frame,
            timestamp_ms=frame.timestamp_ms,
            phase=phase,
            near_side=near if frame.has_person else None,
            work_side=work_side,
            view=view,
            view_ok=view_ok,
            calibrated=self._cal.done,
            signals=signals,
            rules=tuple(states),
            cue=cue,
            tallies=self.tallies(),
            hold=self._hold.state() if self._hold is not None else None,
            new_rep=new_rep,
            new_hold=new_hold,
            new_faults=tuple(new_faults),
            setup_issues=setup_issues,
        )

    def _evaluate(
        self,
        rule: RuleSpec,
        signals: dict[str, float],
        frame: PoseFrame,
        ctx: BodyContext,
        phase: str,
        judgeable: bool,
        t: float,
        side: str | None,
        new_faults: list[FaultEvent],
        setup_cues: list[Cue],
    ) -> RuleState:
        track = self._tracks[rule.id]
        value = signals.get(rule.signal, math.nan)
        reason = ""
        status: RuleStatus
        if phase not in rule.phases:
            status = "inactive"
        elif not frame.has_person:
            status, reason = "unknown", "nobody in view"
        elif not judgeable and not rule.gate:
            status, reason = "unknown", "camera view or people in view"
        elif not math.isfinite(value):
            status = "unknown"
            refs = self._rule_points(rule.signal)
            hidden = missing_parts(frame, refs, ctx)
            if hidden:
                names = " and ".join(_plural(p) for p in hidden[:2])
                reason = f"I can't see your {names}"
                setup_cues.append(
                    Cue(
                        "setup",
                        f"I can't see your {names}: move back so your whole body is in the frame.",
                        "warn",
                    )
                )
            elif self.spec.signals[rule.signal].change_from_start or not self._cal.done:
                reason = "waiting for a still start position"
            else:
                reason = "cannot measure"
        else:
            ok = (rule.min is None or value >= rule.min) and (
                rule.max is None or value <= rule.max
            )
            status = "pass" if ok else "fail"
        if status == "fail":
            if track.fail_since_s is None:
                track.fail_since_s = t
                track.worst = value
            else:
                track.worst = self._worse(rule, track.worst, value)
            if track.fault_since_s is None and t - track.fail_since_s >= rule.persist_s:
                track.fault_since_s = track.fail_since_s
                track.side = side
        else:
            # Setup checks (posture gates, "knee bent to start") steer the user
            # and the counter; they are not form faults of the exercise.
            if track.fault_since_s is not None and rule.kind != "setup":
                event = FaultEvent(
                    rule_id=rule.id,
                    cue=rule.cue,
                    severity=rule.severity,
                    start_s=track.fault_since_s,
                    end_s=t,
                    worst_value=track.worst,
                    side=track.side,
                )
                self.faults.append(event)
                new_faults.append(event)
            track.fail_since_s = None
            track.fault_since_s = None
            track.worst = math.nan
        return RuleState(
            rule.id, status, value, track.fault_since_s is not None, reason
        )

    @staticmethod
    def _worse(rule: RuleSpec, a: float, b: float) -> float:
        if not math.isfinite(a):
            return b
        if rule.max is not None and (rule.min is None or b > rule.max or a > rule.max):
            return max(a, b)
        return min(a, b)

    def _rule_points(self, signal_name: str) -> list[str]:
        sig = self.spec.signals[signal_name]
        if isinstance(sig, CombineSignal):
            return [p for name in sig.of for p in self._rule_points(name)]
        return signal_points(sig)

    # --------------------------------------------------------------- records
    def _stats(
        self, side: Side | None, start_s: float, end_s: float
    ) -> tuple[dict[str, float], dict[str, float]]:
        rows = [
            v
            for ts, v in self._history[side if self.alternating else None]
            if start_s <= ts <= end_s
        ]
        lo: dict[str, float] = {}
        hi: dict[str, float] = {}
        for name in self._order:
            vals = [r[name] for r in rows if math.isfinite(r[name])]
            # A statistic is reported only when the signal was seen for at
            # least half of the repetition: a limb glimpsed for a few frames
            # must not produce a "did not reach" fault.
            seen = bool(rows) and len(vals) >= _MIN_COVERAGE * len(rows)
            lo[name] = min(vals) if seen else math.nan
            hi[name] = max(vals) if seen else math.nan
        return lo, hi

    def _record_rep(self, event: RepEvent) -> RepRecord:
        side: Side | None = (
            ("left" if event.side == "left" else "right")
            if event.side in ("left", "right")
            else None
        )
        if not self.alternating:
            side = self._fixed or self._near
        elif side is None:
            # An alternating attempt with no side (e.g. tracking lost at once):
            # fall back to the side that moved last.
            side = self._last_rep_side or self._near or "left"
        lo, hi = self._stats(
            side if self.alternating else None, event.start_s, event.end_s
        )
        faults: list[str] = []
        cues: list[str] = []
        index = self._rep_index + 1 if event.counted else 0
        if event.counted:
            self._rep_index += 1
            for i, f in enumerate(self.faults):
                if (
                    f.rep_index is None
                    and f.start_s <= event.end_s
                    and f.end_s >= event.start_s
                ):
                    if self.alternating and f.side not in (None, side):
                        continue
                    self.faults[i] = FaultEvent(**{**f.__dict__, "rep_index": index})
            # Faults still in progress at the end of the rep.
            for rule in self._frame_rules:
                tr = self._tracks[rule.id]
                if (
                    tr.fault_since_s is not None
                    and rule.id not in faults
                    and rule.counts_against_rep
                ):
                    faults.append(rule.id)
                    cues.append(rule.cue)
            for f in self.faults:
                if f.rep_index == index:
                    rule = self._rules_by_id.__getitem__(f.rule_id)
                    if rule.counts_against_rep and rule.id not in faults:
                        faults.append(rule.id)
                        cues.append(rule.cue)
            for rule in self._rep_rules:
                value = self._rep_stat(rule, event, lo, hi)
                if not math.isfinite(value):
                    continue
                ok = (rule.min is None or value >= rule.min) and (
                    rule.max is None or value <= rule.max
                )
                if not ok:
                    fe = FaultEvent(
                        rule.id,
                        rule.cue,
                        rule.severity,
                        event.start_s,
                        event.end_s,
                        value,
                        side,
                        index,
                    )
                    self.faults.append(fe)
                    self._tips.append(
                        (
                            event.end_s + _TIP_SHOW_S,
                            Cue(rule.kind, rule.cue, rule.severity, rule.id),
                        )
                    )
                    if rule.counts_against_rep and rule.id not in faults:
                        faults.append(rule.id)
                        cues.append(rule.cue)
            self._last_rep_side = side if self.alternating else self._last_rep_side
            self._add_rep_reminders(self._rep_index, event.end_s)
        elif event.reason in _ATTEMPT_REASONS and event.duration_s >= _MIN_ATTEMPT_S:
            # Tell the user why a real attempt did not count; stay quiet about
            # blips while getting into position or when tracking was lost.
            self._tips.append(
                (
                    event.end_s + _TIP_SHOW_S,
                    Cue("tip", f"That one didn't count: {event.reason}.", "info"),
                )
            )
        record = RepRecord(
            index=index,
            side=side,
            start_s=event.start_s,
            end_s=event.end_s,
            active_s=event.active_s,
            counted=event.counted,
            correct=event.counted and not faults,
            reason=event.reason,
            faults=tuple(faults),
            cues=tuple(cues),
            signal_min=lo,
            signal_max=hi,
            range_of_motion=event.range_of_motion,
        )
        self.reps.append(record)
        return record

    @staticmethod
    def _rep_stat(
        rule: RuleSpec, event: RepEvent, lo: dict[str, float], hi: dict[str, float]
    ) -> float:
        if rule.stat == "active_s":
            return event.active_s
        if rule.stat == "duration_s":
            return event.duration_s
        if rule.stat == "max":
            return hi.get(rule.signal, math.nan)
        if rule.stat == "min":
            return lo.get(rule.signal, math.nan)
        return hi.get(rule.signal, math.nan) - lo.get(rule.signal, math.nan)

    def _record_hold(self, event: HoldEvent) -> HoldRecord:
        self._hold_index += 1
        faults = tuple(
            sorted(
                {
                    f.rule_id
                    for f in self.faults
                    if f.start_s <= event.end_s and f.end_s >= event.start_s
                }
            )
        )
        record = HoldRecord(
            index=self._hold_index,
            side=self._fixed or self._near,
            start_s=event.start_s,
            end_s=event.end_s,
            held_s=event.held_s,
            min_s=event.min_s,
            target_s=event.target_s,
            completed=event.completed,
            faults=faults,
        )
        self.holds.append(record)
        return record

    def _add_rep_reminders(self, count: int, t: float) -> None:
        for reminder in self.spec.reminders:
            if reminder.every_n_reps and count % reminder.every_n_reps == 0:
                self._tips.append((t + _TIP_SHOW_S, Cue("tip", reminder.text, "info")))

    # ------------------------------------------------------------------ cues
    def _choose_cue(
        self, setup: list[Cue], states: list[RuleState], t: float
    ) -> Cue | None:
        candidates = list(setup)
        for state in states:
            if state.fault:
                rule = self._rules_by_id.__getitem__(state.rule_id)
                severity = "stop" if rule.kind == "safety" else rule.severity
                candidates.append(Cue(rule.kind, rule.cue, severity, rule.id))
        self._tips = [(until, c) for until, c in self._tips if until >= t]
        candidates.extend(c for _, c in self._tips)
        first = self._first_s if self._first_s is not None else t
        for i, reminder in enumerate(self.spec.reminders):
            if reminder.at_start and t - first <= _TIP_SHOW_S * 2:
                candidates.append(Cue("tip", reminder.text, "info"))
            if reminder.every_s:
                last = self._last_reminder_s.get(i, first)
                if t - last >= reminder.every_s:
                    self._last_reminder_s[i] = t
                    self._tips.append(
                        (t + _TIP_SHOW_S, Cue("tip", reminder.text, "info"))
                    )
        if not candidates:
            self._cue = None
            return None
        severity_rank = {"stop": 0, "warn": 1, "info": 2}

        def key(c: Cue) -> tuple[int, int, int]:
            prio = (
                self._rules_by_id.__getitem__(c.rule_id).priority if c.rule_id else 50
            )
            return (c.rank, severity_rank[c.severity], -prio)

        best = min(candidates, key=key)
        current = self._cue
        if (
            current is not None
            and current != best
            and any(c.text == current.text for c in candidates)
            and current.rank <= best.rank
            and t - self._cue_since_s < _CUE_HOLD_S
        ):
            return current
        if current is None or best.text != current.text:
            self._cue_since_s = t
        self._cue = best
        return best

    # ---------------------------------------------------------------- totals
    def tallies(self) -> tuple[RepTally, ...]:
        """Counted and correct repetitions, overall and per side."""
        if self._tally_cache is not None and self._tally_cache[0] == len(self.reps):
            return self._tally_cache[1]
        counted = [r for r in self.reps if r.counted]
        out = [RepTally(None, len(counted), sum(r.correct for r in counted))]
        if self.alternating:
            for s in ("left", "right"):
                mine = [r for r in counted if r.side == s]
                out.append(RepTally(s, len(mine), sum(r.correct for r in mine)))
        self._tally_cache = (len(self.reps), tuple(out))
        return self._tally_cache[1]

    def finish(self) -> None:
        """Close what is still open at the end of a video or stream."""
        t = self._last_t
        for rule in self._frame_rules:
            track = self._tracks[rule.id]
            if track.fault_since_s is not None and rule.kind != "setup":
                self.faults.append(
                    FaultEvent(
                        rule.id,
                        rule.cue,
                        rule.severity,
                        track.fault_since_s,
                        t,
                        track.worst,
                        track.side,
                    )
                )
                track.fault_since_s = None
                track.fail_since_s = None
        if self._hold is not None:
            event = self._hold.finish(t)
            if event is not None:
                self._record_hold(event)

    @property
    def calibrated(self) -> bool:
        """Whether the start pose has been calibrated."""
        return self._cal.done

    @property
    def near_side(self) -> Side | None:
        """The side currently facing the camera."""
        return self._near

    def other_side(self) -> Side | None:
        """The side away from the camera."""
        return opposite(self._near) if self._near else None

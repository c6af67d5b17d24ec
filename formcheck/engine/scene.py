"""Scene: who is in view and how the camera sees them.

:class:`SceneTracker` is fed every frame and says which side of the body is
near the camera (debounced), whether the camera view is side-on or frontal
(over the last second), which way the body faces, what posture the person is
in and whether it is the exercise's, who of several people in view is doing
the exercise, and whether the camera cut to another shot (the body jumps). It
knows nothing about the exercise's rules or counting.

Several people: the tracked person is followed when they are the only one in
the exercise's posture (a therapist standing beside a patient on the mat);
when another person is in it too, or only another person is, it cannot tell
who is exercising and says so (for most of the last two seconds).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck import geometry
from formcheck.engine.posture import (
    Posture,
    PostureTracker,
    classify_posture,
    fits,
    other_level,
)
from formcheck.landmarks import TORSO, Side, core_indices, landmark_index
from formcheck.results import ObservedView
from formcheck.signals import BodyContext, resolve_point
from formcheck.specs.schema import ExerciseSpec
from formcheck.types import PoseFrame

#: Mean left-right width / torso length: below = side-on, above = frontal.
VIEW_SPLIT = 0.5
PEOPLE_WINDOW_S = 2.0
#: A cut is judged against the body about this long ago...
CUT_WINDOW_S = 0.3
#: ...and across gaps with nobody in view up to this long.
CUT_GAP_S = 1.0
_VIEW_WINDOW_S = 1.0
#: Another posture than the exercise's for this long: "not recognised".
NOT_RECOGNISED_S = 5.0
#: A set in which the exercise's posture was seen for less than this, and
#: another for at least NOT_RECOGNISED_S, did not show the exercise at all.
MIN_RECOGNISED_S = 2.0
_CORE = {side: core_indices(side) for side in (Side.LEFT, Side.RIGHT)}


@dataclass(frozen=True)
class Scene:
    """What the scene tracker found in one frame.

    Attributes:
        has_person: Whether a person is in view.
        posture: The tracked person's posture (majority of the last second).
        posture_fits: Whether it is the exercise's posture (``None``: unclear).
        posture_other: The posture is upright for an exercise on the floor,
            or on the floor for an upright one (clear from any view).
        not_recognised: Another posture than the exercise's has been seen for
            :data:`NOT_RECOGNISED_S` without a break.
        near: The side facing the camera (kept from earlier frames when
            nobody is in view).
        view: The camera view as seen from the body's proportions.
        view_ok: Whether that view fits the spec's camera view.
        forward_sign: +1 if the body's forward direction points image-right.
        several_people: Someone else is in view and it is unclear who is
            exercising (most of the last 2 s): checks pause.
        following: Others are in view, and the tracked person is followed as
            the one exercising.
        cut: The camera cut to another shot in this frame.
    """

    has_person: bool
    near: Side
    view: ObservedView
    view_ok: bool
    forward_sign: float
    several_people: bool
    cut: bool
    posture: Posture = Posture.UNKNOWN
    posture_fits: bool | None = None
    posture_other: bool = False
    not_recognised: bool = False
    following: bool = False


class SceneTracker:
    """Tracks the near side, the camera view, facing, people and cuts.

    Args:
        spec: The exercise spec (its posture, camera view and side lock).
        default_near: The near side to assume before anyone is seen.
    """

    def __init__(self, spec: ExerciseSpec, default_near: Side = Side.LEFT) -> None:
        self._wanted_view = spec.camera.view
        self._lock_s = spec.side.lock_s
        self._near: Side | None = None
        self._default_near = default_near
        self._challenger_since: float | None = None
        self._view_ratios: deque[tuple[float, float]] = deque()
        self._forward_sign = 1.0
        self._people: deque[tuple[float, bool]] = deque()
        self._spec_posture = spec.posture
        self._posture = PostureTracker(spec.posture)
        self._following = False
        self._bodies: deque[tuple[float, float, npt.NDArray[np.float64]]] = deque()

    @property
    def near(self) -> Side | None:
        """The side facing the camera, once anyone has been seen."""
        return self._near

    def update(self, frame: PoseFrame, t: float) -> Scene:
        """Look at one frame (``t`` in seconds)."""
        if not frame.has_person:
            return Scene(
                has_person=False,
                near=self._near or self._default_near,
                view=ObservedView.UNKNOWN,
                view_ok=True,
                forward_sign=self._forward_sign,
                several_people=False,
                cut=False,
            )
        near = self._update_near(frame, t)
        view, view_ok = self._update_view(frame, t)
        self._forward_sign = self._facing(frame, near)
        seen = classify_posture(frame.xy, frame.visibility)
        posture = self._posture.update(seen, t, view_ok)
        several = self._several_people(frame, t, seen)
        return Scene(
            has_person=True,
            near=near,
            view=view,
            view_ok=view_ok,
            forward_sign=self._forward_sign,
            several_people=several,
            cut=self._cut(frame, t),
            posture=posture,
            posture_fits=fits(self._spec_posture, posture),
            posture_other=other_level(self._spec_posture, posture),
            not_recognised=self._posture.misfit_run_s >= NOT_RECOGNISED_S,
            following=frame.num_people > 1 and not several and self._following,
        )

    @property
    def postures(self) -> PostureTracker:
        """How long the exercise's posture and others have been seen."""
        return self._posture

    def recognised(self) -> tuple[bool, Posture | None]:
        """Whether the set showed the exercise at all; if not, what it showed."""
        tracker = self._posture
        if tracker.fit_s < MIN_RECOGNISED_S and tracker.misfit_s >= NOT_RECOGNISED_S:
            return False, tracker.most_seen_misfit()
        return True, None

    def forget_view(self) -> None:
        """Start judging the camera view afresh (after a cut)."""
        self._view_ratios.clear()

    # ------------------------------------------------------------ near side
    def _update_near(self, frame: PoseFrame, t: float) -> Side:
        vis = frame.visibility

        def score(side: Side) -> float:
            idx = _CORE[side]
            return float(vis[idx[0]] + vis[idx[1]] + vis[idx[2]] + vis[idx[3]]) / 4

        left, right = score(Side.LEFT), score(Side.RIGHT)
        better = Side.LEFT if left >= right else Side.RIGHT
        if self._near is None:
            self._near = better
        elif better != self._near and abs(left - right) > 0.1:
            if self._challenger_since is None:
                self._challenger_since = t
            if t - self._challenger_since >= self._lock_s:
                self._near = better
                self._challenger_since = None
        else:
            self._challenger_since = None
        return self._near

    # ---------------------------------------------------------------- view
    def _update_view(self, frame: PoseFrame, t: float) -> tuple[ObservedView, bool]:
        (lsx, lsy), (rsx, rsy), (lhx, lhy), (rhx, rhy) = (
            frame.xy[i].tolist() for i in TORSO
        )
        torso = math.hypot((lsx + rsx - lhx - rhx) / 2, (lsy + rsy - lhy - rhy) / 2)
        shoulders = math.hypot(lsx - rsx, lsy - rsy)
        hips = math.hypot(lhx - rhx, lhy - rhy)
        if self._spec_posture == "side_lying":
            # Lying on one side, the hips are narrower than the shoulders and
            # roll when the top hip moves: judge the view by the shoulders.
            ratio = shoulders / torso if torso > 0 else math.nan
        else:
            ratio = (shoulders + hips) / 2 / torso if torso > 0 else math.nan
        if math.isfinite(ratio):
            self._view_ratios.append((t, ratio))
        while self._view_ratios and t - self._view_ratios[0][0] > _VIEW_WINDOW_S:
            self._view_ratios.popleft()
        if not self._view_ratios:
            return ObservedView.UNKNOWN, True
        median = float(np.median([r for _, r in self._view_ratios]))
        view = ObservedView.SIDE if median < VIEW_SPLIT else ObservedView.FRONTAL
        ok = (view is ObservedView.SIDE) == (self._wanted_view == "side")
        return view, ok

    def _facing(self, frame: PoseFrame, near: Side) -> float:
        """+1 if the body's forward direction points image-right, else -1.

        Lying, kneeling and on all fours, forward is from the hips towards the
        head; standing and sitting, it is from the heel to the toes.
        """
        if self._spec_posture in ("standing", "seated"):
            heel = frame.xy[landmark_index("heel", near)]
            toe = frame.xy[landmark_index("foot_index", near)]
            dx = float(toe[0] - heel[0])
        else:
            ls, rs, lh, rh = (frame.xy[i] for i in TORSO)
            dx = float((ls[0] + rs[0]) - (lh[0] + rh[0]))
        if not math.isfinite(dx) or dx == 0:
            return self._forward_sign
        return 1.0 if dx > 0 else -1.0

    # -------------------------------------------------------------- people
    def _unclear_who(self, frame: PoseFrame, seen: Posture) -> bool:
        """Several people in view, and it cannot be told who is exercising."""
        self._following = False
        if frame.num_people <= 1:
            return False
        if frame.others_xy is None or frame.others_visibility is None:
            return True
        others = [
            fits(self._spec_posture, classify_posture(xy, vis))
            for xy, vis in zip(frame.others_xy, frame.others_visibility, strict=True)
        ]
        if fits(self._spec_posture, seen) and not any(others):
            self._following = True
            return False
        return True

    def _several_people(self, frame: PoseFrame, t: float, seen: Posture) -> bool:
        """Whether it was unclear who is exercising for most of the last 2 s.

        People counts from the backend miss or invent a person now and then,
        so a single sample never switches this on or off.
        """
        self._people.append((t, self._unclear_who(frame, seen)))
        while self._people and t - self._people[0][0] > PEOPLE_WINDOW_S:
            self._people.popleft()
        several = sum(flag for _, flag in self._people)
        return several > len(self._people) / 2

    # ---------------------------------------------------------------- cuts
    def _cut(self, frame: PoseFrame, t: float) -> bool:
        """Detect a camera cut (the body jumps) so calibration can start again."""
        ctx = BodyContext(min_visibility=0.0)
        hip_now = resolve_point(frame, "mid.hip", ctx)
        torso_now = float(
            geometry.distance(resolve_point(frame, "mid.shoulder", ctx), hip_now)
        )
        # Compare with the body about 0.3 s ago (MediaPipe smooths a cut over
        # a few frames, so frame-to-frame steps can all look small), and across
        # short gaps with nobody in view (a cut through black frames).
        history = self._bodies
        while history and t - history[0][0] > CUT_GAP_S:
            history.popleft()
        reference = None
        for entry in history:
            if t - entry[0] >= CUT_WINDOW_S or entry is history[-1]:
                reference = entry
            if t - entry[0] < CUT_WINDOW_S:
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

"""Posture: what position a body is in, from one frame's 2D landmarks.

:func:`classify_posture` tells standing, sitting, kneeling upright, on all
fours (including folded back onto the heels), lying on the back, front or side
— or says it cannot tell. It needs no calibration and no spec, so it serves
every exercise: to say "that doesn't look like a glute bridge: I can see
someone standing", and to tell which of several people in view is the one
doing the exercise. :class:`PostureTracker` smooths it over time and keeps
how long the exercise's own posture has been seen.

The camera is assumed roughly level (image up is world up), as every spec's
camera placement asks.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark

Array = npt.NDArray[np.float64]

_VISIBLE = 0.5
#: Torso within this angle of vertical: upright; beyond the next: horizontal.
_UPRIGHT_DEG = 40.0
#: A thigh shorter than this share of the trunk in the picture points at the
#: camera (a standing thigh is about 0.8 of it).
_SHORT_THIGH = 0.45
_HORIZONTAL_DEG = 55.0
#: Shoulders or hips higher than this (torso lengths) above the lowest point.
_RAISED = 0.5


class Posture(StrEnum):
    """A body position, as seen."""

    STANDING = "standing"
    SITTING = "sitting"
    KNEELING = "kneeling"
    ALL_FOURS = "all_fours"
    LYING_BACK = "lying_back"
    LYING_FRONT = "lying_front"
    LYING_SIDE = "lying_side"
    LYING = "lying"
    UPRIGHT = "upright"
    UNKNOWN = "unknown"


#: Postures seen that fit each spec posture (``UNKNOWN`` fits nothing, and
#: contradicts nothing either).
FITS: Final[dict[str, frozenset[Posture]]] = {
    "standing": frozenset({Posture.STANDING, Posture.UPRIGHT}),
    "seated": frozenset({Posture.SITTING, Posture.UPRIGHT}),
    # Kneeling exercises fold down over the knees (child's pose): from the side
    # that looks like all fours or like lying on the front.
    "kneeling": frozenset(
        {
            Posture.KNEELING,
            Posture.ALL_FOURS,
            Posture.UPRIGHT,
            Posture.LYING_FRONT,
            Posture.LYING,
        }
    ),
    "quadruped": frozenset({Posture.ALL_FOURS}),
    "supine": frozenset({Posture.LYING_BACK, Posture.LYING, Posture.LYING_SIDE}),
    "prone": frozenset({Posture.LYING_FRONT, Posture.LYING}),
    "side_lying": frozenset(
        {Posture.LYING_SIDE, Posture.LYING, Posture.LYING_BACK, Posture.LYING_FRONT}
    ),
}


#: Postures on the floor (the rest are upright). Telling one floor posture
#: from another needs the exercise's camera view; upright from floor does not.
ON_THE_FLOOR: Final[frozenset[Posture]] = frozenset(
    {
        Posture.ALL_FOURS,
        Posture.LYING_BACK,
        Posture.LYING_FRONT,
        Posture.LYING_SIDE,
        Posture.LYING,
    }
)
_FLOOR_SPECS: Final = frozenset(
    {"quadruped", "supine", "prone", "side_lying", "kneeling"}
)


def other_level(spec_posture: str, seen: Posture) -> bool:
    """Upright when the exercise is on the floor, or the other way round.

    This is clear from any camera view, so it may stop counting at once
    (getting up, sitting up, walking away).
    """
    if seen in (Posture.UNKNOWN,):
        return False
    return (seen in ON_THE_FLOOR) != (spec_posture in _FLOOR_SPECS)


def clearly_other(spec_posture: str, seen: Posture, view_ok: bool) -> bool:
    """Whether ``seen`` is clearly not the exercise's posture.

    Upright against on the floor is clear from any camera view; one floor
    posture against another (on all fours, lying on the back) only from the
    view the exercise's checks are made for.
    """
    if fits(spec_posture, seen) is not False:
        return False
    same_level = (seen in ON_THE_FLOOR) == (spec_posture in _FLOOR_SPECS)
    return view_ok or not same_level


def fits(spec_posture: str, seen: Posture) -> bool | None:
    """Whether a posture seen fits a spec's posture (``None``: cannot tell)."""
    if seen is Posture.UNKNOWN:
        return None
    return seen in FITS.get(spec_posture, frozenset())


def _point(xy: Array, vis: Array, *marks: Landmark) -> Array | None:
    """The mean of the visible ``marks`` (summed in order: the same as ``np.mean``).

    Called some fifteen times a frame, so no ``np.mean``, whose fixed cost on
    two points is ten times the arithmetic.
    """
    total: Array | None = None
    found = 0
    for m in marks:
        p = xy[m]
        if vis[m] >= _VISIBLE and math.isfinite(p[0]) and math.isfinite(p[1]):
            total = p if total is None else total + p
            found += 1
    return None if total is None else total / found


def _angle_from(vector: Array, reference: Array) -> float:
    norm = float(np.linalg.norm(vector))
    if norm == 0:
        return math.nan
    cos = float(np.dot(vector, reference)) / norm
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


_UP = np.array([0.0, -1.0])
_DOWN = np.array([0.0, 1.0])


@dataclass(frozen=True)
class _Body:
    shoulders: Array
    hips: Array
    knees: Array | None
    ankles: Array | None
    torso: float
    xy: Array
    vis: Array

    def lowest_y(self) -> float:
        seen = self.vis >= _VISIBLE
        body = np.zeros_like(seen)
        body[Landmark.LEFT_SHOULDER :] = True  # shoulders down to the feet
        ys = self.xy[seen & body, 1]
        ys = ys[np.isfinite(ys)]
        return float(ys.max()) if ys.size else math.nan

    def height(self, point: Array) -> float:
        """Height above the lowest visible body point, in torso lengths."""
        return (self.lowest_y() - float(point[1])) / self.torso


def _body(xy: Array, vis: Array) -> _Body | None:
    shoulders = _point(xy, vis, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)
    hips = _point(xy, vis, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    if shoulders is None or hips is None:
        return None
    torso = float(np.linalg.norm(shoulders - hips))
    if not torso > 0:
        return None
    return _Body(
        shoulders=shoulders,
        hips=hips,
        knees=_point(xy, vis, Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
        ankles=_point(xy, vis, Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE),
        torso=torso,
        xy=xy,
        vis=vis,
    )


def _facing_away_from_legs(body: _Body) -> bool:
    """The face points away from the legs: propped up on the front, not sitting.

    Sitting, the face points the way the thighs go; at the top of a press-up
    (hips on the floor, trunk up) it points the other way.
    """
    nose = _point(body.xy, body.vis, Landmark.NOSE)
    ears = _point(body.xy, body.vis, Landmark.LEFT_EAR, Landmark.RIGHT_EAR)
    if nose is None or ears is None or body.knees is None:
        return False
    face = (float(nose[0]) - float(ears[0])) / body.torso
    legs = (float(body.knees[0]) - float(body.hips[0])) / body.torso
    return abs(face) > 0.05 and abs(legs) > 0.3 and face * legs < 0


def _upright(body: _Body) -> Posture:
    if body.knees is None:
        return Posture.UPRIGHT
    thigh = _angle_from(body.knees - body.hips, _DOWN)
    if thigh >= 45.0:
        return Posture.LYING_FRONT if _facing_away_from_legs(body) else Posture.SITTING
    if body.ankles is None:
        return Posture.UPRIGHT
    shin = _angle_from(body.ankles - body.knees, _DOWN)
    if shin >= 55.0:
        return Posture.KNEELING
    if thigh < 35.0 and shin < 40.0 and not _thigh_towards_camera(body):
        return Posture.STANDING
    return Posture.UPRIGHT


def _thigh_towards_camera(body: _Body) -> bool:
    """The thighs look short: they point at the camera (sitting, seen from the front).

    Standing, a thigh is about as long as the trunk in the picture; sitting
    seen from the front it is foreshortened, and its direction in the picture
    says nothing about sitting or standing.
    """
    assert body.knees is not None
    thigh = float(np.linalg.norm(body.knees - body.hips)) / body.torso
    return thigh < _SHORT_THIGH


def _stacked(body: _Body) -> bool:
    """Shoulders one above the other across the trunk: lying on one side."""
    xy, vis = body.xy, body.vis
    left = _point(xy, vis, Landmark.LEFT_SHOULDER)
    right = _point(xy, vis, Landmark.RIGHT_SHOULDER)
    if left is None or right is None:
        return False
    along = (body.shoulders - body.hips) / body.torso
    sideways = abs(float(np.cross(along, left - right))) / body.torso
    return sideways > 0.35


def _lying(body: _Body) -> Posture:
    xy, vis = body.xy, body.vis
    nose = _point(xy, vis, Landmark.NOSE)
    ears = _point(xy, vis, Landmark.LEFT_EAR, Landmark.RIGHT_EAR)
    if nose is not None and ears is not None:
        rise = (float(ears[1]) - float(nose[1])) / body.torso
        if rise > 0.08:
            return Posture.LYING_BACK
        if rise < -0.08:
            return Posture.LYING_FRONT
    return Posture.LYING


def _limb_down(body: _Body, top: Landmark, bottom: Landmark, length: float) -> bool:
    """A limb that hangs straight down, at least ``length`` torsos long."""
    a = _point(body.xy, body.vis, top)
    b = _point(body.xy, body.vis, bottom)
    if a is None or b is None:
        return False
    limb = b - a
    return (
        float(np.linalg.norm(limb)) >= length * body.torso
        and _angle_from(limb, _DOWN) < 35.0
    )


def _on_hands_and_knees(body: _Body) -> bool:
    """An arm and a thigh hanging straight down: on hands and knees."""
    arm = any(
        _limb_down(body, s, w, 0.6)
        for s, w in (
            (Landmark.LEFT_SHOULDER, Landmark.LEFT_WRIST),
            (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_WRIST),
        )
    )
    thigh = any(
        _limb_down(body, h, k, 0.4)
        for h, k in (
            (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
            (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
        )
    )
    return arm and thigh


def _horizontal(body: _Body) -> Posture:
    if _on_hands_and_knees(body):
        return Posture.ALL_FOURS
    if _stacked(body):
        return Posture.LYING_SIDE
    shoulders_up = body.height(body.shoulders)
    hips_up = body.height(body.hips)
    if not (math.isfinite(shoulders_up) and math.isfinite(hips_up)):
        return Posture.UNKNOWN
    if hips_up >= _RAISED and shoulders_up >= _RAISED:
        return Posture.ALL_FOURS
    if hips_up >= _RAISED > shoulders_up and body.knees is not None:
        knees_up = body.height(body.knees)
        if knees_up < 0.3 and body.hips[1] < body.shoulders[1]:
            # Hips above the shoulders over knees on the floor: folded back
            # onto the heels (child's pose, the end of a rock back).
            return Posture.ALL_FOURS
    return _lying(body)


def classify_posture(
    xy: npt.NDArray[np.floating[Any]], visibility: npt.NDArray[np.floating[Any]]
) -> Posture:
    """The posture of one body.

    Args:
        xy: ``(33, 2)`` landmark positions in pixels (x right, y down).
        visibility: ``(33,)`` landmark visibilities.

    Returns:
        The posture, or ``UNKNOWN`` when the torso cannot be seen or its
        angle is between upright and lying.

    Example:
        >>> classify_posture(frame.xy, frame.visibility)  # doctest: +SKIP
        <Posture.LYING_BACK: 'lying_back'>
    """
    body = _body(np.asarray(xy, np.float64), np.asarray(visibility, np.float64))
    if body is None:
        return Posture.UNKNOWN
    tilt = _angle_from(body.shoulders - body.hips, _UP)
    if tilt <= _UPRIGHT_DEG:
        return _upright(body)
    if tilt >= _HORIZONTAL_DEG:
        return _horizontal(body)
    return Posture.UNKNOWN


class PostureTracker:
    """The posture seen lately, and whether it fits the exercise.

    Args:
        spec_posture: The exercise's posture (``supine``, ``quadruped`` ...).
        window_s: Seconds of frames the current posture is the majority of.
    """

    def __init__(self, spec_posture: str, window_s: float = 1.0) -> None:
        self.spec_posture = spec_posture
        self.window_s = window_s
        self._recent: deque[tuple[float, Posture]] = deque()
        self._fit_s = 0.0
        self._misfit_s = 0.0
        self._misfit_run_s = 0.0
        self._last_t: float | None = None
        self._seen: dict[Posture, float] = {}

    def update(self, posture: Posture, t: float, view_ok: bool = True) -> Posture:
        """Add one frame's posture; return the majority over the window.

        Args:
            posture: The posture seen in this frame.
            t: Its time in seconds.
            view_ok: Whether the camera view fits the exercise (a posture that
                only the right view tells apart is not held against it).
        """
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        self._recent.append((t, posture))
        while self._recent and t - self._recent[0][0] > self.window_s:
            self._recent.popleft()
        votes: dict[Posture, int] = {}
        for _, p in self._recent:
            if p is not Posture.UNKNOWN:
                votes[p] = votes.get(p, 0) + 1
        current = max(votes, key=lambda p: votes[p]) if votes else Posture.UNKNOWN
        fit = fits(self.spec_posture, current)
        if fit is True:
            self._fit_s += dt
            self._misfit_run_s = 0.0
        elif clearly_other(self.spec_posture, current, view_ok):
            self._misfit_s += dt
            self._misfit_run_s += dt
            self._seen[current] = self._seen.get(current, 0.0) + dt
        return current

    @property
    def fit_s(self) -> float:
        """Seconds the exercise's posture has been seen."""
        return self._fit_s

    @property
    def misfit_s(self) -> float:
        """Seconds another posture has been seen."""
        return self._misfit_s

    @property
    def misfit_run_s(self) -> float:
        """Seconds another posture has been seen without a break, until now."""
        return self._misfit_run_s

    def most_seen_misfit(self) -> Posture | None:
        """The other posture seen longest, if any."""
        if not self._seen:
            return None
        return max(self._seen, key=lambda p: self._seen[p])

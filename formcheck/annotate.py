"""Drawing: annotators that paint a :class:`~formcheck.results.FrameResult` on a frame.

Annotators never compute form: they only draw what the checker decided.
Each has ``annotate(scene, result) -> scene`` and draws in place on a BGR
``uint8`` image (returned for chaining).

Colours: green = rule passes, amber = failing but not yet reported, red =
reported fault, grey = cannot be judged from this view.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.landmarks import SKELETON_EDGES, Side
from formcheck.results import FrameResult, RuleState
from formcheck.signals import BodyContext, resolve_point
from formcheck.specs.schema import (
    AlignmentSignal,
    CombineSignal,
    ExerciseSpec,
    JointAngleSignal,
    SegmentAngleSignal,
)

Image = npt.NDArray[np.uint8]

GREEN = (80, 200, 60)
AMBER = (0, 170, 255)
RED = (40, 40, 230)
GREY = (160, 160, 160)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
BLUE = (230, 160, 40)

_ASCII = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "°": " deg",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "…": "...",
    }
)


def ascii_text(text: str) -> str:
    """Make text drawable with OpenCV's Hershey fonts (ASCII only)."""
    return text.translate(_ASCII).encode("ascii", "replace").decode("ascii")


def status_colour(state: RuleState | None) -> tuple[int, int, int]:
    """Colour for a rule state: green / amber / red / grey."""
    if state is None or state.status in ("unknown", "inactive"):
        return GREY
    if state.fault:
        return RED
    if state.status == "fail":
        return AMBER
    return GREEN


def _scale(scene: Image) -> float:
    return max(0.4, min(scene.shape[0], scene.shape[1]) / 720.0)


def _text(
    scene: Image,
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int],
    thickness: int = 1,
    background: tuple[int, int, int] | None = BLACK,
) -> tuple[int, int]:
    text = ascii_text(text)
    font = cv2.FONT_HERSHEY_SIMPLEX
    (w, h), base = cv2.getTextSize(text, font, scale, thickness)
    x, y = org
    if background is not None:
        cv2.rectangle(
            scene, (x - 3, y - h - 4), (x + w + 3, y + base + 2), background, -1
        )
    cv2.putText(scene, text, (x, y), font, scale, colour, thickness, cv2.LINE_AA)
    return w, h + base


def _wrap(text: str, max_chars: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > max_chars and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines


class BaseAnnotator(ABC):
    """Something that draws a frame result onto an image."""

    @abstractmethod
    def annotate(self, scene: Image, result: FrameResult) -> Image:
        """Draw on ``scene`` (in place) and return it."""


class SkeletonAnnotator(BaseAnnotator):
    """Draws the landmarks and bones; hidden landmarks are drawn faint or not at all.

    Args:
        min_visibility: Landmarks below this are not drawn.
    """

    def __init__(self, min_visibility: float = 0.3) -> None:
        self.min_visibility = min_visibility

    def annotate(self, scene: Image, result: FrameResult) -> Image:
        """Draw the skeleton."""
        pose = result.pose
        if not pose.has_person:
            return scene
        s = _scale(scene)
        thick = max(1, round(2 * s))
        xy, vis = pose.xy, pose.visibility
        for a, b in SKELETON_EDGES:
            if vis[a] < self.min_visibility or vis[b] < self.min_visibility:
                continue
            if not (np.isfinite(xy[a]).all() and np.isfinite(xy[b]).all()):
                continue
            cv2.line(scene, _pt(xy[a]), _pt(xy[b]), WHITE, thick, cv2.LINE_AA)
        for i in range(11, 33):
            if vis[i] < self.min_visibility or not np.isfinite(xy[i]).all():
                continue
            colour = BLUE if i % 2 == 1 else (200, 120, 255)  # left: blue, right: pink
            cv2.circle(scene, _pt(xy[i]), max(2, round(4 * s)), colour, -1, cv2.LINE_AA)
        return scene


def _pt(p: npt.ArrayLike) -> tuple[int, int]:
    arr = np.asarray(p, dtype=np.float64)
    return round(float(arr[0])), round(float(arr[1]))


class AngleAnnotator(BaseAnnotator):
    """Writes the value of each checked angle at its joint, coloured by rule state.

    Args:
        spec: The exercise spec (which signals are checked, and at which point).
    """

    def __init__(self, spec: ExerciseSpec) -> None:
        self.spec = spec
        checked: dict[str, list[str]] = {}
        for rule in spec.rules:
            if rule.scope == "frame":
                checked.setdefault(rule.signal, []).append(rule.id)
        if spec.reps is not None:
            checked.setdefault(spec.reps.signal, [])
        self._checked = checked

    def _anchor(self, name: str) -> str | None:
        sig = self.spec.signals[name]
        if isinstance(sig, JointAngleSignal):
            return sig.points[1]
        if isinstance(sig, SegmentAngleSignal):
            return sig.points[0]
        if isinstance(sig, AlignmentSignal):
            return sig.first[0]
        if isinstance(sig, CombineSignal):
            return None
        return None

    def annotate(self, scene: Image, result: FrameResult) -> Image:
        """Draw angle values at their joints."""
        pose = result.pose
        if not pose.has_person:
            return scene
        near = result.near_side or Side.LEFT
        work = result.work_side or near
        ctx = BodyContext(near=near, work=work, min_visibility=self.spec.min_visibility)
        states = {r.rule_id: r for r in result.rules}
        s = _scale(scene)
        used: list[tuple[int, int]] = []
        for name, rule_ids in self._checked.items():
            anchor = self._anchor(name)
            value = result.signals.get(name, math.nan)
            if anchor is None or not math.isfinite(value):
                continue
            p = resolve_point(pose, anchor, ctx)
            if not np.isfinite(p).all():
                continue
            rule_states = [states[i] for i in rule_ids if i in states]
            worst = None
            for st in rule_states:
                if worst is None or _rank(st) > _rank(worst):
                    worst = st
            colour = status_colour(worst) if rule_states else WHITE
            x, y = _pt(p)
            y_off = 0
            while any(
                abs(x - ux) < 60 * s and abs(y + y_off - uy) < 22 * s for ux, uy in used
            ):
                y_off += int(24 * s)
            used.append((x, y + y_off))
            _text(
                scene,
                f"{value:.0f}",
                (x + int(10 * s), y + y_off - int(8 * s)),
                0.6 * s,
                colour,
                max(1, round(2 * s)),
            )
        return scene


def _rank(state: RuleState) -> int:
    if state.fault:
        return 3
    if state.status == "fail":
        return 2
    if state.status == "pass":
        return 1
    return 0


class PanelAnnotator(BaseAnnotator):
    """Draws the counters, hold timer, rule lights and the current cue.

    Args:
        spec: The exercise spec (for names and targets).
    """

    def __init__(self, spec: ExerciseSpec) -> None:
        self.spec = spec

    def annotate(self, scene: Image, result: FrameResult) -> Image:
        """Draw the panel and the cue banner."""
        s = _scale(scene)
        fs = 0.55 * s
        th = max(1, round(1.5 * s))
        x, y = int(10 * s), int(28 * s)
        step = int(26 * s)
        _text(scene, self.spec.name, (x, y), fs, WHITE, th)
        y += step
        for tally in result.tallies:
            label = "Reps" if tally.side is None else f"  {tally.side}"
            target = (
                f"/{self.spec.reps.target_reps}"
                if self.spec.reps and tally.side is None
                else ""
            )
            line = f"{label}: {tally.counted}{target}  ok {tally.correct}  faulty {tally.incorrect}"
            _text(scene, line, (x, y), fs, WHITE, th)
            y += step
        if result.hold is not None:
            h = result.hold
            colour = (
                GREEN
                if h.status == "holding"
                else (AMBER if h.status in ("paused", "grace") else GREY)
            )
            _text(
                scene,
                f"Hold: {h.held_s:4.1f} s / {h.target_s:.0f} s  ({h.status})",
                (x, y),
                fs,
                colour,
                th,
            )
            bar_w = int(220 * s)
            frac = min(1.0, h.held_s / h.target_s) if h.target_s > 0 else 0.0
            cv2.rectangle(
                scene, (x, y + int(8 * s)), (x + bar_w, y + int(18 * s)), GREY, 1
            )
            cv2.rectangle(
                scene,
                (x, y + int(8 * s)),
                (x + int(bar_w * frac), y + int(18 * s)),
                colour,
                -1,
            )
            mark = x + int(bar_w * min(1.0, h.min_s / h.target_s))
            cv2.line(scene, (mark, y + int(5 * s)), (mark, y + int(21 * s)), WHITE, 1)
            y += step + int(14 * s)
        _text(scene, f"Phase: {result.phase}", (x, y), fs * 0.9, GREY, th)
        y += step
        for state in result.rules:
            if state.status == "inactive":
                continue
            colour = status_colour(state)
            cv2.circle(
                scene,
                (x + int(6 * s), y - int(6 * s)),
                max(3, int(6 * s)),
                colour,
                -1,
                cv2.LINE_AA,
            )
            label = state.rule_id.replace("_", " ")
            _text(scene, label, (x + int(18 * s), y), fs * 0.85, colour, th)
            y += int(22 * s)
        if result.cue is not None:
            cue = result.cue
            colour = (
                RED
                if cue.severity in ("stop", "warn") and cue.kind != "tip"
                else (AMBER if cue.kind in ("setup", "fault") else BLUE)
            )
            width_chars = max(20, int(scene.shape[1] / (11 * s)))
            lines = _wrap(ascii_text(cue.text), width_chars)
            line_h = int(30 * s)
            top = scene.shape[0] - line_h * len(lines) - int(12 * s)
            cv2.rectangle(
                scene,
                (0, top - int(6 * s)),
                (scene.shape[1], scene.shape[0]),
                colour,
                -1,
            )
            for i, line in enumerate(lines):
                _text(
                    scene,
                    line,
                    (int(12 * s), top + line_h * (i + 1) - int(8 * s)),
                    0.7 * s,
                    WHITE,
                    max(1, round(2 * s)),
                    None,
                )
        return scene


class ResultAnnotator(BaseAnnotator):
    """Skeleton, angles and panel together: the standard overlay."""

    def __init__(self, spec: ExerciseSpec) -> None:
        self.parts: list[BaseAnnotator] = [
            SkeletonAnnotator(),
            AngleAnnotator(spec),
            PanelAnnotator(spec),
        ]

    def annotate(self, scene: Image, result: FrameResult) -> Image:
        """Draw every part."""
        for part in self.parts:
            scene = part.annotate(scene, result)
        return scene

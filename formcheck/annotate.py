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

from formcheck import messages
from formcheck.annotate_text import BLACK, WHITE, ascii_text, put_text, wrap_text
from formcheck.landmarks import SKELETON_EDGES, Side
from formcheck.results import FrameResult, HoldState, HoldStatus, RuleState
from formcheck.signals import BodyContext, resolve_point
from formcheck.specs.schema import CombineSignal, ExerciseSpec

Image = npt.NDArray[np.uint8]

GREEN = (80, 200, 60)
AMBER = (0, 170, 255)
RED = (40, 40, 230)
GREY = (160, 160, 160)
BLUE = (230, 160, 40)


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


#: Longest signal name drawn next to a joint (longer labels are cut).
LABEL_CHARS = 16


class AngleAnnotator(BaseAnnotator):
    """Writes each checked angle at its joint, named and in degrees ("knee 84°").

    The name is the signal's plain label (:meth:`ExerciseSpec.signal_label`),
    cut to :data:`LABEL_CHARS`; the colour is the worst state of the rules that
    check it. Only angles are drawn (lengths have no joint to sit at).

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
        self._labels = {name: self.label(name) for name in checked}

    def label(self, name: str) -> str:
        """The short name drawn for a signal, e.g. ``hip extension``."""
        text = self.spec.signal_label(name)
        return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "."

    def _anchor(self, name: str) -> str | None:
        sig = self.spec.signals[name]
        if sig.unit() != "deg" or isinstance(sig, CombineSignal):
            return None
        return sig.anchor()

    def annotate(self, scene: Image, result: FrameResult) -> Image:
        """Draw the named angle values at their joints."""
        pose = result.pose
        if not pose.has_person:
            return scene
        near = result.near_side or Side.LEFT
        work = result.work_side or near
        ctx = BodyContext(near=near, work=work, min_visibility=self.spec.min_visibility)
        states = {r.rule_id: r for r in result.rules}
        s = _scale(scene)
        used: list[tuple[int, int, int]] = []
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
            text = f"{self._labels[name]} {value:.0f}°"
            jx, y = _pt(p)
            thick = max(1, round(1.6 * s))
            width = cv2.getTextSize(
                ascii_text(text), cv2.FONT_HERSHEY_SIMPLEX, 0.6 * s, thick
            )[0][0] + int(8 * s)
            x = jx + int(10 * s)
            if x + width > scene.shape[1]:  # no room on the right: the left side
                x = max(0, jx - int(10 * s) - width)
            y -= int(8 * s)
            while any(
                abs(y - uy) < 24 * s and x < ux + uw and ux < x + width
                for ux, uy, uw in used
            ):
                y += int(26 * s)
            used.append((x, y, width))
            put_text(scene, text, (x, y), 0.6 * s, colour, thick)
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

    def _count_lines(self, result: FrameResult) -> list[str]:
        """Reps (correct, with a fault) per side; paced reps; nothing for holds."""
        spec = self.spec
        if spec.kind == "hold":
            return []
        if spec.kind == "guided":
            total = result.total_reps
            target = f" of {spec.guided.target_reps}" if spec.guided else ""
            return [f"Paced reps: {total}{target}"]
        lines = []
        for tally in result.tallies:
            if tally.side is None:
                target = f" of {spec.reps.target_reps}" if spec.reps else ""
                head = f"Reps: {tally.counted}{target}"
            else:
                head = f"  {tally.side}: {tally.counted}"
            lines.append(
                f"{head}  correct {tally.correct}  with a fault {tally.incorrect}"
            )
        return lines

    def _hold(self, scene: Image, h: HoldState, xy: tuple[int, int], s: float) -> int:
        """The hold timer: seconds held of the target, in plain words, and a bar."""
        x, y = xy
        fs, th = 0.55 * s, max(1, round(1.5 * s))
        if h.status is HoldStatus.HOLDING:
            colour = GREEN
        elif h.status in (HoldStatus.PAUSED, HoldStatus.GRACE):
            colour = AMBER
        else:
            colour = GREY
        status = messages.hold_status_text(h.status, short=True)
        put_text(
            scene,
            f"Hold: {h.held_s:.0f} of {h.target_s:.0f} s, {status}",
            (x, y),
            fs,
            colour,
            th,
        )
        bar_w = int(220 * s)
        frac = min(1.0, h.held_s / h.target_s) if h.target_s > 0 else 0.0
        top, bottom = y + int(8 * s), y + int(18 * s)
        cv2.rectangle(scene, (x, top), (x + bar_w, bottom), GREY, 1)
        cv2.rectangle(scene, (x, top), (x + int(bar_w * frac), bottom), colour, -1)
        mark = x + int(bar_w * min(1.0, h.min_s / h.target_s)) if h.target_s else x
        cv2.line(scene, (mark, y + int(5 * s)), (mark, y + int(21 * s)), WHITE, 1)
        return y

    def annotate(self, scene: Image, result: FrameResult) -> Image:
        """Draw the panel and the cue banner."""
        s = _scale(scene)
        fs = 0.55 * s
        th = max(1, round(1.5 * s))
        x, y = int(10 * s), int(28 * s)
        step = int(26 * s)
        put_text(scene, self.spec.name, (x, y), fs, WHITE, th)
        y += step
        for line in self._count_lines(result):
            put_text(scene, line, (x, y), fs, WHITE, th)
            y += step
        if result.hold is not None:
            y = self._hold(scene, result.hold, (x, y), s) + step + int(14 * s)
        if self.spec.kind != "hold":
            text = messages.movement_phase_text(result.phase)
            put_text(scene, f"Now: {text}", (x, y), fs * 0.9, GREY, th)
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
            put_text(scene, label, (x + int(18 * s), y), fs * 0.85, colour, th)
            y += int(22 * s)
        if result.cue is not None:
            cue = result.cue
            colour = (
                RED
                if cue.severity in ("stop", "warn") and cue.kind != "tip"
                else (AMBER if cue.kind in ("setup", "fault") else BLUE)
            )
            thick = max(1, round(2 * s))
            margin = int(12 * s)
            lines = wrap_text(
                ascii_text(cue.text), scene.shape[1] - 2 * margin, 0.7 * s, thick
            )
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
                put_text(
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


def draw_banner(scene: Image, title: str, lines: list[str]) -> Image:
    """Draw a large title and a few lines on a dark band across the frame.

    Used between exercises (a rest countdown, a timed step, a pause), when
    there is no frame result to draw: big enough to read from a mat two
    metres away. Draws in place and returns ``scene``.

    Args:
        scene: ``(H, W, 3)`` uint8 BGR image.
        title: The big line, e.g. ``Rest 12 s``.
        lines: Smaller lines below it (wrapped to the frame's width).
    """
    s = _scale(scene)
    height, width = scene.shape[:2]
    title_scale = 1.4 * s
    line_scale = 0.6 * s
    x = int(16 * s)
    thick = max(1, round(1.5 * s))
    wrapped = [
        w
        for line in lines
        for w in wrap_text(ascii_text(line), width - 2 * x, line_scale, thick)
    ]
    line_h = int(28 * s)
    title_h = int(56 * s)
    band_h = title_h + line_h * len(wrapped) + int(24 * s)
    top = max(0, (height - band_h) // 2)
    overlay = scene.copy()
    cv2.rectangle(overlay, (0, top), (width, top + band_h), BLACK, -1)
    cv2.addWeighted(overlay, 0.7, scene, 0.3, 0, dst=scene)
    put_text(
        scene,
        title,
        (x, top + title_h - int(10 * s)),
        title_scale,
        WHITE,
        max(2, round(3 * s)),
        None,
    )
    y = top + title_h + line_h - int(6 * s)
    for line in wrapped:
        put_text(scene, line, (x, y), line_scale, WHITE, thick, None)
        y += line_h
    return scene

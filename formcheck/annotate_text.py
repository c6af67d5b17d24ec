"""Text on annotated frames: OpenCV's Hershey font, a ring for ``°``, solid boxes.

Text on a solid box does not depend on the picture under it, so it is drawn
once and pasted after that (antialiased text is slow to draw, and the same
labels come back on every frame of a video).
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)

_ASCII = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "°": " deg",  # _text draws a ring instead
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


def _degree_sign(
    scene: Image, xy: tuple[int, int], h: int, colour: tuple[int, int, int], th: int
) -> int:
    """Draw a small ring as a degree sign (Hershey fonts have none); its width."""
    r = max(2, round(h * 0.18))
    cv2.circle(scene, (xy[0] + r + 1, xy[1] - h + r), r, colour, th, cv2.LINE_AA)
    return 2 * r + 3


def put_text(
    scene: Image,
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int],
    thickness: int = 1,
    background: tuple[int, int, int] | None = BLACK,
) -> tuple[int, int]:
    """Draw text, a ``°`` as a ring; returns its width and height.

    The text sits on a solid box of ``background``, or straight on the
    picture with ``background=None``.
    """
    if background is None:
        return _draw_text(scene, text, org, scale, colour, thickness)
    patch, w, h, base = _text_patch(text, scale, colour, thickness, background)
    x0, y0 = org[0] - _PAD_X, org[1] - h - _PAD_TOP
    _paste(scene, patch, x0, y0)
    return w, h + base


#: The solid box around text: pixels left/right of it, above and below it.
_PAD_X, _PAD_TOP, _PAD_BOTTOM = 3, 4, 2


def _text_size(text: str, scale: float, thickness: int) -> tuple[int, int, int]:
    """Width, height above the baseline and depth below it of ``text``."""
    pieces = _text_pieces(text, scale, thickness)
    h = max(size[1] for _, size, _ in pieces)
    base = max(depth for _, _, depth in pieces)
    ring_w = 2 * max(2, round(h * 0.18)) + 3
    w = sum(size[0] for _, size, _ in pieces) + ring_w * (len(pieces) - 1)
    return w, h, base


def _text_pieces(
    text: str, scale: float, thickness: int
) -> list[tuple[str, tuple[int, int], int]]:
    """The pieces of ``text`` between degree signs, with their sizes and depths."""
    font = cv2.FONT_HERSHEY_SIMPLEX
    out = []
    for piece in (ascii_text(p) for p in text.split("°")):
        size, depth = cv2.getTextSize(piece, font, scale, thickness)
        out.append((piece, (int(size[0]), int(size[1])), int(depth)))
    return out


@functools.lru_cache(maxsize=1024)
def _text_patch(
    text: str,
    scale: float,
    colour: tuple[int, int, int],
    thickness: int,
    background: tuple[int, int, int],
) -> tuple[Image, int, int, int]:
    """``text`` drawn on its solid box, once; with its width, height and depth."""
    w, h, base = _text_size(text, scale, thickness)
    patch = np.empty(
        (h + base + _PAD_TOP + _PAD_BOTTOM + 1, w + 2 * _PAD_X + 1, 3), np.uint8
    )
    patch[:] = background
    _draw_text(patch, text, (_PAD_X, h + _PAD_TOP), scale, colour, thickness)
    patch.flags.writeable = False
    return patch, w, h, base


def _paste(scene: Image, patch: Image, x0: int, y0: int) -> None:
    """Copy ``patch`` onto ``scene`` with its top-left at (x0, y0), clipped."""
    height, width = scene.shape[:2]
    ph, pw = patch.shape[:2]
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(width, x0 + pw), min(height, y0 + ph)
    if sx1 > sx0 and sy1 > sy0:
        scene[sy0:sy1, sx0:sx1] = patch[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0]


def _draw_text(
    scene: Image,
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int],
    thickness: int,
) -> tuple[int, int]:
    """Draw text straight onto ``scene``; returns its width and height."""
    w, h, base = _text_size(text, scale, thickness)
    x, y = org
    pieces = _text_pieces(text, scale, thickness)
    for i, (piece, size, _) in enumerate(pieces):
        if piece:
            cv2.putText(
                scene,
                piece,
                (x, y),
                cv2.FONT_HERSHEY_SIMPLEX,
                scale,
                colour,
                thickness,
                cv2.LINE_AA,
            )
        x += size[0]
        if i < len(pieces) - 1:
            x += _degree_sign(scene, (x, y), h, colour, thickness)
    return w, h + base


def wrap_text(text: str, max_px: int, scale: float, thickness: int) -> list[str]:
    """Split ``text`` into lines that fit ``max_px`` pixels in the Hershey font."""
    font = cv2.FONT_HERSHEY_SIMPLEX

    def fits(candidate: str) -> bool:
        return cv2.getTextSize(candidate, font, scale, thickness)[0][0] <= max_px

    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if line and not fits(candidate):
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines

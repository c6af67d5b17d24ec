"""Text on the annotated video: drawn once on its box, pasted after that."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck import annotate_text as annotate
from formcheck.annotate_text import BLACK, WHITE


def _direct(scene: np.ndarray, text: str, org: tuple[int, int], scale: float) -> None:
    """What the box and text look like drawn straight onto the picture."""
    import cv2

    w, h, base = annotate._text_size(text, scale, 2)
    x, y = org
    cv2.rectangle(scene, (x - 3, y - h - 4), (x + w + 3, y + base + 2), BLACK, -1)
    annotate._draw_text(scene, text, org, scale, WHITE, 2)


@pytest.mark.parametrize("text", ["Knee 92°", "Keep your hips level.", "Hold 12 s"])
def test_pasted_text_looks_as_drawn(text: str) -> None:
    rng = np.random.default_rng(1)
    picture = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    pasted, drawn = picture.copy(), picture.copy()
    size = annotate.put_text(pasted, text, (40, 200), 0.8, WHITE, 2)
    _direct(drawn, text, (40, 200), 0.8)
    assert np.array_equal(pasted, drawn)
    assert size[0] > 0 and size[1] > 0


def test_text_at_the_edge_is_clipped_not_an_error() -> None:
    picture = np.zeros((120, 160, 3), dtype=np.uint8)
    for org in [(-30, 5), (150, 118), (0, 0), (500, 500)]:
        annotate.put_text(picture, "Slow down: take at least 2 s", org, 0.7, WHITE, 2)
    assert picture.any()


def test_the_same_text_is_drawn_once() -> None:
    annotate._text_patch.cache_clear()
    picture = np.zeros((200, 300, 3), dtype=np.uint8)
    for _ in range(50):
        annotate.put_text(picture, "Now: rest", (10, 40), 0.6, WHITE, 1)
    info = annotate._text_patch.cache_info()
    assert (info.misses, info.hits) == (1, 49)

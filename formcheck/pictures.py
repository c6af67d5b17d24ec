"""The pictures of each exercise: start position, end position, camera placement.

The pictures are drawn by the project's own mannequin renderer
(:mod:`formcheck.synth.pictures`, ``formcheck pictures``) and checked in next
to the specs, in ``pose_specs/pictures/`` (shipped in the wheel with the specs).
This module only knows where they are and what they show, so the app can find
them without importing the renderer.

Example:
    >>> spec = load_spec("glute_bridge")  # doctest: +SKIP
    >>> [p.kind.value for p in exercise_pictures(spec)]  # doctest: +SKIP
    ['start', 'end', 'camera']
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from formcheck.specs import builtin_spec_dir
from formcheck.specs.schema import ExerciseSpec

#: File format of the pictures (small lossy WebP; every browser shows it).
PICTURE_SUFFIX = ".webp"
#: Size of every picture in pixels.
PICTURE_SIZE_WH = (360, 270)


class PictureKind(enum.StrEnum):
    """What a picture shows."""

    START = "start"
    END = "end"
    CAMERA = "camera"


@dataclass(frozen=True)
class ExercisePicture:
    """One picture of an exercise.

    Attributes:
        kind: What it shows.
        path: The image file.
        caption: One sentence saying what it shows (also its alt text).
    """

    kind: PictureKind
    path: Path
    caption: str


def pictures_dir() -> Path:
    """The folder of the bundled pictures (``pose_specs/pictures``)."""
    return builtin_spec_dir() / "pictures"


def picture_path(
    exercise_id: str, kind: PictureKind, folder: Path | None = None
) -> Path:
    """Where the picture of ``kind`` for an exercise lives.

    Args:
        exercise_id: The spec id.
        kind: Which picture.
        folder: Picture folder (default: :func:`pictures_dir`).

    Returns:
        ``<folder>/<exercise_id>.<kind><PICTURE_SUFFIX>``.
    """
    return (folder or pictures_dir()) / f"{exercise_id}.{kind.value}{PICTURE_SUFFIX}"


def _range(values: tuple[float, float], unit: str) -> str:
    low, high = values
    return f"{low:g} {unit}" if low == high else f"{low:g}–{high:g} {unit}"


def _view_words(view: str) -> str:
    return {
        "side": "from the side",
        "front": "from the front",
        "back": "from behind",
        "feet_end": "from the feet end",
        "head_end": "from the head end",
    }.get(view, f"from the {view.replace('_', ' ')}")


def picture_caption(spec: ExerciseSpec, kind: PictureKind) -> str:
    """The caption (and alt text) of one picture of ``spec``.

    Args:
        spec: The exercise.
        kind: Which picture.

    Returns:
        One plain sentence.
    """
    seen = _view_words(spec.camera.view)
    if kind is PictureKind.START:
        return f"{spec.name}: the start position, as the camera sees it {seen}."
    if kind is PictureKind.END:
        what = "the held position" if spec.kind == "hold" else "the end position"
        return f"{spec.name}: {what}, as the camera sees it {seen}."
    return (
        f"{spec.name}: where to put the camera, seen from above. Film {seen}, "
        f"{_range(spec.camera.distance_m, 'm')} away, with the camera "
        f"{_range(spec.camera.height_m, 'm')} above the floor."
    )


def exercise_pictures(
    spec: ExerciseSpec, folder: Path | None = None
) -> tuple[ExercisePicture, ...]:
    """The pictures of an exercise that exist, in start, end, camera order.

    Args:
        spec: The exercise.
        folder: Picture folder (default: :func:`pictures_dir`).

    Returns:
        The pictures found (none for an exercise without pictures, e.g. a
        spec written by hand that the mannequin cannot perform).
    """
    found = []
    for kind in PictureKind:
        path = picture_path(spec.id, kind, folder)
        if path.is_file():
            found.append(ExercisePicture(kind, path, picture_caption(spec, kind)))
    return tuple(found)

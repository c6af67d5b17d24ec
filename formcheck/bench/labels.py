"""What a benchmark clip contains: labels, and reading a labels file.

The labels file format is described in :mod:`formcheck.bench`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml

from formcheck.errors import InputError
from formcheck.landmarks import Side


@dataclass
class FaultLabel:
    """A fault that happens in a clip, with when."""

    rule: str
    start_s: float
    end_s: float
    side: str | None = None


@dataclass
class ClipLabel:
    """What a clip contains."""

    path: Path
    exercise: str
    view: str
    source: str  # "generated" or "real"
    reps: int | None = None
    reps_per_side: dict[str, int] | None = None
    holds_s: list[float] | None = None
    faults: list[FaultLabel] = field(default_factory=list)
    clean_reps: list[tuple[float, float]] = field(default_factory=list)
    confidence: str = "exact"
    side: Side | None = None
    truth_landmarks_px: npt.NDArray[np.float64] | None = (
        None  # (T, 33, 2) for angle error
    )
    note: str = ""


def _resolve(base: Path, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else (base / p).resolve()


def load_labels(path: str | Path, videos: str | Path | None = None) -> list[ClipLabel]:
    """Read a labels file.

    Args:
        path: The YAML labels file.
        videos: Folder of the clips (overrides the file's ``videos``).

    Raises:
        InputError: If the file is missing or malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such labels file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != "formcheck-bench-labels":
        raise InputError(f"{path}: not a formcheck benchmark labels file")
    folder = (
        Path(videos) if videos else _resolve(path.parent, str(data.get("videos", ".")))
    )
    labels = []
    for i, clip in enumerate(data.get("clips") or []):
        try:
            labels.append(
                ClipLabel(
                    path=folder / clip["file"],
                    exercise=clip["exercise"],
                    view=clip.get("view", "side"),
                    source="real",
                    reps=clip.get("reps"),
                    reps_per_side=clip.get("reps_per_side"),
                    holds_s=clip.get("holds_s"),
                    faults=[FaultLabel(**f) for f in clip.get("faults") or []],
                    confidence=str(clip.get("confidence", "unknown")),
                    side=clip.get("side"),
                    note=clip.get("note", ""),
                )
            )
        except (KeyError, TypeError) as exc:
            raise InputError(
                f"{path}: clips.{i}: missing or bad field ({exc})"
            ) from None
    return labels

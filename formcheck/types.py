"""Core data types: one pose per frame, and a recorded sequence of them.

Shapes use K = 33 landmarks and T = frames. The subject is always a single
person: a physiotherapy session has one subject, so there is no people axis.
"""

from __future__ import annotations

import functools
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.errors import InputError
from formcheck.fileio import atomic_open
from formcheck.landmarks import NUM_LANDMARKS

FloatArray = npt.NDArray[np.float32]


def _check_shape(name: str, array: npt.NDArray[Any], shape: tuple[int, ...]) -> None:
    if array.shape != shape:
        raise ValueError(
            f"`{name}` must have shape {shape}, but got shape {array.shape}"
        )


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """The pose found in one video frame.

    Attributes:
        xy: float32 ``(33, 2)`` landmark positions in **pixels** (x right, y
            down). NaN where there is no person.
        visibility: float32 ``(33,)`` likelihood in [0, 1] that each landmark is
            visible (present and not occluded). Zero where there is no person.
        xyz_world: float32 ``(33, 3)`` metric world coordinates (origin between
            the hips) or ``None`` when the backend gives none.
        timestamp_ms: Time of the frame from the start of the video or stream.
        frame_index: Index of the frame in its source.
        resolution_wh: Image size ``(width, height)`` in pixels.
        num_people: How many people are in view (0, 1, or more).
        others_xy: float32 ``(P, 33, 2)`` pixels of the other people in view
            (everyone but the tracked person), or ``None`` when there are none
            or the backend cannot tell.
        others_visibility: float32 ``(P, 33)``, with ``others_xy``.

    Example:
        >>> frame = PoseFrame.empty(timestamp_ms=0, frame_index=0, resolution_wh=(640, 480))
        >>> frame.has_person
        False
    """

    xy: FloatArray
    visibility: FloatArray
    timestamp_ms: float
    frame_index: int
    resolution_wh: tuple[int, int]
    xyz_world: FloatArray | None = None
    num_people: int = 1
    others_xy: FloatArray | None = None
    others_visibility: FloatArray | None = None

    def __post_init__(self) -> None:
        _check_shape("xy", self.xy, (NUM_LANDMARKS, 2))
        _check_shape("visibility", self.visibility, (NUM_LANDMARKS,))
        if self.xyz_world is not None:
            _check_shape("xyz_world", self.xyz_world, (NUM_LANDMARKS, 3))
        if (self.others_xy is None) != (self.others_visibility is None):
            raise ValueError(
                "`others_xy` and `others_visibility` must be given together"
            )
        if self.others_xy is not None and self.others_visibility is not None:
            people = self.others_xy.shape[0]
            _check_shape("others_xy", self.others_xy, (people, NUM_LANDMARKS, 2))
            _check_shape(
                "others_visibility", self.others_visibility, (people, NUM_LANDMARKS)
            )
        width, height = self.resolution_wh
        if width <= 0 or height <= 0:
            raise ValueError(
                f"`resolution_wh` must be positive, but got {self.resolution_wh}"
            )

    @classmethod
    def empty(
        cls, timestamp_ms: float, frame_index: int, resolution_wh: tuple[int, int]
    ) -> PoseFrame:
        """Return the explicit "no person" value (never ``None``)."""
        return cls(
            xy=np.full((NUM_LANDMARKS, 2), np.nan, dtype=np.float32),
            visibility=np.zeros(NUM_LANDMARKS, dtype=np.float32),
            timestamp_ms=timestamp_ms,
            frame_index=frame_index,
            resolution_wh=resolution_wh,
            xyz_world=None,
            num_people=0,
        )

    @functools.cached_property
    def as_lists(self) -> tuple[list[list[float]], list[float]]:
        """``(xy, visibility)`` as Python lists, for fast per-landmark access."""
        return self.xy.tolist(), self.visibility.tolist()

    @property
    def has_person(self) -> bool:
        """Whether a person was found in this frame."""
        return self.num_people > 0 and bool(np.isfinite(self.xy).any())

    def point(self, index: int, min_visibility: float = 0.0) -> FloatArray:
        """Return one landmark's pixel position, NaN if below ``min_visibility``."""
        if self.visibility[index] < min_visibility:
            return np.full(2, np.nan, dtype=np.float32)
        point: FloatArray = self.xy[index]
        return point


def _stack_others(
    frames: list[PoseFrame],
) -> tuple[FloatArray | None, FloatArray | None]:
    """The other people of every frame as NaN-padded ``(T, M, ...)`` arrays."""
    most = max((len(f.others_xy) for f in frames if f.others_xy is not None), default=0)
    if most == 0:
        return None, None
    xy = np.full((len(frames), most, NUM_LANDMARKS, 2), np.nan, dtype=np.float32)
    vis = np.zeros((len(frames), most, NUM_LANDMARKS), dtype=np.float32)
    for i, f in enumerate(frames):
        if f.others_xy is not None and f.others_visibility is not None:
            n = len(f.others_xy)
            xy[i, :n] = f.others_xy
            vis[i, :n] = f.others_visibility
    return xy, vis


@dataclass(eq=False)
class PoseSequence:
    """Poses of a whole video, as arrays (the format ``--save-landmarks`` writes).

    Attributes:
        xy: float32 ``(T, 33, 2)`` pixels, NaN where no person.
        visibility: float32 ``(T, 33)``.
        timestamps_ms: float64 ``(T,)``.
        resolution_wh: ``(width, height)``.
        fps: Frame rate of the source.
        num_people: int16 ``(T,)`` people reported per frame.
        xyz_world: float32 ``(T, 33, 3)`` or ``None``.
        source: Where the poses came from (a video path), for reports.
        others_xy: float32 ``(T, M, 33, 2)`` the other people in view, padded
            with NaN (``M`` = most others in one frame), or ``None``.
        others_visibility: float32 ``(T, M, 33)``, zero where padded.
    """

    xy: FloatArray
    visibility: FloatArray
    timestamps_ms: npt.NDArray[np.float64]
    resolution_wh: tuple[int, int]
    fps: float
    num_people: npt.NDArray[np.int16] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int16)
    )
    xyz_world: FloatArray | None = None
    source: str = ""
    others_xy: FloatArray | None = None
    others_visibility: FloatArray | None = None

    def __post_init__(self) -> None:
        t = self.xy.shape[0]
        if (self.others_xy is None) != (self.others_visibility is None):
            raise ValueError(
                "`others_xy` and `others_visibility` must be given together"
            )
        if self.others_xy is not None and self.others_visibility is not None:
            m = self.others_xy.shape[1] if self.others_xy.ndim == 4 else -1
            _check_shape("others_xy", self.others_xy, (t, m, NUM_LANDMARKS, 2))
            _check_shape(
                "others_visibility", self.others_visibility, (t, m, NUM_LANDMARKS)
            )
        _check_shape("xy", self.xy, (t, NUM_LANDMARKS, 2))
        _check_shape("visibility", self.visibility, (t, NUM_LANDMARKS))
        _check_shape("timestamps_ms", self.timestamps_ms, (t,))
        if self.num_people.shape[0] == 0 and t > 0:
            people = np.isfinite(self.xy[:, :, 0]).any(axis=1).astype(np.int16)
            object.__setattr__(self, "num_people", people)
        _check_shape("num_people", self.num_people, (t,))
        if self.xyz_world is not None:
            _check_shape("xyz_world", self.xyz_world, (t, NUM_LANDMARKS, 3))
        width, height = self.resolution_wh
        if width <= 0 or height <= 0:
            raise ValueError(
                f"`resolution_wh` must be positive, but got {self.resolution_wh}"
            )
        # NaN times or rates cannot be written to a session record (JSON has
        # no NaN), so they are refused where they come in.
        if not math.isfinite(self.fps) or self.fps < 0:
            raise ValueError(
                f"`fps` must be a finite number >= 0, but got {self.fps!r}"
            )
        finite = np.isfinite(self.timestamps_ms)
        if not finite.all():
            bad = int(np.flatnonzero(~finite)[0])
            raise ValueError(
                "`timestamps_ms` must be finite, but got "
                f"{self.timestamps_ms[bad]!r} at frame {bad}"
            )

    def __len__(self) -> int:
        return int(self.xy.shape[0])

    def __getitem__(self, index: int) -> PoseFrame:
        if self.num_people[index] == 0:
            return PoseFrame.empty(
                float(self.timestamps_ms[index]), index, self.resolution_wh
            )
        others_xy = others_vis = None
        if self.others_xy is not None and self.others_visibility is not None:
            present = (self.others_visibility[index] > 0).any(axis=1)
            if present.any():
                others_xy = self.others_xy[index][present]
                others_vis = self.others_visibility[index][present]
        return PoseFrame(
            xy=self.xy[index],
            visibility=self.visibility[index],
            timestamp_ms=float(self.timestamps_ms[index]),
            frame_index=index,
            resolution_wh=self.resolution_wh,
            xyz_world=None if self.xyz_world is None else self.xyz_world[index],
            num_people=int(self.num_people[index]),
            others_xy=others_xy,
            others_visibility=others_vis,
        )

    @classmethod
    def from_frames(
        cls, frames: list[PoseFrame], fps: float, source: str = ""
    ) -> PoseSequence:
        """Stack per-frame poses into a sequence.

        Raises:
            ValueError: If ``frames`` is empty.
        """
        if not frames:
            raise ValueError("`frames` must hold at least one PoseFrame, but got none")
        has_world = any(f.xyz_world is not None for f in frames)
        world = None
        if has_world:
            world = np.stack(
                [
                    f.xyz_world
                    if f.xyz_world is not None
                    else np.full((NUM_LANDMARKS, 3), np.nan, np.float32)
                    for f in frames
                ]
            ).astype(np.float32)
        others_xy, others_vis = _stack_others(frames)
        return cls(
            xy=np.stack([f.xy for f in frames]).astype(np.float32),
            visibility=np.stack([f.visibility for f in frames]).astype(np.float32),
            timestamps_ms=np.array([f.timestamp_ms for f in frames], dtype=np.float64),
            resolution_wh=frames[0].resolution_wh,
            fps=fps,
            num_people=np.array([f.num_people for f in frames], dtype=np.int16),
            xyz_world=world,
            source=source,
            others_xy=others_xy,
            others_visibility=others_vis,
        )

    def save_npz(self, path: str | Path) -> None:
        """Write the sequence to a compressed ``.npz`` file (atomically).

        Raises:
            OSError: If the file cannot be written (``path`` is unchanged).
        """
        arrays: dict[str, npt.NDArray[Any]] = {
            "format": np.array("formcheck-landmarks-1"),
            "xy": self.xy,
            "visibility": self.visibility,
            "timestamps_ms": self.timestamps_ms,
            "resolution_wh": np.array(self.resolution_wh, dtype=np.int32),
            "fps": np.array(self.fps, dtype=np.float64),
            "num_people": self.num_people,
            "source": np.array(self.source),
        }
        if self.xyz_world is not None:
            arrays["xyz_world"] = self.xyz_world
        if self.others_xy is not None and self.others_visibility is not None:
            arrays["others_xy"] = self.others_xy
            arrays["others_visibility"] = self.others_visibility
        with atomic_open(Path(path)) as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load_npz(cls, path: str | Path) -> PoseSequence:
        """Read a sequence written by :meth:`save_npz`.

        Raises:
            InputError: If the file is missing or not a formcheck landmark file.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such landmark file")
        try:
            with np.load(path, allow_pickle=False) as data:
                if (
                    "format" not in data
                    or str(data["format"]) != "formcheck-landmarks-1"
                ):
                    raise InputError(f"{path}: not a formcheck landmark file")
                return cls(
                    xy=data["xy"].astype(np.float32),
                    visibility=data["visibility"].astype(np.float32),
                    timestamps_ms=data["timestamps_ms"].astype(np.float64),
                    resolution_wh=(
                        int(data["resolution_wh"][0]),
                        int(data["resolution_wh"][1]),
                    ),
                    fps=float(data["fps"]),
                    num_people=data["num_people"].astype(np.int16),
                    xyz_world=(
                        data["xyz_world"].astype(np.float32)
                        if "xyz_world" in data
                        else None
                    ),
                    source=str(data["source"]),
                    others_xy=(
                        data["others_xy"].astype(np.float32)
                        if "others_xy" in data
                        else None
                    ),
                    others_visibility=(
                        data["others_visibility"].astype(np.float32)
                        if "others_visibility" in data
                        else None
                    ),
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"{path}: cannot read landmark file ({exc})") from exc

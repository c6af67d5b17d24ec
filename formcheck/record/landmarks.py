"""The landmarks of a session, compactly encoded inside its record.

A session record carries, per frame, the 33 image landmarks (x, y and
visibility), the number of people seen and the frame's time, so that a
therapist can replay the movement as a skeleton and formcheck can re-run its
checks on it later (with other limits). It is still **no video**: a few
numbers per joint and frame.

Encoding (``formcheck-landmarks-q1``), chosen to stay well under 10 KB per
second of exercise at 30 fps:

* x and y are divided by the image width and height and quantised to
  1/:data:`XY_STEPS` (int16; about 0.2 px on a 1080p frame; points up to
  four frame sizes outside the picture are kept); a missing point is
  :data:`MISSING`;
* visibility is quantised to 1/255 (uint8);
* time is kept to 0.1 ms (int32 differences);
* optional world landmarks (metres, only for the points a spec needs them
  for, e.g. the shoulders and hips of a torso twist) to the millimetre;
* every series is stored as differences from the previous frame, then the
  whole block is zlib-compressed and written as base64 text.

Example:
    >>> track = LandmarkTrack.from_sequence(sequence)  # doctest: +SKIP
    >>> again = track.decode()  # doctest: +SKIP
    >>> len(again) == len(sequence)  # doctest: +SKIP
    True
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from formcheck.errors import SessionFileError
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.types import PoseSequence

ENCODING: Literal["formcheck-landmarks-q1"] = "formcheck-landmarks-q1"
#: Quantisation steps per image width (x) or height (y).
XY_STEPS = 8192
#: Quantisation steps of visibility (0..1).
VIS_STEPS = 255
#: World coordinates are kept in millimetres.
WORLD_STEPS_PER_M = 1000
#: Time is kept in tenths of a millisecond.
TIME_STEPS_PER_MS = 10
#: The int16 value that stands for a missing coordinate.
MISSING = -32768
_LIMIT = 32767
#: Longest track accepted (about 2 hours at 60 fps), a guard against bad files.
MAX_FRAMES = 450_000

Int16Array = npt.NDArray[np.int16]
UInt8Array = npt.NDArray[np.uint8]
FloatLike = npt.NDArray[np.floating[Any]]
IntLike = npt.NDArray[np.integer[Any]]


def quantise_xy(xy: FloatLike, resolution_wh: tuple[int, int]) -> Int16Array:
    """Pixel positions ``(..., 33, 2)`` as int16 steps of the frame size.

    Args:
        xy: Pixels; NaN where a point is missing.
        resolution_wh: The frame size.

    Returns:
        int16 of the same shape, :data:`MISSING` for NaN.
    """
    size = np.array(resolution_wh, dtype=np.float64)
    steps = np.asarray(xy, dtype=np.float64) / size * XY_STEPS
    finite = np.isfinite(steps)
    out = np.full(steps.shape, MISSING, dtype=np.int16)
    out[finite] = np.clip(np.rint(steps[finite]), -_LIMIT, _LIMIT).astype(np.int16)
    return out


def quantise_visibility(visibility: FloatLike) -> UInt8Array:
    """Visibility in [0, 1] as uint8 steps of 1/255 (NaN counts as 0)."""
    v = np.nan_to_num(np.asarray(visibility, dtype=np.float64), nan=0.0)
    out: UInt8Array = np.clip(np.rint(v * VIS_STEPS), 0, VIS_STEPS).astype(np.uint8)
    return out


def quantise_world(world: FloatLike) -> Int16Array:
    """World coordinates (metres) as int16 millimetres, :data:`MISSING` for NaN."""
    mm = np.asarray(world, dtype=np.float64) * WORLD_STEPS_PER_M
    finite = np.isfinite(mm)
    out = np.full(mm.shape, MISSING, dtype=np.int16)
    out[finite] = np.clip(np.rint(mm[finite]), -_LIMIT, _LIMIT).astype(np.int16)
    return out


def _diff(series: IntLike) -> IntLike:
    """Differences along the last axis, wrapping around in the array's type."""
    out = series.copy()
    out[..., 1:] = series[..., 1:] - series[..., :-1]
    return out


def _undiff(deltas: IntLike) -> IntLike:
    """Inverse of :func:`_diff` (a cumulative sum that wraps the same way)."""
    return np.cumsum(deltas, axis=-1, dtype=deltas.dtype)


class LandmarkTrack(BaseModel):
    """The per-frame landmarks of a session (see the module docstring).

    Attributes:
        encoding: The encoding's name and version.
        frames: Number of frames (T).
        fps: Frame rate of the source (0 when unknown).
        resolution_wh: Frame size in pixels.
        world_points: Landmark indices whose world coordinates are kept.
        data: The encoded block (base64 text).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    encoding: Literal["formcheck-landmarks-q1"] = ENCODING
    frames: int = Field(ge=0, le=MAX_FRAMES)
    fps: float = Field(ge=0.0)
    resolution_wh: tuple[int, int]
    world_points: tuple[int, ...] = ()
    data: str

    @classmethod
    def encode(
        cls,
        *,
        xy_q: Int16Array,
        visibility_q: UInt8Array,
        timestamps_ms: FloatLike,
        num_people: IntLike,
        resolution_wh: tuple[int, int],
        fps: float,
        world_q: Int16Array | None = None,
        world_points: Sequence[int] = (),
    ) -> LandmarkTrack:
        """Encode already-quantised landmarks.

        Args:
            xy_q: int16 ``(T, 33, 2)`` from :func:`quantise_xy`.
            visibility_q: uint8 ``(T, 33)`` from :func:`quantise_visibility`.
            timestamps_ms: ``(T,)`` frame times.
            num_people: ``(T,)`` people seen per frame.
            resolution_wh: Frame size in pixels.
            fps: Frame rate of the source.
            world_q: int16 ``(T, W, 3)`` from :func:`quantise_world`, for the
                landmarks in ``world_points`` (``None``: no world points).
            world_points: Which landmarks ``world_q`` holds.

        Raises:
            ValueError: If the shapes do not agree.
        """
        t = int(xy_q.shape[0])
        points = tuple(int(i) for i in world_points)
        if xy_q.shape != (t, NUM_LANDMARKS, 2) or visibility_q.shape != (
            t,
            NUM_LANDMARKS,
        ):
            raise ValueError(
                f"`xy_q` must have shape (T, {NUM_LANDMARKS}, 2) and `visibility_q` "
                f"(T, {NUM_LANDMARKS}), but got {xy_q.shape} and {visibility_q.shape}"
            )
        if world_q is None:
            world_q = np.zeros((t, 0, 3), dtype=np.int16)
            points = ()
        if world_q.shape != (t, len(points), 3):
            raise ValueError(
                f"`world_q` must have shape {(t, len(points), 3)}, but got {world_q.shape}"
            )
        ticks = np.rint(np.asarray(timestamps_ms, np.float64) * TIME_STEPS_PER_MS)
        blocks = [
            _diff(ticks.astype(np.int64)).astype(np.int32),
            np.clip(np.asarray(num_people), 0, 255).astype(np.uint8),
            _diff(np.ascontiguousarray(xy_q.reshape(t, -1).T)),
            _diff(np.ascontiguousarray(visibility_q.T)),
            _diff(np.ascontiguousarray(world_q.reshape(t, -1).T)),
        ]
        raw = b"".join(np.ascontiguousarray(b).tobytes() for b in blocks)
        packed = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
        width, height = resolution_wh
        return cls(
            frames=t,
            fps=float(fps),
            resolution_wh=(int(width), int(height)),
            world_points=points,
            data=packed,
        )

    @classmethod
    def from_sequence(
        cls, sequence: PoseSequence, world_points: Sequence[int] = ()
    ) -> LandmarkTrack:
        """Encode a pose sequence (world landmarks only for ``world_points``)."""
        world_q = None
        if world_points and sequence.xyz_world is not None:
            world_q = quantise_world(sequence.xyz_world[:, list(world_points), :])
        return cls.encode(
            xy_q=quantise_xy(sequence.xy, sequence.resolution_wh),
            visibility_q=quantise_visibility(sequence.visibility),
            timestamps_ms=sequence.timestamps_ms,
            num_people=sequence.num_people,
            resolution_wh=sequence.resolution_wh,
            fps=sequence.fps,
            world_q=world_q,
            world_points=world_points if world_q is not None else (),
        )

    @property
    def size_bytes(self) -> int:
        """Size of the encoded block as stored (base64 text)."""
        return len(self.data)

    def _raw(self) -> bytes:
        t, w = self.frames, len(self.world_points)
        expected = t * (4 + 1 + NUM_LANDMARKS * 2 * 2 + NUM_LANDMARKS + w * 3 * 2)
        try:
            packed = base64.b64decode(self.data, validate=True)
            inflater = zlib.decompressobj()
            raw = inflater.decompress(packed, expected + 1)
        except (binascii.Error, ValueError, zlib.error) as exc:
            raise SessionFileError(f"landmarks: cannot be decoded ({exc})") from None
        if len(raw) <= expected and not inflater.eof:
            raise SessionFileError("landmarks: the data is cut short")
        if len(raw) != expected or inflater.unconsumed_tail:
            raise SessionFileError(
                f"landmarks: expected {expected} bytes for {t} frames, got "
                f"{'more' if len(raw) > expected or inflater.unconsumed_tail else len(raw)}"
            )
        return raw

    def decode(self) -> PoseSequence:
        """The landmarks as a :class:`PoseSequence` (NaN where missing).

        Raises:
            SessionFileError: If the block is corrupt or does not fit ``frames``.
        """
        t, w = self.frames, len(self.world_points)
        if t == 0:
            raise SessionFileError("landmarks: the track holds no frame")
        if any(not 0 <= i < NUM_LANDMARKS for i in self.world_points):
            raise SessionFileError("landmarks: world point index out of range")
        width, height = self.resolution_wh
        if width <= 0 or height <= 0:
            raise SessionFileError(f"landmarks: bad frame size {self.resolution_wh}")
        raw = self._raw()
        sizes = (
            ("t", np.int32, t),
            ("people", np.uint8, t),
            ("xy", np.int16, NUM_LANDMARKS * 2 * t),
            ("vis", np.uint8, NUM_LANDMARKS * t),
            ("world", np.int16, w * 3 * t),
        )
        parts: dict[str, npt.NDArray[Any]] = {}
        offset = 0
        for name, dtype, count in sizes:
            parts[name] = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
            offset += count * np.dtype(dtype).itemsize
        ticks = np.cumsum(parts["t"].astype(np.int64))
        xy_q = _undiff(parts["xy"].reshape(NUM_LANDMARKS * 2, t)).T.reshape(
            t, NUM_LANDMARKS, 2
        )
        vis_q = _undiff(parts["vis"].reshape(NUM_LANDMARKS, t)).T
        xy = (
            xy_q.astype(np.float32)
            / XY_STEPS
            * np.array(self.resolution_wh, np.float32)
        )
        xy[xy_q == MISSING] = np.nan
        world = None
        if w:
            world_q = _undiff(parts["world"].reshape(w * 3, t)).T.reshape(t, w, 3)
            world = np.full((t, NUM_LANDMARKS, 3), np.nan, dtype=np.float32)
            values = world_q.astype(np.float32) / WORLD_STEPS_PER_M
            values[world_q == MISSING] = np.nan
            world[:, list(self.world_points), :] = values
        return PoseSequence(
            xy=xy,
            visibility=vis_q.astype(np.float32) / VIS_STEPS,
            timestamps_ms=ticks.astype(np.float64) / TIME_STEPS_PER_MS,
            resolution_wh=(width, height),
            fps=self.fps,
            num_people=parts["people"].astype(np.int16),
            xyz_world=world,
        )


class LandmarkCollector:
    """Gathers landmarks frame by frame (quantised at once, to stay small).

    Args:
        world_points: Landmarks whose world coordinates are kept.
    """

    def __init__(self, world_points: Sequence[int] = ()) -> None:
        self.world_points = tuple(int(i) for i in world_points)
        self._xy: list[Int16Array] = []
        self._vis: list[UInt8Array] = []
        self._world: list[Int16Array] = []
        self._t: list[float] = []
        self._people: list[int] = []
        self._has_world = False
        self._resolution_wh: tuple[int, int] | None = None

    def add(
        self,
        xy: FloatLike,
        visibility: FloatLike,
        timestamp_ms: float,
        num_people: int,
        resolution_wh: tuple[int, int],
        xyz_world: FloatLike | None = None,
    ) -> None:
        """Keep one frame's landmarks (a frame of another size is scaled)."""
        if self._resolution_wh is None:
            self._resolution_wh = resolution_wh
        scale = np.array(self._resolution_wh, np.float64) / np.array(
            resolution_wh, np.float64
        )
        self._xy.append(
            quantise_xy(np.asarray(xy, np.float64) * scale, self._resolution_wh)
        )
        self._vis.append(quantise_visibility(visibility))
        self._t.append(float(timestamp_ms))
        self._people.append(int(num_people))
        if self.world_points:
            if xyz_world is not None:
                self._has_world = True
                self._world.append(quantise_world(xyz_world[list(self.world_points)]))
            else:
                self._world.append(
                    np.full((len(self.world_points), 3), MISSING, dtype=np.int16)
                )

    def __len__(self) -> int:
        return len(self._t)

    def track(self, fps: float) -> LandmarkTrack | None:
        """The encoded track (``None`` when no frame was added)."""
        if not self._t or self._resolution_wh is None:
            return None
        world = np.stack(self._world) if self._has_world else None
        return LandmarkTrack.encode(
            xy_q=np.stack(self._xy),
            visibility_q=np.stack(self._vis),
            timestamps_ms=np.array(self._t, dtype=np.float64),
            num_people=np.array(self._people),
            resolution_wh=self._resolution_wh,
            fps=fps,
            world_q=world,
            world_points=self.world_points if world is not None else (),
        )

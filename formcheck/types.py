"""Core data types: one pose per frame, and a recorded sequence of them.

Shapes use K = 33 landmarks and T = frames. The subject is always a single
person: a physiotherapy session has one subject, so there is no people axis.
"""

from __future__ import annotations

import functools
import math
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.errors import InputError
from formcheck.fileio import atomic_open
from formcheck.landmarks import NUM_LANDMARKS

FloatArray = npt.NDArray[np.float32]

#: The format name a landmark file (``--save-landmarks``) holds.
LANDMARKS_FORMAT = "formcheck-landmarks-1"
#: Most other people a landmark file may hold per frame: the pose model looks
#: for a handful, so more is a damaged file (and could not fit in memory).
MAX_OTHER_PEOPLE = 16
#: How an ``.npy`` file (one array, not a landmark archive) begins.
_NPY_MAGIC = b"\x93NUMPY"
#: How a zip archive (an ``.npz`` file) begins: a member, or an empty archive.
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
#: Arrays of a landmark file holding one piece of text.
_TEXT_ARRAYS = ("format", "source")
#: Arrays of a landmark file holding numbers (the optional ones last).
_NUMBER_ARRAYS = (
    "xy",
    "visibility",
    "timestamps_ms",
    "resolution_wh",
    "fps",
    "num_people",
    "xyz_world",
    "others_xy",
    "others_visibility",
)
_OPTIONAL_ARRAYS = ("xyz_world", "others_xy", "others_visibility")


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


def _record_limits() -> tuple[int, float, int]:
    """Most frames, frames per second and pixels a session record accepts.

    A landmark file beyond them would be analysed in full only for its
    record to be refused at the end, so :meth:`PoseSequence.load_npz`
    refuses it first. The limits are read from the record's own definition.
    """
    # Imported here: formcheck.record imports this module.
    from formcheck.record.landmarks import MAX_FRAMES
    from formcheck.record.model import MAX_COUNT, MAX_SOURCE_FPS

    return MAX_FRAMES, MAX_SOURCE_FPS, MAX_COUNT


def _check_is_archive(path: Path) -> None:
    """Refuse a file that is not a zip archive, before NumPy reads any of it.

    Raises:
        InputError: If ``path`` is a single ``.npy`` array or not an archive.
        OSError: If ``path`` cannot be read.
    """
    with path.open("rb") as handle:
        start = handle.read(len(_NPY_MAGIC))
    if start.startswith(_NPY_MAGIC):
        raise InputError(
            f"{path}: a single NumPy array (.npy), not a formcheck landmark file "
            "(an .npz archive, as --save-landmarks writes)"
        )
    if not start.startswith(_ZIP_MAGICS):
        raise InputError(f"{path}: not a formcheck landmark file")


def _array_header(
    archive: np.lib.npyio.NpzFile, key: str
) -> tuple[tuple[int, ...], np.dtype[Any]] | None:
    """Shape and type of one array of ``archive``, read from its header alone.

    Returns:
        ``None`` when the archive has no such array.

    Raises:
        ValueError: If the header is damaged, or declares more data than the
            archive holds for it (nothing is allocated for it first).
    """
    names = archive.zip.namelist()
    member = f"{key}.npy" if f"{key}.npy" in names else key
    if member not in names:
        return None
    with archive.zip.open(member) as handle:
        version = np.lib.format.read_magic(handle)  # type: ignore[no-untyped-call]
        if version == (1, 0):
            header = np.lib.format.read_array_header_1_0(handle)  # type: ignore[no-untyped-call]
        elif version in ((2, 0), (3, 0)):
            header = np.lib.format.read_array_header_2_0(handle)  # type: ignore[no-untyped-call]
        else:
            raise ValueError(f"`{key}` is stored in an unknown format {version}")
        start = handle.tell()
    shape: tuple[int, ...] = tuple(header[0])
    dtype: np.dtype[Any] = header[2]
    declared = math.prod(shape) * dtype.itemsize
    held = archive.zip.getinfo(member).file_size - start
    if declared > held:
        raise ValueError(
            f"`{key}` declares shape {shape} ({declared} bytes), "
            f"but the file holds only {max(held, 0)} bytes of it"
        )
    return shape, dtype


def _check_layout(
    headers: dict[str, tuple[tuple[int, ...], np.dtype[Any]]], max_frames: int
) -> None:
    """Refuse missing, mistyped or misshapen arrays, from their headers alone.

    Nothing is read before this passes: a frame count beyond what a session
    record keeps, or arrays that disagree on it, are refused here.

    Raises:
        ValueError: What is wrong, naming the array.
    """
    for key in (*_TEXT_ARRAYS, *_NUMBER_ARRAYS):
        if key not in headers:
            if key in _OPTIONAL_ARRAYS:
                continue
            raise ValueError(f"`{key}` is missing")
        shape, dtype = headers[key]
        if key in _TEXT_ARRAYS and (dtype.kind not in "US" or shape != ()):
            raise ValueError(
                f"`{key}` must be one piece of text, but got {dtype} {shape}"
            )
        if key in _NUMBER_ARRAYS and dtype.kind not in "biuf":
            raise ValueError(f"`{key}` must hold numbers, but holds {dtype}")
    xy_shape = headers["xy"][0]
    if len(xy_shape) != 3 or xy_shape[1:] != (NUM_LANDMARKS, 2):
        raise ValueError(
            f"`xy` must have shape (frames, {NUM_LANDMARKS}, 2), "
            f"but got shape {xy_shape}"
        )
    t = xy_shape[0]
    if t > max_frames:
        raise ValueError(
            f"`xy` holds {t} frames, more than the {max_frames} a session "
            "record can keep"
        )
    wanted: dict[str, tuple[int, ...]] = {
        "visibility": (t, NUM_LANDMARKS),
        "timestamps_ms": (t,),
        "resolution_wh": (2,),
        "xyz_world": (t, NUM_LANDMARKS, 3),
    }
    if ("others_xy" in headers) != ("others_visibility" in headers):
        raise ValueError("`others_xy` and `others_visibility` must be given together")
    if "others_xy" in headers:
        others = headers["others_xy"][0]
        m = others[1] if len(others) == 4 else -1
        if m > MAX_OTHER_PEOPLE:
            raise ValueError(
                f"`others_xy` holds {m} other people per frame, more than "
                f"the {MAX_OTHER_PEOPLE} a landmark file may hold"
            )
        wanted["others_xy"] = (t, m, NUM_LANDMARKS, 2)
        wanted["others_visibility"] = (t, m, NUM_LANDMARKS)
    for key, shape in wanted.items():
        if key in headers and headers[key][0] != shape:
            raise ValueError(
                f"`{key}` must have shape {shape}, but got shape {headers[key][0]}"
            )
    if headers["num_people"][0] not in ((t,), (0,)):
        raise ValueError(
            f"`num_people` must have shape {(t,)}, "
            f"but got shape {headers['num_people'][0]}"
        )
    if math.prod(headers["fps"][0]) != 1:
        raise ValueError(f"`fps` must be one number, but got shape {headers['fps'][0]}")


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
            "format": np.array(LANDMARKS_FORMAT),
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

        The arrays' shapes, types and sizes are checked from their headers
        before any is read, so a small file declaring a huge or inconsistent
        frame count is refused without allocating for it. The frame rate and
        resolution must be within what a session record accepts, and the
        timestamps must increase from frame to frame.

        Raises:
            InputError: If the file is missing, not a formcheck landmark file,
                or holds arrays that are damaged, inconsistent or out of range
                (one line naming the file and the problem).
        """
        path = Path(path)
        if not path.is_file():
            try:
                there = path.exists()
            except OSError:
                there = False
            if path.is_dir():
                raise InputError(f"{path}: is a folder, not a landmark file")
            if there:
                raise InputError(f"{path}: not a regular file (a pipe or a device?)")
            raise InputError(f"{path}: no such landmark file")
        try:
            _check_is_archive(path)
            with np.load(path, allow_pickle=False) as data:
                form = _array_header(data, "format")
                if (
                    form is None
                    or form[0] != ()
                    or form[1].kind not in "US"
                    or str(data["format"]) != LANDMARKS_FORMAT
                ):
                    raise InputError(f"{path}: not a formcheck landmark file")
                return cls._from_archive(data)
        except (
            OSError,
            ValueError,
            KeyError,
            MemoryError,
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
        ) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"{path}: cannot read landmark file ({exc})") from exc

    @classmethod
    def _from_archive(cls, data: np.lib.npyio.NpzFile) -> PoseSequence:
        """The sequence in an opened landmark file (its format already checked).

        Raises:
            ValueError: What is wrong with the file's arrays.
        """
        max_frames, max_fps, max_pixels = _record_limits()
        headers: dict[str, tuple[tuple[int, ...], np.dtype[Any]]] = {}
        for key in (*_TEXT_ARRAYS, *_NUMBER_ARRAYS):
            header = _array_header(data, key)
            if header is not None:
                headers[key] = header
        _check_layout(headers, max_frames)
        fps = float(data["fps"].reshape(-1)[0])
        if not (math.isfinite(fps) and 0.0 < fps <= max_fps):
            raise ValueError(
                f"`fps` must be a finite number above 0 and at most {max_fps:g} "
                f"frames per second, but got {fps!r}"
            )
        size = tuple(data["resolution_wh"].tolist())
        if not all(math.isfinite(v) and 1 <= int(v) <= max_pixels for v in size):
            raise ValueError(
                f"`resolution_wh` must be whole numbers of pixels from 1 to "
                f"{max_pixels}, but got {size}"
            )
        sequence = cls(
            xy=data["xy"].astype(np.float32),
            visibility=data["visibility"].astype(np.float32),
            timestamps_ms=data["timestamps_ms"].astype(np.float64),
            resolution_wh=(int(size[0]), int(size[1])),
            fps=fps,
            num_people=data["num_people"].astype(np.int16),
            xyz_world=(
                data["xyz_world"].astype(np.float32) if "xyz_world" in headers else None
            ),
            source=str(data["source"]),
            others_xy=(
                data["others_xy"].astype(np.float32) if "others_xy" in headers else None
            ),
            others_visibility=(
                data["others_visibility"].astype(np.float32)
                if "others_visibility" in headers
                else None
            ),
        )
        times = sequence.timestamps_ms
        stalls = np.flatnonzero(np.diff(times) <= 0)
        if stalls.size:
            i = int(stalls[0]) + 1
            raise ValueError(
                "`timestamps_ms` must increase from frame to frame, but frame "
                f"{i} is at {times[i]:.12g} ms and frame {i - 1} at "
                f"{times[i - 1]:.12g} ms"
            )
        return sequence

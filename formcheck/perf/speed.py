"""How fast formcheck is next to a bare pose loop, and whether parallel runs agree.

Every run is a fresh process (``python -m ...``), timed from start to exit:
interpreter start-up, imports, model loading, reading and writing files are
all inside. Runs of the variants alternate round after round (their order
turning each round), and each variant's median is compared with the bare
loop's median on the same clip: ratios, not seconds.

The equality check runs each benchmark clip with ``--jobs 1`` and with
several jobs (in this process) and compares what a user reads: repetitions
per side and how many were correct, hold times, and faults.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.parallel.plan import MIN_CHUNK_S
from formcheck.pose import PoseEstimator
from formcheck.record import SessionRecord

#: Where the project keeps the shared clips, from a source checkout.
REPO = Path(__file__).resolve().parents[2]
SHARED_VIDEOS = REPO.parent / "shared" / "videos"
#: The issue's clips: 92 s at 854x480, and 10 s at 1280x720.
LONG_CLIP = (
    SHARED_VIDEOS
    / "vincentbrouillard777-cmd+pwa-renforcement__public__videos__bird-dog.mp4"
)
LONG_EXERCISE = "bird_dog"
SHORT_CLIP = SHARED_VIDEOS / "kevinab633+curvelog__public__glute-bridge-band.mp4"
SHORT_EXERCISE = "glute_bridge"
#: The batch: the bundled bird-dog sample clips.
BATCH_GLOB = "bird_dog_*.mp4"
BATCH_EXERCISE = "bird_dog"
SAMPLES = REPO / "sample_videos"

#: Samples of the short clip's variants per round (see :attr:`Variant.passes`).
SHORT_PASSES = 3

#: Targets of issue 15.
OVERHEAD_TARGET = 1.03
PARALLEL_TARGET = 1.6

Progress = Callable[[str], None]


class BenchError(FormcheckError):
    """A benchmark run failed."""


@dataclass(frozen=True)
class Clip:
    """A video and the exercise it shows."""

    path: Path
    exercise: str


@dataclass(frozen=True)
class Variant:
    """One way of processing, run as its own process.

    Attributes:
        name: Short key.
        label: What it is, for the report.
        commands: Processes run one after the other for one sample.
        passes: Samples taken each round. A short run varies more with the
            machine's moods, so it is sampled more often for a median as
            steady as a long run's; its extra passes alternate with those of
            its reference.
    """

    name: str
    label: str
    commands: tuple[tuple[str, ...], ...]
    passes: int = 1


@dataclass(frozen=True)
class Ratio:
    """One figure of the report.

    Attributes:
        figure: What is compared.
        variant: The formcheck run.
        reference: The run it is compared with.
        time_ratio: Median time of ``variant`` / median time of ``reference``.
        target: The issue's target, if any.
        target_kind: ``"time"`` (time ratio at most) or ``"speed-up"`` (at least).
    """

    figure: str
    variant: str
    reference: str
    time_ratio: float
    target: float | None = None
    target_kind: str = "time"

    @property
    def speedup(self) -> float:
        """How many times faster than the reference."""
        return 1.0 / self.time_ratio if self.time_ratio > 0 else float("inf")

    @property
    def met(self) -> bool | None:
        """Whether the target is met (``None``: no target)."""
        if self.target is None:
            return None
        if self.target_kind == "time":
            return self.time_ratio <= self.target
        return self.speedup >= self.target


@dataclass
class SpeedResult:
    """All timings and ratios of one ``--speed`` run."""

    jobs: int
    repeat: int
    samples_s: dict[str, list[float]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    ratios: list[Ratio] = field(default_factory=list)

    def median(self, name: str) -> float:
        """The median seconds of one variant."""
        return statistics.median(self.samples_s[name])


def _python(*args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", *args)


def bare(video: Path, *, exit_at_once: bool = False) -> tuple[str, ...]:
    """The bare loop over ``video`` (see :mod:`formcheck.perf.bare`).

    Args:
        video: The clip.
        exit_at_once: End without the interpreter's teardown, as ``formcheck
            analyze`` does.
    """
    from formcheck.perf.bare import EXIT_AT_ONCE

    flags = (EXIT_AT_ONCE,) if exit_at_once else ()
    return _python("formcheck.perf.bare", *flags, str(video))


def analyze(
    videos: Sequence[Path], exercise: str, out: Path, jobs: int, video: bool
) -> tuple[str, ...]:
    """A whole ``formcheck analyze`` run."""
    words = ["formcheck", "analyze", *map(str, videos), "--exercise", exercise]
    words += ["--out", str(out), "--jobs", str(jobs), "--quiet"]
    if not video:
        words.append("--no-video")
    return _python(*words)


def run_timed(command: Sequence[str]) -> float:
    """Run one process; return its wall time in seconds.

    Raises:
        BenchError: If it fails (with the end of its error output).
    """
    env = {k: v for k, v in os.environ.items() if k != "FORMCHECK_PROGRESS"}
    start = time.perf_counter()
    proc = subprocess.run(
        list(command),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 3):  # 3: analysed, with a warning
        tail = " / ".join(proc.stderr.strip().splitlines()[-3:])
        raise BenchError(f"{' '.join(command[2:4])} failed ({proc.returncode}): {tail}")
    return elapsed


def measure(
    variants: Sequence[Variant], repeat: int, progress: Progress | None = None
) -> dict[str, list[float]]:
    """Time every variant ``repeat`` times, alternating, order turning each round."""
    samples: dict[str, list[float]] = {v.name: [] for v in variants}
    passes = max((v.passes for v in variants), default=1)
    for round_ in range(repeat):
        shift = round_ % len(variants)
        order = [*variants[shift:], *variants[:shift]]
        for pass_ in range(passes):
            for variant in (v for v in order if pass_ < v.passes):
                if progress is not None:
                    progress(f"round {round_ + 1}/{repeat}: {variant.label}")
                run_s = sum(run_timed(c) for c in variant.commands)
                samples[variant.name].append(run_s)
    return samples


def _variants(
    long: Clip, short: Clip, batch: Sequence[Clip], jobs: int, out: Path
) -> list[Variant]:
    b_ex = batch[0].exercise if batch else BATCH_EXERCISE
    variants = [
        Variant("bare_long", "bare loop, long clip", (bare(long.path),)),
        Variant(
            "one_long",
            "analyze --jobs 1 --no-video, long clip",
            (analyze([long.path], long.exercise, out, 1, False),),
        ),
        Variant(
            "par_long",
            f"analyze --jobs {jobs} --no-video, long clip",
            (analyze([long.path], long.exercise, out, jobs, False),),
        ),
        Variant(
            "par_long_video",
            f"analyze --jobs {jobs} (annotated video), long clip",
            (analyze([long.path], long.exercise, out, jobs, True),),
        ),
        Variant(
            "one_long_video",
            "analyze --jobs 1 (annotated video), long clip",
            (analyze([long.path], long.exercise, out, 1, True),),
        ),
        Variant(
            "bare_short",
            "bare loop, short clip",
            (bare(short.path),),
            SHORT_PASSES,
        ),
        Variant(
            "one_short",
            "analyze --jobs 1 --no-video, short clip",
            (analyze([short.path], short.exercise, out, 1, False),),
            SHORT_PASSES,
        ),
        Variant(
            "bare_short_at_once",
            "bare loop ending at once (no teardown), short clip",
            (bare(short.path, exit_at_once=True),),
            SHORT_PASSES,
        ),
    ]
    if batch:
        variants += [
            Variant(
                "bare_batch",
                f"bare loop over the {len(batch)} batch clips, one after the other",
                tuple(bare(c.path) for c in batch),
            ),
            Variant(
                "batch",
                f"analyze --jobs {jobs} --no-video, the {len(batch)} batch clips at once",
                (analyze([c.path for c in batch], b_ex, out, jobs, False),),
            ),
        ]
    return variants


def ratios(samples: dict[str, list[float]], jobs: int) -> list[Ratio]:
    """The report's figures from the timings."""

    def ratio(variant: str, reference: str) -> float:
        return statistics.median(samples[variant]) / statistics.median(
            samples[reference]
        )

    out = [
        Ratio(
            "overhead, 92 s clip",
            "one_long",
            "bare_long",
            ratio("one_long", "bare_long"),
            OVERHEAD_TARGET,
        ),
        Ratio(
            "overhead, 10 s clip",
            "one_short",
            "bare_short",
            ratio("one_short", "bare_short"),
            OVERHEAD_TARGET,
        ),
        Ratio(
            f"parallel ({jobs} jobs), no video",
            "par_long",
            "bare_long",
            ratio("par_long", "bare_long"),
            PARALLEL_TARGET,
            "speed-up",
        ),
        Ratio(
            f"parallel ({jobs} jobs), annotated video",
            "par_long_video",
            "bare_long",
            ratio("par_long_video", "bare_long"),
            PARALLEL_TARGET,
            "speed-up",
        ),
        Ratio(
            "one process, annotated video",
            "one_long_video",
            "bare_long",
            ratio("one_long_video", "bare_long"),
        ),
    ]
    if "bare_short_at_once" in samples:
        out.append(
            Ratio(
                "overhead, 10 s clip, bare loop ending at once",
                "one_short",
                "bare_short_at_once",
                ratio("one_short", "bare_short_at_once"),
            )
        )
    if "batch" in samples:
        out.append(
            Ratio(
                f"batch ({jobs} jobs)",
                "batch",
                "bare_batch",
                ratio("batch", "bare_batch"),
                None,
                "speed-up",
            )
        )
    return out


def run_speed(
    long: Clip,
    short: Clip,
    batch: Sequence[Clip],
    jobs: int,
    repeat: int,
    progress: Progress | None = None,
) -> SpeedResult:
    """Time every variant and work out the ratios.

    Raises:
        BenchError: If a clip is missing or a run fails.
    """
    for clip in (long, short, *batch):
        if not clip.path.is_file():
            raise BenchError(f"{clip.path}: no such clip")
    with tempfile.TemporaryDirectory(prefix="formcheck-bench-") as scratch:
        variants = _variants(long, short, batch, jobs, Path(scratch))
        samples = measure(variants, repeat, progress)
    result = SpeedResult(jobs=jobs, repeat=repeat, samples_s=samples)
    result.labels = {v.name: v.label for v in variants}
    result.ratios = ratios(samples, jobs)
    return result


def default_batch(folder: Path = SAMPLES) -> list[Clip]:
    """The batch of the benchmark: the bundled bird-dog sample clips."""
    return [Clip(p, BATCH_EXERCISE) for p in sorted(folder.glob(BATCH_GLOB))]


# ------------------------------------------------------------------ equality
@dataclass
class Equality:
    """A clip analysed in one process and in parallel chunks.

    Attributes:
        clip: The video.
        exercise: Its exercise.
        chunks: Chunks of the parallel run (1: not split, so equal by design).
        differences: What a user would read differently (empty: equal).
        max_px: Largest landmark difference between the runs (pixels).
        mean_px: Mean landmark difference over frames that differ.
        frames_differing: Frames whose landmarks differ at all.
        frames: Frames in the clip.
        replayed: Chunks estimated again (no safe hand-over to them).
    """

    clip: str
    exercise: str
    chunks: int
    differences: list[str]
    max_px: float
    mean_px: float
    frames_differing: int
    frames: int
    replayed: int = 0

    @property
    def equal(self) -> bool:
        """Counts, hold times and faults are the same."""
        return not self.differences


def outcome_differences(one: SessionRecord, many: SessionRecord) -> list[str]:
    """What differs between two session records, as a user reads them.

    Repetitions counted per side and whether each was correct, hold times to
    the tenth of a second shown everywhere, and faults (rule, side,
    repetition). A repetition's start and end are not compared: across a
    chunk boundary they can move by a frame.
    """
    out: list[str] = []

    def reps(s: SessionRecord) -> list[tuple[object, ...]]:
        return [(r.side, r.counted, r.correct) for r in s.reps if r.counted]

    def holds(s: SessionRecord) -> list[tuple[object, ...]]:
        return [(f"{h.held_s:.1f}", h.completed) for h in s.holds]

    def faults(s: SessionRecord) -> list[tuple[object, ...]]:
        return sorted((f.rule_id, f.side or "", f.rep_index or 0) for f in s.faults)

    for what, get in (("repetitions", reps), ("holds", holds), ("faults", faults)):
        a, b = get(one), get(many)
        if a != b:
            out.append(f"{what}: {a} vs {b}")
    return out


def check_equality(
    clip: Clip,
    jobs: int,
    side: str | None = None,
    *,
    estimator_factory: Callable[[], PoseEstimator] | None = None,
    min_chunk_s: float = MIN_CHUNK_S,
) -> Equality:
    """Analyse ``clip`` with one job and with ``jobs``; compare.

    Args:
        clip: The video and its exercise.
        jobs: Jobs of the parallel run.
        side: The side to analyse with, if the clip's label names one.
        estimator_factory: The pose model (default: MediaPipe).
        min_chunk_s: Shortest chunk (the default is what users get).
    """
    from formcheck.analyze import analyze_video
    from formcheck.landmarks import side_of
    from formcheck.specs import load_spec

    spec = load_spec(clip.exercise)
    chosen = side_of(side) if side else None
    options: dict[str, Any] = {
        "save_landmarks": True,
        "estimator_factory": estimator_factory,
        "min_chunk_s": min_chunk_s,
    }
    one = analyze_video(clip.path, spec, chosen, jobs=1, **options)
    many = analyze_video(clip.path, spec, chosen, jobs=jobs, **options)
    max_px = mean_px = 0.0
    differing = 0
    if one.landmarks is not None and many.landmarks is not None:
        gap = np.abs(one.landmarks.xy - many.landmarks.xy)
        per_frame = np.nanmax(np.where(np.isnan(gap), 0.0, gap), axis=(1, 2))
        nan_mismatch = np.isnan(one.landmarks.xy) != np.isnan(many.landmarks.xy)
        per_frame[nan_mismatch.any(axis=(1, 2))] = np.inf
        moved = per_frame[per_frame > 0]
        differing = int(moved.size)
        finite = moved[np.isfinite(moved)]
        max_px = float(moved.max()) if moved.size else 0.0
        mean_px = float(finite.mean()) if finite.size else 0.0
    return Equality(
        clip=clip.path.name,
        exercise=clip.exercise,
        chunks=many.timings.chunks,
        differences=outcome_differences(one.session, many.session),
        max_px=max_px,
        mean_px=mean_px,
        frames_differing=differing,
        frames=one.session.source.frames,
        replayed=many.timings.replayed_chunks,
    )

"""Command line of the synthetic-video generator.

``python -m formcheck.synth render ...`` renders one clip on demand;
``python -m formcheck.synth samples`` regenerates the curated sample set;
``python -m formcheck.synth list`` shows exercises, views, bodies and faults.
The main ``formcheck`` CLI can call :func:`main` or :func:`render_command`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck.cli._args import jobs_count, number_in, whole_in
from formcheck.cli._console import configure_logging
from formcheck.errors import FormcheckError, InputError, OutputError
from formcheck.synth.camera import VIEWS
from formcheck.synth.faults import EXERCISE_FAULTS, FAULTS
from formcheck.synth.motions import EXERCISES
from formcheck.synth.skeleton import CLOTHING, SHAPES

if TYPE_CHECKING:
    from formcheck.synth.clip import ClipSpec

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


#: Largest image side and pixel count of ``--size`` (4K): every frame is drawn
#: in memory, and rendering at 3840x2160 already takes about 2 GB.
MAX_SIDE_PX = 3840
MAX_PIXELS = 3840 * 2160
#: Longest ``--name`` (bytes): with ``.truth.json`` it fits a 255-byte file name.
MAX_NAME_BYTES = 200


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT, got {text!r}"
        ) from None
    if w < 32 or h < 32:
        raise argparse.ArgumentTypeError(f"size must be at least 32x32, got {text!r}")
    if max(w, h) > MAX_SIDE_PX or w * h > MAX_PIXELS:
        raise argparse.ArgumentTypeError(
            f"size must be at most {MAX_SIDE_PX} pixels a side and 3840x2160 "
            f"pixels in all (4K), got {text!r}"
        )
    return w, h


def _file_stem(text: str) -> str:
    """An argparse type: a file name of its own, with no folder in it."""
    if any(sep in text for sep in ("/", "\\", "\0")) or ".." in text:
        raise argparse.ArgumentTypeError(
            f"must be a plain file name, without '/', '\\' or '..', got {text!r}"
        )
    if not text.strip() or text.startswith("."):
        raise argparse.ArgumentTypeError(
            f"must be a visible file name (not empty, not starting with '.'), got {text!r}"
        )
    if len(text.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_NAME_BYTES} bytes long, got {len(text)} characters"
        )
    return text


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected e.g. 2,4 — got {text!r}") from None


def add_render_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``render`` options to a parser (shared with the main CLI)."""
    p.add_argument(
        "--exercise",
        required=True,
        choices=sorted(EXERCISES),
        metavar="ID",
        help="exercise id (see `list`)",
    )
    p.add_argument(
        "--view",
        default="recommended",
        choices=["recommended", *VIEWS],
        help="camera view (default: the exercise's recommended view)",
    )
    p.add_argument(
        "--body", default="medium", choices=sorted(SHAPES), help="body shape"
    )
    p.add_argument(
        "--clothing", default="teal", choices=sorted(CLOTHING), help="outfit"
    )
    p.add_argument(
        "--side",
        default="left",
        choices=["left", "right"],
        help="side facing the camera / working side",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        choices=sorted(FAULTS),
        metavar="FAULT",
        help="inject a fault (repeatable; see `list`)",
    )
    p.add_argument(
        "--fault-reps",
        type=_int_list,
        default=None,
        metavar="N,N",
        help="repetitions (per side) that get the faults (default: every second)",
    )
    p.add_argument(
        "--reps",
        type=whole_in(1, 50),
        default=None,
        help="repetitions per side, or holds (1 to 50)",
    )
    p.add_argument(
        "--hold",
        type=number_in(0, 300),
        default=None,
        metavar="S",
        help="hold length in seconds (0 to 300)",
    )
    p.add_argument(
        "--tempo",
        type=number_in(0.3, 4),
        default=1.0,
        help="duration multiplier, 0.3 to 4 (2 = slower)",
    )
    p.add_argument(
        "--seed",
        type=whole_in(0, 2**31 - 1),
        default=0,
        help="seed (tempo, colours, light, noise)",
    )
    p.add_argument(
        "--fps", type=number_in(1, 60), default=15.0, help="frame rate (1 to 60)"
    )
    p.add_argument(
        "--size",
        type=_size,
        default=(640, 480),
        metavar="WxH",
        help=f"image size (32x32 to {MAX_SIDE_PX} pixels a side, at most 3840x2160)",
    )
    p.add_argument(
        "--fov",
        type=number_in(10, 150),
        default=60.0,
        metavar="DEG",
        help="horizontal field of view (10 to 150)",
    )
    p.add_argument(
        "--oblique-deg",
        type=number_in(-180, 180),
        default=45.0,
        metavar="DEG",
        help="turn of the oblique view from the side view",
    )
    p.add_argument(
        "--camera-height",
        type=number_in(0.05, 5),
        default=None,
        metavar="M",
        help="default: the exercise's typical height (0.05 to 5)",
    )
    p.add_argument(
        "--camera-distance",
        type=number_in(0.2, 20),
        default=None,
        metavar="M",
        help="default: fitted to keep the whole motion in frame (0.2 to 20)",
    )
    p.add_argument(
        "--crf",
        type=whole_in(0, 51),
        default=30,
        help="x264 quality, 0 to 51 (higher = smaller)",
    )
    p.add_argument(
        "--lead-in",
        default="full",
        choices=["full", "short"],
        help="full: get into position and back up; short: settle 2 s",
    )
    p.add_argument(
        "--name",
        type=_file_stem,
        default=None,
        help="file stem, no folders (default: built from the options)",
    )
    p.add_argument("--no-video", action="store_true", help="write only the truth files")
    p.add_argument("--out", type=Path, default=Path("synth_out"), help="output folder")  # fmt: skip


def spec_from_args(args: argparse.Namespace) -> ClipSpec:
    """Build a :class:`ClipSpec` from parsed ``render`` options."""
    from formcheck.synth.clip import ClipSpec

    return ClipSpec(
        exercise=args.exercise,
        view=args.view,
        body=args.body,
        clothing=args.clothing,
        side=args.side,
        faults=tuple(args.fault),
        fault_reps=args.fault_reps,
        n_reps=args.reps,
        hold_s=args.hold,
        tempo=args.tempo,
        seed=args.seed,
        fps=args.fps,
        resolution_wh=args.size,
        hfov_deg=args.fov,
        oblique_deg=args.oblique_deg,
        camera_height_m=args.camera_height,
        camera_distance_m=args.camera_distance,
        crf=args.crf,
        lead_in=args.lead_in,
        name=args.name,
    )


def render_command(args: argparse.Namespace) -> int:
    """Run ``render`` with parsed options; returns the exit status."""
    from tqdm import tqdm

    from formcheck.outputs import check_output_folder
    from formcheck.synth.clip import render_clip

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: is a file, not a folder; give --out a folder")
    try:
        spec = spec_from_args(args)
    except ValueError as exc:  # an option out of the renderer's range
        raise InputError(str(exc)) from None
    check_output_folder(out)
    bar = tqdm(total=None, desc=spec.stem, unit="frame", leave=True)

    def progress(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    try:
        result = render_clip(
            spec, out, progress=progress, write_video=not args.no_video
        )
    except FormcheckError:
        raise
    except ValueError as exc:  # an impossible combination, e.g. a missing view
        raise InputError(str(exc)) from None
    finally:
        bar.close()
    summary = result.meta["summary"]
    print(
        f"{result.truth_json.parent}/{spec.stem}: {result.frames} frames, "
        f"{result.meta['duration_s']:.1f} s, rendered at {result.render_fps:.1f} frames/s; "
        f"reps {summary['reps']} (not counted {summary['attempts_not_counted']}), "
        f"holds {summary['holds']}"
    )
    return EXIT_OK


def _samples_command(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from formcheck.synth import samples as sm

    if args.list:
        for s in sm.SAMPLES:
            print(f"{s.spec.stem:45s} {s.purpose}")
        return EXIT_OK
    out: Path = args.out
    if not args.measure_only:
        bar = tqdm(total=len(args.only or sm.SAMPLES), desc="samples", unit="clip")

        def done(name: str, frames: int, secs: float) -> None:
            bar.set_postfix_str(f"{name} {frames / max(secs, 1e-9):.0f} fr/s")
            bar.update(1)

        try:
            sm.render_samples(out, jobs=args.jobs, only=args.only, on_done=done)
        finally:
            bar.close()
    results = sm.read_results(out)
    if args.measure or args.measure_only:
        try:
            from devtools.synth_measure_samples import measure_samples
        except ImportError:
            raise FormcheckError(
                "measuring the samples needs the development tools in a source "
                "checkout (devtools/): run it from the repository folder"
            ) from None

        measure_samples(out, jobs=args.jobs, only=args.only, cache_dir=args.pose_cache)
    path = sm.write_manifest(out, sm.manifest(results, sm.load_measurements()))
    print(f"{path}: {len(results)} clips")
    return EXIT_OK


def _list_command(_: argparse.Namespace) -> int:
    print("exercises (recommended view, kind, faults):")
    for ex, info in EXERCISES.items():
        faults = ", ".join(EXERCISE_FAULTS.get(ex, ())) or "-"
        print(f"  {ex:30s} {info.view:6s} {info.kind:5s} {faults}")
    print("views:", ", ".join(VIEWS))
    print("bodies:", ", ".join(f"{k} ({v.height_m} m)" for k, v in SHAPES.items()))
    print("clothing:", ", ".join(CLOTHING))
    print("faults:")
    for f, text in FAULTS.items():
        print(f"  {f:20s} {text}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m formcheck.synth`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m formcheck.synth",
        description="Render labelled synthetic exercise videos.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    render = sub.add_parser("render", help="render one clip (video + truth)")
    add_render_arguments(render)
    samples = sub.add_parser("samples", help="regenerate the curated sample set")
    samples.add_argument("--out", type=Path, default=Path("sample_videos"))
    samples.add_argument("--jobs", type=jobs_count, default=1, help="worker processes")
    samples.add_argument(
        "--only",
        nargs="+",
        default=None,
        metavar="NAME",
        help="only these clips (see --list)",
    )
    samples.add_argument("--list", action="store_true", help="list the curated clips")
    samples.add_argument(
        "--measure",
        action="store_true",
        help="also run MediaPipe and the engine on the clips and store the results",
    )
    samples.add_argument(
        "--measure-only",
        action="store_true",
        help="measure clips already rendered, without rendering",
    )
    samples.add_argument(
        "--pose-cache",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep MediaPipe's poses here and reuse them",
    )  # fmt: skip
    sub.add_parser("list", help="list exercises, views, bodies, outfits and faults")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    commands: dict[str, Any] = {
        "render": render_command,
        "samples": _samples_command,
        "list": _list_command,
    }
    try:
        return int(commands[args.command](args))
    except (ValueError, FormcheckError) as exc:
        print(f"formcheck.synth: error: {exc}", file=sys.stderr)
        return EXIT_ERROR

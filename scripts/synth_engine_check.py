"""Run the formcheck engine on synthetic clips and compare with their truth.

Usage:
    python scripts/synth_engine_check.py [--dir sample_videos] [--poses DIR] [CLIP|FILE.mp4 ...]

For every clip whose exercise has a spec in pose_specs/ (glute_bridge,
bird_dog), prints the engine's repetitions next to the truth's, each marked
with the phase of the clip it falls in (lead_in / exercise / walk_out), and the
fault counts; an engine exception is printed with its traceback. Clips are the
sample set's stems (see `python -m formcheck.synth samples --list`); missing
clips are rendered first (deterministically) with `python -m formcheck.synth
samples --only ...`.
"""

from __future__ import annotations

import argparse
import logging
import traceback
from pathlib import Path

from formcheck.analyze import analyze_video
from formcheck.pose import ReplayPoseEstimator
from formcheck.specs import load_spec
from formcheck.synth.samples import SAMPLES, engine_spec, render_samples
from formcheck.synth.truth import load_truth


def _phase(meta: dict, t: float) -> str:
    for p in meta["phases"]:
        if p["start_s"] - 0.3 <= t <= p["end_s"] + 0.3:
            return p["name"]
    return "?"


def check(video: Path, poses_dir: Path | None) -> None:
    truth = load_truth(video)
    meta = truth.meta
    exercise = meta["exercise"]
    name = video.name[: -len(".mp4")]
    estimator = None
    if poses_dir is not None and (poses_dir / f"{name}.poses.npz").is_file():
        estimator = ReplayPoseEstimator.from_file(poses_dir / f"{name}.poses.npz")
    print(f"== {name} ({exercise}, {meta['view']})")
    spec_id = engine_spec(exercise)
    if spec_id is None:
        print("   no spec for this exercise")
        return
    try:
        result = analyze_video(video, load_spec(spec_id), estimator=estimator)
    except Exception:
        print("   ENGINE EXCEPTION:")
        traceback.print_exc()
        return
    s = result.session.summary
    print(
        f"   engine reps {s.reps} (per side "
        f"{ {p.side: p.reps for p in s.per_side if p.side} }), not counted "
        f"{s.attempts_not_counted}, faults {s.fault_counts}"
    )
    print(
        f"   truth  reps {meta['summary']['reps']} (per side "
        f"{meta['summary']['per_side']}), not counted "
        f"{meta['summary']['attempts_not_counted']}, faults {meta['summary']['faults']}"
    )
    for r in result.session.reps:
        mid = (r.start_s + r.end_s) / 2
        print(
            f"   E {r.start_s:6.2f}-{r.end_s:6.2f} {r.side!s:5} counted={r.counted!s:5} "
            f"[{_phase(meta, mid)}] faults={r.faults} max={r.signal_max}"
        )
    for h in result.session.holds:
        print(
            f"   E hold {h.start_s:6.2f}-{h.end_s:6.2f} held {h.held_s:.1f} s completed={h.completed}"
        )
    for h in meta["holds"]:
        print(
            f"   T hold {h['start_s']:6.2f}-{h['end_s']:6.2f} held {h['held_s']:.1f} s completed={h['completed']}"
        )
    for r in meta["reps"]:
        print(
            f"   T {r['start_s']:6.2f}-{r['end_s']:6.2f} {r['side']!s:5} "
            f"counted={r['counted']!s:5} faults={r['faults']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "clips",
        nargs="*",
        help="sample clip names or rendered .mp4 files (default: all)",
    )
    parser.add_argument("--dir", type=Path, default=Path("sample_videos"))
    parser.add_argument(
        "--poses", type=Path, default=None, help="cached MediaPipe poses"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    videos = [Path(c) for c in args.clips if c.endswith(".mp4")]
    names = [c for c in args.clips if not c.endswith(".mp4")]
    if not args.clips:
        names = [s.spec.stem for s in SAMPLES if engine_spec(s.spec.exercise)]
    missing = [n for n in names if not (args.dir / f"{n}.mp4").is_file()]
    if missing:
        render_samples(args.dir, only=missing)
    for video in [*(args.dir / f"{n}.mp4" for n in names), *videos]:
        check(video, args.poses)


if __name__ == "__main__":
    main()

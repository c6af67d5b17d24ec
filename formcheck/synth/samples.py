"""The curated sample set (``sample_videos/``) and its manifest.

``python -m formcheck.synth samples`` renders every clip in :data:`SAMPLES`
and writes ``manifest.yaml``. Frames and truth files are deterministic; the
manifest's ``mediapipe_reliable``/``mediapipe``/``engine``/``notes`` fields
come from ``measurements.yaml`` in this package, which
``python -m formcheck.synth samples --measure`` (re)writes by running
MediaPipe on the rendered clips and comparing with the truth.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Final

import yaml

from formcheck.synth import GENERATOR_VERSION
from formcheck.synth.clip import ClipResult, ClipSpec, render_clip

logger = logging.getLogger(__name__)

MEASUREMENTS_FILE: Final = Path(__file__).with_name("measurements.yaml")


def engine_spec(exercise: str) -> str | None:
    """The id of the engine spec for ``exercise``, or ``None`` if there is none."""
    from formcheck.errors import FormcheckError
    from formcheck.specs import load_spec

    try:
        load_spec(exercise)
    except (FormcheckError, KeyError, ValueError, OSError):
        return None
    return exercise


@dataclass(frozen=True)
class Sample:
    """One curated clip.

    Attributes:
        spec: How to render it (its ``name`` is the file stem).
        purpose: Why it is in the set.
    """

    spec: ClipSpec
    purpose: str


def _s(name: str, purpose: str, exercise: str, **kw: Any) -> Sample:
    return Sample(ClipSpec(exercise, name=name, **kw), purpose)


#: The curated set: every exercise in its recommended view, plus faults,
#: oblique and end-on views, three bodies, two outfits and both sides.
SAMPLES: Final[tuple[Sample, ...]] = (
    # --- every exercise in its recommended view
    _s("rockbacks_side", "recommended view", "rockbacks", n_reps=4, seed=11, body="medium"),
    _s("bird_dog_side", "recommended view, alternating sides", "bird_dog", n_reps=2, seed=12, body="tall", clothing="red"),
    _s("bird_dog_arm_side", "recommended view", "bird_dog_arm", n_reps=3, seed=13, body="small", side="right"),
    _s("bird_dog_leg_side", "recommended view", "bird_dog_leg", n_reps=3, seed=14, body="medium", clothing="red"),
    _s("sciatic_nerve_glide_supine_side", "recommended view", "sciatic_nerve_glide_supine", n_reps=3, seed=15, body="small", clothing="red"),
    _s("sciatic_nerve_glide_seated_side", "recommended view", "sciatic_nerve_glide_seated", n_reps=3, seed=16, body="tall", side="right"),
    _s("knee_to_chest_single_side", "recommended view", "knee_to_chest_single", hold_s=21.0, seed=17, body="medium"),
    _s("knee_to_chest_double_side", "recommended view", "knee_to_chest_double", hold_s=21.0, seed=18, body="tall", clothing="red"),
    _s("piriformis_stretch_side", "recommended view", "piriformis_stretch", hold_s=30.0, tempo=0.7, lead_in="short", seed=19, body="small"),
    _s("glute_bridge_side", "recommended view", "glute_bridge", n_reps=4, seed=20, body="medium"),
    _s("pelvic_tilt_side", "recommended view (the tilt itself is nearly invisible)", "pelvic_tilt", n_reps=4, seed=21, body="small", clothing="red"),
    _s("cat_cow_side", "recommended view", "cat_cow", n_reps=3, seed=22, body="tall"),
    _s("mckenzie_press_up_side", "recommended view", "mckenzie_press_up", n_reps=3, seed=23, body="medium", clothing="red", side="right"),
    _s("clamshell_front", "recommended view (front)", "clamshell", n_reps=4, seed=24, body="medium"),
    _s("hamstring_stretch_standing_side", "recommended view", "hamstring_stretch_standing", hold_s=21.0, seed=25, body="tall", clothing="red"),
    _s("hamstring_stretch_lying_side", "recommended view", "hamstring_stretch_lying", hold_s=16.0, seed=26, body="small", side="right"),
    _s("childs_pose_side", "recommended view", "childs_pose", hold_s=30.0, lead_in="short", seed=27, body="medium", clothing="red"),
    _s("lower_back_stretch_side", "recommended view", "lower_back_stretch", hold_s=21.0, seed=28, body="small"),
    _s("seated_torso_twist_front", "recommended view (front); both sides, the chair turned round between them; the second turn on each side is shallow (12 deg, not counted)", "seated_torso_twist", n_reps=3, faults=("shallow",), seed=45, body="tall", clothing="red", side="right"),
    # --- faults
    _s("glute_bridge_side_over_arch", "over_arch on reps 2 and 4", "glute_bridge", n_reps=4, faults=("over_arch",), seed=30, body="tall", clothing="red"),
    _s("glute_bridge_side_not_high_enough", "not_high_enough on reps 2 and 4", "glute_bridge", n_reps=4, faults=("not_high_enough",), seed=31, body="small", side="right"),
    _s("glute_bridge_side_shallow", "shallow attempts (not counted) on reps 2 and 4", "glute_bridge", n_reps=4, faults=("shallow",), seed=32, body="medium", clothing="red"),
    _s("bird_dog_side_hip_opening", "hip_opening on rep 2 of each side (side view barely sees it)", "bird_dog", n_reps=2, faults=("hip_opening",), seed=33, body="medium"),
    _s("bird_dog_side_arm_short", "arm_short_of_line on rep 2 of each side (the leg still reaches the line, so the rep counts)", "bird_dog", n_reps=2, faults=("arm_short_of_line",), seed=34, body="small", clothing="red"),
    _s("bird_dog_leg_side_short", "leg-only bird dog with leg_short_of_line on reps 2 and 4 (50 deg: below the active band, not counted)", "bird_dog_leg", n_reps=4, faults=("leg_short_of_line",), seed=44, body="tall", side="right"),
    _s("bird_dog_side_back_sagging", "back_sagging on rep 2 of each side", "bird_dog", n_reps=2, faults=("back_sagging",), seed=35, body="tall"),
    _s("mckenzie_press_up_side_hips_lifting", "hips_lifting on rep 2", "mckenzie_press_up", n_reps=3, faults=("hips_lifting",), seed=36, body="small"),
    _s("clamshell_front_hip_rolls_back", "hip_rolls_back on reps 2 and 4", "clamshell", n_reps=4, faults=("hip_rolls_back",), seed=37, body="tall", clothing="red", side="right"),
    _s("knee_to_chest_single_side_released_early", "hold released after 10 s (minimum 20 s)", "knee_to_chest_single", faults=("released_early",), seed=38, body="tall", side="right"),
    _s("sciatic_nerve_glide_supine_side_thigh_drift", "thigh_drift on reps 2 and 4", "sciatic_nerve_glide_supine", n_reps=4, faults=("thigh_drift",), seed=39, body="medium"),
    # --- other views
    _s("glute_bridge_oblique45", "45 deg toward the feet: angles shrink in 2D", "glute_bridge", view="oblique", oblique_deg=45.0, n_reps=3, seed=40, body="medium"),
    _s("glute_bridge_feet_end", "end-on view: 2D hip angles are meaningless", "glute_bridge", view="feet_end", n_reps=3, seed=41, body="medium", clothing="red"),
    _s("bird_dog_oblique30", "30 deg toward the feet", "bird_dog", view="oblique", oblique_deg=30.0, n_reps=2, seed=42, body="small"),
    _s("clamshell_oblique45", "front view turned 45 deg toward the feet", "clamshell", view="oblique", oblique_deg=45.0, n_reps=3, seed=43, body="medium", clothing="red"),
)  # fmt: skip


def _spec_fields(spec: ClipSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(spec):
        value = getattr(spec, f.name)
        if isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def load_measurements(path: Path = MEASUREMENTS_FILE) -> dict[str, Any]:
    """The stored MediaPipe measurements, by clip name (empty if none)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    clips = data.get("clips", {})
    return clips if isinstance(clips, dict) else {}


def manifest(
    results: dict[str, dict[str, Any]], measurements: dict[str, Any]
) -> dict[str, Any]:
    """The manifest data for the rendered set.

    Args:
        results: Clip name -> truth metadata of the rendered clip.
        measurements: Clip name -> stored measurement (may be empty).

    Returns:
        A YAML-ready dict.
    """
    clips = []
    for sample in SAMPLES:
        name = sample.spec.stem
        meta = results.get(name)
        if meta is None:
            continue
        m = measurements.get(name, {})
        clips.append(
            {
                "file": f"{name}.mp4",
                "truth": [f"{name}.truth.json", f"{name}.truth.npz"],
                "exercise": sample.spec.exercise,
                "view": sample.spec.resolved_view,
                "purpose": sample.purpose,
                "render": _spec_fields(sample.spec),
                "duration_s": round(float(meta["duration_s"]), 3),
                "frames": meta["frames"],
                "truth_summary": meta["summary"],
                "mediapipe_reliable": m.get("mediapipe_reliable", "not measured"),
                "mediapipe": m.get("mediapipe"),
                "engine": m.get("engine"),
                "notes": m.get("notes", ""),
            }
        )
    return {
        "generator_version": GENERATOR_VERSION,
        "regenerate": "python -m formcheck.synth samples --out sample_videos",
        "measure": "python -m formcheck.synth samples --out sample_videos --measure",
        "reliability_rule": (
            "Over the exercise phase, MediaPipe (full model) vs the truth. "
            "mediapipe_reliable is true when the person is found in >= 95 % of "
            "frames and the near hip and knee 2D angles are within median 6 deg and "
            "90th percentile 15 deg of the true sagittal-plane angles (side-lying: "
            "of the projected truth); 'partial' when only one of the two angles "
            "passes; false otherwise. *_err_* = MediaPipe vs the truth projected "
            "into the same image (landmark accuracy); *_vs_true_* = MediaPipe vs the "
            "true joint angle (adds the view's own distortion)."
        ),
        "clips": clips,
    }


def write_manifest(out_dir: Path, data: dict[str, Any]) -> Path:
    """Write ``manifest.yaml`` (deterministic key order)."""
    path = out_dir / "manifest.yaml"
    header = (
        "# Generated by `python -m formcheck.synth samples`; do not edit by hand.\n"
    )
    path.write_text(
        header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    return path


def _render_one(spec: ClipSpec, out_dir: str) -> tuple[str, dict[str, Any], int, float]:
    result: ClipResult = render_clip(spec, Path(out_dir))
    return spec.stem, result.meta, result.frames, result.render_s


def render_samples(
    out_dir: Path,
    jobs: int = 1,
    only: Iterable[str] | None = None,
    on_done: Callable[[str, int, float], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Render the curated set into ``out_dir``.

    Args:
        out_dir: Output folder.
        jobs: Worker processes.
        only: Render only these clip names.
        on_done: Called as ``on_done(name, frames, render_s)`` per clip.

    Returns:
        Clip name -> truth metadata.

    Raises:
        ValueError: If ``only`` names an unknown clip.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = set(only) if only else None
    names = {s.spec.stem for s in SAMPLES}
    if wanted is not None and not wanted <= names:
        raise ValueError(
            f"unknown sample(s) {sorted(wanted - names)}; see `samples --list`"
        )
    todo = [s.spec for s in SAMPLES if wanted is None or s.spec.stem in wanted]
    results: dict[str, dict[str, Any]] = {}
    if jobs <= 1:
        for spec in todo:
            name, meta, frames, secs = _render_one(spec, str(out_dir))
            results[name] = meta
            if on_done:
                on_done(name, frames, secs)
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_render_one, spec, str(out_dir)) for spec in todo]
        for fut in as_completed(futures):
            name, meta, frames, secs = fut.result()
            results[name] = meta
            if on_done:
                on_done(name, frames, secs)
    return results


def read_results(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Truth metadata of the sample clips already in ``out_dir``."""
    import json

    out = {}
    for s in SAMPLES:
        p = out_dir / f"{s.spec.stem}.truth.json"
        if p.is_file():
            out[s.spec.stem] = json.loads(p.read_text(encoding="utf-8"))
    return out

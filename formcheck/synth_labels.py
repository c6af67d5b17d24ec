"""Benchmark labels from generated clips (their truth files).

Every generated clip has ``<clip>.truth.json`` (labels) and
``<clip>.truth.npz`` (per-frame arrays) beside it; see ``docs/synth.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from formcheck.bench import ClipLabel, ClipSource, FaultLabel, LabelConfidence
from formcheck.errors import InputError, SpecError
from formcheck.specs import load_spec

TRUTH_FORMAT = "formcheck-synth-truth-1"


def _clip_names(manifest: Path) -> list[str] | None:
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{manifest}: cannot read manifest ({exc})") from None
    clips: Any = data.get("clips") if isinstance(data, dict) else data
    if not isinstance(clips, list):
        return None
    names = []
    for entry in clips:
        if isinstance(entry, dict):
            name = (
                entry.get("clip")
                or entry.get("name")
                or entry.get("file")
                or entry.get("video")
            )
            if name:
                names.append(Path(str(name)).name.removesuffix(".mp4"))
    return names or None


def label_from_truth(truth_json: Path) -> ClipLabel:
    """Turn one truth file into a benchmark label.

    Raises:
        InputError: If the truth file is missing or not a formcheck truth file.
    """
    try:
        truth = json.loads(truth_json.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{truth_json}: cannot read truth file ({exc})") from None
    if truth.get("format") != TRUTH_FORMAT:
        raise InputError(f"{truth_json}: not a formcheck truth file")
    folder = truth_json.parent
    exercise = truth["exercise"]
    try:
        spec = load_spec(exercise)
    except SpecError as exc:
        raise InputError(f"{truth_json}: {exc}") from None
    summary = truth.get("summary", {})
    reps = truth.get("reps", [])
    view = truth.get("view", "side")
    if truth.get("oblique_deg") is not None:
        view = f"{view} {truth['oblique_deg']:g}°"
    rules = {r.id for r in spec.rules}
    faults: list[FaultLabel] = []
    clean: list[tuple[float, float]] = []
    for rep in reps:
        if not rep.get("counted", True):
            continue
        labelled = [f for f in rep.get("faults", []) if f in rules]
        for f in labelled:
            faults.append(FaultLabel(f, rep["start_s"], rep["end_s"], rep.get("side")))
        if not rep.get("faults"):
            clean.append((rep["start_s"], rep["end_s"]))
    arrays_path = folder / truth.get(
        "arrays_file", truth_json.name.replace(".json", ".npz")
    )
    landmarks = None
    if arrays_path.is_file():
        with np.load(arrays_path) as arrays:
            landmarks = arrays["landmarks_xy_px"].astype(np.float64)
    counted_reps = spec.kind == "reps"
    per_side = summary.get("per_side") if spec.side.mode == "alternating" else None
    holds = (
        [float(h["held_s"]) for h in truth.get("holds", [])]
        if spec.kind == "hold"
        else None
    )
    side = truth.get("side") if spec.side.mode == "painful" else None
    return ClipLabel(
        path=folder
        / truth.get("video_file", truth_json.name.replace(".truth.json", ".mp4")),
        exercise=exercise,
        view=view,
        source=ClipSource.GENERATED,
        reps=int(summary.get("reps", 0)) if counted_reps else None,
        reps_per_side=per_side,
        holds_s=holds,
        faults=faults,
        clean_reps=clean,
        confidence=LabelConfidence.EXACT,
        side=side,
        truth_landmarks_px=landmarks,
        note=f"{truth.get('body', {}).get('name', '')} body, seed {truth.get('seed')}",
    )


def labels_from_manifest(manifest: str | Path) -> list[ClipLabel]:
    """Labels for the generated clips of a manifest (or of every truth file in a folder).

    Args:
        manifest: ``sample_videos/manifest.yaml``, or a folder of rendered clips.

    Raises:
        InputError: If the manifest is missing or names a clip without a truth file.
    """
    path = Path(manifest)
    if path.is_dir():
        return [label_from_truth(p) for p in sorted(path.glob("*.truth.json"))]
    if not path.is_file():
        raise InputError(f"{path}: no such manifest")
    names = _clip_names(path)
    folder = path.parent
    if names is None:
        return [label_from_truth(p) for p in sorted(folder.glob("*.truth.json"))]
    labels = []
    for name in names:
        truth = folder / f"{name}.truth.json"
        if not truth.is_file():
            raise InputError(f"{path}: clip '{name}' has no truth file {truth.name}")
        labels.append(label_from_truth(truth))
    return labels

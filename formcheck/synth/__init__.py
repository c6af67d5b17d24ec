"""Labelled synthetic exercise videos.

A numpy mannequin performs each exercise from keyframed joint angles; a small
z-buffer ray caster (numpy; OpenCV only blurs) draws it, and every clip gets a
truth file with the exact landmarks, joint angles, repetitions, holds and
injected faults. See ``docs/synth.md``.

Modules:

* :mod:`formcheck.synth.skeleton`: body shapes, forward and inverse kinematics,
  the 33 BlazePose landmarks and the body's volumes.
* :mod:`formcheck.synth.camera`: the pinhole camera and standard views.
* :mod:`formcheck.synth.render`: the z-buffer renderer.
* :mod:`formcheck.synth.keyframes`: poses, anchors, limb goals, timelines.
* :mod:`formcheck.synth.postures`: start positions (tabletop, supine ...).
* :mod:`formcheck.synth.motions`: keyframed motions for every exercise.
* :mod:`formcheck.synth.faults`: the fault ids and where they apply.
* :mod:`formcheck.synth.measures`: exact body measures from 3D landmarks.
* :mod:`formcheck.synth.truth`: the truth file (JSON + NPZ).
* :mod:`formcheck.synth.clip`: render one clip (video + truth).
* :mod:`formcheck.synth.samples`: the curated sample set and its manifest.
* ``devtools/synth_measure*.py`` (source checkout only): MediaPipe versus
  truth, which writes ``measurements.yaml``.
* :mod:`formcheck.synth.pictures`: the Exercises page's pictures.
* :mod:`formcheck.synth.cli`: ``python -m formcheck.synth``.
"""

from __future__ import annotations

GENERATOR_VERSION = "1.0.0"

__all__ = ["GENERATOR_VERSION"]

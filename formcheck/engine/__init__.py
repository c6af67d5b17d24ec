"""The checking engine, as small stages wired by one checker.

* :mod:`~formcheck.engine.scene` — who is in view, near side, camera view, cuts.
* :mod:`~formcheck.engine.calibration` — the still start pose.
* :mod:`~formcheck.engine.tracking` — signals per frame, smoothed, with history.
* :mod:`~formcheck.engine.rules` — pure rule evaluation; faults that persist.
* :mod:`~formcheck.engine.counting` — repetition counter, hold timer, pacer.
* :mod:`~formcheck.engine.modes` — reps / hold / guided behind one interface.
* :mod:`~formcheck.engine.records` — repetitions, holds and faults, immutable.
* :mod:`~formcheck.engine.cues` — the one cue shown at a time.
* :mod:`~formcheck.engine.checker` — :class:`FormChecker` wires the stages.
* :mod:`~formcheck.engine.exercise_set` — :class:`ExerciseSet`, the owner of a
  set: frames in, a session record out.
"""

from __future__ import annotations

from formcheck.engine.checker import FormChecker
from formcheck.engine.exercise_set import ExerciseSet

__all__ = ["ExerciseSet", "FormChecker"]

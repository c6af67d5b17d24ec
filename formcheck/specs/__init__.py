"""Exercise specs: the schema and the loader.

* ``schema``: the root model :class:`ExerciseSpec` (one YAML file); every
  model below stays importable from it.
* ``base``: the strict base model and shared field types.
* ``placement``: camera, measured side, start-pose calibration.
* ``signals``: one model per signal kind and the ``Signal`` union.
* ``rules``: :class:`RuleSpec`, phases, rule kinds and severities.
* ``modes``: the ``reps``, ``guided`` and ``hold`` sections.
* ``ranges`` and ``limits``: what each spec number may be.
* ``loader``: reading YAML files, the built-in specs, the JSON Schema.
"""

from formcheck.specs.loader import (
    builtin_spec_dir,
    json_schema,
    load_all,
    load_spec,
    load_spec_file,
)
from formcheck.specs.schema import ExerciseSpec, RuleSpec

__all__ = [
    "ExerciseSpec",
    "RuleSpec",
    "builtin_spec_dir",
    "json_schema",
    "load_all",
    "load_spec",
    "load_spec_file",
]

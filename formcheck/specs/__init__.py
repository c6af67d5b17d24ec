"""Exercise specs: the schema and the loader."""

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

"""Find, read and validate exercise specs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from formcheck.errors import SpecError
from formcheck.spec_files import (
    builtin_spec_dir as builtin_spec_dir,
    find_spec_file,
    list_spec_files as list_spec_files,
)
from formcheck.specs.schema import ExerciseSpec

#: A message that starts with its own key path, e.g. ``rules.3.max: ...``.
_KEYED_MESSAGE = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*: ")


def _format_validation_error(path: Path, error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see `formcheck spec schema`)"
        if not location and _KEYED_MESSAGE.match(message):
            # A check across the spec names its own key path.
            lines.append(f"{path}: {message}")
        else:
            lines.append(f"{path}: {location or '(top level)'}: {message}")
    return "\n".join(lines)


def parse_spec(data: Any, path: Path) -> ExerciseSpec:
    """Validate already-parsed YAML data.

    Args:
        data: The mapping read from the file.
        path: The file it came from (for messages).

    Raises:
        SpecError: Naming the file, the key path and what is wrong.
    """
    if not isinstance(data, dict):
        raise SpecError(
            f"{path}: (top level): expected a mapping of keys, got {type(data).__name__}"
        )
    try:
        return ExerciseSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_format_validation_error(path, exc)) from None
    except RecursionError:
        raise SpecError(_too_deep(path)) from None


def _too_deep(path: Path) -> str:
    return (
        f"{path}: lists or mappings are nested too deeply to be a spec "
        "(a spec needs only a few levels)"
    )


def load_spec_file(path: str | Path) -> ExerciseSpec:
    """Read and validate one spec file.

    Raises:
        SpecError: If the file is missing, is not YAML, or is not a valid spec.
    """
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: no such spec file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read spec file ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        # PyYAML builds nested collections recursively, one level per call.
        raise SpecError(_too_deep(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"{path}: {where}not valid YAML ({problem})") from None
    spec = parse_spec(data, path)
    if path.stem != spec.id:
        raise SpecError(
            f"{path}: id: '{spec.id}' must match the file name '{path.stem}'"
        )
    return spec


def load_all(directory: Path | None = None) -> dict[str, ExerciseSpec]:
    """Load every spec in a folder, keyed by id.

    Raises:
        SpecError: If any spec is invalid.
    """
    return {spec.id: spec for spec in map(load_spec_file, list_spec_files(directory))}


def load_spec(name_or_path: str | Path) -> ExerciseSpec:
    """Load a bundled spec by id, or a spec file by path.

    Raises:
        SpecError: If the id is unknown (listing the known ids) or the file is invalid.
    """
    return load_spec_file(find_spec_file(name_or_path))


def json_schema() -> str:
    """Return the JSON Schema of the spec format, for editors."""
    schema = ExerciseSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "formcheck exercise spec"
    return json.dumps(schema, indent=2)

"""Find, read and validate exercise specs."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, ScalarNode

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


class _SpecYAMLError(yaml.MarkedYAMLError):
    """A value the spec loader refuses, with the line and column it is on."""


def _shorten(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


class _SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses what it would otherwise take silently.

    A key given twice in one mapping (plain PyYAML keeps only the last, so a
    second ``rules:`` block would drop the first) and a number or date it
    cannot turn into a value (a whole number beyond Python's digit limit, a
    day 30 of February) are errors that name their line. Everything else is
    ``yaml.safe_load``: plain data only, aliases shared rather than copied.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._checked: set[int] = set()

    def flatten_mapping(self, node: MappingNode) -> None:
        """Check a mapping's own keys for repeats, then apply ``<<`` merges.

        PyYAML flattens every mapping before it builds it, and rewrites the
        node's key list while doing so, so the keys are checked on the first
        call only (while the list still holds just the mapping's own keys).
        Keys brought in by a ``<<`` merge may be overridden, as YAML allows.

        Raises:
            _SpecYAMLError: At the second of two equal keys.
        """
        if id(node) not in self._checked:
            self._checked.add(id(node))
            first_line: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag in (
                    "tag:yaml.org,2002:merge",
                    "tag:yaml.org,2002:value",
                ):
                    continue  # merges apply below; other keys fail as before
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 1
                if key in first_line:
                    raise _SpecYAMLError(
                        problem=(
                            f"key '{_shorten(str(key), 60)}' is given twice in the "
                            f"same mapping (first on line {first_line[key]}); only "
                            "one would count, so merge the two or remove one"
                        ),
                        problem_mark=key_node.start_mark,
                    )
                first_line[key] = line
        super().flatten_mapping(node)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        """A whole number, or an error naming its line if it is unreadable.

        Raises:
            _SpecYAMLError: If the number is longer than Python reads
                (``sys.get_int_max_str_digits``) or not a number at all.
        """
        try:
            return int(super().construct_yaml_int(node))
        except ValueError:
            text = str(node.value)
            limit = sys.get_int_max_str_digits()
            digits = sum(c.isdigit() for c in text)
            problem = (
                f"the number {_shorten(text)} has {digits} digits, more than the "
                f"{limit} a number may have (a spec needs only a few)"
                if limit and digits > limit
                else f"'{_shorten(text)}' is not a whole number"
            )
            raise _SpecYAMLError(
                problem=problem, problem_mark=node.start_mark
            ) from None

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        """A date or time, or an error naming its line if there is no such day.

        Raises:
            _SpecYAMLError: For e.g. ``2024-02-30`` or ``2024-01-01 25:00``.
        """
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _SpecYAMLError(
                problem=(
                    f"'{_shorten(str(node.value))}' reads as a date but is not "
                    f"one ({exc}); put it in quotes if it is meant as text"
                ),
                problem_mark=node.start_mark,
            ) from None


_SpecLoader.add_constructor("tag:yaml.org,2002:int", _SpecLoader.construct_yaml_int)
_SpecLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _SpecLoader.construct_yaml_timestamp
)


def load_yaml(text: str) -> Any:
    """Parse YAML text the way spec files are read.

    Like ``yaml.safe_load``, but a key given twice in one mapping, or a number
    or date that cannot be read, is an error naming its line.

    Raises:
        yaml.YAMLError: If the text is not YAML or holds such a value; its
            ``problem_mark`` gives the line and column.
        RecursionError: If lists or mappings are nested thousands deep.
    """
    loader = _SpecLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


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
        data = load_yaml(text)
    except RecursionError:
        # PyYAML builds nested collections recursively, one level per call.
        raise SpecError(_too_deep(path)) from None
    except _SpecYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError(f"{path}: {where}{exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"{path}: {where}not valid YAML ({problem})") from None
    except ValueError as exc:
        # A value PyYAML cannot build that the checks above do not name.
        raise SpecError(f"{path}: not a value a spec can hold ({exc})") from None
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

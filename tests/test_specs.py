"""Spec loading: the bundled specs validate, and bad specs name file, key and problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from formcheck.errors import SpecError
from formcheck.specs import (
    builtin_spec_dir,
    json_schema,
    load_all,
    load_spec,
    load_spec_file,
)

BRIDGE = builtin_spec_dir() / "glute_bridge.yaml"


def write_variant(tmp_path: Path, change, name: str = "glute_bridge") -> Path:
    data = yaml.safe_load(BRIDGE.read_text())
    change(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_bundled_specs_validate() -> None:
    specs = load_all()
    assert {"glute_bridge", "bird_dog"} <= set(specs)
    bird = specs["bird_dog"]
    assert bird.side.mode == "alternating"
    assert bird.cannot_see and bird.safety.stop_if


def test_load_by_id_and_by_path() -> None:
    assert load_spec("glute_bridge").id == "glute_bridge"
    assert load_spec(BRIDGE).id == "glute_bridge"


def test_unknown_exercise_lists_known_ids() -> None:
    with pytest.raises(SpecError, match="unknown exercise 'squat'.*glute_bridge"):
        load_spec("squat")


def test_unknown_key_names_file_and_key_path(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda d: d["reps"].__setitem__("enterr", 150))
    with pytest.raises(SpecError) as exc:
        load_spec_file(path)
    message = str(exc.value)
    assert str(path) in message
    assert "reps.enterr" in message
    assert "unknown key" in message


def test_bad_point_name_is_reported(tmp_path: Path) -> None:
    path = write_variant(
        tmp_path,
        lambda d: d["signals"]["knee"].__setitem__(
            "points", ["near.hip", "near.kne", "near.ankle"]
        ),
    )
    with pytest.raises(
        SpecError, match=r"signals\.knee\..*points.*unknown body part 'kne'"
    ):
        load_spec_file(path)


def test_rule_on_unknown_signal(tmp_path: Path) -> None:
    path = write_variant(
        tmp_path, lambda d: d["rules"][0].__setitem__("signal", "hip_angle")
    )
    with pytest.raises(SpecError, match="rules.0.signal: unknown signal 'hip_angle'"):
        load_spec_file(path)


def test_thresholds_must_match_direction(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda d: d["reps"].update(enter=140, exit=160))
    with pytest.raises(SpecError, match="enter.*must be greater than.*exit"):
        load_spec_file(path)


def test_rule_needs_a_bound(tmp_path: Path) -> None:
    def drop(d):
        d["rules"][0].pop("max")

    path = write_variant(tmp_path, drop)
    with pytest.raises(SpecError, match="rules.0.*needs `min`, `max`"):
        load_spec_file(path)


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\nsignals: [\n")
    with pytest.raises(
        SpecError, match=r"broken.yaml: line \d+, column \d+: not valid YAML"
    ):
        load_spec_file(path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda d: None, name="bridge_copy")
    with pytest.raises(SpecError, match="must match the file name"):
        load_spec_file(path)


def test_missing_file() -> None:
    with pytest.raises(SpecError, match="no such spec file"):
        load_spec_file("nope/missing.yaml")


def test_json_schema_is_valid_json_with_signal_types() -> None:
    schema = json.loads(json_schema())
    text = json.dumps(schema)
    for kind in (
        "joint_angle",
        "segment_angle",
        "height",
        "combine",
        "line_distance",
        "turn",
    ):
        assert kind in text
    assert schema["title"] == "formcheck exercise spec"

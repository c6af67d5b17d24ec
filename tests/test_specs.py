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


# ------------------------------------------------ numbers: finite and in range
def rule_index(data: dict, rule_id: str) -> int:
    return next(i for i, r in enumerate(data["rules"]) if r["id"] == rule_id)


def set_rule(rule_id: str, **values: object):
    def change(d: dict) -> None:
        d["rules"][rule_index(d, rule_id)].update(values)

    return change


def spec_error(path: Path) -> str:
    with pytest.raises(SpecError) as exc:
        load_spec_file(path)
    return str(exc.value)


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        # .nan made a rule fire on every repetition; -.inf meant no rep counted.
        (set_rule("over_arch", max=float("nan")), "rules.2.max", "finite number"),
        (lambda d: d["reps"].update(exit=float("-inf")), "reps.exit", "finite"),
        (lambda d: d["reps"].update(enter=float("inf")), "reps.enter", "finite"),
        (
            lambda d: d["camera"].update(height_m=[float("nan"), 0.6]),
            "camera.height_m.0",
            "finite",
        ),
        (
            set_rule("over_arch", max=720),
            "rules.2.max",
            "720 is outside what signal 'hip_extension' can be (0 to 360 deg)",
        ),
        (
            set_rule("feet_too_far", max=200),
            "rules.4.max",
            "200 is outside what signal 'knee' can be (0 to 180 deg)",
        ),
        (
            lambda d: d["reps"].update(enter=400, enter_range=None),
            "reps.enter",
            "400 is outside what signal 'hip_extension' can be",
        ),
        (
            set_rule("heels_lifting", max=50),
            "rules.6.max",
            "50 is outside what signal 'heel_lift' can be (-40 to 40 torso lengths)",
        ),
        (
            set_rule("hold_at_top", min=5000),
            "rules.8.min",
            "outside what a repetition's active_s can be (0 to 600 s)",
        ),
        (
            lambda d: d["reps"].update(target_reps=1e30),
            "reps.target_reps",
            "as an integer",
        ),
        (
            lambda d: d["reps"].update(target_reps=1000),
            "reps.target_reps",
            "less than or equal to 30",
        ),
        (
            set_rule("over_arch", persist_s=-1.0),
            "rules.2.persist_s",
            "greater than or equal to 0",
        ),
        (
            lambda d: d["reps"].update(max_duration_s=-5),
            "reps.max_duration_s",
            "greater than 0",
        ),
        (
            lambda d: d["camera"].update(distance_m=[3.0, 2.0]),
            "camera.distance_m",
            "must not exceed the second",
        ),
    ],
)
def test_spec_numbers_must_be_finite_and_in_range(
    tmp_path: Path, change, key: str, problem: str
) -> None:
    path = write_variant(tmp_path, change)
    message = spec_error(path)
    assert message.startswith(f"{path}: {key}: "), message
    assert problem in message, message
    assert "\n" not in message, message


def test_rule_bounds_follow_the_signal_unit(tmp_path: Path) -> None:
    # 0.3 torso lengths is fine for a height; 0.3 deg would be fine too, but a
    # height of 100 torso lengths is not.
    ok = write_variant(tmp_path, set_rule("heels_lifting", max=0.3))
    assert load_spec_file(ok).rule("heels_lifting").max == 0.3


def test_combine_must_not_mix_units(tmp_path: Path) -> None:
    def mix(d: dict) -> None:
        d["signals"]["mixed"] = {
            "type": "combine",
            "op": "max",
            "of": ["knee", "heel_lift"],
        }

    message = spec_error(write_variant(tmp_path, mix))
    assert "signals.mixed.of: cannot combine signals measured in different units" in (
        message
    )


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deeply_nested_yaml_names_the_file(tmp_path: Path, opening: str) -> None:
    depth = 100_000
    closing = "]" if opening == "[" else "}"
    path = tmp_path / "deep.yaml"
    path.write_text(f"id: deep\nsignals: {opening * depth}1{closing * depth}\n")
    message = spec_error(path)
    assert message == (
        f"{path}: lists or mappings are nested too deeply to be a spec "
        "(a spec needs only a few levels)"
    )


def test_a_spec_path_that_is_a_folder_says_so(tmp_path: Path) -> None:
    from formcheck.spec_files import find_spec_file

    folder = tmp_path / "mine.yaml"
    folder.mkdir()
    with pytest.raises(SpecError, match="is a folder, not a spec file"):
        find_spec_file(str(folder))

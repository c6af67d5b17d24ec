"""Spec files a user may hand in: each problem is one line naming the file.

A whole number too long for Python to read, or a key given twice (which plain
YAML loading would settle by silently keeping the last), used to end in an
"internal error" or in a spec that validated with a check missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from formcheck.errors import SpecError
from formcheck.specs import builtin_spec_dir, load_spec_file
from formcheck.specs.loader import load_yaml
from tests.cli_support import run_in_process
from tests.conftest import DATA, REPO

BRIDGE = builtin_spec_dir() / "glute_bridge.yaml"
LIMIT = sys.get_int_max_str_digits()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_in_process(capsys, *args)


def bridge_variant(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """The bundled glute bridge spec with one piece of text replaced."""
    text = BRIDGE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "glute_bridge.yaml"
    changed = text.replace(old, new)
    path.write_text(changed, encoding="utf-8")
    return path, changed


def line_of(text: str, fragment: str, nth: int = 1) -> int:
    """1-based line number of the ``nth`` line starting with ``fragment``."""
    hits = [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if line.lstrip().startswith(fragment)
    ]
    return hits[nth - 1]


# ------------------------------------------------------- a 5001-digit number
HUGE = "1" + "0" * 5000


def huge_number_spec(tmp_path: Path) -> tuple[Path, str]:
    path, text = bridge_variant(tmp_path, "target_reps: 12", f"target_reps: {HUGE}")
    line = line_of(text, "target_reps:")
    column = text.splitlines()[line - 1].index(HUGE) + 1
    expected = (
        f"formcheck: error: {path}: line {line}, column {column}: the number "
        f"10000000000000000... has 5001 digits, more than the {LIMIT} a number "
        "may have (a spec needs only a few)"
    )
    return path, expected


def test_spec_validate_names_the_file_of_a_5001_digit_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, expected = huge_number_spec(tmp_path)
    status, _, err = run(capsys, "spec", "validate", str(path))
    assert status == 1
    assert err.splitlines() == [
        expected,
        "formcheck: error: 1 of 1 spec file(s) are invalid",
    ]


def test_analyze_names_the_file_of_a_5001_digit_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, expected = huge_number_spec(tmp_path)
    status, _, err = run(
        capsys, "analyze", "--landmarks", str(DATA / "polybag_bird_dog.landmarks.npz"),
        "-e", str(path), "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert status == 1
    assert err.splitlines() == [expected]


# ------------------------------------------------------------ repeated keys
def test_a_second_rules_block_is_refused_naming_file_key_and_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Plain YAML loading kept only the second, empty block: no rule was checked.
    path, text = bridge_variant(tmp_path, "reminders:", "rules: []\nreminders:")
    first, second = line_of(text, "rules:"), line_of(text, "rules:", 2)
    status, out, err = run(capsys, "spec", "validate", str(path))
    assert status == 1
    assert "ok" not in out
    assert err.splitlines()[0] == (
        f"formcheck: error: {path}: line {second}, column 1: key 'rules' is given "
        f"twice in the same mapping (first on line {first}); only one would "
        "count, so merge the two or remove one"
    )


def test_a_key_repeated_inside_a_rule_is_refused(tmp_path: Path) -> None:
    path, text = bridge_variant(
        tmp_path, "    max: 190 ", "    max: 190\n    max: 400 "
    )
    second = line_of(text, "max: 400")
    with pytest.raises(SpecError) as exc:
        load_spec_file(path)
    assert str(exc.value) == (
        f"{path}: line {second}, column 5: key 'max' is given twice in the same "
        f"mapping (first on line {second - 1}); only one would count, so merge "
        "the two or remove one"
    )


def test_merge_keys_may_still_be_overridden() -> None:
    text = "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  x: 3\n"
    assert load_yaml(text) == {"base": {"x": 1, "y": 2}, "use": {"x": 3, "y": 2}}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a:\n  - {id: x, cue: one, cue: two}\n", "key 'cue' is given twice"),
        ("a: 1\n'a': 2\n", "key 'a' is given twice"),
        ("a: 2024-02-30\n", "'2024-02-30' reads as a date but is not one"),
        ("a: !!int x\n", "'x' is not a whole number"),
    ],
)
def test_unreadable_values_name_their_line(text: str, problem: str) -> None:
    with pytest.raises(yaml.YAMLError) as exc:
        load_yaml(text)
    assert problem in str(exc.value)
    assert exc.value.problem_mark is not None  # type: ignore[attr-defined]


def test_every_bundled_yaml_file_has_no_repeated_key() -> None:
    files = sorted((REPO / "pose_specs").rglob("*.yaml"))
    assert len(files) > 20
    for path in files:
        assert isinstance(load_yaml(path.read_text(encoding="utf-8")), dict), path


def test_a_routine_with_a_repeated_key_is_refused_in_one_line(tmp_path: Path) -> None:
    from formcheck.routines import load_routine

    path = tmp_path / "twice.yaml"
    path.write_text(
        "id: twice\nname: Twice\nitems:\n  - exercise: glute_bridge\n"
        "items:\n  - exercise: bird_dog\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as excinfo:
        load_routine(path)
    (line,) = str(excinfo.value).splitlines()
    assert line.startswith(f"{path}: cannot read routine")
    assert "key 'items' is given twice" in line

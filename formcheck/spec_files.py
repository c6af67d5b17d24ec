"""Where exercise specs are found, without reading them.

Finding a spec's file needs no pydantic and no YAML, so the command line can
refuse an unknown exercise at once, before it loads anything heavy (see
:mod:`formcheck.parallel.pose_stream`). :mod:`formcheck.specs.loader` reads
and validates the file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from formcheck.errors import SpecError


def builtin_spec_dir() -> Path:
    """Return the folder holding the bundled specs.

    An installed wheel carries them as ``formcheck/pose_specs``; a source
    checkout (including an editable install) has them at ``pose_specs/`` next to
    the package.
    """
    packaged = Path(str(resources.files("formcheck"))) / "pose_specs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "pose_specs"


def list_spec_files(directory: Path | None = None) -> list[Path]:
    """Return the spec files in a folder (default: the bundled specs)."""
    folder = directory or builtin_spec_dir()
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))


def find_spec_file(name_or_path: str | Path) -> Path:
    """The file of a bundled spec named by id, or a spec file named by path.

    Raises:
        SpecError: If the id is unknown (listing the known ids) or the file
            does not exist.
    """
    candidate = Path(name_or_path)
    if candidate.suffix in {".yaml", ".yml"} or candidate.is_file():
        if candidate.is_dir():
            raise SpecError(f"{candidate}: is a folder, not a spec file")
        if not candidate.is_file():
            raise SpecError(f"{candidate}: no such spec file")
        return candidate
    known = {p.stem: p for p in list_spec_files()}
    if str(name_or_path) not in known:
        raise SpecError(
            f"unknown exercise '{name_or_path}'; known exercises: {', '.join(sorted(known))}"
        )
    return known[str(name_or_path)]

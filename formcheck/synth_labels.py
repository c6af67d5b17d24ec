"""Benchmark labels from the generated clips' manifest and truth files."""

from __future__ import annotations

from pathlib import Path

from formcheck.bench import ClipLabel
from formcheck.errors import InputError


def labels_from_manifest(manifest: str | Path) -> list[ClipLabel]:
    """Turn a generated-clip manifest into benchmark labels.

    Raises:
        InputError: If the manifest is missing or malformed.
    """
    path = Path(manifest)
    if not path.is_file():
        raise InputError(f"{path}: no such manifest")
    raise InputError(f"{path}: reading generated-clip manifests is not implemented yet")

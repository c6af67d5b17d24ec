"""formcheck: exercise form checking for sciatica and low-back-pain exercises.

The public API::

    from formcheck import load_spec, FormChecker, analyze_video
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from formcheck._version import __version__

if TYPE_CHECKING:
    from formcheck.engine import FormChecker
    from formcheck.errors import (
        FormcheckError,
        InputError,
        OutputError,
        PoseBackendError,
        SessionFileError,
        SpecError,
        VideoError,
    )
    from formcheck.results import FrameResult, RepRecord
    from formcheck.specs import ExerciseSpec, load_all, load_spec
    from formcheck.types import PoseFrame, PoseSequence

# Loaded on first use, so that ``import formcheck.pose`` (or any small part)
# does not pay for the engine, pydantic and the specs.
_LAZY = {
    "FormChecker": "formcheck.engine",
    "FormcheckError": "formcheck.errors",
    "InputError": "formcheck.errors",
    "OutputError": "formcheck.errors",
    "PoseBackendError": "formcheck.errors",
    "SessionFileError": "formcheck.errors",
    "SpecError": "formcheck.errors",
    "VideoError": "formcheck.errors",
    "FrameResult": "formcheck.results",
    "RepRecord": "formcheck.results",
    "ExerciseSpec": "formcheck.specs",
    "load_all": "formcheck.specs",
    "load_spec": "formcheck.specs",
    "PoseFrame": "formcheck.types",
    "PoseSequence": "formcheck.types",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'formcheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ExerciseSpec",
    "FormChecker",
    "FormcheckError",
    "FrameResult",
    "InputError",
    "OutputError",
    "PoseBackendError",
    "PoseFrame",
    "PoseSequence",
    "RepRecord",
    "SessionFileError",
    "SpecError",
    "VideoError",
    "__version__",
    "load_all",
    "load_spec",
]

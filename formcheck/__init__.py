"""formcheck: exercise form checking for sciatica and low-back-pain exercises.

The public API::

    from formcheck import load_spec, FormChecker, analyze_video
"""

from __future__ import annotations

from formcheck._version import __version__
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

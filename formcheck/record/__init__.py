"""The session record: model, recorder and files.

* :mod:`~formcheck.record.model` — the versioned JSON document (pydantic).
* :mod:`~formcheck.record.recorder` — builds a record from frame results.
* :mod:`~formcheck.record.files` — atomic writes and checked reads.
* :mod:`~formcheck.record.landmarks` — the landmarks to replay a set.
"""

from __future__ import annotations

from formcheck.record.files import (
    SessionFiles,
    create_session_files,
    load_many,
    load_session,
    write_session_files,
)
from formcheck.record.landmarks import LandmarkTrack
from formcheck.record.model import (
    ExerciseInfo,
    SessionGroup,
    SessionRecord,
    SideSummary,
    SignalTrack,
    SourceInfo,
    Summary,
    SymptomReport,
    parse_session,
)
from formcheck.record.recorder import SessionRecorder

__all__ = [
    "ExerciseInfo",
    "LandmarkTrack",
    "SessionFiles",
    "SessionGroup",
    "SessionRecord",
    "SessionRecorder",
    "SideSummary",
    "SignalTrack",
    "SourceInfo",
    "Summary",
    "SymptomReport",
    "create_session_files",
    "load_many",
    "load_session",
    "parse_session",
    "write_session_files",
]

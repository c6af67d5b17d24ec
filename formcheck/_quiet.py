"""Keep the native libraries' own log lines out of formcheck's output.

MediaPipe (TFLite and absl), FFmpeg and OpenCV write straight to the process's
standard error (file descriptor 2), beside formcheck's one-line messages:
"Created TensorFlow Lite XNNPACK delegate", absl ``W0000 …`` lines, FFmpeg's
``[mov,mp4 …] moov atom not found``, OpenCV's ``[ WARN:0@0.2] …``. Two tools
silence them at the source while keeping real errors visible:

* :func:`quiet_native_logging` sets the libraries' log levels (environment
  variables they read when they start, and OpenCV's and PyAV's run-time
  levels). The command line calls it first, unless ``--verbose``; the app
  calls it on every page. Variables the user already set are respected.
* :func:`native_stderr_filtered` captures file descriptor 2 around a block
  (MediaPipe graph creation and its first frames, whose absl/TFLite lines
  no variable controls), drops the known informational lines (logged at
  DEBUG on the ``formcheck.native`` logger) and writes everything else —
  errors included — back to standard error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

logger = logging.getLogger("formcheck.native")

#: Environment variables the libraries read when they start.
QUIET_ENVIRONMENT: dict[str, str] = {
    "GLOG_minloglevel": "2",  # glog-based MediaPipe builds: errors only
    "TF_CPP_MIN_LOG_LEVEL": "2",  # TensorFlow: errors only
    "OPENCV_LOG_LEVEL": "ERROR",  # OpenCV's own [ WARN:…] lines
    "OPENCV_FFMPEG_LOGLEVEL": "8",  # FFmpeg inside OpenCV: AV_LOG_FATAL only
}
_CV2_LOG_LEVEL_ERROR = 2

#: Informational lines of MediaPipe's native code (TFLite, absl INFO/WARNING).
NATIVE_NOISE = re.compile(
    r"^(?:INFO: Created TensorFlow Lite"
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IW]\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\] )"
)

# One capture at a time: file descriptor 2 belongs to the whole process.
_CAPTURE_LOCK = threading.RLock()


def quiet_native_logging() -> None:
    """Turn the native libraries' logging down to errors.

    Sets :data:`QUIET_ENVIRONMENT` (without overriding what the user set),
    OpenCV's log level if OpenCV is loaded and its level was not chosen by the
    user, PyAV's (FFmpeg's) to "ignore" and absl's Python logger to ERROR.
    Safe to call more than once.
    """
    user_chose_cv2 = "OPENCV_LOG_LEVEL" in os.environ
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    logging.getLogger("absl").setLevel(logging.ERROR)
    cv2 = sys.modules.get("cv2")
    if cv2 is not None and not user_chose_cv2:
        # OpenCV reads OPENCV_LOG_LEVEL when it is imported: set it now too.
        cv2.setLogLevel(_CV2_LOG_LEVEL_ERROR)
    if "av" in sys.modules:
        import av.logging

        av.logging.set_level(None)  # PyAV's default: FFmpeg lines are dropped


def _replay(text: str) -> None:
    """Drop the known noise in captured output; write the rest to stderr."""
    keep: list[str] = []
    for line in text.splitlines():
        if NATIVE_NOISE.match(line):
            logger.debug("%s", line)
        elif line.strip():
            keep.append(line)
    if keep and sys.stderr is not None:
        sys.stderr.write("\n".join(keep) + "\n")
        sys.stderr.flush()


@contextlib.contextmanager
def native_stderr_filtered() -> Iterator[None]:
    """Capture file descriptor 2 in the block; replay all but known noise.

    Whatever is written to standard error inside the block (by native code or
    by Python) is held back until the block ends; then lines matching
    :data:`NATIVE_NOISE` are logged at DEBUG and the others written to
    standard error. Captures never overlap (a process-wide lock), and when
    descriptor 2 cannot be duplicated the block simply runs uncaptured.

    Yields:
        Nothing; the block runs with standard error captured.
    """
    with _CAPTURE_LOCK:
        try:
            if sys.stderr is not None:
                sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):
            yield
            return
        with tempfile.TemporaryFile() as capture:
            try:
                os.dup2(capture.fileno(), 2)
                try:
                    yield
                finally:
                    with contextlib.suppress(OSError, ValueError, AttributeError):
                        sys.stderr.flush()
                    os.dup2(saved, 2)
            finally:
                os.close(saved)
                capture.seek(0)
                _replay(capture.read().decode("utf-8", "replace"))

"""Ending the ``formcheck`` process at once when its work is done.

When a Python program returns, the interpreter tears itself down: it frees
every module and object one by one and collects the garbage. After an
analysis, with MediaPipe, OpenCV, PyAV and pydantic loaded, that takes
0.2–0.3 s on the development machine (2 % of a 10 s clip's whole run;
docs/performance.md), during which the user's shell waits and nothing useful
happens: the outputs are already written (atomically) and closed.
:func:`exit_now` does what matters of that teardown and skips the rest.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn

#: Commands that end with :func:`exit_now` (they write files, then are done).
FAST_EXIT_COMMANDS = frozenset({"analyze", "demo"})


def _threads_still_working() -> bool:
    """Whether a thread the interpreter would wait for is still running."""
    main = threading.main_thread()
    return any(
        t.is_alive() and not t.daemon for t in threading.enumerate() if t is not main
    )


def exit_now(status: int) -> NoReturn:
    """End the process with ``status``, without the interpreter's teardown.

    The exit handlers still run (``atexit``: logging's flush, multiprocessing's
    clean-up of its children, ``weakref.finalize`` callbacks) and the standard
    streams are flushed; only the freeing of memory the operating system
    reclaims anyway is skipped. If a (non-daemon) thread is still running, the
    normal exit is used, which waits for it.

    Args:
        status: The exit status.
    """
    if _threads_still_working():
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # closed, or a closed pipe
            stream.flush()
    os._exit(status)

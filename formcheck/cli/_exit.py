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
import os
import sys
import threading
from typing import NoReturn

#: Commands that end with :func:`exit_now` (they write files, then are done).
FAST_EXIT_COMMANDS = frozenset({"analyze", "demo"})
#: Python's exit status when standard output cannot be flushed at exit.
_FLUSH_FAILED = 120


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
    normal exit is used, which waits for it (and runs the threading module's
    own exit callbacks, such as ``concurrent.futures``' shutdown, which matter
    only while such threads exist). As at a normal exit, a failed flush of
    standard output (a closed pipe) turns a status of 0 into 120.

    Args:
        status: The exit status.
    """
    if _threads_still_working():
        sys.exit(status)
    atexit._run_exitfuncs()
    flushed = True
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe, or a closed stream
            flushed = False
    os._exit(status if flushed or status != 0 else _FLUSH_FAILED)

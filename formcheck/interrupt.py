"""Stopping a long run cleanly when the user (or the system) asks.

:func:`stop_on_signals` turns the first Ctrl-C (``SIGINT``) or ``SIGTERM``
into a request, :class:`StopRequest`, that the analysis loop reads between
frames: the run then finishes what it has (the annotated video so far, the
session record marked as ended early) instead of dying half-way. A second
signal stops at once (``KeyboardInterrupt``), saving nothing more.

Example:
    >>> with stop_on_signals() as stop:  # doctest: +SKIP
    ...     result = analyze_video(video, spec, stop=stop)
    ...     if stop.requested:
    ...         sys.exit(stop.exit_status)
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

logger = logging.getLogger(__name__)

#: The signals that ask a run to stop.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """Whether someone asked the run to stop, and how.

    Attributes:
        signum: The signal that asked (``None``: nobody asked yet).
    """

    def __init__(self) -> None:
        self.signum: int | None = None

    @property
    def requested(self) -> bool:
        """True once a stop has been asked for."""
        return self.signum is not None

    def request(self, signum: int = signal.SIGINT) -> None:
        """Ask the run to stop (the first request wins)."""
        if self.signum is None:
            self.signum = signum

    @property
    def how(self) -> str:
        """What asked for the stop, in words ("Ctrl-C", "SIGTERM")."""
        from formcheck import messages

        return messages.stop_signal_name(self.signum or signal.SIGINT)

    @property
    def exit_status(self) -> int:
        """The shell's status for a run ended by this signal (128 + its number)."""
        return 128 + int(self.signum or signal.SIGINT)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """Catch ``SIGINT`` and ``SIGTERM`` as a :class:`StopRequest` while the block runs.

    The first signal sets the request; a second one raises
    ``KeyboardInterrupt`` (stop at once). The previous handlers are restored
    when the block ends. Outside the main thread (where Python cannot set
    signal handlers) the request is returned without handlers.
    """
    from formcheck.messages import STOPPING

    notice = f"formcheck: {STOPPING}\n".encode()
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop.request(signum)
        logger.info("stop requested (%s): finishing what was analysed", stop.how)
        if sys.stderr.isatty():  # a person is watching: say why it goes on
            os.write(2, notice)

    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for s, old in previous.items():
            signal.signal(s, old)

"""A small pool of worker processes that report while they work.

:class:`WorkerPool` starts ``workers`` processes (the ``spawn`` method: no
inherited threads or model state, and it works the same under Streamlit) that
take tasks from one queue. A task is a plain function; while it runs it can
:func:`send` messages (a batch of poses, progress) to the parent, which reads
them in arrival order with :meth:`WorkerPool.messages`. Its return value
arrives as a ``done`` message, an exception as an ``error`` message that the
parent raises again.

Unlike :class:`concurrent.futures.ProcessPoolExecutor`, the parent sees
messages while tasks run, notices a worker that died (a crash in native
code), and can stop its workers two ways: at once (:meth:`WorkerPool.terminate`),
or by asking (:meth:`WorkerPool.request_stop`): tasks not started yet end as
``cancelled``, and running ones see :func:`task_stop` turn ``requested`` and
finish what they have.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import signal
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from multiprocessing.context import SpawnProcess
from types import TracebackType
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.interrupt import StopRequest

logger = logging.getLogger(__name__)

#: Seconds between two checks that every worker is still alive.
_POLL_S = 0.5
#: Seconds a worker gets to finish on its own when the pool closes.
_JOIN_S = 5.0

_outbox: Any = None
_task_id: int = -1
_stop_signal: Any = None  # the pool's shared stop (a signal number; 0: none)


@contextlib.contextmanager
def _plain_main() -> Iterator[None]:
    """Start worker processes as if from a plain ``__main__``.

    A spawned process first runs the parent's main script again. When the
    parent is a Streamlit page (the app, or a test of it), that script is the
    page: the worker would draw the page, and fail, before its first task.
    The workers need nothing from it, so they are shown an empty one.
    """
    real = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if real is not None:
            sys.modules["__main__"] = real


class MessageKind(StrEnum):
    """What a worker tells the parent."""

    DATA = "data"
    PROGRESS = "progress"
    DONE = "done"
    ERROR = "error"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Message:
    """One message from a worker.

    Attributes:
        task: The id given to :meth:`WorkerPool.submit`.
        kind: Data, progress, the task's return value, its error, or that it
            was never started (the pool was asked to stop first).
        payload: What was sent (for ``ERROR``: the exception).
    """

    task: int
    kind: MessageKind
    payload: Any


#: Messages after which a task is over.
_ENDS_A_TASK = (MessageKind.DONE, MessageKind.ERROR, MessageKind.CANCELLED)


class WorkerDied(FormcheckError):
    """A worker process ended without finishing its task."""


def send(kind: MessageKind, payload: Any) -> None:
    """Send a message to the parent from inside a running task.

    Outside a pool worker (a task run in-process) it does nothing.
    """
    if _outbox is not None:
        _outbox.put((_task_id, kind.value, payload))


class _SharedStop(StopRequest):
    """A worker's view of its pool's stop request (set by the parent)."""

    def __init__(self, shared: Any) -> None:  # no super(): signum is shared
        self._shared = shared

    @property
    def signum(self) -> int | None:
        """The signal the parent was stopped by (``None``: not stopped)."""
        return int(self._shared.value) or None

    @signum.setter
    def signum(self, value: int | None) -> None:
        self._shared.value = int(value or 0)


def task_stop() -> StopRequest | None:
    """In a pool worker: the stop request of the pool (see :meth:`WorkerPool.request_stop`).

    Returns ``None`` outside a pool worker (a task run in-process).
    """
    return None if _stop_signal is None else _SharedStop(_stop_signal)


def _worker_main(inbox: Any, outbox: Any, stop_signal: Any = None) -> None:
    global _outbox, _task_id, _stop_signal
    _outbox = outbox
    _stop_signal = stop_signal
    # Ctrl-C in a terminal (and SIGTERM from `timeout`, systemd or a `kill`
    # of the process group) reaches every process of the group: the parent
    # decides what stops (request_stop(), or terminate(), which kills).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from formcheck._quiet import quiet_native_logging

    quiet_native_logging()
    parent = multiprocessing.parent_process()
    while True:
        try:
            item = inbox.get(timeout=_POLL_S)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                return  # the parent died without stopping us: end too
            continue
        if item is None:
            return
        task, function, args = item
        _task_id = task
        if stop_signal is not None and stop_signal.value:
            outbox.put((task, MessageKind.CANCELLED.value, None))
            continue
        try:
            result = function(*args)
        except BaseException as exc:  # sent to the parent, raised there
            logger.debug("task %d failed", task, exc_info=True)
            outbox.put((task, MessageKind.ERROR.value, _picklable(exc)))
            if not isinstance(exc, Exception):
                return
        else:
            outbox.put((task, MessageKind.DONE.value, result))


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` itself when it survives pickling, else a plain description."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return RuntimeError(text)
    return exc


class WorkerPool:
    """Worker processes that run tasks and stream messages back.

    Args:
        workers: Number of processes (at least 1).

    Example:
        >>> with WorkerPool(2) as pool:  # doctest: +SKIP
        ...     pool.submit(0, estimate_chunk, path, chunk)
        ...     for message in pool.messages():
        ...         ...
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"`workers` must be >= 1, but got {workers!r}")
        context = multiprocessing.get_context("spawn")
        self._inbox: Any = context.Queue()
        self._outbox: Any = context.Queue()
        self._stop_signal: Any = context.Value("i", 0)
        self._open_tasks: set[int] = set()
        self._closed = False
        self._processes: list[SpawnProcess] = [
            context.Process(
                target=_worker_main,
                args=(self._inbox, self._outbox, self._stop_signal),
                daemon=True,
                name=f"formcheck-worker-{i}",
            )
            for i in range(workers)
        ]
        with _plain_main():
            for process in self._processes:
                process.start()

    @property
    def size(self) -> int:
        """Number of worker processes."""
        return len(self._processes)

    def submit(self, task: int, function: Callable[..., Any], *args: Any) -> None:
        """Queue ``function(*args)`` (both picklable) as task ``task``."""
        if self._closed:
            raise RuntimeError("this WorkerPool is closed")
        self._open_tasks.add(task)
        self._inbox.put((task, function, args))

    @property
    def pending(self) -> int:
        """Tasks submitted whose ``done``, ``error`` or ``cancelled`` has not been read."""
        return len(self._open_tasks)

    def messages(self, idle: Callable[[], None] | None = None) -> Iterator[Message]:
        """Messages in arrival order until every submitted task has ended.

        A task's error is yielded as an ``ERROR`` message (the caller decides
        whether to raise it).

        Args:
            idle: Called each time no message came for a while (about half a
                second), e.g. to pass a stop request on.

        Raises:
            WorkerDied: If a worker process ended while tasks were open.
        """
        while self._open_tasks:
            try:
                task, kind, payload = self._outbox.get(timeout=_POLL_S)
            except queue.Empty:
                self._check_alive()
                if idle is not None:
                    idle()
                continue
            message = Message(task, MessageKind(kind), payload)
            if message.kind in _ENDS_A_TASK:
                self._open_tasks.discard(task)
            yield message

    def _check_alive(self) -> None:
        dead = [p for p in self._processes if p.exitcode is not None]
        if dead:
            codes = ", ".join(str(p.exitcode) for p in dead)
            self.terminate()
            raise WorkerDied(
                f"a worker process stopped unexpectedly (exit code {codes}); "
                "try again with --jobs 1"
            )

    def request_stop(self, signum: int) -> None:
        """Ask the tasks to stop: queued ones are cancelled, running ones told.

        A running task sees it through :func:`task_stop` and should end soon
        with what it has; keep reading :meth:`messages` until every task has
        ended (``done``, ``error`` or ``cancelled``).

        Args:
            signum: The signal that stopped the parent (for the tasks' words).
        """
        with self._stop_signal.get_lock():
            if not self._stop_signal.value:
                self._stop_signal.value = int(signum)

    def close(self) -> None:
        """Let the workers finish and stop them. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for _ in self._processes:
            self._inbox.put(None)
        for process in self._processes:
            process.join(_JOIN_S)
        self.terminate()

    def terminate(self) -> None:
        """Stop every worker now (their tasks are abandoned)."""
        self._closed = True
        for process in self._processes:
            if process.is_alive():
                process.kill()
        for process in self._processes:
            process.join(_JOIN_S)
        for q in (self._inbox, self._outbox):
            q.cancel_join_thread()
            q.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
        else:
            self.terminate()

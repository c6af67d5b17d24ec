"""Overlap the stages of one analysis on threads: decoding, pose, checking.

The pose model spends its time in native code that releases the GIL, and it
does not keep both cores busy; decoding (FFmpeg) and video encoding (x264)
release the GIL too. :class:`Prefetch` runs an iterator on a thread of its
own, a few items ahead of its consumer, so that decoding the next frame,
estimating this one and checking the previous one happen at the same time.
The order of the items never changes, so neither do the results.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

_END = object()
_PUT_POLL_S = 0.1


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class Prefetch(Generic[T]):
    """Iterate ``source`` on a background thread, up to ``size`` items ahead.

    Exceptions raised by ``source`` are raised again by ``next()`` in the
    consumer. Closing (or leaving the ``with`` block) stops the thread and
    closes ``source`` if it is a generator.

    Args:
        source: The items, produced on the background thread.
        size: Items kept ready (at least 1).
        name: Name of the thread (for debugging).

    Example:
        >>> with Prefetch(reader.frames(), size=4) as frames:  # doctest: +SKIP
        ...     for frame in frames:
        ...         ...
    """

    def __init__(
        self, source: Iterable[T], size: int = 4, name: str = "prefetch"
    ) -> None:
        if size < 1:
            raise ValueError(f"`size` must be >= 1, but got {size!r}")
        self._source = source
        self._queue: queue.Queue[object] = queue.Queue(maxsize=size)
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._produce, name=name, daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_PUT_POLL_S)
            except queue.Full:
                continue
            return True
        return False

    def _produce(self) -> None:
        iterator = iter(self._source)
        try:
            for item in iterator:
                if not self._put(item):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the consumer
            self._put(_Failure(exc))
        finally:
            close = getattr(iterator, "close", None)
            if callable(close):
                close()

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        item = self._queue.get()
        if item is _END:
            self._finished = True
            self._thread.join()
            raise StopIteration
        if isinstance(item, _Failure):
            self._finished = True
            self._thread.join()
            raise item.exc
        return item  # type: ignore[return-value]

    def resize(self, size: int) -> None:
        """Keep up to ``size`` items ready from now on (at least 1)."""
        if size < 1:
            raise ValueError(f"`size` must be >= 1, but got {size!r}")
        with self._queue.mutex:
            self._queue.maxsize = size
            self._queue.not_full.notify_all()

    def close(self) -> None:
        """Stop the background thread (and the source). Safe to call twice."""
        self._stop.set()
        self._finished = True
        while self._thread.is_alive():
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            self._thread.join(timeout=_PUT_POLL_S)

    def __enter__(self) -> Prefetch[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

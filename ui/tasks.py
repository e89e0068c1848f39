"""TaskRunner: the only way the UI starts work off the main thread.

Two lanes: the store lane (one thread: local service calls run in order, so a scan and the
payment that follows never race) and the network lane (a small pool for calls that wait on a
remote party). Every result and error comes back through one queued Qt signal, so callbacks
always run on the main thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorHandler = Callable[[BaseException], None]


class TaskRunner(QObject):
    _finished = Signal(object)

    def __init__(self, on_error: ErrorHandler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._default_error = on_error
        self._store = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-lane")
        self._network = ThreadPoolExecutor(max_workers=4, thread_name_prefix="network-lane")
        self._in_flight = 0
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def in_flight(self) -> int:
        """Tasks started and not yet answered on the main thread."""
        return self._in_flight

    def store(self, work: Callable[[], T], *, then: Callable[[T], None] | None = None,
              on_error: ErrorHandler | None = None) -> Future[None]:
        return self._submit(self._store, work, then, on_error)

    def network(self, work: Callable[[], T], *, then: Callable[[T], None] | None = None,
                on_error: ErrorHandler | None = None) -> Future[None]:
        return self._submit(self._network, work, then, on_error)

    def shutdown(self) -> None:
        self._store.shutdown(wait=True, cancel_futures=False)
        self._network.shutdown(wait=False, cancel_futures=True)

    def _submit(self, pool: ThreadPoolExecutor, work: Callable[[], T],
                then: Callable[[T], None] | None, on_error: ErrorHandler | None) -> Future[None]:
        self._in_flight += 1
        handler = on_error or self._default_error

        def job() -> None:
            try:
                result = work()
            except Exception as exc:  # delivered to the main thread, never swallowed
                self._finished.emit(partial(handler, exc))
                return
            self._finished.emit(None if then is None else partial(then, result))

        return pool.submit(job)

    def _deliver(self, callback: Callable[[], Any] | None) -> None:
        self._in_flight -= 1
        if callback is None:
            return
        try:
            callback()
        except Exception:
            log.exception("a task callback failed on the main thread")

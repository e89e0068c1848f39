"""DeviceWorker: one daemon thread per device that runs its jobs in order.

Device ports never block the caller: they ``submit`` a job here and return. A job that raises
is logged with its traceback and the worker goes on with the next one, so one bad receipt or an
unplugged cable never stops the device for the rest of the day.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Job = Callable[[], object]


def _stop() -> None:
    """Queued by close(): the thread ends after the jobs queued before it."""


class DeviceWorker:
    """A job queue and the one thread that drains it, first in, first out."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._closed = False
        self._close_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"device-{name}", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def submit(self, job: Job) -> None:
        """Queue ``job`` and return at once; raises RuntimeError once the worker is closed."""
        with self._close_lock:
            if self._closed:
                raise RuntimeError(f"device worker {self.name!r} is closed")
            self._jobs.put(job)

    def close(self, timeout: float = 5.0) -> bool:
        """Run what is queued, stop the thread and wait up to ``timeout`` seconds for it.

        Returns True when the thread has ended; False when a job is still running (it is a
        daemon thread, so it cannot keep the process alive).
        """
        with self._close_lock:
            if not self._closed:
                self._closed = True
                self._jobs.put(_stop)
        if threading.current_thread() is self._thread:
            return False  # closed from one of its own jobs: the loop ends after this job
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("device %s did not stop within %.1f s", self.name, timeout)
            return False
        return True

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _stop:
                return
            try:
                job()
            except Exception:
                log.exception("device %s: job failed; the device goes on", self.name)

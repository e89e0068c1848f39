"""EventBus: thread-safe publish/subscribe; handlers run on the publisher's thread.

A failing handler is logged with its traceback and does not stop the other handlers or the
publisher: a printer queue that breaks must not undo a committed sale.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from pos_app.events import Event

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: list[tuple[type[Event], Handler]] = []

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call ``handler`` for every published event of ``kind`` (or a subclass); returns an
        unsubscribe function."""
        entry = (kind, handler)
        with self._lock:
            self._handlers.append(entry)  # type: ignore[arg-type]

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._handlers:
                    self._handlers.remove(entry)  # type: ignore[arg-type]

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            handlers = [h for kind, h in self._handlers if isinstance(event, kind)]
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log.exception("event handler %r failed on %s", handler, type(event).__name__)

    def publish_all(self, events: list[Event]) -> None:
        for event in events:
            self.publish(event)

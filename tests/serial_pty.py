"""A serial cable the test holds the far end of: a real pseudo-terminal pair.

The adapter opens ``link``, a symlink to the pty's slave side, as a real serial port (like a
/dev/serial/by-id/... link); the test plays the device on the master side. unplug() closes the
pty and removes the link, as pulling a USB-serial adapter does; plug_in() makes a new pty and
points the link at it, as plugging it back in does.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import tty
from collections.abc import Callable
from pathlib import Path

WAIT = 5.0
"""Seconds a test waits for the device thread before calling it stuck."""

Responder = Callable[[bytes], bytes]
"""Given the bytes the adapter just sent, what the device sends back (b"" for nothing)."""


class PtyCable:
    def __init__(self, link: Path, *, respond: Responder | None = None) -> None:
        self.link = link
        self.respond = respond
        self._received = bytearray()
        self._changed = threading.Condition()
        self._fds: list[int] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._master = -1
        self.plug_in()

    @property
    def received(self) -> bytes:
        with self._changed:
            return bytes(self._received)

    def wait_for(self, done: Callable[[bytes], bool], timeout: float = WAIT) -> bytes:
        """Everything received so far, once ``done`` holds for it (fails after ``timeout``)."""
        with self._changed:
            assert self._changed.wait_for(lambda: done(bytes(self._received)), timeout), bytes(
                self._received
            )
            return bytes(self._received)

    def clear(self) -> None:
        with self._changed:
            self._received.clear()

    def plug_in(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)  # a device's UART drops bytes rather than wait
        wake_read, wake_write = os.pipe()
        temporary = self.link.with_name(self.link.name + ".new")
        os.symlink(os.ttyname(slave), temporary)
        os.replace(temporary, self.link)
        self._stop = threading.Event()
        self._master = master
        self._fds = [master, slave, wake_read, wake_write]
        reader = threading.Thread(target=self._read, args=(master, wake_read), daemon=True)
        self._threads = [reader]
        reader.start()

    def unplug(self) -> None:
        self.link.unlink(missing_ok=True)
        self._stop.set()
        os.write(self._fds[3], b"x")
        for thread in self._threads:
            thread.join(WAIT)
        for fd in self._fds:
            os.close(fd)
        self._fds = []

    def send(self, data: bytes) -> None:
        """What the device sends by itself (the pty drops it when the adapter is not reading)."""
        with contextlib.suppress(BlockingIOError):
            os.write(self._master, data)

    def stream(self, frames: Callable[[], bytes], period: float = 0.01) -> None:
        """Send ``frames()`` every ``period`` seconds until unplugged, like a continuous scale."""
        stop = self._stop

        def run() -> None:
            while not stop.wait(period):
                self.send(frames())

        thread = threading.Thread(target=run, daemon=True)
        self._threads.append(thread)
        thread.start()

    def close(self) -> None:
        if self._fds:
            self.unplug()

    def _read(self, master: int, wake: int) -> None:
        while True:
            ready, _, _ = select.select([master, wake], [], [])
            if wake in ready:
                return
            try:
                data = os.read(master, 4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:  # EIO: nobody holds the other side any more
                return
            with self._changed:
                self._received += data
                self._changed.notify_all()
            reply = b"" if self.respond is None else self.respond(data)
            if reply:
                self.send(reply)

"""SerialScale: the Scale port over a scale on a serial line (RS-232, USB-serial).

request_weight() only queues a job; the scale's DeviceWorker thread opens the port when needed,
sends the protocol's request and waits up to ``timeout_s`` for a frame it can read. Every
request ends in exactly one on_reading call on that thread. A port that cannot be opened, an
I/O error (cable pulled) or no readable answer in time report the scale offline through
on_status and answer the request with a failed reading; while offline, a probe every
``retry_s`` reopens the port and asks again, so plugging the scale back in is enough. The port
path may be a stable symlink such as /dev/serial/by-id/..., which reappears on replugging.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import serial  # type: ignore[import-untyped]

from hardware.device_worker import DeviceWorker
from hardware.scale.protocols import ProtocolError, ScaleProtocol
from pos_app.errors import ConfigError, DeviceError
from pos_app.ports.scale import DeviceStatusCallback, WeightCallback, WeightReading

log = logging.getLogger(__name__)

_POLL_S = 0.02
"""Longest single read: the deadline is checked at least this often while the line is quiet."""


class ScaleOffline(DeviceError):
    """The scale cannot be reached or gave no readable answer in time (stays in this module)."""


@dataclass(frozen=True, slots=True)
class SerialFraming:
    """Data bits, parity and stop bits, written the usual way: "8N1", "7E1"."""

    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1

    @classmethod
    def parse(cls, text: str) -> SerialFraming:
        spec = text.strip().upper()
        if len(spec) != 3 or spec[0] not in "78" or spec[1] not in "NEO" or spec[2] not in "12":
            raise ConfigError(f"serial framing must look like 8N1 or 7E1, got {text!r}")
        return cls(int(spec[0]), spec[1], int(spec[2]))


class SerialScale:
    def __init__(
        self,
        port: str,
        baudrate: int,
        protocol: ScaleProtocol,
        *,
        on_reading: WeightCallback,
        on_status: DeviceStatusCallback,
        framing: str = "8N1",
        timeout_s: float = 1.0,
        retry_s: float = 2.0,
        name: str = "scale",
    ) -> None:
        self.name = name
        self._port_path = port
        self._baudrate = baudrate
        self._framing = SerialFraming.parse(framing)
        self._protocol = protocol
        self._on_reading = on_reading
        self._on_status = on_status
        self._timeout_s = timeout_s
        self._retry_s = retry_s
        self._port: Any = None  # a serial.Serial while open; touched on the worker thread only
        self._online: bool | None = None
        self._retry: threading.Timer | None = None
        self._closed = threading.Event()
        self._worker = DeviceWorker(name)

    @property
    def online(self) -> bool | None:
        """None until the first exchange, then whether the last one got an answer."""
        return self._online

    def request_weight(self) -> None:
        """Queue one weight request; on_reading follows. RuntimeError after close()."""
        self._worker.submit(self._answer_request)

    def close(self, timeout: float = 5.0) -> None:
        """Stop retrying, finish queued requests, stop the thread and release the port."""
        self._closed.set()
        retry = self._retry
        if retry is not None:
            retry.cancel()
        if self._worker.close(timeout):
            self._close_port()

    def _answer_request(self) -> None:
        try:
            reading = self._exchange()
        except ScaleOffline as exc:
            self._went_offline(str(exc))
            reading = WeightReading.failed()
        except Exception:  # a bug: log it, answer the request, keep the scale thread going
            log.exception("%s: weight request failed", self.name)
            reading = WeightReading.failed()
        else:
            self._came_online()
        log.debug("%s: %s", self.name, reading)
        self._on_reading(reading)

    def _exchange(self) -> WeightReading:
        port = self._opened()
        try:
            stale = port.in_waiting
            if stale:
                port.read(stale)  # frames sent before the request are not its answer
            request = self._protocol.request()
            if request:
                port.write(request)
            return self._await_reading(port, request)
        except (serial.SerialException, OSError) as exc:
            self._close_port()
            raise ScaleOffline(f"{self._port_path}: {exc}") from exc

    def _await_reading(self, port: Any, request: bytes) -> WeightReading:
        """The first readable frame before the deadline; one unreadable frame asks once more."""
        deadline = time.monotonic() + self._timeout_s
        buffer = bytearray()
        received = 0
        problem: ProtocolError | None = None
        while True:
            frame = self._protocol.take_frame(buffer)
            if frame is not None:
                try:
                    return self._protocol.reading(frame)
                except ProtocolError as exc:
                    log.warning("%s: unreadable frame: %s", self.name, exc)
                    if request and problem is None:
                        port.write(request)
                    problem = exc
                continue
            if time.monotonic() >= deadline:
                raise ScaleOffline(self._silence(received, problem))
            chunk = port.read(max(1, port.in_waiting))
            received += len(chunk)
            buffer += chunk

    def _silence(self, received: int, problem: ProtocolError | None) -> str:
        if received == 0:
            return f"no answer from the scale within {self._timeout_s:.1f} s"
        detail = f": {problem}" if problem is not None else ""
        return (
            f"no readable {self._protocol.name} frame in {received} bytes{detail} "
            "(check the protocol, baud rate and framing)"
        )

    def _opened(self) -> Any:
        if self._port is None:
            framing = self._framing
            try:
                self._port = serial.Serial(
                    self._port_path,
                    self._baudrate,
                    bytesize=framing.bytesize,
                    parity=framing.parity,
                    stopbits=framing.stopbits,
                    timeout=_POLL_S,
                    write_timeout=self._timeout_s,
                    exclusive=True,
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                raise ScaleOffline(f"cannot open {self._port_path}: {exc}") from exc
        return self._port

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is None:
            return
        try:
            port.close()
        except (serial.SerialException, OSError):  # closing a dead port must not hide why
            log.warning("%s: closing %s failed", self.name, self._port_path, exc_info=True)

    def _came_online(self) -> None:
        if self._online is not True:
            self._online = True
            detail = f"{self._port_path} ({self._protocol.name})"
            log.info("%s online: %s", self.name, detail)
            self._on_status(True, detail)

    def _went_offline(self, detail: str) -> None:
        if self._online is not False:
            self._online = False
            log.warning("%s offline: %s", self.name, detail)
            self._on_status(False, detail)
        self._schedule_retry()

    def _schedule_retry(self) -> None:
        if self._retry is not None or self._closed.is_set():
            return
        timer = threading.Timer(self._retry_s, self._retry_due)
        timer.daemon = True
        self._retry = timer
        timer.start()

    def _retry_due(self) -> None:
        """On the timer's thread: hand the probe to the scale's own thread."""
        try:
            self._worker.submit(self._probe)
        except RuntimeError:
            log.debug("%s closed before its retry", self.name)

    def _probe(self) -> None:
        self._retry = None
        if self._online or self._closed.is_set():
            return
        try:
            self._exchange()
        except ScaleOffline as exc:
            log.debug("%s still offline: %s", self.name, exc)
            self._schedule_retry()
        except Exception:
            log.exception("%s: probe failed", self.name)
            self._schedule_retry()
        else:
            self._came_online()

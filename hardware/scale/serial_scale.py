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
import time
from typing import Any

import serial  # type: ignore[import-untyped]

from hardware.scale.protocols import ProtocolError, ScaleProtocol
from hardware.serial_link import SerialLink
from pos_app.errors import DeviceError
from pos_app.ports.scale import DeviceStatusCallback, WeightCallback, WeightReading

log = logging.getLogger(__name__)

_POLL_S = 0.02
"""Longest single read: the deadline is checked at least this often while the line is quiet."""


class ScaleOffline(DeviceError):
    """The scale cannot be reached or gave no readable answer in time (stays in this module)."""


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
        self._protocol = protocol
        self._on_reading = on_reading
        self._timeout_s = timeout_s
        self._link = SerialLink(
            name,
            port,
            baudrate,
            framing,
            read_timeout_s=_POLL_S,
            write_timeout_s=timeout_s,
            retry_s=retry_s,
            on_status=on_status,
            on_retry=self._probe,
            offline_error=ScaleOffline,
            online_detail=f"{port} ({protocol.name})",
        )

    @property
    def online(self) -> bool | None:
        """None until the first exchange, then whether the last one got an answer."""
        return self._link.online

    def request_weight(self) -> None:
        """Queue one weight request; on_reading follows. RuntimeError after close()."""
        self._link.submit(self._answer_request)

    def close(self, timeout: float = 5.0) -> None:
        """Stop retrying, finish queued requests, stop the thread and release the port."""
        self._link.close(timeout)

    def _answer_request(self) -> None:
        try:
            reading = self._exchange()
        except ScaleOffline as exc:
            self._link.went_offline(str(exc))
            reading = WeightReading.failed()
        except Exception:  # a bug: log it, answer the request, keep the scale thread going
            log.exception("%s: weight request failed", self.name)
            reading = WeightReading.failed()
        else:
            self._link.came_online()
        log.debug("%s: %s", self.name, reading)
        self._on_reading(reading)

    def _exchange(self) -> WeightReading:
        port = self._link.port()
        try:
            stale = port.in_waiting
            if stale:
                port.read(stale)  # frames sent before the request are not its answer
            request = self._protocol.request()
            if request:
                port.write(request)
            return self._await_reading(port, request)
        except (serial.SerialException, OSError) as exc:
            raise self._link.lost(exc) from exc

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

    def _probe(self) -> None:
        """On the scale's thread while offline: ask again; online or the next retry follows."""
        if self._link.online:
            return
        try:
            self._exchange()
        except ScaleOffline as exc:
            log.debug("%s still offline: %s", self.name, exc)
            self._link.schedule_retry()
        except Exception:
            log.exception("%s: probe failed", self.name)
            self._link.schedule_retry()
        else:
            self._link.came_online()

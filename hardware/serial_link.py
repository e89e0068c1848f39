"""The connection bookkeeping shared by the serial devices (scale, scanner, pole display).

``DeviceLink`` reports a device online or offline through ``on_status`` once per change and,
while it is offline, retries every ``retry_s``: a threading.Timer hands ``on_retry`` back to
the device's own DeviceWorker thread, so the device never touches its port from two threads.
``SerialLink`` adds the serial port itself: opened on demand (exclusively, with the device's
framing), errors turned into the device's offline error, and closed without hiding why it died.

Everything except ``close()`` and ``online`` is meant for the device's worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import serial  # type: ignore[import-untyped]

from hardware.device_worker import DeviceWorker
from pos_app.errors import ConfigError, DeviceError
from pos_app.ports.scale import DeviceStatusCallback

log = logging.getLogger(__name__)


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


class DeviceLink:
    """Online/offline reporting and the retry timer of one device.

    The link owns the device's DeviceWorker thread (``submit``). ``online_detail`` is what
    ``on_status(True, ...)`` says. ``on_retry`` runs on the worker thread each time a retry is
    due (never after ``close()``) and should end in ``came_online`` or ``went_offline`` (which
    schedules the next retry).
    """

    def __init__(
        self,
        name: str,
        *,
        retry_s: float,
        on_status: DeviceStatusCallback,
        on_retry: Callable[[], None],
        online_detail: str,
    ) -> None:
        self.name = name
        self._retry_s = retry_s
        self._on_status = on_status
        self._on_retry = on_retry
        self._online_detail = online_detail
        self._online: bool | None = None
        self._retry: threading.Timer | None = None
        self._closed = threading.Event()
        self._worker = DeviceWorker(name)  # last: nothing can fail after its thread started

    @property
    def online(self) -> bool | None:
        """None until the first report, then whether the device was last seen working."""
        return self._online

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def submit(self, job: Callable[[], object]) -> None:
        """Queue ``job`` on the device's thread; RuntimeError after close()."""
        self._worker.submit(job)

    def came_online(self) -> None:
        """Report the device online, unless that was the last report already."""
        if self._online is not True:
            self._online = True
            log.info("%s online: %s", self.name, self._online_detail)
            self._on_status(True, self._online_detail)

    def went_offline(self, detail: str) -> None:
        """Report the device offline (once per change) and make sure a retry is coming."""
        if self._online is not False:
            self._online = False
            log.warning("%s offline: %s", self.name, detail)
            self._on_status(False, detail)
        self.schedule_retry()

    def schedule_retry(self) -> None:
        """Start the retry timer, unless one is pending already or the device is closed."""
        if self._retry is None and not self._closed.is_set():
            timer = threading.Timer(self._retry_s, self._retry_due)
            timer.daemon = True
            self._retry = timer
            timer.start()

    def close(self, timeout: float = 5.0) -> bool:
        """Stop retrying and close the worker; True when its thread has ended."""
        self._closed.set()
        retry = self._retry
        if retry is not None:
            retry.cancel()
        return self._worker.close(timeout)

    def _retry_due(self) -> None:
        """On the timer's thread: hand the retry to the device's own thread."""
        try:
            self._worker.submit(self._run_retry)
        except RuntimeError:
            log.debug("%s closed before its retry", self.name)

    def _run_retry(self) -> None:
        self._retry = None
        if not self._closed.is_set():
            self._on_retry()


class SerialLink(DeviceLink):
    """A DeviceLink over a serial port that is opened on demand and reopened after a failure.

    ``framing`` is text such as "8N1" (ConfigError when malformed). ``offline_error`` builds
    the device's own offline exception from a message; ``port()`` and ``lost()`` produce it.
    ``read_timeout_s`` / ``write_timeout_s`` go to pyserial as ``timeout`` / ``write_timeout``
    (None: block).
    """

    def __init__(
        self,
        name: str,
        port_path: str,
        baudrate: int,
        framing: str,
        *,
        read_timeout_s: float | None,
        write_timeout_s: float | None = None,
        retry_s: float,
        on_status: DeviceStatusCallback,
        on_retry: Callable[[], None],
        offline_error: Callable[[str], DeviceError],
        online_detail: str,
    ) -> None:
        self.port_path = port_path
        self._baudrate = baudrate
        self._framing = SerialFraming.parse(framing)  # before the worker: ConfigError leaks none
        self._read_timeout_s = read_timeout_s
        self._write_timeout_s = write_timeout_s
        self._offline_error = offline_error
        self._port: Any = None  # a serial.Serial while open; touched on the worker thread only
        super().__init__(
            name,
            retry_s=retry_s,
            on_status=on_status,
            on_retry=on_retry,
            online_detail=online_detail,
        )

    def port(self) -> Any:
        """The open serial.Serial, opened now if needed; the offline error when it cannot be."""
        if self._port is None:
            framing = self._framing
            try:
                self._port = serial.Serial(
                    self.port_path,
                    self._baudrate,
                    bytesize=framing.bytesize,
                    parity=framing.parity,
                    stopbits=framing.stopbits,
                    timeout=self._read_timeout_s,
                    write_timeout=self._write_timeout_s,
                    exclusive=True,
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                raise self._offline_error(f"cannot open {self.port_path}: {exc}") from exc
        return self._port

    def lost(self, exc: BaseException) -> DeviceError:
        """After an I/O error on the port: close it and return the offline error to raise."""
        self.close_port()
        return self._offline_error(f"{self.port_path}: {exc}")

    def close_port(self) -> None:
        """Close the port if open; a failure to close is logged, not raised."""
        port, self._port = self._port, None
        if port is None:
            return
        try:
            port.close()
        except (serial.SerialException, OSError):  # closing a dead port must not hide why
            log.warning("%s: closing %s failed", self.name, self.port_path, exc_info=True)

    def close(self, timeout: float = 5.0) -> bool:
        """Stop retrying, close the worker and, once its thread has ended, the port."""
        stopped = super().close(timeout)
        if stopped:
            self.close_port()
        return stopped

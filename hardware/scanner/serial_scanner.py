"""SerialScanner: a barcode scanner on a serial line, each code published as BarcodeScanned.

The scanner's DeviceWorker thread opens the port (exclusively, so no other program reads the
scans), reads what arrives in short slices and queues the next slice itself, so ``close()``
never waits longer than one slice. A code ends at CR or LF (CR LF counts once); a scanner set
up without a terminator is served by ``idle_flush_s``: bytes followed by that much silence are
a code too. A configured prefix and suffix are stripped when present and not required when
absent (the keyboard-wedge rule, ui/input/wedge.py). GS (0x1D, FNC1 in GS1 data) and every
other character stay in the text.

A port that cannot be opened or fails while reading (cable pulled: pyserial raises on read)
is reported through ``on_status(False, detail)``; a retry every ``retry_s`` reopens it, so
plugging the scanner back in is enough. The port may be a stable /dev/serial/by-id/... link.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import serial  # type: ignore[import-untyped]

from hardware.serial_link import SerialLink
from pos_app.errors import DeviceError
from pos_app.events import BarcodeScanned
from pos_app.ports.scale import DeviceStatusCallback

log = logging.getLogger(__name__)

ScanCallback = Callable[[BarcodeScanned], None]
"""Called on the scanner thread with each code (the composition root: bus.publish)."""

SOURCE = "serial"
_SLICE_S = 0.05
"""Longest single read: how often the thread looks up from the port (close, idle flush)."""
_MAX_CODE_BYTES = 4096
"""A line longer than this is noise (wrong baud rate): it is dropped, not published."""


class ScannerOffline(DeviceError):
    """The scanner's port cannot be opened or failed while reading (stays in this module)."""


def strip_affixes(text: str, prefix: str, suffix: str) -> str:
    """``text`` without ``prefix`` at its start and ``suffix`` at its end, each if present."""
    if prefix and text.startswith(prefix):
        text = text[len(prefix) :]
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)]
    return text


class LineFramer:
    """Cuts a byte stream into codes at CR/LF; bytes left unterminated wait for more."""

    def __init__(self) -> None:
        self._pending = bytearray()

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def feed(self, data: bytes) -> list[bytes]:
        """The complete codes in ``data`` (with what came before), empty lines skipped."""
        self._pending += data
        codes: list[bytes] = []
        while True:
            ends = [i for i in (self._pending.find(b"\r"), self._pending.find(b"\n")) if i >= 0]
            if not ends:
                break
            end = min(ends)
            line = bytes(self._pending[:end])
            del self._pending[: end + 1]
            if line:
                codes.append(line)
        if len(self._pending) > _MAX_CODE_BYTES:
            log.warning("serial scanner: %d bytes without a terminator dropped", len(self._pending))
            self._pending.clear()
        return codes

    def flush(self) -> bytes:
        """What is pending, as a code of its own (a scanner that sends no terminator)."""
        line = bytes(self._pending)
        self._pending.clear()
        return line


class SerialScanner:
    def __init__(
        self,
        port: str,
        baudrate: int = 9600,
        *,
        on_scan: ScanCallback,
        on_status: DeviceStatusCallback,
        framing: str = "8N1",
        prefix: str = "",
        suffix: str = "",
        encoding: str = "utf-8",
        idle_flush_s: float = 0.3,
        retry_s: float = 2.0,
        name: str = "scanner",
    ) -> None:
        self.name = name
        self._on_scan = on_scan
        self._prefix, self._suffix, self._encoding = prefix, suffix, encoding
        self._idle_flush_s = idle_flush_s
        self._framer = LineFramer()
        self._last_byte_at = 0.0
        self._link = SerialLink(
            name,
            port,
            baudrate,
            framing,
            read_timeout_s=_SLICE_S,
            retry_s=retry_s,
            on_status=on_status,
            on_retry=self._read_slice,
            offline_error=ScannerOffline,
            online_detail=f"{port} ({baudrate} baud)",
        )

    @property
    def online(self) -> bool | None:
        """None until the port was first tried, then whether it is open and reading."""
        return self._link.online

    def start(self) -> None:
        """Start listening; returns at once. RuntimeError after close()."""
        self._link.submit(self._read_slice)

    def close(self, timeout: float = 5.0) -> None:
        """Stop reading and retrying, stop the thread and release the port."""
        self._link.close(timeout)

    def _read_slice(self) -> None:
        if self._link.closed:
            return
        try:
            self._receive(self._link.port())
        except ScannerOffline as exc:
            self._link.went_offline(str(exc))
            return
        self._link.came_online()
        self._next_slice()

    def _receive(self, port: Any) -> None:
        try:
            chunk: bytes = port.read(max(1, port.in_waiting))
        except (serial.SerialException, OSError) as exc:
            self._framer.flush()  # half a code from before the cable was pulled is not a code
            raise self._link.lost(exc) from exc
        now = time.monotonic()
        if chunk:
            self._last_byte_at = now
            lines = self._framer.feed(chunk)
        elif self._idle_flush_s and self._framer.pending:
            idle = now - self._last_byte_at >= self._idle_flush_s
            lines = [self._framer.flush()] if idle else []
        else:
            lines = []
        for line in lines:
            self._publish(line)

    def _publish(self, line: bytes) -> None:
        text = strip_affixes(
            line.decode(self._encoding, errors="replace"), self._prefix, self._suffix
        )
        if not text:
            return
        log.debug("%s: scanned %d characters", self.name, len(text))
        try:
            self._on_scan(BarcodeScanned(text, SOURCE))
        except Exception:  # a subscriber's bug must not stop the scanner
            log.exception("%s: scan handler failed", self.name)

    def _next_slice(self) -> None:
        try:
            self._link.submit(self._read_slice)
        except RuntimeError:
            log.debug("%s closed while reading", self.name)

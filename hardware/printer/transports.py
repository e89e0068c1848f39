"""Where a printer's bytes go: a file (the demo printer), USB, a serial port or TCP port 9100.

Every transport raises PrinterOffline, and only that, when the printer cannot take the bytes:
python-escpos, pyusb, pyserial and socket errors are translated here and go no further.
Connections open lazily on the device thread; a failed one is dropped and reopened by the
next job, so plugging the printer back in is enough. USB, serial and network transports can
also read: ``exchange`` sends real-time status requests and collects the answers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pos_app.errors import PrinterOffline

log = logging.getLogger(__name__)

PICKLE_DIR_VARIABLE = "ESCPOS_CAPABILITIES_PICKLE_DIR"


class PrinterTransport(Protocol):
    def write(self, data: bytes) -> None:
        """Send all of ``data``; raises PrinterOffline when the printer cannot take it."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class StatusTransport(Protocol):
    """A transport that can read the printer's answers (not the file transport)."""

    def exchange(self, requests: Sequence[bytes], timeout_s: float) -> list[bytes]:
        """Send each request and wait up to ``timeout_s`` for its answer (b"" when none came);
        raises PrinterOffline when the printer cannot be reached."""
        ...


def prepare_escpos_env(cache_dir: Path | None = None) -> Path:
    """Point python-escpos's capabilities cache at a persistent folder; call before importing it.

    Without it every ``import escpos`` re-reads its capabilities file (0.2-0.35 s) into a new
    temporary folder. ``cache_dir`` wins, then an existing ESCPOS_CAPABILITIES_PICKLE_DIR, then
    a folder in the user's cache directory. Returns the folder in use.
    """
    if cache_dir is None:
        existing = os.environ.get(PICKLE_DIR_VARIABLE)
        cache_dir = Path(existing) if existing else _user_cache_dir() / "escpos"
    cache_dir.mkdir(parents=True, exist_ok=True)
    os.environ[PICKLE_DIR_VARIABLE] = str(cache_dir)
    if "escpos.capabilities" in sys.modules:
        log.warning("escpos was imported before prepare_escpos_env(); the cache applies next run")
    return cache_dir


def _user_cache_dir() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "pos" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "pos"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pos"


def _escpos_printers() -> Any:
    """python-escpos's printer classes, imported on first use (slow; see prepare_escpos_env)."""
    import escpos.printer  # type: ignore[import-untyped]

    return escpos.printer


class FileTransport:
    """Appends the bytes to a file: the demo printer, the real renderer's output on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, data: bytes) -> None:
        try:
            with self.path.open("ab") as handle:
                handle.write(data)
        except OSError as exc:
            raise PrinterOffline(f"cannot write to {self.path}: {exc}") from exc

    def close(self) -> None:
        """Nothing stays open between jobs."""


class _EscposTransport:
    """A python-escpos printer object used as a byte pipe, opened on the first write."""

    _keep_open = True

    def __init__(self, description: str) -> None:
        self.description = description
        self._printer: Any = None

    def write(self, data: bytes) -> None:
        from escpos.exceptions import Error as EscposError  # type: ignore[import-untyped]

        try:
            printer = self._connected()
            printer._raw(data)  # python-escpos's byte pipe: no encoding, no commands added
        except (EscposError, OSError, ValueError) as exc:
            # ValueError: pyusb's NoBackendError (no libusb) and bad serial settings.
            self.close()
            raise PrinterOffline(f"{self.description}: {exc}") from exc
        if not self._keep_open:
            self.close()

    def exchange(self, requests: Sequence[bytes], timeout_s: float) -> list[bytes]:
        from escpos.exceptions import Error as EscposError

        answers: list[bytes] = []
        try:
            printer = self._connected()
            for request in requests:
                self._discard_input(printer)
                printer._raw(request)
                answers.append(self._answer(printer, timeout_s))
        except (EscposError, OSError, ValueError) as exc:
            self.close()
            raise PrinterOffline(f"{self.description}: {exc}") from exc
        finally:
            if not self._keep_open:
                self.close()
        return answers

    def _discard_input(self, printer: Any) -> None:
        """Drop unread bytes (a late answer to an earlier request)."""

    def _answer(self, printer: Any, timeout_s: float) -> bytes:
        reply: bytes = printer._read()
        return bytes(reply)

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is None:
            return
        try:
            printer.close()
        except Exception:  # closing a dead connection must not hide why it died
            log.warning("closing %s failed", self.description, exc_info=True)
            _abandon(printer)

    def _connected(self) -> Any:
        if self._printer is None:
            printer = self._make_printer()
            printer.open()
            self._printer = printer
        return self._printer

    def _make_printer(self) -> Any:
        raise NotImplementedError

    def _require(self, printer_class: Any, library: str) -> None:
        """python-escpos raises RuntimeError when its optional library is missing; say so."""
        if not printer_class.is_usable():
            raise PrinterOffline(f"{self.description}: {library} is not installed")


class UsbTransport(_EscposTransport):
    def __init__(
        self, vendor_id: int, product_id: int, *, timeout_ms: int = 5000, out_ep: int = 0x01
    ) -> None:
        super().__init__(f"USB printer {vendor_id:04x}:{product_id:04x}")
        self._ids = (vendor_id, product_id)
        self._timeout_ms = timeout_ms  # python-escpos's default 0 waits forever on a jam
        self._out_ep = out_ep

    def _make_printer(self) -> Any:
        usb_printer = _escpos_printers().Usb
        self._require(usb_printer, "pyusb")
        vendor, product = self._ids
        return usb_printer(vendor, product, timeout=self._timeout_ms, out_ep=self._out_ep)

    def _answer(self, printer: Any, timeout_s: float) -> bytes:
        try:
            reply = printer.device.read(printer.in_ep, 16, int(timeout_s * 1000))
        except OSError as exc:  # pyusb's USBError is an OSError; a timeout means no answer
            if type(exc).__name__ == "USBTimeoutError":
                return b""
            raise
        return bytes(reply)


class SerialTransport(_EscposTransport):
    def __init__(self, port: str, baudrate: int = 9600, *, timeout_s: float = 5.0) -> None:
        super().__init__(f"serial printer {port}")
        self._port = port
        self._baudrate = baudrate
        self._timeout_s = timeout_s

    def _make_printer(self) -> Any:
        serial_printer = _escpos_printers().Serial
        self._require(serial_printer, "pyserial")
        return serial_printer(self._port, baudrate=self._baudrate, timeout=self._timeout_s)

    def _discard_input(self, printer: Any) -> None:
        port = printer.device
        waiting = port.in_waiting  # not reset_input_buffer(): termios.error on a dead port
        if waiting:
            port.read(waiting)

    def _answer(self, printer: Any, timeout_s: float) -> bytes:
        port = printer.device
        port.timeout = timeout_s  # one byte is the whole answer: return as soon as it is here
        try:
            return bytes(port.read(1))
        finally:
            port.timeout = self._timeout_s


class NetworkTransport(_EscposTransport):
    """TCP, usually port 9100; connects per job because such printers serve one client."""

    _keep_open = False

    def __init__(self, host: str, port: int = 9100, *, timeout_s: float = 10.0) -> None:
        super().__init__(f"network printer {host}:{port}")
        self._address = (host, port)
        self._timeout_s = timeout_s

    def _make_printer(self) -> Any:
        host, port = self._address
        return _escpos_printers().Network(host, port, timeout=self._timeout_s)

    def _answer(self, printer: Any, timeout_s: float) -> bytes:
        connection = printer.device
        connection.settimeout(timeout_s)
        try:
            return bytes(connection.recv(16))
        except TimeoutError:
            return b""
        finally:
            connection.settimeout(self._timeout_s)


def _abandon(printer: Any) -> None:
    """Drop a connection whose close() failed (python-escpos flushes a serial port first, which
    raises termios.error once the cable is gone): close the bare device without flushing and
    clear python-escpos's handle, so its __del__ does not fail again at garbage collection."""
    device, printer._device = printer._device, False
    close = getattr(device, "close", None)
    if close is not None:
        with contextlib.suppress(OSError):
            close()

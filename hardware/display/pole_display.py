"""PoleDisplay: the 2x20 customer pole display (VFD) following CustomerView snapshots.

show(view) records the newest snapshot and queues a redraw; the display's DeviceWorker thread
lays it out (display_layout.py), frames the rows in the display's command set (the dialect)
and writes them through the transport. Only the newest snapshot is drawn, and an unchanged
screen is not re-sent. A write that fails (cable pulled, port gone) reports the display offline
through on_status; a retry every ``retry_s`` reopens the port, initialises the display again
and draws the newest screen, so plugging it back in is enough.

Dialects, apart from the transport:

``EscposDisplayDialect``, the ESC/POS customer-display command set ("EPSON mode")::

    ESC @       1B 40       initialise: clear the screen, cancel modes
    US MD1      1F 01       overwrite mode: writing the last column does not scroll
    US C 0      1F 43 00    cursor off
    US $ x y    1F 24 x y   cursor to column x (1-20) of row y (1-2); the row follows in full

``CD5220Dialect``, the CD5220 command set::

    ESC @       1B 40       initialise
    ESC DC1     1B 11       overwrite mode
    ESC _ 0     1B 5F 00    cursor off
    CLR         0C          clear the screen and leave string mode (in string mode the display
                            obeys only CLR and CAN, so every frame starts with CLR)
    ESC Q A     1B 51 41 <row> 0D   write the upper row
    ESC Q B     1B 51 42 <row> 0D   write the lower row

Rows are always written padded to the full width, so no stale characters stay behind; the
layout never puts control characters (CR included) in a row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Final, Protocol

import serial  # type: ignore[import-untyped]

from hardware.display.display_layout import (
    ASCII,
    DisplayProfile,
    DisplayText,
    PoleLayout,
    ShownView,
    ascii_text,
)
from hardware.serial_link import DeviceLink
from pos_app.errors import DeviceError
from pos_app.ports.scale import DeviceStatusCallback

log = logging.getLogger(__name__)

ESC: Final = b"\x1b"
US: Final = b"\x1f"
CLR: Final = b"\x0c"
CR: Final = b"\r"


class DisplayOffline(DeviceError):
    """The pole display cannot take the bytes (stays in this package)."""


class DisplayDialect(Protocol):
    @property
    def name(self) -> str: ...

    def initialise(self) -> bytes:
        """Reset after power-up or reconnection: clear, overwrite mode, cursor off."""
        ...

    def write_rows(self, upper: bytes, lower: bytes) -> bytes:
        """Redraw both rows, each already encoded and padded to the full width."""
        ...


class EscposDisplayDialect:
    name = "escpos"

    def initialise(self) -> bytes:
        return ESC + b"@" + US + b"\x01" + US + b"C\x00"

    def write_rows(self, upper: bytes, lower: bytes) -> bytes:
        return US + b"$\x01\x01" + upper + US + b"$\x01\x02" + lower


class CD5220Dialect:
    name = "cd5220"

    def initialise(self) -> bytes:
        return ESC + b"@" + ESC + b"\x11" + ESC + b"_\x00"

    def write_rows(self, upper: bytes, lower: bytes) -> bytes:
        return CLR + ESC + b"QA" + upper + CR + ESC + b"QB" + lower + CR


DIALECTS: Final[dict[str, DisplayDialect]] = {
    "escpos": EscposDisplayDialect(),
    "cd5220": CD5220Dialect(),
}
"""Dialects by their configuration name (``[devices.pole_display] dialect``)."""


class DisplayTransport(Protocol):
    def write(self, data: bytes) -> None:
        """Send all of ``data``; raises DisplayOffline when the display cannot take it."""
        ...

    def close(self) -> None: ...


class SerialDisplayTransport:
    """A serial line opened on the first write and reopened after a failure."""

    def __init__(self, port: str, baudrate: int = 9600, *, write_timeout_s: float = 2.0) -> None:
        self.port = port
        self._baudrate = baudrate
        self._write_timeout_s = write_timeout_s
        self._serial: Any = None

    def write(self, data: bytes) -> None:
        try:
            if self._serial is None:
                self._serial = serial.Serial(
                    self.port, self._baudrate, write_timeout=self._write_timeout_s, exclusive=True
                )
            self._serial.write(data)
        except (serial.SerialException, OSError, ValueError) as exc:
            self.close()
            raise DisplayOffline(f"{self.port}: {exc}") from exc

    def close(self) -> None:
        port, self._serial = self._serial, None
        if port is None:
            return
        try:
            port.close()
        except (serial.SerialException, OSError):  # closing a dead port must not hide why
            log.warning("closing pole display port %s failed", self.port, exc_info=True)


def _ignore_status(online: bool, detail: str) -> None:
    """Default on_status: nobody to tell."""


class PoleDisplay:
    def __init__(
        self,
        transport: DisplayTransport,
        dialect: DisplayDialect,
        *,
        columns: int = 20,
        profile: DisplayProfile = ASCII,
        texts: DisplayText = ascii_text,
        on_status: DeviceStatusCallback = _ignore_status,
        retry_s: float = 2.0,
        name: str = "pole_display",
    ) -> None:
        self.name = name
        self._transport = transport
        self._dialect = dialect
        self._layout = PoleLayout(profile, columns, texts)
        self._lock = threading.Lock()
        self._wanted: Callable[[], tuple[str, str]] | None = None
        self._drawn: tuple[bytes, bytes] | None = None  # worker thread only, like the rest
        self._link = DeviceLink(
            name,
            retry_s=retry_s,
            on_status=on_status,
            on_retry=self._draw,
            online_detail=f"{dialect.name} pole display",
        )

    def show(self, view: ShownView) -> None:
        """Draw this snapshot (a services.views.CustomerView), or a newer one, soon; returns
        at once. Laid out on the display's thread."""
        self._want(lambda: self._layout.rows(view))

    def show_text(self, upper: str, lower: str = "") -> None:
        """Two rows of free text, e.g. the diagnostics test line; returns at once."""
        self._want(lambda: (upper, lower))

    def close(self, timeout: float = 5.0) -> None:
        if self._link.close(timeout):
            self._transport.close()

    def _want(self, wanted: Callable[[], tuple[str, str]]) -> None:
        with self._lock:
            self._wanted = wanted
        self._link.submit(self._draw)

    def _draw(self) -> None:
        with self._lock:
            wanted = self._wanted
        if wanted is None:
            return
        rows = self._layout.encode(wanted())
        if rows == self._drawn:
            return
        setup = self._dialect.initialise() if self._drawn is None else b""
        try:
            self._transport.write(setup + self._dialect.write_rows(*rows))
        except DisplayOffline as exc:
            self._drawn = None  # initialise again after reconnecting: it may have lost power
            self._link.went_offline(str(exc))
            return
        self._drawn = rows
        self._link.came_online()

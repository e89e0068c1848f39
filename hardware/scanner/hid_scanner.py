"""HidScanner: a USB scanner in keyboard (HID) mode, read straight from its Linux input device
and taken exclusively, so a scan can never land in a text field (self-checkout kiosks).

A keyboard-wedge scanner types into whatever has focus; on a kiosk the shopper may have a
text field open (a phone number, a search), and the scan would end up in it. Reading the
scanner's own ``/dev/input/event*`` node (a stable ``/dev/input/by-id/...-event-kbd`` link)
with ``EVIOCGRAB`` takes its key events away from the window system: only this adapter sees
them. Exclusive mode is required by default: when the grab fails (no permission, not an input
device) the scanner is reported offline with the reason and nothing is read, rather than
silently sharing the keys with the desktop.

Key events are ``struct input_event`` records (linux/input.h: a timeval, type u16, code u16,
value s32; 24 bytes on 64-bit Linux). Key presses (value 1) and autorepeats (2) of the US
layout's printable keys become characters, Shift held or not; Enter ends a code. Prefix and
suffix are stripped as on the serial scanner. A read error or end of file (the scanner was
unplugged) is reported offline and the node is opened again every ``retry_s``.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import select
import struct
import threading

from hardware.device_worker import DeviceWorker
from hardware.scanner.serial_scanner import ScanCallback, strip_affixes
from pos_app.events import BarcodeScanned
from pos_app.ports.scale import DeviceStatusCallback

log = logging.getLogger(__name__)

SOURCE = "hid"
EVENT = struct.Struct("llHHi")
"""struct input_event on 64-bit Linux: tv_sec, tv_usec, type, code, value."""
EV_KEY = 1
EVIOCGRAB = 0x40044590
"""_IOW('E', 0x90, int): grab (1) or release (0) the device for this file descriptor."""
_SLICE_S = 0.05
_MAX_CODE = 4096

KEY_ENTER, KEY_KP_ENTER, KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 28, 96, 42, 54
_PLAIN = {
    2: "1", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6", 8: "7", 9: "8", 10: "9", 11: "0",
    12: "-", 13: "=", 16: "q", 17: "w", 18: "e", 19: "r", 20: "t", 21: "y", 22: "u",
    23: "i", 24: "o", 25: "p", 26: "[", 27: "]", 30: "a", 31: "s", 32: "d", 33: "f",
    34: "g", 35: "h", 36: "j", 37: "k", 38: "l", 39: ";", 40: "'", 41: "`", 43: "\\",
    44: "z", 45: "x", 46: "c", 47: "v", 48: "b", 49: "n", 50: "m", 51: ",", 52: ".",
    53: "/", 57: " ", 71: "7", 72: "8", 73: "9", 75: "4", 76: "5", 77: "6", 79: "1",
    80: "2", 81: "3", 82: "0", 83: ".", 55: "*", 74: "-", 78: "+", 98: "/",
}
_SHIFTED_SYMBOLS = dict(zip("1234567890-=[];'`\\,./", "!@#$%^&*()_+{}:\"~|<>?", strict=True))


def key_char(code: int, shifted: bool) -> str | None:
    """The character a US-layout key types, or None for keys that type nothing."""
    char = _PLAIN.get(code)
    if char is None or not shifted:
        return char
    return char.upper() if char.isalpha() else _SHIFTED_SYMBOLS.get(char, char)


class KeyDecoder:
    """Key events in, finished codes out; Shift is tracked, Enter ends a code."""

    def __init__(self) -> None:
        self._shift: set[int] = set()
        self._chars: list[str] = []

    def feed(self, event_type: int, code: int, value: int) -> str | None:
        if event_type != EV_KEY:
            return None
        if code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
            (self._shift.add if value else self._shift.discard)(code)
            return None
        if value not in (1, 2):
            return None
        if code in (KEY_ENTER, KEY_KP_ENTER):
            text, self._chars = "".join(self._chars), []
            return text or None
        char = key_char(code, bool(self._shift))
        if char is not None and len(self._chars) < _MAX_CODE:
            self._chars.append(char)
        return None

    def reset(self) -> None:
        self._shift.clear()
        self._chars.clear()


class HidScanner:
    def __init__(self, device: str, *, on_scan: ScanCallback, on_status: DeviceStatusCallback,
                 exclusive: bool = True, prefix: str = "", suffix: str = "",
                 retry_s: float = 2.0, name: str = "scanner") -> None:
        self.name = name
        self._device = device
        self._on_scan, self._on_status = on_scan, on_status
        self._exclusive = exclusive
        self._prefix, self._suffix = prefix, suffix
        self._retry_s = retry_s
        self._worker = DeviceWorker(name)
        self._decoder = KeyDecoder()
        self._fd = -1
        self._buffer = b""
        self._online: bool | None = None
        self._closed = False

    @property
    def online(self) -> bool | None:
        return self._online

    def start(self) -> None:
        self._worker.submit(self._step)

    def close(self, timeout: float = 5.0) -> None:
        self._closed = True
        self._worker.close(timeout)
        self._release()

    def _step(self) -> None:
        if self._closed:
            return
        if self._fd < 0 and not self._connect():
            self._later(self._retry_s)
            return
        try:
            self._read()
        except OSError as exc:
            self._went_offline(f"{self._device}: {exc.strerror or exc}")
            self._later(self._retry_s)
            return
        self._later(0)

    def _connect(self) -> bool:
        try:
            fd = os.open(self._device, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            self._went_offline(f"{self._device}: {exc.strerror or exc}")
            return False
        if self._exclusive:
            try:
                fcntl.ioctl(fd, EVIOCGRAB, 1)
            except OSError as exc:
                os.close(fd)
                self._went_offline(f"{self._device}: cannot take the scanner exclusively "
                                   f"({exc.strerror or exc})")
                return False
        self._fd = fd
        self._decoder.reset()
        self._buffer = b""
        if self._online is not True:
            self._online = True
            self._on_status(True, f"{self._device} (exclusive)" if self._exclusive
                            else self._device)
        return True

    def _read(self) -> None:
        ready, _, _ = select.select([self._fd], [], [], _SLICE_S)
        if not ready:
            return
        try:
            data = os.read(self._fd, EVENT.size * 64)
        except BlockingIOError:
            return
        if not data:
            raise OSError(errno.ENODEV, "the scanner was unplugged")
        self._buffer += data
        whole = len(self._buffer) - len(self._buffer) % EVENT.size
        for offset in range(0, whole, EVENT.size):
            _, _, event_type, code, value = EVENT.unpack_from(self._buffer, offset)
            text = self._decoder.feed(event_type, code, value)
            if text is not None:
                self._publish(text)
        self._buffer = self._buffer[whole:]

    def _publish(self, raw: str) -> None:
        text = strip_affixes(raw, self._prefix, self._suffix)
        if not text:
            return
        try:
            self._on_scan(BarcodeScanned(text, SOURCE))
        except Exception:  # a subscriber's bug must not stop the scanner
            log.exception("%s: scan handler failed", self.name)

    def _went_offline(self, detail: str) -> None:
        self._release()
        if self._online is not False:
            log.warning("%s offline: %s", self.name, detail)
            self._online = False
            self._on_status(False, detail)

    def _release(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)  # closing the descriptor ends the grab too

    def _later(self, delay_s: float) -> None:
        if self._closed:
            return
        if delay_s <= 0:
            self._submit()
            return
        timer = threading.Timer(delay_s, self._submit)
        timer.daemon = True
        timer.start()

    def _submit(self) -> None:
        try:
            self._worker.submit(self._step)
        except RuntimeError:
            log.debug("%s closed", self.name)

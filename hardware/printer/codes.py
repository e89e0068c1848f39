"""Native barcode and QR commands for receipts: CODE128 through GS k, QR through GS ( k.

Native codes are printed by the printer's firmware: a QR is about 80 bytes instead of a 13 KB
image. python-escpos's ``barcode()`` is not used: it prints a line to stdout and, with generic
58 mm profiles, sends the barcode as an image (toolchain.md); the GS k bytes are built here
and sent raw. QR codes go through ``qr(native=True)``, which ignores the profile.

Both are sized to the paper: the module width (GS w) and the QR dot size are the largest that
fit ``profile.dots`` with the quiet zones; a code that cannot fit is skipped (the order number
is printed as text in the header anyway) and logged.
"""

from __future__ import annotations

import logging
from typing import Any

from hardware.printer.profiles import PrinterProfile

log = logging.getLogger(__name__)

GS = b"\x1d"
CODE128 = 73
"""GS k m = 73: CODE128 with the code set chosen in the data ("{B", "{C")."""
BARCODE_HEIGHT = 64
"""Bar height in dots (8 mm)."""
QUIET_MODULES = 10
"""CODE128 needs 10 modules of quiet zone on each side."""
QR_EC_M = 1
"""Error correction M (15%): survives a crease or a smudge on thermal paper."""
_QR_MAX_DOT = 6
"""6 dots (0.75 mm) a module: a 37-module URL code is 28 mm, easy for phones."""
_QR_BYTES_EC_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412)
"""Byte-mode capacity of QR versions 1-15 at level M (ISO/IEC 18004 table 7)."""


def code128_data(text: str) -> bytes | None:
    """GS k 73 data for ``text``: code set C for runs of four or more digits (half the width),
    code set B otherwise; "{" is sent as "{{". None when a character is outside ASCII 32-126."""
    if not text or not all(" " <= char <= "~" for char in text):
        return None
    data = bytearray()
    current = ""
    index = 0
    while index < len(text):
        run = _digit_run(text, index)
        if run >= 4:
            pairs = run - run % 2
            if current != "C":
                data += b"{C"
                current = "C"
            data += bytes(int(text[i : i + 2]) for i in range(index, index + pairs, 2))
            index += pairs
            continue
        if current != "B":
            data += b"{B"
            current = "B"
        data += b"{{" if text[index] == "{" else text[index].encode("ascii")
        index += 1
    return bytes(data)


def _digit_run(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return end - start


def code128_modules(data: bytes) -> int:
    """Width in modules: start, symbols, check (11 each) and stop (13)."""
    symbols, index = 0, 2  # data[:2] is the start code ("{B" or "{C")
    while index < len(data):
        index += 2 if data[index] == ord("{") else 1  # "{C", "{B", "{{": one symbol each
        symbols += 1
    return 11 * (symbols + 2) + 13


def barcode_command(text: str, profile: PrinterProfile) -> bytes:
    """HRI below, height, module width and GS k for ``text``; b"" when it cannot print."""
    data = code128_data(text)
    if data is None or len(data) > 255:
        log.warning("order barcode skipped: %r is not printable as CODE128", text)
        return b""
    modules = code128_modules(data) + 2 * QUIET_MODULES
    width = next((n for n in (3, 2) if modules * n <= profile.dots), 0)
    if not width:
        log.warning("order barcode skipped: %r is too long for %d dots", text, profile.dots)
        return b""
    return (
        GS + b"H\x02"  # HRI characters below the bars
        + GS + b"f\x00"  # HRI in font A
        + GS + bytes([ord("h"), BARCODE_HEIGHT])
        + GS + bytes([ord("w"), width])
        + GS + bytes([ord("k"), CODE128, len(data)]) + data
    )  # fmt: skip


def qr_dot_size(text: str, profile: PrinterProfile) -> int:
    """Dots per QR module so the code and its 4-module quiet zone fit; 0 when it cannot."""
    size = len(text.encode("utf-8"))
    version = next((v for v, cap in enumerate(_QR_BYTES_EC_M, start=1) if size <= cap), 0)
    if not version:
        return 0
    modules = 17 + 4 * version + 8
    return min(_QR_MAX_DOT, profile.dots // modules)


def emit_qr(printer: Any, text: str, profile: PrinterProfile) -> bool:
    """Native QR (model 2, level M) on a python-escpos printer; False when it cannot fit."""
    size = qr_dot_size(text, profile)
    if size < 2:
        log.warning("receipt QR skipped: %d bytes do not fit %d dots", len(text), profile.dots)
        return False
    printer.qr(text, ec=QR_EC_M, size=size, native=True)
    return True

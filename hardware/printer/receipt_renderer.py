"""Receipt -> ESC/POS bytes, emitted through python-escpos's Dummy printer.

Text never goes through python-escpos's automatic encoding: it sends Chinese as GB18030
without switching the printer into Chinese mode and mangles ¥ (toolchain.md). Each line is
encoded with the profile's codec and, in Hanzi mode, wrapped in FS & … FS . when it is not
plain ASCII. Styles (alignment, bold, size) are sent only when they change. A raster profile
gets every row as an image drawn with our CJK font instead (raster.py).

Template: [logo] header, items, totals, footer; then [QR caption + QR] (Receipt.qr_text) and
[order barcode] (Receipt.barcode_text), both native and centred (codes.py); cut; drawer kick.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hardware.printer.codes import barcode_command, emit_qr
from hardware.printer.profiles import PrinterProfile
from hardware.printer.raster import RasterFont, RasterImage, find_font
from hardware.printer.receipt_layout import CENTERED, PLAIN, Row, RowStyle, layout_receipt
from hardware.printer.text_width import LineMeasure
from pos_app.domain.receipts import Receipt
from pos_app.i18n import Catalog

HANZI_ON = b"\x1c&"  # FS &: select Chinese character mode
HANZI_OFF = b"\x1c."  # FS .: cancel Chinese character mode
LF = b"\n"
_FEED_LINES = 6
"""Lines fed after the last row so it clears the tear bar or cutter."""
_DRAWER_PIN_MODE = {2: 0, 5: 1}
"""ESC p m: m = 0 pulses connector pin 2, m = 1 pin 5."""
QR_HINT = "receipt.qr_hint"
"""Message key printed above the QR code when the catalogue has it."""


def render_receipt(
    receipt: Receipt,
    profile: PrinterProfile,
    catalog: Catalog,
    *,
    copy: bool = False,
    logo: RasterImage | None = None,
    font: RasterFont | None = None,
) -> bytes:
    """The whole receipt: reset, logo, lines, QR, barcode, feed and cut, then the drawer kick.

    ``font`` draws a raster profile's rows (default: ``find_font()``, loaded once).
    """
    printer = _command_buffer()
    printer.hw("INIT")
    if logo is not None:
        printer._raw(logo.command())
    if profile.raster and font is None:
        font = default_font()
    _emit_rows(printer, layout_receipt(receipt, profile, catalog, copy=copy), profile, font)
    _emit_codes(printer, receipt, profile, catalog, font)
    if profile.cut:
        printer.cut()  # python-escpos feeds 6 lines (ESC d 6) before GS V
    else:
        printer.print_and_feed(_FEED_LINES)
    if receipt.open_drawer:
        _kick(printer, profile)
    output: bytes = printer.output
    return output


def render_drawer_kick(profile: PrinterProfile) -> bytes:
    """Only the drawer kick: ESC p on each of the profile's pins."""
    printer = _command_buffer()
    _kick(printer, profile)
    output: bytes = printer.output
    return output


def encode_text(text: str, profile: PrinterProfile) -> bytes:
    """Text as the printer's font expects it; unencodable characters print as "?"."""
    data = text.encode(profile.codec, errors="replace")
    if profile.hanzi_mode and not text.isascii():
        return HANZI_ON + data + HANZI_OFF
    return data


def _command_buffer() -> Any:
    """A python-escpos Dummy: real command bytes, collected in memory.

    Imported here, not at module level: importing escpos is slow unless
    prepare_escpos_env() ran first, and nothing should happen at import time.
    """
    from escpos.printer import Dummy  # type: ignore[import-untyped]

    return Dummy()


@cache
def default_font() -> RasterFont:
    """The system's CJK font, loaded once per process (ConfigError when there is none)."""
    return RasterFont(find_font())


def _emit_codes(
    printer: Any,
    receipt: Receipt,
    profile: PrinterProfile,
    catalog: Catalog,
    font: RasterFont | None,
) -> None:
    """The QR (with its caption) and the order barcode, centred; ESC a applies to both."""
    if receipt.qr_text:
        hint = receipt.qr_hint_key or QR_HINT
        if catalog.has(hint):
            measure = LineMeasure(profile.columns, profile.wide_ambiguous)
            caption = [Row(line, CENTERED) for line in measure.wrap(catalog.text(hint))]
            _emit_rows(printer, caption, profile, font)
        printer.set(align="center")
        if emit_qr(printer, receipt.qr_text, profile):
            printer._raw(LF)
        printer.set(align="left")
    if receipt.barcode_text:
        command = barcode_command(receipt.barcode_text, profile)
        if command:
            printer.set(align="center")
            printer._raw(command)
            printer.set(align="left")


def _emit_rows(
    printer: Any, rows: list[Row], profile: PrinterProfile, font: RasterFont | None = None
) -> None:
    if font is not None and profile.raster:
        for row in rows:
            printer._raw(font.row(row, profile).command())
        return
    current = PLAIN
    for row in rows:
        _switch_style(printer, current, row.style)
        current = row.style
        printer._raw(encode_text(row.text, profile) + LF)
    _switch_style(printer, current, PLAIN)


def _switch_style(printer: Any, old: RowStyle, new: RowStyle) -> None:
    if new.align != old.align:
        printer.set(align=new.align)
    if new.bold != old.bold:
        printer.set(bold=new.bold)
    if new.scale != old.scale:
        # GS ! enlarges Chinese too; ESC ! double width/height does not (toolchain.md).
        printer.set(custom_size=True, width=new.scale, height=new.scale)


def _kick(printer: Any, profile: PrinterProfile) -> None:
    pulse = profile.pulse_ms // 2  # ESC p t1 t2 count in 2 ms units
    for pin in profile.drawer_pins:
        printer.cashdraw([27, 112, _DRAWER_PIN_MODE[pin], pulse, pulse])

"""Receipt -> ESC/POS bytes, emitted through python-escpos's Dummy printer.

Text never goes through python-escpos's automatic encoding: it sends Chinese as GB18030
without switching the printer into Chinese mode and mangles ¥ (toolchain.md). Each line is
encoded with the profile's codec and, in Hanzi mode, wrapped in FS & … FS . when it is not
plain ASCII. Styles (alignment, bold, size) are sent only when they change.
"""

from __future__ import annotations

from typing import Any

from hardware.printer.profiles import PrinterProfile
from hardware.printer.receipt_layout import PLAIN, Row, RowStyle, layout_receipt
from pos_app.domain.receipts import Receipt
from pos_app.i18n import Catalog

HANZI_ON = b"\x1c&"  # FS &: select Chinese character mode
HANZI_OFF = b"\x1c."  # FS .: cancel Chinese character mode
LF = b"\n"
_FEED_LINES = 6
"""Lines fed after the last row so it clears the tear bar or cutter."""
_DRAWER_PIN_MODE = {2: 0, 5: 1}
"""ESC p m: m = 0 pulses connector pin 2, m = 1 pin 5."""


def render_receipt(
    receipt: Receipt, profile: PrinterProfile, catalog: Catalog, *, copy: bool = False
) -> bytes:
    """The whole receipt: reset, lines, feed and cut, then the drawer kick if asked for."""
    printer = _command_buffer()
    printer.hw("INIT")
    _emit_rows(printer, layout_receipt(receipt, profile, catalog, copy=copy), profile)
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


def _emit_rows(printer: Any, rows: list[Row], profile: PrinterProfile) -> None:
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

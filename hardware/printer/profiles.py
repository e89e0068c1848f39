"""Printer profiles: what one receipt printer model needs to print Chinese correctly.

Chinese printers differ in paper width, character encoding and whether Chinese text needs
Hanzi mode (FS & … FS .); see shared/hardware/devices.md. A profile states those facts; the
renderer never guesses them and never relies on python-escpos's automatic code pages. Clones
without a Chinese font get ``raster``: every line is drawn with our CJK font and sent as an
image (GS v 0); barcodes and QR codes stay native either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from pos_app.errors import ConfigError

Encoding = Literal["gb18030", "gbk", "big5", "utf-8"]

_CJK_ENCODINGS: frozenset[str] = frozenset({"gb18030", "gbk", "big5"})

_CODECS: dict[str, str] = {"big5": "cp950"}
"""Python codec per printer encoding. Python's "big5" cannot encode the full-width ￥; the
printers' Big5 font has it at A2 44, which is what cp950 (Big5 as Windows extends it) sends."""


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    name: str
    columns: int
    """Characters per line in the normal font: 32 on 58 mm paper, 48 on 80 mm (Chinese take 2)."""
    encoding: Encoding
    hanzi_mode: bool = True
    """Send FS & before and FS . after text that is not plain ASCII."""
    cut: bool = True
    drawer_pins: tuple[int, ...] = (2, 5)
    """Kick pins 2 and/or 5; drawers are wired to one or the other, so both is the safe default."""
    pulse_ms: int = 100
    """Drawer pulse length in milliseconds; ESC p counts in 2 ms steps (2-510 ms)."""
    raster: bool = False
    """Print text as 1-bit images (GS v 0) drawn with a CJK font: for printers without one."""
    width_dots: int = 0
    """Printable width in dots; 0 means 12 per column (384 on 58 mm, 576 on 80 mm paper)."""
    real_time_status: bool = True
    """The printer answers DLE EOT status requests; False: poll_status only says "online"."""

    def __post_init__(self) -> None:
        if self.columns < 16:
            raise ConfigError(f"printer profile {self.name}: columns must be at least 16")
        if self.encoding not in get_args(Encoding):
            raise ConfigError(f"printer profile {self.name}: unknown encoding {self.encoding!r}")
        if not set(self.drawer_pins) <= {2, 5}:
            raise ConfigError(f"printer profile {self.name}: drawer_pins may hold only 2 and 5")
        if not 2 <= self.pulse_ms <= 510:
            raise ConfigError(f"printer profile {self.name}: pulse_ms must be within 2-510")
        if self.width_dots and not 16 * 8 <= self.width_dots <= 4096:
            raise ConfigError(f"printer profile {self.name}: width_dots must be within 128-4096")

    @property
    def dots(self) -> int:
        """Printable width in dots (12 dots per column in font A at 203 dpi)."""
        return self.width_dots or self.columns * 12

    @property
    def codec(self) -> str:
        """The Python codec that produces the bytes this printer's font expects."""
        return _CODECS.get(self.encoding, self.encoding)

    @property
    def wide_ambiguous(self) -> bool:
        """True when characters such as × · — print full width (two columns).

        A Chinese-encoding printer prints every double-byte character as a full-width glyph,
        including those Unicode calls "ambiguous" width.
        """
        return self.encoding in _CJK_ENCODINGS


PRESETS: dict[str, PrinterProfile] = {
    profile.name: profile
    for profile in (
        PrinterProfile("80mm-gb18030", columns=48, encoding="gb18030"),
        PrinterProfile("58mm-gb18030", columns=32, encoding="gb18030"),
        PrinterProfile("80mm-gbk", columns=48, encoding="gbk"),
        PrinterProfile("80mm-utf8", columns=48, encoding="utf-8", hanzi_mode=False),
        PrinterProfile("58mm-raster", columns=32, encoding="gb18030", raster=True),
        PrinterProfile("80mm-raster", columns=48, encoding="gb18030", raster=True),
    )
}


def preset(name: str) -> PrinterProfile:
    """The preset called ``name``; ConfigError names the known presets otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(sorted(PRESETS))
        raise ConfigError(f"unknown printer profile {name!r}; known: {known}") from None

"""Receipt lines and the logo as 1-bit raster images (GS v 0), drawn with Pillow.

For printers without a Chinese font (profile ``raster``) every row is drawn with a CJK font on
the same grid the text printer uses: a column is 12 dots wide and a line 24 dots high (font A
at 203 dpi), Chinese takes two columns, so layouts, alignment and the width checks are the same
in both modes. A Latin glyph wider than its column (M, W in most CJK fonts) is squeezed into it
rather than overlapping its neighbours. Images are sent one row at a time, each with the line
gap included, so a printer with a small buffer never gets more than a few kilobytes at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from hardware.printer.profiles import PrinterProfile
from hardware.printer.receipt_layout import Row
from hardware.printer.text_width import char_width
from pos_app.errors import ConfigError

DOTS_PER_COLUMN = 12
LINE_DOTS = 24
LINE_GAP_DOTS = 6
"""Blank dots under each line: 24 + 6 = 30, the printers' default line spacing."""
LOGO_MAX_HEIGHT = 240
"""A logo taller than this (30 mm) is scaled down: paper is not free."""
_INVERT = bytes(255 - value for value in range(256))
"""Pillow packs mode "1" with 1 = white; ESC/POS raster has 1 = black."""
_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # Debian fonts-wqy-microhei
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
    Path("C:/Windows/Fonts/simhei.ttf"),
)


@dataclass(frozen=True, slots=True)
class RasterImage:
    """A 1-bit image: ``width`` a multiple of 8, rows packed 8 dots a byte, MSB first, 1 = ink."""

    width: int
    height: int
    data: bytes

    def command(self) -> bytes:
        """GS v 0 m xL xH yL yH d1…dk (m = 0: normal density)."""
        columns = self.width // 8
        header = b"\x1dv0\x00" + columns.to_bytes(2, "little") + self.height.to_bytes(2, "little")
        return header + self.data

    @classmethod
    def from_image(cls, image: Image.Image) -> RasterImage:
        """From a Pillow image, thresholded at mid-grey unless it is already mode "1"."""
        bitmap = image if image.mode == "1" else image.convert("L").point(_threshold, mode="1")
        width = math.ceil(bitmap.width / 8) * 8
        if width != bitmap.width:
            padded = Image.new("1", (width, bitmap.height), 1)
            padded.paste(bitmap, (0, 0))
            bitmap = padded
        return cls(width, bitmap.height, bitmap.tobytes().translate(_INVERT))


def _threshold(value: int) -> int:
    return 255 if value >= 128 else 0


def find_font(fonts_dir: Path | None = None) -> Path:
    """A CJK font: the first .ttf/.ttc/.otf in ``fonts_dir`` (resources/fonts), else the
    system's (fonts-wqy-microhei on Debian). ConfigError names where it looked."""
    candidates: list[Path] = []
    if fonts_dir is not None and fonts_dir.is_dir():
        candidates += sorted(p for p in fonts_dir.iterdir() if p.suffix.lower() in _FONT_TYPES)
    candidates += _FONT_PATHS
    for path in candidates:
        if path.is_file():
            return path
    raise ConfigError(
        f"raster printing needs a CJK font: put one in {fonts_dir or 'resources/fonts'} "
        "or install fonts-wqy-microhei"
    )


_FONT_TYPES = (".ttf", ".ttc", ".otf")


class RasterFont:
    """Draws receipt rows with one CJK font; glyphs are cached per size and weight."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fonts: dict[int, Any] = {}
        self._glyphs: dict[tuple[str, int, int, bool], Image.Image] = {}
        self._font(LINE_DOTS)  # a broken font file fails here, at start-up

    def row(self, row: Row, profile: PrinterProfile) -> RasterImage:
        """One printed row, as wide as its ink (centred rows keep their left margin)."""
        scale = row.style.scale
        wide = profile.wide_ambiguous
        spans = [char_width(char, wide_ambiguous=wide) for char in row.text]
        text_dots = sum(spans) * DOTS_PER_COLUMN * scale
        left = 0
        if row.style.align == "center":
            left = max(0, (profile.dots - text_dots) // 2)
        width = min(profile.dots, max(8, left + text_dots))
        canvas = Image.new("L", (width, (LINE_DOTS + LINE_GAP_DOTS) * scale), 255)
        x = left
        for char, columns in zip(row.text, spans, strict=True):
            if columns and not char.isspace():
                canvas.paste(self._glyph(char, columns, scale, row.style.bold), (x, 0))
            x += columns * DOTS_PER_COLUMN * scale
        return RasterImage.from_image(canvas)

    def _font(self, size: int) -> Any:
        if size not in self._fonts:
            try:
                self._fonts[size] = ImageFont.truetype(str(self.path), size)
            except OSError as exc:
                raise ConfigError(f"cannot load the receipt font {self.path}: {exc}") from exc
        return self._fonts[size]

    def _glyph(self, char: str, columns: int, scale: int, bold: bool) -> Image.Image:
        key = (char, columns, scale, bold)
        glyph = self._glyphs.get(key)
        if glyph is None:
            glyph = self._draw_glyph(char, columns * DOTS_PER_COLUMN * scale, scale, bold)
            self._glyphs[key] = glyph
        return glyph

    def _draw_glyph(self, char: str, cell: int, scale: int, bold: bool) -> Image.Image:
        font = self._font(LINE_DOTS * scale)
        stroke = 1 if bold else 0
        drawn = math.ceil(font.getlength(char)) + 2 * stroke
        width = max(cell, drawn)
        image = Image.new("L", (width, LINE_DOTS * scale), 255)
        draw = ImageDraw.Draw(image)
        middle = (width / 2, LINE_DOTS * scale / 2)
        draw.text(middle, char, font=font, fill=0, anchor="mm", stroke_width=stroke, stroke_fill=0)
        if width > cell:  # squeeze a wide Latin glyph into its column
            image = image.resize((cell, image.height), Image.Resampling.LANCZOS)
        return image


def load_logo(path: Path, profile: PrinterProfile) -> RasterImage:
    """A PNG (or any Pillow image) fitted to the paper and dithered to 1 bit, centred.

    Transparency prints as paper; the logo is scaled down (never up) to the paper width and
    ``LOGO_MAX_HEIGHT``. Raises ConfigError when the file cannot be read.
    """
    try:
        with Image.open(path) as source:
            source.load()
            rgba = source.convert("RGBA")
    except OSError as exc:
        raise ConfigError(f"cannot read the receipt logo {path}: {exc}") from exc
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    grey = flat.convert("L")
    factor = min(1.0, profile.dots / grey.width, LOGO_MAX_HEIGHT / grey.height)
    if factor < 1.0:
        size = (max(1, int(grey.width * factor)), max(1, int(grey.height * factor)))
        grey = grey.resize(size, Image.Resampling.LANCZOS)
    centred = Image.new("L", (profile.dots, grey.height), 255)
    centred.paste(grey, ((profile.dots - grey.width) // 2, 0))
    return RasterImage.from_image(centred.convert("1"))  # Floyd-Steinberg dithering

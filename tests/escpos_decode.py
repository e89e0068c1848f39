"""Reads ESC/POS bytes back the way a printer would, so tests can assert what gets printed.

Walks the stream, recognises the commands the receipt renderer sends and decodes text runs
with the printer's codec; barcodes (GS k), QR codes (GS ( k), raster images (GS v 0) and
real-time status requests (DLE EOT) are collected with their payloads. Any other control byte
fails loudly: a test should notice when the renderer starts sending something new.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, FS, LF, DLE = 0x1B, 0x1D, 0x1C, 0x0A, 0x10


@dataclass(frozen=True)
class DrawerKick:
    pin: int
    on_ms: int
    off_ms: int


@dataclass(frozen=True)
class Barcode:
    kind: str
    """"CODE128" (GS k 73) or "GS k <m>" for another type."""
    text: str
    """The decoded payload: CODE128 code sets B and C undone."""
    modules: int
    """Width in modules without quiet zones (CODE128: 11 per symbol, start and check, 13 stop)."""
    module_width: int
    height: int
    hri_below: bool

    @property
    def dots(self) -> int:
        """Printed width with 10-module quiet zones on both sides."""
        return (self.modules + 20) * self.module_width


@dataclass(frozen=True)
class QrCode:
    text: str
    size: int
    """Dots per module (GS ( k function 167)."""
    error_correction: str
    model: int


@dataclass(frozen=True)
class RasterImage:
    """A GS v 0 image: ``data`` rows of width/8 bytes, 1 = ink."""

    width: int
    height: int
    data: bytes

    @property
    def ink(self) -> int:
        return sum(bin(byte).count("1") for byte in self.data)

    def pixel(self, x: int, y: int) -> bool:
        return bool(self.data[y * (self.width // 8) + x // 8] & (0x80 >> (x % 8)))


@dataclass
class PrintedLine:
    text: str = ""
    scale: int = 1
    bold: bool = False
    align: int = 0
    non_ascii_outside_hanzi: bool = False
    """True when non-ASCII bytes were sent without FS & … FS . around them."""

    def columns_used(self, codec: str) -> int:
        """Columns on paper: single-byte characters take one, multi-byte ones two."""
        return self.scale * sum(1 if len(c.encode(codec)) == 1 else 2 for c in self.text)


@dataclass
class Decoded:
    lines: list[PrintedLine] = field(default_factory=list)
    drawer_kicks: list[DrawerKick] = field(default_factory=list)
    cuts: int = 0
    resets: int = 0
    fed_lines: int = 0
    barcodes: list[Barcode] = field(default_factory=list)
    qr_codes: list[QrCode] = field(default_factory=list)
    images: list[RasterImage] = field(default_factory=list)
    status_requests: list[int] = field(default_factory=list)
    """n of each DLE EOT n, in order."""
    commands: list[str] = field(default_factory=list)
    """Every command in order, e.g. "ESC @", "GS ! 0x11", "text", "LF", "GS V 0"."""

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)


@dataclass
class _State:
    codec: str
    out: Decoded = field(default_factory=Decoded)
    line: PrintedLine = field(default_factory=PrintedLine)
    scale: int = 1
    bold: bool = False
    align: int = 0
    hanzi: bool = False
    barcode: dict[str, int] = field(
        default_factory=lambda: {"H": 0, "h": 162, "w": 3, "f": 0}  # ESC/POS power-on values
    )
    qr: dict[int, bytes] = field(default_factory=dict)

    def end_line(self) -> None:
        self.out.lines.append(self.line)
        self.line = PrintedLine(scale=self.scale, bold=self.bold, align=self.align)

    def text(self, raw: bytes) -> None:
        if not raw.isascii() and not self.hanzi:
            self.line.non_ascii_outside_hanzi = True
        if not self.line.text:  # a line takes the style in force at its first character
            self.line.scale, self.line.bold, self.line.align = self.scale, self.bold, self.align
        self.line.text += raw.decode(self.codec)
        self.out.commands.append("text")


def decode(data: bytes, codec: str) -> Decoded:
    """Decode ``data`` as printed by a printer whose font uses ``codec`` (e.g. "gb18030")."""
    state = _State(codec)
    i = 0
    while i < len(data):
        byte = data[i]
        if byte >= 0x20:
            end = i
            while end < len(data) and data[end] >= 0x20:
                end += 1
            state.text(data[i:end])
            i = end
        elif byte == LF:
            state.out.commands.append("LF")
            state.end_line()
            i += 1
        else:
            i = _command(data, i, state)
    if state.line.text:
        state.end_line()
    return state.out


def _command(data: bytes, i: int, state: _State) -> int:
    """Apply the command at ``data[i]``; returns the index after it."""
    prefix, code = data[i], data[i + 1 : i + 2]
    out = state.out
    if prefix == ESC and code == b"@":
        out.resets += 1
        state.scale, state.bold, state.align, state.hanzi = 1, False, 0, False
        return _log(out, "ESC @", i + 2)
    if prefix == ESC and code in (b"a", b"E", b"!", b"d"):
        n = data[i + 2]
        if code == b"a":
            state.align = n % 48
        elif code == b"E":
            state.bold = bool(n & 1)
        elif code == b"d":
            out.fed_lines += n
        elif n & 0x30 == 0:  # ESC ! n without double width/height resets the size
            state.scale = 1
        return _log(out, f"ESC {code.decode()} {n}", i + 3)
    if prefix == ESC and code == b"p":
        m, t1, t2 = data[i + 2], data[i + 3], data[i + 4]
        out.drawer_kicks.append(
            DrawerKick(pin=5 if m in (1, 49) else 2, on_ms=2 * t1, off_ms=2 * t2)
        )
        return _log(out, f"ESC p {m} {t1} {t2}", i + 5)
    if prefix == GS and code == b"!":
        n = data[i + 2]
        width, height = (n >> 4) + 1, (n & 0x0F) + 1
        assert width == height, f"the renderer scales both ways, got GS ! {n:#x}"
        state.scale = width
        return _log(out, f"GS ! {n:#04x}", i + 3)
    if prefix == GS and code == b"V":
        out.cuts += 1
        if data[i + 2] in (65, 66):  # GS V m n: feed n then cut
            return _log(out, f"GS V {data[i + 2]} {data[i + 3]}", i + 4)
        return _log(out, f"GS V {data[i + 2]}", i + 3)
    if prefix == FS and code in (b"&", b"."):
        state.hanzi = code == b"&"
        return _log(out, f"FS {code.decode()}", i + 2)
    if prefix == GS and code in (b"H", b"h", b"w", b"f"):
        state.barcode[code.decode()] = data[i + 2]
        return _log(out, f"GS {code.decode()} {data[i + 2]}", i + 3)
    if prefix == GS and code == b"k":
        return _barcode(data, i, state)
    if prefix == GS and data[i + 1 : i + 3] == b"(k":
        return _qr(data, i, state)
    if prefix == GS and data[i + 1 : i + 3] == b"v0":
        return _raster(data, i, out)
    if prefix == DLE and code == b"\x04":
        out.status_requests.append(data[i + 2])
        return _log(out, f"DLE EOT {data[i + 2]}", i + 3)
    raise ValueError(f"unexpected ESC/POS bytes at {i}: {data[i : i + 8]!r}")


def _log(out: Decoded, command: str, next_index: int) -> int:
    out.commands.append(command)
    return next_index


def _barcode(data: bytes, i: int, state: _State) -> int:
    """GS k m n d1…dn (m >= 65, the form the renderer sends)."""
    m, n = data[i + 2], data[i + 3]
    assert m >= 65, f"GS k {m}: only the counted form (m >= 65) is expected"
    payload = data[i + 4 : i + 4 + n]
    assert len(payload) == n, "GS k: payload shorter than its count"
    if m == 73:
        kind, (text, symbols) = "CODE128", _code128(payload)
        modules = 11 * (symbols + 2) + 13
    else:
        kind, text, modules = f"GS k {m}", payload.decode("ascii"), 0
    settings = state.barcode
    state.out.barcodes.append(
        Barcode(kind, text, modules, settings["w"], settings["h"], settings["H"] in (2, 3, 50, 51))
    )
    return _log(state.out, f"GS k {m} {n}", i + 4 + n)


def _code128(payload: bytes) -> tuple[str, int]:
    """(text, data symbols) of GS k 73 data: "{A"/"{B"/"{C" pick the code set, "{{" is "{"."""
    assert payload[:1] == b"{" and payload[1:2] in (b"A", b"B", b"C"), "CODE128 needs a code set"
    code_set, text, symbols, k = payload[1:2], [], 0, 2
    while k < len(payload):
        byte = payload[k]
        if byte == ord("{"):
            escape = payload[k + 1 : k + 2]
            if escape in (b"A", b"B", b"C"):
                code_set = escape
            else:
                assert escape == b"{", f"CODE128 escape {escape!r} not expected"
                text.append("{")
            k, symbols = k + 2, symbols + 1
            continue
        if code_set == b"C":
            assert byte <= 99, f"code set C holds 00-99, got {byte}"
            text.append(f"{byte:02d}")
        else:
            text.append(chr(byte))
        k, symbols = k + 1, symbols + 1
    return "".join(text), symbols


def _qr(data: bytes, i: int, state: _State) -> int:
    """GS ( k pL pH cn fn [params]: fn 65 model, 67 size, 69 level, 80 store data, 81 print."""
    length = data[i + 3] + 256 * data[i + 4]
    body = data[i + 5 : i + 5 + length]
    cn, fn = body[0], body[1]
    assert cn == 0x31, f"GS ( k cn={cn:#x}: only QR (0x31) is expected"
    state.qr[fn] = body[2:]
    if fn == 81:
        settings = state.qr
        state.out.qr_codes.append(
            QrCode(
                text=settings[80][1:].decode("utf-8"),  # [0] is m = 0x30
                size=settings[67][0],
                error_correction="LMQH"[settings[69][0] - 48],
                model=settings[65][0] - 48,
            )
        )
    return _log(state.out, f"GS ( k {fn}", i + 5 + length)


def _raster(data: bytes, i: int, out: Decoded) -> int:
    """GS v 0 m xL xH yL yH d1…dk, k = x * y bytes."""
    x = data[i + 4] + 256 * data[i + 5]
    y = data[i + 6] + 256 * data[i + 7]
    pixels = data[i + 8 : i + 8 + x * y]
    assert len(pixels) == x * y, "GS v 0: fewer bytes than its size"
    out.images.append(RasterImage(8 * x, y, pixels))
    return _log(out, f"GS v 0 {8 * x}x{y}", i + 8 + x * y)

"""Reads ESC/POS bytes back the way a printer would, so tests can assert what gets printed.

Walks the stream, recognises the commands the receipt renderer sends and decodes text runs
with the printer's codec. Any other control byte fails loudly: a test should notice when the
renderer starts sending something new.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, FS, LF = 0x1B, 0x1D, 0x1C, 0x0A


@dataclass(frozen=True)
class DrawerKick:
    pin: int
    on_ms: int
    off_ms: int


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
    raise ValueError(f"unexpected ESC/POS bytes at {i}: {data[i : i + 8]!r}")


def _log(out: Decoded, command: str, next_index: int) -> int:
    out.commands.append(command)
    return next_index

"""Pole display layout: a customer snapshot as two rows of display columns, rows as bytes.

Screens (20 columns)::

    idle      |      WELCOME       |    pole.welcome, centred
              |                    |    pole.welcome_2, centred (empty by default)
    scanning  |KeKouKeLe330ml  3.50|    last item: name cut to fit, its amount right-aligned
              |TOTAL          12.30|    pole.total and the cart total
    paid      |PAID           50.00|    pole.paid and the amount tendered
              |CHANGE          4.40|    pole.change and the change

Texts come from a ``DisplayText`` callable taking a key (``Catalog.text`` fits, so the texts
can be translated; ``ascii_text`` gives English defaults). Amounts are integer fen shown as
yuan with two decimals; there is no float anywhere.

Characters: the profile says what the display can show. ``ascii`` (most VFD pole displays):
Chinese is written as capitalised pinyin (可口可乐 -> KeKouKeLe), full-width forms are folded
to ASCII, anything else is left out, and a name with nothing left shows ``pole.item`` (ITEM);
there is no yen sign. ``gb18030`` and ``gbk`` (displays with a Chinese font): text is sent in
that encoding, a Hanzi takes two columns and is never cut in half, and the yen sign is the
full-width ``￥`` (A3 A4) that GB fonts have, since ``¥`` has no GB2312 glyph.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from pypinyin import lazy_pinyin

from hardware.printer.text_width import LineMeasure, char_width
from pos_app.domain.money import Money

DisplayText = Callable[[str], str]
"""Text for a key: pole.welcome, pole.welcome_2, pole.total, pole.paid, pole.change, pole.item."""

ASCII_TEXTS: Final = {
    "pole.welcome": "WELCOME",
    "pole.welcome_2": "",
    "pole.total": "TOTAL",
    "pole.paid": "PAID",
    "pole.change": "CHANGE",
    "pole.item": "ITEM",
}

_HAN: Final = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")


def ascii_text(key: str) -> str:
    return ASCII_TEXTS.get(key, key)


def ascii_fallback(text: str) -> str:
    """Printable ASCII for a display without Chinese: Han as capitalised pinyin syllables."""
    parts = _HAN.split(unicodedata.normalize("NFKC", text))
    shown = []
    for index, part in enumerate(parts):
        if index % 2:  # a Han run: pinyin by phrase, so 可乐 reads ke le and not ke yue
            shown.append("".join(syllable.capitalize() for syllable in lazy_pinyin(part)))
        else:
            shown.append("".join(c for c in part if " " <= c <= "~"))
    return "".join(shown)


@dataclass(frozen=True, slots=True)
class DisplayProfile:
    name: str
    encoding: str
    yen: str
    """How the yen sign is written before amounts; empty on ASCII displays."""

    @property
    def chinese(self) -> bool:
        return self.encoding != "ascii"


ASCII: Final = DisplayProfile("ascii", "ascii", "")
GB18030: Final = DisplayProfile("gb18030", "gb18030", "￥")
GBK: Final = DisplayProfile("gbk", "gbk", "￥")
PROFILES: Final = {profile.name: profile for profile in (ASCII, GB18030, GBK)}
"""Profiles by their configuration name (``[devices.pole_display] profile``)."""


class ShownLine(Protocol):
    """What the display reads of a line (services.views.CustomerLineView fits)."""

    @property
    def name(self) -> str: ...
    @property
    def amount(self) -> Money: ...


class ShownView(Protocol):
    """What the display reads of a snapshot (services.views.CustomerView fits)."""

    @property
    def lines(self) -> Sequence[ShownLine]: ...
    @property
    def state(self) -> str: ...
    @property
    def total(self) -> Money: ...
    @property
    def paid(self) -> Money: ...
    @property
    def change(self) -> Money: ...


def yuan(amount: Money) -> str:
    """Integer fen as yuan with two decimals: Money(-1205) -> "-12.05"."""
    whole, fen = divmod(abs(amount.fen), 100)
    return f"{'-' if amount.fen < 0 else ''}{whole}.{fen:02d}"


@dataclass(frozen=True, slots=True)
class PoleLayout:
    profile: DisplayProfile
    columns: int
    texts: DisplayText

    def rows(self, view: ShownView) -> tuple[str, str]:
        """The two rows for a snapshot, as text (see the module docstring)."""
        if view.state == "scanning":
            last = view.lines[-1] if view.lines else None
            item = "" if last is None else self._spread(self._name(last.name), last.amount)
            return item, self._spread(self._text("pole.total"), view.total)
        if view.state == "paid":
            return (
                self._spread(self._text("pole.paid"), view.paid),
                self._spread(self._text("pole.change"), view.change),
            )
        return self._centre(self._text("pole.welcome")), self._centre(self._text("pole.welcome_2"))

    def encode(self, rows: tuple[str, str]) -> tuple[bytes, bytes]:
        """Each row cleaned, cut to the columns, padded with spaces and encoded."""
        upper, lower = (self._fit(self._clean(row)) for row in rows)
        return upper.encode(self.profile.encoding), lower.encode(self.profile.encoding)

    def _text(self, key: str) -> str:
        return self._clean(self.texts(key))

    def _name(self, name: str) -> str:
        return self._clean(name).strip() or self._text("pole.item")

    def _clean(self, text: str) -> str:
        """Only characters the display shows; never a control character."""
        if not self.profile.chinese:
            return ascii_fallback(text)
        text = text.replace("¥", self.profile.yen)
        return "".join(c for c in text if c.isprintable() and self._encodable(c))

    def _encodable(self, char: str) -> bool:
        try:
            char.encode(self.profile.encoding)
        except UnicodeEncodeError:
            return False
        return True

    def _spread(self, left: str, amount: Money) -> str:
        """``left`` cut to fit, then the amount flush right with at least one space between."""
        right = self._clean(self.profile.yen + yuan(amount))
        room = self.columns - self._width(right) - 1
        left = self._cut(left, max(room, 0))
        gap = self.columns - self._width(left) - self._width(right)
        return left + " " * max(gap, 1) + right if left else " " * max(gap, 0) + right

    def _centre(self, text: str) -> str:
        text = self._cut(text.strip(), self.columns)
        return " " * ((self.columns - self._width(text)) // 2) + text

    def _fit(self, text: str) -> str:
        text = self._cut(text, self.columns)
        return text + " " * (self.columns - self._width(text))

    def _cut(self, text: str, width: int) -> str:
        """The longest start of ``text`` at most ``width`` columns wide; a Hanzi is never split."""
        used = 0
        for index, char in enumerate(text):
            used += self._char_width(char)
            if used > width:
                return text[:index]
        return text

    def _width(self, text: str) -> int:
        return LineMeasure(self.columns, self.profile.chinese).width(text)

    def _char_width(self, char: str) -> int:
        return char_width(char, wide_ambiguous=self.profile.chinese)

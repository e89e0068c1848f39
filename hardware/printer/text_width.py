"""Receipt text measured in printer columns, where a Chinese character takes two.

Widths follow unicodedata.east_asian_width: wide (W) and full-width (F) characters take two
columns, combining marks none, the rest one. On a Chinese-encoding printer "ambiguous" (A)
characters such as × · — are double-byte and print full width, so they take two as well.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def char_width(char: str, *, wide_ambiguous: bool = False) -> int:
    if unicodedata.combining(char):
        return 0
    kind = unicodedata.east_asian_width(char)
    if kind in ("W", "F") or (wide_ambiguous and kind == "A"):
        return 2
    return 1


@dataclass(frozen=True, slots=True)
class LineMeasure:
    """Measures, wraps and lays out text for lines of ``columns`` printer columns."""

    columns: int
    wide_ambiguous: bool = False

    def width(self, text: str) -> int:
        return sum(char_width(c, wide_ambiguous=self.wide_ambiguous) for c in text)

    def scaled(self, factor: int) -> LineMeasure:
        """The measure for text printed ``factor`` times as wide."""
        return LineMeasure(self.columns // factor, self.wide_ambiguous)

    def wrap(self, text: str) -> list[str]:
        """Lines no wider than ``columns``; Latin words break at spaces, Chinese anywhere."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            lines.extend(self._wrap_paragraph(paragraph))
        return lines

    def spread(self, left: str, right: str) -> list[str]:
        """``left`` and ``right`` on one line, ``right`` flush right; wrapped when too long."""
        right_width = self.width(right)
        if right_width >= self.columns:
            return self.wrap(left) + self.wrap(right)
        lines = self.wrap(left)
        gap = self.columns - self.width(lines[-1]) - right_width
        if gap >= 1:
            lines[-1] += " " * gap + right
        else:
            lines.append(" " * (self.columns - right_width) + right)
        return lines

    def rjust(self, text: str, width: int) -> str:
        return " " * max(0, width - self.width(text)) + text

    def _wrap_paragraph(self, text: str) -> list[str]:
        lines: list[str] = []
        current = ""
        used = 0
        for char in text:
            size = char_width(char, wide_ambiguous=self.wide_ambiguous)
            if used + size > self.columns:
                head, current = self._break_line(current, char)
                lines.append(head)
                used = self.width(current)
                if char == " " and not current:
                    continue  # a space where the line breaks is not printed
            current += char
            used += size
        lines.append(current.rstrip())
        return lines

    def _break_line(self, line: str, next_char: str) -> tuple[str, str]:
        """Split a full line at the last place a reader expects a break, else where it is full.

        Latin words and numbers stay whole and closing punctuation such as ， and 。 never
        starts a line; Chinese may otherwise break between any two characters.
        """
        for cut in range(len(line), 0, -1):
            after = line[cut] if cut < len(line) else next_char
            head, tail = line[:cut].rstrip(), line[cut:].lstrip()
            if head.strip() and _may_break(line[cut - 1], after):
                if self.width(tail + next_char) <= self.columns:
                    return head, tail
                break
        return line, ""


_NO_LINE_START = frozenset("，。、；：！？）」』》〉】,.;:!?)%")


def _may_break(before: str, after: str) -> bool:
    if after in _NO_LINE_START:
        return False
    return not (_in_word(before) and _in_word(after))


def _in_word(char: str) -> bool:
    """Part of a Latin word or a number: letters, digits and the marks inside them."""
    return char.isascii() and not char.isspace() and char not in "()"

"""GS1 element strings: the three textual forms, parsed and checked against the AI dictionary.

Parses raw scan data (FNC1 sent as GS, 0x1D; a leading FNC1 and one trailing FNC1 are
tolerated), the human-readable ``(01)…(10)…`` form (``\\(`` is a bracket inside the data) and
GS1 Digital Link URIs into ``Gs1Element`` values, and validates each against the GS1 Syntax
Dictionary (gs1/gs1-syntax-engine, maintained by GS1 AISBL): AI, length, character set (N
digits, X = CSET 82, Y = CSET 39, Z = CSET 64), predefined length (no FNC1 needed after the AI),
the mod-10 check digit (csum) and dates (yymmd0: DD = 00 allowed; yymmdd). The pairing rules
(``req``/``ex``) are applied for the AIs a till reads (01, 02, 10-17, 21, 30, 37, 310n,
392n/393n/395n). Other linters (country codes, coupon syntax …) are not applied.
Errors: UserError("scan.bad_gs1", code=<scan with FNC1 shown as ^>, reason=..., ai=...).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, unquote, urlsplit

from pos_app.domain.gs1_ais import (
    CHARSETS,
    AiPart,
    dictionary,
    exclusions,
    family,
    matches,
    requirements,
)
from pos_app.errors import UserError

FNC1 = "\x1d"
GS1_SYMBOLOGIES = {"]C1": "gs1-128", "]e0": "gs1-databar", "]Q3": "gs1-qr", "]d2": "gs1-datamatrix"}
_ERROR_TEXT_LIMIT = 48


@dataclass(frozen=True, slots=True)
class Gs1Element:
    ai: str
    value: str


@dataclass(frozen=True, slots=True)
class Gs1Date:
    """A GS1 YYMMDD date as printed; ``day`` 0 means the month's last day (AIs 11-17)."""

    yy: int
    month: int
    day: int

    def resolve(self, current_year: int) -> date:
        """The calendar date, the century chosen by the GS1 rule from ``current_year``."""
        year = century_year(self.yy, current_year)
        last = calendar.monthrange(year, self.month)[1]
        if self.day > last:
            raise ValueError(f"{year}-{self.month:02d} has no day {self.day}")
        return date(year, self.month, self.day or last)


def century_year(yy: int, current_year: int) -> int:
    """GS1 GenSpecs §7.12: YY−CY ≥ 51 -> last century; −50 < YY−CY < 51 -> this; else next."""
    base = current_year - current_year % 100
    difference = yy - current_year % 100
    if difference >= 51:
        return base - 100 + yy
    if difference > -50:
        return base + yy
    return base + 100 + yy


def element_string(elements: tuple[Gs1Element, ...] | list[Gs1Element]) -> str:
    """Raw data as a GS1-128 symbol carries it: GS after each element of no predefined length,
    except the last; no leading FNC1."""
    pieces: list[str] = []
    for index, element in enumerate(elements):
        pieces.append(element.ai + element.value)
        last = index == len(elements) - 1
        if not last and not dictionary()[element.ai].predefined:
            pieces.append(FNC1)
    return "".join(pieces)


def refusal(text: str, reason: str, ai: str = "", **extra: str) -> UserError:
    """The UserError for a scan that is not a valid GS1 element string."""
    shown = text.replace(FNC1, "^")[:_ERROR_TEXT_LIMIT]
    return UserError("scan.bad_gs1", code=shown, reason=reason, ai=ai, **extra)


def split_symbology(text: str) -> tuple[str, str]:
    """(AIM symbology identifier such as "]C1" or "", the data after it)."""
    if len(text) >= 3 and text[0] == "]" and text[1].isalpha():
        return text[:3], text[3:]
    return "", text


def is_digital_link(data: str) -> bool:
    """A GS1 Digital Link URL (https://example.com/01/<gtin>...), not a batch that happens to
    contain "://"."""
    return data.lower().startswith(("http://", "https://"))


def parse_elements(
    text: str, *, current_year: int | None = None, check_requisites: bool = True
) -> tuple[Gs1Element, ...]:
    """The validated element strings of a scan (syntax only: no unit conversions)."""
    cleaned = text.strip(" \r\n\t")
    ident, data = split_symbology(cleaned)
    if ident and ident not in GS1_SYMBOLOGIES and not is_digital_link(data):
        raise refusal(text, "not_gs1")
    if not data.strip(FNC1):
        raise refusal(text, "empty")
    if is_digital_link(data):
        pairs = _digital_link(text, data)
    elif data.startswith("("):
        pairs = _bracketed(text, data)
    else:
        pairs = _raw(text, data)
    elements = tuple(Gs1Element(ai, value) for ai, value in pairs)
    for element in elements:
        _validate(text, element, current_year)
    _check_pairs(text, elements, check_requisites)
    return elements


def _raw(text: str, data: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    data = data.removeprefix(FNC1)
    table = dictionary()
    position = 0
    while position < len(data):
        ai = next((a for n in (2, 3, 4) if (a := data[position : position + n]) in table), None)
        if ai is None:
            head = data[position : position + 4]
            reason = "unknown_ai" if head[:2].isdigit() else "syntax"
            raise refusal(text, reason, head.replace(FNC1, "^"))
        spec = table[ai]
        start = position + len(ai)
        if spec.predefined:
            end = start + spec.max_length
            if end > len(data) or FNC1 in data[start:end]:
                raise refusal(text, "too_short", ai)
        else:
            found = data.find(FNC1, start)
            end = len(data) if found < 0 else found
        pairs.append((ai, data[start:end]))
        position = end + 1 if data[end : end + 1] == FNC1 else end
    return pairs


_BRACKET = re.compile(r"\(([^()]*)\)")


def _bracketed(text: str, data: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    position = 0
    while position < len(data):
        match = _BRACKET.match(data, position)
        if match is None:
            raise refusal(text, "syntax")
        ai = match.group(1)
        if ai not in dictionary():
            raise refusal(text, "unknown_ai", ai[:4])
        value, position = _bracketed_value(data, match.end())
        pairs.append((ai, value))
    return pairs


def _bracketed_value(data: str, start: int) -> tuple[str, int]:
    """The value up to the next unescaped "(", with "\\(" read as a bracket."""
    value: list[str] = []
    position = start
    while position < len(data) and data[position] != "(":
        if data.startswith("\\(", position):
            value.append("(")
            position += 2
        else:
            value.append(data[position])
            position += 1
    return "".join(value), position


_DL_GTIN = re.compile(
    r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]+/(?:[^?#]*/)?01/(\d{8}|\d{12,14})(?=[/?#]|$)"
)


def is_gs1_uri(text: str) -> bool:
    """True for a URI with a /01/<GTIN> path segment pair: a GS1 Digital Link."""
    return _DL_GTIN.match(text) is not None


def _digital_link(text: str, uri: str) -> list[tuple[str, str]]:
    """GS1 Digital Link: /01/<gtin>[/22/…][/10/…][/21/…] in the path, numeric keys in the query."""
    parts = urlsplit(uri)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if "01" not in segments[:-1]:
        raise refusal(text, "syntax")
    path = segments[segments.index("01") :]
    if len(path) % 2:
        raise refusal(text, "syntax")
    pairs = [(path[i], path[i + 1]) for i in range(0, len(path), 2)]
    pairs[0] = ("01", pairs[0][1].zfill(14))  # DL allows GTIN-8/12/13 in the path
    pairs += [(key, value) for key, value in parse_qsl(parts.query) if key.isdigit()]
    for ai, _ in pairs:
        if ai not in dictionary():
            raise refusal(text, "unknown_ai", ai[:4])
    return pairs


def _validate(text: str, element: Gs1Element, current_year: int | None) -> None:
    spec = dictionary()[element.ai]
    value, position = element.value, 0
    if not value:
        raise refusal(text, "empty", element.ai)
    for part in spec.parts:
        if position == len(value) and part.optional:
            break
        piece = value[position : position + part.high]
        if len(piece) < part.low:
            raise refusal(text, "too_short", element.ai)
        problem = _part_problem(part, piece, current_year)
        if problem is not None:
            raise refusal(text, problem, element.ai)
        position += len(piece)
    if position < len(value):
        raise refusal(text, "too_long", element.ai)


def _part_problem(part: AiPart, piece: str, current_year: int | None) -> str | None:
    if part.kind == "N":
        if not (piece.isascii() and piece.isdigit()):
            return "not_numeric"
    elif not set(piece) <= CHARSETS[part.kind]:
        return "bad_character"
    if part.linter == "csum" and not has_gs1_check_digit(piece):
        return "check_digit"
    dated = part.linter in ("yymmd0", "yymmdd")
    if dated and _date(piece[:6], part.linter == "yymmd0", current_year) is None:
        return "date"
    return None


def has_gs1_check_digit(digits: str) -> bool:
    """True when ``digits`` (at least two ASCII digits) ends in its GS1 mod-10 check digit."""
    if len(digits) < 2 or not (digits.isascii() and digits.isdigit()):
        return False
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _date(digits: str, zero_day: bool, current_year: int | None) -> Gs1Date | None:
    yy, month, day = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    if not 1 <= month <= 12 or (day == 0 and not zero_day):
        return None
    found = Gs1Date(yy, month, day)
    if current_year is None:
        leap_like = 2000 + yy  # the leap years of every century agree, except YY = 00
        return found if day <= calendar.monthrange(leap_like, month)[1] else None
    try:
        found.resolve(current_year)
    except ValueError:
        return None
    return found


def _present(elements: tuple[Gs1Element, ...], patterns: tuple[str, ...]) -> bool:
    return any(matches(e.ai, p) for e in elements for p in patterns)


def _check_pairs(text: str, elements: tuple[Gs1Element, ...], requisites: bool) -> None:
    seen: dict[str, str] = {}
    for element in elements:
        if seen.setdefault(element.ai, element.value) != element.value:
            raise refusal(text, "duplicate", element.ai)
    for element in elements:
        ai_family = family(element.ai)
        others = tuple(e for e in elements if e.ai != element.ai)
        if ai_family != element.ai and _present(others, (ai_family,)):
            raise refusal(text, "exclusive", element.ai)  # e.g. 3102 and 3103 on one label
        if _present(others, exclusions(ai_family)):
            raise refusal(text, "exclusive", element.ai)
        groups = requirements(ai_family) if requisites else ()
        if any(not _present(elements, group) for group in groups):
            raise refusal(text, "requisite", element.ai)

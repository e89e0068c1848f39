"""GS1 Application Identifiers: parse GS1-128 / DataBar / GS1 QR element strings into records.

Accepted forms: raw scan data with FNC1 sent as GS (0x1D), with or without an AIM symbology
identifier (``]C1`` GS1-128, ``]e0`` DataBar, ``]Q3`` GS1 QR, ``]d2`` GS1 DataMatrix); the
human-readable ``(01)…(10)…`` form (``\\(`` is a bracket in the data); and a GS1 Digital Link
URI (``https://…/01/<gtin>…``). Lengths, character sets, predefined-length AIs (no FNC1 after
them) and the pairing rules (``req``/``ex``) follow the GS1 Syntax Dictionary (gs1-syntax-engine,
GS1 AISBL); check digits and YYMMDD dates are verified, other linters are not. The dictionary
is in gs1_ais.py, the parsing of the textual forms in gs1_syntax.py; this module is the API.

Typed values: (310n) kg with n decimals -> integer grams; (392n) and (393n) with currency 156
-> Money in fen. A value finer than a gram or a fen is refused, never rounded: a label claiming
0.1234 kg or ¥0.12599 is misprinted, and guessing would charge a wrong amount. Dates keep the
two-digit year (the domain reads no clock); ``Gs1Date.resolve(current_year)`` applies the GS1
century rule and DD = 00 (the last day of the month). Errors: UserError("scan.bad_gs1",
code=<scan, FNC1 shown as ^>, reason=..., ai=...).
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.gs1_syntax import (
    FNC1,
    GS1_SYMBOLOGIES,
    Gs1Date,
    Gs1Element,
    century_year,
    element_string,
    has_gs1_check_digit,
    is_digital_link,
    is_gs1_uri,
    parse_elements,
    refusal,
    split_symbology,
)
from pos_app.domain.money import Money

_ESCAPED_BRACKET = "\\("

__all__ = [
    "FNC1",
    "Gs1Date",
    "Gs1Element",
    "Gs1Scan",
    "century_year",
    "classify_gs1",
    "element_string",
    "parse_elements",
    "parse_gs1",
    "split_symbology",
]


@dataclass(frozen=True, slots=True)
class Gs1Scan:
    """One GS1 scan: every element in scan order plus the typed fields a till uses."""

    symbology: str
    """"gs1-128", "gs1-databar", "gs1-qr", "gs1-datamatrix", "digital-link" or "" (unknown)."""
    elements: tuple[Gs1Element, ...]
    gtin: str | None = None
    """(01) GTIN-14, check digit verified: the product lookup key."""
    content_gtin: str | None = None
    """(02) GTIN of the trade items contained in a logistic unit."""
    batch: str | None = None
    serial: str | None = None
    production_date: Gs1Date | None = None
    packaging_date: Gs1Date | None = None
    best_before: Gs1Date | None = None
    sell_by: Gs1Date | None = None
    expiry: Gs1Date | None = None
    count: int | None = None
    """(30) variable count of items."""
    contained: int | None = None
    """(37) count of trade items contained."""
    net_grams: int | None = None
    """(310n) net weight in whole grams."""
    price: Money | None = None
    """(392n), or (393n) in CNY: the amount payable in fen."""

    def value(self, ai: str) -> str | None:
        return next((e.value for e in self.elements if e.ai == ai), None)

    @property
    def bracketed(self) -> str:
        """The human-readable form, e.g. (01)09501101530003(17)250131; "(" in data as "\\("."""
        return "".join(f"({e.ai}){e.value.replace('(', _ESCAPED_BRACKET)}" for e in self.elements)


def classify_gs1(
    text: str, *, current_year: int | None = None, check_requisites: bool = True
) -> Gs1Scan | None:
    """The GS1 reading of a scan, or None when the text is not GS1 data at all.

    GS1 data: a GS1 symbology identifier, a leading "(AI)", a GS anywhere, "01" + a GTIN-14
    with a valid check digit, or a URI with /01/<GTIN> after a QR identifier. Such text that
    does not parse raises UserError("scan.bad_gs1"); anything else (an EAN, a PLU, "]E0…")
    returns None for the plain classifier.
    """
    cleaned = text.strip(" \r\n\t")
    if not _looks_like_gs1(cleaned):
        return None
    return parse_gs1(cleaned, current_year=current_year, check_requisites=check_requisites)


def _looks_like_gs1(text: str) -> bool:
    ident, data = split_symbology(text)
    if ident in GS1_SYMBOLOGIES or text.startswith("(") or FNC1 in text:
        return True
    if ident in ("]Q1", "") and is_gs1_uri(data):
        return True
    return ident == "" and _starts_with_gtin(data)


def _starts_with_gtin(data: str) -> bool:
    head = data[:16]
    return (
        len(head) == 16
        and head.isascii()
        and head.isdigit()
        and head[:2] == "01"
        and (has_gs1_check_digit(head[2:]))
    )


def parse_gs1(
    text: str, *, current_year: int | None = None, check_requisites: bool = True
) -> Gs1Scan:
    """Parse and validate a GS1 scan in any accepted form into a ``Gs1Scan``.

    ``current_year`` (from the caller's clock) also checks 29 February on the 4-digit year;
    without it a leap day is accepted when YY is divisible by 4. ``check_requisites`` applies
    the dictionary's pairing rules (e.g. a (392n) price needs (01) and a measure or count).
    """
    elements = parse_elements(text, current_year=current_year, check_requisites=check_requisites)
    ident, data = split_symbology(text.strip(" \r\n\t"))
    symbology = "digital-link" if is_digital_link(data) else GS1_SYMBOLOGIES.get(ident, "")
    return _typed(text, symbology, elements)


def _typed(text: str, symbology: str, elements: tuple[Gs1Element, ...]) -> Gs1Scan:
    by_ai = {e.ai: e.value for e in elements}
    return Gs1Scan(
        symbology,
        elements,
        gtin=by_ai.get("01"),
        content_gtin=by_ai.get("02"),
        batch=by_ai.get("10"),
        serial=by_ai.get("21"),
        production_date=_gs1_date(by_ai.get("11")),
        packaging_date=_gs1_date(by_ai.get("13")),
        best_before=_gs1_date(by_ai.get("15")),
        sell_by=_gs1_date(by_ai.get("16")),
        expiry=_gs1_date(by_ai.get("17")),
        count=None if "30" not in by_ai else int(by_ai["30"]),
        contained=None if "37" not in by_ai else int(by_ai["37"]),
        net_grams=_net_grams(text, elements),
        price=_price(text, elements),
    )


def _gs1_date(digits: str | None) -> Gs1Date | None:
    if digits is None:
        return None
    return Gs1Date(int(digits[:2]), int(digits[2:4]), int(digits[4:6]))


def _net_grams(text: str, elements: tuple[Gs1Element, ...]) -> int | None:
    weight = next((e for e in elements if e.ai.startswith("310")), None)
    if weight is None:
        return None
    return _scaled(text, weight, int(weight.value), 3, "sub_gram")


def _price(text: str, elements: tuple[Gs1Element, ...]) -> Money | None:
    """(392n) as is; (393n) only in CNY (ISO 4217 156), any other currency is refused."""
    price = next((e for e in elements if e.ai.startswith(("392", "393"))), None)
    if price is None:
        return None
    amount = price.value
    if price.ai.startswith("393"):
        if amount[:3] != "156":
            raise refusal(text, "currency", price.ai, currency=amount[:3])
        amount = amount[3:]
    return Money(_scaled(text, price, int(amount), 2, "sub_fen"))


def _scaled(text: str, element: Gs1Element, number: int, places: int, reason: str) -> int:
    """``number`` with the AI's implied decimals, in units of 10^-places; never rounded."""
    decimals = int(element.ai[3])
    factor: int = 10 ** abs(places - decimals)
    if decimals <= places:
        return number * factor
    whole, rest = divmod(number, factor)
    if rest:
        raise refusal(text, reason, element.ai)
    return whole

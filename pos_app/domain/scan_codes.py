"""Classify the text of one scan or typed code: product barcode, weighed label, PLU or store code.

Invariants: every EAN-13, EAN-8, UPC-A, UPC-E and GTIN-14 becomes one 14-digit GTIN key
(zero-padded on the left, UPC-E expanded to UPC-A first), so a product is found however the
scanner reported it. Prices are integer fen (``Money``), weights integer grams.

In-store (variable-measure) labels are EAN-13 codes whose layout depends on the store's scales
and the national rules (GS1 General Specifications §2.1.14.2; China GB/T 18283-2008 店内条码),
so layouts are configured per prefix (``LabelLayout``) and presets are shipped. GS1 Application
Identifiers (GS1-128, DataBar) are not parsed here yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from pos_app.domain.gs1 import Gs1Scan, classify_gs1, split_symbology
from pos_app.domain.money import Money
from pos_app.errors import UserError

_T = TypeVar("_T")

# A Chinese IME in full-width mode turns typed (and wedge-scanned) digits into ０-９.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SYMBOLOGY_BY_LENGTH = {12: "upca", 13: "ean13", 14: "gtin14"}
_ERROR_TEXT_LIMIT = 32
# Restricted circulation (in-store) GTIN-13 prefixes: 200-299, and 020-029 / 040-049 which are
# UPC-A number systems 2 and 4 read as EAN-13 (GS1 General Specifications, RCN-13).
_IN_STORE_PREFIXES = ("2", "02", "04")


def _is_digits(text: str) -> bool:
    # str.isdigit alone accepts "²" and other Unicode digits.
    return text.isascii() and text.isdigit()


@dataclass(frozen=True, slots=True)
class ProductCode:
    """A manufacturer's barcode; ``gtin`` is the 14-digit lookup key."""

    gtin: str
    symbology: str  # "ean13" | "ean8" | "upca" | "upce" | "gtin14"


@dataclass(frozen=True, slots=True)
class WeighedLabel:
    """An in-store label from a scale: PLU (leading zeros kept) and either grams or a price."""

    prefix: str
    plu: str
    grams: int | None
    price: Money | None


@dataclass(frozen=True, slots=True)
class PluCode:
    """A short code (1-5 digits) typed by the cashier for unbarcoded goods."""

    plu: str


@dataclass(frozen=True, slots=True)
class InternalCode:
    """Any other printable code (Code 128 store codes etc.), looked up as-is."""

    code: str


ScanCode = ProductCode | WeighedLabel | PluCode | InternalCode | Gs1Scan


class LabelValue(StrEnum):
    WEIGHT = "weight"
    PRICE = "price"


@dataclass(frozen=True, slots=True)
class LabelLayout:
    """In-store label layout for one prefix: prefix + PLU + [price check digit] + value + C.

    ``value`` is grams (weight) or fen (price). The total length is always 13 (EAN-13); a
    12-digit UPC-A label is matched in its EAN-13 form, so a US layout uses prefix "02".
    ``price_check_digit`` is the GS1 price/measure verifier for 4- or 5-digit values.
    """

    prefix: str
    plu_digits: int
    value: LabelValue
    value_digits: int
    price_check_digit: bool = False

    def __post_init__(self) -> None:
        problem = _layout_problem(self)
        if problem is not None:
            raise ValueError(f"label layout with prefix {self.prefix!r}: {problem}")


def _layout_problem(layout: LabelLayout) -> str | None:
    prefix = layout.prefix
    if not isinstance(prefix, str) or not _is_digits(prefix) or len(prefix) > 2:
        return f"prefix must be 1 or 2 digits as text, got {prefix!r}"
    if not prefix.startswith(_IN_STORE_PREFIXES):
        return "prefix must be an in-store prefix (2, 20-29, 02 or 04), else it hides products"
    for name, count in (("plu_digits", layout.plu_digits), ("value_digits", layout.value_digits)):
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            return f"{name} must be a positive integer, got {count!r}"
    if not isinstance(layout.value, LabelValue):
        return f"value must be a LabelValue, got {layout.value!r}"
    if layout.price_check_digit and layout.value_digits not in (4, 5):
        return f"price_check_digit needs value_digits 4 or 5, got {layout.value_digits}"
    verifier = 1 if layout.price_check_digit else 0
    total = len(prefix) + layout.plu_digits + verifier + layout.value_digits + 1
    if total != 13:
        sizes = f"{len(prefix)} + {layout.plu_digits} + {verifier} + {layout.value_digits} + 1"
        return f"prefix + plu_digits + price check + value_digits + C = {sizes} = {total}, not 13"
    return None


PRESET_LAYOUTS: dict[str, tuple[LabelLayout, ...]] = {
    "cn-price": (LabelLayout("2", 6, LabelValue.PRICE, 5),),
    "cn-weight": (LabelLayout("2", 6, LabelValue.WEIGHT, 5),),
    "prefix-20-price-21-weight": (
        LabelLayout("20", 5, LabelValue.PRICE, 5),
        LabelLayout("21", 5, LabelValue.WEIGHT, 5),
    ),
    "upca-02-price-check": (LabelLayout("02", 5, LabelValue.PRICE, 4, price_check_digit=True),),
}


def preset(name: str) -> tuple[LabelLayout, ...]:
    """The named preset layouts (C = EAN-13 check digit).

    - ``cn-price``: "2" + 6-digit PLU + 5-digit price in fen + C, the China scale format
      F WWWWWW EEEEE C; e.g. 2000123012346 is PLU 000123, ¥12.34.
    - ``cn-weight``: "2" + 6-digit PLU + 5-digit weight in grams + C.
    - ``prefix-20-price-21-weight``: "20" + 5-digit PLU + 5-digit price in fen + C, and
      "21" + 5-digit PLU + 5-digit weight in grams + C.
    - ``upca-02-price-check``: US UPC-A "2" + 5-digit PLU + price check digit + 4-digit price
      (cents, read as fen) + C, matched in its EAN-13 form "02…".
    """
    try:
        return PRESET_LAYOUTS[name]
    except KeyError:
        valid = ", ".join(sorted(PRESET_LAYOUTS))
        raise ValueError(f"unknown label layout preset {name!r}; valid: {valid}") from None


_CONFIG_KEYS = ("prefix", "plu_digits", "value", "value_digits", "price_check_digit")


def layouts_from_config(rows: Sequence[Mapping[str, object]]) -> tuple[LabelLayout, ...]:
    """Build layouts from config rows; a ValueError names the row index and the key."""
    layouts: list[LabelLayout] = []
    used: dict[str, int] = {}
    for index, row in enumerate(rows):
        layout = _layout_from_row(index, row)
        if layout.prefix in used:
            raise ValueError(
                f"label layout row {index}: key 'prefix': {layout.prefix!r} is already used "
                f"by row {used[layout.prefix]}"
            )
        used[layout.prefix] = index
        layouts.append(layout)
    return tuple(layouts)


def _layout_from_row(index: int, row: Mapping[str, object]) -> LabelLayout:
    where = f"label layout row {index}"
    unknown = sorted(set(row) - set(_CONFIG_KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(_CONFIG_KEYS)}")
    value_name = _row_field(row, "value", str, where)
    if value_name not in set(LabelValue):
        raise ValueError(f"{where}: key 'value' must be 'weight' or 'price', got {value_name!r}")
    prefix = _row_field(row, "prefix", str, where)
    plu_digits = _row_field(row, "plu_digits", int, where)
    value_digits = _row_field(row, "value_digits", int, where)
    check = _row_field(row, "price_check_digit", bool, where, default=False)
    try:
        return LabelLayout(prefix, plu_digits, LabelValue(value_name), value_digits, check)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _row_field(
    row: Mapping[str, object], key: str, kind: type[_T], where: str, default: _T | None = None
) -> _T:
    if key not in row:
        if default is not None:
            return default
        raise ValueError(f"{where}: missing key {key!r}")
    raw = row[key]
    if not isinstance(raw, kind) or (kind is int and isinstance(raw, bool)):
        raise ValueError(f"{where}: key {key!r} must be {kind.__name__}, got {raw!r}")
    return raw


def check_digit(digits: str) -> int:
    """GS1 mod-10 check digit of ``digits`` (the body, without its check digit).

    Weights 3, 1, 3, … from the right-most body digit; works for any body length (GTIN-8/12/13/14,
    SSCC-18).
    """
    if not _is_digits(digits):
        raise ValueError(f"a check digit needs a body of digits, got {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def has_valid_check_digit(code: str) -> bool:
    """True when ``code`` is at least two digits and its last digit is the GS1 check digit."""
    return _is_digits(code) and len(code) >= 2 and check_digit(code[:-1]) == int(code[-1])


def expand_upce(upce: str) -> str:
    """8-digit UPC-E (number system 0 or 1, six digits, check digit) -> 12-digit UPC-A.

    The check digit is verified over the expanded UPC-A; anything invalid raises ValueError.
    """
    if not _is_digits(upce) or len(upce) != 8:
        raise ValueError(f"UPC-E must be 8 digits, got {upce!r}")
    system, d, check = upce[0], upce[1:7], upce[7]
    if system not in ("0", "1"):
        raise ValueError(f"UPC-E number system must be 0 or 1, got {upce!r}")
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    upca_body = system + body
    if check_digit(upca_body) != int(check):
        raise ValueError(f"UPC-E {upce!r} has a wrong check digit")
    return upca_body + check


# GS1 General Specifications §7.9.3: weighting factors for price/measure verifier digits.
_TWO_MINUS = (0, 2, 4, 6, 8, 9, 1, 3, 5, 7)
_THREE = (0, 3, 6, 9, 2, 5, 8, 1, 4, 7)
_FIVE_PLUS = (0, 5, 1, 6, 2, 7, 3, 8, 4, 9)
_FIVE_MINUS = (0, 5, 9, 4, 8, 3, 7, 2, 6, 1)


def price_check_digit_for(field: str) -> int:
    """GS1 price/measure verifier digit of a 4- or 5-digit value field (§7.9.3, §7.9.4)."""
    if not _is_digits(field) or len(field) not in (4, 5):
        raise ValueError(f"a price check digit needs 4 or 5 digits, got {field!r}")
    digits = [int(d) for d in field]
    if len(digits) == 4:
        tables: tuple[tuple[int, ...], ...] = (_TWO_MINUS, _TWO_MINUS, _THREE, _FIVE_MINUS)
        return sum(t[d] for t, d in zip(tables, digits, strict=True)) * 3 % 10
    tables = (_FIVE_PLUS, _TWO_MINUS, _FIVE_MINUS, _FIVE_PLUS, _TWO_MINUS)
    remainder = (10 - sum(t[d] for t, d in zip(tables, digits, strict=True)) % 10) % 10
    return _FIVE_MINUS.index(remainder)


def alternative_reading(code: ProductCode) -> ProductCode | None:
    """The UPC-E reading of a code classified as EAN-8, when its UPC-E check digit also holds.

    Without the scanner's symbology an 8-digit code is ambiguous and ``classify`` prefers EAN-8,
    yet every UPC-E whose sixth digit is 5-9 passes the EAN-8 check too (the expansion only
    inserts zeros) and so do about a tenth of the others: a lookup that finds nothing must try
    this reading before reporting an unknown barcode.
    """
    if code.symbology != "ean8":
        return None
    try:
        upca = expand_upce(code.gtin[-8:])
    except ValueError:
        return None
    return ProductCode(upca.zfill(14), "upce")


def classify(text: str, layouts: Sequence[LabelLayout] = (), *,
             current_year: int | None = None) -> ScanCode:
    """What one scan or typed code is; bad input raises UserError with a ``scan.*`` code.

    Surrounding whitespace (and the scanner's CR/LF/Tab) is stripped and full-width digits are
    read as ASCII. An 8-digit code is EAN-8 when its check digit holds, else UPC-E (see
    ``alternative_reading``). A 12- or 13-digit code whose EAN-13 form starts with a layout's
    prefix (longest prefix first) is a weighed label.
    """
    cleaned = text.strip().translate(_FULLWIDTH_DIGITS)
    if not cleaned:
        raise UserError("scan.empty")
    gs1 = classify_gs1(cleaned, current_year=current_year)
    if gs1 is not None:
        return gs1
    symbology, cleaned = split_symbology(cleaned)  # ]E0, ]C0...: not part of the code
    if symbology and not cleaned:
        raise UserError("scan.empty")
    if _is_digits(cleaned):
        return _classify_digits(cleaned, layouts)
    if 3 <= len(cleaned) <= 64 and all("!" <= c <= "~" for c in cleaned):
        return InternalCode(cleaned)
    raise _refusal("scan.unknown_format", cleaned[:_ERROR_TEXT_LIMIT])


def _classify_digits(digits: str, layouts: Sequence[LabelLayout]) -> ScanCode:
    length = len(digits)
    if length <= 5:
        return PluCode(digits)
    if length == 8:
        return _classify_eight(digits)
    if length in (12, 13):
        by_prefix = sorted(layouts, key=lambda item: -len(item.prefix))
        layout = next((i for i in by_prefix if digits.zfill(13).startswith(i.prefix)), None)
        if layout is not None:
            return _decode_label(digits, layout)
    if length in _SYMBOLOGY_BY_LENGTH:
        if not has_valid_check_digit(digits):
            raise _refusal("scan.bad_check_digit", digits)
        return ProductCode(digits.zfill(14), _SYMBOLOGY_BY_LENGTH[length])
    raise _refusal("scan.unknown_format", digits[:_ERROR_TEXT_LIMIT])


def _classify_eight(digits: str) -> ProductCode:
    if has_valid_check_digit(digits):
        return ProductCode(digits.zfill(14), "ean8")
    try:
        upca = expand_upce(digits)
    except ValueError:
        raise _refusal("scan.bad_check_digit", digits) from None
    return ProductCode(upca.zfill(14), "upce")


def _decode_label(digits: str, layout: LabelLayout) -> WeighedLabel:
    if not has_valid_check_digit(digits):
        raise _refusal("scan.bad_check_digit", digits)
    code13 = digits.zfill(13)
    plu_end = len(layout.prefix) + layout.plu_digits
    plu = code13[len(layout.prefix) : plu_end]
    start = plu_end + (1 if layout.price_check_digit else 0)
    field = code13[start : start + layout.value_digits]
    if layout.price_check_digit and price_check_digit_for(field) != int(code13[plu_end]):
        raise _refusal("scan.bad_price_check", digits)
    if layout.value is LabelValue.WEIGHT:
        return WeighedLabel(layout.prefix, plu, grams=int(field), price=None)
    return WeighedLabel(layout.prefix, plu, grams=None, price=Money(int(field)))


def _refusal(reason: str, scanned: str) -> UserError:
    return UserError(reason, code=scanned)

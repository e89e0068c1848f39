"""Read a catalogue CSV into checked ``CatalogEntry`` values and ``RowError``s, without the
database (the format and the error codes are in docs/catalog-import.md).

UTF-8 with or without a BOM; the header names the columns in any order (case-insensitive);
rows are numbered as a spreadsheet shows them (header = row 1); blank rows are skipped. A
field that fails gets a placeholder value in its entry and an error: an import with any error
writes nothing, so placeholders are never stored.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pos_app.catalog_text import pinyin_initials
from pos_app.domain.money import Money
from pos_app.domain.scan_codes import ProductCode, classify
from pos_app.errors import UserError
from pos_app.persistence.repositories.catalog_writer import CatalogEntry

COLUMNS = (
    "sku",
    "name",
    "barcodes",
    "category",
    "price",
    "member_price",
    "unit",
    "tax_rate",
    "weighed",
    "min_age",
    "plu",
    "pinyin",
    "active",
)
REQUIRED_COLUMNS = ("sku", "name", "barcodes", "category", "price", "unit", "tax_rate", "weighed")
MAX_PRICE_FEN = 1_000_000_000  # ¥10,000,000.00: anything above is a typo
_TRUE, _FALSE = ("1", "true"), ("0", "false")
_SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_AMOUNT = re.compile(r"(-?)[¥￥]?(\d+)(?:\.(\d+))?")
_PERCENT = re.compile(r"(\d{1,3})(?:\.(\d{1,2}))?%?")
_PINYIN = re.compile(r"[a-z0-9]{1,60}")


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: ``row`` as a spreadsheet numbers it (header = 1; 0 = the whole file)."""

    row: int
    column: str
    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class ParsedCatalog:
    """Checked rows as (row number, entry); ``fatal`` when the rows could not be read at all."""

    rows: tuple[tuple[int, CatalogEntry], ...]
    errors: tuple[RowError, ...]
    fatal: bool = False


def read_catalog(path: Path) -> ParsedCatalog:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _fatal(0, "import.unreadable_file", f"{path.name}: {exc.strerror}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return _fatal(line, "import.bad_encoding", f"not UTF-8 at byte {exc.start}")
    records: list[list[str]] = []
    try:
        records.extend(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return _fatal(len(records) + 1, "import.bad_csv", str(exc))
    header, errors = _header(records[0] if records else [])
    if errors:
        return ParsedCatalog((), tuple(errors), fatal=True)
    return _rows(header, records[1:])


def _fatal(row: int, code: str, detail: str) -> ParsedCatalog:
    return ParsedCatalog((), (RowError(row, "", code, detail),), fatal=True)


def _header(cells: list[str]) -> tuple[list[str], list[RowError]]:
    names = [cell.strip().lower() for cell in cells]
    errors = [
        RowError(1, name, "import.unknown_column", f"known columns: {', '.join(COLUMNS)}")
        for name in names
        if name not in COLUMNS
    ]
    errors += [
        RowError(1, name, "import.duplicate_column", f"{name} appears {names.count(name)} times")
        for name in sorted(set(names))
        if names.count(name) > 1
    ]
    errors += [
        RowError(1, name, "import.missing_column", "required column")
        for name in REQUIRED_COLUMNS
        if name not in names
    ]
    return names, errors


def _rows(header: list[str], records: list[list[str]]) -> ParsedCatalog:
    rows: list[tuple[int, CatalogEntry]] = []
    errors: list[RowError] = []
    first_rows: dict[tuple[str, str], int] = {}  # (column, key) -> row that used it first
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            errors.append(
                RowError(
                    number,
                    "",
                    "import.too_many_values",
                    f"{len(cells)} values for {len(header)} columns",
                )
            )
        fields = _Fields(number, dict(zip(header, cells, strict=False)))
        entry = fields.entry()
        errors += fields.errors
        errors += _file_duplicates(number, entry, first_rows)
        rows.append((number, entry))
    return ParsedCatalog(tuple(rows), tuple(errors))


def _file_duplicates(
    number: int, entry: CatalogEntry, first_rows: dict[tuple[str, str], int]
) -> list[RowError]:
    keys = [("sku", entry.sku)] if entry.sku else []
    keys += [("barcodes", code) for code in entry.barcodes]
    keys += [("plu", entry.plu)] if entry.plu else []
    errors = []
    for column, key in keys:
        first = first_rows.setdefault((column, key), number)
        if first != number:
            code = {
                "sku": "import.duplicate_sku",
                "barcodes": "import.duplicate_barcode",
                "plu": "import.duplicate_plu",
            }[column]
            errors.append(RowError(number, column, code, f"{key} is also in row {first}"))
    return errors


class _Fields:
    """The values of one row, read column by column; problems collect in ``errors``."""

    def __init__(self, number: int, values: dict[str, str]) -> None:
        self._number = number
        self._values = values
        self.errors: list[RowError] = []

    def _fail(self, column: str, code: str, detail: str) -> None:
        self.errors.append(RowError(self._number, column, code, detail))

    def _get(self, column: str, *, required: bool = False) -> str:
        value = self._values.get(column, "").strip()
        if required and not value:
            self._fail(column, "import.missing_value", f"{column} is required")
        return value

    def entry(self) -> CatalogEntry:
        name = self._text("name", 120)
        price = self._money("price", required=True)
        member = self._money("member_price", required=False)
        if price is not None and member is not None and member > price:
            self._fail(
                "member_price",
                "import.member_price_above_price",
                f"member price {Money(member)} is above the price {Money(price)}",
            )
        unit, weighed = self._unit(), self._flag("weighed", default=False)
        if unit and (unit == "kg") != weighed:
            self._fail(
                "unit",
                "import.unit_mismatch",
                "weighed goods are sold by kg, and goods sold by kg are weighed",
            )
        return CatalogEntry(
            sku=self._sku(),
            name=name,
            pinyin=self._pinyin(name),
            category=self._text("category", 80),
            unit=unit or "piece",
            list_price_fen=price or 0,
            member_price_fen=member,
            tax_rate_bp=self._tax_rate(),
            weighed=weighed,
            min_age=self._min_age(),
            active=self._flag("active", default=True),
            plu=self._plu(),
            barcodes=self._barcodes(),
        )

    def _text(self, column: str, limit: int) -> str:
        value = self._get(column, required=True)
        if len(value) > limit:
            self._fail(column, "import.too_long", f"{len(value)} characters, at most {limit}")
        return value

    def _sku(self) -> str:
        value = self._get("sku", required=True)
        if value and not _SKU.fullmatch(value):
            self._fail("sku", "import.bad_sku", f"{value!r}: 1-32 letters, digits, '.', '_' or '-'")
            return ""
        return value

    def _money(self, column: str, *, required: bool) -> int | None:
        value = self._get(column, required=required)
        if not value:
            return None
        match = _AMOUNT.fullmatch(value)
        if match is None:
            self._fail(column, "import.bad_price", f"{value!r} is not an amount like 12.30")
        elif match.group(1):
            self._fail(column, "import.negative_price", f"{value!r} is negative")
        elif len(match.group(3) or "") > 2:
            self._fail(column, "import.too_many_decimals", f"{value!r}: at most 2 decimals")
        elif (fen := Money.parse(value).fen) > MAX_PRICE_FEN:
            self._fail(column, "import.bad_price", f"{value!r} is above {Money(MAX_PRICE_FEN)}")
        else:
            return fen
        return None

    def _unit(self) -> str:
        value = self._get("unit", required=True).lower()
        if value and value not in ("piece", "kg"):
            self._fail("unit", "import.bad_unit", f"{value!r}: piece or kg")
            return ""
        return value

    def _flag(self, column: str, *, default: bool) -> bool:
        value = self._get(column).lower()
        if value and value not in _TRUE + _FALSE:
            self._fail(column, "import.bad_boolean", f"{value!r}: 0, 1, true or false")
        return default if not value else value in _TRUE

    def _tax_rate(self) -> int:
        value = self._get("tax_rate", required=True)
        match = _PERCENT.fullmatch(value)
        basis_points = -1
        if match:
            basis_points = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
        if value and not 0 <= basis_points <= 10_000:
            self._fail("tax_rate", "import.bad_tax_rate", f"{value!r}: a percentage like 13 or 9")
        return max(basis_points, 0)

    def _min_age(self) -> int | None:
        value = self._get("min_age")
        if not value:
            return None
        if not (value.isascii() and value.isdigit() and int(value) <= 99):
            self._fail("min_age", "import.bad_min_age", f"{value!r}: blank or 0-99 years")
            return None
        return int(value) or None

    def _plu(self) -> str | None:
        value = self._get("plu")
        if not value:
            return None
        if not (value.isascii() and value.isdigit() and len(value) <= 5 and int(value) > 0):
            self._fail("plu", "import.bad_plu", f"{value!r}: 1-5 digits, not all zero")
            return None
        return str(int(value))  # stored without leading zeros, as scales and cashiers key it

    def _pinyin(self, name: str) -> str:
        value = self._get("pinyin").lower()
        if value and not _PINYIN.fullmatch(value):
            self._fail("pinyin", "import.bad_pinyin", f"{value!r}: 1-60 letters or digits")
        return value or pinyin_initials(name)

    def _barcodes(self) -> tuple[str, ...]:
        gtins: list[str] = []
        for text in filter(None, (part.strip() for part in self._get("barcodes").split("|"))):
            gtin = self._gtin(text)
            if gtin in gtins:
                self._fail("barcodes", "import.duplicate_barcode", f"{text} is twice in this row")
            elif gtin is not None:
                gtins.append(gtin)
        return tuple(gtins)

    def _gtin(self, text: str) -> str | None:
        try:
            code = classify(text)
        except UserError as error:
            bad_check = error.code == "scan.bad_check_digit"
            code_name = "import.bad_check_digit" if bad_check else "import.bad_barcode"
            self._fail("barcodes", code_name, f"{text}: {error.code}")
            return None
        if not isinstance(code, ProductCode):
            self._fail(
                "barcodes",
                "import.bad_barcode",
                f"{text}: not an EAN-13, EAN-8, UPC-A, UPC-E or GTIN-14",
            )
            return None
        return code.gtin

"""Import a catalogue CSV: upsert products by SKU, all or nothing (format: docs/catalog-import.md).

Every row is checked (fields, duplicates within the file, barcodes and PLUs owned by other
SKUs in the database); if any error is found nothing is written and the report lists them all.
Otherwise every row is written in one transaction: new SKUs are created (stock 0), known SKUs
get the file's name, prices, flags and exactly the file's barcodes; categories are created by
name when missing. Rows are numbered as a spreadsheet shows them: the header is row 1.

Error codes (stable; ``RowError.code``):
- file: ``import.unreadable_file``, ``import.bad_encoding`` (not UTF-8), ``import.bad_csv``
- header: ``import.missing_column``, ``import.unknown_column``, ``import.duplicate_column``
- row shape: ``import.too_many_values``
- values: ``import.missing_value``, ``import.too_long``, ``import.bad_sku``,
  ``import.bad_price``, ``import.negative_price``, ``import.too_many_decimals``,
  ``import.member_price_above_price``, ``import.bad_unit``, ``import.unit_mismatch`` (weighed
  needs unit kg, and kg needs weighed), ``import.bad_tax_rate``, ``import.bad_boolean``,
  ``import.bad_min_age``, ``import.bad_plu``, ``import.bad_pinyin``
- barcodes: ``import.bad_check_digit`` (classify said ``scan.bad_check_digit``),
  ``import.bad_barcode`` (not a product barcode: too short, letters, ``scan.unknown_format``)
- clashes: ``import.duplicate_sku`` (SKU twice in the file), ``import.duplicate_barcode`` (twice
  in the file, or owned by an SKU that the file does not re-import), ``import.duplicate_plu``
  (the same, for PLUs)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from pos_app.clock import Clock
from pos_app.persistence.repositories.catalog_writer import CatalogEntry, CatalogWriter
from pos_app.services.catalog_csv import COLUMNS, RowError, read_catalog

__all__ = ["COLUMNS", "CatalogImportService", "ImportReport", "RowError"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: nothing at all when ``errors`` is not empty."""

    created: int
    updated: int
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


class CatalogImportService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def import_csv(self, path: Path) -> ImportReport:
        """Check every row of ``path``; write all of them in one transaction, or none."""
        started = self._clock.now()
        parsed = read_catalog(path)
        if parsed.fatal:
            return ImportReport(0, 0, _sorted(parsed.errors))
        entries = [entry for _, entry in parsed.rows]
        with self._sessions() as session, session.begin():
            writer = CatalogWriter(session)
            errors = [*parsed.errors, *_database_clashes(parsed.rows, writer)]
            if errors:
                return ImportReport(0, 0, _sorted(errors))
            existing = writer.product_ids([entry.sku for entry in entries])
            writer.save(entries, existing)
        updated = len(existing)
        log.info(
            "catalog import of %s started %s: %d created, %d updated",
            path.name,
            started.isoformat(),
            len(entries) - updated,
            updated,
        )
        return ImportReport(len(entries) - updated, updated, ())


def _database_clashes(
    rows: Sequence[tuple[int, CatalogEntry]], writer: CatalogWriter
) -> list[RowError]:
    """Barcodes and PLUs that belong to an SKU the file does not re-import."""
    file_skus = {entry.sku for _, entry in rows}
    barcode_owners = writer.barcode_owners({c for _, e in rows for c in e.barcodes})
    plu_owners = writer.plu_owners({e.plu for _, e in rows if e.plu is not None})
    errors: list[RowError] = []
    for number, entry in rows:
        errors += _clashes(
            number,
            entry.sku,
            entry.barcodes,
            barcode_owners,
            file_skus,
            "barcodes",
            "import.duplicate_barcode",
            _barcode_text,
        )
        plus = () if entry.plu is None else (entry.plu,)
        errors += _clashes(
            number, entry.sku, plus, plu_owners, file_skus, "plu", "import.duplicate_plu", str
        )
    return errors


def _clashes(
    number: int,
    sku: str,
    keys: Iterable[str],
    owners: dict[str, str],
    file_skus: set[str],
    column: str,
    code: str,
    shown: Callable[[str], str],
) -> list[RowError]:
    errors = []
    for key in keys:
        owner = owners.get(key)
        if owner is not None and owner != sku and owner not in file_skus:
            detail = f"{shown(key)} belongs to SKU {owner}"
            errors.append(RowError(number, column, code, detail))
    return errors


def _barcode_text(gtin: str) -> str:
    # Shown in its EAN-13 form, as Chinese goods print it, not as the 14-digit lookup key.
    return gtin[1:] if gtin.startswith("0") else gtin


def _sorted(errors: Iterable[RowError]) -> tuple[RowError, ...]:
    order = {name: index for index, name in enumerate(("", *COLUMNS))}
    return tuple(sorted(errors, key=lambda e: (e.row, order.get(e.column, len(order)), e.code)))

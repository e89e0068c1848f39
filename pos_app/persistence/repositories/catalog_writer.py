"""Catalogue upserts by SKU for imports: look-ups in bulk, then set-based writes.

Every look-up takes a collection of keys and runs one query per ``_CHUNK`` keys (under any
database's bind-parameter limit), never one per row. ``save`` runs inside the caller's
transaction; PLUs are cleared before they are set again, so two products may swap PLUs in one
import without tripping the unique constraint half-way.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Select, bindparam, delete, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from pos_app.catalog_text import pinyin_initials
from pos_app.domain.ids import new_id
from pos_app.persistence.models import BarcodeRow, Base, CategoryRow, ProductRow, StockRow

_CHUNK = 500
_CATEGORY_CODE_LENGTH = 32
_TABLES = Base.metadata.tables
_products = _TABLES[ProductRow.__tablename__]
_PRODUCT_FIELDS = (
    "sku",
    "name",
    "pinyin",
    "unit",
    "list_price_fen",
    "member_price_fen",
    "tax_rate_bp",
    "category_id",
    "weighed",
    "min_age",
    "active",
    "plu",
)


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One product as an import wants it; ``barcodes`` are 14-digit GTINs, prices fen."""

    sku: str
    name: str
    pinyin: str
    category: str  # category name; created when missing
    unit: str
    list_price_fen: int
    member_price_fen: int | None
    tax_rate_bp: int
    weighed: bool
    min_age: int | None
    active: bool
    plu: str | None
    barcodes: tuple[str, ...]


def _chunks(keys: Collection[str]) -> Iterator[list[str]]:
    iterator = iter(sorted(set(keys)))
    while chunk := list(islice(iterator, _CHUNK)):
        yield chunk


class CatalogWriter:
    def __init__(self, session: Session) -> None:
        self._session = session

    def product_ids(self, skus: Collection[str]) -> dict[str, str]:
        """SKU -> product id for the SKUs that exist."""
        return self._pairs(select(ProductRow.sku, ProductRow.id), ProductRow.sku, skus)

    def barcode_owners(self, codes: Collection[str]) -> dict[str, str]:
        """Barcode -> SKU of its product, for the barcodes that exist."""
        query = select(BarcodeRow.code, ProductRow.sku).join(
            ProductRow, ProductRow.id == BarcodeRow.product_id
        )
        return self._pairs(query, BarcodeRow.code, codes)

    def plu_owners(self, plus: Collection[str]) -> dict[str, str]:
        """PLU -> SKU, for the PLUs in use."""
        return self._pairs(select(ProductRow.plu, ProductRow.sku), ProductRow.plu, plus)

    def _pairs(
        self, query: Select[Any], column: InstrumentedAttribute[Any], keys: Collection[str]
    ) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(keys):
            for key, value in self._session.execute(query.where(column.in_(chunk))):
                found[str(key)] = str(value)
        return found

    def save(self, entries: Sequence[CatalogEntry], existing: dict[str, str]) -> None:
        """Update the entries whose SKU is in ``existing`` (SKU -> id), insert the others,
        and give every entry exactly its barcodes."""
        category_ids = self._ensure_categories({entry.category for entry in entries})
        ids = {entry.sku: existing.get(entry.sku) or new_id() for entry in entries}
        updated = [entry for entry in entries if entry.sku in existing]
        created = [entry for entry in entries if entry.sku not in existing]
        if updated:
            self._update(updated, ids, category_ids)
        if created:
            rows = [_row(entry, ids[entry.sku], category_ids) for entry in created]
            self._session.execute(insert(_products), rows)
            self._session.execute(
                insert(_TABLES[StockRow.__tablename__]),
                [{"product_id": row["id"], "quantity": 0} for row in rows],
            )
        barcodes = [
            {"code": code, "product_id": ids[entry.sku]}
            for entry in entries
            for code in entry.barcodes
        ]
        if barcodes:
            self._session.execute(insert(_TABLES[BarcodeRow.__tablename__]), barcodes)

    def _update(
        self, entries: Sequence[CatalogEntry], ids: dict[str, str], category_ids: dict[str, str]
    ) -> None:
        product_ids = [ids[entry.sku] for entry in entries]
        for chunk in _chunks(product_ids):
            self._session.execute(
                update(_products).where(_products.c.id.in_(chunk)).values(plu=None)
            )
            self._session.execute(delete(BarcodeRow).where(BarcodeRow.product_id.in_(chunk)))
        statement = (
            update(_products)
            .where(_products.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in _PRODUCT_FIELDS})
        )
        params = [
            {f"b_{key}": value for key, value in _row(entry, ids[entry.sku], category_ids).items()}
            for entry in entries
        ]
        self._session.execute(statement, params)

    def _ensure_categories(self, names: Collection[str]) -> dict[str, str]:
        """Category name -> id, creating the missing ones with a code from their pinyin."""
        found: dict[str, str] = {}
        query = select(CategoryRow.name, CategoryRow.id).order_by(CategoryRow.code)
        for chunk in _chunks(names):
            for name, category_id in self._session.execute(
                query.where(CategoryRow.name.in_(chunk))
            ):
                found.setdefault(name, category_id)
        missing = sorted(set(names) - set(found))
        if missing:
            codes = set(self._session.scalars(select(CategoryRow.code)))
            rows = [
                {"id": new_id(), "code": _new_code(name, codes), "name": name, "parent_id": None}
                for name in missing
            ]
            self._session.execute(insert(_TABLES[CategoryRow.__tablename__]), rows)
            found.update({str(row["name"]): str(row["id"]) for row in rows})
        return found


def _new_code(name: str, taken: set[str]) -> str:
    """Upper-case pinyin initials (饮料 -> YL), made unique with -2, -3…; added to ``taken``."""
    base = (pinyin_initials(name).upper() or "CATEGORY")[: _CATEGORY_CODE_LENGTH - 6]
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    taken.add(code)
    return code


def _row(entry: CatalogEntry, product_id: str, category_ids: dict[str, str]) -> dict[str, Any]:
    return {
        "id": product_id,
        "sku": entry.sku,
        "name": entry.name,
        "pinyin": entry.pinyin,
        "unit": entry.unit,
        "list_price_fen": entry.list_price_fen,
        "member_price_fen": entry.member_price_fen,
        "tax_rate_bp": entry.tax_rate_bp,
        "category_id": category_ids[entry.category],
        "weighed": entry.weighed,
        "min_age": entry.min_age,
        "active": entry.active,
        "plu": entry.plu,
    }

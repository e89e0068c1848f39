"""Products by barcode, PLU, SKU, name or pinyin initials: rows in, domain Products out."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, Select, or_, select
from sqlalchemy.orm import Session

from pos_app.domain.catalog import Product, Unit
from pos_app.domain.ids import ProductId
from pos_app.domain.money import Money
from pos_app.persistence.models import BarcodeRow, CategoryRow, ProductRow

_COLUMNS = (ProductRow.id, ProductRow.sku, ProductRow.name, ProductRow.pinyin, ProductRow.unit,
            ProductRow.list_price_fen, ProductRow.member_price_fen, ProductRow.tax_rate_bp,
            CategoryRow.name, ProductRow.weighed, ProductRow.min_age, ProductRow.active,
            ProductRow.plu)


def _select() -> Select[tuple[object, ...]]:
    return select(*_COLUMNS).join(CategoryRow, CategoryRow.id == ProductRow.category_id)


def _product(row: Row[tuple[object, ...]]) -> Product:
    (pid, sku, name, pinyin, unit, price, member, tax, category, weighed, min_age, active,
     plu) = row
    return Product(
        id=ProductId(str(pid)), sku=str(sku), name=str(name), pinyin=str(pinyin),
        unit=Unit(str(unit)), list_price=Money(int(price)),  # type: ignore[call-overload]
        member_price=None if member is None else Money(int(member)),  # type: ignore[call-overload]
        tax_rate_bp=int(tax), category=str(category),  # type: ignore[call-overload]
        weighed=bool(weighed), min_age=None if min_age is None else int(min_age),  # type: ignore[call-overload]
        active=bool(active), plu=None if plu is None else str(plu),
    )


class ProductRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_barcode(self, code: str) -> Product | None:
        query = _select().join(BarcodeRow, BarcodeRow.product_id == ProductRow.id) \
            .where(BarcodeRow.code == code)
        row = self._session.execute(query).first()
        return None if row is None else _product(row)

    def by_plu(self, plu: str) -> Product | None:
        row = self._session.execute(_select().where(ProductRow.plu == plu)).first()
        return None if row is None else _product(row)

    def by_sku(self, sku: str) -> Product | None:
        row = self._session.execute(_select().where(ProductRow.sku == sku)).first()
        return None if row is None else _product(row)

    def by_id(self, product_id: str) -> Product | None:
        row = self._session.execute(_select().where(ProductRow.id == product_id)).first()
        return None if row is None else _product(row)

    def search(self, text: str, limit: int = 50) -> Sequence[Product]:
        """Pinyin initials prefix (``kkkl`` finds 可口可乐) or a piece of the name, active only."""
        needle = text.strip()
        if not needle:
            return []
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        condition = or_(ProductRow.pinyin.like(f"{escaped.lower()}%", escape="\\"),
                        ProductRow.name.like(f"%{escaped}%", escape="\\"),
                        ProductRow.sku == needle)
        query = _select().where(condition, ProductRow.active.is_(True)) \
            .order_by(ProductRow.pinyin, ProductRow.sku).limit(limit)
        return [_product(row) for row in self._session.execute(query)]

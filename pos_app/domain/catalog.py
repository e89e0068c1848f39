"""Products as the till sees them: SKU, barcodes, prices in fen, tax, weighing, age limit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pos_app.domain.ids import ProductId
from pos_app.domain.money import Money


class Unit(StrEnum):
    PIECE = "piece"
    KG = "kg"


@dataclass(frozen=True, slots=True)
class Product:
    """One SKU. A weighed product's prices are per kilogram and its quantity is in grams."""

    id: ProductId
    sku: str
    name: str
    pinyin: str
    unit: Unit
    list_price: Money
    member_price: Money | None
    tax_rate_bp: int
    category: str
    weighed: bool
    min_age: int | None
    active: bool
    plu: str | None = None

    @property
    def age_restricted(self) -> bool:
        return self.min_age is not None

"""Frozen snapshots the UI renders; nothing in them touches the database again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.money import ZERO, Money


@dataclass(frozen=True, slots=True)
class StaffView:
    id: str
    staff_no: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class CartLineView:
    id: str
    sku: str
    name: str
    unit_price: Money
    quantity: int
    grams: int | None
    amount: Money
    savings: Money
    min_age: int | None = None
    """Set for age-restricted goods: the screen asks the cashier to check ID."""


@dataclass(frozen=True, slots=True)
class CartView:
    id: str
    status: str
    lines: tuple[CartLineView, ...]
    subtotal: Money
    savings: Money
    total: Money
    item_count: int
    last_line_id: str | None
    """The line the last action touched, to highlight and scroll to."""

    @property
    def empty(self) -> bool:
        return not self.lines


@dataclass(frozen=True, slots=True)
class CustomerLineView:
    name: str
    quantity: int
    grams: int | None
    amount: Money
    savings: Money


@dataclass(frozen=True, slots=True)
class CustomerView:
    """What the customer may see: no cost prices, no cashier notes, no internal ids."""

    lines: tuple[CustomerLineView, ...]
    savings: Money
    total: Money
    item_count: int
    state: str
    """"idle", "scanning", "paid"."""
    paid: Money = ZERO
    change: Money = ZERO


@dataclass(frozen=True, slots=True)
class ProductView:
    sku: str
    name: str
    pinyin: str
    price: Money
    weighed: bool
    category: str


@dataclass(frozen=True, slots=True)
class SuspendedCartView:
    id: str
    opened_at: datetime
    total: Money


@dataclass(frozen=True, slots=True)
class SaleView:
    id: str
    order_number: str
    total: Money
    paid: Money
    change: Money
    print_job_id: str

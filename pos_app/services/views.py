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
class SavingView:
    """One saving and why: a message key (``promo.second_half_price``) with its parameters,
    translated by the screen, the customer display and the receipt alike."""

    reason: str
    params: tuple[tuple[str, str], ...]
    amount: Money
    source: str = ""

    @property
    def params_dict(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class CartMemberView:
    id: str
    name: str
    tier: str
    tier_name: str
    points: int = 0
    stored_value: Money = ZERO


@dataclass(frozen=True, slots=True)
class CouponUseView:
    """A coupon presented to the cart: what it saved, or why it does not apply (yet)."""

    id: str
    name: str
    kind: str
    saved: Money
    refusal: str | None = None
    refusal_params: tuple[tuple[str, str], ...] = ()


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
    reasons: tuple[SavingView, ...] = ()


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
    member: CartMemberView | None = None
    coupons: tuple[CouponUseView, ...] = ()
    entitlements: tuple[SavingView, ...] = ()
    """Granted without money (free parking): amount zero, reason and parameters."""

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
    reasons: tuple[SavingView, ...] = ()


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
    member_name: str = ""
    """Masked for the screen the whole queue can read (王**), empty without a member."""
    member_tier: str = ""
    member_points: int | None = None
    order_savings: tuple[SavingView, ...] = ()
    """Savings of the whole order (满减, money coupons), shown once under the lines; the
    lines' ``reasons`` hold only the savings on goods."""


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

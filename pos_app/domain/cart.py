"""The open cart: lines as scanned, quantities, weighed lines, voids, suspend and resume.

Invariants: amounts are integer fen; a weighed line's quantity is in grams and its amount is
the per-kg price times the weight, rounded half up once (or the price printed on the label);
a voided line stays in the cart for the audit trail but counts for nothing. The cart records
events; the unit of work publishes them after the commit.

Pricing: the cart does not price itself. A service hands ``pricing_lines()``, the member and
the presented coupons to the pure engine and gives the answer back with ``apply_pricing``;
each line then carries its ``discount`` and the cart the adjustments that explain them, so
``totals()`` is ``subtotal - savings`` exactly, whether the cart was just priced or read back
from the database after a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from pos_app.domain.catalog import Product
from pos_app.domain.ids import CartId, LineId, ProductId, new_id
from pos_app.domain.money import ZERO, Money
from pos_app.domain.pricing import (
    Adjustment,
    Coupon,
    CouponOutcome,
    Entitlement,
    OfferUse,
    PricedCart,
    PricingLine,
    PricingMember,
)
from pos_app.errors import UserError
from pos_app.events import CartSuspended, Event, ItemScanned, LineVoided

MAX_QUANTITY = 999
MAX_GRAMS = 100_000
MAX_LINES = 500
MAX_COUPONS = 10


class CartStatus(StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class CartLine:
    id: LineId
    position: int
    product_id: ProductId
    sku: str
    name: str
    unit_price: Money
    """Per piece, or per kilogram for a weighed line."""
    quantity: int
    """Pieces; 1 for a weighed line (its weight is in ``grams``)."""
    grams: int | None
    amount: Money
    tax_rate_bp: int
    voided: bool = False
    min_age: int | None = None
    """Age limit of the product (18 for alcohol and tobacco): the cashier checks ID."""
    category: str = ""
    member_price: Money | None = None
    """Per piece or per kg, when the product has one; the engine decides if it applies."""
    label_priced: bool = False
    """The amount is the price printed on a scale label."""
    discount: Money = ZERO
    """What promotions, coupons and the member price take off this line (set by pricing)."""

    @property
    def weighed(self) -> bool:
        return self.grams is not None

    @property
    def total(self) -> Money:
        return self.amount - self.discount

    def pricing_line(self) -> PricingLine:
        return PricingLine(
            line_id=self.id, sku=self.sku, category=self.category, unit_price=self.unit_price,
            quantity=self.quantity, grams=self.grams, member_price=self.member_price,
            label_amount=self.amount if self.label_priced else None)


@dataclass(frozen=True, slots=True)
class CartMember:
    """The member identified for this cart: who to greet and how the engine prices them."""

    id: str
    name: str
    tier: str
    tier_name: str
    pricing: PricingMember
    points: int = 0
    stored_value: Money = ZERO


@dataclass(frozen=True, slots=True)
class Pricing:
    """The engine's last answer for this cart, kept for views, the receipt and the sale."""

    adjustments: tuple[Adjustment, ...] = ()
    coupons: tuple[CouponOutcome, ...] = ()
    entitlements: tuple[Entitlement, ...] = ()
    uses: tuple[OfferUse, ...] = ()
    at: datetime | None = None
    exact: bool = True


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: Money
    savings: Money
    total: Money
    item_count: int


@dataclass(slots=True)
class Cart:
    id: CartId
    terminal_code: str
    cashier_id: str
    status: CartStatus = CartStatus.OPEN
    lines: list[CartLine] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    member: CartMember | None = None
    coupons: list[Coupon] = field(default_factory=list)
    pricing: Pricing = field(default_factory=Pricing)

    @classmethod
    def open(cls, terminal_code: str, cashier_id: str) -> Cart:
        return cls(id=CartId(new_id()), terminal_code=terminal_code, cashier_id=cashier_id)

    def active_lines(self) -> list[CartLine]:
        return [line for line in self.lines if not line.voided]

    def add_product(self, product: Product, quantity: int = 1) -> CartLine:
        """Add pieces; a repeat scan of the last line's product adds to that line."""
        self._require_open()
        if product.weighed:
            raise UserError("cart.needs_weight", name=product.name, sku=product.sku)
        _check_quantity(quantity)
        last = self.lines[-1] if self.lines else None
        if last is not None and not last.voided and last.product_id == product.id \
                and not last.weighed:
            return self.set_quantity(last.id, last.quantity + quantity)
        return self._append(product, quantity=quantity, grams=None,
                            amount=product.list_price.times(quantity))

    def add_weighed(self, product: Product, grams: int) -> CartLine:
        self._require_open()
        if not 0 < grams <= MAX_GRAMS:
            raise UserError("cart.bad_weight", grams=grams)
        return self._append(product, quantity=1, grams=grams,
                            amount=product.list_price.per_grams(grams))

    def add_priced_label(self, product: Product, price: Money, grams: int | None) -> CartLine:
        """A scale label that carries its own price: the label's price is the line's amount."""
        self._require_open()
        if price.is_negative() or price.is_zero():
            raise UserError("cart.bad_label_price")
        return self._append(product, quantity=1, grams=grams, amount=price,
                            unit_price=price if grams is None else None, label_priced=True)

    def set_quantity(self, line_id: LineId, quantity: int) -> CartLine:
        self._require_open()
        line = self._line(line_id)
        if line.weighed:
            raise UserError("cart.weighed_quantity", name=line.name)
        _check_quantity(quantity)
        changed = replace(line, quantity=quantity, amount=line.unit_price.times(quantity),
                          discount=ZERO)
        self._replace(changed)
        self.events.append(ItemScanned(self.id, line.id, line.sku, line.name, changed.amount))
        return changed

    def void_line(self, line_id: LineId) -> CartLine:
        self._require_open()
        line = self._line(line_id)
        voided = replace(line, voided=True, discount=ZERO)
        self._replace(voided)
        self.events.append(LineVoided(self.id, line.id, line.sku))
        return voided

    def suspend(self) -> None:
        self._require_open()
        if not self.active_lines():
            raise UserError("cart.empty")
        self.status = CartStatus.SUSPENDED
        self.events.append(CartSuspended(self.id))

    def resume(self) -> None:
        if self.status is not CartStatus.SUSPENDED:
            raise UserError("cart.not_suspended")
        self.status = CartStatus.OPEN

    def set_member(self, member: CartMember | None) -> None:
        self._require_open()
        self.member = member

    def add_coupon(self, coupon: Coupon) -> None:
        self._require_open()
        if any(held.id == coupon.id for held in self.coupons):
            raise UserError("coupon.already_applied")
        if len(self.coupons) >= MAX_COUPONS:
            raise UserError("cart.too_many_coupons", limit=MAX_COUPONS)
        self.coupons.append(coupon)

    def remove_coupon(self, coupon_id: str) -> Coupon:
        self._require_open()
        for held in self.coupons:
            if held.id == coupon_id:
                self.coupons.remove(held)
                return held
        raise UserError("coupon.not_in_cart")

    def pricing_lines(self) -> list[PricingLine]:
        return [line.pricing_line() for line in self.lines if not line.voided]

    def pricing_member(self) -> PricingMember | None:
        return None if self.member is None else self.member.pricing

    def apply_pricing(self, priced: PricedCart, at: datetime) -> None:
        """Take the engine's answer: each active line's discount, and the reasons."""
        discounts = {line.line_id: line.discount for line in priced.lines}
        self.lines = [
            line if line.discount == discounts.get(line.id, ZERO)
            else replace(line, discount=discounts.get(line.id, ZERO))
            for line in self.lines
        ]
        self.pricing = Pricing(adjustments=priced.adjustments, coupons=priced.coupons,
                               entitlements=priced.entitlements, uses=priced.uses, at=at,
                               exact=priced.exact)

    def adjustments_of(self, line_id: str) -> tuple[Adjustment, ...]:
        return tuple(a for a in self.pricing.adjustments if a.line_id == line_id)

    def totals(self) -> Totals:
        fen = saved = count = 0
        for line in self.lines:
            if not line.voided:
                fen += line.amount.fen
                saved += line.discount.fen
                count += 1 if line.grams is not None else line.quantity
        return Totals(subtotal=Money(fen), savings=Money(saved), total=Money(fen - saved),
                      item_count=count)

    def take_events(self) -> list[Event]:
        taken, self.events = self.events, []
        return taken

    def _append(self, product: Product, *, quantity: int, grams: int | None,
                amount: Money, unit_price: Money | None = None,
                label_priced: bool = False) -> CartLine:
        """``unit_price`` defaults to the product's price; a price-only scale label is its own
        unit (one package at the label's price)."""
        if not product.active:
            raise UserError("catalog.inactive", name=product.name)
        if len(self.lines) >= MAX_LINES:
            raise UserError("cart.too_many_lines", limit=MAX_LINES)
        line = CartLine(
            id=LineId(new_id()), position=len(self.lines), product_id=product.id,
            sku=product.sku, name=product.name, unit_price=unit_price or product.list_price,
            quantity=quantity, grams=grams, amount=amount, tax_rate_bp=product.tax_rate_bp,
            min_age=product.min_age, category=product.category,
            member_price=product.member_price,
            label_priced=label_priced,
        )
        self.lines.append(line)
        self.events.append(ItemScanned(self.id, line.id, line.sku, line.name, line.amount))
        return line

    def _line(self, line_id: LineId) -> CartLine:
        for line in self.lines:
            if line.id == line_id and not line.voided:
                return line
        raise UserError("cart.no_such_line")

    def _replace(self, changed: CartLine) -> None:
        self.lines = [changed if line.id == changed.id else line for line in self.lines]

    def _require_open(self) -> None:
        if self.status is not CartStatus.OPEN:
            raise UserError("cart.not_open")


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise UserError("cart.bad_quantity", quantity=quantity, limit=MAX_QUANTITY)

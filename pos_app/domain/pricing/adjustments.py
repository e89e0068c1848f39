"""What the pricing engine reads and what it answers: lines in; priced lines and the "why" out.

Invariants: money is integer fen. An ``Adjustment``'s amount is positive when the customer
saves; every adjustment names one line, so the receipt, the customer display and a refund can
say "you saved ¥X on Y because Z". A line's adjustments never exceed its amount, and
``PricedCart.total == subtotal - discount_total`` exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pos_app.domain.money import Money
from pos_app.errors import UserError

Params = Mapping[str, str]
"""Message parameters, already as text (amounts as "12.30", percentages as "50")."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why something was refused: a stable message key (``coupon.expired``) and its parameters."""

    code: str
    params: Params = field(default_factory=dict)

    def to_error(self) -> UserError:
        return UserError(self.code, **self.params)


@dataclass(frozen=True, slots=True)
class PricingLine:
    """One active cart line as the engine sees it.

    ``unit_price`` and ``member_price`` are per piece, or per kilogram when ``grams`` is set.
    A priced scale label passes its printed price as ``label_amount``, which then is the
    line's amount. Weighed and labelled lines are one unit each (quantity 1).
    """

    line_id: str
    sku: str
    category: str
    unit_price: Money
    quantity: int = 1
    grams: int | None = None
    member_price: Money | None = None
    label_amount: Money | None = None

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError(f"line {self.line_id}: quantity must be at least 1")
        if self.unit_price.is_negative():
            raise ValueError(f"line {self.line_id}: negative price")
        if self.grams is not None and self.grams <= 0:
            raise ValueError(f"line {self.line_id}: grams must be positive")
        if (self.grams is not None or self.label_amount is not None) and self.quantity != 1:
            raise ValueError(f"line {self.line_id}: a weighed or labelled line has quantity 1")
        for money in (self.member_price, self.label_amount):
            if money is not None and money.is_negative():
                raise ValueError(f"line {self.line_id}: negative amount")

    @property
    def units(self) -> int:
        """Pieces a multi-buy can count: the quantity, or 1 for a weighed or labelled line."""
        return 1 if self.grams is not None or self.label_amount is not None else self.quantity

    @property
    def amount(self) -> Money:
        """List amount: label price, or per-kg price x grams (half up, once), or price x qty."""
        if self.label_amount is not None:
            return self.label_amount
        if self.grams is not None:
            return self.unit_price.per_grams(self.grams)
        return self.unit_price.times(self.quantity)

    def member_amount(self) -> Money | None:
        """The amount at the member price, when there is one below the list price."""
        price = self.member_price
        if price is None or self.label_amount is not None or price >= self.unit_price:
            return None
        return price.per_grams(self.grams) if self.grams is not None else price.times(self.quantity)


@dataclass(frozen=True, slots=True)
class PricingMember:
    """The identified member: tier, whether the tier gets member prices, and how many times
    each promotion (by id) was already used by them, for per-member caps."""

    id: str
    tier: str
    member_prices: bool = True
    prior_uses: Mapping[str, int] = field(default_factory=dict)


class SourceKind(StrEnum):
    PROMOTION = "promotion"
    COUPON = "coupon"
    MEMBER_PRICE = "member_price"


MEMBER_PRICE_SOURCE = "member_price"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A saving on one line: how much, why (message key + params) and which rule gave it."""

    line_id: str
    amount: Money
    reason: str
    params: Params
    source: str
    kind: SourceKind


@dataclass(frozen=True, slots=True)
class PricedLine:
    line_id: str
    amount: Money
    """At the list price, before any saving."""
    discount: Money
    total: Money
    adjustments: tuple[Adjustment, ...]


@dataclass(frozen=True, slots=True)
class OfferUse:
    """How often a promotion or coupon applied in this cart (units, groups, bundles or 1)
    and what it saved: the services record it for per-member caps and coupon redemption."""

    source: str
    kind: SourceKind
    applications: int
    saved: Money


@dataclass(frozen=True, slots=True)
class CouponOutcome:
    """A presented coupon: used (``refusal is None``) with its saving, or why not."""

    coupon_id: str
    saved: Money
    refusal: Refusal | None

    @property
    def used(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True, slots=True)
class Entitlement:
    """Something granted without money, such as free parking."""

    coupon_id: str
    kind: str
    params: Params


@dataclass(frozen=True, slots=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    """In the order the lines were given."""
    adjustments: tuple[Adjustment, ...]
    subtotal: Money
    discount_total: Money
    total: Money
    coupons: tuple[CouponOutcome, ...] = ()
    entitlements: tuple[Entitlement, ...] = ()
    uses: tuple[OfferUse, ...] = ()
    exact: bool = True
    """False when a search ran out of budget and the bounded search decided."""

    def line(self, line_id: str) -> PricedLine:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise KeyError(line_id)

    def saved_by(self, source: str) -> Money:
        return Money(sum(a.amount.fen for a in self.adjustments if a.source == source))

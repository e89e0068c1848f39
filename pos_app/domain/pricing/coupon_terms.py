"""What a coupon is and gives: its kind, money terms, goods, holder and validity.

The engine prices presented coupons with these terms; ``pos_app.domain.coupons`` re-exports
them and adds the checks that refuse a coupon with a reason, and the signed codes.
Kinds: cash (现金券, money off), threshold (满减券, money off from a minimum spend), percent
(折扣券), gift (赠品券: a named product at zero), pickup (提货券: a named product at zero, no
spend needed) and parking (停车券: an entitlement, no money).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pos_app.domain.money import ZERO, Money
from pos_app.domain.pricing.adjustments import PricingMember, Refusal
from pos_app.domain.pricing.promotions import Scope


class CouponKind(StrEnum):
    CASH = "cash"
    THRESHOLD = "threshold"
    PERCENT = "percent"
    GIFT = "gift"
    PICKUP = "pickup"
    PARKING = "parking"


class CouponState(StrEnum):
    ISSUED = "issued"
    REDEEMED = "redeemed"
    VOID = "void"


PRODUCT_KINDS = (CouponKind.GIFT, CouponKind.PICKUP)
MONEY_KINDS = (CouponKind.CASH, CouponKind.THRESHOLD, CouponKind.PERCENT)


@dataclass(frozen=True, slots=True)
class Coupon:
    """One issued coupon. ``valid_until`` is exclusive. ``scope`` is the goods it applies to
    (for gift and parking coupons: the goods that count towards ``min_spend``).
    ``with_promotions=False``: only goods no promotion discounted; ``with_coupons=False``: no
    other coupon in the same order."""

    id: str
    kind: CouponKind
    name: str
    valid_from: datetime
    valid_until: datetime
    amount: Money = ZERO
    percent: Decimal | None = None
    min_spend: Money = ZERO
    max_discount: Money | None = None
    scope: Scope = field(default_factory=Scope)
    sku: str | None = None
    quantity: int = 1
    minutes: int = 0
    member_id: str | None = None
    tiers: frozenset[str] = frozenset()
    with_promotions: bool = True
    with_coupons: bool = True
    state: CouponState = CouponState.ISSUED
    batch: str = ""

    def __post_init__(self) -> None:
        problem = _terms_problem(self)
        if problem is not None:
            raise ValueError(f"coupon {self.id}: {problem}")


def _terms_problem(coupon: Coupon) -> str | None:
    if coupon.valid_from.utcoffset() is None or coupon.valid_until.utcoffset() is None:
        return "validity instants must be timezone-aware"
    if coupon.valid_until <= coupon.valid_from:
        return "valid_until must be after valid_from"
    if coupon.kind in (CouponKind.CASH, CouponKind.THRESHOLD) and coupon.amount.fen <= 0:
        return "a cash or threshold coupon needs a positive amount"
    if coupon.kind is CouponKind.THRESHOLD and coupon.min_spend.fen < coupon.amount.fen:
        return "a threshold coupon needs a minimum spend of at least its amount"
    if coupon.kind is CouponKind.PERCENT and (
        coupon.percent is None or not Decimal(0) < coupon.percent <= Decimal(100)
    ):
        return "a percent coupon needs a percent in (0, 100]"
    if coupon.kind in PRODUCT_KINDS and (not coupon.sku or coupon.quantity < 1):
        return "a gift or pickup coupon names a product and a positive quantity"
    if coupon.kind is CouponKind.PARKING and coupon.minutes <= 0:
        return "a parking coupon needs minutes"
    if coupon.min_spend.is_negative():
        return "negative minimum spend"
    return None


def holder_refusal(coupon: Coupon, member: PricingMember | None, at: datetime) -> Refusal | None:
    """Refusals that need no cart: state, validity window, bound member, tier."""
    if coupon.state is CouponState.REDEEMED:
        return Refusal("coupon.already_used")
    if coupon.state is CouponState.VOID:
        return Refusal("coupon.void")
    if at < coupon.valid_from:
        return Refusal("coupon.not_yet_valid", {"valid_from": coupon.valid_from.isoformat()})
    if at >= coupon.valid_until:
        return Refusal("coupon.expired", {"valid_until": coupon.valid_until.isoformat()})
    if (coupon.member_id is not None or coupon.tiers) and member is None:
        return Refusal("coupon.needs_member")
    if coupon.member_id is not None and member is not None and member.id != coupon.member_id:
        return Refusal("coupon.wrong_member")
    if coupon.tiers and member is not None and member.tier not in coupon.tiers:
        return Refusal("coupon.wrong_tier", {"tiers": ",".join(sorted(coupon.tiers))})
    return None


def stacking_refusal(coupon: Coupon, accepted: list[Coupon]) -> Refusal | None:
    """A coupon that may not be combined with the ``accepted`` ones (or is one of them)."""
    if any(other.id == coupon.id for other in accepted):
        return Refusal("coupon.already_applied")
    if accepted and (not coupon.with_coupons or any(not c.with_coupons for c in accepted)):
        return Refusal("coupon.not_stackable")
    return None

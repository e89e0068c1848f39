"""The pricing engine: promotions and coupons applied to a cart, explained line by line.

Public API: ``price(lines, rules, at, *, time_zone, member, coupons) -> PricedCart`` over a
``RuleIndex`` of ``Promotion`` values; see ``engine`` for the rules of combination and the
rounding rule, ``formats`` for the JSON form of promotions and coupons.
"""

from pos_app.domain.pricing.adjustments import (
    MEMBER_PRICE_SOURCE,
    Adjustment,
    CouponOutcome,
    Entitlement,
    OfferUse,
    PricedCart,
    PricedLine,
    PricingLine,
    PricingMember,
    Refusal,
    SourceKind,
)
from pos_app.domain.pricing.bound import SearchLimits
from pos_app.domain.pricing.coupon_terms import Coupon, CouponKind, CouponState
from pos_app.domain.pricing.engine import price
from pos_app.domain.pricing.formats import (
    RuleFormatError,
    coupon_from_dict,
    coupon_to_dict,
    promotion_from_dict,
    promotion_to_dict,
)
from pos_app.domain.pricing.index import RuleIndex
from pos_app.domain.pricing.promotions import (
    AmountOff,
    Bundle,
    BundlePart,
    BuyXGetY,
    Caps,
    MultiBuy,
    NthItemOff,
    PercentOff,
    Promotion,
    Reward,
    Scope,
    SpecialPrice,
    SpendTier,
    SpendTiers,
)
from pos_app.domain.pricing.windows import Window

__all__ = [
    "MEMBER_PRICE_SOURCE",
    "Adjustment",
    "AmountOff",
    "Bundle",
    "BundlePart",
    "BuyXGetY",
    "Caps",
    "Coupon",
    "CouponKind",
    "CouponOutcome",
    "CouponState",
    "Entitlement",
    "MultiBuy",
    "NthItemOff",
    "OfferUse",
    "PercentOff",
    "PricedCart",
    "PricedLine",
    "PricingLine",
    "PricingMember",
    "Promotion",
    "Refusal",
    "Reward",
    "RuleFormatError",
    "RuleIndex",
    "Scope",
    "SearchLimits",
    "SourceKind",
    "SpecialPrice",
    "SpendTier",
    "SpendTiers",
    "Window",
    "coupon_from_dict",
    "coupon_to_dict",
    "price",
    "promotion_from_dict",
    "promotion_to_dict",
]

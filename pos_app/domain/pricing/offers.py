"""Offers: a promotion or a coupon made ready to apply, with its place in the application
order and the message key and parameters that explain its savings. Internal to the pricing
package."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pos_app.domain.pricing.adjustments import SourceKind
from pos_app.domain.pricing.coupon_terms import PRODUCT_KINDS, Coupon, CouponKind
from pos_app.domain.pricing.promotions import (
    GROUPING,
    PER_UNIT,
    AmountOff,
    Bundle,
    BuyXGetY,
    MultiBuy,
    NthItemOff,
    PercentOff,
    Promotion,
    Reward,
    SpecialPrice,
    SpendTier,
    SpendTiers,
    percent_hundredths,
)

ITEM, ORDER, COUPON = 1, 2, 3
PER_UNIT_EFFECT, GROUPS_EFFECT, BUNDLE_EFFECT, ORDER_EFFECT, PRODUCT_EFFECT = range(5)
"""What applying an offer does (``rewards.apply`` dispatches on it)."""
PERCENT_RULE, AMOUNT_RULE, PRICE_RULE, DECIMAL_PERCENT_RULE = range(4)
"""A per-unit reward as numbers: percent off in hundredths, money off per unit in fen, a
set price per unit (per kg) in fen, or a percentage with more decimals (kept as Decimal)."""
_COUPON_PHASE = {CouponKind.PERCENT: 0, CouponKind.THRESHOLD: 1, CouponKind.CASH: 2}


@dataclass(frozen=True, slots=True, eq=False)
class Offer:
    """A promotion or coupon ready to apply, with its place in the application order."""

    source: str
    kind: SourceKind
    stage: int
    phase: int
    priority: int
    specificity: int
    stackable: bool
    group: str | None
    limit: int | None
    max_discount: int | None
    reason: str
    params: dict[str, str]
    promotion: Promotion | None = None
    coupon: Coupon | None = None
    key: tuple[int, int, int, int, str] = field(init=False)
    """Application order: stage, phase, higher priority, more specific scope, id."""
    claims: bool = field(init=False)
    """Takes units for itself: a non-stackable item promotion or a product coupon."""
    grouping: bool = field(init=False)
    splittable: bool = field(init=False)
    """Per-unit and uncapped: its effect on a line depends on that line only, so the engine
    decides it line by line."""
    effect: int = field(init=False)
    unit_rule: tuple[int, int] = field(init=False)
    """For a per-unit reward: (``*_RULE``, its number); else (-1, 0)."""
    thresholds: tuple[int, ...] = field(init=False)
    """Eligible amounts at which the saving jumps (spend tiers, a coupon's minimum)."""
    steps: tuple[tuple[int, int, SpendTier], ...] | None = field(init=False)
    """A spend-and-save that does not repeat: (threshold, off, tier) best first, so the
    first step whose threshold is reached is the tier ``SpendTiers.reached`` picks."""
    texts: dict[int, dict[str, str]] = field(default_factory=dict, init=False, repr=False)
    """A spend-and-save's message params per tier threshold, for the tier's full saving: the
    same few come back in every evaluation, so they are made once. Filled as used (at most one
    entry per tier); an entry is never changed."""

    def __post_init__(self) -> None:
        reward = None if self.promotion is None else self.promotion.reward
        facts = {
            "key": (self.stage, self.phase, -self.priority, self.specificity, self.source),
            "claims": self.stage == ITEM and not self.stackable,
            "grouping": isinstance(reward, GROUPING),
            "splittable": isinstance(reward, PER_UNIT)
            and self.limit is None
            and self.max_discount is None,
            "effect": _effect(reward, self.coupon),
            "unit_rule": _unit_rule(reward),
            "thresholds": _thresholds(reward, self.coupon),
            "steps": _steps(reward),
        }
        for name, value in facts.items():
            object.__setattr__(self, name, value)


def _effect(reward: Reward | None, coupon: Coupon | None) -> int:
    if coupon is not None:
        return PRODUCT_EFFECT if coupon.kind in PRODUCT_KINDS else ORDER_EFFECT
    if isinstance(reward, SpendTiers):
        return ORDER_EFFECT
    if isinstance(reward, Bundle):
        return BUNDLE_EFFECT
    return GROUPS_EFFECT if isinstance(reward, GROUPING) else PER_UNIT_EFFECT


def _unit_rule(reward: Reward | None) -> tuple[int, int]:
    if isinstance(reward, PercentOff):
        hundredths = percent_hundredths(reward.percent)
        return (DECIMAL_PERCENT_RULE, 0) if hundredths is None else (PERCENT_RULE, hundredths)
    if isinstance(reward, AmountOff):
        return AMOUNT_RULE, reward.amount.fen
    if isinstance(reward, SpecialPrice):
        return PRICE_RULE, reward.price.fen
    return -1, 0


def _steps(reward: Reward | None) -> tuple[tuple[int, int, SpendTier], ...] | None:
    if not isinstance(reward, SpendTiers) or reward.repeat:
        return None
    steps = [(tier.threshold.fen, tier.off.fen, tier) for tier in reward.tiers]
    return tuple(sorted(steps, key=lambda step: (step[1], step[0]), reverse=True))


def _thresholds(reward: Reward | None, coupon: Coupon | None) -> tuple[int, ...]:
    if isinstance(reward, SpendTiers):
        return tuple(tier.threshold.fen for tier in reward.tiers)
    if coupon is not None and coupon.min_spend.fen > 0:
        return (coupon.min_spend.fen,)
    return ()


def promotion_offer(promotion: Promotion, limit: int | None) -> Offer:
    reward = promotion.reward
    stage = ORDER if isinstance(reward, SpendTiers) else ITEM
    if stage == ORDER:
        phase = 1 if promotion.stackable else 0
    else:
        phase = 1 if not promotion.stackable else (2 if isinstance(reward, GROUPING) else 3)
    reason, params = _promotion_reason(promotion)
    cap = promotion.caps.max_discount
    return Offer(
        source=promotion.id,
        kind=SourceKind.PROMOTION,
        stage=stage,
        phase=phase,
        priority=promotion.priority,
        specificity=promotion.scope.specificity,
        stackable=promotion.stackable,
        group=promotion.group,
        limit=limit,
        max_discount=None if cap is None else cap.fen,
        reason=reason,
        params=params,
        promotion=promotion,
    )


def coupon_offer(coupon: Coupon) -> Offer:
    product = coupon.kind in PRODUCT_KINDS
    params = {"name": coupon.name}
    if coupon.kind in (CouponKind.CASH, CouponKind.THRESHOLD):
        params["amount"] = coupon.amount.yuan_text()
    if coupon.percent is not None:
        params["percent"] = percent_text(coupon.percent)
    cap = coupon.max_discount
    return Offer(
        source=coupon.id,
        kind=SourceKind.COUPON,
        stage=ITEM if product else COUPON,
        phase=0 if product else _COUPON_PHASE.get(coupon.kind, 3),
        priority=0,
        specificity=0,
        stackable=not product,
        group=None,
        limit=None,
        max_discount=None if cap is None else cap.fen,
        reason=f"coupon.{coupon.kind.value}",
        params=params,
        coupon=coupon,
    )


def percent_text(percent: Decimal) -> str:
    return f"{percent.normalize():f}"


def _promotion_reason(promotion: Promotion) -> tuple[str, dict[str, str]]:
    reward = promotion.reward
    params = {"name": promotion.name}
    if isinstance(reward, PercentOff):
        key, params["percent"] = "promo.percent_off", percent_text(reward.percent)
    elif isinstance(reward, AmountOff):
        key, params["amount"] = "promo.amount_off", reward.amount.yuan_text()
    elif isinstance(reward, SpecialPrice):
        key, params["price"] = "promo.special_price", reward.price.yuan_text()
    elif isinstance(reward, MultiBuy):
        key = "promo.multi_buy"
        params.update(count=str(reward.count), price=reward.price.yuan_text())
    elif isinstance(reward, NthItemOff):
        half = reward.nth == 2 and reward.percent == Decimal(50)
        key = "promo.second_half_price" if half else "promo.nth_item_off"
        params.update(nth=str(reward.nth), percent=percent_text(reward.percent))
    elif isinstance(reward, BuyXGetY):
        key = "promo.buy_x_get_y"
        params.update(buy=str(reward.buy), get=str(reward.get))
    elif isinstance(reward, Bundle):
        key, params["price"] = "promo.bundle", reward.price.yuan_text()
    else:
        key = "promo.spend_save"
    return promotion.reason or key, params

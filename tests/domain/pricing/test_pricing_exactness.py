"""When the engine says its answer is exact, nothing the same rules allow prices the cart lower.

Any answer the engine gives for a subset of the promotions and coupons is a legal combination
under the same rules, so an exact answer for all of them can be no dearer than the cheapest of
those. Small carts (a few offers, so every subset is priced) from the pricing strategies; the
engine separates an item stage from an order stage and must say "not exact" wherever dropping
item offers could let an order-level offer (spend-and-save, a coupon that refuses promoted
goods, an exclusivity group, a cap) save more, unless it has ruled that out.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import chain, combinations

from hypothesis import HealthCheck, given, settings
from pricing_strategies import AT, coupons, members, pricing_lines, promotions

from pos_app.domain.money import Money
from pos_app.domain.pricing import (
    Coupon,
    CouponKind,
    NthItemOff,
    PercentOff,
    PricedCart,
    PricingLine,
    PricingMember,
    Promotion,
    RuleIndex,
    Scope,
    SpendTier,
    SpendTiers,
    price,
)

ZONE = "Asia/Shanghai"
SHANGHAI = timezone(timedelta(hours=8))


def _priced(
    lines: list[PricingLine],
    rules: list[Promotion],
    member: PricingMember | None,
    presented: list[Coupon],
) -> PricedCart:
    return price(lines, RuleIndex(rules), AT, time_zone=ZONE, member=member, coupons=presented)


def _subsets(items: list[object]) -> chain[tuple[object, ...]]:
    return chain.from_iterable(combinations(items, size) for size in range(len(items) + 1))


def _cheapest_subset(
    lines: list[PricingLine],
    rules: list[Promotion],
    member: PricingMember | None,
    presented: list[Coupon],
) -> int:
    return min(
        _priced(lines, list(some_rules), member, list(some_coupons)).total.fen  # type: ignore[arg-type]
        for some_rules in _subsets(rules)  # type: ignore[arg-type]
        for some_coupons in _subsets(presented)  # type: ignore[arg-type]
    )


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    pricing_lines(max_size=6),
    promotions(max_size=4),
    members,
    coupons(max_size=2),
)
def test_an_exact_answer_is_no_dearer_than_any_subset_of_the_offers(
    lines: list[PricingLine],
    rules: list[Promotion],
    member: PricingMember | None,
    presented: list[Coupon],
) -> None:
    priced = _priced(lines, rules, member, presented)
    if priced.exact:
        assert priced.total.fen <= _cheapest_subset(lines, rules, member, presented)


def _line(line_id: str, sku: str, category: str, fen: int, quantity: int = 1) -> PricingLine:
    return PricingLine(line_id, sku, category, Money(fen), quantity, None, None)


def _promotion(promotion_id: str, reward: object, scope: Scope, **fields: object) -> Promotion:
    return Promotion(promotion_id, promotion_id, reward, scope, **fields)  # type: ignore[arg-type]


def _cash(title: str, fen: int, **terms: object) -> Coupon:
    """Cash coupon C0, valid the day before to the day after ``AT``."""
    return Coupon(
        "C0",
        CouponKind.CASH,
        title,
        datetime(2025, 6, 3, tzinfo=SHANGHAI),
        datetime(2025, 6, 5, tzinfo=SHANGHAI),
        amount=Money(fen),
        **terms,  # type: ignore[arg-type]
    )


def test_a_one_fen_promotion_does_not_shut_out_a_coupon_that_refuses_promoted_goods() -> None:
    """5 % off everything (non-stackable) saves 1 fen on the bread; a ¥3.47 cash coupon "not
    with promotions" could then use nothing. Without the 5 % on the bread the coupon takes
    the bread's 10 fen: the cheaper combination, found by the repair."""
    lines = [_line("L0", "BREAD", "烘焙", 2, 5), _line("L1", "MILK", "乳品", 1_728, 2)]
    rules = [
        _promotion("P0", PercentOff(Decimal(10)), Scope(categories=frozenset({"乳品"}))),
        _promotion("P1", PercentOff(Decimal(5)), Scope()),
    ]
    cash = _cash("券", 347, with_promotions=False)
    priced = _priced(lines, rules, None, [cash])
    assert priced.total.fen == 3_466 - 346 - 10
    assert {(a.line_id, a.source) for a in priced.adjustments} == {("L1", "P0"), ("L0", "C0")}


def test_a_multi_buy_that_shuts_out_a_spend_and_save_is_dropped() -> None:
    """A stackable "second item 5 % off" on two breads saves 1 fen and touches both (the
    dear one too, with no saving on it), so a non-stackable 满12减2 (untouched goods only)
    is shut out; the apples' 50 % takes their line. Dropping the multi-buy lets 满12减2 save
    2 on the breads: 21 - 1 - 2 = 18, not 19."""
    lines = [
        _line("L0", "BREAD", "烘焙", 10),
        PricingLine("L1", "APPLE", "水果", Money(0), 1, 1, None),
        PricingLine("L2", "APPLE", "水果", Money(10), 1, 50, None),
        _line("L3", "BREAD", "烘焙", 10),
    ]
    rules = [
        _promotion("P1", PercentOff(Decimal(50)), Scope(skus=frozenset({"APPLE"}))),
        _promotion("P2", SpendTiers((SpendTier(Money(12), Money(2)),)), Scope()),
        _promotion("P4", NthItemOff(2, Decimal(5)), Scope(), stackable=True),
    ]
    priced = _priced(lines, rules, None, [])
    assert priced.total.fen == 18
    assert {(a.line_id, a.source) for a in priced.adjustments} == {
        ("L0", "P2"),
        ("L2", "P1"),
        ("L3", "P2"),
    }


def test_a_coupon_that_already_saves_in_full_leaves_the_answer_exact() -> None:
    """10 % off the milk, then a ¥10 cash coupon from ¥50 on ¥98 left to pay: the coupon
    saves all it can, so dropping the milk offer could only cost more and the answer is
    exact. (The coupon, the order stage's last offer, is spread only once its result is
    kept; the repair must still count what it saves.)"""
    lines = [_line("L0", "MILK", "乳品", 2_000, 5), _line("L1", "BREAD", "烘焙", 800)]
    rules = [_promotion("P0", PercentOff(Decimal(10)), Scope(skus=frozenset({"MILK"})))]
    cash = _cash("满50减10", 1_000, min_spend=Money(5_000))
    priced = _priced(lines, rules, None, [cash])
    assert priced.total.fen == 10_800 - 1_000 - 1_000
    assert priced.exact is True
    assert {(a.line_id, a.source, a.amount.fen) for a in priced.adjustments} == {
        ("L0", "P0", 1_000),
        ("L0", "C0", 918),
        ("L1", "C0", 82),
    }

"""Rules as data: the JSON form, the SKU/category index, windows, and the engine's edges."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pricing_strategies import AT, coupons, promotions

from pos_app.domain.money import Money
from pos_app.domain.pricing import (
    AmountOff,
    Caps,
    Coupon,
    CouponKind,
    NthItemOff,
    OfferUse,
    PercentOff,
    PricingLine,
    PricingMember,
    Promotion,
    RuleFormatError,
    RuleIndex,
    Scope,
    SourceKind,
    SpendTier,
    SpendTiers,
    Window,
    coupon_from_dict,
    coupon_to_dict,
    price,
    promotion_from_dict,
    promotion_to_dict,
)
from pos_app.domain.pricing.order_level import split

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZONE = "Asia/Shanghai"


@given(promotions())
def test_promotions_round_trip_through_their_json_form(rules: list[Promotion]) -> None:
    for promotion in rules:
        assert promotion_from_dict(promotion_to_dict(promotion)) == promotion


@given(coupons())
def test_coupons_round_trip_through_their_json_form(presented: list[object]) -> None:
    for coupon in presented:
        assert coupon_from_dict(coupon_to_dict(coupon)) == coupon  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("record", "where"),
    [
        ({"name": "x", "reward": {"kind": "percent_off", "percent": "10"}}, "promotion.id"),
        ({"id": "P1", "name": "x", "reward": {"kind": "free_lunch"}}, "promotion.reward.kind"),
        (
            {"id": "P1", "name": "x", "reward": {"kind": "percent_off", "percent": "abc"}},
            "promotion.reward.percent",
        ),
        (
            {"id": "P1", "name": "x", "reward": {"kind": "percent_off", "percent": "150"}},
            "promotion",
        ),
        (
            {"id": "P1", "name": "x", "reward": {"kind": "amount_off", "amount": "1.005"}},
            "promotion.reward.amount",
        ),
        (
            {
                "id": "P1",
                "name": "x",
                "reward": {"kind": "percent_off", "percent": "5"},
                "window": {"starts": "2025-06-01T00:00:00"},
            },
            "promotion.window.starts",
        ),
        (
            {
                "id": "P1",
                "name": "x",
                "reward": {"kind": "percent_off", "percent": "5"},
                "stackable": "yes",
            },
            "promotion.stackable",
        ),
    ],
)
def test_a_bad_record_names_the_key(record: dict[str, object], where: str) -> None:
    with pytest.raises(RuleFormatError, match=where.replace(".", r"\.")):
        promotion_from_dict(record)


def test_a_bad_coupon_record_names_the_key() -> None:
    with pytest.raises(RuleFormatError, match=r"coupon\.valid_until"):
        coupon_from_dict(
            {
                "id": "C1",
                "kind": "cash",
                "name": "x",
                "amount": "1.00",
                "valid_from": "2025-06-01T00:00:00+08:00",
            }
        )


def _line(n: int, sku: str, category: str, fen: int = 10_00) -> PricingLine:
    return PricingLine(f"L{n}", sku, category, Money(fen))


def test_the_index_finds_only_the_rules_a_cart_can_match() -> None:
    rules = RuleIndex(
        [
            Promotion("A", "可乐", PercentOff(Decimal(10)), Scope(skus=frozenset({"COLA"}))),
            Promotion("B", "饮料", PercentOff(Decimal(10)), Scope(categories=frozenset({"饮料"}))),
            Promotion(
                "C", "全场", PercentOff(Decimal(10)), Scope(exclude_categories=frozenset({"烟草"}))
            ),
            Promotion("D", "牛奶", PercentOff(Decimal(10)), Scope(skus=frozenset({"MILK"}))),
            Promotion(
                "E",
                "饮料除可乐",
                PercentOff(Decimal(10)),
                Scope(categories=frozenset({"饮料"}), exclude_skus=frozenset({"COLA"})),
            ),
        ]
    )
    lines = [_line(0, "COLA", "饮料"), _line(1, "TEA", "饮料"), _line(2, "CIG", "烟草")]
    found = {rules.promotions[p].id: hits for p, hits in rules.matching(lines).items()}
    assert found == {"A": [0], "B": [0, 1], "C": [0, 1], "E": [1]}


def test_duplicate_promotion_ids_are_refused() -> None:
    promotion = Promotion("A", "x", PercentOff(Decimal(10)))
    with pytest.raises(ValueError):
        RuleIndex([promotion, promotion])


def _local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("window", "local", "runs"),
    [
        (Window(weekdays=frozenset({3})), _local(2025, 6, 4, 23, 59), True),
        (Window(weekdays=frozenset({3})), _local(2025, 6, 5, 0, 0), False),
        (Window(from_time=time(22), until_time=time(2)), _local(2025, 6, 5, 1, 59), True),
        (Window(from_time=time(22), until_time=time(2)), _local(2025, 6, 5, 2, 0), False),
        (Window(from_time=time(8)), _local(2025, 6, 5, 7, 59), False),
        (Window(days_of_month=frozenset({8, 18, 28})), _local(2025, 6, 18, 12), True),
    ],
)
def test_windows_read_the_store_clock(window: Window, local: datetime, runs: bool) -> None:
    assert window.contains(local) is runs


def test_a_window_with_naive_instants_is_refused() -> None:
    with pytest.raises(ValueError):
        Window(starts=datetime(2025, 6, 1))  # noqa: DTZ001


@given(st.integers(0, 10**8), st.lists(st.integers(0, 10**6), min_size=1, max_size=50))
def test_the_split_follows_money_allocate_exactly(total: int, weights: list[int]) -> None:
    assert split(total, weights) == [part.fen for part in Money(total).allocate(weights)]


def test_pricing_needs_an_aware_time_and_unique_line_ids() -> None:
    lines = [_line(0, "COLA", "饮料")]
    with pytest.raises(ValueError):
        price(lines, RuleIndex(), datetime(2025, 6, 4, 10), time_zone=ZONE)  # noqa: DTZ001
    with pytest.raises(ValueError):
        price(lines * 2, RuleIndex(), AT, time_zone=ZONE)


def test_an_empty_cart_prices_to_zero() -> None:
    priced = price([], RuleIndex(), AT, time_zone=ZONE)
    assert (priced.total, priced.lines, priced.adjustments) == (Money(0), (), ())


def test_uses_report_applications_for_per_member_caps() -> None:
    rules = RuleIndex(
        [
            Promotion(
                "P1",
                "第二件半价",
                NthItemOff(2, Decimal(50)),
                Scope(skus=frozenset({"COLA"})),
                caps=Caps(per_member=5),
            ),
            Promotion(
                "P2", "立减", AmountOff(Money(50)), Scope(skus=frozenset({"TEA"})), stackable=True
            ),
        ]
    )
    lines = [
        PricingLine("L1", "COLA", "饮料", Money(3_50), 4),
        PricingLine("L2", "TEA", "饮料", Money(4_00), 3),
    ]
    priced = price(lines, rules, AT, time_zone=ZONE, member=PricingMember("M1", "gold"))
    assert priced.uses == (
        OfferUse("P1", SourceKind.PROMOTION, 2, Money(3_50)),
        OfferUse("P2", SourceKind.PROMOTION, 3, Money(1_50)),
    )


def test_a_per_unit_offer_counts_only_the_units_it_still_discounts_after_a_repair() -> None:
    """7.125 % off everything (not stackable) first takes every line; a ¥26.35 coupon from
    ¥159.96 on unpromoted goods then wins back three lines. The offer keeps the milk only,
    so it applied to 3 units, not to all 13 it took in the first solve."""
    rules = RuleIndex([Promotion("P0", "全场7.125折扣", PercentOff(Decimal("7.125")), Scope())])
    lines = [
        PricingLine("L0", "MILK", "乳品", Money(3_14), 3),
        PricingLine("L1", "EGG", "乳品", Money(15_77), 2),
        PricingLine("L2", "COLA", "饮料", Money(18_92), 2),
        PricingLine("L3", "COLA", "饮料", Money(16_65), 6),
    ]
    coupon = Coupon(
        "C0",
        CouponKind.THRESHOLD,
        "满159.96减26.35",
        AT - timedelta(days=1),
        AT + timedelta(days=1),
        amount=Money(26_35),
        min_spend=Money(159_96),
        with_promotions=False,
        with_coupons=False,
    )
    priced = price(lines, rules, AT, time_zone=ZONE, coupons=[coupon])
    assert {a.line_id: a.source for a in priced.adjustments} == {
        "L0": "P0",
        "L1": "C0",
        "L2": "C0",
        "L3": "C0",
    }
    assert priced.uses == (
        OfferUse("C0", SourceKind.COUPON, 1, Money(26_35)),
        OfferUse("P0", SourceKind.PROMOTION, 3, Money(67)),
    )


def test_a_limited_offer_does_not_count_a_unit_that_costs_nothing() -> None:
    """A "1 fen off, 2 per order" offer: of two apples, one weighed at 0 fen, only the other is
    discounted, so one of the order's two uses is spent (a free unit saves nothing)."""
    rules = RuleIndex(
        [
            Promotion(
                "P0",
                "苹果立减",
                AmountOff(Money(1)),
                Scope(skus=frozenset({"APPLE"})),
                stackable=False,
                caps=Caps(per_order=2),
            )
        ]
    )
    lines = [
        PricingLine("L0", "APPLE", "水果", Money(0), grams=500),
        PricingLine("L1", "APPLE", "水果", Money(1), grams=500),
    ]
    priced = price(lines, rules, AT, time_zone=ZONE)
    assert [(a.line_id, a.amount) for a in priced.adjustments] == [("L1", Money(1))]
    assert priced.uses == (OfferUse("P0", SourceKind.PROMOTION, 1, Money(1)),)


def test_adjustment_params_carry_the_promotion_name_for_the_message() -> None:
    rules = RuleIndex(
        [
            Promotion(
                "P1",
                "全场满100减20",
                SpendTiers((SpendTier(Money(100_00), Money(20_00)),)),
                stackable=True,
            )
        ]
    )
    priced = price([PricingLine("L1", "RICE", "粮油", Money(120_00))], rules, AT, time_zone=ZONE)
    (saving,) = priced.adjustments
    assert (saving.reason, dict(saving.params)) == (
        "promo.spend_save",
        {"name": "全场满100减20", "threshold": "100.00", "off": "20.00"},
    )


def test_a_spend_tier_cannot_save_more_than_its_threshold() -> None:
    with pytest.raises(ValueError):
        SpendTier(Money(100_00), Money(100_01))


def test_the_weekday_is_the_store_weekday_not_utc() -> None:
    member_day = Promotion(
        "P1",
        "周三会员日",
        PercentOff(Decimal(5)),
        member_only=True,
        stackable=True,
        window=Window(weekdays=frozenset({3})),
    )
    lines = [PricingLine("L1", "RICE", "粮油", Money(100_00))]
    late_tuesday_utc = datetime(2025, 6, 3, 17, 0, tzinfo=UTC)  # 01:00 Wed in Shanghai
    member = PricingMember("M1", "gold")
    assert price(
        lines, RuleIndex([member_day]), late_tuesday_utc, time_zone=ZONE, member=member
    ).total == Money(95_00)
    assert price(
        lines,
        RuleIndex([member_day]),
        late_tuesday_utc - timedelta(hours=2),
        time_zone=ZONE,
        member=member,
    ).total == Money(100_00)


def test_of_two_group_offers_that_save_the_same_the_one_applied_first_takes_the_line() -> None:
    """9折 on the milk and ¥2 off dairy, one exclusivity group, both save ¥2 on a ¥20 milk:
    only one may apply, and the tie goes to the one applied first (the more specific scope,
    the SKU offer), however the rules are listed."""
    milk = PricingLine("L0", "MILK", "乳品", Money(2_000), 1, None, None)
    rules = [
        Promotion(
            "P1",
            "牛奶9折",
            PercentOff(Decimal(10)),
            Scope(skus=frozenset({"MILK"})),
            group="flyer",
            stackable=True,
        ),
        Promotion(
            "P2",
            "乳品减2元",
            AmountOff(Money(200)),
            Scope(categories=frozenset({"乳品"})),
            group="flyer",
            stackable=True,
        ),
    ]
    for listed in (rules, rules[::-1]):
        priced = price([milk], RuleIndex(listed), AT, time_zone=ZONE)
        assert [(a.source, a.amount.fen) for a in priced.adjustments] == [("P1", 200)]
        assert priced.total.fen == 1_800

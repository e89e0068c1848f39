"""The engine's fast paths make exactly what the plain ways make: quick constructors, integer
amounts, the shared per-product promotion lookup, the cart no offer can touch."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pricing_strategies import AT, members, pricing_lines, promotions

from pos_app.domain.money import Money
from pos_app.domain.pricing import (
    Adjustment,
    OfferUse,
    PercentOff,
    PricedLine,
    PricingLine,
    PricingMember,
    Promotion,
    RuleIndex,
    Scope,
    SourceKind,
    Window,
    price,
)
from pos_app.domain.pricing.engine import searched
from pos_app.domain.pricing.makers import (
    add_adjustments,
    adjustment,
    money,
    offer_uses,
    priced_lines,
)
from pos_app.domain.pricing.plain import plain_cart
from pos_app.domain.pricing.promotions import percent_hundredths, percent_of
from pos_app.domain.pricing.state import Basket, per_grams_fen
from pos_app.domain.pricing.windows import Moment

ZONE = "Asia/Shanghai"
checks = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_quick_constructors_make_equal_values_of_the_same_type() -> None:
    params = {"name": "可乐8折"}
    made = adjustment("L1", money(120), "promo.percent_off", params, "P1", SourceKind.PROMOTION)
    plain = Adjustment("L1", Money(120), "promo.percent_off", params, "P1", SourceKind.PROMOTION)
    assert made == plain and type(made) is Adjustment and type(made.amount) is Money
    assert repr(made) == repr(plain) and hash(made.amount) == hash(plain.amount)

    rows: list[list[Adjustment]] = [[], []]
    said = [("promo.percent_off", params, "P1", SourceKind.PROMOTION, 1)]
    saved = [5, 7]
    add_adjustments(rows, [(1, 120, 0)], ["L1", "L2"], said, saved)
    assert rows == [[], [Adjustment("L2", Money(120), *said[0][:4])]] and saved == [5, 127]

    (line,), every = priced_lines([1], ["L1", "L2"], [0, 500], [0, 380], [(), (plain,)])
    assert line == PricedLine("L2", Money(500), Money(120), Money(380), (plain,))
    assert every == [plain]

    (use,) = offer_uses([(SourceKind.PROMOTION, "P1")], {(SourceKind.PROMOTION, "P1"): [3, 120]})
    assert use == OfferUse("P1", SourceKind.PROMOTION, 3, Money(120)) and type(use) is OfferUse
    assert repr(use) == repr(OfferUse("P1", SourceKind.PROMOTION, 3, Money(120)))


@checks
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**6))
def test_integer_per_grams_rounds_as_money_does(per_kg: int, grams: int) -> None:
    assert per_grams_fen(per_kg, grams) == Money(per_kg).per_grams(grams).fen


@checks
@given(st.integers(min_value=-(10**6), max_value=-1), st.integers(min_value=1, max_value=5_000))
def test_a_negative_price_per_kg_takes_the_exact_path(per_kg: int, grams: int) -> None:
    assert per_grams_fen(per_kg, grams) == Money(per_kg).per_grams(grams).fen


@checks
@given(
    st.integers(min_value=0, max_value=10**7),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100), places=3),
)
def test_a_percentage_in_hundredths_is_the_same_saving(fen: int, percent: Decimal) -> None:
    hundredths = percent_hundredths(percent)
    exact = Money(fen).times_decimal(percent / 100).fen
    assert percent_of(fen, percent) == exact
    if hundredths is not None:
        assert (fen * hundredths + 5_000) // 10_000 == exact


@checks
@given(pricing_lines(max_size=12), members)
def test_the_basket_reads_amounts_as_the_lines_do(
    lines: list[PricingLine], member: PricingMember | None
) -> None:
    basket = Basket(lines, member)
    for i, line in enumerate(basket.lines):
        member_amount = line.member_amount() if member and member.member_prices else None
        assert basket.listed[i] == line.amount.fen
        assert basket.amount[i] == (member_amount or line.amount).fen
        assert basket.units[i] == line.units


@checks
@given(pricing_lines(max_size=10), promotions())
def test_the_remembered_promotion_lookup_prices_as_a_fresh_index(
    lines: list[PricingLine], rules: list[Promotion]
) -> None:
    shared = RuleIndex(rules)
    first = price(lines, shared, AT, time_zone=ZONE)
    assert price(lines, shared, AT, time_zone=ZONE) == first
    assert price(lines, RuleIndex(rules), AT, time_zone=ZONE) == first


def test_a_moment_reads_a_window_as_the_instant_does() -> None:
    window = Window(weekdays=frozenset({3}), days_of_month=frozenset({4}))
    local = AT.astimezone()
    assert window.contains_moment(Moment.of(local)) is window.contains(local)


@checks
@given(pricing_lines(max_size=12), members)
def test_a_cart_no_offer_can_touch_prices_as_the_search_would(
    lines: list[PricingLine], member: PricingMember | None
) -> None:
    basket = Basket(lines, member)
    through = searched(basket, lines, [], AT, member=member, coupons=(), limits=None)
    assert repr(plain_cart(lines, member)) == repr(through)
    assert repr(price(lines, RuleIndex(), AT, time_zone=ZONE, member=member)) == repr(through)
    ended = Window(ends=AT)  # covers every line, but no longer runs: still nothing to search
    rules = RuleIndex([Promotion("P1", "x", PercentOff(Decimal(10)), Scope(), window=ended)])
    assert repr(price(lines, rules, AT, time_zone=ZONE, member=member)) == repr(through)

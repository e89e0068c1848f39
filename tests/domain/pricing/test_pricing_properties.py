"""Properties the pricing engine keeps for any cart, promotions, coupons and member."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pricing_strategies import AT, coupons, members, pricing_lines, promotions

from pos_app.domain.pricing import (
    AmountOff,
    Coupon,
    PercentOff,
    PricedCart,
    PricingLine,
    PricingMember,
    Promotion,
    RuleIndex,
    SearchLimits,
    SpecialPrice,
    price,
)
from pos_app.domain.pricing.adjustments import MEMBER_PRICE_SOURCE
from pos_app.domain.pricing.offers import coupon_offer, promotion_offer

ZONE = "Asia/Shanghai"
carts = st.tuples(pricing_lines(), promotions(), members, coupons())
checks = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
Cart = tuple[list[PricingLine], list[Promotion], PricingMember | None, list[Coupon]]


def _price(cart: Cart, limits: SearchLimits | None = None) -> PricedCart:
    lines, rules, member, presented = cart
    return price(
        lines, RuleIndex(rules), AT, time_zone=ZONE, member=member, coupons=presented, limits=limits
    )


def _by_line(priced: PricedCart) -> dict[str, object]:
    return {line.line_id: line for line in priced.lines}


@checks
@given(carts)
def test_the_total_is_never_negative_and_adds_up_exactly(cart: Cart) -> None:
    priced = _price(cart)
    assert priced.total.fen >= 0
    assert priced.total.fen == priced.subtotal.fen - priced.discount_total.fen
    assert priced.subtotal.fen == sum(line.amount.fen for line in cart[0])
    assert priced.total.fen == sum(line.total.fen for line in priced.lines)


@checks
@given(carts)
def test_the_savings_on_lines_add_up_to_the_order_discount(cart: Cart) -> None:
    priced = _price(cart)
    assert sum(a.amount.fen for a in priced.adjustments) == priced.discount_total.fen
    for line in priced.lines:
        assert sum(a.amount.fen for a in line.adjustments) == line.discount.fen
        assert all(a.line_id == line.line_id and a.amount.fen > 0 for a in line.adjustments)


@checks
@given(carts)
def test_no_line_is_discounted_beyond_its_amount(cart: Cart) -> None:
    for line in _price(cart).lines:
        assert 0 <= line.discount.fen <= line.amount.fen
        assert line.total.fen == line.amount.fen - line.discount.fen


@checks
@given(carts)
def test_a_per_unit_offer_applies_to_no_more_units_than_it_discounted(cart: Cart) -> None:
    """Per-member caps count applications; a per-unit offer's are the units it discounted,
    so they never exceed the units of the lines that carry its saving. (With a cap on its
    saving, a line it applied to may carry no fen of it; those are left out.)"""
    lines, rules, _, _ = cart
    per_unit = {
        p.id
        for p in rules
        if isinstance(p.reward, PercentOff | AmountOff | SpecialPrice)
        and p.caps.max_discount is None
    }
    units = {line.line_id: line.units for line in lines}
    priced = _price(cart)
    for use in priced.uses:
        if use.source in per_unit:
            carried = {a.line_id for a in priced.adjustments if a.source == use.source}
            assert 0 < use.applications <= sum(units[line_id] for line_id in carried), use


@checks
@given(carts)
def test_each_line_lists_its_savings_in_the_order_they_were_applied(cart: Cart) -> None:
    """The member price first, then by the order offers apply in (stage, step, priority,
    specificity, id): what the receipt and the display list under each line."""
    _, rules, _, presented = cart
    keys = {p.id: promotion_offer(p, None).key for p in rules}
    keys |= {c.id: coupon_offer(c).key for c in presented}
    for line in _price(cart).lines:
        sources = [a.source for a in line.adjustments]
        if MEMBER_PRICE_SOURCE in sources:
            assert sources.index(MEMBER_PRICE_SOURCE) == 0
            sources = sources[1:]
        order = [keys[source] for source in sources]
        assert order == sorted(order), sources


@checks
@given(carts, st.randoms(use_true_random=False))
def test_scan_order_changes_nothing(cart: Cart, chooser: object) -> None:
    lines, rules, member, presented = cart
    shuffled = list(lines)
    chooser.shuffle(shuffled)  # type: ignore[attr-defined]
    before, after = _price(cart), _price((shuffled, rules[::-1], member, presented[::-1]))
    assert _by_line(before) == _by_line(after)
    assert before.total == after.total
    assert sorted(before.adjustments, key=repr) == sorted(after.adjustments, key=repr)
    assert sorted(before.coupons, key=repr) == sorted(after.coupons, key=repr)
    assert [line.line_id for line in after.lines] == [line.line_id for line in shuffled]


@checks
@given(carts)
def test_the_same_input_always_prices_the_same(cart: Cart) -> None:
    assert _price(cart) == _price(cart)


@checks
@given(carts)
def test_the_combination_is_never_worse_than_any_single_offer_alone(cart: Cart) -> None:
    lines, rules, member, presented = cart
    total = _price(cart).total
    for promotion in rules:
        assert total <= _price((lines, [promotion], member, [])).total, promotion.id
    for coupon in presented:
        assert total <= _price((lines, [], member, [coupon])).total, coupon.id


@checks
@given(carts)
def test_a_bounded_search_keeps_every_guarantee(cart: Cart) -> None:
    lines, rules, member, _ = cart
    priced = _price(cart, SearchLimits(combinations_per_cluster=1, combinations_per_cart=2))
    assert priced.total.fen >= 0
    assert sum(a.amount.fen for a in priced.adjustments) == priced.discount_total.fen
    assert all(0 <= line.discount.fen <= line.amount.fen for line in priced.lines)
    for promotion in rules:
        assert priced.total <= _price((lines, [promotion], member, [])).total

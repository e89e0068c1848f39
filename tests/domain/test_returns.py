"""What a return gives back: per line pro rata with the fen held back until the last piece,
per tender last-in-first-out with cash last and never beyond what a tender paid, points pro
rata, coupons only with the whole sale and only while valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.money import Money
from pos_app.domain.payments import TenderMethod
from pos_app.domain.pricing.coupon_terms import CouponKind
from pos_app.domain.returns import (
    PaidTender,
    ReturnPlan,
    SoldLine,
    SoldSale,
    UsedCoupon,
    plan_return,
    split_refund,
)
from pos_app.errors import UserError

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def a_sale(lines: list[SoldLine], tenders: list[PaidTender], *, points: int = 0,
           coupons: tuple[UsedCoupon, ...] = ()) -> SoldSale:
    return SoldSale(total=Money(sum(line.total.fen for line in lines)), lines=tuple(lines),
                    tenders=tuple(tenders), points_earned=points, coupons=coupons)


def after(sale: SoldSale, plan: ReturnPlan) -> SoldSale:
    """The sale as the next return sees it: pieces and money given back."""
    back = {p.line_id: p.quantity for p in plan.lines}
    paid = {t.payment_id: t.amount.fen for t in plan.tenders}
    lines = tuple(SoldLine(line.line_id, line.quantity, line.amount, line.discount,
                           line.weighed, line.returned + back.get(line.line_id, 0))
                  for line in sale.lines)
    tenders = tuple(PaidTender(t.payment_id, t.method, t.amount,
                               t.refunded + Money(paid.get(t.payment_id, 0)), t.points)
                    for t in sale.tenders)
    return SoldSale(sale.total, lines, tenders, sale.points_earned, sale.coupons)


def test_a_partial_return_refunds_what_was_paid_for_those_pieces_rounded_down() -> None:
    # 3 pieces at 3.33 with 1.00 off the line: 8.99 paid, 2.99666... a piece
    cola = SoldLine("l1", 3, Money(9_99), Money(1_00))
    sale = a_sale([cola], [PaidTender("cash", TenderMethod.CASH, Money(8_99))])

    first = plan_return(sale, [("l1", 1)], NOW)
    second = plan_return(after(sale, first), [("l1", 2)], NOW)

    assert [(p.refund, p.discount, p.amount) for p in first.lines] == [
        (Money(2_99), Money(33), Money(3_32))]
    assert second.total == Money(6_00)  # the held-back fen go with the last pieces
    assert first.total + second.total == Money(8_99)
    assert not first.whole_sale and second.whole_sale


def test_stored_value_gets_its_money_back_before_cash() -> None:
    sale = a_sale([SoldLine("l1", 2, Money(80_00), Money(0))],
                  [PaidTender("sv", TenderMethod.STORED_VALUE, Money(50_00)),
                   PaidTender("cash", TenderMethod.CASH, Money(30_00))])

    first = plan_return(sale, [("l1", 1)], NOW)
    second = plan_return(after(sale, first), [("l1", 1)], NOW)

    assert [(t.payment_id, t.amount) for t in first.tenders] == [("sv", Money(40_00))]
    assert [(t.payment_id, t.amount) for t in second.tenders] == [
        ("sv", Money(10_00)), ("cash", Money(30_00))]


def test_tenders_are_given_back_last_in_first_out_with_cash_last() -> None:
    tenders = [PaidTender("wx", TenderMethod.PAYMENT_CODE, Money(10_00)),
               PaidTender("pts", TenderMethod.POINTS, Money(5_00), points=500),
               PaidTender("sv", TenderMethod.STORED_VALUE, Money(5_00)),
               PaidTender("card", TenderMethod.BANK_CARD, Money(5_00)),
               PaidTender("cash", TenderMethod.CASH, Money(5_00))]

    parts = split_refund(tenders, Money(30_00))

    assert [(t.payment_id, t.amount.fen, t.points) for t in parts] == [
        ("card", 5_00, 0), ("sv", 5_00, 0), ("pts", 5_00, 500), ("wx", 10_00, 0),
        ("cash", 5_00, 0)]


def test_earned_points_go_back_pro_rata_and_all_of_them_with_the_whole_sale() -> None:
    sale = a_sale([SoldLine("l1", 3, Money(10_00), Money(0))],
                  [PaidTender("cash", TenderMethod.CASH, Money(10_00))], points=10)

    first = plan_return(sale, [("l1", 1)], NOW)  # 3.33 of 10.00: 3.33 points, rounded down
    rest = plan_return(after(sale, first), [("l1", 2)], NOW)

    assert (first.points_taken_back, rest.points_taken_back) == (3, 7)


def test_coupons_come_back_only_with_the_whole_sale_and_only_while_valid() -> None:
    later, earlier = NOW + timedelta(days=3), NOW - timedelta(minutes=1)
    coupons = (UsedCoupon("cash-1", CouponKind.CASH, later),
               UsedCoupon("old-1", CouponKind.THRESHOLD, earlier),
               UsedCoupon("park-1", CouponKind.PARKING, later))
    sale = a_sale([SoldLine("l1", 2, Money(20_00), Money(5_00))],
                  [PaidTender("cash", TenderMethod.CASH, Money(15_00))], coupons=coupons)

    part = plan_return(sale, [("l1", 1)], NOW)
    rest = plan_return(after(sale, part), [("l1", 1)], NOW)

    assert part.coupons_given_back == ()
    assert rest.coupons_given_back == ("cash-1",)


@pytest.mark.parametrize(("wanted", "code"), [
    ([], "refund.nothing_chosen"),
    ([("nope", 1)], "refund.unknown_line"),
    ([("l1", 0)], "refund.bad_quantity"),
    ([("l1", 2), ("l1", 1)], "refund.more_than_left"),
    ([("kg", 1), ("kg", 1)], "refund.more_than_left"),
])
def test_what_cannot_be_returned_is_refused_with_a_reason(
        wanted: list[tuple[str, int]], code: str) -> None:
    sale = a_sale([SoldLine("l1", 2, Money(4_00), Money(0)),
                   SoldLine("kg", 1, Money(12_34), Money(0), weighed=True)],
                  [PaidTender("cash", TenderMethod.CASH, Money(16_34))])
    with pytest.raises(UserError) as refused:
        plan_return(sale, wanted, NOW)
    assert refused.value.code == code


# --- properties ------------------------------------------------------------------------------

METHODS = st.sampled_from(list(TenderMethod))


@st.composite
def sales_and_returns(draw: st.DrawFn) -> tuple[SoldSale, list[list[tuple[str, int]]]]:
    """A sale (lines with discounts, tenders summing to the total, points) and the whole of
    it split into random returns of random pieces."""
    count = draw(st.integers(1, 5))
    lines = []
    for n in range(count):
        quantity = draw(st.integers(1, 6))
        amount = draw(st.integers(0, 50_000))
        lines.append(SoldLine(f"l{n}", quantity, Money(amount),
                              Money(draw(st.integers(0, amount))),
                              weighed=quantity == 1 and draw(st.booleans())))
    total = sum(line.total.fen for line in lines)
    cuts = sorted(draw(st.lists(st.integers(0, total), max_size=4)))
    amounts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    tenders = [PaidTender(f"t{n}", draw(METHODS), Money(fen), points=fen)
               for n, fen in enumerate(amounts) if fen > 0]
    sale = SoldSale(Money(total), tuple(lines), tuple(tenders),
                    points_earned=draw(st.integers(0, total // 100 + 1)) if total else 0)
    pieces = [(line.line_id, 1) for line in lines for _ in range(line.quantity)]
    order = draw(st.permutations(pieces))
    steps: list[list[tuple[str, int]]] = []
    while order:
        size = draw(st.integers(1, len(order)))
        steps.append(list(order[:size]))
        order = order[size:]
    return sale, steps


@given(sales_and_returns())
def test_returning_everything_in_any_steps_refunds_exactly_what_was_paid(
        case: tuple[SoldSale, list[list[tuple[str, int]]]]) -> None:
    sale, steps = case
    original = sale
    refunded_lines: dict[str, int] = {}
    refunded_tenders: dict[str, int] = {}
    points = tender_points = 0
    for step in steps:
        plan = plan_return(sale, step, NOW)
        assert sum(t.amount.fen for t in plan.tenders) == plan.total.fen
        for part in plan.lines:
            refunded_lines[part.line_id] = refunded_lines.get(part.line_id, 0) + part.refund.fen
        for tender in plan.tenders:
            refunded_tenders[tender.payment_id] = (
                refunded_tenders.get(tender.payment_id, 0) + tender.amount.fen)
            tender_points += tender.points
        points += plan.points_taken_back
        sale = after(sale, plan)
        for line in original.lines:  # never more than a line paid, at any step
            assert refunded_lines.get(line.line_id, 0) <= line.total.fen
        for paid in original.tenders:  # never more than a tender paid, at any step
            assert refunded_tenders.get(paid.payment_id, 0) <= paid.amount.fen
    assert plan.whole_sale
    assert sum(refunded_lines.values()) == original.total.fen
    assert refunded_lines == {line.line_id: line.total.fen for line in original.lines}
    assert refunded_tenders == {t.payment_id: t.amount.fen for t in original.tenders}
    assert points == original.points_earned
    assert tender_points == sum(t.points for t in original.tenders
                                if t.method is TenderMethod.POINTS)


@given(sales_and_returns())
def test_a_weighed_line_goes_back_whole_and_every_step_is_non_negative(
        case: tuple[SoldSale, list[list[tuple[str, int]]]]) -> None:
    sale, steps = case
    for step in steps:
        plan = plan_return(sale, step, NOW)
        assert all(p.refund.fen >= 0 and p.discount.fen >= 0 for p in plan.lines)
        assert all(t.amount.fen > 0 and t.points >= 0 for t in plan.tenders)
        assert plan.points_taken_back >= 0
        sale = after(sale, plan)

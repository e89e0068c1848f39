"""Split tender: any mix until the sale is covered, change only from cash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.ids import CartId, PaymentId
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider, route
from pos_app.domain.payments import (
    MAX_CASH_TENDER,
    PaymentEvent,
    SplitTender,
    Tender,
    TenderMethod,
    apply,
    card_tender,
    start_attempt,
    tender_for_attempt,
)
from pos_app.errors import UserError

T0 = datetime(2025, 3, 1, 10, tzinfo=UTC)


def _wallet(amount: Money, out_trade_no: str = "PT1250301100000ABCDEF0123") -> Tender:
    attempt = start_attempt(
        PaymentId("p1"),
        CartId("c1"),
        out_trade_no=out_trade_no,
        code=route("286925412345678901"),
        amount=amount,
        now=T0,
    )
    attempt = apply(apply(attempt, PaymentEvent.PERSISTED, T0), PaymentEvent.PAY_SUCCEEDED, T0)
    return tender_for_attempt(attempt)


def _stored_value(amount: Money, member: str = "member-1") -> Tender:
    return Tender(
        method=TenderMethod.STORED_VALUE, amount=amount, tendered=amount, reference=member
    )


def test_wallet_card_and_cash_cover_a_sale_with_change_from_cash_only() -> None:
    split = SplitTender(Money(100_00))
    split = split.add(_wallet(Money(30_00)))
    split = split.add(card_tender(Money(50_00), " a1b2c3 "))
    assert split.due == Money(20_00) and not split.covered
    split = split.add_cash(Money(50_00))
    assert split.covered and split.paid == Money(100_00)
    assert split.change == Money(30_00)
    assert [t.method for t in split.tenders] == [
        TenderMethod.PAYMENT_CODE,
        TenderMethod.BANK_CARD,
        TenderMethod.CASH,
    ]
    assert split.tenders[1].reference == "A1B2C3"
    assert split.tenders[0].provider is Provider.ALIPAY


def test_partial_cash_leaves_the_rest_due() -> None:
    split = SplitTender(Money(88_80)).add_cash(Money(50_00))
    assert (split.due, split.change) == (Money(38_80), Money(0))


def test_points_and_stored_value_are_tenders_like_the_others() -> None:
    points = Tender(
        method=TenderMethod.POINTS,
        amount=Money(2_00),
        tendered=Money(2_00),
        reference="member-1",
        points=200,
    )
    split = SplitTender(Money(12_00)).add(points).add(_stored_value(Money(10_00)))
    assert split.covered and split.change == Money(0)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda s: s.add(_stored_value(Money(10_01))), "payment.over_tender"),
        (lambda s: s.add(card_tender(Money(10_01), "A1B2C3")), "payment.over_tender"),
        (lambda s: s.add(_wallet(Money(10_01))), "payment.over_tender"),
        (lambda s: s.add_cash(Money(0)), "payment.zero_tender"),
        (lambda s: s.add_cash(MAX_CASH_TENDER + Money(1)), "payment.tender_too_large"),
        (lambda s: s.add_cash(Money(10_00)).add_cash(Money(1)), "payment.already_covered"),
        (lambda s: s.add(card_tender(Money(1_00), "12345")), "payment.bad_approval_code"),
        (lambda s: s.add(card_tender(Money(1_00), "12-456")), "payment.bad_approval_code"),
        (
            lambda s: s.add(_wallet(Money(1_00))).add(_wallet(Money(1_00))),
            "payment.duplicate_tender",
        ),
    ],
)
def test_over_tender_and_bad_tenders_are_refused(make: object, code: str) -> None:
    with pytest.raises(UserError) as refused:
        make(SplitTender(Money(10_00)))  # type: ignore[operator]
    assert refused.value.code == code


def test_free_goods_are_covered_at_once_and_take_no_tender() -> None:
    free = SplitTender(Money(0))  # a cart of a pickup voucher's goods
    assert free.covered and free.change.is_zero()
    with pytest.raises(UserError) as refused:
        free.add_cash(Money(10_00))
    assert refused.value.code == "payment.already_covered"
    with pytest.raises(UserError) as negative:
        SplitTender(Money(-1))
    assert negative.value.code == "payment.nothing_due"


def test_only_paid_attempts_become_tenders_and_only_cash_hands_over_more() -> None:
    attempt = start_attempt(
        PaymentId("p1"),
        CartId("c1"),
        out_trade_no="PT1250301100000ABCDEF0123",
        code=route("134567890123456789"),
        amount=Money(1_00),
        now=T0,
    )
    with pytest.raises(ValueError):
        tender_for_attempt(apply(attempt, PaymentEvent.PERSISTED, T0))
    with pytest.raises(ValueError):
        Tender(method=TenderMethod.BANK_CARD, amount=Money(1_00), tendered=Money(2_00))
    with pytest.raises(ValueError):
        Tender(method=TenderMethod.DYNAMIC_QR, amount=Money(1_00), tendered=Money(1_00))


def test_cancelling_gives_back_newest_first() -> None:
    split = SplitTender(Money(100_00)).add(_wallet(Money(30_00))).add_cash(Money(20_00))
    assert [t.method for t in split.undo_order()] == [TenderMethod.CASH, TenderMethod.PAYMENT_CODE]


@given(
    st.integers(1, 10**7),
    st.lists(st.tuples(st.booleans(), st.integers(1, 10**7)), max_size=12),
)
def test_paid_never_exceeds_total_and_only_cash_makes_change(
    total: int, steps: list[tuple[bool, int]]
) -> None:
    split = SplitTender(Money(total))
    for number, (cash, fen) in enumerate(steps):
        try:
            if cash:
                split = split.add_cash(Money(fen))
            else:
                split = split.add(_stored_value(Money(fen), f"member-{number}"))
        except UserError:
            pass
        assert split.paid <= split.total and split.due >= Money(0)
        non_cash = [t for t in split.tenders if t.method is not TenderMethod.CASH]
        assert all(t.change == Money(0) for t in non_cash)

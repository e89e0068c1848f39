"""Money: integer fen, exact parsing, splitting without losing a fen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.money import Money, MoneyFormatError
from pos_app.domain.payments import quick_cash_amounts, take_cash
from pos_app.errors import UserError

amounts = st.integers(min_value=-10**12, max_value=10**12).map(Money)


@pytest.mark.parametrize(("text", "fen"), [
    ("12.30", 1230), ("12.3", 1230), ("12", 1200), ("¥0.05", 5), ("￥1,000.00", 100000),
    (" -1.05 ", -105),
])
def test_amounts_parse_exactly(text: str, fen: int) -> None:
    assert Money.parse(text) == Money(fen)


@pytest.mark.parametrize("text", ["12.345", "abc", "", "1e400", "NaN", "12.3.4"])
def test_text_that_is_not_an_amount_is_refused(text: str) -> None:
    with pytest.raises(MoneyFormatError):
        Money.parse(text)


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        Money(12.3)  # type: ignore[arg-type]


@given(amounts)
def test_text_round_trips(amount: Money) -> None:
    assert Money.parse(amount.yuan_text()) == amount


@given(amounts, st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30))
def test_allocated_parts_sum_to_the_whole(amount: Money, weights: list[int]) -> None:
    parts = amount.allocate(weights)
    assert sum(p.fen for p in parts) == amount.fen
    assert len(parts) == len(weights)


@given(st.integers(min_value=0, max_value=10**9).map(Money),
       st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=20))
def test_allocation_is_within_a_fen_of_the_exact_share(amount: Money, weights: list[int]) -> None:
    total = sum(weights)
    for part, weight in zip(amount.allocate(weights), weights, strict=True):
        exact = Decimal(amount.fen) * weight / total
        assert abs(Decimal(part.fen) - exact) < 1


def test_weighed_price_rounds_half_up_once() -> None:
    per_kg = Money(12_80)  # ¥12.80/kg
    assert per_kg.per_grams(532) == Money(681)   # 680.96 -> 681
    assert Money(1_00).per_grams(5) == Money(1)  # 0.5 -> 1 (half up)
    assert Money(1_00).per_grams(4) == Money(0)  # 0.4 -> 0


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=0, max_value=10**7))
def test_cash_change_is_tendered_minus_due(due_fen: int, extra: int) -> None:
    due = Money(due_fen)
    tender = Money(min(due_fen + extra, 10_000_00))
    if tender < due:
        with pytest.raises(UserError):
            take_cash(due, tender)
        return
    cash = take_cash(due, tender)
    assert cash.change == tender - due
    assert not cash.change.is_negative()


def test_too_little_cash_is_refused_with_the_amounts() -> None:
    with pytest.raises(UserError) as refused:
        take_cash(Money(14_50), Money(10_00))
    assert refused.value.code == "payment.not_enough_cash"
    assert refused.value.params == {"due": "14.50", "tendered": "10.00"}


def test_quick_cash_offers_exact_then_round_notes() -> None:
    assert quick_cash_amounts(Money(14_50)) == [Money(14_50), Money(20_00), Money(50_00),
                                                Money(100_00)]
    assert quick_cash_amounts(Money(100_00))[0] == Money(100_00)
    assert len(quick_cash_amounts(Money(100_00))) == 4


@given(st.integers(min_value=1, max_value=10**7).map(Money))
def test_quick_cash_amounts_all_cover_the_amount_due(due: Money) -> None:
    offered = quick_cash_amounts(due)
    assert offered[0] == due
    assert all(amount >= due for amount in offered)
    assert offered == sorted(set(offered))

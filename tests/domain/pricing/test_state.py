"""The engine's working state: a copy is a deep-enough copy of every per-line column."""

from __future__ import annotations

from pos_app.domain.money import Money
from pos_app.domain.pricing.adjustments import PricingLine
from pos_app.domain.pricing.state import Basket, State


def test_a_copied_state_has_every_slot_and_shares_no_list() -> None:
    """``State.copy`` names the slots one by one: a slot added later and not copied fails
    here (unset on the copy, or the same list as the original)."""
    basket = Basket([PricingLine("L0", "MILK", "乳品", Money(3_14), 3)], None)
    state = State(basket)
    state.pay[0] -= 14
    copied = state.copy()
    for name in State.__slots__:
        original, copy = getattr(state, name), getattr(copied, name)
        assert copy == original and copy is not original, name

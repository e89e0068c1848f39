"""The cart no offer can touch (no promotion covers a line, no coupon presented): each line
pays its base price, the member price where the member gets one, with that as its only
adjustment. The same ``PricedCart`` the search would answer, made without it; the usual case
while scanning in a store with few promotions. Internal to the pricing package.
"""

from __future__ import annotations

from collections.abc import Sequence

from pos_app.domain.pricing.adjustments import (
    MEMBER_PRICE_SOURCE,
    Adjustment,
    PricedCart,
    PricedLine,
    PricingLine,
    PricingMember,
    SourceKind,
)
from pos_app.domain.pricing.makers import adjustment, money, priced_line
from pos_app.domain.pricing.state import amounts

_ZERO = money(0)


def plain_cart(lines: Sequence[PricingLine], member: PricingMember | None) -> PricedCart:
    """``lines`` priced at their base prices, in the order given (ids unique)."""
    if len({line.line_id for line in lines}) != len(lines):
        raise ValueError("line ids must be unique")
    member_prices = member is not None and member.member_prices
    tier = {"tier": member.tier} if member is not None else {}
    priced: list[PricedLine] = []
    saved: list[Adjustment] = []
    subtotal = total = 0
    for line in lines:
        if line.label_amount is None and line.grams is None and not member_prices:
            listed = amount = line.unit_price.fen * line.quantity
        else:
            listed, amount, _ = amounts(line, member_prices)
        subtotal += listed
        total += amount
        if listed != amount:
            priced.append(_member_priced(line.line_id, listed, amount, tier, saved))
        else:
            paid = money(listed)
            priced.append(priced_line(line.line_id, paid, _ZERO, paid, ()))
    return PricedCart(
        lines=tuple(priced),
        adjustments=tuple(saved),
        subtotal=money(subtotal),
        discount_total=money(subtotal - total),
        total=money(total),
    )


def _member_priced(
    line_id: str, listed: int, amount: int, tier: dict[str, str], saved: list[Adjustment]
) -> PricedLine:
    """A line at its member price, its adjustment appended to ``saved``."""
    made = adjustment(
        line_id,
        money(listed - amount),
        "member.price",
        tier,
        MEMBER_PRICE_SOURCE,
        SourceKind.MEMBER_PRICE,
    )
    saved.append(made)
    return priced_line(line_id, money(listed), made.amount, money(amount), (made,))

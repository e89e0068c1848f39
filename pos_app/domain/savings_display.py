"""Where a saving is shown: under its line, or once for the whole order.

The engine attributes every saving to lines (refunds need that). A saving on goods (a
multi-buy, a second item at half price, a member price, a gift coupon) reads best under the
line; a saving on the order (spend-and-save 满减, a cash, threshold or percent coupon) is
spread over many lines by the rounding rule and reads best once, under the subtotal, with its
sum. Custom promotion reasons count as goods savings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

ORDER_LEVEL_REASONS = frozenset(
    {"promo.spend_save", "coupon.cash", "coupon.threshold", "coupon.percent"})

K = TypeVar("K")


def is_order_level(reason: str) -> bool:
    return reason in ORDER_LEVEL_REASONS


def summed(savings: Iterable[tuple[K, int]]) -> list[tuple[K, int]]:
    """Fen summed per key, keys in the order first seen."""
    totals: dict[K, int] = {}
    for key, fen in savings:
        totals[key] = totals.get(key, 0) + fen
    return list(totals.items())

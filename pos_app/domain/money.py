"""Money in integer fen: the only money type in the core.

Invariants: the amount is an ``int`` of fen (1 yuan = 100 fen); there is no float path in or
out. ``Decimal`` appears only when parsing text or applying a percentage, rounded once with
ROUND_HALF_UP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_AMOUNT = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,2})?")


class MoneyFormatError(ValueError):
    """Text that is not an amount of yuan with at most two decimals."""


@dataclass(frozen=True, slots=True, order=True)
class Money:
    fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise TypeError(f"Money needs integer fen, got {type(self.fen).__name__}")

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse "12.30", "12.3", "12", "¥12.30" or "-1.05" exactly; more decimals are refused."""
        cleaned = text.strip().replace(",", "").lstrip("¥￥").strip()
        if not _AMOUNT.fullmatch(cleaned):
            raise MoneyFormatError(text)
        return cls(int(Decimal(cleaned) * 100))

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def times(self, quantity: int) -> Money:
        return Money(self.fen * quantity)

    def times_decimal(self, factor: Decimal) -> Money:
        """Multiply by an exact factor (a weight in kg, a percentage) and round half up once."""
        return Money(int((Decimal(self.fen) * factor).to_integral_value(ROUND_HALF_UP)))

    def per_grams(self, grams: int) -> Money:
        """Price of ``grams`` when ``self`` is the price per kilogram, rounded half up once."""
        return self.times_decimal(Decimal(grams) / Decimal(1000))

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to non-negative ``weights`` without losing a fen.

        Remainder fen go to the parts with the largest fractional share, ties to the earliest.
        """
        if not weights or any(w < 0 for w in weights):
            raise ValueError("allocate needs at least one non-negative weight")
        total_weight = sum(weights)
        if total_weight == 0:
            weights = [1] * len(weights)
            total_weight = len(weights)
        sign = -1 if self.fen < 0 else 1
        whole = abs(self.fen)
        shares = [whole * w // total_weight for w in weights]
        remainders = [whole * w % total_weight for w in weights]
        left = whole - sum(shares)
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
        for i in order[:left]:
            shares[i] += 1
        return [Money(sign * s) for s in shares]

    def is_zero(self) -> bool:
        return self.fen == 0

    def is_negative(self) -> bool:
        return self.fen < 0

    def yuan_text(self) -> str:
        """Plain "12.30" with no currency sign: the UI and the printer add their own."""
        sign = "-" if self.fen < 0 else ""
        whole, part = divmod(abs(self.fen), 100)
        return f"{sign}{whole}.{part:02d}"

    def __str__(self) -> str:
        return self.yuan_text()


ZERO = Money(0)

"""How money, weights and times look on screen: ¥12.30, 0.532 kg, store-local times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pos_app.domain.money import Money


def money(amount: Money) -> str:
    return f"¥{amount.yuan_text()}"


def weight(grams: int) -> str:
    return f"{grams // 1000}.{grams % 1000:03d} kg"


def quantity(pieces: int, grams: int | None) -> str:
    return weight(grams) if grams is not None else str(pieces)


def local_time(at: datetime, time_zone: str) -> str:
    return at.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")

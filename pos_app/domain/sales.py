"""Sale: the committed order, and how its number is made."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def order_number(terminal_code: str, at: datetime, time_zone: str, daily_seq: int) -> str:
    """Human-readable and unique per terminal and store day: ``T01-20261124-0007``."""
    if at.tzinfo is None:
        raise ValueError("order times must be aware")
    local_day = at.astimezone(ZoneInfo(time_zone)).strftime("%Y%m%d")
    return f"{terminal_code}-{local_day}-{daily_seq:04d}"


def order_number_prefix(terminal_code: str, at: datetime, time_zone: str) -> str:
    return order_number(terminal_code, at, time_zone, 0)[:-4]

"""Identifiers made on the client, so a retried write is the same write."""

from __future__ import annotations

import uuid
from typing import NewType

CartId = NewType("CartId", str)
SaleId = NewType("SaleId", str)
LineId = NewType("LineId", str)
PaymentId = NewType("PaymentId", str)
ShiftId = NewType("ShiftId", str)
UserId = NewType("UserId", str)
ProductId = NewType("ProductId", str)
MemberId = NewType("MemberId", str)


def new_id() -> str:
    """A random UUID4 as text; the caller wraps it in the NewType it means."""
    return str(uuid.uuid4())

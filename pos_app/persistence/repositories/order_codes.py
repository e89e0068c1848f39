"""What order QR codes need from the database: the store's key, made once and shared by every
terminal, and handing an open order over to the terminal that scanned its code."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pos_app.persistence.models import OrderRow, StoreRow

TAKEABLE = ("open", "suspended")


class OrderCodeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def store_key(self, store_id: str) -> bytes:
        """The store's key; the first terminal to need one makes it (a second writer's UPDATE
        finds the column set and touches nothing, then both read the same key)."""
        self._session.execute(
            update(StoreRow).where(StoreRow.id == store_id, StoreRow.order_code_key.is_(None))
            .values(order_code_key=secrets.token_hex(32)))
        key = self._session.execute(
            select(StoreRow.order_code_key).where(StoreRow.id == store_id)).scalar_one()
        return bytes.fromhex(str(key))

    def order_state(self, order_id: str) -> tuple[str, str, int] | None:
        """(status, terminal id, total fen) of an order, or None when there is none."""
        row = self._session.execute(
            select(OrderRow.status, OrderRow.terminal_id, OrderRow.total_fen)
            .where(OrderRow.id == order_id)).first()
        return None if row is None else (str(row.status), str(row.terminal_id),
                                         int(row.total_fen))

    def take_over(self, order_id: str, terminal_id: str, cashier_id: str) -> bool:
        """Move an open or suspended order to this terminal as its open cart; False when it
        was completed or taken meanwhile."""
        result = self._session.execute(
            update(OrderRow).where(OrderRow.id == order_id, OrderRow.status.in_(TAKEABLE))
            .values(terminal_id=terminal_id, cashier_id=cashier_id, status="open"))
        return result.rowcount == 1  # type: ignore[attr-defined]

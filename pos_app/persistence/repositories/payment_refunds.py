"""Wallet refunds and the wallet side of a cart: refund rows, wallet payment rows, and whether
payments hold a cart.

A refund row is written (REQUESTED, with its ``out_refund_no``) before the first refund call and
moves like an attempt: ``UPDATE ... WHERE state = <the state it was read in>`` must touch one
row, so two threads never both act on one refund. ``(attempt_id, purpose)`` is unique: a sale
cancelled twice refunds each tender once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import (
    RowMapping,
    Table,
    and_,
    bindparam,
    column,
    exists,
    func,
    insert,
    select,
    table,
    update,
)
from sqlalchemy.orm import Session

from pos_app.domain.cart import CartStatus
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.domain.payment_states import PaymentState
from pos_app.persistence.models import OrderRow, PaymentAttemptRow
from pos_app.persistence.models.base import UtcDateTime
from pos_app.persistence.models.payment_refunds import PaymentRefundRow
from pos_app.persistence.repositories.payment_attempts import AttemptChanged

REFUNDS = cast(Table, PaymentRefundRow.__table__)
ATTEMPTS = PaymentAttemptRow.__table__
ORDERS = OrderRow.__table__
# The payments table with the ``provider`` column of migration 0004 (the PaymentRow model
# gains it when models/sales.py is next edited; until then this is the one writer of it).
PAYMENTS = table(
    "payments",
    column("id"),
    column("order_id"),
    column("method"),
    column("state"),
    column("amount_fen"),
    column("tendered_fen"),
    column("change_fen"),
    column("out_trade_no"),
    column("provider"),
    column("created_at", UtcDateTime()),
)
_DONE_WITH_CART = (PaymentState.FAILED.value, PaymentState.FAILED_REFUNDED.value)


class RefundState(StrEnum):
    REQUESTED = "requested"  # stored; the refund call is due (again, with the same number)
    PROCESSING = "processing"  # accepted, not done: query it (WeChat)
    SUCCEEDED = "succeeded"  # the money is back with the customer
    FAILED = "failed"  # refused; nothing moved: a person decides
    MANUAL = "manual"  # WeChat CHANGE: the customer's bank account is void; a person handles it


FINAL_REFUND_STATES = frozenset({RefundState.SUCCEEDED, RefundState.FAILED, RefundState.MANUAL})


@dataclass(frozen=True, slots=True, kw_only=True)
class WalletRefund:
    """One refund of (part of) a PAID attempt, retried under one ``out_refund_no``."""

    id: str
    attempt_id: str
    order_id: str
    out_trade_no: str
    out_refund_no: str
    provider: Provider
    purpose: str
    amount: Money
    total: Money
    state: RefundState
    created_at: datetime
    updated_at: datetime
    provider_code: str | None = None
    tries: int = 0

    @property
    def final(self) -> bool:
        return self.state in FINAL_REFUND_STATES


class PaymentRefundRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, refund: WalletRefund) -> None:
        self._session.execute(insert(REFUNDS).values(**_values(refund)))

    def move(self, before: WalletRefund, after: WalletRefund) -> None:
        values = _values(after)
        result = self._session.execute(
            update(REFUNDS)
            .where(REFUNDS.c.id == before.id, REFUNDS.c.state == before.state.value)
            .values(
                state=values["state"],
                provider_code=values["provider_code"],
                tries=values["tries"],
                updated_at=values["updated_at"],
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise AttemptChanged(before.id)

    def get(self, refund_id: str) -> WalletRefund | None:
        row = (
            self._session.execute(select(REFUNDS).where(REFUNDS.c.id == refund_id))
            .mappings()
            .first()
        )
        return None if row is None else _refund(row)

    def for_order(self, order_id: str) -> list[WalletRefund]:
        rows = self._session.execute(
            select(REFUNDS).where(REFUNDS.c.order_id == order_id).order_by(REFUNDS.c.created_at)
        ).mappings()
        return [_refund(row) for row in rows]

    def unfinished(self) -> list[WalletRefund]:
        finals = [state.value for state in FINAL_REFUND_STATES]
        rows = self._session.execute(
            select(REFUNDS).where(REFUNDS.c.state.not_in(finals)).order_by(REFUNDS.c.created_at)
        ).mappings()
        return [_refund(row) for row in rows]


_ANY_ATTEMPT = select(ATTEMPTS.c.id).where(ATTEMPTS.c.order_id == bindparam("order_id")).limit(1)


class WalletPayments:
    """Wallet tenders as payment rows of a sale, and which carts payments hold."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        payment_id: str,
        order_id: str,
        *,
        method: str,
        provider: Provider,
        out_trade_no: str,
        amount: Money,
        at: datetime,
    ) -> None:
        self._session.execute(
            insert(PAYMENTS).values(
                id=payment_id,
                order_id=order_id,
                method=method,
                state=PaymentState.PAID.value,
                amount_fen=amount.fen,
                tendered_fen=amount.fen,
                change_fen=0,
                out_trade_no=out_trade_no,
                provider=provider.value,
                created_at=at,
            )
        )

    def order_status(
        self, order_id: str, terminal_id: str, *, lock: bool = False
    ) -> tuple[str, Money] | None:
        """(status, total) of this terminal's cart as its last save wrote them, without
        loading its lines. ``lock``: hold the row to the end of the transaction (PostgreSQL
        ``FOR UPDATE``; SQLite's BEGIN IMMEDIATE already serialises writers), so two
        attempts cannot start on one cart at once."""
        query = select(ORDERS.c.status, ORDERS.c.total_fen).where(
            ORDERS.c.id == order_id, ORDERS.c.terminal_id == terminal_id
        )
        row = self._session.execute(query.with_for_update() if lock else query).first()
        return None if row is None else (str(row.status), Money(row.total_fen))

    def holds_cart(self, order_id: str) -> bool:
        """True while an attempt on the cart is running, or has money not given back: the
        cart's lines must not change under it. Every scan asks, and almost every cart has no
        attempt at all: one indexed look-up answers that case."""
        if self._session.execute(_ANY_ATTEMPT, {"order_id": order_id}).first() is None:
            return False
        given_back = exists().where(
            REFUNDS.c.attempt_id == ATTEMPTS.c.id, REFUNDS.c.state == RefundState.SUCCEEDED.value
        )
        count = self._session.execute(
            select(func.count())
            .select_from(ATTEMPTS)
            .where(
                ATTEMPTS.c.order_id == order_id,
                ATTEMPTS.c.state.not_in(_DONE_WITH_CART),
                ~given_back,
            )
        ).scalar_one()
        return bool(count)

    def open_orders_with_paid_attempts(self) -> list[str]:
        """Open carts holding a PAID attempt nothing is giving back: a crash came between
        the payment and the sale, or the tenders do not cover the cart yet."""
        refunding = exists().where(REFUNDS.c.attempt_id == ATTEMPTS.c.id)
        rows = self._session.execute(
            select(ATTEMPTS.c.order_id)
            .distinct()
            .join(ORDERS, ORDERS.c.id == ATTEMPTS.c.order_id)
            .where(
                and_(
                    ATTEMPTS.c.state == PaymentState.PAID.value,
                    ORDERS.c.status == CartStatus.OPEN.value,
                    ~refunding,
                )
            )
        )
        return [row[0] for row in rows]


def _values(refund: WalletRefund) -> dict[str, object]:
    return {
        "id": refund.id,
        "attempt_id": refund.attempt_id,
        "order_id": refund.order_id,
        "out_trade_no": refund.out_trade_no,
        "out_refund_no": refund.out_refund_no,
        "provider": refund.provider.value,
        "purpose": refund.purpose,
        "amount_fen": refund.amount.fen,
        "total_fen": refund.total.fen,
        "state": refund.state.value,
        "provider_code": refund.provider_code,
        "tries": refund.tries,
        "created_at": refund.created_at,
        "updated_at": refund.updated_at,
    }


def _refund(row: RowMapping) -> WalletRefund:
    return WalletRefund(
        id=row["id"],
        attempt_id=row["attempt_id"],
        order_id=row["order_id"],
        out_trade_no=row["out_trade_no"],
        out_refund_no=row["out_refund_no"],
        provider=Provider(row["provider"]),
        purpose=row["purpose"],
        amount=Money(row["amount_fen"]),
        total=Money(row["total_fen"]),
        state=RefundState(row["state"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        provider_code=row["provider_code"],
        tries=row["tries"],
    )

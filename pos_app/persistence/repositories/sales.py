"""Completing a sale: the order's final state, its payments, stock; and reading it back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.cart import CartLine, CartStatus
from pos_app.domain.ids import LineId, ProductId
from pos_app.domain.money import Money
from pos_app.domain.pricing import Adjustment, Entitlement
from pos_app.persistence.models import (
    OrderAdjustmentRow,
    OrderLineRow,
    OrderRow,
    PaymentRow,
    StockRow,
    TerminalRow,
    UserRow,
)

STOCK = StockRow.__table__
ADJUSTMENTS = OrderAdjustmentRow.__table__


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    method: str
    amount: Money
    tendered: Money
    change: Money


@dataclass(frozen=True, slots=True)
class SavingRecord:
    """A saving of a completed sale as written: line (None for an entitlement), reason key,
    parameters, amount, the promotion/coupon/member price that gave it, and its kind."""

    line_id: str | None
    reason: str
    params: dict[str, str]
    amount: Money
    source: str
    kind: str


@dataclass(frozen=True, slots=True)
class SaleRecord:
    id: str
    order_number: str
    status: str
    terminal_code: str
    cashier_name: str
    completed_at: datetime
    subtotal: Money
    savings: Money
    total: Money
    change: Money
    lines: tuple[CartLine, ...]
    payments: tuple[PaymentRecord, ...]
    savings_detail: tuple[SavingRecord, ...] = field(default=())
    member_id: str | None = None
    kind: str = "sale"
    """"sale", or "return" for a refund of (part of) an earlier sale."""


class SaleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def next_daily_seq(self, number_prefix: str) -> int:
        last = self._session.execute(
            select(func.max(OrderRow.order_number))
            .where(OrderRow.order_number.like(f"{number_prefix}%"))).scalar()
        return 1 if last is None else int(str(last)[-4:]) + 1

    def complete(self, order_id: str, *, number: str, paid: Money, change: Money,
                 at: datetime) -> bool:
        """Mark an open cart completed; False when it was not open (already paid, or gone)."""
        result = self._session.execute(
            update(OrderRow.__table__)
            .where(OrderRow.__table__.c.id == order_id,
                   OrderRow.__table__.c.status == CartStatus.OPEN.value)
            .values(status=CartStatus.COMPLETED.value, order_number=number, paid_fen=paid.fen,
                    change_fen=change.fen, completed_at=at))
        return result.rowcount == 1  # type: ignore[attr-defined]

    def add_payment(self, payment_id: str, order_id: str, *, method: str, state: str,
                    amount: Money, tendered: Money, change: Money, at: datetime,
                    reference: str | None = None, points: int = 0) -> None:
        self._session.execute(insert(PaymentRow.__table__).values(
            id=payment_id, order_id=order_id, method=method, state=state,
            amount_fen=amount.fen, tendered_fen=tendered.fen, change_fen=change.fen,
            created_at=at, reference=reference, points=points))

    def take_stock(self, lines: list[CartLine]) -> None:
        """Decrease on-hand stock by pieces (or grams for weighed lines); negative is allowed."""
        for line in lines:
            taken = line.grams if line.grams is not None else line.quantity
            result = self._session.execute(
                update(STOCK).where(STOCK.c.product_id == line.product_id)
                .values(quantity=STOCK.c.quantity - taken))
            if result.rowcount == 0:  # type: ignore[attr-defined]
                self._session.execute(insert(STOCK).values(product_id=line.product_id,
                                                           quantity=-taken))

    def add_adjustments(self, order_id: str, adjustments: Sequence[Adjustment],
                        entitlements: Sequence[Entitlement] = ()) -> None:
        """The savings of a sale, each on its line with its reason, as the customer saw them."""
        rows = [{"order_id": order_id, "line_id": a.line_id, "amount_fen": a.amount.fen,
                 "reason": a.reason, "params": json.dumps(dict(a.params), ensure_ascii=False,
                                                          sort_keys=True),
                 "source": a.source, "kind": a.kind.value} for a in adjustments]
        rows += [{"order_id": order_id, "line_id": None, "amount_fen": 0,
                  "reason": f"entitlement.{e.kind}",
                  "params": json.dumps(dict(e.params), ensure_ascii=False, sort_keys=True),
                  "source": e.coupon_id, "kind": "entitlement"} for e in entitlements]
        if rows:
            self._session.execute(insert(ADJUSTMENTS), rows)

    def savings_detail(self, order_id: str) -> tuple[SavingRecord, ...]:
        rows = self._session.execute(
            select(ADJUSTMENTS).where(ADJUSTMENTS.c.order_id == order_id)
            .order_by(ADJUSTMENTS.c.id)).mappings()
        return tuple(SavingRecord(r["line_id"], r["reason"], json.loads(r["params"]),
                                  Money(r["amount_fen"]), r["source"], r["kind"]) for r in rows)

    def get(self, order_id: str) -> SaleRecord | None:
        row = self._session.execute(
            select(OrderRow, TerminalRow.code, UserRow.name)
            .join(TerminalRow, TerminalRow.id == OrderRow.terminal_id)
            .join(UserRow, UserRow.id == OrderRow.cashier_id)
            .where(OrderRow.id == order_id)).first()
        if row is None or row[0].completed_at is None:
            return None
        order: OrderRow = row[0]
        lines = self._session.execute(
            select(OrderLineRow).where(OrderLineRow.order_id == order_id)
            .order_by(OrderLineRow.position)).scalars()
        payments = self._session.execute(
            select(PaymentRow).where(PaymentRow.order_id == order_id)
            .order_by(PaymentRow.created_at)).scalars()
        return SaleRecord(
            id=order.id, order_number=order.order_number or "", status=order.status,
            terminal_code=row[1], cashier_name=row[2], completed_at=order.completed_at,
            subtotal=Money(order.subtotal_fen), savings=Money(order.savings_fen),
            total=Money(order.total_fen), change=Money(order.change_fen),
            lines=tuple(_line(r) for r in lines if not r.voided),
            payments=tuple(PaymentRecord(p.method, Money(p.amount_fen), Money(p.tendered_fen),
                                         Money(p.change_fen)) for p in payments),
            savings_detail=self.savings_detail(order_id), member_id=order.member_id,
            kind=order.kind)

    def by_number(self, number: str) -> str | None:
        return self._session.execute(
            select(OrderRow.id).where(OrderRow.order_number == number)).scalar()


def _line(r: OrderLineRow) -> CartLine:
    return CartLine(id=LineId(r.id), position=r.position, product_id=ProductId(r.product_id),
                    sku=r.sku, name=r.name, unit_price=Money(r.unit_price_fen),
                    quantity=r.quantity, grams=r.grams, amount=Money(r.amount_fen),
                    tax_rate_bp=r.tax_rate_bp, voided=r.voided, category=r.category,
                    member_price=None if r.member_price_fen is None
                    else Money(r.member_price_fen),
                    label_priced=r.label_priced, discount=Money(r.discount_fen))

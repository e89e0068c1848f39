"""Returns: a sale as a return sees it, and the rows a return writes.

A return is an order row of kind ``return`` (``original_order_id`` = the sale), with lines that
mirror the sale's lines with the signs turned (negative pieces, amount, discount; grams for a
weighed line), each naming its sale line, and refund payment rows with negative amounts, each
naming the sale's tender it gives back to (``original_payment_id``). Summing a sale and its
returns gives what the store kept.

"Returned once only" is the database's: ``take_back`` is ``UPDATE order_lines SET
returned_quantity = returned_quantity + :q WHERE id = :id AND returned_quantity + :q <=
quantity`` and must touch one row (a CHECK backs it). ``lock_sale`` holds the sale's order row
first (PostgreSQL ``FOR UPDATE``; SQLite's BEGIN IMMEDIATE already serialises writers), so two
returns of one sale run one after the other and the second sees what the first gave back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, func, insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.cart import CartStatus
from pos_app.domain.money import Money
from pos_app.domain.payments import TenderMethod
from pos_app.domain.returns import LineRefund, PaidTender, SoldLine
from pos_app.persistence.models import (
    OrderLineRow,
    OrderRow,
    PaymentAttemptRow,
    PaymentRow,
    PointsLedgerRow,
    StockRow,
    UserRow,
)

ORDERS = cast(Table, OrderRow.__table__)
LINES = cast(Table, OrderLineRow.__table__)
PAYMENTS = cast(Table, PaymentRow.__table__)
STOCK = cast(Table, StockRow.__table__)
POINTS = cast(Table, PointsLedgerRow.__table__)
ATTEMPTS = cast(Table, PaymentAttemptRow.__table__)
SALE, RETURN = "sale", "return"


@dataclass(frozen=True, slots=True)
class SoldLineRecord:
    """A sale line with what a person needs to pick it for a return."""

    line: SoldLine
    product_id: str
    position: int
    sku: str
    name: str
    unit_price: Money
    grams: int | None
    tax_rate_bp: int
    category: str


@dataclass(frozen=True, slots=True)
class TenderRecord:
    tender: PaidTender
    reference: str | None
    provider: str | None
    out_trade_no: str | None


@dataclass(frozen=True, slots=True)
class SoldRecord:
    """A completed sale as returns see it: lines with what is left, tenders with what was
    given back before, the member, and the points the sale earned."""

    id: str
    order_number: str
    completed_at: datetime
    cashier_name: str
    member_id: str | None
    subtotal: Money
    savings: Money
    total: Money
    lines: tuple[SoldLineRecord, ...]
    tenders: tuple[TenderRecord, ...]
    points_earned: int
    returns: tuple[str, ...]
    """Order numbers of the earlier returns of this sale."""


class ReturnRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- reading a sale ----------------------------------------------------------------------

    def sale_id(self, order_number: str, store_id: str) -> tuple[str, str] | None:
        """(order id, kind) of a completed order of this store with that number."""
        row = self._session.execute(
            select(ORDERS.c.id, ORDERS.c.kind).where(
                ORDERS.c.order_number == order_number, ORDERS.c.store_id == store_id,
                ORDERS.c.status == CartStatus.COMPLETED.value)).first()
        return None if row is None else (str(row.id), str(row.kind))

    def lock_sale(self, order_id: str) -> bool:
        """Hold the sale's row to the end of the transaction; False if it is not a sale."""
        row = self._session.execute(
            select(ORDERS.c.id).where(ORDERS.c.id == order_id, ORDERS.c.kind == SALE)
            .with_for_update()).first()
        return row is not None

    def sold(self, order_id: str) -> SoldRecord | None:
        order = self._session.execute(
            select(ORDERS, UserRow.name.label("cashier_name"))
            .join(UserRow, UserRow.id == ORDERS.c.cashier_id)
            .where(ORDERS.c.id == order_id, ORDERS.c.kind == SALE,
                   ORDERS.c.status == CartStatus.COMPLETED.value)).mappings().first()
        if order is None:
            return None
        return SoldRecord(
            id=order_id, order_number=order["order_number"] or "",
            completed_at=order["completed_at"], cashier_name=order["cashier_name"],
            member_id=order["member_id"], subtotal=Money(order["subtotal_fen"]),
            savings=Money(order["savings_fen"]), total=Money(order["total_fen"]),
            lines=self._lines(order_id), tenders=self._tenders(order_id),
            points_earned=self._points_earned(order_id), returns=self._returns(order_id))

    def _lines(self, order_id: str) -> tuple[SoldLineRecord, ...]:
        rows = self._session.execute(
            select(LINES).where(LINES.c.order_id == order_id, LINES.c.voided.is_(False))
            .order_by(LINES.c.position)).mappings()
        return tuple(SoldLineRecord(
            line=SoldLine(line_id=r["id"], quantity=r["quantity"], amount=Money(r["amount_fen"]),
                          discount=Money(r["discount_fen"]),
                          weighed=r["grams"] is not None or bool(r["label_priced"]),
                          returned=r["returned_quantity"]),
            product_id=r["product_id"], position=r["position"], sku=r["sku"], name=r["name"],
            unit_price=Money(r["unit_price_fen"]), grams=r["grams"],
            tax_rate_bp=r["tax_rate_bp"], category=r["category"]) for r in rows)

    def _tenders(self, order_id: str) -> tuple[TenderRecord, ...]:
        back = PAYMENTS.alias("back")
        refunded = (select(func.coalesce(func.sum(-back.c.amount_fen), 0))
                    .where(back.c.original_payment_id == PAYMENTS.c.id).scalar_subquery())
        taken_at = func.coalesce(ATTEMPTS.c.created_at, PAYMENTS.c.created_at)
        rows = self._session.execute(
            select(PAYMENTS, refunded.label("refunded_fen"))
            .outerjoin(ATTEMPTS, ATTEMPTS.c.out_trade_no == PAYMENTS.c.out_trade_no)
            .where(PAYMENTS.c.order_id == order_id)
            .order_by(taken_at, PAYMENTS.c.id)).mappings().all()
        tenders = [TenderRecord(
            PaidTender(payment_id=r["id"], method=TenderMethod(r["method"]),
                       amount=Money(r["amount_fen"]), refunded=Money(int(r["refunded_fen"])),
                       points=int(r["points"])),
            r["reference"], r["provider"], r["out_trade_no"]) for r in rows]
        return tuple(sorted(tenders, key=lambda t: _TAKEN[t.tender.method]))

    def _points_earned(self, order_id: str) -> int:
        return int(self._session.execute(
            select(func.coalesce(func.sum(POINTS.c.points), 0))
            .where(POINTS.c.order_id == order_id, POINTS.c.kind == "earn")).scalar_one())

    def _returns(self, order_id: str) -> tuple[str, ...]:
        return tuple(str(n) for n in self._session.execute(
            select(ORDERS.c.order_number).where(ORDERS.c.original_order_id == order_id)
            .order_by(ORDERS.c.completed_at, ORDERS.c.order_number)).scalars())

    # --- writing a return --------------------------------------------------------------------

    def take_back(self, line_id: str, quantity: int) -> bool:
        """Count ``quantity`` more pieces of the sale line as returned; False (nothing
        written) when that would be more than the line had."""
        result = self._session.execute(
            update(LINES).where(
                and_(LINES.c.id == line_id,
                     LINES.c.returned_quantity + quantity <= LINES.c.quantity))
            .values(returned_quantity=LINES.c.returned_quantity + quantity))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def add_order(self, return_id: str, *, sale_id: str, number: str, store_id: str,
                  terminal_id: str, cashier_id: str, member_id: str | None,
                  lines: tuple[LineRefund, ...], at: datetime) -> None:
        amount = sum(line.amount.fen for line in lines)
        discount = sum(line.discount.fen for line in lines)
        self._session.execute(insert(ORDERS).values(
            id=return_id, store_id=store_id, terminal_id=terminal_id, cashier_id=cashier_id,
            member_id=member_id, kind=RETURN, status=CartStatus.COMPLETED.value,
            order_number=number, subtotal_fen=-amount, savings_fen=-discount,
            total_fen=-(amount - discount), paid_fen=-(amount - discount), change_fen=0,
            created_at=at, completed_at=at, priced_at=at, original_order_id=sale_id))

    def add_line(self, line_id: str, return_id: str, sold: SoldLineRecord,
                 refund: LineRefund, position: int) -> None:
        """The return line: the sale line's goods with the signs turned."""
        self._session.execute(insert(LINES).values(
            id=line_id, order_id=return_id, position=position, product_id=sold.product_id,
            sku=sold.sku, name=sold.name, unit_price_fen=sold.unit_price.fen,
            quantity=-refund.quantity, grams=None if sold.grams is None else -sold.grams,
            amount_fen=-refund.amount.fen, tax_rate_bp=sold.tax_rate_bp, voided=False,
            category=sold.category, label_priced=False, discount_fen=-refund.discount.fen,
            original_line_id=sold.line.line_id, returned_quantity=0))

    def add_refund(self, payment_id: str, return_id: str, *, original: TenderRecord,
                   amount: Money, state: str, at: datetime, reference: str | None = None,
                   points: int = 0) -> None:
        """A refund payment row: negative ``amount`` to the sale's tender ``original``."""
        self._session.execute(insert(PAYMENTS).values(
            id=payment_id, order_id=return_id, method=original.tender.method.value, state=state,
            amount_fen=-amount.fen, tendered_fen=-amount.fen, change_fen=0, out_trade_no=None,
            provider=original.provider, reference=reference, points=-points, created_at=at,
            original_payment_id=original.tender.payment_id))

    def put_back(self, product_id: str, quantity: int) -> None:
        """Stock comes back: pieces, or grams for weighed goods."""
        result = self._session.execute(
            update(STOCK).where(STOCK.c.product_id == product_id)
            .values(quantity=STOCK.c.quantity + quantity))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            self._session.execute(insert(STOCK).values(product_id=product_id, quantity=quantity))


_TAKEN = {TenderMethod.PAYMENT_CODE: 0, TenderMethod.DYNAMIC_QR: 0, TenderMethod.POINTS: 1,
          TenderMethod.STORED_VALUE: 2, TenderMethod.BANK_CARD: 3, TenderMethod.CASH: 4}
"""The order the till takes tenders in (``services.tendering``); ties keep the rows' order."""

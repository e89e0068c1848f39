"""Open and suspended carts journalled as orders, written as deltas so a scan stays cheap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import RowMapping, delete, insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.cart import Cart, CartLine, CartStatus, Pricing
from pos_app.domain.ids import CartId, LineId, ProductId
from pos_app.domain.money import Money
from pos_app.persistence.models import OrderCouponRow, OrderLineRow, OrderRow

ORDERS = OrderRow.__table__
LINES = OrderLineRow.__table__
COUPONS = OrderCouponRow.__table__


@dataclass(frozen=True, slots=True)
class Site:
    """Where the unit of work runs: the store, this terminal and its code."""

    store_id: str
    terminal_id: str
    terminal_code: str
    time_zone: str


class CartRepository:
    def __init__(self, session: Session, site: Site) -> None:
        self._session = session
        self._site = site

    def get(self, cart_id: str) -> Cart | None:
        order = self._session.execute(
            select(OrderRow.id, OrderRow.cashier_id, OrderRow.status, OrderRow.priced_at)
            .where(OrderRow.id == cart_id, OrderRow.terminal_id == self._site.terminal_id)
        ).first()
        if order is None:
            return None
        lines = self._session.execute(
            select(LINES).where(LINES.c.order_id == cart_id).order_by(LINES.c.position)
        ).mappings()
        return Cart(id=CartId(order.id), terminal_code=self._site.terminal_code,
                    cashier_id=order.cashier_id, status=CartStatus(order.status),
                    lines=[_line(row) for row in lines], pricing=Pricing(at=order.priced_at))

    def holder(self, cart_id: str) -> tuple[str | None, list[str]]:
        """The member id and the presented coupon ids (in order) of a stored cart: the service
        reads the member and the coupons back through their own repositories."""
        member_id = self._session.execute(
            select(OrderRow.member_id).where(OrderRow.id == cart_id)).scalar()
        coupon_ids = self._session.execute(
            select(COUPONS.c.coupon_id).where(COUPONS.c.order_id == cart_id)
            .order_by(COUPONS.c.position)).scalars().all()
        return member_id, list(coupon_ids)

    def find_open(self) -> str | None:
        """The id of this terminal's open cart, if a crash or a logout left one."""
        return self._session.execute(
            select(OrderRow.id).where(OrderRow.terminal_id == self._site.terminal_id,
                                      OrderRow.status == CartStatus.OPEN.value)
            .order_by(OrderRow.created_at.desc()).limit(1)
        ).scalar()

    def suspended(self) -> list[tuple[str, datetime, int]]:
        """(cart id, opened at, total fen) of this terminal's suspended carts, oldest first."""
        rows = self._session.execute(
            select(OrderRow.id, OrderRow.created_at, OrderRow.total_fen)
            .where(OrderRow.terminal_id == self._site.terminal_id,
                   OrderRow.status == CartStatus.SUSPENDED.value)
            .order_by(OrderRow.created_at)
        )
        return [(r.id, r.created_at, r.total_fen) for r in rows]

    def add(self, cart: Cart, at: datetime) -> None:
        self._session.execute(insert(ORDERS).values(
            id=cart.id, store_id=self._site.store_id, terminal_id=self._site.terminal_id,
            cashier_id=cart.cashier_id, kind="sale", status=cart.status.value, created_at=at,
            subtotal_fen=0, savings_fen=0, total_fen=0, paid_fen=0, change_fen=0))
        self.save(None, cart)

    def save(self, before: Cart | None, after: Cart) -> None:
        """Write what changed between two states of one cart: new lines, changed lines, totals."""
        known = {} if before is None else {line.id: line for line in before.lines}
        fresh = [line for line in after.lines if line.id not in known]
        changed = [line for line in after.lines
                   if line.id in known and known[line.id] is not line]
        if fresh:
            self._session.execute(insert(LINES), [_row(after.id, line) for line in fresh])
        for line in changed:
            self._session.execute(update(LINES).where(LINES.c.id == line.id).values(
                quantity=line.quantity, amount_fen=line.amount.fen, voided=line.voided,
                discount_fen=line.discount.fen))
        totals = after.totals()
        values: dict[str, object] = {
            "status": after.status.value, "cashier_id": after.cashier_id,
            "subtotal_fen": totals.subtotal.fen, "savings_fen": totals.savings.fen,
            "total_fen": totals.total.fen, "priced_at": after.pricing.at}
        member_id = None if after.member is None else after.member.id
        if before is None or (before.member is None) != (after.member is None) or (
                before.member is not None and before.member.id != member_id):
            values["member_id"] = member_id
        self._session.execute(update(ORDERS).where(ORDERS.c.id == after.id).values(**values))
        ids = [coupon.id for coupon in after.coupons]
        if before is None or ids != [coupon.id for coupon in before.coupons]:
            self._save_coupons(after.id, ids)

    def _save_coupons(self, cart_id: str, coupon_ids: list[str]) -> None:
        self._session.execute(delete(COUPONS).where(COUPONS.c.order_id == cart_id))
        if coupon_ids:
            self._session.execute(insert(COUPONS), [
                {"order_id": cart_id, "coupon_id": cid, "position": n}
                for n, cid in enumerate(coupon_ids)])


def _row(order_id: str, line: CartLine) -> dict[str, object]:
    return {"id": line.id, "order_id": order_id, "position": line.position,
            "product_id": line.product_id, "sku": line.sku, "name": line.name,
            "unit_price_fen": line.unit_price.fen, "quantity": line.quantity,
            "grams": line.grams, "amount_fen": line.amount.fen,
            "tax_rate_bp": line.tax_rate_bp, "voided": line.voided,
            "category": line.category,
            "member_price_fen": None if line.member_price is None else line.member_price.fen,
            "label_priced": line.label_priced, "discount_fen": line.discount.fen}


def _line(r: RowMapping) -> CartLine:
    return CartLine(
        id=LineId(r["id"]), position=r["position"], product_id=ProductId(r["product_id"]),
        sku=r["sku"], name=r["name"], unit_price=Money(r["unit_price_fen"]),
        quantity=r["quantity"], grams=r["grams"], amount=Money(r["amount_fen"]),
        tax_rate_bp=r["tax_rate_bp"], voided=bool(r["voided"]), category=r["category"],
        member_price=None if r["member_price_fen"] is None else Money(r["member_price_fen"]),
        label_priced=bool(r["label_priced"]), discount=Money(r["discount_fen"]))

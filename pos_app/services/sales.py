"""SaleService: complete a sale, committing everything that belongs to it at once.

The order's final state, its payments (cash and wallet tenders), stock, the event, the audit
entry and the print job are written in one transaction: after a crash the sale is there whole
or not at all. Printing and the drawer happen after the commit, from the print job, so a dead
printer never loses a sale.

Tenders: every PAID wallet attempt on the cart that nothing is giving back, plus cash; change
comes from cash only. A cart with a payment still running cannot be completed.

Pricing: the cart is priced again at the moment it was last priced (what the customer saw),
and the savings are written line by line with their reasons. Coupons the sale used stay
redeemed by it; coupons presented but not used go back to the pool. A member's points for what
was paid, and their uses of per-member capped promotions, are written with the sale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.cart import Cart, CartStatus
from pos_app.domain.ids import new_id
from pos_app.domain.members import points_earned
from pos_app.domain.money import Money
from pos_app.domain.payments import (
    SplitTender,
    TenderMethod,
)
from pos_app.domain.pricing import SourceKind
from pos_app.domain.sales import order_number, order_number_prefix
from pos_app.errors import UserError
from pos_app.events import CustomerViewChanged, SaleCompleted
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.checkout import CheckoutService, release_coupons
from pos_app.services.tendering import NO_OTHER_TENDERS, OtherTenders, split_for, write_payments
from pos_app.services.viewmaking import customer_view
from pos_app.services.views import SaleView


class SaleService:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, bus: EventBus, checkout: CheckoutService
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._bus = bus
        self._checkout = checkout

    def pay_cash(self, cart_id: str, tendered: Money) -> SaleView:
        """Cash for what is still due (all of it when no wallet paid); the rest is change."""
        return self.complete(cart_id, cash=tendered)

    def complete(self, cart_id: str, *, cash: Money | None = None,
                 others: OtherTenders = NO_OTHER_TENDERS) -> SaleView:
        """Complete the sale with the cart's wallet tenders, then ``others`` (points, stored
        value, bank card) and ``cash`` for the rest, or say why not. A stored-value or points
        tender the member cannot cover refuses the whole sale; nothing is taken."""
        sale = self._complete(cart_id, cash, others, strict=True)
        assert sale is not None  # strict: every refusal raised
        return sale

    def complete_if_covered(self, cart_id: str) -> SaleView | None:
        """Complete the sale if the wallet tenders taken cover it; None when they do not, or
        the cart is no longer open (completed by another call)."""
        return self._complete(cart_id, None, NO_OTHER_TENDERS, strict=False)

    def _complete(self, cart_id: str, cash: Money | None, others: OtherTenders, *,
                  strict: bool) -> SaleView | None:
        now = self._clock.now()
        with self._uow() as uow:
            cart = uow.carts.get(cart_id)
            try:
                if cart is None or cart.status is not CartStatus.OPEN:
                    raise UserError("cart.not_open")
                self._checkout.restore(uow, cart)
                if not cart.active_lines():
                    raise UserError("cart.empty")
                split = split_for(uow, cart, cash, others)
                number = self._close_order(uow, cart, split, now)
            except UserError:
                if strict:
                    raise
                return None
            job_id = self._write_sale(uow, cart, split, number, now)
            uow.commit()
        self._checkout.forget(cart_id)
        paid = split.paid + split.change
        return SaleView(
            id=cart.id,
            order_number=number,
            total=split.total,
            paid=paid,
            change=split.change,
            print_job_id=job_id,
        )

    def _close_order(self, uow: UnitOfWork, cart: Cart, split: SplitTender, now: datetime) -> str:
        tz = uow.site.time_zone
        seq = uow.sales.next_daily_seq(order_number_prefix(uow.site.terminal_code, now, tz))
        number = order_number(uow.site.terminal_code, now, tz, seq)
        if not uow.sales.complete(
            cart.id, number=number, paid=split.total, change=split.change, at=now
        ):
            raise UserError("cart.not_open")
        return number

    def _write_sale(
        self, uow: UnitOfWork, cart: Cart, split: SplitTender, number: str, now: datetime
    ) -> str:
        """Payment rows, stock, print job, journal, audit and events of a closed order."""
        write_payments(uow, cart, split, now)
        uow.sales.take_stock(cart.active_lines())
        _write_pricing(uow, cart, split, now)
        job_id = new_id()
        uow.print_jobs.add(job_id, cart.id, now)
        details = _details(number, split)
        uow.journal.append("sale.completed", now, order_id=cart.id, payload=details)
        uow.audit.append(
            now, actor_id=cart.cashier_id, action="sale.completed", subject=cart.id, details=details
        )
        if any(t.method is TenderMethod.CASH for t in split.tenders):
            uow.audit.append(
                now,
                actor_id=cart.cashier_id,
                action="drawer.opened",
                subject=cart.id,
                details={"reason": "cash sale"},
            )
        cart.status = CartStatus.COMPLETED
        paid = split.paid + split.change
        uow.record(
            SaleCompleted(cart.id, number, split.total, split.change),
            CustomerViewChanged(customer_view(cart, paid=paid, change=split.change)),
        )
        return job_id


def _write_pricing(uow: UnitOfWork, cart: Cart, split: SplitTender, now: datetime) -> None:
    """Savings by line, coupons kept or given back, the member's points and capped uses."""
    uow.sales.add_adjustments(cart.id, cart.pricing.adjustments, cart.pricing.entitlements)
    used = {o.coupon_id for o in cart.pricing.coupons if o.used}
    release_coupons(uow, cart, [c for c in cart.coupons if c.id not in used])
    for coupon_id in sorted(used):
        uow.audit.append(now, actor_id=cart.cashier_id, action="coupon.redeemed",
                         subject=cart.id, details={"coupon": coupon_id})
    member = cart.member
    if member is None:
        return
    capped = [(use.source, use.applications) for use in cart.pricing.uses
              if use.kind is SourceKind.PROMOTION]
    if capped:
        uow.members.record_promotion_uses(member.id, cart.id, capped)
    paid = split.total - sum((t.amount for t in split.tenders
                              if t.method is TenderMethod.POINTS), Money(0))
    points = points_earned(uow.members.tier_rule(member.tier), paid)
    if points > 0:
        uow.points.earn(member.id, points, cart.id, now)


def _details(number: str, split: SplitTender) -> dict[str, object]:
    cash = sum(t.tendered.fen for t in split.tenders if t.method is TenderMethod.CASH)
    details: dict[str, object] = {
        "order": number,
        "total_fen": split.total.fen,
        "cash_fen": cash,
        "change_fen": split.change.fen,
    }
    wallet = [
        {
            "method": t.method.value,
            "provider": t.provider.value,
            "fen": t.amount.fen,
            "out_trade_no": t.reference,
        }
        for t in split.tenders
        if t.provider is not None
    ]
    if wallet:
        details["wallet"] = wallet
    return details

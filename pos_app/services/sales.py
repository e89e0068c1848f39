"""SaleService: complete a sale, committing everything that belongs to it at once.

The order's final state, its payment, stock, the event, the audit entry and the print job are
written in one transaction: after a crash the sale is there whole or not at all. Printing and
the drawer happen after the commit, from the print job, so a dead printer never loses a sale.
"""

from __future__ import annotations

from collections.abc import Callable

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.cart import CartStatus
from pos_app.domain.ids import new_id
from pos_app.domain.money import Money
from pos_app.domain.payments import PaymentState, TenderMethod, take_cash
from pos_app.domain.sales import order_number, order_number_prefix
from pos_app.errors import UserError
from pos_app.events import CustomerViewChanged, SaleCompleted
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.checkout import CheckoutService
from pos_app.services.viewmaking import customer_view
from pos_app.services.views import SaleView


class SaleService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, bus: EventBus,
                 checkout: CheckoutService) -> None:
        self._uow = uow
        self._clock = clock
        self._bus = bus
        self._checkout = checkout

    def pay_cash(self, cart_id: str, tendered: Money) -> SaleView:
        now = self._clock.now()
        with self._uow() as uow:
            cart = uow.carts.get(cart_id)
            if cart is None or cart.status is not CartStatus.OPEN:
                raise UserError("cart.not_open")
            lines = cart.active_lines()
            if not lines:
                raise UserError("cart.empty")
            cash = take_cash(cart.totals().total, tendered)
            tz = uow.site.time_zone
            seq = uow.sales.next_daily_seq(order_number_prefix(uow.site.terminal_code, now, tz))
            number = order_number(uow.site.terminal_code, now, tz, seq)
            if not uow.sales.complete(cart.id, number=number, paid=cash.due,
                                      change=cash.change, at=now):
                raise UserError("cart.not_open")
            uow.sales.add_payment(new_id(), cart.id, method=TenderMethod.CASH.value,
                                  state=PaymentState.SUCCEEDED.value, amount=cash.due,
                                  tendered=cash.tendered, change=cash.change, at=now)
            uow.sales.take_stock(lines)
            job_id = new_id()
            uow.print_jobs.add(job_id, cart.id, now)
            details = {"order": number, "total_fen": cash.due.fen, "cash_fen": cash.tendered.fen,
                       "change_fen": cash.change.fen}
            uow.journal.append("sale.completed", now, order_id=cart.id, payload=details)
            uow.audit.append(now, actor_id=cart.cashier_id, action="sale.completed",
                             subject=cart.id, details=details)
            uow.audit.append(now, actor_id=cart.cashier_id, action="drawer.opened",
                             subject=cart.id, details={"reason": "cash sale"})
            cart.status = CartStatus.COMPLETED
            uow.record(SaleCompleted(cart.id, number, cash.due, cash.change),
                       CustomerViewChanged(customer_view(cart, paid=cash.tendered,
                                                         change=cash.change)))
            uow.commit()
        self._checkout.forget(cart_id)
        return SaleView(id=cart.id, order_number=number, total=cash.due, paid=cash.tendered,
                        change=cash.change, print_job_id=job_id)

"""OrderCodeService (订单POS): show the open order as a signed QR code, and load an order from
its code at another terminal (a guide's handheld, a self-checkout "pay at the counter").

A code names an order and its amount; it is refused when forged or altered, expired, already
paid, unknown, or when the order changed after the code was made (the amount no longer
matches). Taking an order over moves it to this terminal as its open cart, in one UPDATE that
only an open or suspended order passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pos_app.clock import Clock
from pos_app.domain.money import Money
from pos_app.domain.order_codes import OrderCode, issue, verify
from pos_app.errors import UserError
from pos_app.events import OrderCodeShown
from pos_app.persistence.repositories.order_codes import OrderCodeRepository
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.checkout import CheckoutService
from pos_app.services.views import CartView

KEY_ID = "s1"
LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class OrderCodeView:
    text: str
    """ASCII, for a QR code on the customer display or on paper."""
    amount: Money
    expires_at: datetime


class OrderCodeService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock,
                 checkout: CheckoutService, *, store_code: str) -> None:
        self._uow = uow
        self._clock = clock
        self._checkout = checkout
        self._store_code = store_code

    def present(self, cart_id: str) -> OrderCodeView:
        now = self._clock.now()
        with self._uow() as uow:
            codes = OrderCodeRepository(uow.session)
            state = codes.order_state(cart_id)
            if state is None or state[0] != "open" or state[1] != uow.site.terminal_id:
                raise UserError("cart.not_open")
            if state[2] <= 0:
                raise UserError("cart.empty")
            key = codes.store_key(uow.site.store_id)
            code = OrderCode(order_id=cart_id, amount=Money(state[2]),
                             store_code=self._store_code, expires_at=now + LIFETIME)
            text = issue(code, key_id=KEY_ID, key=key)
            uow.journal.append("order_code.presented", now, order_id=cart_id,
                               payload={"amount_fen": state[2]})
            uow.record(OrderCodeShown(cart_id, text, code.amount))
            uow.commit()
        return OrderCodeView(text, code.amount, code.expires_at)

    def take_over(self, text: str, cashier_id: str) -> CartView:
        """Load the order a scanned code names as this terminal's open cart."""
        now = self._clock.now()
        with self._uow() as uow:
            key = OrderCodeRepository(uow.session).store_key(uow.site.store_id)
            uow.commit()
        code = verify(text, {KEY_ID: key}, now)
        if code.store_code != self._store_code:
            raise UserError("order_qr.forged")
        with self._uow() as uow:
            self._check_order(OrderCodeRepository(uow.session), code, uow.site.terminal_id)
            self._clear_own_cart(uow, code.order_id)
            if not OrderCodeRepository(uow.session).take_over(code.order_id,
                                                              uow.site.terminal_id, cashier_id):
                raise UserError("order_qr.already_paid")
            uow.journal.append("order_code.taken_over", now, order_id=code.order_id,
                               payload={"amount_fen": code.amount.fen})
            uow.commit()
        self._checkout.forget(code.order_id)
        return self._checkout.current(code.order_id)

    @staticmethod
    def _check_order(codes: OrderCodeRepository, code: OrderCode, terminal_id: str) -> None:
        state = codes.order_state(code.order_id)
        if state is None or state[0] == "cancelled":
            raise UserError("order_qr.unknown_order")
        if state[0] == "completed":
            raise UserError("order_qr.already_paid")
        if state[2] != code.amount.fen:
            raise UserError("order_qr.changed")

    def _clear_own_cart(self, uow: UnitOfWork, order_id: str) -> None:
        """This terminal's open cart gives way, but only when it is empty."""
        own = uow.carts.find_open()
        if own is None or own == order_id:
            return
        cart = uow.carts.get(own)
        if cart is not None and cart.active_lines():
            raise UserError("cart.resume_needs_empty")
        if cart is not None:
            for coupon_id in uow.carts.holder(own)[1]:  # a coupon waiting on the empty cart
                uow.coupons.release(coupon_id, own)
            before, cart.status = cart, cart.status.CANCELLED
            uow.carts.save(before, cart)
            self._checkout.forget(own)

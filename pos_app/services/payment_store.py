"""The database side of wallet payments: start an attempt, move it, read a cart's tenders.

Every method is one short transaction and none is open while a provider is called: an attempt
is committed in SUBMITTING before its pay call and each outcome is committed after it
(ARCHITECTURE §4). Moves are compare-and-set (``AttemptChanged`` when somebody else moved the
attempt first), so two threads or two processes never both apply an outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from pos_app.clock import Clock
from pos_app.domain.cart import CartStatus
from pos_app.domain.ids import CartId, PaymentId
from pos_app.domain.money import ZERO, Money
from pos_app.domain.payment_codes import PaymentCode, Provider
from pos_app.domain.payment_states import (
    PaymentAttempt,
    PaymentEvent,
    PaymentState,
    apply,
    is_final,
    new_out_trade_no,
    start_attempt,
)
from pos_app.errors import UserError
from pos_app.events import PaymentStateChanged
from pos_app.persistence.repositories.payment_refunds import (
    PaymentRefundRepository,
    WalletPayments,
)
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.payment_views import outcome_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CartMoney:
    """A cart's total, the wallet tenders taken and not being given back, the running one."""

    cart_id: str
    open: bool
    total: Money
    tenders: tuple[PaymentAttempt, ...]
    running: PaymentAttempt | None
    locked: bool
    code_hashes: frozenset[str]

    @property
    def paid(self) -> Money:
        return sum((t.amount for t in self.tenders), ZERO)

    @property
    def due(self) -> Money:
        left = self.total - self.paid
        return left if left.fen > 0 else ZERO


class AttemptStore:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, *, terminal_code: str) -> None:
        self._uow = uow
        self._clock = clock
        self._terminal = terminal_code

    def start(
        self,
        attempt_id: str,
        cart_id: str,
        amount: Money | None,
        *,
        code: PaymentCode | None,
        provider: Provider,
    ) -> PaymentAttempt:
        """A new attempt for ``amount`` (None: all that is due), committed in SUBMITTING.

        Refused, with nothing stored or sent, when the cart is not open or empty, another
        payment is running, the amount is not within what is due, or this code was used on
        the cart before (a code works once: a new code makes a new attempt).
        """
        now = self._clock.now()
        with self._uow() as uow:
            money = _money(uow, cart_id, lock=True)
            _may_start(money, code)
            attempt = start_attempt(
                PaymentId(attempt_id),
                CartId(cart_id),
                code=code,
                provider=provider,
                out_trade_no=new_out_trade_no(self._terminal, now),
                now=now,
                amount=_amount(money.due, amount),
            )
            # NEW -> SUBMITTING in the transaction that stores it: the row is born SUBMITTING.
            submitting = apply(attempt, PaymentEvent.PERSISTED, now)
            uow.attempts.add(submitting)
            uow.record(_changed(submitting))
            uow.commit()
        return submitting

    def move(
        self,
        attempt: PaymentAttempt,
        event: PaymentEvent,
        *,
        trade_no: str | None = None,
        word: str = "",
    ) -> PaymentAttempt:
        """Apply ``event`` and commit; ``AttemptChanged`` if the row moved meanwhile."""
        return self._move(attempt, event, trade_no=trade_no, word=word, count=False)[0]

    def move_and_count(
        self,
        attempt: PaymentAttempt,
        event: PaymentEvent,
        *,
        trade_no: str | None = None,
        word: str = "",
    ) -> tuple[PaymentAttempt, CartMoney]:
        """``move``, and the cart's money as that move leaves it (same transaction)."""
        after, money = self._move(attempt, event, trade_no=trade_no, word=word, count=True)
        assert money is not None
        return after, money

    def _move(
        self,
        attempt: PaymentAttempt,
        event: PaymentEvent,
        *,
        trade_no: str | None,
        word: str,
        count: bool,
    ) -> tuple[PaymentAttempt, CartMoney | None]:
        after = apply(attempt, event, self._clock.now())
        with self._uow() as uow:
            uow.attempts.move(attempt, after, provider_trade_no=trade_no)
            if is_final(after.state):
                uow.journal.append(
                    f"payment.{after.state.value}",
                    after.updated_at,
                    order_id=after.cart_id,
                    payload={
                        "out_trade_no": after.out_trade_no,
                        "provider": after.provider.value,
                        "fen": after.amount.fen,
                        "last": event.value,
                    },
                )
            money = _money(uow, after.cart_id) if count else None
            uow.record(_changed(after))
            uow.commit()
        log.info(
            "payment %s (%s): %s -> %s on %s %s",
            after.out_trade_no,
            after.provider.value,
            attempt.state.value,
            after.state.value,
            event.value,
            word,
        )
        return after, money

    def get(self, attempt_id: str) -> PaymentAttempt:
        with self._uow() as uow:
            attempt = uow.attempts.get(attempt_id)
        if attempt is None:
            raise UserError("payment.not_found")
        return attempt

    def snapshot(self, attempt_id: str) -> tuple[PaymentAttempt, CartMoney]:
        with self._uow() as uow:
            attempt = uow.attempts.get(attempt_id)
            if attempt is None:
                raise UserError("payment.not_found")
            return attempt, _money(uow, attempt.cart_id)

    def money(self, cart_id: str) -> CartMoney:
        with self._uow() as uow:
            return _money(uow, cart_id)

    def attempts_of(self, cart_id: str) -> list[PaymentAttempt]:
        with self._uow() as uow:
            return uow.attempts.for_order(cart_id)

    def unfinished(self) -> list[PaymentAttempt]:
        with self._uow() as uow:
            return uow.attempts.unfinished()

    def open_carts_with_tenders(self) -> list[str]:
        with self._uow() as uow:
            return WalletPayments(uow.session).open_orders_with_paid_attempts()


def _money(uow: UnitOfWork, cart_id: str, *, lock: bool = False) -> CartMoney:
    order = WalletPayments(uow.session).order_status(cart_id, uow.site.terminal_id, lock=lock)
    attempts = uow.attempts.for_order(cart_id)
    paid = any(a.state is PaymentState.PAID for a in attempts)  # only PAID ones get refunds
    refunds = PaymentRefundRepository(uow.session).for_order(cart_id) if paid else []
    given_back = {refund.attempt_id for refund in refunds}
    tenders = tuple(a for a in attempts if a.state is PaymentState.PAID and a.id not in given_back)
    running = next((a for a in attempts if not is_final(a.state)), None)
    unsettled = any(not refund.final for refund in refunds)
    return CartMoney(
        cart_id=cart_id,
        open=order is not None and order[0] == CartStatus.OPEN.value,
        total=ZERO if order is None else order[1],
        tenders=tenders,
        running=running,
        locked=bool(tenders) or running is not None or unsettled,
        code_hashes=frozenset(a.code_hash for a in attempts if a.code_hash is not None),
    )


def _may_start(money: CartMoney, code: PaymentCode | None) -> None:
    if not money.open:
        raise UserError("cart.not_open")
    if money.total.fen <= 0:
        raise UserError("cart.empty")
    if money.running is not None:
        raise UserError("payment.in_progress")
    if code is not None and code.digest in money.code_hashes:
        raise UserError("payment.code_used", code=code.masked)


def _amount(due: Money, asked: Money | None) -> Money:
    if due.fen <= 0:
        raise UserError("payment.already_covered")
    amount = due if asked is None else asked
    if amount.fen <= 0:
        raise UserError("payment.zero_tender")
    if amount > due:
        raise UserError("payment.over_tender", due=due.yuan_text(), amount=amount.yuan_text())
    return amount


def _changed(attempt: PaymentAttempt) -> PaymentStateChanged:
    return PaymentStateChanged(
        attempt.id,
        attempt.cart_id,
        attempt.provider.value,
        attempt.state.value,
        outcome_of(attempt).value,
    )

"""Giving back a wallet payment that was taken: refunds with a stored, reused refund number.

A refund row (REQUESTED, with its ``out_refund_no``) is committed before the first refund call;
every retry after a timeout or a system error uses the same number (brief §2.6, §4.5), so the
provider refunds once however often we ask. WeChat accepts a refund and settles it later:
``refundquery`` is polled (PROCESSING -> SUCCESS). Alipay answers at once (``fund_change``).
No transaction is open during a provider call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from pos_app.clock import Clock
from pos_app.domain.ids import new_id
from pos_app.domain.payment_states import PaymentAttempt, new_out_trade_no
from pos_app.persistence.repositories.payment_refunds import (
    PaymentRefundRepository,
    RefundState,
    WalletRefund,
)
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.ports.payments import GatewayDirectory, RefundEvent, RefundRequest, RefundResult
from pos_app.services.payment_views import RefundView

log = logging.getLogger(__name__)

REFUND_POLL = timedelta(seconds=2)
_AFTER_REFUND = {
    RefundEvent.SUCCEEDED: RefundState.SUCCEEDED,
    RefundEvent.PROCESSING: RefundState.PROCESSING,
    RefundEvent.FAILED: RefundState.FAILED,
    RefundEvent.MANUAL: RefundState.MANUAL,
}  # UNKNOWN, NOT_FOUND: still REQUESTED, asked again with the same number
_AFTER_QUERY = {
    **_AFTER_REFUND,
    RefundEvent.NOT_FOUND: RefundState.REQUESTED,  # "没有查询到…可以调用退款接口进行重试"
}  # UNKNOWN: still PROCESSING


class RefundRunner:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        gateways: GatewayDirectory,
        *,
        terminal_code: str,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._gateways = gateways
        self._terminal = terminal_code

    def ensure(self, attempt: PaymentAttempt, purpose: str) -> WalletRefund:
        """The refund of all of ``attempt`` for ``purpose``, stored before any call."""
        now = self._clock.now()
        with self._uow() as uow:
            refunds = PaymentRefundRepository(uow.session)
            for known in refunds.for_order(attempt.cart_id):
                if (known.attempt_id, known.purpose) == (attempt.id, purpose):
                    return known
            refund = WalletRefund(
                id=new_id(),
                attempt_id=attempt.id,
                order_id=attempt.cart_id,
                out_trade_no=attempt.out_trade_no,
                out_refund_no="R" + new_out_trade_no(self._terminal, now)[1:],
                provider=attempt.provider,
                purpose=purpose,
                amount=attempt.amount,
                total=attempt.amount,
                state=RefundState.REQUESTED,
                created_at=now,
                updated_at=now,
            )
            refunds.add(refund)
            uow.journal.append(
                "payment.refund_requested",
                now,
                order_id=attempt.cart_id,
                payload={
                    "out_trade_no": refund.out_trade_no,
                    "out_refund_no": refund.out_refund_no,
                    "fen": refund.amount.fen,
                    "purpose": purpose,
                },
            )
            uow.commit()
        return refund

    def for_cart(self, cart_id: str) -> list[WalletRefund]:
        with self._uow() as uow:
            return PaymentRefundRepository(uow.session).for_order(cart_id)

    def unfinished(self) -> list[WalletRefund]:
        with self._uow() as uow:
            return PaymentRefundRepository(uow.session).unfinished()

    def seconds_to_next(self, refund: WalletRefund) -> float:
        if refund.final or refund.tries == 0:
            return 0.0
        return max(0.0, (refund.updated_at + REFUND_POLL - self._clock.now()).total_seconds())

    def step(self, refund: WalletRefund) -> WalletRefund:
        """The one call due for ``refund``: refund (again, same number) or ask how it went."""
        if refund.final or self.seconds_to_next(refund) > 0:
            return refund
        gateway = self._gateways.for_provider(refund.provider)
        if refund.state is RefundState.REQUESTED:
            result = gateway.refund(
                RefundRequest(
                    out_trade_no=refund.out_trade_no,
                    out_refund_no=refund.out_refund_no,
                    refund_amount=refund.amount,
                    total_amount=refund.total,
                    reason="取消交易",
                )
            )
            state = _AFTER_REFUND.get(result.event, RefundState.REQUESTED)
        else:
            result = gateway.refund_query(refund.out_refund_no, refund.out_trade_no)
            state = _AFTER_QUERY.get(result.event, RefundState.PROCESSING)
        return self._move(refund, state, result)

    def _move(self, refund: WalletRefund, state: RefundState, result: RefundResult) -> WalletRefund:
        now = self._clock.now()
        after = replace(
            refund,
            state=state,
            provider_code=result.provider_code[:40],
            tries=refund.tries + 1,
            updated_at=now,
        )
        with self._uow() as uow:
            PaymentRefundRepository(uow.session).move(refund, after)
            if after.final:
                _record_final(uow, after)
            uow.commit()
        log_at = logging.INFO if state is not RefundState.FAILED else logging.ERROR
        log.log(
            log_at,
            "refund %s of %s (%s): %s -> %s (%s)",
            after.out_refund_no,
            after.out_trade_no,
            after.provider.value,
            refund.state.value,
            state.value,
            result.provider_code,
        )
        return after


def _record_final(uow: UnitOfWork, refund: WalletRefund) -> None:
    """Journal and audit how a refund ended: money left the store, or could not."""
    details = {
        "out_trade_no": refund.out_trade_no,
        "out_refund_no": refund.out_refund_no,
        "fen": refund.amount.fen,
        "provider": refund.provider.value,
        "state": refund.state.value,
    }
    at = refund.updated_at
    uow.journal.append(
        f"payment.refund_{refund.state.value}", at, order_id=refund.order_id, payload=details
    )
    cart = uow.carts.get(refund.order_id)
    done = refund.state is RefundState.SUCCEEDED
    uow.audit.append(
        at,
        actor_id=cart.cashier_id if cart else "system",
        action="payment.refunded" if done else "payment.refund_failed",
        subject=refund.order_id,
        details=details,
    )


def refund_view(refund: WalletRefund) -> RefundView:
    return RefundView(
        out_trade_no=refund.out_trade_no,
        out_refund_no=refund.out_refund_no,
        provider=refund.provider.value,
        amount=refund.amount,
        state=refund.state.value,
        final=refund.final,
    )

"""PaymentService: take a wallet payment (payment code or dynamic QR) and see it to the end.

The attempt machine (domain/payment_states, brief §5.2) is followed one step at a time: an
attempt is committed in SUBMITTING with its own ``out_trade_no``, the provider is called with no
transaction open, the outcome is committed. The UI then calls ``advance`` on the network lane
about every second; each call does at most one provider call, the one that is due (query,
reverse/close). The code itself is never stored (only its hash) nor logged (only masked).

A PAID attempt is a tender of its cart; once the tenders cover the total the sale is completed
through ``SaleService`` (order, payment rows, stock, audit, print job: one transaction).
``cancel_sale`` reverses what runs and refunds what was taken; ``resolve_in_flight`` settles
what a crash left, at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.ids import new_id
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import PaymentCode, Provider
from pos_app.domain.payment_states import PaymentAttempt, PaymentEvent, PaymentState, is_final
from pos_app.domain.payments import DEFAULT_TIMING, TimingRules, deadline_of, waiting_for_customer
from pos_app.errors import UserError
from pos_app.events import PaymentQrShown
from pos_app.persistence.repositories.payment_refunds import RefundState
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.ports.payments import GatewayDirectory
from pos_app.services.payment_memory import PaymentMemory
from pos_app.services.payment_refunds import RefundRunner, refund_view
from pos_app.services.payment_steps import CHAIN, AttemptSteps
from pos_app.services.payment_store import AttemptStore, CartMoney
from pos_app.services.payment_views import (
    AttemptView,
    CancelView,
    PaymentOutcome,
    PaymentSummary,
    RefundView,
    ResolveReport,
    TenderLine,
    outcome_of,
)
from pos_app.services.sales import SaleService

log = logging.getLogger(__name__)

CANCEL_PURPOSE = "cancel"
_COUNTING = (PaymentState.SUBMITTING, PaymentState.POLLING)


class PaymentService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        bus: EventBus,
        gateways: GatewayDirectory,
        sales: SaleService,
        *,
        terminal_code: str,
        timing: Mapping[Provider, TimingRules] = DEFAULT_TIMING,
    ) -> None:
        self._clock = clock
        self._bus = bus
        self._gateways = gateways
        self._sales = sales
        self._memory = PaymentMemory()
        self._store = AttemptStore(uow, clock, terminal_code=terminal_code)
        self._refunds = RefundRunner(uow, clock, gateways, terminal_code=terminal_code)
        self._steps = AttemptSteps(
            self._store,
            self._memory,
            gateways,
            sales,
            clock,
            terminal_code=terminal_code,
            timing=timing,
        )

    # --- the cashier's calls (network lane) ---------------------------------------------------

    def pay_by_code(self, cart_id: str, code_text: str, amount: Money | None = None) -> AttemptView:
        """Charge the customer's payment code (付款码) for ``amount`` (None: all that is due).

        Refused with a ``UserError`` and nothing sent for a code that fits no wallet or whose
        wallet is not configured, a cart that is not open, a payment already running, an
        amount over what is due, or a code this cart used before.
        """
        code = self._gateways.route(code_text)
        attempt = self._start(cart_id, amount, code=code, provider=code.provider)
        self._memory.keep_code(attempt.id, code)
        log.info(
            "payment %s (%s): paying %s fen with %s",
            attempt.out_trade_no,
            code.provider.value,
            attempt.amount.fen,
            code.masked,
        )
        return self._view(*self._steps.pay(attempt, code))

    def show_qr(
        self, cart_id: str, amount: Money | None = None, *, provider: Provider | None = None
    ) -> AttemptView:
        """A dynamic QR (``view.qr_url``) for the customer to scan; ``advance`` polls it."""
        chosen = provider or self._qr_provider()
        self._gateways.for_provider(chosen)  # refuses an unconfigured wallet before storing
        attempt = self._start(cart_id, amount, code=None, provider=chosen)
        view = self._view(*self._steps.show_qr(attempt))
        if view.qr_url:  # for the customer display (after the commit, like every event)
            self._bus.publish(PaymentQrShown(view.id, view.cart_id, view.qr_url, view.amount,
                                             view.provider))
        return view

    def advance(self, attempt_id: str) -> AttemptView:
        """Do the one step that is due now (query, reverse/close), or nothing yet."""
        if self._memory.claim(attempt_id):
            try:
                self._steps.step(attempt_id)
            finally:
                self._memory.release(attempt_id)
        return self.view(attempt_id)

    def abort(self, attempt_id: str) -> AttemptView:
        """The cashier gives up: the attempt is reversed (or its QR closed) by ``advance``.
        While the pay call is out, the abort waits for its answer and is applied then."""
        self._steps.abort(attempt_id)
        return self.view(attempt_id)

    def cancel_sale(self, cart_id: str) -> CancelView:
        """Reverse every running attempt and refund every taken one; call again (every
        ``next_check_in_s``) until ``done``. The cart stays open, with no tenders."""
        if not self._store.money(cart_id).open:
            raise UserError("cart.not_open")
        self._memory.cancelling.add(cart_id)
        for attempt in self._store.attempts_of(cart_id):
            if not is_final(attempt.state):
                self.abort(attempt.id)
                self.advance(attempt.id)
            elif attempt.state is PaymentState.PAID:
                self._refunds.ensure(attempt, CANCEL_PURPOSE)
        for refund in self._refunds.for_cart(cart_id):
            self._refunds.step(refund)
        view = self._cancel_view(cart_id)
        if view.done:
            self._memory.cancelling.discard(cart_id)
        return view

    def resolve_in_flight(self) -> ResolveReport:
        """At start-up: ask about every unfinished attempt and drive it while a step is due;
        push every unfinished refund one step; complete sales whose tenders were all taken
        before a crash. What still needs time is reported (the UI keeps advancing it)."""
        views = [self._resume(attempt) for attempt in self._store.unfinished()]
        refunds = [self._refunds.step(refund) for refund in self._refunds.unfinished()]
        sales = list({v.sale.id: v.sale for v in views if v.sale is not None}.values())
        waiting: list[str] = []
        for cart_id in self._store.open_carts_with_tenders():
            sale = self._sales.complete_if_covered(cart_id)
            if sale is None:
                waiting.append(cart_id)
            else:
                sales.append(sale)
        return ResolveReport(
            settled=tuple(v for v in views if v.final),
            still_open=tuple(v for v in views if not v.final),
            sales_completed=tuple(sales),
            refunds_open=tuple(refund_view(r) for r in refunds if not r.final),
            carts_with_tenders=tuple(waiting),
        )

    def settle_refunds(self) -> tuple[RefundView, ...]:
        """Push every unfinished refund one due step (WeChat refunds settle later): for the
        background job, after a restart or when a cancelled cart was left."""
        refunds = [self._refunds.step(refund) for refund in self._refunds.unfinished()]
        return tuple(refund_view(r) for r in refunds)

    # --- reads (any lane) ---------------------------------------------------------------------

    def view(self, attempt_id: str) -> AttemptView:
        attempt, money = self._store.snapshot(attempt_id)
        return self._view(attempt, money)

    def open_attempts(self) -> tuple[AttemptView, ...]:
        """Every attempt not final (running, reversing, waiting for a person), oldest first:
        what the background job keeps advancing."""
        return tuple(self.view(attempt.id) for attempt in self._store.unfinished())

    def summary(self, cart_id: str) -> PaymentSummary:
        """The cart's tenders, the running attempt and what is still due."""
        money = self._store.money(cart_id)
        running = None if money.running is None else self._view(money.running, money)
        tenders = tuple(
            TenderLine(
                method=a.kind.value,
                provider=a.provider.value,
                out_trade_no=a.out_trade_no,
                amount=a.amount,
            )
            for a in money.tenders
        )
        return PaymentSummary(
            cart_id=cart_id,
            total=money.total,
            paid=money.paid,
            due=money.due,
            tenders=tenders,
            running=running,
            locked=money.locked,
        )

    # --- helpers ------------------------------------------------------------------------------

    def _start(
        self, cart_id: str, amount: Money | None, *, code: PaymentCode | None, provider: Provider
    ) -> PaymentAttempt:
        """Store a SUBMITTING attempt, marked as being sent before it is visible to anyone
        else (an ``advance`` from the background job must not take it for a dead call)."""
        attempt_id = new_id()
        self._memory.start_sending(attempt_id)
        try:
            return self._store.start(attempt_id, cart_id, amount, code=code, provider=provider)
        except BaseException:
            self._memory.finish_sending(attempt_id)
            raise

    def _resume(self, attempt: PaymentAttempt) -> AttemptView:
        self._steps.resume(attempt)
        view = self.advance(attempt.id)
        for _ in range(CHAIN):  # bounded: stop as soon as it needs time
            if view.final or view.next_check_in_s > 0:
                break
            view = self.advance(attempt.id)
        return view

    def _qr_provider(self) -> Provider:
        providers = self._gateways.providers
        if Provider.WECHAT_PAY in providers:
            return Provider.WECHAT_PAY
        if not providers:
            raise UserError("payment.provider_unavailable", provider="")
        return sorted(providers)[0]

    def _view(self, attempt: PaymentAttempt, money: CartMoney | None = None) -> AttemptView:
        money = money or self._store.money(attempt.cart_id)
        now = self._clock.now()
        final = is_final(attempt.state)
        counting = attempt.state in _COUNTING
        left = deadline_of(attempt, self._steps.rules(attempt)) - now
        due_in = (self._steps.next(attempt, now).at - now).total_seconds()
        return AttemptView(
            id=attempt.id,
            cart_id=attempt.cart_id,
            out_trade_no=attempt.out_trade_no,
            provider=attempt.provider.value,
            kind=attempt.kind.value,
            amount=attempt.amount,
            state=attempt.state.value,
            outcome=outcome_of(attempt),
            final=final,
            waiting_for_password=counting and waiting_for_customer(attempt),
            seconds_left=_whole_seconds(left) if counting else 0,
            next_check_in_s=0.0 if final else max(0.0, due_in),
            qr_url=None if final else self._memory.qr(attempt.id),
            provider_code=self._memory.word(attempt.id),
            abort_requested=self._memory.abort_requested(attempt.id)
            or attempt.last_event is PaymentEvent.ABORTED,
            due=money.due,
            sale=self._memory.sale(attempt.cart_id),
        )

    def _cancel_view(self, cart_id: str) -> CancelView:
        attempts = [self.view(a.id) for a in self._store.attempts_of(cart_id)]
        refunds = self._refunds.for_cart(cart_id)
        back = {r.out_trade_no for r in refunds if r.state is RefundState.SUCCEEDED}
        done = all(
            a.final and (a.outcome is not PaymentOutcome.PAID or a.out_trade_no in back)
            for a in attempts
        )
        review = any(a.outcome is PaymentOutcome.NEEDS_REVIEW for a in attempts) or any(
            r.final and r.state is not RefundState.SUCCEEDED for r in refunds
        )
        waits = [a.next_check_in_s for a in attempts if not a.final]
        waits += [self._refunds.seconds_to_next(r) for r in refunds if not r.final]
        return CancelView(
            cart_id=cart_id,
            attempts=tuple(attempts),
            refunds=tuple(refund_view(r) for r in refunds),
            done=done,
            needs_review=review,
            next_check_in_s=min(waits, default=0.0),
        )


def _whole_seconds(left: timedelta) -> int:
    """Rounded up, never negative: "23 s left"."""
    return max(0, -(-left // timedelta(seconds=1)))

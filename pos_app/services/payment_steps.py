"""The steps of one payment attempt: its pay call, queries, reversals, and what follows a move.

Each step calls the provider with no transaction open and then commits what it learned
(``AttemptStore.move``, compare-and-set). ``step`` does what ``next_step`` says is due, and at
most one provider call: the UI calls it again (``PaymentService.advance``) about every second.
Nothing is ever sent under a new trade number; the one identical re-submit §5.2 allows (after
ORDERNOTEXIST / ACQ.TRADE_NOT_EXIST) uses the code held in memory, so after a restart, when the
code is gone, a missing order is reversed instead.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from pos_app.clock import Clock
from pos_app.domain.payment_codes import PaymentCode, Provider
from pos_app.domain.payment_states import (
    AttemptKind,
    PaymentAttempt,
    PaymentEvent,
    PaymentState,
    is_final,
    may_resubmit,
)
from pos_app.domain.payments import Step, StepAction, TimingRules, next_step, timing_for
from pos_app.persistence.repositories.payment_attempts import AttemptChanged
from pos_app.ports.payments import (
    GatewayDirectory,
    GatewayResult,
    PaymentGateway,
    PayRequest,
    QrRequest,
)
from pos_app.services.payment_memory import PaymentMemory
from pos_app.services.payment_store import AttemptStore, CartMoney
from pos_app.services.sales import SaleService

log = logging.getLogger(__name__)

E, S = PaymentEvent, PaymentState
_PAY_EVENTS = frozenset(
    {
        E.PAY_SUCCEEDED,
        E.PAY_PENDING,
        E.PAY_UNKNOWN,
        E.PAY_ALREADY_PAID,
        E.PAY_FAILED_RESCAN,
        E.PAY_FAILED_FINAL,
    }
)
_QUERY_EVENTS = frozenset(
    {
        E.QUERY_PAID,
        E.QUERY_WAITING,
        E.QUERY_ERRORED,
        E.QUERY_PAY_ERROR,
        E.QUERY_CLOSED,
        E.QUERY_REFUNDED,
        E.QUERY_NOT_FOUND,
    }
)
_REVERSE_EVENTS = frozenset(
    {E.REVERSED_UNPAID, E.REVERSED_REFUNDED, E.REVERSE_RETRY, E.REVERSE_GAVE_UP, E.RESUMED}
)
_LOCAL = {
    StepAction.GIVE_UP: E.DEADLINE_PASSED,
    StepAction.ESCALATE: E.REVERSE_GAVE_UP,
    StepAction.RECHECK: E.RESUMED,
}
Moved = tuple[PaymentAttempt, CartMoney | None]
CHAIN = 4  # local moves (give up, escalate, resume) chain into at most one provider call
QR_VALID_S = 300  # the provider keeps a QR a little longer than the till shows it


class AttemptSteps:
    def __init__(
        self,
        store: AttemptStore,
        memory: PaymentMemory,
        gateways: GatewayDirectory,
        sales: SaleService,
        clock: Clock,
        *,
        terminal_code: str,
        timing: Mapping[Provider, TimingRules],
    ) -> None:
        self._store = store
        self._memory = memory
        self._gateways = gateways
        self._sales = sales
        self._clock = clock
        self._terminal = terminal_code
        self._timing = timing
        self._subject = f"门店收银-{terminal_code}"

    def pay(self, attempt: PaymentAttempt, code: PaymentCode) -> Moved:
        """The first pay call of a SUBMITTING attempt marked as being sent, and its outcome."""
        return self._send(attempt, code, self._gateways.for_provider(attempt.provider).pay)

    def show_qr(self, attempt: PaymentAttempt) -> Moved:
        """Create the dynamic QR of an attempt marked as being sent; with nothing to show,
        the attempt is closed again."""
        gateway = self._gateways.for_provider(attempt.provider)
        request = QrRequest(
            out_trade_no=attempt.out_trade_no,
            amount=attempt.amount,
            subject=self._subject,
            terminal=self._terminal,
            expires_in_s=QR_VALID_S,
        )
        try:
            result = gateway.create_qr(request)
            event = result.event if result.event in _PAY_EVENTS else E.PAY_UNKNOWN
            if event is E.PAY_PENDING and result.qr_url:
                self._memory.keep_qr(attempt.id, result.qr_url)
            elif event in (E.PAY_PENDING, E.PAY_UNKNOWN):
                event = E.PAY_UNKNOWN
                self._memory.request_abort(attempt.id)
            moved = self._move_answered(attempt, event, result)
        finally:
            aborted = self._memory.finish_sending(attempt.id)
        return self._settled(*moved, aborted=aborted)

    def step(self, attempt_id: str) -> None:
        """Whatever is due now, up to one provider call."""
        for _ in range(CHAIN):
            attempt = self._store.get(attempt_id)
            now = self._clock.now()
            step = self.next(attempt, now)
            if step.action is StepAction.DONE or step.at > now:
                return
            try:
                if self._act(attempt, step.action):
                    return
            except AttemptChanged:
                return  # somebody else moved it; the next call sees where it is

    def abort(self, attempt_id: str) -> None:
        """Reverse it from here; while its pay call is out, when that call answers."""
        if self._memory.request_abort(attempt_id):
            return
        with contextlib.suppress(AttemptChanged):  # moved meanwhile: advance sees where
            attempt = self._store.get(attempt_id)
            if attempt.state in (S.SUBMITTING, S.MANUAL_REVIEW):  # nobody waits on it
                attempt = self._store.move(attempt, E.RESUMED)
            if attempt.state is S.POLLING:
                self._store.move(attempt, E.ABORTED)

    def resume(self, attempt: PaymentAttempt) -> None:
        """Start-up: whatever state a crash left it in, it is asked about first (§5.2)."""
        with contextlib.suppress(AttemptChanged):
            if attempt.state is S.NEW:
                attempt = self._store.move(attempt, E.PERSISTED)
            if not is_final(attempt.state):
                self._store.move(attempt, E.RESUMED)

    def next(self, attempt: PaymentAttempt, now: datetime) -> Step:
        if attempt.state is S.POLLING and attempt.last_event is E.RESUMED:
            # Resumed (a restart, or a close that found it paid): ask before giving up.
            return Step(StepAction.QUERY, now)
        return next_step(attempt, now, self.rules(attempt))

    def rules(self, attempt: PaymentAttempt) -> TimingRules:
        return timing_for(attempt, self._timing)

    def _send(
        self, attempt: PaymentAttempt, code: PaymentCode, pay: Callable[[PayRequest], GatewayResult]
    ) -> Moved:
        """A pay call with no transaction open, then its outcome. The caller marked the
        attempt as being sent before committing SUBMITTING; an abort asked for while the call
        is out is applied as soon as the answer allows."""
        request = PayRequest(
            out_trade_no=attempt.out_trade_no,
            code=code,
            amount=attempt.amount,
            subject=self._subject,
            terminal=self._terminal,
        )
        try:
            result = pay(request)
            event = result.event if result.event in _PAY_EVENTS else E.PAY_UNKNOWN
            if event is E.PAY_SUCCEEDED and result.amount != attempt.amount:
                log.warning(
                    "payment %s: paid reply for another amount; asking again", attempt.out_trade_no
                )
                event = E.PAY_UNKNOWN  # the query's amount rule reverses a mismatch
            moved = self._move_answered(attempt, event, result)
        finally:
            aborted = self._memory.finish_sending(attempt.id)
        return self._settled(*moved, aborted=aborted)

    def _act(self, attempt: PaymentAttempt, action: StepAction) -> bool:
        """Take ``action``; True when a provider was called (or nothing can be done now)."""
        if action is StepAction.AWAIT_REPLY:
            if self._memory.sending_now(attempt.id):
                return True
            self.resume(attempt)  # its pay call died with a thread: ask about it
            return False
        gateway = self._gateways.for_provider(attempt.provider)
        if action is StepAction.QUERY:
            self._query(attempt, gateway)
            return True
        if action is StepAction.REVERSE:
            self._reverse(attempt, gateway)
            return True
        self._settled(self._store.move(attempt, _LOCAL[action]), None)
        return False

    def _query(self, attempt: PaymentAttempt, gateway: PaymentGateway) -> None:
        result = gateway.query(attempt.out_trade_no, kind=attempt.kind)
        event = result.event if result.event in _QUERY_EVENTS else E.QUERY_ERRORED
        if event is E.QUERY_PAID and result.amount != attempt.amount:
            log.warning(
                "payment %s: the provider says %s was paid, %s fen were asked: reversing",
                attempt.out_trade_no,
                result.amount,
                attempt.amount.fen,
            )
            event = E.ABORTED
        code = self._memory.code(attempt.id)
        if (
            event is E.QUERY_NOT_FOUND
            and code is not None
            and may_resubmit(attempt)
            and attempt.kind is AttemptKind.PAYMENT_CODE
        ):
            self._memory.note(attempt.id, result.provider_code)
            self._memory.start_sending(attempt.id)
            try:
                resent = self._store.move(attempt, E.RESUBMITTED)  # one thread or process wins
            except AttemptChanged:
                self._memory.finish_sending(attempt.id)
                raise
            log.info(
                "payment %s: not found after an unclear reply: the identical request "
                "goes again, once",
                attempt.out_trade_no,
            )
            self._send(resent, code, gateway.pay)
            return
        self._settled(*self._move(attempt, event, result))

    def _reverse(self, attempt: PaymentAttempt, gateway: PaymentGateway) -> None:
        if attempt.kind is AttemptKind.PAYMENT_CODE:
            result = gateway.reverse(attempt.out_trade_no)
        else:
            result = gateway.close(attempt.out_trade_no)
        event = result.event if result.event in _REVERSE_EVENTS else E.REVERSE_RETRY
        self._settled(*self._move(attempt, event, result))

    def _move(
        self, attempt: PaymentAttempt, event: PaymentEvent, result: GatewayResult
    ) -> tuple[PaymentAttempt, CartMoney]:
        self._memory.note(attempt.id, result.provider_code)
        return self._store.move_and_count(
            attempt, event, trade_no=result.trade_no, word=result.provider_code
        )

    def _move_answered(
        self, attempt: PaymentAttempt, event: PaymentEvent, result: GatewayResult
    ) -> Moved:
        """The answer of a pay or QR call, unless the attempt moved meanwhile (another
        process resumed it): then it is left where it is, and queried like any other."""
        try:
            return self._move(attempt, event, result)
        except AttemptChanged:
            log.warning(
                "payment %s moved while its call was out; %s not applied",
                attempt.out_trade_no,
                event.value,
            )
            return self._store.get(attempt.id), None

    def _settled(
        self, attempt: PaymentAttempt, money: CartMoney | None, *, aborted: bool = False
    ) -> Moved:
        """After a move: a waiting abort, a sale its tenders now cover, forgetting the code."""
        if aborted and attempt.state is S.POLLING:
            with contextlib.suppress(AttemptChanged):  # moved meanwhile: advance sees where
                attempt, money = self._store.move(attempt, E.ABORTED), None
        covered = money is None or (money.open and money.due.is_zero())
        if attempt.state is S.PAID and covered and attempt.cart_id not in self._memory.cancelling:
            sale = self._sales.complete_if_covered(attempt.cart_id)
            if sale is not None:
                self._memory.keep_sale(attempt.cart_id, sale)
        if is_final(attempt.state):
            self._memory.forget(attempt.id)
        return attempt, money

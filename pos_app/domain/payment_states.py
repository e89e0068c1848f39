"""The payment attempt state machine of shared/protocols/payments.md §5.2, as one table.

One attempt is one ``out_trade_no`` at one provider for one amount. It is persisted in
SUBMITTING before the first pay call, and every later move is an event looked up in
``TRANSITIONS``; anything else raises ``IllegalTransition``. PAID, FAILED and FAILED_REFUNDED
are final. Never pending-as-failed, never a new trade number while the old one is open.

Event names say what the adapter saw (classification per provider is in §2.3, §2.4, §4.6):
  PAY_SUCCEEDED      WeChat result_code SUCCESS / Alipay 10000 with trade fields
  PAY_PENDING        USERPAYING / 10003: the customer is entering a password
  PAY_UNKNOWN        timeout, no or unverifiable reply, SYSTEMERROR, BANKERROR, 20000,
                     ACQ.SYSTEM_ERROR under any code
  PAY_ALREADY_PAID   ORDERPAID / ACQ.TRADE_HAS_SUCCESS: confirm by query, check the amount
  PAY_FAILED_RESCAN  AUTHCODEEXPIRE, AUTH_CODE_*, ACQ.PAYMENT_AUTH_CODE_INVALID: new code,
                     new attempt, new out_trade_no
  PAY_FAILED_FINAL   customer or configuration failures
  QUERY_PAID         SUCCESS / TRADE_SUCCESS, TRADE_FINISHED, with amount == requested (a
                     different amount is not PAID: send ABORTED, which reverses)
  QUERY_WAITING      USERPAYING, NOTPAY, ACCEPT / WAIT_BUYER_PAY
  QUERY_ERRORED      the query itself failed: keep polling until the deadline
  QUERY_PAY_ERROR    PAYERROR ("支付失败，请撤销订单": reverse it)
  QUERY_CLOSED       TRADE_CLOSED, REVOKED, CLOSED: already closed, nothing to reverse
  QUERY_REFUNDED     WeChat REFUND (§2.4 "treat as paid and refunded"), e.g. after a restart
                     interrupted a reverse of a paid order
  QUERY_NOT_FOUND    ORDERNOTEXIST / ACQ.TRADE_NOT_EXIST when the pay request may not be
                     re-sent (already re-sent once, or the raw code is gone after a restart)
  RESUBMITTED        the identical pay request re-sent once after QUERY_NOT_FOUND
  DEADLINE_PASSED    the provider's polling deadline passed
  ABORTED            the cashier aborted (or the amount paid did not match)
  REVERSED_UNPAID    reverse SUCCESS on an unpaid order / Alipay action=close or no action
  REVERSED_REFUNDED  Alipay action=refund / WeChat reverse of a paid order
  REVERSE_RETRY      recall=Y, retry_flag=Y, SYSTEMERROR, USERPAYING, transport error
  REVERSE_GAVE_UP    reverse retries exhausted: a person and a background job take over
  RESUMED            start-up or the background job: every non-final attempt is polled again
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType

from pos_app.domain.ids import CartId, PaymentId
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import PaymentCode, Provider
from pos_app.errors import IllegalTransition


class PaymentState(StrEnum):
    NEW = "new"
    SUBMITTING = "submitting"
    POLLING = "polling"
    REVERSING = "reversing"
    PAID = "paid"
    FAILED = "failed"
    FAILED_REFUNDED = "failed_refunded"
    MANUAL_REVIEW = "manual_review"
    # A tender settled at the till (cash) is recorded as PAID; the old spelling stays valid.
    SUCCEEDED = "paid"

    @classmethod
    def _missing_(cls, value: object) -> PaymentState | None:
        return cls.PAID if value == "succeeded" else None


class PaymentEvent(StrEnum):
    PERSISTED = "persisted"
    PAY_SUCCEEDED = "pay_succeeded"
    PAY_PENDING = "pay_pending"
    PAY_UNKNOWN = "pay_unknown"
    PAY_ALREADY_PAID = "pay_already_paid"
    PAY_FAILED_RESCAN = "pay_failed_rescan"
    PAY_FAILED_FINAL = "pay_failed_final"
    QUERY_PAID = "query_paid"
    QUERY_WAITING = "query_waiting"
    QUERY_ERRORED = "query_errored"
    QUERY_PAY_ERROR = "query_pay_error"
    QUERY_CLOSED = "query_closed"
    QUERY_REFUNDED = "query_refunded"
    QUERY_NOT_FOUND = "query_not_found"
    RESUBMITTED = "resubmitted"
    DEADLINE_PASSED = "deadline_passed"
    ABORTED = "aborted"
    REVERSED_UNPAID = "reversed_unpaid"
    REVERSED_REFUNDED = "reversed_refunded"
    REVERSE_RETRY = "reverse_retry"
    REVERSE_GAVE_UP = "reverse_gave_up"
    RESUMED = "resumed"


S, E = PaymentState, PaymentEvent

TRANSITIONS: Mapping[tuple[PaymentState, PaymentEvent], PaymentState] = MappingProxyType(
    {
        (S.NEW, E.PERSISTED): S.SUBMITTING,
        (S.SUBMITTING, E.PAY_SUCCEEDED): S.PAID,
        (S.SUBMITTING, E.PAY_PENDING): S.POLLING,
        (S.SUBMITTING, E.PAY_UNKNOWN): S.POLLING,
        (S.SUBMITTING, E.PAY_ALREADY_PAID): S.POLLING,
        (S.SUBMITTING, E.PAY_FAILED_RESCAN): S.FAILED,
        (S.SUBMITTING, E.PAY_FAILED_FINAL): S.FAILED,
        (S.SUBMITTING, E.RESUMED): S.POLLING,
        (S.POLLING, E.QUERY_PAID): S.PAID,
        (S.POLLING, E.QUERY_WAITING): S.POLLING,
        (S.POLLING, E.QUERY_ERRORED): S.POLLING,
        (S.POLLING, E.QUERY_PAY_ERROR): S.REVERSING,
        (S.POLLING, E.QUERY_CLOSED): S.FAILED,
        (S.POLLING, E.QUERY_REFUNDED): S.FAILED_REFUNDED,
        (S.POLLING, E.QUERY_NOT_FOUND): S.REVERSING,
        (S.POLLING, E.RESUBMITTED): S.SUBMITTING,
        (S.POLLING, E.DEADLINE_PASSED): S.REVERSING,
        (S.POLLING, E.ABORTED): S.REVERSING,
        (S.POLLING, E.RESUMED): S.POLLING,
        (S.REVERSING, E.REVERSED_UNPAID): S.FAILED,
        (S.REVERSING, E.REVERSED_REFUNDED): S.FAILED_REFUNDED,
        (S.REVERSING, E.REVERSE_RETRY): S.REVERSING,
        (S.REVERSING, E.REVERSE_GAVE_UP): S.MANUAL_REVIEW,
        (S.REVERSING, E.RESUMED): S.POLLING,
        (S.MANUAL_REVIEW, E.RESUMED): S.POLLING,
    }
)
"""(state, event) -> next state. Nothing else is allowed."""

FINAL_STATES = frozenset({S.PAID, S.FAILED, S.FAILED_REFUNDED})
del S, E


def transition(state: PaymentState, event: PaymentEvent) -> PaymentState:
    """The next state, or ``IllegalTransition`` when the table has no such move."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(f"payment attempt: no {event.value} from {state.value}") from None


def is_final(state: PaymentState) -> bool:
    return state in FINAL_STATES


def allowed_events(state: PaymentState) -> frozenset[PaymentEvent]:
    return frozenset(event for (origin, event) in TRANSITIONS if origin is state)


# --- the attempt -----------------------------------------------------------------------------


class AttemptKind(StrEnum):
    PAYMENT_CODE = "payment_code"  # we scan the customer's code: micropay / trade.pay bar_code
    DYNAMIC_QR = "dynamic_qr"  # the customer scans ours: NATIVE / precreate


MAX_RESUBMITS = 1
_OUT_TRADE_NO = re.compile(r"[0-9A-Za-z]{8,32}")
_CODE_HASH = re.compile(r"[0-9a-f]{64}")


def is_valid_out_trade_no(text: str) -> bool:
    """8-32 of ``[0-9A-Za-z]``: the one form every provider accepts (§1)."""
    return _OUT_TRADE_NO.fullmatch(text) is not None


def new_out_trade_no(terminal: str, at: datetime) -> str:
    """A fresh merchant order number for one attempt: ``P`` + terminal + UTC time + 40 bits.

    ``P`` + up to 6 characters of the terminal code + ``yymmddHHMMSS`` + 10 random hex digits:
    at most 29 characters, readable in reconciliation, unique per attempt (the database's
    unique constraint is the final word; on a clash, make another before any call).
    """
    _require_aware(at, "at")
    station = "".join(ch for ch in terminal if ch.isascii() and ch.isalnum())[:6] or "0"
    stamp = at.astimezone(UTC).strftime("%y%m%d%H%M%S")
    return f"P{station.upper()}{stamp}{secrets.token_hex(5).upper()}"


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentAttempt:
    """One trade number at one provider. Holds ``code_hash``, never the payment code.

    ``submitted_at`` is the latest pay call (WeChat's 15 s reverse rule counts from it);
    ``created_at`` starts the provider's deadline, which a re-submission does not extend.
    """

    id: PaymentId
    cart_id: CartId
    out_trade_no: str
    provider: Provider
    kind: AttemptKind
    amount: Money
    code_hash: str | None
    state: PaymentState
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    last_event: PaymentEvent | None = None
    resubmits: int = 0
    reverse_tries: int = 0

    def __post_init__(self) -> None:
        for name in ("created_at", "updated_at", "submitted_at"):
            moment = getattr(self, name)
            if moment is not None:
                _require_aware(moment, name)
        if not is_valid_out_trade_no(self.out_trade_no):
            raise ValueError("out_trade_no must be 8-32 characters of [0-9A-Za-z]")
        if self.amount.fen <= 0:
            raise ValueError("a payment attempt needs a positive amount")
        if self.kind is AttemptKind.PAYMENT_CODE:
            if self.code_hash is None or not _CODE_HASH.fullmatch(self.code_hash):
                raise ValueError("a payment-code attempt stores hash_code(code), never the code")
        elif self.code_hash is not None:
            raise ValueError("a dynamic-QR attempt has no payment code")


def apply(attempt: PaymentAttempt, event: PaymentEvent, now: datetime) -> PaymentAttempt:
    """The attempt after ``event`` at ``now``; ``IllegalTransition`` if the table says no.

    A pay call (PERSISTED, RESUBMITTED) moves ``submitted_at``; entering REVERSING starts a new
    round of reverse calls, each REVERSE_RETRY counts one.
    """
    _require_aware(now, "now")
    state = transition(attempt.state, event)
    paid_call = event in (PaymentEvent.PERSISTED, PaymentEvent.RESUBMITTED)
    if state is PaymentState.REVERSING and attempt.state is not state:
        reverse_tries = 0
    else:
        reverse_tries = attempt.reverse_tries + int(event is PaymentEvent.REVERSE_RETRY)
    return replace(
        attempt,
        state=state,
        updated_at=now,
        last_event=event,
        submitted_at=now if paid_call else attempt.submitted_at,
        resubmits=attempt.resubmits + int(event is PaymentEvent.RESUBMITTED),
        reverse_tries=reverse_tries,
    )


def may_resubmit(attempt: PaymentAttempt) -> bool:
    """After QUERY_NOT_FOUND the identical pay request may be re-sent once (§5.2), and only
    while the raw code is still in memory: otherwise the answer is QUERY_NOT_FOUND."""
    return attempt.resubmits < MAX_RESUBMITS


def start_attempt(
    attempt_id: PaymentId,
    cart_id: CartId,
    *,
    out_trade_no: str,
    code: PaymentCode | None,
    amount: Money,
    now: datetime,
    provider: Provider | None = None,
) -> PaymentAttempt:
    """A NEW attempt: for a scanned code (provider from the code) or a dynamic QR."""
    chosen = code.provider if code is not None else provider
    if chosen is None:
        raise ValueError("a dynamic-QR attempt needs its provider")
    kind = AttemptKind.PAYMENT_CODE if code is not None else AttemptKind.DYNAMIC_QR
    return PaymentAttempt(
        id=attempt_id,
        cart_id=cart_id,
        out_trade_no=out_trade_no,
        provider=chosen,
        kind=kind,
        amount=amount,
        code_hash=code.digest if code is not None else None,
        state=PaymentState.NEW,
        created_at=now,
        updated_at=now,
    )

"""Frozen snapshots of wallet payments for the UI, and the payment event.

Nothing here touches the database again. ``AttemptView`` is what the payment dialog renders
after every call: the state in words a cashier understands (``outcome``), whether the customer
is entering a password and how long the provider waits (``seconds_left``: "23 s left"), when to
call ``advance`` again, and the completed sale when this payment finished it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pos_app.domain.money import Money
from pos_app.domain.payment_states import PaymentAttempt, PaymentEvent, PaymentState
from pos_app.services.views import SaleView


class PaymentOutcome(StrEnum):
    """What the cashier is told; the attempt's ``state`` is the machine's word for it."""

    IN_PROGRESS = "in_progress"  # sending, waiting for the customer, asking the provider
    CANCELLING = "cancelling"  # reversing / closing after an abort, a deadline or a failure
    PAID = "paid"
    DECLINED = "declined"  # customer or configuration failure: nothing was taken
    RESCAN = "rescan"  # code expired or used: ask for a fresh code (a new attempt)
    CANCELLED = "cancelled"  # closed or reversed: nothing was taken, or it went back at once
    REFUNDED = "refunded"  # it was taken and the provider gave it back
    NEEDS_REVIEW = "needs_review"  # the reversal keeps failing: a person checks; retried later


_FAILED_BECAUSE = {
    PaymentEvent.PAY_FAILED_RESCAN: PaymentOutcome.RESCAN,
    PaymentEvent.PAY_FAILED_FINAL: PaymentOutcome.DECLINED,
}
_BY_STATE = {
    PaymentState.PAID: PaymentOutcome.PAID,
    PaymentState.FAILED_REFUNDED: PaymentOutcome.REFUNDED,
    PaymentState.REVERSING: PaymentOutcome.CANCELLING,
    PaymentState.MANUAL_REVIEW: PaymentOutcome.NEEDS_REVIEW,
}


def outcome_of(attempt: PaymentAttempt) -> PaymentOutcome:
    """The cashier's word for an attempt's state (and, for FAILED, why it failed)."""
    if attempt.state is PaymentState.FAILED:
        return _FAILED_BECAUSE.get(
            attempt.last_event or PaymentEvent.ABORTED, PaymentOutcome.CANCELLED
        )
    return _BY_STATE.get(attempt.state, PaymentOutcome.IN_PROGRESS)


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptView:
    id: str
    cart_id: str
    out_trade_no: str
    provider: str
    kind: str
    """``payment_code`` (we scanned the customer's code) or ``dynamic_qr`` (they scan ours)."""
    amount: Money
    state: str
    outcome: PaymentOutcome
    final: bool
    waiting_for_password: bool
    """The provider said USERPAYING / 10003: show "waiting for the customer's password"."""
    seconds_left: int
    """Until the provider's deadline; 0 once cancelling or final."""
    next_check_in_s: float
    """When ``advance`` has something to do again (0: now). The UI polls about every second."""
    qr_url: str | None
    """Dynamic QR text to render on the customer display (None for a payment code)."""
    provider_code: str
    """The provider's last word (``USERPAYING``, ``timeout``…): for the details line and logs."""
    abort_requested: bool
    due: Money
    """What the cart still needs after the tenders taken so far."""
    sale: SaleView | None = None
    """Set once the cart's tenders covered the total and the sale was completed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TenderLine:
    method: str
    provider: str
    out_trade_no: str
    amount: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentSummary:
    """The wallet side of an open cart: what is taken, what runs, what is still due."""

    cart_id: str
    total: Money
    paid: Money
    due: Money
    tenders: tuple[TenderLine, ...]
    running: AttemptView | None
    locked: bool
    """Payments hold the cart: its lines must not change."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundView:
    out_trade_no: str
    out_refund_no: str
    provider: str
    amount: Money
    state: str
    final: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelView:
    """Where cancelling a cart's payments stands; call ``cancel_sale`` again until ``done``."""

    cart_id: str
    attempts: tuple[AttemptView, ...]
    refunds: tuple[RefundView, ...]
    done: bool
    """Every attempt final and every taken payment given back: the cart is open, no tenders."""
    needs_review: bool
    """A reversal or refund needs a person (MANUAL_REVIEW, refused or CHANGE refund)."""
    next_check_in_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolveReport:
    """What start-up found: attempts settled, attempts still open, sales completed late."""

    settled: tuple[AttemptView, ...]
    still_open: tuple[AttemptView, ...]
    sales_completed: tuple[SaleView, ...]
    refunds_open: tuple[RefundView, ...]
    carts_with_tenders: tuple[str, ...]
    """Open carts holding paid tenders that do not cover the total: the cashier sees them."""

    @property
    def clear(self) -> bool:
        return not self.still_open and not self.refunds_open



"""Tenders, split tender, change, and when a payment attempt is queried or reversed.

Amounts are integer fen. The attempt state machine (shared/protocols/payments.md §5.2) lives in
``payment_states`` and is re-exported here; this module adds the timing rules as pure functions
of (attempt, now) and the tenders a sale is paid with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.domain.payment_states import FINAL_STATES as FINAL_STATES
from pos_app.domain.payment_states import TRANSITIONS as TRANSITIONS
from pos_app.domain.payment_states import AttemptKind as AttemptKind
from pos_app.domain.payment_states import PaymentAttempt as PaymentAttempt
from pos_app.domain.payment_states import PaymentEvent as PaymentEvent
from pos_app.domain.payment_states import PaymentState as PaymentState
from pos_app.domain.payment_states import apply as apply
from pos_app.domain.payment_states import is_valid_out_trade_no
from pos_app.domain.payment_states import may_resubmit as may_resubmit
from pos_app.domain.payment_states import new_out_trade_no as new_out_trade_no
from pos_app.domain.payment_states import start_attempt as start_attempt
from pos_app.domain.payment_states import transition as transition
from pos_app.errors import UserError

MAX_CASH_TENDER = Money(10_000_00)
"""A tender over ¥10,000 for one sale is a typing mistake, not a payment."""


class TenderMethod(StrEnum):
    CASH = "cash"
    PAYMENT_CODE = "payment_code"  # customer's 付款码, via a PaymentAttempt
    DYNAMIC_QR = "dynamic_qr"  # customer scans our QR, via a PaymentAttempt
    BANK_CARD = "bank_card"  # external card terminal; the cashier keys in its approval code
    STORED_VALUE = "stored_value"  # member's prepaid balance (预存款)
    POINTS = "points"  # member's points, valued by the member rules


@dataclass(frozen=True, slots=True)
class CashTender:
    due: Money
    tendered: Money
    change: Money


def take_cash(due: Money, tendered: Money) -> CashTender:
    """Cash covers the amount due; the rest is change. Refuses too little or absurdly much."""
    if due.is_negative() or due.is_zero():
        raise UserError("payment.nothing_due")
    if tendered < due:
        raise UserError(
            "payment.not_enough_cash", due=due.yuan_text(), tendered=tendered.yuan_text()
        )
    if tendered > MAX_CASH_TENDER:
        raise UserError("payment.tender_too_large", limit=MAX_CASH_TENDER.yuan_text())
    return CashTender(due=due, tendered=tendered, change=tendered - due)


def quick_cash_amounts(due: Money) -> list[Money]:
    """Exact, then the next round amounts a customer is likely to hand over (¥10/20/50/100)."""
    amounts = [due]
    for note in (10_00, 20_00, 50_00, 100_00):
        rounded = Money(-(-due.fen // note) * note)
        if rounded > due and rounded not in amounts:
            amounts.append(rounded)
    while len(amounts) < 4:
        amounts.append(Money(amounts[-1].fen + 100_00))
    return sorted(amounts)[:4]


# --- tenders and split tender ----------------------------------------------------------------

_ELECTRONIC = (TenderMethod.PAYMENT_CODE, TenderMethod.DYNAMIC_QR)
_MEMBER = (TenderMethod.STORED_VALUE, TenderMethod.POINTS)
_APPROVAL_CODE = re.compile(r"[0-9A-Za-z]{6}")  # ISO 8583 field 38: six alphanumerics


@dataclass(frozen=True, slots=True, kw_only=True)
class Tender:
    """One method's part of a sale: ``amount`` counts toward the total; only cash has change.

    ``reference`` is the out_trade_no (wallets), the approval code (bank card) or the member id
    (stored value, points): never a payment code.
    """

    method: TenderMethod
    amount: Money
    tendered: Money
    provider: Provider | None = None
    reference: str = ""
    points: int = 0

    def __post_init__(self) -> None:
        if self.amount.fen <= 0 or self.tendered < self.amount:
            raise ValueError("a tender pays a positive amount and hands over at least that")
        if self.method is not TenderMethod.CASH and self.tendered != self.amount:
            raise ValueError("only cash hands over more than it pays")
        if self.method in _ELECTRONIC and (
            self.provider is None or not is_valid_out_trade_no(self.reference)
        ):
            raise ValueError("a wallet tender names its provider and out_trade_no")
        if self.method in _MEMBER and not self.reference:
            raise ValueError("a stored-value or points tender names its member")
        if self.method is TenderMethod.POINTS and self.points <= 0:
            raise ValueError("a points tender says how many points it spends")

    @property
    def change(self) -> Money:
        return self.tendered - self.amount


def card_tender(amount: Money, approval_code: str) -> Tender:
    """A payment taken on the external card terminal, recorded with its approval code."""
    code = approval_code.strip().upper()
    if not _APPROVAL_CODE.fullmatch(code):
        raise UserError("payment.bad_approval_code")
    return Tender(method=TenderMethod.BANK_CARD, amount=amount, tendered=amount, reference=code)


def tender_for_attempt(attempt: PaymentAttempt) -> Tender:
    """The tender a PAID attempt contributes to its sale."""
    if attempt.state is not PaymentState.PAID:
        raise ValueError(f"attempt {attempt.out_trade_no} is {attempt.state}, not paid")
    method = (
        TenderMethod.PAYMENT_CODE
        if attempt.kind is AttemptKind.PAYMENT_CODE
        else TenderMethod.DYNAMIC_QR
    )
    return Tender(
        method=method,
        amount=attempt.amount,
        tendered=attempt.amount,
        provider=attempt.provider,
        reference=attempt.out_trade_no,
    )


@dataclass(frozen=True, slots=True)
class SplitTender:
    """Any mix of tenders until ``total`` is covered; only cash may exceed what is due."""

    total: Money
    tenders: tuple[Tender, ...] = ()

    def __post_init__(self) -> None:
        if self.total.fen < 0:  # zero is a cart of free goods (a pickup voucher): covered
            raise UserError("payment.nothing_due")
        if sum((t.amount for t in self.tenders), Money(0)) > self.total:
            raise ValueError("tenders pay more than the total")

    @property
    def paid(self) -> Money:
        return sum((t.amount for t in self.tenders), Money(0))

    @property
    def due(self) -> Money:
        return self.total - self.paid

    @property
    def change(self) -> Money:
        return sum((t.change for t in self.tenders), Money(0))

    @property
    def covered(self) -> bool:
        return self.due.is_zero()

    def add(self, tender: Tender) -> SplitTender:
        """This split with ``tender`` added; over-tender is refused (cash goes via add_cash)."""
        if self.covered:
            raise UserError("payment.already_covered")
        if tender.amount > self.due:
            raise UserError(
                "payment.over_tender", due=self.due.yuan_text(), amount=tender.amount.yuan_text()
            )
        if tender.reference and any(
            (t.method, t.reference) == (tender.method, tender.reference) for t in self.tenders
        ):
            raise UserError("payment.duplicate_tender")
        return replace(self, tenders=(*self.tenders, tender))

    def add_cash(self, tendered: Money) -> SplitTender:
        """Cash toward what is due; anything over it is change."""
        if self.covered:
            raise UserError("payment.already_covered")
        if tendered.fen <= 0:
            raise UserError("payment.zero_tender")
        if tendered > MAX_CASH_TENDER:
            raise UserError("payment.tender_too_large", limit=MAX_CASH_TENDER.yuan_text())
        amount = min(tendered, self.due)
        return self.add(Tender(method=TenderMethod.CASH, amount=amount, tendered=tendered))

    def undo_order(self) -> tuple[Tender, ...]:
        """Tenders to give back when the sale is cancelled, newest first.

        Wallet tenders are reversed or refunded by the payment service; cash comes out of the
        drawer; card, stored value and points go back by their own services.
        """
        return tuple(reversed(self.tenders))


# --- timing (§5.1, §5.2) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TimingRules:
    """When to query, give up, reverse and hand over to a person; replaceable from config."""

    poll_every: timedelta
    deadline: timedelta  # from created_at; then reverse/cancel (or close a dynamic QR)
    reverse_after: timedelta  # earliest reverse, counted from the latest pay call
    reverse_every: timedelta
    reverse_calls: int  # reverse calls before MANUAL_REVIEW
    review_every: timedelta  # the background job's re-check of a MANUAL_REVIEW attempt


_SECOND = timedelta(seconds=1)
# WeChat: query every 5 s (flow guide; POS guide 3-5 s), time out at 45 s (API page 2025-08-14,
# and WeChat revokes an unpaid Quick Pay order 45 s after creation), reverse no sooner than
# 15 s after the pay call and again while recall=Y (no interval given: 5 s is ours).
_WECHAT = TimingRules(
    poll_every=5 * _SECOND,
    deadline=45 * _SECOND,
    reverse_after=15 * _SECOND,
    reverse_every=5 * _SECOND,
    reverse_calls=5,
    review_every=60 * _SECOND,
)
# Alipay: F2F SDK queries every 5 s; §5.2 caps polling at 60 s (Antom); cancel once, then up to
# 3 more at 2 s while retry_flag=Y (AbsAlipayTradeService).
_ALIPAY = TimingRules(
    poll_every=5 * _SECOND,
    deadline=60 * _SECOND,
    reverse_after=0 * _SECOND,
    reverse_every=2 * _SECOND,
    reverse_calls=4,
    review_every=60 * _SECOND,
)
# UnionPay: the brief gives no figures; Alipay's are used until the aggregator's are known.
DEFAULT_TIMING: Mapping[Provider, TimingRules] = MappingProxyType(
    {Provider.WECHAT_PAY: _WECHAT, Provider.ALIPAY: _ALIPAY, Provider.UNIONPAY: _ALIPAY}
)
# A dynamic QR waits for the customer to find their phone: our choice, not a provider figure.
DYNAMIC_QR_DEADLINE = 120 * _SECOND


def timing_for(
    attempt: PaymentAttempt, rules: Mapping[Provider, TimingRules] = DEFAULT_TIMING
) -> TimingRules:
    chosen = rules[attempt.provider]
    if attempt.kind is AttemptKind.DYNAMIC_QR:
        return replace(chosen, deadline=DYNAMIC_QR_DEADLINE, reverse_after=0 * _SECOND)
    return chosen


def deadline_of(attempt: PaymentAttempt, rules: TimingRules | None = None) -> datetime:
    return attempt.created_at + (rules or timing_for(attempt)).deadline


def seconds_left(attempt: PaymentAttempt, now: datetime) -> int:
    """Whole seconds until the deadline, rounded up, never negative: "23 s left"."""
    left = deadline_of(attempt) - now
    return max(0, -(-left // _SECOND))


def waiting_for_customer(attempt: PaymentAttempt) -> bool:
    """The provider said the customer is entering a password (USERPAYING / 10003)."""
    return attempt.last_event in (PaymentEvent.PAY_PENDING, PaymentEvent.QUERY_WAITING)


class StepAction(StrEnum):
    AWAIT_REPLY = "await_reply"  # SUBMITTING: the pay call is in flight (or RESUMED after a crash)
    QUERY = "query"
    GIVE_UP = "give_up"  # apply DEADLINE_PASSED
    REVERSE = "reverse"  # reverse (WeChat) / cancel (Alipay) / close (dynamic QR)
    ESCALATE = "escalate"  # apply REVERSE_GAVE_UP
    RECHECK = "recheck"  # apply RESUMED
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Step:
    action: StepAction
    at: datetime  # not before this moment


def next_step(attempt: PaymentAttempt, now: datetime, rules: TimingRules | None = None) -> Step:
    """What the payment service does next with ``attempt``, and when."""
    rules = rules or timing_for(attempt)
    state = attempt.state
    if state in FINAL_STATES:
        return Step(StepAction.DONE, now)
    if state is PaymentState.POLLING:
        deadline = deadline_of(attempt, rules)
        if now >= deadline:
            return Step(StepAction.GIVE_UP, now)
        if attempt.last_event is PaymentEvent.RESUMED:  # after a restart: ask at once
            return Step(StepAction.QUERY, attempt.updated_at)
        return Step(StepAction.QUERY, min(attempt.updated_at + rules.poll_every, deadline))
    if state is PaymentState.REVERSING:
        if attempt.reverse_tries >= rules.reverse_calls:
            return Step(StepAction.ESCALATE, now)
        paid_call = attempt.submitted_at or attempt.created_at
        pause = rules.reverse_every if attempt.reverse_tries else 0 * _SECOND
        return Step(
            StepAction.REVERSE, max(paid_call + rules.reverse_after, attempt.updated_at + pause)
        )
    if state is PaymentState.MANUAL_REVIEW:
        return Step(StepAction.RECHECK, attempt.updated_at + rules.review_every)
    return Step(StepAction.AWAIT_REPLY, now)

"""The port the payment service calls to reach a wallet provider (WeChat Pay, Alipay, …).

Outcomes are values: a declined, pending or unclear payment is a ``GatewayResult`` whose
``event`` is the ``PaymentEvent`` the attempt state machine (``domain/payment_states``) applies
next. An adapter never raises for what a provider answered or failed to answer: a timeout, a
dropped connection, a reply that cannot be parsed or whose signature does not verify all come
back as the "unknown" event of the call (PAY_UNKNOWN, QUERY_ERRORED, REVERSE_RETRY,
RefundEvent.UNKNOWN), never as success. Exceptions are bugs or misconfiguration.

Every call is idempotent by the caller's numbers: the same ``out_trade_no`` (pay, QR, query,
reverse, close) and the same ``out_refund_no`` (refund) for every retry of one attempt.
Nothing here knows HTTP; amounts are ``Money`` (integer fen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from pos_app.domain.money import Money
from pos_app.domain.payment_codes import PaymentCode, Provider
from pos_app.domain.payment_states import AttemptKind, PaymentEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class PayRequest:
    """Charge the customer's payment code (付款码): WeChat micropay / Alipay trade.pay bar_code.

    ``code`` holds the raw code in memory only; its ``repr`` is masked.
    """

    out_trade_no: str
    code: PaymentCode = field(repr=False)
    amount: Money
    subject: str
    terminal: str = ""
    client_ip: str = "127.0.0.1"


@dataclass(frozen=True, slots=True, kw_only=True)
class QrRequest:
    """Create a dynamic QR the customer scans: WeChat unifiedorder NATIVE / Alipay precreate."""

    out_trade_no: str
    amount: Money
    subject: str
    terminal: str = ""
    client_ip: str = "127.0.0.1"
    expires_in_s: int = 7200


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundRequest:
    """Refund part or all of a paid attempt. Retry with the same ``out_refund_no``."""

    out_trade_no: str
    out_refund_no: str
    refund_amount: Money
    total_amount: Money
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayResult:
    """What one call found out.

    ``provider_code`` is the provider's own word (``USERPAYING``, ``10003``,
    ``ACQ.SYSTEM_ERROR``, ``timeout``…) for logs and reconciliation; ``detail`` is a short
    English note for the log, never shown to a customer and never holding a secret or a code.
    ``amount`` is what the provider says was paid (compare it with the attempt's amount before
    applying QUERY_PAID), ``trade_no`` the provider's transaction number, ``qr_url`` the text to
    render as a dynamic QR.
    """

    event: PaymentEvent
    provider_code: str
    amount: Money | None = None
    trade_no: str | None = None
    qr_url: str | None = None
    detail: str = ""


class RefundEvent(StrEnum):
    """What a refund or refund query found out (the attempt machine has no refund states)."""

    SUCCEEDED = "refund_succeeded"  # money is back (Alipay 10000; WeChat refund_status SUCCESS)
    PROCESSING = "refund_processing"  # accepted, not done: query again (WeChat)
    FAILED = "refund_failed"  # refused or REFUNDCLOSE: nothing moved; fix and retry
    NOT_FOUND = "refund_not_found"  # no such refund: it did not happen; retry, same number
    MANUAL = "refund_manual"  # WeChat CHANGE: the bank account is void; a person handles it
    UNKNOWN = "refund_unknown"  # timeout or unclear reply: retry with the same out_refund_no


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundResult:
    event: RefundEvent
    provider_code: str
    refunded: Money | None = None
    refund_id: str | None = None
    detail: str = ""


class PaymentGateway(Protocol):
    """One provider (or an aggregator). Calls block for at most the configured timeouts and
    must run on the network lane, never on the UI thread."""

    def pay(self, request: PayRequest) -> GatewayResult:
        """PAY_SUCCEEDED | PAY_PENDING | PAY_UNKNOWN | PAY_ALREADY_PAID | PAY_FAILED_*."""
        ...

    def query(
        self, out_trade_no: str, *, kind: AttemptKind = AttemptKind.PAYMENT_CODE
    ) -> GatewayResult:
        """QUERY_PAID | QUERY_WAITING | QUERY_ERRORED | QUERY_PAY_ERROR | QUERY_CLOSED |
        QUERY_REFUNDED | QUERY_NOT_FOUND. For a dynamic QR not scanned yet: QUERY_WAITING."""
        ...

    def reverse(self, out_trade_no: str) -> GatewayResult:
        """Payment-code attempts (WeChat reverse / Alipay cancel): REVERSED_UNPAID |
        REVERSED_REFUNDED | REVERSE_RETRY | REVERSE_GAVE_UP (only a refund can help now)."""
        ...

    def create_qr(self, request: QrRequest) -> GatewayResult:
        """PAY_PENDING with ``qr_url`` | PAY_UNKNOWN | PAY_ALREADY_PAID | PAY_FAILED_FINAL."""
        ...

    def close(self, out_trade_no: str) -> GatewayResult:
        """Dynamic-QR attempts: like ``reverse``; RESUMED when the order turned out to be paid
        (WeChat ORDERPAID): poll it again, it will answer QUERY_PAID."""
        ...

    def refund(self, request: RefundRequest) -> RefundResult:
        """SUCCEEDED | PROCESSING (WeChat: poll ``refund_query``) | FAILED | UNKNOWN."""
        ...

    def refund_query(self, out_refund_no: str, out_trade_no: str) -> RefundResult:
        """SUCCEEDED | PROCESSING | FAILED | NOT_FOUND | MANUAL | UNKNOWN."""
        ...


class GatewayDirectory(Protocol):
    """Which gateway serves a wallet, as the terminal is configured.

    ``backends.payments.router.PaymentRouter`` is one. ``route`` applies the configured code
    table (brief §8) and refuses a code that fits no rule, or whose wallet has no gateway,
    with a ``UserError``: nothing is sent. ``for_provider`` raises
    ``UserError("payment.provider_unavailable", provider=...)`` for a wallet not configured;
    later calls for an attempt (query, reverse, refund) go by the provider stored with it.
    """

    @property
    def providers(self) -> frozenset[Provider]:
        """The wallets this terminal can take."""
        ...

    def route(self, text: str) -> PaymentCode:
        """The scanned text as a routed code, or ``UserError("payment.bad_code")``."""
        ...

    def for_provider(self, provider: Provider) -> PaymentGateway:
        """The gateway for ``provider``, or ``UserError("payment.provider_unavailable")``."""
        ...

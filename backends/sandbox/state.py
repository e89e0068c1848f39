"""The sandbox's books: orders per merchant, refunds, the charge ledger and its clock.

Orders move lazily: whenever one is looked at (a call, ``settle_all``, a ledger read) it is
first brought up to the sandbox clock (a password that was entered, a deadline that passed).
So there is no timer thread, and a test can jump the clock instead of sleeping. Every money
movement (charge, reversal of a charge, refund) is one ledger line: tests assert from it that
nobody was charged twice and that what the POS thinks matches what the "customer" paid.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from backends.sandbox.magic import Magic, Scenario
from pos_app.domain.payment_codes import masked


class Status(StrEnum):
    QR_PENDING = "qr_pending"  # dynamic QR shown, not scanned (Alipay: no trade yet)
    WAITING = "waiting"  # USERPAYING / WAIT_BUYER_PAY
    PAID = "paid"
    PAY_ERROR = "pay_error"  # the customer gave up or the payment failed
    CLOSED = "closed"  # closed unpaid (timeout, closeorder, cancel action=close)
    REVOKED = "revoked"  # reversed (WeChat) / cancelled after payment (Alipay action=refund)


class SandboxClock:
    """Monotonic seconds plus an offset a test may push forward; wall time follows along."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.monotonic() + self._offset

    def wall(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


@dataclass(slots=True)
class Refund:
    out_refund_no: str
    fen: int
    refund_id: str
    created: float
    settles_at: float
    done: bool = False


@dataclass(slots=True)
class Order:
    provider: str
    merchant: str
    out_trade_no: str
    fen: int
    trade_no: str
    created: float
    status: Status
    code: str | None = None  # the payment code; None for a dynamic QR
    magic: Magic = field(default_factory=lambda: Magic(Scenario.PAYS_AT_ONCE, 0))
    terms: tuple[str, ...] = ()  # what must match on a re-submission
    pay_at: float | None = None
    fail_at: float | None = None
    paid_at: float | None = None
    qr: str | None = None
    undo_calls: int = 0
    refund_calls: int = 0
    refunds: dict[str, Refund] = field(default_factory=dict)

    @property
    def refunded_fen(self) -> int:
        return sum(refund.fen for refund in self.refunds.values())


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    provider: str
    merchant: str
    out_trade_no: str
    payer: str  # the masked payment code, or "qr"
    kind: str  # "charge" | "reversal" | "refund"
    fen: int  # positive for a charge, negative for money given back
    at: float


class Ledger:
    """Every money movement, thread-safe; reads first settle every order to the clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LedgerEntry] = []
        self.settle: Callable[[], None] = lambda: None

    def add(self, order: Order, kind: str, fen: int, at: float) -> None:
        payer = masked(order.code) if order.code else "qr"
        entry = LedgerEntry(
            order.provider, order.merchant, order.out_trade_no, payer, kind, fen, at
        )
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LedgerEntry]:
        self.settle()
        with self._lock:
            return list(self._entries)

    def charged_fen(self, out_trade_no: str | None = None) -> int:
        return sum(e.fen for e in self._select(out_trade_no) if e.kind == "charge")

    def returned_fen(self, out_trade_no: str | None = None) -> int:
        return -sum(e.fen for e in self._select(out_trade_no) if e.kind != "charge")

    def net_fen(self, out_trade_no: str | None = None) -> int:
        return sum(e.fen for e in self._select(out_trade_no))

    def double_charges(self) -> list[str]:
        """Orders charged more than once, and orders that gave back more than they took."""
        charges: dict[str, int] = {}
        nets: dict[str, int] = {}
        for entry in self.entries():
            if entry.kind == "charge":
                charges[entry.out_trade_no] = charges.get(entry.out_trade_no, 0) + 1
            nets[entry.out_trade_no] = nets.get(entry.out_trade_no, 0) + entry.fen
        twice = [no for no, count in charges.items() if count > 1]
        return twice + [no for no, net in nets.items() if net < 0]

    def _select(self, out_trade_no: str | None) -> Iterator[LedgerEntry]:
        return (e for e in self.entries() if out_trade_no in (None, e.out_trade_no))


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Provider figures the sandbox applies (§2.3-§2.7, §4.5, §11); tests may shorten them."""

    unpaid_close_s: float  # WeChat revokes at 45 s; Alipay closes at 3 min (Antom figure)
    reverse_window_s: float = 7 * 86400  # WeChat: only orders within 7 days
    refund_settle_s: float = 1.0  # WeChat refund PROCESSING -> SUCCESS
    max_refunds: int = 50


class Book:
    """One provider's orders, keyed by (merchant, out_trade_no); one lock for all of it."""

    def __init__(
        self, provider: str, clock: SandboxClock, ledger: Ledger, deadlines: Deadlines
    ) -> None:
        self.provider = provider
        self.clock = clock
        self.ledger = ledger
        self.deadlines = deadlines
        self.lock = threading.Lock()
        self.orders: dict[tuple[str, str], Order] = {}
        self.used_codes: set[str] = set()
        self.lost_codes: set[str] = set()  # NEVER_ARRIVED: the first request only
        self.qr_index: dict[str, tuple[str, str]] = {}
        self.refund_index: dict[tuple[str, str], tuple[str, str]] = {}
        self._serial = 0

    def next_trade_no(self, prefix: str) -> str:
        self._serial += 1
        stamp = time.strftime("%Y%m%d", time.gmtime(self.clock.wall() + 8 * 3600))
        return f"{prefix}{stamp}{self._serial:012d}"

    def charge(self, order: Order, now: float) -> None:
        """Hold the lock. The customer's money moves: exactly once per order."""
        order.status = Status.PAID
        order.paid_at = now
        self.ledger.add(order, "charge", order.fen, now)

    def give_back(self, order: Order, kind: str, fen: int, now: float) -> None:
        self.ledger.add(order, kind, -fen, now)

    def settle(self, order: Order, now: float) -> None:
        """Hold the lock. Bring ``order`` up to ``now``."""
        if order.status is Status.WAITING:
            if order.pay_at is not None and now >= order.pay_at:
                self.charge(order, order.pay_at)
            elif order.fail_at is not None and now >= order.fail_at:
                order.status = Status.PAY_ERROR
            elif now >= order.created + self.deadlines.unpaid_close_s:
                order.status = Status.REVOKED if self.provider == "wechat" else Status.CLOSED
        for refund in order.refunds.values():
            if not refund.done and now >= refund.settles_at:
                refund.done = True
                self.give_back(order, "refund", refund.fen, refund.settles_at)

    def settle_all(self) -> None:
        with self.lock:
            now = self.clock.now()
            for order in self.orders.values():
                self.settle(order, now)

    def scan(self, qr: str, *, pay: bool) -> bool:
        """The customer scans a dynamic QR; True if that charged them."""
        with self.lock:
            key = self.qr_index.get(qr)
            order = self.orders.get(key) if key else None
            if order is None:
                return False
            now = self.clock.now()
            self.settle(order, now)
            if order.status not in (Status.QR_PENDING, Status.WAITING):
                return False
            if not pay:
                order.status = Status.WAITING
                order.created = now  # the trade exists from the scan on (Alipay §4.5)
                return False
            self.charge(order, now)
            return True

"""Daily reconciliation: every wallet attempt of one store-local day, our view against the
provider's.

Our view (attempt state, order status, tender row, refunds) is read in one short read-only
transaction, which is closed before the first provider call; then each attempt is queried
(``gateways.for_provider(p).query(out_trade_no, kind=...)``) with no session open. Nothing is
written and nothing is guessed: a provider that cannot be reached, a reply that does not verify
or an unconfigured wallet is listed as UNKNOWN.

Verdicts:

* OK: both sides agree.
* PAID_NO_ORDER: the provider has the money, we have no completed sale with this tender and
  no refund for it.
* ORDER_NOT_PAID: our records say paid (a completed sale's tender, or a PAID attempt) but the
  provider says the trade is not paid (waiting, closed, failed, never seen).
* REFUND_MISMATCH: one side says refunded, the other does not (or a refund of ours is not
  finished / failed while the provider still holds the money).
* UNKNOWN: the provider's answer is unclear or the provider is unreachable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos_app.clock import Clock
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.domain.payment_states import AttemptKind, PaymentEvent, PaymentState
from pos_app.errors import PosError
from pos_app.persistence.models import OrderRow, PaymentAttemptRow
from pos_app.persistence.repositories.payment_refunds import PAYMENTS, REFUNDS, RefundState
from pos_app.ports.payments import GatewayDirectory

log = logging.getLogger(__name__)

ATTEMPTS = PaymentAttemptRow.__table__
ORDERS = OrderRow.__table__
COMPLETED = "completed"
HEADER = (
    "out_trade_no",
    "provider",
    "amount",
    "our_state",
    "provider_state",
    "verdict",
    "order_number",
)


class ProviderState(StrEnum):
    PAID = "paid"
    NOT_PAID = "not_paid"  # waiting, closed, reversed, failed or never seen
    REFUNDED = "refunded"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    OK = "OK"
    PAID_NO_ORDER = "PAID_NO_ORDER"
    ORDER_NOT_PAID = "ORDER_NOT_PAID"
    REFUND_MISMATCH = "REFUND_MISMATCH"
    UNKNOWN = "UNKNOWN"


_PROVIDER_STATES = {
    PaymentEvent.QUERY_PAID: ProviderState.PAID,
    PaymentEvent.QUERY_REFUNDED: ProviderState.REFUNDED,
    PaymentEvent.QUERY_WAITING: ProviderState.NOT_PAID,
    PaymentEvent.QUERY_PAY_ERROR: ProviderState.NOT_PAID,
    PaymentEvent.QUERY_CLOSED: ProviderState.NOT_PAID,
    PaymentEvent.QUERY_NOT_FOUND: ProviderState.NOT_PAID,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class OurView:
    """What the database says about one attempt."""

    out_trade_no: str
    provider: Provider
    kind: AttemptKind
    amount: Money
    attempt_state: PaymentState
    order_status: str | None
    order_number: str | None
    tender: bool  # a payment row with this out_trade_no belongs to the order
    refunded: Money  # refunds that SUCCEEDED
    refund_open: bool  # a refund not succeeded (running, failed, manual)

    @property
    def sold(self) -> bool:
        """A completed sale holds this attempt as a tender."""
        return self.tender and self.order_status == COMPLETED

    @property
    def fully_refunded(self) -> bool:
        return self.refunded.fen >= self.amount.fen

    @property
    def text(self) -> str:
        parts = [f"attempt={self.attempt_state.value}", f"order={self.order_status or 'none'}"]
        parts.append("tender=yes" if self.tender else "tender=no")
        if self.refunded.fen:
            parts.append(f"refunded={self.refunded.fen}")
        if self.refund_open:
            parts.append("refund=open")
        return ",".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationRow:
    out_trade_no: str
    provider: str
    amount: Money
    our_state: str
    provider_state: ProviderState
    provider_code: str
    verdict: Verdict
    order_number: str | None

    @property
    def line(self) -> str:
        return "\t".join(
            (
                self.out_trade_no,
                self.provider,
                self.amount.yuan_text(),
                self.our_state,
                f"{self.provider_state.value}({self.provider_code})",
                self.verdict.value,
                self.order_number or "-",
            )
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationReport:
    day: date
    time_zone: str
    generated_at: datetime
    rows: tuple[ReconciliationRow, ...]

    @property
    def mismatches(self) -> tuple[ReconciliationRow, ...]:
        """Every row that is not OK (UNKNOWN included: it could not be verified)."""
        return tuple(r for r in self.rows if r.verdict is not Verdict.OK)

    def text(self, *, only_mismatches: bool = False) -> str:
        """Header plus one tab-separated line per row, in out_trade_no order."""
        rows = self.mismatches if only_mismatches else self.rows
        return "\n".join(["\t".join(HEADER), *(r.line for r in rows)]) + "\n"


def verdict_of(ours: OurView, theirs: ProviderState) -> Verdict:
    if theirs is ProviderState.UNKNOWN:
        return Verdict.UNKNOWN
    if theirs is ProviderState.PAID:
        if ours.fully_refunded or ours.refund_open:
            return Verdict.REFUND_MISMATCH
        return Verdict.OK if ours.sold else Verdict.PAID_NO_ORDER
    if theirs is ProviderState.REFUNDED:
        return Verdict.OK if ours.refunded.fen > 0 else Verdict.REFUND_MISMATCH
    # the provider says not paid (Alipay also says TRADE_CLOSED after a full refund)
    if ours.fully_refunded:
        return Verdict.OK
    if ours.sold or ours.attempt_state is PaymentState.PAID:
        return Verdict.ORDER_NOT_PAID
    return Verdict.OK


class ReconciliationService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        gateways: GatewayDirectory,
        clock: Clock,
        *,
        time_zone: str,
    ) -> None:
        self._sessions = sessions
        self._gateways = gateways
        self._clock = clock
        self._zone = ZoneInfo(time_zone)
        self._time_zone = time_zone

    def reconcile(self, day: date) -> ReconciliationReport:
        views = self._our_views(day)  # the transaction is closed before any provider call
        rows = tuple(self._row(view) for view in views)
        return ReconciliationReport(
            day=day, time_zone=self._time_zone, generated_at=self._clock.now(), rows=rows
        )

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """[start, end) of the store-local day, in UTC."""
        start = datetime.combine(day, time(), tzinfo=self._zone)
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=self._zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def _our_views(self, day: date) -> list[OurView]:
        start, end = self.day_bounds(day)
        with self._sessions() as session:
            attempts = session.execute(
                select(
                    ATTEMPTS.c.id,
                    ATTEMPTS.c.order_id,
                    ATTEMPTS.c.out_trade_no,
                    ATTEMPTS.c.provider,
                    ATTEMPTS.c.kind,
                    ATTEMPTS.c.amount_fen,
                    ATTEMPTS.c.state,
                    ORDERS.c.status,
                    ORDERS.c.order_number,
                )
                .outerjoin(ORDERS, ORDERS.c.id == ATTEMPTS.c.order_id)
                .where(ATTEMPTS.c.created_at >= start, ATTEMPTS.c.created_at < end)
                .order_by(ATTEMPTS.c.out_trade_no)
            ).all()
            numbers = [a.out_trade_no for a in attempts]
            tenders = {
                (r.order_id, r.out_trade_no)
                for r in session.execute(
                    select(PAYMENTS.c.order_id, PAYMENTS.c.out_trade_no).where(
                        PAYMENTS.c.out_trade_no.in_(numbers)
                    )
                )
            }
            refunds = session.execute(
                select(REFUNDS.c.attempt_id, REFUNDS.c.state, REFUNDS.c.amount_fen).where(
                    REFUNDS.c.attempt_id.in_([a.id for a in attempts])
                )
            ).all()
            session.rollback()
        refunded: dict[str, int] = {}
        open_refunds: set[str] = set()
        for refund in refunds:
            if refund.state == RefundState.SUCCEEDED.value:
                refunded[refund.attempt_id] = refunded.get(refund.attempt_id, 0) + refund.amount_fen
            else:
                open_refunds.add(refund.attempt_id)
        return [
            OurView(
                out_trade_no=a.out_trade_no,
                provider=Provider(a.provider),
                kind=AttemptKind(a.kind),
                amount=Money(a.amount_fen),
                attempt_state=PaymentState(a.state),
                order_status=a.status,
                order_number=a.order_number,
                tender=(a.order_id, a.out_trade_no) in tenders,
                refunded=Money(refunded.get(a.id, 0)),
                refund_open=a.id in open_refunds,
            )
            for a in attempts
        ]

    def _row(self, ours: OurView) -> ReconciliationRow:
        theirs, code = self._ask(ours)
        return ReconciliationRow(
            out_trade_no=ours.out_trade_no,
            provider=ours.provider.value,
            amount=ours.amount,
            our_state=ours.text,
            provider_state=theirs,
            provider_code=code,
            verdict=verdict_of(ours, theirs),
            order_number=ours.order_number,
        )

    def _ask(self, ours: OurView) -> tuple[ProviderState, str]:
        try:
            gateway = self._gateways.for_provider(ours.provider)
            result = gateway.query(ours.out_trade_no, kind=ours.kind)
        except PosError as exc:  # e.g. the wallet is not configured on this terminal
            log.warning("reconcile %s: cannot ask the provider: %s", ours.out_trade_no, exc)
            return ProviderState.UNKNOWN, type(exc).__name__
        state = _PROVIDER_STATES.get(result.event, ProviderState.UNKNOWN)
        if state is ProviderState.PAID and result.amount != ours.amount:
            log.warning(
                "reconcile %s: the provider says %s was paid, we asked %s fen",
                ours.out_trade_no,
                result.amount,
                ours.amount.fen,
            )
            return ProviderState.UNKNOWN, f"amount:{result.amount}"
        return state, result.provider_code or "-"

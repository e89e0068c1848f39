"""Daily reconciliation against the real sandbox: our attempts, orders and tenders against
what the provider answers to a query."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
from payment_faults import WECHAT, Till, gateways_for
from sqlalchemy import delete, insert, update

from backends.payments.router import PaymentRouter
from backends.sandbox import serve
from backends.sandbox.keys import SandboxKeys
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.domain.payment_states import AttemptKind, PaymentState
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import OrderRow, PaymentAttemptRow
from pos_app.persistence.repositories.payment_refunds import PAYMENTS
from pos_app.ports.payments import GatewayDirectory
from pos_app.services.reconciliation import (
    HEADER,
    OurView,
    ProviderState,
    ReconciliationReport,
    ReconciliationService,
    Verdict,
    verdict_of,
)

DAY = date(2026, 11, 24)  # the clock fixture: 2026-11-24 02:30 UTC, 10:30 in Shanghai


def reconcile(till: Till, gateways: GatewayDirectory, day: date = DAY) -> ReconciliationReport:
    service = ReconciliationService(
        make_session_factory(till.engine), gateways, till.clock, time_zone="Asia/Shanghai"
    )
    return service.reconcile(day)


def paid_sale(till: Till, provider: Provider) -> str:
    cart_id = till.cart()
    view = till.settle(till.pay(cart_id, provider))
    assert view.sale is not None
    return view.out_trade_no


def test_a_paid_sale_is_ok(till: Till, router: PaymentRouter, provider: Provider) -> None:
    out_trade_no = paid_sale(till, provider)
    report = reconcile(till, router)
    [row] = report.rows
    assert (row.out_trade_no, row.provider, row.amount) == (
        out_trade_no,
        provider.value,
        Money(1234),
    )
    assert (row.provider_state, row.verdict) == (ProviderState.PAID, Verdict.OK)
    assert row.order_number
    assert report.mismatches == ()
    lines = report.text().splitlines()
    assert lines[0].split("\t") == list(HEADER)
    assert lines[1].split("\t")[0] == out_trade_no and lines[1].split("\t")[5] == "OK"
    assert reconcile(till, router, date(2026, 11, 25)).rows == ()  # another store-local day


def test_a_charge_whose_order_was_lost_is_paid_no_order(till: Till, router: PaymentRouter) -> None:
    out_trade_no = paid_sale(till, WECHAT)
    with till.engine.begin() as c:  # the sale is lost: tender gone, order back to an open cart
        order_id = c.execute(
            delete(PAYMENTS)
            .where(PAYMENTS.c.out_trade_no == out_trade_no)
            .returning(PAYMENTS.c.order_id)
        ).scalar_one()
        c.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id)
            .values(status="open", order_number=None, completed_at=None)
        )
    report = reconcile(till, router)
    [row] = report.mismatches
    assert (row.out_trade_no, row.provider_state, row.verdict) == (
        out_trade_no,
        ProviderState.PAID,
        Verdict.PAID_NO_ORDER,
    )
    assert row.order_number is None


def test_a_completed_order_the_provider_never_charged_is_order_not_paid(
    till: Till, router: PaymentRouter, provider: Provider
) -> None:
    cart_id = till.cart()
    out_trade_no = "RC" + uuid.uuid4().hex[:20]
    now = till.clock.now()
    with till.engine.begin() as c:
        c.execute(
            insert(PaymentAttemptRow).values(
                id=str(uuid.uuid4()),
                order_id=cart_id,
                out_trade_no=out_trade_no,
                provider=provider.value,
                kind="payment_code",
                amount_fen=1234,
                state=PaymentState.PAID.value,
                created_at=now,
                updated_at=now,
            )
        )
        c.execute(
            insert(PAYMENTS).values(
                id=str(uuid.uuid4()),
                order_id=cart_id,
                method="payment_code",
                state="paid",
                amount_fen=1234,
                tendered_fen=1234,
                change_fen=0,
                out_trade_no=out_trade_no,
                provider=provider.value,
                created_at=now,
            )
        )
        c.execute(
            update(OrderRow)
            .where(OrderRow.id == cart_id)
            .values(
                status="completed",
                order_number="T01-FAKE-0001",
                completed_at=now,
                total_fen=1234,
                paid_fen=1234,
            )
        )
    report = reconcile(till, router)
    [row] = report.mismatches
    assert (row.out_trade_no, row.provider_state, row.verdict, row.order_number) == (
        out_trade_no,
        ProviderState.NOT_PAID,
        Verdict.ORDER_NOT_PAID,
        "T01-FAKE-0001",
    )


def test_a_cancelled_and_refunded_tender_is_ok(
    till: Till, router: PaymentRouter, provider: Provider
) -> None:
    cart_id = till.cart(items=2)
    view = till.settle(till.pay(cart_id, provider, amount=Money(1000)))
    assert view.sale is None and view.state == "paid"
    assert till.cancel(cart_id).done
    [row] = reconcile(till, router).rows
    assert row.verdict is Verdict.OK, row
    assert row.provider_state in (ProviderState.REFUNDED, ProviderState.NOT_PAID)


def test_a_stopped_sandbox_is_unknown_never_guessed(
    till: Till, router: PaymentRouter, fault_keys: SandboxKeys
) -> None:
    paid_sale(till, WECHAT)
    stopped = serve("127.0.0.1", 0, fault_keys.folder)
    gateways = gateways_for(stopped.url, stopped.keys)
    stopped.stop()
    try:
        report = reconcile(till, gateways)
    finally:
        gateways.close()
    [row] = report.mismatches
    assert (row.provider_state, row.verdict) == (ProviderState.UNKNOWN, Verdict.UNKNOWN)


def _ours(**changes: object) -> OurView:
    values: dict[str, object] = dict(
        out_trade_no="X1",
        provider=Provider.WECHAT_PAY,
        kind=AttemptKind.PAYMENT_CODE,
        amount=Money(100),
        attempt_state=PaymentState.PAID,
        order_status="completed",
        order_number="N1",
        tender=True,
        refunded=Money(0),
        refund_open=False,
    )
    values.update(changes)
    return OurView(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ours", "theirs", "verdict"),
    [
        (_ours(), ProviderState.PAID, Verdict.OK),
        (_ours(refunded=Money(100)), ProviderState.PAID, Verdict.REFUND_MISMATCH),
        (_ours(refund_open=True), ProviderState.PAID, Verdict.REFUND_MISMATCH),
        (_ours(), ProviderState.REFUNDED, Verdict.REFUND_MISMATCH),
        (
            _ours(order_status="open", tender=False, refunded=Money(100)),
            ProviderState.REFUNDED,
            Verdict.OK,
        ),
        (_ours(order_status="open", tender=False), ProviderState.NOT_PAID, Verdict.ORDER_NOT_PAID),
        (
            _ours(attempt_state=PaymentState.FAILED, order_status="open", tender=False),
            ProviderState.NOT_PAID,
            Verdict.OK,
        ),
        (
            _ours(attempt_state=PaymentState.FAILED, order_status="open", tender=False),
            ProviderState.PAID,
            Verdict.PAID_NO_ORDER,
        ),
        (_ours(), ProviderState.UNKNOWN, Verdict.UNKNOWN),
    ],
)
def test_verdicts(ours: OurView, theirs: ProviderState, verdict: Verdict) -> None:
    assert verdict_of(ours, theirs) is verdict


def test_day_bounds_are_store_local() -> None:
    service = ReconciliationService(None, None, None, time_zone="Asia/Shanghai")  # type: ignore[arg-type]
    start, end = service.day_bounds(DAY)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-11-23T16:00:00+00:00",
        "2026-11-24T16:00:00+00:00",
    )
    assert isinstance(start, datetime)

"""Dynamic QR (WeChat NATIVE / Alipay precreate): the customer scans the till's code."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import BuiltProduct
from payment_faults import WECHAT, Till, assert_money_safe, order_status, sale_tenders
from sqlalchemy import Engine

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxServer
from pos_app.clock import FixedClock
from pos_app.domain.payment_codes import Provider
from pos_app.services.payment_views import PaymentOutcome

Out = PaymentOutcome


def test_a_scanned_and_paid_qr_completes_the_sale(till: Till, provider: Provider) -> None:
    cart_id = till.cart()
    shown = till.payments.show_qr(cart_id, provider=provider)
    assert shown.qr_url and shown.kind == "dynamic_qr" and shown.seconds_left == 120
    till.tick(7)
    assert till.sandbox.scan(shown.qr_url)

    last = till.settle(till.payments.advance(shown.id))

    assert last.outcome is Out.PAID and last.sale is not None and last.qr_url is None
    assert sale_tenders(till.engine, cart_id) == [("dynamic_qr", provider.value, 12_34)]
    assert_money_safe(till.engine, till.sandbox)


def test_a_qr_nobody_scans_is_closed_at_its_deadline(till: Till, provider: Provider) -> None:
    shown = till.payments.show_qr(till.cart(), provider=provider)
    assert shown.qr_url

    last = till.settle(shown)

    assert last.outcome is Out.CANCELLED
    assert not till.sandbox.scan(shown.qr_url)  # too late: closed
    assert_money_safe(till.engine, till.sandbox)


def test_a_qr_paid_just_as_the_cashier_aborts_is_kept_or_given_back(
    till: Till, provider: Provider
) -> None:
    """WeChat refuses to close a paid order (ORDERPAID): it is asked again and found paid;
    Alipay's cancel of a paid trade refunds it."""
    cart_id = till.cart()
    shown = till.payments.show_qr(cart_id, provider=provider)
    assert shown.qr_url
    aborted = till.payments.abort(shown.id)
    assert aborted.outcome is Out.CANCELLING
    assert till.sandbox.scan(shown.qr_url)  # the customer was quicker

    last = till.settle(aborted)

    if provider is WECHAT:
        assert last.outcome is Out.PAID and order_status(till.engine, cart_id) == "completed"
    else:
        assert last.outcome is Out.REFUNDED and order_status(till.engine, cart_id) == "open"
    assert_money_safe(till.engine, till.sandbox)


@pytest.mark.parametrize("pay", [True, False], ids=["paid_while_down", "scanned_not_paid"])
def test_a_qr_shown_when_the_till_went_down_is_settled_from_start_up(
    engine: Engine,
    item: BuiltProduct,
    tmp_path: Path,
    clock: FixedClock,
    sandbox: SandboxServer,
    router: PaymentRouter,
    provider: Provider,
    pay: bool,
) -> None:
    till = Till.build(engine, tmp_path, clock, sandbox, router, item)
    cart_id = till.cart()
    shown = till.payments.show_qr(cart_id, provider=provider)
    assert shown.qr_url
    assert sandbox.scan(shown.qr_url, pay=pay) is pay
    till.tick(10)

    restarted = Till.build(engine, tmp_path, clock, sandbox, router, item)
    report = restarted.payments.resolve_in_flight()

    if pay:
        assert [v.outcome for v in report.settled] == [Out.PAID] and report.clear
        assert [s.id for s in report.sales_completed] == [cart_id]
    else:  # the customer is still looking at the phone: it stays open until its deadline
        [waiting] = report.still_open
        assert waiting.waiting_for_password and waiting.qr_url is None
        assert restarted.settle(waiting).outcome is Out.CANCELLED
    assert_money_safe(engine, sandbox)

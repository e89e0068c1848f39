"""The cashier aborts, the sale is cancelled, the till restarts, the network is down."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from builders import BuiltProduct
from payment_faults import (
    ALIPAY,
    WECHAT,
    Till,
    a_dead_url,
    assert_money_safe,
    gateways_for,
    order_status,
    sale_tenders,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxServer
from backends.sandbox.magic import Scenario
from pos_app.clock import FixedClock
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.persistence.repositories.payment_refunds import WalletPayments
from pos_app.services.payment_views import AttemptView, PaymentOutcome

Out = PaymentOutcome


def _held(till: Till, cart_id: str) -> bool:
    """What CheckoutService asks before changing a cart's lines."""
    with Session(till.engine) as session:
        return WalletPayments(session).holds_cart(cart_id)


def test_an_abort_while_the_pay_call_is_out_is_applied_when_it_answers(
    till: Till, provider: Provider
) -> None:
    cart_id = till.cart()
    answered: list[AttemptView] = []
    caller = threading.Thread(
        target=lambda: answered.append(till.pay(cart_id, provider, Scenario.SLOW_REPLY, 3))
    )  # charged; the reply is late
    caller.start()
    running = None
    for _ in range(200):
        running = till.payments.summary(cart_id).running
        if running is not None:
            break
        time.sleep(0.005)
    assert running is not None and running.state == "submitting"
    assert till.payments.advance(running.id).state == "submitting"  # out, not dead: wait

    waiting = till.payments.abort(running.id)
    assert (waiting.state, waiting.abort_requested) == ("submitting", True)
    caller.join()

    [first] = answered
    assert (first.state, first.provider_code) == ("reversing", "timeout")
    last = till.settle(first)
    assert last.outcome in {Out.CANCELLED, Out.REFUNDED}  # WeChat reverse / Alipay action=refund
    assert till.sandbox.ledger.net_fen(last.out_trade_no) == 0
    assert_money_safe(till.engine, till.sandbox)


def test_cancelling_the_sale_reverses_what_runs_and_refunds_what_was_taken(
    till: Till, provider: Provider
) -> None:
    other = ALIPAY if provider is WECHAT else WECHAT
    cart_id = till.cart(items=2)
    taken = till.pay(cart_id, provider, amount=Money(10_00))
    running = till.pay(cart_id, other, Scenario.PASSWORD_NEVER, amount=Money(5_00))
    assert till.payments.summary(cart_id).locked and _held(till, cart_id)

    cancelled = till.cancel(cart_id)

    assert (cancelled.done, cancelled.needs_review) == (True, False)
    outcomes = {a.out_trade_no: a.outcome for a in cancelled.attempts}
    assert outcomes == {taken.out_trade_no: Out.PAID, running.out_trade_no: Out.CANCELLED}
    assert [(r.out_trade_no, r.state) for r in cancelled.refunds] == [
        (taken.out_trade_no, "succeeded")
    ]
    summary = till.payments.summary(cart_id)
    assert (summary.paid, summary.due, summary.locked) == (Money(0), Money(24_68), False)
    assert order_status(till.engine, cart_id) == "open" and not _held(till, cart_id)
    assert till.payments.cancel_sale(cart_id).done  # again: nothing more happens
    assert till.sandbox.ledger.returned_fen(taken.out_trade_no) == 10_00
    till.core.sales.pay_cash(cart_id, Money(24_68))
    assert sale_tenders(till.engine, cart_id) == [("cash", None, 24_68)]
    assert assert_money_safe(till.engine, till.sandbox) == 2


@pytest.mark.parametrize(
    ("scenario", "param", "down_s", "outcome"),
    [
        (Scenario.PASSWORD_NEVER, 0, 240, Out.CANCELLED),  # WeChat revoked it at 45 s, Alipay 3 min
        (Scenario.PASSWORD_THEN_PAYS, 8, 20, Out.PAID),  # the customer paid while the till was down
    ],
    ids=["provider_closed_it", "customer_paid_meanwhile"],
)
def test_after_a_restart_the_attempt_is_asked_about_before_anything_else(
    engine: Engine,
    item: BuiltProduct,
    tmp_path: Path,
    clock: FixedClock,
    sandbox: SandboxServer,
    router: PaymentRouter,
    provider: Provider,
    scenario: Scenario,
    param: int,
    down_s: int,
    outcome: Out,
) -> None:
    till = Till.build(engine, tmp_path, clock, sandbox, router, item)
    cart_id = till.cart()
    first = till.pay(cart_id, provider, scenario, param)
    assert first.state == "polling"
    till.tick(down_s)  # the till is off: its memory (and the code) are gone

    restarted = Till.build(engine, tmp_path, clock, sandbox, router, item)
    report = restarted.payments.resolve_in_flight()

    assert report.clear and [v.outcome for v in report.settled] == [outcome]
    if outcome is Out.PAID:
        assert [s.id for s in report.sales_completed] == [cart_id]
        assert order_status(engine, cart_id) == "completed"
    assert_money_safe(engine, sandbox)


def test_with_the_network_down_nothing_is_charged_and_it_settles_when_it_is_back(
    engine: Engine,
    item: BuiltProduct,
    tmp_path: Path,
    clock: FixedClock,
    sandbox: SandboxServer,
    router: PaymentRouter,
    provider: Provider,
    wechat_api: str,
) -> None:
    offline = gateways_for(a_dead_url(), sandbox.keys, wechat_api)
    till = Till.build(engine, tmp_path, clock, sandbox, offline, item)
    first = till.pay(till.cart(), provider)
    assert (first.state, first.provider_code) == ("polling", "transport")
    stuck = till.settle(first, until=lambda v: v.outcome is Out.NEEDS_REVIEW)
    assert stuck.outcome is Out.NEEDS_REVIEW

    online = Till.build(engine, tmp_path, clock, sandbox, router, item)
    report = online.payments.resolve_in_flight()

    assert [v.outcome for v in report.settled] == [Out.CANCELLED]
    assert sandbox.ledger.charged_fen(first.out_trade_no) == 0
    assert_money_safe(engine, sandbox)
    offline.close()


def test_a_refund_a_restart_interrupted_is_finished_under_the_same_number(
    engine: Engine,
    item: BuiltProduct,
    tmp_path: Path,
    clock: FixedClock,
    sandbox: SandboxServer,
    router: PaymentRouter,
    provider: Provider,
) -> None:
    till = Till.build(engine, tmp_path, clock, sandbox, router, item)
    cart_id = till.cart(items=2)
    taken = till.pay(cart_id, provider, Scenario.REFUND_SYSTEM_ERROR, amount=Money(10_00))
    first = till.payments.cancel_sale(cart_id)  # the refund answers SYSTEMERROR: unknown
    [asked] = first.refunds
    assert (first.done, asked.state) == (False, "requested")
    till.tick(3)  # the till is off

    restarted = Till.build(engine, tmp_path, clock, sandbox, router, item)
    report = restarted.payments.resolve_in_flight()
    refunds = report.refunds_open
    for _ in range(5):
        if not refunds:
            break
        restarted.tick(3)
        refunds = tuple(r for r in restarted.payments.settle_refunds() if not r.final)

    assert refunds == () and restarted.payments.open_attempts() == ()
    assert sandbox.ledger.returned_fen(taken.out_trade_no) == 10_00
    assert restarted.payments.summary(cart_id).locked is False
    assert_money_safe(engine, sandbox)

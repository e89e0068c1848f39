"""Signatures both ways, a code scanned twice, two advances racing, codes that go nowhere."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from builders import BuiltProduct
from payment_faults import ALIPAY, WECHAT, Till, assert_money_safe, gateways_for
from sqlalchemy import Engine, func, select

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxServer
from backends.sandbox.keys import SandboxKeys
from backends.sandbox.magic import Scenario, make_code
from pos_app.clock import FixedClock
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.errors import UserError
from pos_app.persistence.models import PaymentAttemptRow
from pos_app.services.payment_views import AttemptView, PaymentOutcome

Out = PaymentOutcome


def _needs_review(view: AttemptView) -> bool:
    return view.outcome is Out.NEEDS_REVIEW


def test_a_request_with_a_wrong_signature_is_refused_and_settles_once_the_key_is_fixed(
    engine: Engine,
    item: BuiltProduct,
    tmp_path: Path,
    clock: FixedClock,
    sandbox: SandboxServer,
    router: PaymentRouter,
    impostor_keys: SandboxKeys,
    provider: Provider,
    wechat_api: str,
) -> None:
    impostor = gateways_for(sandbox.url, impostor_keys, wechat_api)
    till = Till.build(engine, tmp_path, clock, sandbox, impostor, item)
    cart_id = till.cart()

    first = till.pay(cart_id, provider)

    if provider is WECHAT and wechat_api == "v3":  # 401 SIGN_ERROR, signed: refused
        assert (first.outcome, first.provider_code) == (Out.DECLINED, "SIGN_ERROR")
    elif provider is WECHAT:  # unsigned return_code=FAIL "签名错误": nothing can be believed
        assert (first.state, first.provider_code) == ("polling", "return_code_fail")
        stuck = till.settle(first, until=_needs_review)
        assert stuck.outcome is Out.NEEDS_REVIEW  # a person looks; nothing was re-sent
        fixed = Till.build(engine, tmp_path, clock, sandbox, router, item)
        report = fixed.payments.resolve_in_flight()
        assert report.clear and [v.outcome for v in report.settled] == [Out.CANCELLED]
    else:  # signed 40002 isv.invalid-signature: refused at the gateway
        assert (first.outcome, first.provider_code) == (Out.DECLINED, "isv.invalid-signature")
    assert till.sandbox.ledger.charged_fen(first.out_trade_no) == 0
    assert_money_safe(engine, sandbox)
    impostor.close()


def test_a_reply_alipay_did_not_sign_is_never_taken_as_paid(
    engine: Engine,
    item: BuiltProduct,
    tmp_path: Path,
    clock: FixedClock,
    sandbox: SandboxServer,
    router: PaymentRouter,
    misled_keys: SandboxKeys,
) -> None:
    misled = gateways_for(sandbox.url, misled_keys)
    till = Till.build(engine, tmp_path, clock, sandbox, misled, item)
    first = till.pay(till.cart(), ALIPAY)
    assert (first.state, first.provider_code) == ("polling", "bad_signature")
    assert sandbox.ledger.charged_fen(first.out_trade_no) == 12_34  # the sandbox did charge

    stuck = till.settle(first, until=_needs_review)

    assert stuck.outcome is Out.NEEDS_REVIEW  # never PAID on a reply it could not verify
    fixed = Till.build(engine, tmp_path, clock, sandbox, router, item)
    report = fixed.payments.resolve_in_flight()
    # The cancels did reach Alipay (only their answers were unreadable): the money is back.
    assert [v.outcome for v in report.settled] == [Out.CANCELLED]
    assert_money_safe(engine, sandbox)
    misled.close()


def test_the_same_code_scanned_twice_is_sent_once(till: Till, provider: Provider) -> None:
    code = make_code(provider, Scenario.PASSWORD_THEN_PAYS, 5)
    cart_id = till.cart()
    first = till.payments.pay_by_code(cart_id, code, Money(5_00))
    with pytest.raises(UserError) as running:
        till.payments.pay_by_code(cart_id, code)
    assert running.value.code == "payment.in_progress"
    assert till.settle(first).outcome is Out.PAID
    with pytest.raises(UserError) as used:
        till.payments.pay_by_code(cart_id, code)
    assert used.value.code == "payment.code_used" and code not in str(used.value)
    till.core.sales.pay_cash(cart_id, Money(10_00))

    elsewhere = till.payments.pay_by_code(till.cart(), code)  # a used code, another sale

    assert (elsewhere.outcome, elsewhere.provider_code) in {
        (Out.RESCAN, "AUTH_CODE_ERROR"),
        (Out.RESCAN, "ACQ.PAYMENT_AUTH_CODE_INVALID"),
    }
    assert till.sandbox.ledger.charged_fen(first.out_trade_no) == 5_00
    till.core.sales.pay_cash(elsewhere.cart_id, Money(20_00))
    assert assert_money_safe(till.engine, till.sandbox) == 2


def test_two_tills_advancing_one_attempt_at_once_send_it_once(
    till: Till,
    engine: Engine,
    item: BuiltProduct,
    tmp_path: Path,
    clock: FixedClock,
    sandbox: SandboxServer,
    router: PaymentRouter,
    provider: Provider,
) -> None:
    """A re-submit (§5.2) races a second process that lost the code: the compare-and-set
    move lets one of them act; either way the customer pays at most once."""
    other = Till.build(engine, tmp_path, clock, sandbox, router, item)
    first = till.pay(till.cart(), provider, Scenario.NEVER_ARRIVED)
    till.tick(5)
    start = threading.Barrier(4)

    def advance(service_till: Till) -> None:
        start.wait()
        service_till.payments.advance(first.id)

    threads = [threading.Thread(target=advance, args=(t,)) for t in (till, other) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    last = till.settle(till.payments.view(first.id))

    assert last.outcome in {Out.PAID, Out.CANCELLED}
    assert sandbox.ledger.charged_fen(first.out_trade_no) <= 12_34
    with engine.connect() as c:
        assert c.execute(select(func.max(PaymentAttemptRow.resubmits))).scalar_one() <= 1
    assert_money_safe(engine, sandbox)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("9912345678901234", "bad_code"),  # no wallet's prefix
        ("13456789012345", "bad_code"),  # WeChat prefix, wrong length
        ("6212345678901234567", "provider_unavailable"),  # UnionPay: no gateway configured
    ],
)
def test_a_code_that_goes_nowhere_is_refused_with_nothing_stored_or_sent(
    till: Till, text: str, reason: str
) -> None:
    before = len(till.sandbox.ledger.entries())
    with pytest.raises(UserError) as refused:
        till.payments.pay_by_code(till.cart(), text)
    assert refused.value.code == f"payment.{reason}" and text not in str(refused.value)
    assert till.payments.summary(till.cart()).running is None
    assert len(till.sandbox.ledger.entries()) == before
    assert assert_money_safe(till.engine, till.sandbox) == 0


def test_two_codes_scanned_at_once_start_one_payment(till: Till, provider: Provider) -> None:
    cart_id = till.cart()
    start = threading.Barrier(2)
    started: list[AttemptView] = []
    refused: list[str] = []

    def scan() -> None:
        start.wait()
        try:
            code = make_code(provider, Scenario.PASSWORD_THEN_PAYS, 5)
            started.append(till.payments.pay_by_code(cart_id, code))
        except UserError as error:
            refused.append(error.code)

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (len(started), refused) == (1, ["payment.in_progress"])
    assert till.settle(started[0]).outcome is Out.PAID
    assert assert_money_safe(till.engine, till.sandbox) == 1

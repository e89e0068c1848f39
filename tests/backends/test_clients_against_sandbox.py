"""The WeChat Pay and Alipay clients against the sandbox over real HTTP on loopback.

Each §11 behaviour of shared/protocols/payments.md is driven through the client, and the
events it returns are applied to a real attempt (domain.payment_states.apply), so a sequence
the state machine does not allow fails here. The sandbox's ledger then says what the customer
was actually charged: never twice, and never kept when the attempt ended unpaid.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sandbox_support import new_trade_no, settings_for

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxServer
from backends.sandbox.magic import Scenario, make_code
from backends.wiring import build_gateways
from pos_app.domain.ids import CartId, PaymentId
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider, route
from pos_app.domain.payment_states import (
    AttemptKind,
    PaymentAttempt,
    PaymentEvent,
    PaymentState,
    apply,
    start_attempt,
)
from pos_app.ports.payments import GatewayResult, PaymentGateway, PayRequest

E = PaymentEvent
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
AMOUNT = Money(1234)
WECHAT = Provider.WECHAT_PAY


def _request(
    provider: Provider,
    scenario: Scenario = Scenario.PAYS_AT_ONCE,
    param: int = 0,
    *,
    out_trade_no: str | None = None,
    amount: Money = AMOUNT,
) -> PayRequest:
    code = route(make_code(provider, scenario, param))
    return PayRequest(
        out_trade_no=out_trade_no or new_trade_no(),
        code=code,
        amount=amount,
        subject="门店收银-测试/1",
        terminal="T01",
    )


def _attempt(request: PayRequest) -> PaymentAttempt:
    attempt = start_attempt(
        PaymentId("p1"),
        CartId("c1"),
        out_trade_no=request.out_trade_no,
        code=request.code,
        amount=request.amount,
        now=NOW,
    )
    return apply(attempt, E.PERSISTED, NOW)


def _drive(attempt: PaymentAttempt, *results: GatewayResult) -> PaymentAttempt:
    for result in results:
        attempt = apply(attempt, result.event, NOW)
    return attempt


def test_pays_at_once_and_query_confirms_the_amount(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider)
    paid = gateway.pay(request)
    assert (paid.event, paid.amount) == (E.PAY_SUCCEEDED, AMOUNT)
    assert paid.trade_no
    assert _drive(_attempt(request), paid).state is PaymentState.PAID
    query = gateway.query(request.out_trade_no)
    assert (query.event, query.amount, query.trade_no) == (E.QUERY_PAID, AMOUNT, paid.trade_no)
    assert sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen


@pytest.mark.parametrize("sign_type", ["MD5", "HMAC-SHA256"])
def test_wechat_replies_are_verified_with_the_requests_sign_type(
    sandbox: SandboxServer, sign_type: str
) -> None:
    built = build_gateways(settings_for(sandbox, sign_type=sign_type))
    request = _request(WECHAT)
    assert built.for_provider(WECHAT).pay(request).event is E.PAY_SUCCEEDED
    built.close()


def test_password_then_pays_is_polled_until_paid(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider, Scenario.PASSWORD_THEN_PAYS, 5)
    first = gateway.pay(request)
    assert first.event is E.PAY_PENDING
    waiting = gateway.query(request.out_trade_no)
    assert waiting.event is E.QUERY_WAITING
    sandbox.advance(5)
    paid = gateway.query(request.out_trade_no)
    assert (paid.event, paid.amount) == (E.QUERY_PAID, AMOUNT)
    assert _drive(_attempt(request), first, waiting, paid).state is PaymentState.PAID
    assert sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen


def test_password_then_customer_cancels_ends_unpaid(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider, Scenario.PASSWORD_THEN_CANCELS, 3)
    first = gateway.pay(request)
    sandbox.advance(3)
    query = gateway.query(request.out_trade_no)
    if provider is WECHAT:  # PAYERROR: "支付失败，请撤销订单" (reverse it)
        assert query.event is E.QUERY_PAY_ERROR
        undo = gateway.reverse(request.out_trade_no)
        assert undo.event is E.REVERSED_UNPAID
        final = _drive(_attempt(request), first, query, undo)
    else:  # TRADE_CLOSED
        assert query.event is E.QUERY_CLOSED
        final = _drive(_attempt(request), first, query)
    assert final.state is PaymentState.FAILED
    assert sandbox.ledger.charged_fen(request.out_trade_no) == 0


def test_customer_never_pays_the_provider_closes_it_at_its_deadline(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider, Scenario.PASSWORD_NEVER)
    first = gateway.pay(request)
    assert first.event is E.PAY_PENDING
    sandbox.advance(46 if provider is WECHAT else 181)  # WeChat 45 s, Alipay 3 min
    query = gateway.query(request.out_trade_no)
    assert query.event is E.QUERY_CLOSED
    assert query.provider_code == ("REVOKED" if provider is WECHAT else "TRADE_CLOSED")
    assert _drive(_attempt(request), first, query).state is PaymentState.FAILED
    assert sandbox.ledger.charged_fen(request.out_trade_no) == 0


def test_deadline_then_reverse_of_a_customer_still_paying(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    """The POS gives up first: WeChat refuses to reverse while USERPAYING (retry later),
    Alipay's cancel closes the waiting trade at once."""
    request = _request(provider, Scenario.PASSWORD_NEVER)
    first = gateway.pay(request)
    deadline = GatewayResult(event=E.DEADLINE_PASSED, provider_code="pos")
    undo = gateway.reverse(request.out_trade_no)
    steps = [first, deadline, undo]
    if provider is WECHAT:
        assert (undo.event, undo.provider_code) == (E.REVERSE_RETRY, "recall=Y")
        sandbox.advance(46)
        steps.append(gateway.reverse(request.out_trade_no))
    assert steps[-1].event is E.REVERSED_UNPAID
    assert _drive(_attempt(request), *steps).state is PaymentState.FAILED
    assert sandbox.ledger.charged_fen(request.out_trade_no) == 0


@pytest.mark.parametrize(
    "scenario", [Scenario.SYSTEM_ERROR_PAID, Scenario.SYSTEM_ERROR_PAID_ANY_CODE]
)
def test_system_error_although_paid_is_unknown_then_query_finds_it_paid(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider, scenario: Scenario
) -> None:
    request = _request(provider, scenario)
    first = gateway.pay(request)
    assert first.event is E.PAY_UNKNOWN
    assert first.provider_code in {
        "SYSTEMERROR",
        "BANKERROR",
        "aop.ACQ.SYSTEM_ERROR",
        "ACQ.SYSTEM_ERROR",
    }
    again = gateway.pay(request)  # WXPay SDK re-submits the same request: ORDERPAID
    assert again.event is E.PAY_ALREADY_PAID
    query = gateway.query(request.out_trade_no)
    assert _drive(_attempt(request), first, query).state is PaymentState.PAID
    assert sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen


def test_insufficient_funds_is_a_final_failure_with_nothing_charged(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider, Scenario.NOT_ENOUGH)
    result = gateway.pay(request)
    assert result.event is E.PAY_FAILED_FINAL
    assert _drive(_attempt(request), result).state is PaymentState.FAILED
    assert sandbox.ledger.charged_fen(request.out_trade_no) == 0


@pytest.mark.parametrize("scenario", [Scenario.DROP_AFTER_CHARGE, Scenario.BAD_SIGNATURE])
def test_lost_or_forged_reply_after_charging_is_unknown_never_success(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider, scenario: Scenario
) -> None:
    request = _request(provider, scenario)
    first = gateway.pay(request)
    assert first.event is E.PAY_UNKNOWN
    expected = "transport" if scenario is Scenario.DROP_AFTER_CHARGE else "bad_signature"
    assert first.provider_code == expected
    assert first.amount is None
    query = gateway.query(request.out_trade_no)
    assert _drive(_attempt(request), first, query).state is PaymentState.PAID
    assert sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen


def test_reply_slower_than_the_read_timeout_is_unknown(
    sandbox: SandboxServer, provider: Provider
) -> None:
    impatient = build_gateways(settings_for(sandbox, read_timeout_s=0.3))
    gateway = impatient.for_provider(provider)
    request = _request(provider, Scenario.SLOW_REPLY, 1)
    first = gateway.pay(request)
    assert (first.event, first.provider_code) == (E.PAY_UNKNOWN, "timeout")
    query = gateway.query(request.out_trade_no)
    assert _drive(_attempt(request), first, query).state is PaymentState.PAID
    impatient.close()


def test_expired_code_asks_for_a_new_code(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider, Scenario.CODE_EXPIRED)
    result = gateway.pay(request)
    assert result.event is E.PAY_FAILED_RESCAN
    assert _drive(_attempt(request), result).state is PaymentState.FAILED


def test_request_that_never_arrived_is_resubmitted_once_and_paid_once(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider, Scenario.NEVER_ARRIVED)
    first = gateway.pay(request)
    assert first.event is E.PAY_UNKNOWN
    query = gateway.query(request.out_trade_no)
    assert query.event is E.QUERY_NOT_FOUND
    attempt = apply(_drive(_attempt(request), first), E.RESUBMITTED, NOW)  # POLLING->SUBMITTING
    again = gateway.pay(request)
    assert again.event is E.PAY_SUCCEEDED
    assert _drive(attempt, again).state is PaymentState.PAID
    assert sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen


def test_a_used_code_is_refused_on_a_new_order(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider)
    assert gateway.pay(request).event is E.PAY_SUCCEEDED
    reuse = PayRequest(
        out_trade_no=new_trade_no(), code=request.code, amount=AMOUNT, subject="again"
    )
    result = gateway.pay(reuse)
    assert result.event is E.PAY_FAILED_RESCAN
    assert result.provider_code in {"AUTH_CODE_ERROR", "ACQ.PAYMENT_AUTH_CODE_INVALID"}
    assert sandbox.ledger.charged_fen(reuse.out_trade_no) == 0


def test_same_order_number_with_other_terms_is_refused(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider)
    gateway.pay(request)
    changed = _request(provider, out_trade_no=request.out_trade_no, amount=Money(999))
    result = gateway.pay(changed)
    assert result.event is E.PAY_FAILED_FINAL
    assert result.provider_code in {"OUT_TRADE_NO_USED", "ACQ.CONTEXT_INCONSISTENT"}
    assert sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen


def test_wechat_refuses_a_code_of_another_wallet(router: PaymentRouter) -> None:
    alipay_code = route(make_code(Provider.ALIPAY))
    request = PayRequest(out_trade_no=new_trade_no(), code=alipay_code, amount=AMOUNT, subject="x")
    result = router.for_provider(WECHAT).pay(request)
    assert (result.event, result.provider_code) == (E.PAY_FAILED_RESCAN, "AUTH_CODE_INVALID")


def test_reverse_of_a_paid_order_gives_the_money_back(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider)
    gateway.pay(request)
    undo = gateway.reverse(request.out_trade_no)
    expected = E.REVERSED_UNPAID if provider is WECHAT else E.REVERSED_REFUNDED
    assert undo.event is expected
    assert gateway.reverse(request.out_trade_no).event is expected  # idempotent
    assert sandbox.ledger.net_fen(request.out_trade_no) == 0
    assert gateway.query(request.out_trade_no).event is E.QUERY_CLOSED


def test_reverse_that_asks_for_a_retry(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    request = _request(provider, Scenario.REVERSE_ASKS_RETRY)
    first = gateway.pay(request)
    aborted = GatewayResult(event=E.ABORTED, provider_code="cashier")
    retry = gateway.reverse(request.out_trade_no)
    assert retry.event is E.REVERSE_RETRY
    if provider is WECHAT:
        sandbox.advance(46)
    done = gateway.reverse(request.out_trade_no)
    assert done.event is E.REVERSED_UNPAID
    final = _drive(_attempt(request), first, aborted, retry, done)
    assert (final.state, final.reverse_tries) == (PaymentState.FAILED, 1)


def test_wechat_reverse_after_seven_days_needs_a_refund(
    router: PaymentRouter, sandbox: SandboxServer
) -> None:
    gateway = router.for_provider(WECHAT)
    request = _request(WECHAT)
    gateway.pay(request)
    sandbox.advance(7 * 86400 + 60)
    result = gateway.reverse(request.out_trade_no)
    assert (result.event, result.provider_code) == (E.REVERSE_GAVE_UP, "REVERSE_EXPIRE")


def test_query_of_an_unknown_order_is_not_found(gateway: PaymentGateway) -> None:
    assert gateway.query(new_trade_no()).event is E.QUERY_NOT_FOUND


def test_dynamic_qr_waits_until_scanned_then_is_paid(
    gateway: PaymentGateway, sandbox: SandboxServer
) -> None:
    from pos_app.ports.payments import QrRequest

    number = new_trade_no()
    request = QrRequest(out_trade_no=number, amount=Money(500), subject="扫码付")
    shown = gateway.create_qr(request)
    assert shown.event is E.PAY_PENDING and shown.qr_url
    assert gateway.create_qr(request).qr_url == shown.qr_url  # same number, same QR
    assert gateway.query(number, kind=AttemptKind.DYNAMIC_QR).event is E.QUERY_WAITING
    assert sandbox.scan(shown.qr_url)
    paid = gateway.query(number, kind=AttemptKind.DYNAMIC_QR)
    assert (paid.event, paid.amount) == (E.QUERY_PAID, Money(500))
    assert sandbox.ledger.charged_fen(number) == 500


def test_dynamic_qr_closed_before_scanning_cannot_be_paid(
    gateway: PaymentGateway, sandbox: SandboxServer
) -> None:
    from pos_app.ports.payments import QrRequest

    number = new_trade_no()
    shown = gateway.create_qr(QrRequest(out_trade_no=number, amount=Money(500), subject="x"))
    assert shown.qr_url
    assert gateway.close(number).event is E.REVERSED_UNPAID
    assert not sandbox.scan(shown.qr_url)
    assert sandbox.ledger.charged_fen(number) == 0


def test_close_of_a_paid_dynamic_qr_never_loses_the_payment(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    """WeChat refuses (ORDERPAID: poll again, it is paid); Alipay's cancel refunds it."""
    from pos_app.ports.payments import QrRequest

    number = new_trade_no()
    shown = gateway.create_qr(QrRequest(out_trade_no=number, amount=Money(500), subject="x"))
    assert shown.qr_url and sandbox.scan(shown.qr_url)
    closed = gateway.close(number)
    if provider is WECHAT:
        assert (closed.event, closed.provider_code) == (E.RESUMED, "ORDERPAID")
        assert sandbox.ledger.net_fen(number) == 500
    else:
        assert closed.event is E.REVERSED_REFUNDED
        assert sandbox.ledger.net_fen(number) == 0

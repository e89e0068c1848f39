"""Signatures both ways, refunds, mutual TLS for WeChat's /secapi/, transport failures, and
what never reaches a log: the clients against the sandbox over real HTTP on loopback."""

from __future__ import annotations

import dataclasses
import logging
import socket
from pathlib import Path

import pytest
import requests
from sandbox_support import new_trade_no, settings_for, write_wrong_keys

from backends.payments.credentials import Secret
from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxConfig, SandboxServer, serve
from backends.sandbox.magic import Scenario, make_code
from backends.wiring import build_gateways
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider, route
from pos_app.domain.payment_states import PaymentEvent
from pos_app.errors import ConfigError, UserError
from pos_app.ports.payments import PaymentGateway, PayRequest, RefundEvent, RefundRequest

E, R = PaymentEvent, RefundEvent
WECHAT, ALIPAY = Provider.WECHAT_PAY, Provider.ALIPAY


def _paid(
    gateway: PaymentGateway,
    provider: Provider,
    fen: int = 1000,
    scenario: Scenario = Scenario.PAYS_AT_ONCE,
) -> str:
    number = new_trade_no()
    code = route(make_code(provider, scenario))
    result = gateway.pay(
        PayRequest(out_trade_no=number, code=code, amount=Money(fen), subject="refund me")
    )
    assert result.event is E.PAY_SUCCEEDED
    return number


def _refund(number: str, refund_no: str, fen: int, total: int = 1000) -> RefundRequest:
    return RefundRequest(
        out_trade_no=number,
        out_refund_no=refund_no,
        refund_amount=Money(fen),
        total_amount=Money(total),
        reason="退货",
    )


# --- signatures -------------------------------------------------------------------------------


def test_sandbox_refuses_a_request_signed_with_the_wrong_key(
    sandbox: SandboxServer, router: PaymentRouter, provider: Provider, tmp_path: Path
) -> None:
    from backends.sandbox import pos_settings

    wrong = write_wrong_keys(tmp_path, sandbox.keys)
    impostor = build_gateways(pos_settings(sandbox.url, wrong))
    number = new_trade_no()
    request = PayRequest(
        out_trade_no=number, code=route(make_code(provider)), amount=Money(100), subject="x"
    )
    result = impostor.for_provider(provider).pay(request)
    if provider is WECHAT:  # unsigned return_code=FAIL "签名错误": cannot be trusted either way
        assert (result.event, result.provider_code) == (E.PAY_UNKNOWN, "return_code_fail")
    else:  # signed 40002 isv.invalid-signature: refused at the gateway
        assert (result.event, result.provider_code) == (E.PAY_FAILED_FINAL, "isv.invalid-signature")
    assert router.for_provider(provider).query(number).event is E.QUERY_NOT_FOUND
    assert sandbox.ledger.charged_fen(number) == 0
    impostor.close()


def test_alipay_client_refuses_replies_not_signed_by_its_alipay_key(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    settings = settings_for(sandbox)
    stranger = tmp_path / "someone_else.pem"
    stranger.write_bytes(sandbox.keys.alipay_app_public_key.read_bytes())  # not Alipay's key
    assert settings.alipay is not None
    alipay = dataclasses.replace(settings.alipay, alipay_public_key=str(stranger))
    gateway = build_gateways(dataclasses.replace(settings, alipay=alipay)).for_provider(ALIPAY)
    number = new_trade_no()
    result = gateway.pay(
        PayRequest(
            out_trade_no=number, code=route(make_code(ALIPAY)), amount=Money(100), subject="x"
        )
    )
    assert (result.event, result.provider_code) == (E.PAY_UNKNOWN, "bad_signature")
    assert gateway.query(number).event is E.QUERY_ERRORED  # never QUERY_PAID unverified
    assert sandbox.ledger.charged_fen(number) == 100  # the sandbox did charge


def test_alipay_replies_keep_escaped_slashes_and_verify_over_the_raw_text(
    sandbox: SandboxServer, router: PaymentRouter
) -> None:
    from pos_app.ports.payments import QrRequest

    number = new_trade_no()
    shown = router.for_provider(ALIPAY).create_qr(
        QrRequest(out_trade_no=number, amount=Money(100), subject="a/b")
    )
    assert shown.qr_url and shown.qr_url.startswith("https://qr.alipay.com/")
    raw = sandbox.alipay.handle("", b"").body.decode()  # unsigned request: refused, signed
    assert raw.startswith('{"error_response":{"code":"40002"')


# --- refunds ----------------------------------------------------------------------------------


def test_wechat_partial_refunds_are_processed_then_succeed_and_replay_safely(
    router: PaymentRouter, sandbox: SandboxServer
) -> None:
    gateway = router.for_provider(WECHAT)
    number = _paid(gateway, WECHAT)
    accepted = gateway.refund(_refund(number, "R1" + number, 300))
    assert (accepted.event, accepted.refunded) == (R.PROCESSING, Money(300))
    assert gateway.refund_query("R1" + number, number).event is R.PROCESSING
    sandbox.advance(1.5)
    assert gateway.refund_query("R1" + number, number).event is R.SUCCEEDED
    assert gateway.refund(_refund(number, "R1" + number, 300)).event is R.PROCESSING  # replay
    assert gateway.refund(_refund(number, "R1" + number, 301)).event is R.FAILED  # other amount
    assert gateway.refund(_refund(number, "R2" + number, 701)).event is R.FAILED  # too much
    assert gateway.refund(_refund(number, "R2" + number, 700)).event is R.PROCESSING
    sandbox.advance(1.5)
    assert gateway.refund_query("R2" + number, number).event is R.SUCCEEDED
    assert gateway.query(number).event is E.QUERY_REFUNDED  # trade_state REFUND
    assert gateway.refund_query("R9" + number, number).event is R.NOT_FOUND
    assert sandbox.ledger.net_fen(number) == 0
    assert sandbox.ledger.returned_fen(number) == 1000


def test_wechat_caps_an_order_at_fifty_refunds(router: PaymentRouter) -> None:
    gateway = router.for_provider(WECHAT)
    number = _paid(gateway, WECHAT)
    for n in range(50):
        assert gateway.refund(_refund(number, f"R{n}X{number}", 1)).event is R.PROCESSING
    assert gateway.refund(_refund(number, f"R50X{number}", 1)).event is R.FAILED


def test_alipay_refund_is_synchronous_and_replays_without_moving_money(
    router: PaymentRouter, sandbox: SandboxServer
) -> None:
    gateway = router.for_provider(ALIPAY)
    number = _paid(gateway, ALIPAY)
    first = gateway.refund(_refund(number, "R1" + number, 400))
    assert (first.event, first.provider_code) == (R.SUCCEEDED, "fund_change=Y")
    replay = gateway.refund(_refund(number, "R1" + number, 400))
    assert (replay.event, replay.provider_code) == (R.SUCCEEDED, "fund_change=N")
    other = gateway.refund(_refund(number, "R1" + number, 500))
    assert (other.event, other.provider_code) == (R.FAILED, "ACQ.DISCORDANT_REPEAT_REQUEST")
    assert gateway.refund(_refund(number, "R2" + number, 601)).event is R.FAILED
    found = gateway.refund_query("R1" + number, number)
    assert (found.event, found.refunded) == (R.SUCCEEDED, Money(400))
    assert gateway.refund_query("R3" + number, number).event is R.NOT_FOUND
    assert sandbox.ledger.returned_fen(number) == 400


def test_refund_system_error_is_retried_with_the_same_number_and_refunds_once(
    gateway: PaymentGateway, sandbox: SandboxServer, provider: Provider
) -> None:
    number = _paid(gateway, provider, scenario=Scenario.REFUND_SYSTEM_ERROR)
    request = _refund(number, "R1" + number, 1000)
    assert gateway.refund(request).event is R.UNKNOWN
    assert gateway.refund(request).event in (R.PROCESSING, R.SUCCEEDED)
    sandbox.advance(1.5)
    assert gateway.refund_query("R1" + number, number).event is R.SUCCEEDED
    assert sandbox.ledger.returned_fen(number) == 1000


# --- transport --------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_no_server_means_unknown_for_every_call(sandbox: SandboxServer, provider: Provider) -> None:
    from backends.sandbox import pos_settings

    dead = build_gateways(
        pos_settings(f"http://127.0.0.1:{_closed_port()}", sandbox.keys, connect_timeout_s=0.5)
    )
    gateway = dead.for_provider(provider)
    code = route(make_code(provider))
    number = new_trade_no()
    assert (
        gateway.pay(PayRequest(out_trade_no=number, code=code, amount=Money(1), subject="x")).event
        is E.PAY_UNKNOWN
    )
    assert gateway.query(number).event is E.QUERY_ERRORED
    assert gateway.reverse(number).event is E.REVERSE_RETRY
    assert gateway.close(number).event is E.REVERSE_RETRY
    assert gateway.refund(_refund(number, "R" + number, 1)).event is R.UNKNOWN
    assert gateway.refund_query("R" + number, number).event is R.UNKNOWN
    dead.close()


def test_wechat_secapi_needs_the_client_certificate_over_tls(
    sandbox_keys_dir: Path,
) -> None:
    server = serve("127.0.0.1", 0, sandbox_keys_dir, SandboxConfig(tls=True))
    try:
        with_cert = build_gateways(settings_for(server, tls=True)).for_provider(WECHAT)
        settings = settings_for(server, tls=True)
        assert settings.wechat_pay is not None
        bare = dataclasses.replace(settings.wechat_pay, client_cert="", client_key="")
        without = build_gateways(dataclasses.replace(settings, wechat_pay=bare))
        number = _paid(without.for_provider(WECHAT), WECHAT)  # /pay/ needs no certificate
        refused = without.for_provider(WECHAT).reverse(number)
        assert (refused.event, refused.provider_code) == (E.REVERSE_RETRY, "return_code_fail")
        assert with_cert.reverse(number).event is E.REVERSED_UNPAID
        assert server.ledger.net_fen(number) == 0
    finally:
        server.stop()


@pytest.fixture
def sandbox_keys_dir(sandbox: SandboxServer) -> Path:
    return sandbox.keys.folder


# --- routing, secrets, logs, control ---------------------------------------------------------


def test_router_sends_each_wallet_to_its_gateway_and_refuses_the_rest(
    router: PaymentRouter,
) -> None:
    assert router.route(make_code(WECHAT)).provider is WECHAT
    assert router.for_code(router.route(make_code(ALIPAY))) is router.for_provider(ALIPAY)
    assert router.providers == {WECHAT, ALIPAY}
    with pytest.raises(UserError) as refused:
        router.route(make_code(Provider.UNIONPAY))
    assert refused.value.code == "payment.provider_unavailable"
    with pytest.raises(UserError) as bad:
        router.route("9912345")
    assert bad.value.code == "payment.bad_code"


def test_an_aggregator_takes_all_three_wallets(router: PaymentRouter) -> None:
    aggregator = router.for_provider(ALIPAY)
    everything = PaymentRouter({}, aggregator=aggregator)
    assert everything.for_provider(Provider.UNIONPAY) is aggregator
    assert everything.providers == set(Provider)


def test_secrets_never_show_and_a_missing_key_names_its_setting(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    key = Secret("s3cr3t-api-key")
    assert (repr(key), str(key), f"{key}") == ("***", "***", "***")
    settings = settings_for(sandbox)
    assert settings.wechat_pay is not None
    missing = dataclasses.replace(settings.wechat_pay, api_key=str(tmp_path / "nope.txt"))
    with pytest.raises(ConfigError, match=r"payments\.wechat_pay\.api_key"):
        build_gateways(dataclasses.replace(settings, wechat_pay=missing))
    gateway = build_gateways(settings).for_provider(WECHAT)
    assert sandbox.keys.wechat_api_key.read_text().strip() not in repr(vars(gateway))


def test_logs_hold_no_code_key_or_signature(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture, provider: Provider
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway = build_gateways(settings_for(sandbox)).for_provider(provider)
    text = make_code(provider, Scenario.BAD_SIGNATURE)
    gateway.pay(
        PayRequest(out_trade_no=new_trade_no(), code=route(text), amount=Money(1), subject="x")
    )
    logged = caplog.text
    assert "bad_signature" in logged or "does not verify" in logged
    assert text not in logged
    assert sandbox.keys.wechat_api_key.read_text().strip() not in logged
    assert "sign=" not in logged


def test_control_endpoints_scan_a_qr_and_show_the_ledger(
    sandbox: SandboxServer, router: PaymentRouter
) -> None:
    from pos_app.ports.payments import QrRequest

    number = new_trade_no()
    shown = router.for_provider(WECHAT).create_qr(
        QrRequest(out_trade_no=number, amount=Money(88), subject="x")
    )
    scanned = requests.post(f"{sandbox.url}/sandbox/scan", data={"qr": shown.qr_url}, timeout=5)
    assert scanned.json() == {"paid": True}
    ledger = requests.get(f"{sandbox.url}/sandbox/ledger", timeout=5).json()
    assert {"out_trade_no": number, "kind": "charge", "fen": 88}.items() <= next(
        row for row in ledger if row["out_trade_no"] == number
    ).items()


def test_no_order_was_ever_charged_twice(sandbox: SandboxServer) -> None:
    assert sandbox.ledger.double_charges() == []

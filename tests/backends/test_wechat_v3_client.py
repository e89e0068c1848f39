"""The WeChat Pay v3 client against the sandbox's v3 endpoints over real HTTP on loopback.

Signatures both ways (the sandbox refuses a request signed with another key; the client
believes no reply it cannot verify: wrong or probe signature, unknown serial, stale
timestamp), both ways of verifying replies (platform certificate and WeChat Pay public key,
chosen by ``Wechatpay-Serial``), the §11 behaviours the magic codes pick, dynamic QR, refunds
and AES-GCM callbacks. Events are applied to a real attempt, and the sandbox's ledger says
what the customer was actually charged. The §7.6-§7.8 vectors are in test_signing_vectors.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from sandbox_support import new_trade_no

from backends.payments.credentials import Secret
from backends.payments.signing import MalformedMessage, load_private_key, wechat_v3_sign_request
from backends.payments.wechat_pay_v3 import WechatPayV3Gateway
from backends.payments.wechat_v3_wire import parse_notification, verification_keys
from backends.sandbox import SandboxConfig, SandboxServer, serve
from backends.sandbox.keys import SandboxKeys
from backends.sandbox.keys_v3 import ensure_v3_keys
from backends.sandbox.magic import Scenario, make_code
from backends.sandbox.settings_v3 import pos_settings_v3
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
from pos_app.errors import ConfigError
from pos_app.ports.payments import (
    GatewayResult,
    PayRequest,
    QrRequest,
    RefundEvent,
    RefundRequest,
)

E, R = PaymentEvent, RefundEvent
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
AMOUNT = Money(1234)
WECHAT = Provider.WECHAT_PAY


def _gateway(server: SandboxServer, **options: object) -> WechatPayV3Gateway:
    settings = pos_settings_v3(server.url, server.keys, **options)  # type: ignore[arg-type]
    gateway = build_gateways(settings).for_provider(WECHAT)
    assert isinstance(gateway, WechatPayV3Gateway)
    return gateway


@pytest.fixture(scope="module")
def v3_sandbox(sandbox_keys: SandboxKeys) -> Iterator[SandboxServer]:
    """Certificate mode: replies name the platform certificate's serial."""
    server = serve("127.0.0.1", 0, sandbox_keys.folder, SandboxConfig(refund_settle_s=1.0))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def public_key_sandbox(sandbox_keys: SandboxKeys) -> Iterator[SandboxServer]:
    """Public-key mode: replies name PUB_KEY_ID_…, as for merchants since late 2024."""
    config = SandboxConfig(wechat_v3_signer="public_key")
    server = serve("127.0.0.1", 0, sandbox_keys.folder, config)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(v3_sandbox: SandboxServer) -> Iterator[WechatPayV3Gateway]:
    built = _gateway(v3_sandbox)
    yield built
    built.close_session()


def _request(
    scenario: Scenario = Scenario.PAYS_AT_ONCE, param: int = 0, *, amount: Money = AMOUNT
) -> PayRequest:
    return PayRequest(
        out_trade_no=new_trade_no(),
        code=route(make_code(WECHAT, scenario, param)),
        amount=amount,
        subject="门店收银-测试/1",
        terminal="T01",
    )


def _attempt(request: PayRequest, *results: GatewayResult) -> PaymentAttempt:
    attempt = start_attempt(
        PaymentId("p1"),
        CartId("c1"),
        out_trade_no=request.out_trade_no,
        code=request.code,
        amount=request.amount,
        now=NOW,
    )
    attempt = apply(attempt, E.PERSISTED, NOW)
    for result in results:
        attempt = apply(attempt, result.event, NOW)
    return attempt


# --- paying ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "verify_with"),
    [
        ("certificate", "certificate"),
        ("public_key", "public_key"),
        ("certificate", "both"),
        ("public_key", "both"),
    ],
)
def test_pays_at_once_verified_by_the_key_the_serial_names(
    v3_sandbox: SandboxServer, public_key_sandbox: SandboxServer, mode: str, verify_with: str
) -> None:
    server = v3_sandbox if mode == "certificate" else public_key_sandbox
    gateway = _gateway(server, verify_with=verify_with)
    request = _request()
    paid = gateway.pay(request)
    assert (paid.event, paid.amount) == (E.PAY_SUCCEEDED, AMOUNT) and paid.trade_no
    query = gateway.query(request.out_trade_no)
    assert (query.event, query.amount, query.trade_no) == (E.QUERY_PAID, AMOUNT, paid.trade_no)
    assert _attempt(request, paid).state is PaymentState.PAID
    assert server.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen
    gateway.close_session()


@pytest.mark.parametrize("as_202", [False, True], ids=["trade_state", "http_202"])
def test_userpaying_then_paid_is_found_by_the_query(
    sandbox_keys: SandboxKeys, as_202: bool
) -> None:
    config = SandboxConfig(wechat_v3_userpaying_202=as_202)
    with serve("127.0.0.1", 0, sandbox_keys.folder, config) as server:
        gateway = _gateway(server)
        request = _request(Scenario.PASSWORD_THEN_PAYS, 5)
        first = gateway.pay(request)
        assert (first.event, first.provider_code) == (E.PAY_PENDING, "USERPAYING")
        waiting = gateway.query(request.out_trade_no)
        assert (waiting.event, waiting.provider_code) == (E.QUERY_WAITING, "USERPAYING")
        server.advance(5)
        paid = gateway.query(request.out_trade_no)
        assert (paid.event, paid.amount) == (E.QUERY_PAID, AMOUNT)
        assert _attempt(request, first, waiting, paid).state is PaymentState.PAID
        assert server.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen
        gateway.close_session()


def test_customer_gives_up_payerror_is_reversed_with_nothing_taken(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    request = _request(Scenario.PASSWORD_THEN_CANCELS, 3)
    first = gateway.pay(request)
    v3_sandbox.advance(3)
    query = gateway.query(request.out_trade_no)
    assert (query.event, query.provider_code) == (E.QUERY_PAY_ERROR, "PAYERROR")
    undo = gateway.reverse(request.out_trade_no)
    assert undo.event is E.REVERSED_UNPAID
    assert _attempt(request, first, query, undo).state is PaymentState.FAILED
    assert v3_sandbox.ledger.charged_fen(request.out_trade_no) == 0


def test_reverse_while_the_customer_is_paying_is_retried_then_revoked(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    request = _request(Scenario.PASSWORD_NEVER)
    first = gateway.pay(request)
    deadline = GatewayResult(event=E.DEADLINE_PASSED, provider_code="pos")
    busy = gateway.reverse(request.out_trade_no)
    assert (busy.event, busy.provider_code) == (E.REVERSE_RETRY, "USERPAYING")
    v3_sandbox.advance(46)  # WeChat revokes an unpaid code payment at 45 s
    done = gateway.reverse(request.out_trade_no)
    assert done.event is E.REVERSED_UNPAID
    assert _attempt(request, first, deadline, busy, done).state is PaymentState.FAILED
    assert gateway.query(request.out_trade_no).provider_code == "REVOKED"
    assert v3_sandbox.ledger.charged_fen(request.out_trade_no) == 0


def test_reversing_a_paid_order_gives_the_money_back(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    request = _request()
    assert gateway.pay(request).event is E.PAY_SUCCEEDED
    assert gateway.reverse(request.out_trade_no).event is E.REVERSED_UNPAID
    assert v3_sandbox.ledger.net_fen(request.out_trade_no) == 0


def test_first_reverse_asking_for_a_retry_is_a_retry(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    request = _request(Scenario.REVERSE_ASKS_RETRY)
    gateway.pay(request)
    first = gateway.reverse(request.out_trade_no)
    assert (first.event, first.provider_code) == (E.REVERSE_RETRY, "SYSTEM_ERROR")
    v3_sandbox.advance(46)
    assert gateway.reverse(request.out_trade_no).event is E.REVERSED_UNPAID


@pytest.mark.parametrize(
    ("scenario", "code"),
    [
        (Scenario.SYSTEM_ERROR_PAID, "SYSTEM_ERROR"),
        (Scenario.SYSTEM_ERROR_PAID_ANY_CODE, "BANK_ERROR"),
    ],
)
def test_system_error_although_paid_is_unknown_then_the_query_finds_it_paid(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer, scenario: Scenario, code: str
) -> None:
    request = _request(scenario)
    first = gateway.pay(request)
    assert (first.event, first.provider_code) == (E.PAY_UNKNOWN, code)
    again = gateway.pay(request)  # the same request re-submitted: already paid
    assert again.event is E.PAY_ALREADY_PAID
    query = gateway.query(request.out_trade_no)
    assert _attempt(request, first, query).state is PaymentState.PAID
    assert v3_sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen


@pytest.mark.parametrize(
    ("scenario", "event", "code"),
    [
        (Scenario.NOT_ENOUGH, E.PAY_FAILED_FINAL, "NOTENOUGH"),
        (Scenario.CODE_EXPIRED, E.PAY_FAILED_RESCAN, "AUTHCODEEXPIRE"),
    ],
)
def test_a_verified_refusal_fails_with_nothing_charged(
    gateway: WechatPayV3Gateway,
    v3_sandbox: SandboxServer,
    scenario: Scenario,
    event: PaymentEvent,
    code: str,
) -> None:
    request = _request(scenario)
    result = gateway.pay(request)
    assert (result.event, result.provider_code) == (event, code)
    assert _attempt(request, result).state is PaymentState.FAILED
    assert v3_sandbox.ledger.charged_fen(request.out_trade_no) == 0


def test_request_that_never_arrived_is_not_found_then_resubmitted_and_paid_once(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    request = _request(Scenario.NEVER_ARRIVED)
    first = gateway.pay(request)
    query = gateway.query(request.out_trade_no)
    assert (first.event, query.event, query.provider_code) == (
        E.PAY_UNKNOWN,
        E.QUERY_NOT_FOUND,
        "ORDER_NOT_EXIST",
    )
    attempt = apply(_attempt(request, first), E.RESUBMITTED, NOW)  # POLLING -> SUBMITTING
    again = gateway.pay(request)
    assert apply(attempt, again.event, NOW).state is PaymentState.PAID
    assert v3_sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen


def test_a_used_code_and_a_changed_amount_are_refused(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    request = _request()
    gateway.pay(request)
    reused = dataclasses.replace(request, out_trade_no=new_trade_no())
    assert gateway.pay(reused).event is E.PAY_FAILED_RESCAN
    changed = dataclasses.replace(request, amount=Money(999))
    refused = gateway.pay(changed)
    assert (refused.event, refused.provider_code) == (E.PAY_FAILED_FINAL, "OUT_TRADE_NO_USED")
    assert v3_sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen


@pytest.mark.parametrize(
    ("scenario", "code"),
    [(Scenario.DROP_AFTER_CHARGE, "transport"), (Scenario.SLOW_REPLY, "timeout")],
)
def test_no_reply_after_charging_is_unknown_never_success(
    v3_sandbox: SandboxServer, scenario: Scenario, code: str
) -> None:
    impatient = _gateway(v3_sandbox, read_timeout_s=0.3)
    request = _request(scenario, 1)
    first = impatient.pay(request)
    assert (first.event, first.provider_code, first.amount) == (E.PAY_UNKNOWN, code, None)
    query = impatient.query(request.out_trade_no)
    assert _attempt(request, first, query).state is PaymentState.PAID
    impatient.close_session()


# --- replies that must not be believed ---------------------------------------------------------


def test_a_probe_signature_on_the_pay_reply_is_unknown_and_the_query_decides(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    request = _request(Scenario.BAD_SIGNATURE)
    first = gateway.pay(request)
    assert (first.event, first.provider_code, first.amount) == (
        E.PAY_UNKNOWN,
        "bad_signature",
        None,
    )
    assert "signature does not verify" in caplog.text
    query = gateway.query(request.out_trade_no)  # later replies are signed correctly
    assert _attempt(request, first, query).state is PaymentState.PAID


def test_a_reply_signed_with_a_key_the_till_does_not_have_is_unknown(
    public_key_sandbox: SandboxServer,
) -> None:
    """The sandbox signs with the WeChat Pay public key; the till knows only certificates."""
    gateway = _gateway(public_key_sandbox, verify_with="certificate")
    request = _request()
    first = gateway.pay(request)
    assert (first.event, first.provider_code) == (E.PAY_UNKNOWN, "bad_signature")
    assert gateway.query(request.out_trade_no).event is E.QUERY_ERRORED
    assert public_key_sandbox.ledger.charged_fen(request.out_trade_no) == AMOUNT.fen
    gateway.close_session()
    both = _gateway(public_key_sandbox)  # once configured, the query finds it paid
    assert both.query(request.out_trade_no).event is E.QUERY_PAID
    both.close_session()


@pytest.mark.parametrize(("skew_s", "believed"), [(-400, False), (400, False), (200, True)])
def test_a_reply_timestamp_more_than_five_minutes_off_is_not_believed(
    sandbox_keys: SandboxKeys, skew_s: int, believed: bool
) -> None:
    config = SandboxConfig(wechat_v3_timestamp_skew_s=skew_s)
    with serve("127.0.0.1", 0, sandbox_keys.folder, config) as server:
        gateway = _gateway(server)
        result = gateway.pay(_request())
        expected = (E.PAY_SUCCEEDED, "SUCCESS") if believed else (E.PAY_UNKNOWN, "bad_signature")
        assert (result.event, result.provider_code) == expected
        gateway.close_session()


# --- the sandbox checks the till's signatures --------------------------------------------------


def _impostor_keys(folder: Path, keys: SandboxKeys) -> SandboxKeys:
    """The sandbox's key files, except the v3 merchant key: someone else's."""
    folder.mkdir()
    for source in keys.folder.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "wechat_v3_merchant_key.pem").unlink()
    (folder / "wechat_v3_merchant_cert.pem").unlink()
    ensure_v3_keys(folder)  # a fresh merchant key pair
    (folder / "wechat_v3_merchant_cert.pem").write_bytes(
        (keys.folder / "wechat_v3_merchant_cert.pem").read_bytes()  # the real serial
    )
    return SandboxKeys(folder)


def test_the_sandbox_refuses_a_request_signed_with_the_wrong_key(
    v3_sandbox: SandboxServer, tmp_path: Path
) -> None:
    wrong = _impostor_keys(tmp_path / "impostor", v3_sandbox.keys)
    settings = pos_settings_v3(v3_sandbox.url, wrong)
    gateway = build_gateways(settings).for_provider(WECHAT)
    request = _request()
    refused = gateway.pay(request)
    assert (refused.event, refused.provider_code) == (E.PAY_FAILED_FINAL, "SIGN_ERROR")
    assert gateway.query(request.out_trade_no).event is E.QUERY_ERRORED
    assert v3_sandbox.ledger.charged_fen(request.out_trade_no) == 0


def test_the_sandbox_answers_a_tampered_request_with_401_sign_error(
    v3_sandbox: SandboxServer,
) -> None:
    """The body sent must be the bytes signed: one byte changed and it is refused."""
    keys = v3_sandbox.v3_keys
    body = json.dumps({"appid": "x", "mchid": "1900000109"}).encode()
    target = "/v3/pay/transactions/out-trade-no/T00000000001/reverse"
    authorization = wechat_v3_sign_request(
        load_private_key(keys.merchant_key.read_bytes()),
        mchid="1900000109",
        serial_no=keys.merchant_serial,
        method="POST",
        url=target,
        timestamp=str(int(datetime.now(UTC).timestamp())),
        nonce="A1B2C3D4E5F6G7",
        body=body,
    )
    reply = requests.post(
        v3_sandbox.url + target,
        data=body.replace(b"x", b"y"),
        headers={"Authorization": authorization, "Content-Type": "application/json"},
        timeout=5,
    )
    assert reply.status_code == 401
    assert reply.json()["code"] == "SIGN_ERROR"
    assert reply.headers["Wechatpay-Serial"] == keys.platform_serial  # signed all the same


# --- dynamic QR --------------------------------------------------------------------------------


def _qr(gateway: WechatPayV3Gateway) -> tuple[str, GatewayResult]:
    number = new_trade_no()
    shown = gateway.create_qr(QrRequest(out_trade_no=number, amount=AMOUNT, subject="扫码付"))
    assert (shown.event, shown.provider_code) == (E.PAY_PENDING, "SUCCESS")
    assert shown.qr_url and shown.qr_url.startswith("weixin://wxpay/bizpayurl?pr=")
    return number, shown


def test_native_qr_not_scanned_waits_then_is_closed(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    number, _ = _qr(gateway)
    waiting = gateway.query(number, kind=AttemptKind.DYNAMIC_QR)
    assert (waiting.event, waiting.provider_code) == (E.QUERY_WAITING, "NOTPAY")
    assert gateway.close(number).event is E.REVERSED_UNPAID  # 204, signed empty body
    assert gateway.query(number).provider_code == "CLOSED"
    assert gateway.close(number).event is E.REVERSED_UNPAID  # already closed
    assert v3_sandbox.ledger.charged_fen(number) == 0


def test_native_qr_paid_is_found_and_closing_it_resumes_polling(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    number, shown = _qr(gateway)
    assert shown.qr_url is not None and v3_sandbox.scan(shown.qr_url)
    closing = gateway.close(number)
    assert (closing.event, closing.provider_code) == (E.RESUMED, "ORDERPAID")
    paid = gateway.query(number, kind=AttemptKind.DYNAMIC_QR)
    assert (paid.event, paid.amount) == (E.QUERY_PAID, AMOUNT)
    assert v3_sandbox.ledger.charged_fen(number) == AMOUNT.fen


# --- refunds -----------------------------------------------------------------------------------


def _paid(gateway: WechatPayV3Gateway, scenario: Scenario = Scenario.PAYS_AT_ONCE) -> str:
    request = _request(scenario, amount=Money(1000))
    assert gateway.pay(request).event is E.PAY_SUCCEEDED
    return request.out_trade_no


def _refund(number: str, refund_no: str, fen: int) -> RefundRequest:
    return RefundRequest(
        out_trade_no=number,
        out_refund_no=refund_no,
        refund_amount=Money(fen),
        total_amount=Money(1000),
        reason="退货",
    )


def test_refund_is_processing_then_succeeds_and_replays_by_its_number(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    number, refund_no = _paid(gateway), new_trade_no()
    accepted = gateway.refund(_refund(number, refund_no, 400))
    assert (accepted.event, accepted.refunded) == (R.PROCESSING, Money(400))
    assert accepted.refund_id
    assert gateway.refund_query(refund_no, number).event is R.PROCESSING
    v3_sandbox.advance(1)
    done = gateway.refund_query(refund_no, number)
    assert (done.event, done.refunded, done.refund_id) == (
        R.SUCCEEDED,
        Money(400),
        accepted.refund_id,
    )
    assert gateway.refund(_refund(number, refund_no, 400)).event is R.SUCCEEDED  # a replay
    assert v3_sandbox.ledger.returned_fen(number) == 400  # once
    other = gateway.refund(_refund(number, refund_no, 300))
    assert other.event is R.FAILED  # the same number with another amount


def test_refund_answering_system_error_is_unknown_and_the_retry_refunds_once(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    number, refund_no = _paid(gateway, Scenario.REFUND_SYSTEM_ERROR), new_trade_no()
    first = gateway.refund(_refund(number, refund_no, 1000))
    assert (first.event, first.provider_code) == (R.UNKNOWN, "SYSTEM_ERROR")
    again = gateway.refund(_refund(number, refund_no, 1000))
    assert again.event in (R.PROCESSING, R.SUCCEEDED)
    v3_sandbox.advance(1)
    assert gateway.refund_query(refund_no, number).event is R.SUCCEEDED
    assert v3_sandbox.ledger.returned_fen(number) == 1000


def test_refund_query_of_an_unknown_refund_is_not_found(gateway: WechatPayV3Gateway) -> None:
    missing = gateway.refund_query(new_trade_no(), new_trade_no())
    assert (missing.event, missing.provider_code) == (R.NOT_FOUND, "RESOURCE_NOT_EXISTS")


def test_refunding_more_than_was_paid_is_refused(gateway: WechatPayV3Gateway) -> None:
    number = _paid(gateway)
    assert gateway.refund(_refund(number, new_trade_no(), 1001)).event is R.FAILED


# --- callbacks ---------------------------------------------------------------------------------


def _paid_qr_callback(
    gateway: WechatPayV3Gateway, server: SandboxServer
) -> tuple[str, dict[str, str], bytes]:
    number, shown = _qr(gateway)
    assert shown.qr_url is not None and server.scan(shown.qr_url)
    made = server.wechat_v3.notification("1900000109", number)
    assert made is not None
    return number, *made


@pytest.mark.parametrize("mode", ["certificate", "public_key"])
def test_a_callback_is_verified_decrypted_and_read_as_a_query_answer(
    v3_sandbox: SandboxServer, public_key_sandbox: SandboxServer, mode: str
) -> None:
    server = v3_sandbox if mode == "certificate" else public_key_sandbox
    gateway = _gateway(server)
    number, headers, body = _paid_qr_callback(gateway, server)
    event = gateway.parse_notification(headers, body)
    assert (event.event_type, event.out_trade_no) == ("TRANSACTION.SUCCESS", number)
    result = gateway.trade_result(event.resource, number)
    assert (result.event, result.amount) == (E.QUERY_PAID, AMOUNT)
    assert b"out_trade_no" not in body  # the resource travels encrypted
    gateway.close_session()


def test_a_tampered_or_wrongly_keyed_callback_is_refused(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    _, headers, body = _paid_qr_callback(gateway, v3_sandbox)
    with pytest.raises(MalformedMessage):
        gateway.parse_notification(headers, body.replace(b"TRANSACTION", b"TRANSACTIOM"))
    keys = v3_sandbox.v3_keys
    verify = verification_keys([keys.platform_cert.read_bytes()])
    wrong_key = Secret(b"0123456789abcdef0123456789abcdef")
    with pytest.raises(MalformedMessage):
        parse_notification(verify, wrong_key, headers, body)
    stale = int(headers["Wechatpay-Timestamp"]) + 301
    with pytest.raises(MalformedMessage):
        gateway_key = Secret(keys.apiv3_key.read_bytes().strip())
        parse_notification(verify, gateway_key, headers, body, now=stale)


def test_the_sandbox_posts_a_callback_to_the_notify_url(
    gateway: WechatPayV3Gateway, v3_sandbox: SandboxServer
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.append((dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        number, shown = _qr(gateway)
        url = f"http://127.0.0.1:{httpd.server_address[1]}/notify"
        assert v3_sandbox.wechat_v3.notify(url, "1900000109", number) == 0  # not paid yet
        assert shown.qr_url is not None and v3_sandbox.scan(shown.qr_url)
        assert v3_sandbox.wechat_v3.notify(url, "1900000109", number) == 204
    finally:
        httpd.shutdown()
        httpd.server_close()
    [(headers, body)] = received
    assert gateway.parse_notification(headers, body).out_trade_no == number


# --- configuration and logs --------------------------------------------------------------------


def test_v3_needs_its_keys_and_a_way_to_verify_replies(v3_sandbox: SandboxServer) -> None:
    settings = pos_settings_v3(v3_sandbox.url, v3_sandbox.keys)
    assert settings.wechat_pay is not None
    for broken in (
        dataclasses.replace(settings.wechat_pay, api="v4"),
        dataclasses.replace(settings.wechat_pay, apiv3_key=""),
        dataclasses.replace(settings.wechat_pay, public_key_id=""),
        dataclasses.replace(
            settings.wechat_pay, platform_certificate_files=(), public_key_file="", public_key_id=""
        ),
    ):
        with pytest.raises(ConfigError):
            build_gateways(dataclasses.replace(settings, wechat_pay=broken))


def test_no_log_line_holds_the_code_a_key_or_a_signature(
    v3_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway = _gateway(v3_sandbox)
    request = _request(Scenario.BAD_SIGNATURE)
    gateway.pay(request)
    gateway.query(request.out_trade_no)
    apiv3_key = v3_sandbox.v3_keys.apiv3_key.read_text().strip()
    assert request.code.value not in caplog.text
    assert apiv3_key not in caplog.text
    assert "signature=" not in caplog.text and "WECHATPAY/SIGNTEST" not in caplog.text
    gateway.close_session()

"""WeChat Pay API v3 (JSON) as a ``PaymentGateway``: codepay, query, reverse, native + close,
refund and refund query (shared/protocols/payments.md §3).

Requests are signed SHA256-RSA with the merchant API key and its certificate serial
(``wechat_v3_wire``); every reply is verified against the platform certificate(s) or the WeChat
Pay public key its ``Wechatpay-Serial`` names. A reply that does not verify (unknown serial,
wrong or probe signature, stale timestamp, unsigned), that is for another merchant or order,
or that never came is the call's "unknown" event, never success.

Assumptions where the brief is silent (§3.1 "not verified here", §12.1):

- codepay success is HTTP 200 with ``trade_state=SUCCESS`` (the OpenAPI schema's one 200
  body); the amount and ``out_trade_no`` are checked as for v2.
- "customer is entering the password" may come as 200 ``trade_state=USERPAYING`` (or
  ``ACCEPT``), or as an error body ``{"code": "USERPAYING"}`` under any status: both are
  PAY_PENDING. A 200 with any other ``trade_state`` is PAY_UNKNOWN: the query decides.
- Every 5xx, every ``SYSTEM_ERROR``/``BANK_ERROR``, every code not in ``wechat_v3_codes``,
  and any non-2xx reply that does not verify is PAY_UNKNOWN: the state machine queries, and
  reverses if need be. Only a *verified* 4xx with a listed code declines, because a decline
  the customer was in fact charged for would have them pay twice.
- Not found is 404 ``ORDER_NOT_EXIST`` (``ORDERNOTEXIST`` and ``RESOURCE_NOT_EXISTS`` too).
- reverse answers 200 ``{appid, mchid, out_trade_no}`` (OpenAPI schema); close answers 204.
  Neither says whether the order had been paid (as v2, §2.5): REVERSED_UNPAID.
- refund answers 200 with ``status``; PROCESSING is confirmed by refund query.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric import rsa

from backends.http import GatewayTimeout, HttpSettings, TransportError
from backends.payments import wechat_v3_codes as codes
from backends.payments.credentials import Secret
from backends.payments.wechat_v3_wire import (
    V3HttpClient,
    V3Notification,
    V3Reply,
    V3Signer,
    V3Transport,
    V3Wire,
    parse_notification,
)
from pos_app.domain.money import Money
from pos_app.domain.payment_states import AttemptKind
from pos_app.domain.payment_states import PaymentEvent as E
from pos_app.ports.payments import (
    GatewayResult,
    PayRequest,
    QrRequest,
    RefundEvent,
    RefundRequest,
    RefundResult,
)

log = logging.getLogger(__name__)

BEIJING = timezone(timedelta(hours=8))
_TRADES = "/v3/pay/transactions"


@dataclass(frozen=True, slots=True, kw_only=True)
class WechatPayV3Config:
    base_url: str  # https://api.mch.weixin.qq.com, or the sandbox
    appid: str
    mchid: str
    serial_no: str  # the merchant API certificate's serial
    private_key: Secret[rsa.RSAPrivateKey] = field(repr=False)
    apiv3_key: Secret[bytes] = field(repr=False)
    verify_keys: Mapping[str, rsa.RSAPublicKey] = field(repr=False)
    """``Wechatpay-Serial`` -> key: platform certificate serials and/or ``PUB_KEY_ID_…``."""
    store_id: str = ""
    notify_url: str = "https://127.0.0.1/notify"  # required by native; the POS polls
    http: HttpSettings = field(default_factory=HttpSettings)
    now: Callable[[], float] = time.time  # Unix seconds, for signatures and replay checks


class _Failed(Exception):
    """No reply that can be believed: ``code`` says why (timeout, bad_signature…)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


class WechatPayV3Gateway:
    """One merchant (appid + mchid) on WeChat Pay v3."""

    def __init__(self, config: WechatPayV3Config, *, transport: V3Transport | None = None) -> None:
        self._config = config
        http = transport or V3HttpClient(config.base_url, config.http, name="wechat_pay_v3")
        signer = V3Signer(
            mchid=config.mchid, serial_no=config.serial_no, private_key=config.private_key
        )
        self._wire = V3Wire(http, signer, config.verify_keys, now=config.now)

    def close_session(self) -> None:
        self._wire.close()

    # --- the port ----------------------------------------------------------------------------

    def pay(self, request: PayRequest) -> GatewayResult:
        scene: dict[str, Any] = {"store_info": {"id": self._config.store_id or "POS"}}
        if request.terminal:
            scene["device_id"] = request.terminal
        scene["device_ip"] = request.client_ip
        payload = {
            "appid": self._config.appid,
            "mchid": self._config.mchid,
            "description": request.subject[:127],
            "out_trade_no": request.out_trade_no,
            "payer": {"auth_code": request.code.value},
            "amount": {"total": request.amount.fen, "currency": "CNY"},
            "scene_info": scene,
        }
        try:
            reply = self._call("POST", f"{_TRADES}/codepay", payload, request.out_trade_no)
        except _Failed as failed:
            return _result(E.PAY_UNKNOWN, failed.code, failed.detail)
        if reply.status == 200 and "trade_state" in reply.data:
            state = _text(reply.data, "trade_state")
            if state == "SUCCESS":
                return self._paid(reply.data, request.out_trade_no, E.PAY_SUCCEEDED, E.PAY_UNKNOWN)
            event = codes.PAY_TRADE_STATES.get(state, E.PAY_UNKNOWN)
            return _result(event, state, _text(reply.data, "trade_state_desc"))
        if reply.code == "USERPAYING":
            return _result(E.PAY_PENDING, reply.code, reply.message)
        if 400 <= reply.status < 500:
            return _result(
                codes.PAY_ERRORS.get(reply.code, E.PAY_UNKNOWN), reply.code, reply.message
            )
        return _result(E.PAY_UNKNOWN, reply.code or f"http_{reply.status}", reply.message)

    def query(
        self, out_trade_no: str, *, kind: AttemptKind = AttemptKind.PAYMENT_CODE
    ) -> GatewayResult:
        target = f"{_TRADES}/out-trade-no/{quote(out_trade_no)}?mchid={self._config.mchid}"
        try:
            reply = self._call("GET", target, None, out_trade_no)
        except _Failed as failed:
            return _result(E.QUERY_ERRORED, failed.code, failed.detail)
        if reply.status != 200:
            event = E.QUERY_NOT_FOUND if reply.code in codes.NOT_FOUND else E.QUERY_ERRORED
            return _result(event, reply.code or f"http_{reply.status}", reply.message)
        return self.trade_result(reply.data, out_trade_no)

    def trade_result(self, data: Mapping[str, Any], out_trade_no: str) -> GatewayResult:
        """A verified transaction (a query reply or a ``TRANSACTION.SUCCESS`` callback)."""
        state = _text(data, "trade_state")
        event = codes.TRADE_STATES.get(state, E.QUERY_ERRORED)
        if _text(data, "out_trade_no") not in ("", out_trade_no):
            return _result(E.QUERY_ERRORED, "mismatch", "reply for another order")
        if event is E.QUERY_PAID:
            return self._paid(data, out_trade_no, E.QUERY_PAID, E.QUERY_ERRORED)
        return GatewayResult(
            event=event,
            provider_code=state or "no_trade_state",
            trade_no=_text(data, "transaction_id") or None,
            detail=_text(data, "trade_state_desc")[:80],
        )

    def reverse(self, out_trade_no: str) -> GatewayResult:
        target = f"{_TRADES}/out-trade-no/{quote(out_trade_no)}/reverse"
        payload = {"appid": self._config.appid, "mchid": self._config.mchid}
        return self._undo(target, payload, out_trade_no, codes.REVERSE_ERRORS)

    def close(self, out_trade_no: str) -> GatewayResult:
        target = f"{_TRADES}/out-trade-no/{quote(out_trade_no)}/close"
        return self._undo(target, {"mchid": self._config.mchid}, out_trade_no, codes.CLOSE_ERRORS)

    def create_qr(self, request: QrRequest) -> GatewayResult:
        expires = datetime.fromtimestamp(self._config.now(), UTC) + timedelta(
            seconds=request.expires_in_s
        )
        payload: dict[str, Any] = {
            "appid": self._config.appid,
            "mchid": self._config.mchid,
            "description": request.subject[:127],
            "out_trade_no": request.out_trade_no,
            "time_expire": expires.astimezone(BEIJING).isoformat(timespec="seconds"),
            "notify_url": self._config.notify_url,
            "amount": {"total": request.amount.fen, "currency": "CNY"},
            "scene_info": {"payer_client_ip": request.client_ip},
        }
        if request.terminal:
            payload["scene_info"]["device_id"] = request.terminal
        try:
            reply = self._call("POST", f"{_TRADES}/native", payload, request.out_trade_no)
        except _Failed as failed:
            return _result(E.PAY_UNKNOWN, failed.code, failed.detail)
        code_url = _text(reply.data, "code_url")
        if reply.status == 200 and code_url:
            return GatewayResult(
                event=E.PAY_PENDING, provider_code="SUCCESS", qr_url=code_url, detail="native"
            )
        if reply.code in ("ORDERPAID", "ORDER_PAID"):
            return _result(E.PAY_ALREADY_PAID, reply.code, reply.message)
        if 400 <= reply.status < 500 and reply.code not in codes.REFUND_RETRY:
            return _result(E.PAY_FAILED_FINAL, reply.code, reply.message)
        return _result(E.PAY_UNKNOWN, reply.code or f"http_{reply.status}", reply.message)

    def refund(self, request: RefundRequest) -> RefundResult:
        payload = {
            "out_trade_no": request.out_trade_no,
            "out_refund_no": request.out_refund_no,
            "amount": {
                "refund": request.refund_amount.fen,
                "total": request.total_amount.fen,
                "currency": "CNY",
            },
        }
        if request.reason:
            payload["reason"] = request.reason[:80]
        try:
            reply = self._call(
                "POST", "/v3/refund/domestic/refunds", payload, request.out_refund_no
            )
        except _Failed as failed:
            return RefundResult(
                event=RefundEvent.UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        if reply.status == 200:
            return self._refund_result(reply.data, request.out_refund_no)
        if 400 <= reply.status < 500 and reply.code and reply.code not in codes.REFUND_RETRY:
            return RefundResult(
                event=RefundEvent.FAILED, provider_code=reply.code, detail=reply.message
            )
        return RefundResult(
            event=RefundEvent.UNKNOWN,
            provider_code=reply.code or f"http_{reply.status}",
            detail=reply.message,
        )

    def refund_query(self, out_refund_no: str, out_trade_no: str) -> RefundResult:
        target = f"/v3/refund/domestic/refunds/{quote(out_refund_no)}"
        try:
            reply = self._call("GET", target, None, out_refund_no)
        except _Failed as failed:
            return RefundResult(
                event=RefundEvent.UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        if reply.status == 200:
            return self._refund_result(reply.data, out_refund_no)
        event = RefundEvent.NOT_FOUND if reply.code in codes.NOT_FOUND else RefundEvent.UNKNOWN
        return RefundResult(
            event=event, provider_code=reply.code or f"http_{reply.status}", detail=reply.message
        )

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> V3Notification:
        """A callback verified with this merchant's keys and decrypted with its APIv3 key;
        ``MalformedMessage`` when it does not verify. ``trade_result(n.resource, …)`` then
        reads a ``TRANSACTION.SUCCESS`` as a query answer."""
        config = self._config
        return parse_notification(
            config.verify_keys, config.apiv3_key, headers, body, now=int(config.now())
        )

    # --- the wire ----------------------------------------------------------------------------

    def _undo(
        self, target: str, payload: dict[str, str], ref: str, table: Mapping[str, E]
    ) -> GatewayResult:
        try:
            reply = self._call("POST", target, payload, ref)
        except _Failed as failed:
            return _result(E.REVERSE_RETRY, failed.code, failed.detail)
        if reply.status in (200, 204):
            return _result(E.REVERSED_UNPAID, "SUCCESS", "closed or reversed")
        event = table.get(reply.code, E.REVERSE_RETRY)
        return _result(event, reply.code or f"http_{reply.status}", reply.message)

    def _paid(self, data: Mapping[str, Any], out_trade_no: str, ok: E, unclear: E) -> GatewayResult:
        amount = data.get("amount")
        total = amount.get("total") if isinstance(amount, dict) else None
        mine = _text(data, "mchid") in ("", self._config.mchid)
        if _text(data, "out_trade_no") != out_trade_no or not _is_fen(total) or not mine:
            return _result(unclear, "mismatch", "paid reply for another order or without amount")
        assert isinstance(total, int)
        return GatewayResult(
            event=ok,
            provider_code="SUCCESS",
            amount=Money(total),
            trade_no=_text(data, "transaction_id") or None,
        )

    def _refund_result(self, data: Mapping[str, Any], out_refund_no: str) -> RefundResult:
        if _text(data, "out_refund_no") != out_refund_no:
            return RefundResult(event=RefundEvent.UNKNOWN, provider_code="mismatch")
        status = _text(data, "status")
        amount = data.get("amount")
        refunded = amount.get("refund") if isinstance(amount, dict) else None
        return RefundResult(
            event=codes.REFUND_STATES.get(status, RefundEvent.UNKNOWN),
            provider_code=status or "no_status",
            refunded=Money(refunded) if _is_fen(refunded) and isinstance(refunded, int) else None,
            refund_id=_text(data, "refund_id") or None,
        )

    def _call(
        self, method: str, target: str, payload: Mapping[str, Any] | None, ref: str
    ) -> V3Reply:
        """A reply whose signature verified; ``_Failed`` when nothing can be trusted."""
        path = target.partition("?")[0]
        try:
            reply = self._wire.call(method, target, payload, ref)
        except GatewayTimeout:
            raise _Failed("timeout", "no reply in time") from None
        except TransportError as error:
            raise _Failed("transport", str(error)) from None
        if not reply.verified:
            raise _Failed("bad_signature", "reply signature does not verify")
        if 200 <= reply.status < 300 and reply.status != 204 and not reply.data:
            raise _Failed("malformed", "a 2xx reply without a JSON object")
        if reply.status >= 300:
            log.info(
                "wechat_pay_v3 %s %s -> %d %s (ref %s)",
                method,
                path,
                reply.status,
                reply.code or "-",
                ref,
            )
        return reply


def _result(event: E, code: str, detail: str = "") -> GatewayResult:
    return GatewayResult(event=event, provider_code=code, detail=detail[:80])


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else ""


def _is_fen(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

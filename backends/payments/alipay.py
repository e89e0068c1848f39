"""Alipay OpenAPI (``alipay.trade.*``) as a ``PaymentGateway`` (shared/protocols/payments.md §4).

Requests: every parameter, common ones and ``biz_content``, in the POST form body (the official
Python SDK puts the common ones in the query string, §4.1; a URL gets logged, a body does not),
RSA2 over all of them (§4.2; empty values are never sent). Replies: the raw ``…_response`` text is
verified with Alipay's public key before anything in it is believed (§4.3); a reply that does
not verify, cannot be parsed or never came is the call's "unknown" event. ``ACQ.SYSTEM_ERROR``
under any code and ``20000`` are unknown too; ``10003`` is the customer entering a password.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from cryptography.hazmat.primitives.asymmetric import rsa

from backends.http import GatewayTimeout, HttpClient, HttpSettings, Transport, TransportError
from backends.payments import alipay_codes as codes
from backends.payments.credentials import Secret
from backends.payments.signing import (
    MalformedMessage,
    alipay_sign,
    alipay_split_reply,
    alipay_verify_reply,
)
from pos_app.domain.money import Money, MoneyFormatError
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
_FORM = "application/x-www-form-urlencoded;charset=utf-8"


@dataclass(frozen=True, slots=True, kw_only=True)
class AlipayConfig:
    gateway_url: str  # https://openapi.alipay.com/gateway.do, or the sandbox's
    app_id: str
    app_private_key: Secret[rsa.RSAPrivateKey] = field(repr=False)
    alipay_public_key: rsa.RSAPublicKey = field(repr=False)
    store_id: str = ""
    http: HttpSettings = field(default_factory=HttpSettings)


class _Failed(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


class AlipayGateway:
    """One Alipay application (app_id) on the OpenAPI gateway."""

    def __init__(self, config: AlipayConfig, *, transport: Transport | None = None) -> None:
        self._config = config
        self._http = transport or HttpClient(config.gateway_url, config.http, name="alipay")

    def close_session(self) -> None:
        self._http.close()

    # --- the port ----------------------------------------------------------------------------

    def pay(self, request: PayRequest) -> GatewayResult:
        biz = {
            "out_trade_no": request.out_trade_no,
            "scene": "bar_code",
            "auth_code": request.code.value,
            "subject": request.subject[:256],
            "total_amount": request.amount.yuan_text(),
            "store_id": self._config.store_id,
            "terminal_id": request.terminal,
        }
        try:
            body = self._call("alipay.trade.pay", biz, request.out_trade_no)
        except _Failed as failed:
            return GatewayResult(
                event=E.PAY_UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        code, sub = _codes(body)
        if code == "10000":
            return _paid(body, request.out_trade_no, E.PAY_SUCCEEDED, E.PAY_UNKNOWN)
        return GatewayResult(
            event=codes.pay_event(code, sub),
            provider_code=sub or code,
            trade_no=_text(body, "trade_no"),
            detail=_text(body, "sub_msg") or "",
        )

    def query(
        self, out_trade_no: str, *, kind: AttemptKind = AttemptKind.PAYMENT_CODE
    ) -> GatewayResult:
        try:
            body = self._call("alipay.trade.query", {"out_trade_no": out_trade_no}, out_trade_no)
        except _Failed as failed:
            return GatewayResult(
                event=E.QUERY_ERRORED, provider_code=failed.code, detail=failed.detail
            )
        code, sub = _codes(body)
        if code != "10000":
            # precreate: "no trade exists until the customer scans" (§4.5).
            not_found = sub.endswith("ACQ.TRADE_NOT_EXIST")
            waiting = not_found and kind is AttemptKind.DYNAMIC_QR
            event = (
                E.QUERY_WAITING
                if waiting
                else E.QUERY_NOT_FOUND
                if not_found
                else (E.QUERY_ERRORED)
            )
            return GatewayResult(
                event=event, provider_code=sub or code, detail=_text(body, "sub_msg") or ""
            )
        status = _text(body, "trade_status") or ""
        event = codes.TRADE_STATUSES.get(status, E.QUERY_ERRORED)
        if event is E.QUERY_PAID:
            return _paid(body, out_trade_no, E.QUERY_PAID, E.QUERY_ERRORED)
        return GatewayResult(event=event, provider_code=status, trade_no=_text(body, "trade_no"))

    def reverse(self, out_trade_no: str) -> GatewayResult:
        try:
            body = self._call("alipay.trade.cancel", {"out_trade_no": out_trade_no}, out_trade_no)
        except _Failed as failed:
            return GatewayResult(
                event=E.REVERSE_RETRY, provider_code=failed.code, detail=failed.detail
            )
        code, sub = _codes(body)
        action = _text(body, "action") or ""
        if _text(body, "retry_flag") == "Y":
            return GatewayResult(
                event=E.REVERSE_RETRY, provider_code=sub or code or "retry", detail="retry_flag=Y"
            )
        if code == "10000":
            event = E.REVERSED_REFUNDED if action == "refund" else E.REVERSED_UNPAID
            return GatewayResult(
                event=event, provider_code=action or "no_action", trade_no=_text(body, "trade_no")
            )
        event = codes.cancel_event(code, sub)
        return GatewayResult(
            event=event, provider_code=sub or code, detail=_text(body, "sub_msg") or ""
        )

    def close(self, out_trade_no: str) -> GatewayResult:
        """A precreated trade is cancelled like any other: closed if unpaid, refunded if paid."""
        return self.reverse(out_trade_no)

    def create_qr(self, request: QrRequest) -> GatewayResult:
        biz = {
            "out_trade_no": request.out_trade_no,
            "total_amount": request.amount.yuan_text(),
            "subject": request.subject[:256],
            "store_id": self._config.store_id,
            "terminal_id": request.terminal,
            "qr_code_timeout_express": f"{max(1, request.expires_in_s // 60)}m",
        }
        try:
            body = self._call("alipay.trade.precreate", biz, request.out_trade_no)
        except _Failed as failed:
            return GatewayResult(
                event=E.PAY_UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        code, sub = _codes(body)
        qr = _text(body, "qr_code")
        if code == "10000" and qr:
            return GatewayResult(event=E.PAY_PENDING, provider_code=code, qr_url=qr)
        event = codes.pay_event(code, sub)
        if event is E.PAY_FAILED_RESCAN:
            event = E.PAY_FAILED_FINAL
        return GatewayResult(
            event=event, provider_code=sub or code, detail=_text(body, "sub_msg") or ""
        )

    def refund(self, request: RefundRequest) -> RefundResult:
        biz = {
            "out_trade_no": request.out_trade_no,
            "refund_amount": request.refund_amount.yuan_text(),
            "out_request_no": request.out_refund_no,
            "refund_reason": request.reason[:256],
        }
        try:
            body = self._call("alipay.trade.refund", biz, request.out_refund_no)
        except _Failed as failed:
            return RefundResult(
                event=RefundEvent.UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        code, sub = _codes(body)
        if code == "10000":
            # fund_change=N is an idempotent replay of a refund already made (§4.5).
            change = _text(body, "fund_change") or ""
            return RefundResult(
                event=RefundEvent.SUCCEEDED,
                provider_code=f"fund_change={change}",
                refunded=request.refund_amount,
                refund_id=_text(body, "trade_no"),
            )
        return RefundResult(
            event=codes.refund_event(code, sub),
            provider_code=sub or code,
            detail=_text(body, "sub_msg") or "",
        )

    def refund_query(self, out_refund_no: str, out_trade_no: str) -> RefundResult:
        biz = {"out_trade_no": out_trade_no, "out_request_no": out_refund_no}
        try:
            body = self._call("alipay.trade.fastpay.refund.query", biz, out_refund_no)
        except _Failed as failed:
            return RefundResult(
                event=RefundEvent.UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        code, sub = _codes(body)
        if code != "10000":
            event = (
                RefundEvent.NOT_FOUND if sub.endswith("TRADE_NOT_EXIST") else (RefundEvent.UNKNOWN)
            )
            return RefundResult(event=event, provider_code=sub or code)
        # "如果该接口返回了查询数据，则代表退款成功" (refund data returned = refunded).
        amount = _money(_text(body, "refund_amount"))
        status = _text(body, "refund_status") or ""
        if amount is None or status not in ("", "REFUND_SUCCESS"):
            return RefundResult(event=RefundEvent.NOT_FOUND, provider_code=status or "no_data")
        return RefundResult(
            event=RefundEvent.SUCCEEDED, provider_code=status or code, refunded=amount
        )

    # --- the wire ----------------------------------------------------------------------------

    def _call(self, method: str, biz: dict[str, str], ref: str) -> dict[str, object]:
        """Signed request; the verified ``…_response`` object, or ``_Failed``."""
        config = self._config
        params = {
            "app_id": config.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
        }
        content = json.dumps(
            {k: v for k, v in biz.items() if v}, ensure_ascii=False, separators=(",", ":")
        )
        params["sign"] = alipay_sign(
            config.app_private_key.reveal(), {**params, "biz_content": content}
        )
        # Everything goes in the form body, none in the URL: HTTP libraries log URLs (urllib3
        # does at DEBUG) and proxies keep them, and the signature must not be in either.
        form = urlencode({**params, "biz_content": content}).encode()
        try:
            reply = self._http.post("", form, content_type=_FORM, ref=ref)
        except GatewayTimeout:
            raise _Failed("timeout", "no reply in time") from None
        except TransportError as error:
            raise _Failed("transport", str(error)) from None
        if reply.status != 200:
            raise _Failed(f"http_{reply.status}", "not a 200 reply")
        try:
            split = alipay_split_reply(reply.body, method)
        except MalformedMessage as error:
            raise _Failed("malformed", str(error)) from None
        if not alipay_verify_reply(config.alipay_public_key, split):
            log.warning("alipay %s: reply signature does not verify (ref %s)", method, ref)
            raise _Failed("bad_signature", "reply signature does not verify")
        return split.body


def _text(body: dict[str, object], name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) and value else None


def _codes(body: dict[str, object]) -> tuple[str, str]:
    return _text(body, "code") or "", _text(body, "sub_code") or ""


def _money(text: str | None) -> Money | None:
    if text is None:
        return None
    try:
        return Money.parse(text)
    except MoneyFormatError:
        return None


def _paid(body: dict[str, object], out_trade_no: str, ok: E, unclear: E) -> GatewayResult:
    amount = _money(_text(body, "total_amount"))
    if _text(body, "out_trade_no") != out_trade_no or amount is None:
        return GatewayResult(
            event=unclear,
            provider_code="mismatch",
            detail="paid reply for another order or without an amount",
        )
    return GatewayResult(
        event=ok, provider_code="10000", amount=amount, trade_no=_text(body, "trade_no")
    )

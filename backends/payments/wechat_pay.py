"""WeChat Pay API v2 (XML) as a ``PaymentGateway``: micropay, orderquery, reverse, refund,
refundquery, unifiedorder NATIVE and closeorder (shared/protocols/payments.md §2).

Every request is signed with the configured ``sign_type`` (MD5 or HMAC-SHA256, sent as a signed
field) and every ``return_code=SUCCESS`` reply is verified with that same algorithm (§2.2 step
6: replies carry no ``sign_type``). A reply that is unsigned (``return_code=FAIL``), badly
signed, for another merchant or order, unparsable, or missing is the call's "unknown" event.
Reverse and refund go to ``/secapi/`` and need the merchant's client certificate, configured
as ``HttpSettings.client_cert``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from backends.http import GatewayTimeout, HttpClient, HttpSettings, Transport, TransportError
from backends.payments import wechat_codes as codes
from backends.payments.credentials import Secret
from backends.payments.signing import (
    MalformedMessage,
    WechatSignType,
    wechat_v2_from_xml,
    wechat_v2_sign,
    wechat_v2_to_xml,
    wechat_v2_verify,
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
_XML = "text/xml; charset=utf-8"


@dataclass(frozen=True, slots=True, kw_only=True)
class WechatPayConfig:
    base_url: str  # https://api.mch.weixin.qq.com, or the sandbox
    appid: str
    mch_id: str
    api_key: Secret[str] = field(repr=False)
    sign_type: WechatSignType = WechatSignType.HMAC_SHA256
    notify_url: str = "https://127.0.0.1/notify"  # required by unifiedorder; the POS polls
    http: HttpSettings = field(default_factory=HttpSettings)


class _Failed(Exception):
    """No trustworthy reply: ``code`` says why (timeout, bad_signature, return_fail…)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


class WechatPayGateway:
    """One merchant (appid + mch_id) on WeChat Pay v2."""

    def __init__(self, config: WechatPayConfig, *, transport: Transport | None = None) -> None:
        self._config = config
        self._http = transport or HttpClient(config.base_url, config.http, name="wechat_pay")

    def close_session(self) -> None:
        self._http.close()

    # --- the port ----------------------------------------------------------------------------

    def pay(self, request: PayRequest) -> GatewayResult:
        fields = {
            "body": request.subject[:128],
            "out_trade_no": request.out_trade_no,
            "total_fee": str(request.amount.fen),
            "spbill_create_ip": request.client_ip,
            "auth_code": request.code.value,
            "device_info": request.terminal,
        }
        try:
            data = self._call("/pay/micropay", fields, request.out_trade_no)
        except _Failed as failed:
            return GatewayResult(
                event=E.PAY_UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        if data.get("result_code") == "SUCCESS":
            return self._paid(data, request.out_trade_no, E.PAY_SUCCEEDED, E.PAY_UNKNOWN)
        err = data.get("err_code", "")
        return GatewayResult(
            event=codes.PAY_ERRORS.get(err, E.PAY_UNKNOWN),
            provider_code=err,
            detail=data.get("err_code_des", ""),
        )

    def query(
        self, out_trade_no: str, *, kind: AttemptKind = AttemptKind.PAYMENT_CODE
    ) -> GatewayResult:
        try:
            data = self._call("/pay/orderquery", {"out_trade_no": out_trade_no}, out_trade_no)
        except _Failed as failed:
            return GatewayResult(
                event=E.QUERY_ERRORED, provider_code=failed.code, detail=failed.detail
            )
        if data.get("result_code") != "SUCCESS":
            err = data.get("err_code", "")
            event = E.QUERY_NOT_FOUND if err == "ORDERNOTEXIST" else E.QUERY_ERRORED
            return GatewayResult(
                event=event, provider_code=err, detail=data.get("err_code_des", "")
            )
        state = data.get("trade_state", "")
        event = codes.TRADE_STATES.get(state, E.QUERY_ERRORED)
        if event is E.QUERY_PAID:
            return self._paid(data, out_trade_no, E.QUERY_PAID, E.QUERY_ERRORED)
        return GatewayResult(
            event=event,
            provider_code=state,
            trade_no=data.get("transaction_id") or None,
            detail=data.get("trade_state_desc", ""),
        )

    def reverse(self, out_trade_no: str) -> GatewayResult:
        return self._undo("/secapi/pay/reverse", out_trade_no, codes.REVERSE_ERRORS)

    def close(self, out_trade_no: str) -> GatewayResult:
        return self._undo("/pay/closeorder", out_trade_no, codes.CLOSE_ERRORS)

    def create_qr(self, request: QrRequest) -> GatewayResult:
        expires = datetime.now(UTC) + timedelta(seconds=request.expires_in_s)
        fields = {
            "body": request.subject[:128],
            "out_trade_no": request.out_trade_no,
            "total_fee": str(request.amount.fen),
            "spbill_create_ip": request.client_ip,
            "notify_url": self._config.notify_url,
            "trade_type": "NATIVE",
            "product_id": request.out_trade_no,
            "device_info": request.terminal,
            "time_expire": expires.astimezone(BEIJING).strftime("%Y%m%d%H%M%S"),
        }
        try:
            data = self._call("/pay/unifiedorder", fields, request.out_trade_no)
        except _Failed as failed:
            return GatewayResult(
                event=E.PAY_UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        if data.get("result_code") == "SUCCESS" and data.get("code_url"):
            return GatewayResult(
                event=E.PAY_PENDING,
                provider_code="SUCCESS",
                qr_url=data["code_url"],
                detail="NATIVE order created",
            )
        err = data.get("err_code", "")
        event = {"ORDERPAID": E.PAY_ALREADY_PAID, "SYSTEMERROR": E.PAY_UNKNOWN}.get(
            err, E.PAY_FAILED_FINAL
        )
        return GatewayResult(event=event, provider_code=err, detail=data.get("err_code_des", ""))

    def refund(self, request: RefundRequest) -> RefundResult:
        fields = {
            "out_trade_no": request.out_trade_no,
            "out_refund_no": request.out_refund_no,
            "total_fee": str(request.total_amount.fen),
            "refund_fee": str(request.refund_amount.fen),
            "refund_desc": request.reason[:80],
        }
        try:
            data = self._call("/secapi/pay/refund", fields, request.out_refund_no)
        except _Failed as failed:
            return RefundResult(
                event=RefundEvent.UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        if data.get("result_code") == "SUCCESS":
            # "申请退款接口的返回仅代表业务的受理情况": accepted only; confirm by refundquery.
            return RefundResult(
                event=RefundEvent.PROCESSING,
                provider_code="SUCCESS",
                refunded=_fen(data.get("refund_fee")),
                refund_id=data.get("refund_id") or None,
            )
        err = data.get("err_code", "")
        event = RefundEvent.UNKNOWN if err in codes.REFUND_RETRY else RefundEvent.FAILED
        return RefundResult(event=event, provider_code=err, detail=data.get("err_code_des", ""))

    def refund_query(self, out_refund_no: str, out_trade_no: str) -> RefundResult:
        try:
            data = self._call("/pay/refundquery", {"out_refund_no": out_refund_no}, out_refund_no)
        except _Failed as failed:
            return RefundResult(
                event=RefundEvent.UNKNOWN, provider_code=failed.code, detail=failed.detail
            )
        if data.get("result_code") != "SUCCESS":
            err = data.get("err_code", "")
            event = RefundEvent.NOT_FOUND if err == "REFUNDNOTEXIST" else RefundEvent.UNKNOWN
            return RefundResult(event=event, provider_code=err, detail=data.get("err_code_des", ""))
        count = data.get("refund_count", "0")
        for n in range(int(count) if count.isdigit() else 0):
            if data.get(f"out_refund_no_{n}") == out_refund_no:
                status = data.get(f"refund_status_{n}", "")
                return RefundResult(
                    event=codes.REFUND_STATES.get(status, RefundEvent.UNKNOWN),
                    provider_code=status,
                    refunded=_fen(data.get(f"refund_fee_{n}")),
                    refund_id=data.get(f"refund_id_{n}") or None,
                )
        return RefundResult(event=RefundEvent.UNKNOWN, provider_code="no_such_refund_in_reply")

    # --- the wire ----------------------------------------------------------------------------

    def _undo(self, path: str, out_trade_no: str, table: Mapping[str, E]) -> GatewayResult:
        try:
            data = self._call(path, {"out_trade_no": out_trade_no}, out_trade_no)
        except _Failed as failed:
            return GatewayResult(
                event=E.REVERSE_RETRY, provider_code=failed.code, detail=failed.detail
            )
        if data.get("recall") == "Y":
            return GatewayResult(event=E.REVERSE_RETRY, provider_code="recall=Y")
        if data.get("result_code") == "SUCCESS":
            # WeChat does not say whether a reversed order had been paid (§2.5).
            return GatewayResult(
                event=E.REVERSED_UNPAID, provider_code="SUCCESS", detail="closed or reversed"
            )
        err = data.get("err_code", "")
        return GatewayResult(
            event=table.get(err, E.REVERSE_RETRY),
            provider_code=err,
            detail=data.get("err_code_des", ""),
        )

    def _paid(self, data: dict[str, str], out_trade_no: str, ok: E, unclear: E) -> GatewayResult:
        amount = _fen(data.get("total_fee"))
        if data.get("out_trade_no") != out_trade_no or amount is None:
            return GatewayResult(
                event=unclear,
                provider_code="mismatch",
                detail="paid reply for another order or without an amount",
            )
        return GatewayResult(
            event=ok,
            provider_code="SUCCESS",
            amount=amount,
            trade_no=data.get("transaction_id") or None,
        )

    def _call(self, path: str, fields: dict[str, str], ref: str) -> dict[str, str]:
        """Signed request, verified reply fields; ``_Failed`` when nothing can be trusted."""
        config = self._config
        key = config.api_key.reveal()
        params = {
            "appid": config.appid,
            "mch_id": config.mch_id,
            "nonce_str": secrets.token_hex(16),
            "sign_type": config.sign_type.value,
            **{name: value for name, value in fields.items() if value},
        }
        params["sign"] = wechat_v2_sign(params, key, config.sign_type)
        try:
            reply = self._http.post(path, wechat_v2_to_xml(params), content_type=_XML, ref=ref)
        except GatewayTimeout:
            raise _Failed("timeout", "no reply in time") from None
        except TransportError as error:
            raise _Failed("transport", str(error)) from None
        if reply.status != 200:
            raise _Failed(f"http_{reply.status}", "not a 200 reply")
        try:
            data = wechat_v2_from_xml(reply.body)
        except MalformedMessage as error:
            raise _Failed("malformed", str(error)) from None
        if data.get("return_code") != "SUCCESS":
            log.warning("wechat_pay %s: return_code FAIL (ref %s)", path, ref)
            raise _Failed("return_code_fail", data.get("return_msg", "")[:80])
        if not wechat_v2_verify(data, key, config.sign_type):
            log.warning("wechat_pay %s: reply signature does not verify (ref %s)", path, ref)
            raise _Failed("bad_signature", "reply signature does not verify")
        if data.get("mch_id") != config.mch_id or data.get("appid") != config.appid:
            raise _Failed("wrong_merchant", "reply for another merchant")
        return data


def _fen(text: str | None) -> Money | None:
    return Money(int(text)) if text and text.isascii() and text.isdigit() else None

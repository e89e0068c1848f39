"""WeChat Pay API v2 as the sandbox speaks it (shared/protocols/payments.md §2, §11).

Requests are verified with their own ``sign_type`` (absent = MD5); a wrong signature gets the
real unsigned ``return_code=FAIL`` reply. Every ``return_code=SUCCESS`` reply is signed with the
request's algorithm and carries no ``sign_type``. ``/secapi/`` calls need the merchant client
certificate when the sandbox runs TLS (``has_client_cert`` False = refused; None = plain HTTP).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from backends.payments.signing import (
    MalformedMessage,
    WechatSignType,
    wechat_v2_from_xml,
    wechat_v2_sign,
    wechat_v2_to_xml,
    wechat_v2_verify,
)
from backends.sandbox import wechat_ops
from backends.sandbox.replies import NO_EFFECT, Effect, Reply, corrupt
from backends.sandbox.state import Book

_XML = "text/xml; charset=utf-8"
Fields = dict[str, str]
Op = Callable[[Book, Fields, float], tuple[Fields, Effect]]

OPS: dict[str, Op] = {
    "/pay/micropay": wechat_ops.micropay,
    "/pay/orderquery": wechat_ops.orderquery,
    "/secapi/pay/reverse": wechat_ops.reverse,
    "/pay/closeorder": wechat_ops.closeorder,
    "/secapi/pay/refund": wechat_ops.refund,
    "/pay/refundquery": wechat_ops.refundquery,
    "/pay/unifiedorder": wechat_ops.unifiedorder,
}


def _fail(message: str) -> Reply:
    """``return_code=FAIL``: a protocol-level refusal, unsigned (§2.2 step 7)."""
    body = wechat_v2_to_xml({"return_code": "FAIL", "return_msg": message})
    return Reply(body, _XML)


@dataclass(frozen=True, slots=True)
class WechatMerchant:
    appid: str
    mch_id: str
    api_key: str


class WechatSandbox:
    def __init__(self, book: Book, merchants: list[WechatMerchant]) -> None:
        self.book = book
        self._merchants = {m.mch_id: m for m in merchants}

    def handle(self, path: str, body: bytes, *, has_client_cert: bool | None) -> Reply | None:
        """The reply to one request; None for a path WeChat does not have."""
        op = OPS.get(path)
        if op is None:
            return None
        try:
            params = wechat_v2_from_xml(body)
        except MalformedMessage:
            return _fail("XML格式错误")
        merchant = self._merchants.get(params.get("mch_id", ""))
        if merchant is None or params.get("appid") != merchant.appid:
            return _fail("appid和mch_id不匹配")
        try:
            sign_type = WechatSignType(params.get("sign_type") or "MD5")
        except ValueError:
            return _fail("签名类型错误")
        if not wechat_v2_verify(params, merchant.api_key, sign_type):
            return _fail("签名错误，请检查后再试")
        if path.startswith("/secapi/") and has_client_cert is False:
            return _fail("证书错误，请检查证书是否正确")
        with self.book.lock:
            fields, effect = op(self.book, params, self.book.clock.now())
        reply = {
            "return_code": "SUCCESS",
            "return_msg": "OK",
            "appid": merchant.appid,
            "mch_id": merchant.mch_id,
            "nonce_str": secrets.token_hex(16),
            **fields,
        }
        if params.get("device_info"):
            reply["device_info"] = params["device_info"]
        sign = wechat_v2_sign(reply, merchant.api_key, sign_type)
        reply["sign"] = corrupt(sign) if effect.bad_sign else sign
        return Reply(wechat_v2_to_xml(reply), _XML, effect=effect or NO_EFFECT)

"""The Alipay OpenAPI gateway (``/gateway.do``) as the sandbox speaks it (§4, §11).

Requests: common parameters from the query string and/or the form body, RSA2-verified with the
app's public key over every parameter but ``sign``; a wrong signature gets the signed
``40002 isv.invalid-signature`` reply. Replies: ``{"<method>_response":{…},"sign":"…"}``
signed with the sandbox's gateway key over the raw ``…_response`` text, written with ``\\/``
escapes as Alipay does, so a client that re-serialises before verifying fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.asymmetric import rsa

from backends.payments.signing import (
    alipay_response_key,
    alipay_sign_content,
    rsa_sha256_sign,
    rsa_sha256_verify,
)
from backends.sandbox import alipay_ops
from backends.sandbox.replies import NO_EFFECT, Effect, Reply, corrupt
from backends.sandbox.state import Book

_JSON = "text/html;charset=utf-8"  # what the real gateway sends


@dataclass(frozen=True, slots=True)
class AlipayApp:
    app_id: str
    public_key: rsa.RSAPublicKey


def _invalid(sub_code: str, sub_msg: str, code: str = "40002") -> alipay_ops.Result:
    msg = "Missing Required Arguments" if code == "40001" else "Invalid Arguments"
    return {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}, NO_EFFECT


class AlipaySandbox:
    def __init__(self, book: Book, apps: list[AlipayApp], gateway_key: rsa.RSAPrivateKey) -> None:
        self.book = book
        self._apps = {app.app_id: app for app in apps}
        self._key = gateway_key

    def handle(self, query: str, body: bytes) -> Reply:
        try:
            params = dict(parse_qsl(query, keep_blank_values=True))
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            params = {}
        method = params.get("method", "")
        op = alipay_ops.OPS.get(method)
        key = alipay_response_key(method) if op is not None else "error_response"
        fields, effect = self._answer(params, op)
        return self._reply(key, fields, effect)

    def _answer(self, params: dict[str, str], op: alipay_ops.Op | None) -> alipay_ops.Result:
        app = self._apps.get(params.get("app_id", ""))
        if app is None:
            return _invalid("isv.invalid-app-id", "无效的AppID参数")
        if params.get("sign_type") != "RSA2":
            return _invalid("isv.invalid-signature-type", "无效的签名类型")
        content = alipay_sign_content(params).encode()
        if not rsa_sha256_verify(app.public_key, content, params.get("sign", "")):
            return _invalid(
                "isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配"
            )
        if op is None:
            return _invalid("isv.invalid-method", "不存在的方法名")
        try:
            biz = json.loads(params.get("biz_content") or "{}")
        except ValueError:
            biz = None
        if not isinstance(biz, dict):
            return _invalid("isv.invalid-biz-content", "biz_content不是JSON对象")
        text = {name: str(value) for name, value in biz.items() if value is not None}
        with self.book.lock:
            return op(self.book, app.app_id, text, self.book.clock.now())

    def _reply(self, key: str, fields: dict[str, object], effect: Effect) -> Reply:
        content = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        content = content.replace("/", "\\/")  # Alipay escapes '/', and signs what it sends
        sign = rsa_sha256_sign(self._key, content.encode())
        if effect.bad_sign:
            sign = corrupt(sign)
        raw = f'{{"{key}":{content},"sign":"{sign}"}}'
        return Reply(raw.encode(), _JSON, effect=effect)

"""WeChat Pay API v3 as the sandbox speaks it (shared/protocols/payments.md §3, §11).

Every request must carry a valid ``WECHATPAY2-SHA256-RSA2048`` Authorization: the merchant's
``mchid`` and certificate ``serial_no``, a timestamp within 5 minutes, and a SHA256-RSA
signature over ``METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n``; anything else is refused with 401
``SIGN_ERROR``. Every reply, errors and 204s included, is signed with ``Wechatpay-*`` headers:
in ``certificate`` mode by the platform key (``Wechatpay-Serial`` = the platform
certificate's hex serial), in ``public_key`` mode by the WeChat Pay public key
(``PUB_KEY_ID_…``). Magic code 08 (BAD_SIGNATURE) answers with a ``WECHATPAY/SIGNTEST/`` probe
signature, as WeChat does to check that merchants verify (§3.3). The operations themselves are
the v2 ones on the shared order book (``wechat_v3_ops``).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from backends.payments.signing import (
    WECHAT_V3_MAX_SKEW_S,
    WECHAT_V3_SCHEME,
    rsa_sha256_sign,
    rsa_sha256_verify,
    wechat_v3_encrypt,
    wechat_v3_request_message,
    wechat_v3_response_message,
)
from backends.sandbox import wechat_v3_ops as ops
from backends.sandbox.replies import NO_EFFECT, Reply, corrupt
from backends.sandbox.state import Book

log = logging.getLogger(__name__)

_JSON = "application/json"
_AUTH_FIELD = re.compile(r'(\w+)="([^"]*)"')
Op = Callable[[Book, ops.Call, float], ops.Answer]

# (method, path pattern, operation); a pattern's group is the order or refund number.
ROUTES: tuple[tuple[str, re.Pattern[str], Op], ...] = (
    ("POST", re.compile(r"/v3/pay/transactions/codepay"), ops.codepay),
    ("GET", re.compile(r"/v3/pay/transactions/out-trade-no/([^/]+)"), ops.query),
    ("POST", re.compile(r"/v3/pay/transactions/out-trade-no/([^/]+)/reverse"), ops.reverse),
    ("POST", re.compile(r"/v3/pay/transactions/out-trade-no/([^/]+)/close"), ops.close),
    ("POST", re.compile(r"/v3/pay/transactions/native"), ops.native),
    ("POST", re.compile(r"/v3/refund/domestic/refunds"), ops.refund),
    ("GET", re.compile(r"/v3/refund/domestic/refunds/([^/]+)"), ops.refund_query),
)


@dataclass(frozen=True, slots=True)
class SignedReply(Reply):
    """A reply with extra HTTP headers (the ``Wechatpay-*`` signature headers)."""

    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class V3Merchant:
    appid: str
    mchid: str
    serial_no: str  # of the merchant API certificate
    public_key: rsa.RSAPublicKey
    apiv3_key: bytes


@dataclass(frozen=True, slots=True)
class V3PlatformSigner:
    """The key replies are signed with and the serial they name; ``skew_s`` moves the
    ``Wechatpay-Timestamp`` away from real time (tests of the 5-minute replay window)."""

    serial: str
    key: rsa.RSAPrivateKey
    skew_s: int = 0

    def headers(self, body: bytes, *, probe: bool = False) -> tuple[tuple[str, str], ...]:
        timestamp = str(int(time.time()) + self.skew_s)
        nonce = secrets.token_hex(16).upper()
        signature = rsa_sha256_sign(self.key, wechat_v3_response_message(timestamp, nonce, body))
        if probe:  # a deliberately wrong signature (§3.3 "signature probes")
            signature = "WECHATPAY/SIGNTEST/" + corrupt(signature)
        return (
            ("Wechatpay-Nonce", nonce),
            ("Wechatpay-Signature", signature),
            ("Wechatpay-Timestamp", timestamp),
            ("Wechatpay-Serial", self.serial),
            ("Wechatpay-Signature-Type", WECHAT_V3_SCHEME),
            ("Request-ID", secrets.token_hex(12)),
        )


class WechatV3Sandbox:
    def __init__(
        self,
        book: Book,
        merchants: list[V3Merchant],
        signer: V3PlatformSigner,
        *,
        userpaying_202: bool = False,
    ) -> None:
        self.book = book
        self.signer = signer
        self._merchants = {m.mchid: m for m in merchants}
        self._userpaying_202 = userpaying_202

    def handle(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> Reply | None:
        """The reply to one request; None for a path this sandbox does not serve."""
        path, _, query = target.partition("?")
        route = _route(method, path)
        if route is None:
            return None
        op, key = route
        merchant = self._authenticate(method, target, body, headers)
        if merchant is None:
            return self._reply(ops.error(401, "SIGN_ERROR", "签名错误，请检查后再试"))
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, ValueError):
            return self._reply(ops.error(400, "PARAM_ERROR", "请求体不是合法的JSON"))
        if not isinstance(data, dict):
            return self._reply(ops.error(400, "PARAM_ERROR", "请求体不是JSON对象"))
        call = ops.Call(merchant.mchid, merchant.appid, key, dict(parse_qsl(query)), data)
        with self.book.lock:
            answer = op(self.book, call, self.book.clock.now())
        return self._reply(answer)

    def _authenticate(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> V3Merchant | None:
        found = {name.lower(): value for name, value in headers.items()}
        scheme, _, rest = found.get("authorization", "").partition(" ")
        fields = dict(_AUTH_FIELD.findall(rest))
        merchant = self._merchants.get(fields.get("mchid", ""))
        timestamp = fields.get("timestamp", "")
        if (
            scheme != WECHAT_V3_SCHEME
            or merchant is None
            or fields.get("serial_no", "").upper() != merchant.serial_no.upper()
            or not (timestamp.isascii() and timestamp.isdigit())
            or abs(time.time() - int(timestamp)) > WECHAT_V3_MAX_SKEW_S
        ):
            return None
        message = wechat_v3_request_message(
            method, target, timestamp, fields.get("nonce_str", ""), body
        )
        if not rsa_sha256_verify(merchant.public_key, message, fields.get("signature", "")):
            return None
        return merchant

    def _reply(self, answer: ops.Answer) -> Reply:
        status, data = answer.status, answer.data
        if answer.userpaying and self._userpaying_202 and data is not None:
            status, data = 202, {"code": "USERPAYING", "message": data["trade_state_desc"]}
        raw = b"" if data is None else json.dumps(data, ensure_ascii=False).encode("utf-8")
        effect = answer.effect or NO_EFFECT
        headers = self.signer.headers(raw, probe=effect.bad_sign)
        return SignedReply(raw, _JSON, status=status, effect=effect, headers=headers)

    # --- callbacks -------------------------------------------------------------------------

    def notification(self, mchid: str, out_trade_no: str) -> tuple[dict[str, str], bytes] | None:
        """A signed ``TRANSACTION.SUCCESS`` callback (headers, raw body) for a paid order, its
        resource AES-256-GCM encrypted with the merchant's APIv3 key; None if not paid."""
        merchant = self._merchants[mchid]
        call = ops.Call(merchant.mchid, merchant.appid, out_trade_no)
        with self.book.lock:
            transaction = ops.transaction_of(self.book, call, self.book.clock.now())
        if transaction is None:
            return None
        nonce = base64.b32encode(secrets.token_bytes(10)).decode()[:12]
        plaintext = json.dumps(transaction, ensure_ascii=False).encode("utf-8")
        envelope = {
            "id": secrets.token_hex(18),
            "create_time": transaction.get("success_time", ""),
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": wechat_v3_encrypt(
                    merchant.apiv3_key,
                    nonce=nonce,
                    associated_data="transaction",
                    plaintext=plaintext,
                ),
                "associated_data": "transaction",
                "nonce": nonce,
            },
        }
        body = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        headers = dict(self.signer.headers(body))
        headers["Content-Type"] = _JSON
        return headers, body

    def notify(self, url: str, mchid: str, out_trade_no: str, *, timeout_s: float = 5.0) -> int:
        """POST the callback of a paid order to ``url``; the receiver's HTTP status (0: none
        sent, the order is not paid)."""
        made = self.notification(mchid, out_trade_no)
        if made is None:
            return 0
        headers, body = made
        reply = requests.post(url, data=body, headers=headers, timeout=(timeout_s, timeout_s))
        return reply.status_code


def _route(method: str, path: str) -> tuple[Op, str] | None:
    for verb, pattern, op in ROUTES:
        match = pattern.fullmatch(path)
        if match is not None and verb == method:
            return op, unquote(match.group(1)) if match.groups() else ""
    return None

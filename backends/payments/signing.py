"""Wire-level signing for WeChat Pay v2/v3 and Alipay OpenAPI, on ``cryptography`` and hashlib.

Every rule cites ``shared/protocols/payments.md`` and is pinned by its §7 vectors
(``tests/backends/test_signing_vectors.py``). Verifiers return ``False`` for anything that does
not verify (bad Base64, unknown key, a ``WECHATPAY/SIGNTEST/`` probe); callers treat that reply
as *unknown*, never as success. MAC comparisons are constant-time.

UnionPay: the brief (§6) documents only that ACP signs with a certificate (``certId`` +
``signature`` from ``AcpService.sign``); its canonical form is not documented there, so UnionPay
codes go through the contracted aggregator, whose signing lives with its client.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509 import load_pem_x509_certificate

from pos_app.errors import GatewayError

WECHAT_V3_SCHEME = "WECHATPAY2-SHA256-RSA2048"
WECHAT_V3_MAX_SKEW_S = 300  # wechatpay-go validator: a reply more than 5 minutes off is refused
MAX_XML_BYTES = 64 * 1024
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FORBIDDEN_XML = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class MalformedMessage(GatewayError):
    """A provider message that cannot be parsed safely: treated as an unknown outcome."""


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


# --- keys ----------------------------------------------------------------------------------


def load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    """An unencrypted RSA key in PKCS#1 or PKCS#8 PEM (merchant API key, Alipay app key)."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("payment signing needs an RSA private key")
    return key


def load_public_key(data: bytes | str) -> rsa.RSAPublicKey:
    """An RSA public key as PEM, or as the bare Base64 DER the Alipay console shows."""
    raw = data.encode("ascii") if isinstance(data, str) else data
    if b"-----BEGIN" in raw:
        key = serialization.load_pem_public_key(raw)
    else:
        key = serialization.load_der_public_key(base64.b64decode(b"".join(raw.split())))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("payment verification needs an RSA public key")
    return key


def certificate_key(pem: bytes) -> tuple[str, rsa.RSAPublicKey]:
    """(serial as uppercase hex, public key) of a WeChat Pay platform certificate."""
    cert = load_pem_x509_certificate(pem)
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("platform certificate does not hold an RSA key")
    return f"{cert.serial_number:X}", key


def rsa_sha256_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    """SHA256withRSA, PKCS#1 v1.5, Base64 without line breaks (WeChat v3 and Alipay RSA2)."""
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_sha256_verify(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    raw = _b64decode(signature)
    if raw is None:
        return False
    try:
        key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


# --- WeChat Pay v2 (§2.2) ------------------------------------------------------------------


class WechatSignType(StrEnum):
    MD5 = "MD5"
    HMAC_SHA256 = "HMAC-SHA256"


def wechat_v2_string_a(params: Mapping[str, str]) -> str:
    """``k=v&…`` over every non-empty parameter except ``sign``, ASCII-sorted, raw values."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")


def wechat_v2_sign(
    params: Mapping[str, str], key: str, sign_type: WechatSignType = WechatSignType.MD5
) -> str:
    """Uppercase hex MD5 or HMAC-SHA256 of ``stringA&key=<key>``; ``sign_type`` is signed too."""
    message = f"{wechat_v2_string_a(params)}&key={key}".encode()
    if sign_type is WechatSignType.HMAC_SHA256:
        return hmac.new(key.encode(), message, hashlib.sha256).hexdigest().upper()
    return hashlib.md5(message).hexdigest().upper()


def wechat_v2_verify(params: Mapping[str, str], key: str, sign_type: WechatSignType) -> bool:
    """Check ``sign`` over every returned field, extra ones included (§2.2 step 6).

    Replies carry no ``sign_type``: pass the algorithm the request used. A reply with no
    ``sign`` (``return_code=FAIL``) does not verify.
    """
    received = params.get("sign", "")
    if not received:
        return False
    expected = wechat_v2_sign(params, key, sign_type)
    return hmac.compare_digest(expected.encode(), received.upper().encode())


def wechat_v2_to_xml(params: Mapping[str, str]) -> bytes:
    """``<xml><k><![CDATA[v]]></k>…</xml>`` in UTF-8; names are checked, ``]]>`` is split."""
    parts = ["<xml>"]
    for name, value in params.items():
        if not _XML_NAME.fullmatch(name):
            raise ValueError(f"not an XML element name: {name!r}")
        text = value.replace("]]>", "]]]]><![CDATA[>")
        parts.append(f"<{name}><![CDATA[{text}]]></{name}>")
    parts.append("</xml>")
    return "".join(parts).encode()


def wechat_v2_from_xml(body: bytes) -> dict[str, str]:
    """Flat ``<xml>`` children as a dict, parsed safely.

    Safety: any DOCTYPE or ENTITY declaration is refused before parsing, so no entity can be
    defined (no billion laughs, no external entities: ElementTree never fetches them anyway);
    size is capped; nested or repeated elements are refused rather than guessed at.
    """
    # A NUL byte means UTF-16/32, where the declaration check below could not see "<!".
    if len(body) > MAX_XML_BYTES or b"\x00" in body or _FORBIDDEN_XML.search(body):
        raise MalformedMessage("refused XML reply (too large, not UTF-8, or declares a DTD)")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise MalformedMessage(f"unparsable XML reply: {error}") from None
    if root.tag != "xml":
        raise MalformedMessage(f"unexpected XML root {root.tag!r}")
    fields: dict[str, str] = {}
    for child in root:
        if len(child) or child.tag in fields:
            raise MalformedMessage(f"nested or repeated XML field {child.tag!r}")
        fields[child.tag] = child.text or ""
    return fields


# --- WeChat Pay v3 (§3.2, §3.3) ------------------------------------------------------------


def wechat_v3_request_message(
    method: str, url: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    """``METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n``; URL is path plus query, body as sent."""
    head = f"{method.upper()}\n{url}\n{timestamp}\n{nonce}\n".encode()
    return head + body + b"\n"


def wechat_v3_authorization(
    *,
    mchid: str,
    nonce: str,
    timestamp: str,
    serial_no: str,
    signature: str,
    scheme: str = WECHAT_V3_SCHEME,
) -> str:
    """The ``Authorization`` header value, in the field order of wechatpay-go (§7.8)."""
    return (
        f'{scheme} mchid="{mchid}",nonce_str="{nonce}",timestamp="{timestamp}",'
        f'serial_no="{serial_no}",signature="{signature}"'
    )


def wechat_v3_sign_request(
    key: rsa.RSAPrivateKey,
    *,
    mchid: str,
    serial_no: str,
    method: str,
    url: str,
    timestamp: str,
    nonce: str,
    body: bytes,
) -> str:
    """Sign a request and return its ``Authorization`` header; send exactly ``body``."""
    message = wechat_v3_request_message(method, url, timestamp, nonce, body)
    return wechat_v3_authorization(
        mchid=mchid,
        nonce=nonce,
        timestamp=timestamp,
        serial_no=serial_no,
        signature=rsa_sha256_sign(key, message),
    )


def wechat_v3_response_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """``timestamp\\nnonce\\nbody\\n`` over the raw body (empty for 204)."""
    return f"{timestamp}\n{nonce}\n".encode() + body + b"\n"


def wechat_v3_verify(
    keys: Mapping[str, rsa.RSAPublicKey],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: int,
    max_skew_s: int = WECHAT_V3_MAX_SKEW_S,
) -> bool:
    """Verify a reply or callback by its ``Wechatpay-*`` headers and raw body.

    ``keys`` maps ``Wechatpay-Serial`` values to keys: platform certificate serials (hex) and/or
    a WeChat Pay public key id (``PUB_KEY_ID_…``); both may be live during a switch-over. A
    missing header, an unknown serial or a timestamp more than ``max_skew_s`` from ``now``
    (Unix seconds) fails, as does a deliberate probe signature.
    """
    found = {name.lower(): value for name, value in headers.items()}
    timestamp, nonce = found.get("wechatpay-timestamp", ""), found.get("wechatpay-nonce", "")
    signature, serial = found.get("wechatpay-signature", ""), found.get("wechatpay-serial", "")
    if found.get("wechatpay-signature-type", WECHAT_V3_SCHEME) != WECHAT_V3_SCHEME:
        return False
    key = _key_for_serial(keys, serial)
    if key is None or not nonce or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(now - int(timestamp)) > max_skew_s:
        return False
    return rsa_sha256_verify(key, wechat_v3_response_message(timestamp, nonce, body), signature)


def _key_for_serial(keys: Mapping[str, rsa.RSAPublicKey], serial: str) -> rsa.RSAPublicKey | None:
    if not serial:
        return None
    if serial in keys:
        return keys[serial]
    # Hex certificate serials: compare without case or leading zeros.
    wanted = serial.upper().lstrip("0")
    for known, key in keys.items():
        if not known.startswith("PUB_KEY_ID_") and known.upper().lstrip("0") == wanted:
            return key
    return None


def wechat_v3_decrypt(key: bytes, *, nonce: str, associated_data: str, ciphertext: str) -> bytes:
    """AEAD_AES_256_GCM callback ``resource``: ciphertext is Base64 of (ciphertext ‖ tag).

    ``key`` is the APIv3 key as UTF-8 bytes (32 in production; other AES sizes are accepted
    because the official vector uses 16). Tampering raises ``MalformedMessage``.
    """
    data = _b64decode(ciphertext)
    if data is None:
        raise MalformedMessage("callback ciphertext is not Base64")
    try:
        return AESGCM(key).decrypt(nonce.encode(), data, associated_data.encode())
    except InvalidTag:
        raise MalformedMessage("callback resource failed AES-GCM authentication") from None


def wechat_v3_encrypt(key: bytes, *, nonce: str, associated_data: str, plaintext: bytes) -> str:
    """The sandbox's side of ``wechat_v3_decrypt``."""
    sealed = AESGCM(key).encrypt(nonce.encode(), plaintext, associated_data.encode())
    return base64.b64encode(sealed).decode()


# --- Alipay OpenAPI (§4.2–4.4) -------------------------------------------------------------


def alipay_sign_content(params: Mapping[str, str], *, exclude: frozenset[str] = frozenset()) -> str:
    """Sorted ``k=v&…`` with raw values; ``sign`` and empty values left out, ``sign_type`` kept."""
    skip = exclude | {"sign"}
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in skip and params[k] != "")


def alipay_sign(key: rsa.RSAPrivateKey, params: Mapping[str, str]) -> str:
    """RSA2 request signature; never send a parameter with an empty value (§4.2 step 5)."""
    return rsa_sha256_sign(key, alipay_sign_content(params).encode())


@dataclass(frozen=True, slots=True)
class AlipayReply:
    """A synchronous reply split as received: ``content`` is the raw ``…_response`` text."""

    key: str
    content: str
    sign: str | None
    cert_sn: str | None
    body: dict[str, object]


def alipay_response_key(method: str) -> str:
    return method.replace(".", "_") + "_response"


def alipay_split_reply(raw: bytes | str, method: str) -> AlipayReply:
    """Find the ``<method>_response`` (or gateway ``error_response``) value byte for byte.

    Walks the top-level object with the stdlib JSON decoder, so braces inside strings and
    escapes such as ``\\/`` are kept exactly as sent; the text is never re-serialised.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise MalformedMessage("reply is not UTF-8 (charset=utf-8 was requested)") from None
    spans = _top_level_spans(text)
    for key in (alipay_response_key(method), "error_response"):
        if key in spans:
            start, end = spans[key]
            body = json.loads(text[start:end])
            if not isinstance(body, dict):
                raise MalformedMessage(f"{key} is not an object")
            return AlipayReply(
                key,
                text[start:end],
                _string_at(text, spans, "sign"),
                _string_at(text, spans, "alipay_cert_sn"),
                body,
            )
    raise MalformedMessage(f"reply holds no {alipay_response_key(method)}")


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _top_level_spans(text: str) -> dict[str, tuple[int, int]]:
    decoder = json.JSONDecoder()
    spans: dict[str, tuple[int, int]] = {}
    try:
        pos = _skip_ws(text, 0)
        if text[pos] != "{":
            raise MalformedMessage("reply is not a JSON object")
        pos = _skip_ws(text, pos + 1)
        while text[pos] != "}":
            name, pos = decoder.raw_decode(text, pos)
            pos = _skip_ws(text, pos)
            if not isinstance(name, str) or text[pos] != ":" or name in spans:
                raise MalformedMessage("bad or repeated key in reply")
            start = _skip_ws(text, pos + 1)
            _, end = decoder.raw_decode(text, start)
            spans[name] = (start, end)
            pos = _skip_ws(text, end)
            if text[pos] == ",":
                pos = _skip_ws(text, pos + 1)
                if text[pos] == "}":
                    raise MalformedMessage("trailing comma in reply")
            elif text[pos] != "}":
                raise MalformedMessage("bad separator in reply")
    except (IndexError, ValueError) as error:
        raise MalformedMessage(f"unparsable JSON reply: {error}") from None
    return spans


def _string_at(text: str, spans: Mapping[str, tuple[int, int]], key: str) -> str | None:
    if key not in spans:
        return None
    value = json.loads(text[slice(*spans[key])])
    return value if isinstance(value, str) else None


def alipay_verify_reply(key: rsa.RSAPublicKey, reply: AlipayReply) -> bool:
    """RSA2 over the raw ``…_response`` text; an unsigned reply does not verify."""
    return reply.sign is not None and rsa_sha256_verify(key, reply.content.encode(), reply.sign)


def alipay_verify_notify(key: rsa.RSAPublicKey, params: Mapping[str, str]) -> bool:
    """Verify URL-decoded notification fields (§4.4, vectors §7.3 and §7.3b).

    First as trade notifications are signed (``sign`` and ``sign_type`` removed), then as some
    non-trade notifications are (``sign_type`` kept, ``RSA2`` when absent), like the official
    Node SDK. Empty values are dropped, as Alipay signs; the first form is also tried with
    them kept, as the Node SDK does.
    """
    signature = params.get("sign", "")
    with_type = {**params, "sign_type": params.get("sign_type") or "RSA2"}
    candidates = [
        alipay_sign_content(params, exclude=frozenset({"sign_type"})),
        alipay_sign_content(with_type),
    ]
    if any(value == "" for value in params.values()):
        names = sorted(set(params) - {"sign", "sign_type"})
        candidates.append("&".join(f"{k}={params[k]}" for k in names))
    return bool(signature) and any(
        rsa_sha256_verify(key, content.encode(), signature) for content in candidates
    )

"""WeChat Pay API v3 on the wire: signed JSON requests, verified replies, decrypted callbacks.

shared/protocols/payments.md §3.2-§3.3. A request body is serialised once and exactly those
bytes are signed and sent (wechatpayv3 serialises twice, §3.2). Every reply, error replies
included, is checked against the ``Wechatpay-Serial`` key it names: a platform certificate
serial or a WeChat Pay public key id (``PUB_KEY_ID_…``), both may be configured during a
switch-over (§0.8). An unknown serial, a signature that does not verify (a
``WECHATPAY/SIGNTEST/`` probe included), a timestamp more than 5 minutes off, or no signature
at all makes ``V3Reply.verified`` False; the gateway then believes nothing the reply says.

Logs name the method, path, status, time and the caller's reference, never a body, a key, a
signature or a payment code.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from backends.http import (
    MAX_REPLY_BYTES,
    GatewayTimeout,
    HttpReply,
    HttpSettings,
    TransportError,
    make_session,
)
from backends.payments.credentials import Secret
from backends.payments.signing import (
    MalformedMessage,
    certificate_key,
    load_public_key,
    wechat_v3_decrypt,
    wechat_v3_sign_request,
    wechat_v3_verify,
)

log = logging.getLogger(__name__)

_JSON = "application/json"
PUBLIC_KEY_ID_PREFIX = "PUB_KEY_ID_"


class V3Transport(Protocol):
    """What the v3 gateway needs from HTTP: GET and POST with headers; ``V3HttpClient``."""

    def send(
        self, method: str, target: str, body: bytes, *, headers: Mapping[str, str], ref: str
    ) -> HttpReply: ...

    def close(self) -> None: ...


class V3HttpClient:
    """``requests`` over ``backends.http.make_session``: timeouts always, never a retry."""

    def __init__(self, base_url: str, settings: HttpSettings, *, name: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.name = name
        self._session = make_session(settings)

    def close(self) -> None:
        self._session.close()

    def send(
        self, method: str, target: str, body: bytes, *, headers: Mapping[str, str], ref: str
    ) -> HttpReply:
        """``target`` is the path plus query exactly as signed."""
        timeouts = (self.settings.connect_timeout_s, self.settings.read_timeout_s)
        path = target.partition("?")[0]
        started = time.perf_counter()
        try:
            reply = self._session.request(
                method,
                self.base_url + target,
                data=body if method != "GET" else None,
                headers=dict(headers),
                timeout=timeouts,
                allow_redirects=False,
            )
        except requests.Timeout as error:
            self._log_failure(method, path, ref, started, "timeout")
            raise GatewayTimeout(f"{self.name} {path}: timed out") from error
        except requests.RequestException as error:
            self._log_failure(method, path, ref, started, type(error).__name__)
            raise TransportError(f"{self.name} {path}: {type(error).__name__}") from error
        log.debug(
            "%s %s %s -> %d in %.0f ms (ref %s)",
            self.name,
            method,
            path,
            reply.status_code,
            (time.perf_counter() - started) * 1000,
            ref,
        )
        if len(reply.content) > MAX_REPLY_BYTES:
            raise TransportError(f"{self.name} {path}: reply too large")
        return HttpReply(reply.status_code, reply.content, reply.headers)

    def _log_failure(self, method: str, path: str, ref: str, started: float, what: str) -> None:
        log.warning(
            "%s %s %s failed after %.0f ms: %s (ref %s)",
            self.name,
            method,
            path,
            (time.perf_counter() - started) * 1000,
            what,
            ref,
        )


def verification_keys(
    certificates: Sequence[bytes] = (), public_key: bytes | None = None, public_key_id: str = ""
) -> dict[str, rsa.RSAPublicKey]:
    """``Wechatpay-Serial`` -> key: platform certificates by serial, the public key by its id."""
    keys = dict(certificate_key(pem) for pem in certificates)
    if public_key is not None:
        if not public_key_id.startswith(PUBLIC_KEY_ID_PREFIX):
            raise ValueError(f"a WeChat Pay public key id starts with {PUBLIC_KEY_ID_PREFIX}")
        keys[public_key_id] = load_public_key(public_key)
    if not keys:
        raise ValueError("no platform certificate and no WeChat Pay public key")
    return keys


@dataclass(frozen=True, slots=True)
class V3Reply:
    """A reply as received: ``verified`` says whether anything in it may be believed."""

    status: int
    verified: bool
    data: dict[str, Any]

    @property
    def code(self) -> str:
        """The error ``code`` of a non-2xx reply (``SYSTEM_ERROR``…), or ``""``."""
        value = self.data.get("code", "")
        return value if isinstance(value, str) else ""

    @property
    def message(self) -> str:
        value = self.data.get("message", "")
        return value[:80] if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class V3Signer:
    """The merchant's side: its id, API certificate serial and private key."""

    mchid: str
    serial_no: str
    private_key: Secret[rsa.RSAPrivateKey]


class V3Wire:
    """Signs requests, sends them, and verifies replies against the configured keys."""

    def __init__(
        self,
        transport: V3Transport,
        signer: V3Signer,
        keys: Mapping[str, rsa.RSAPublicKey],
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._http = transport
        self._signer = signer
        self._keys = dict(keys)
        self._now = now

    def close(self) -> None:
        self._http.close()

    def call(
        self, method: str, target: str, payload: Mapping[str, Any] | None, ref: str
    ) -> V3Reply:
        """One request; transport failures raise ``TransportError`` / ``GatewayTimeout``."""
        body = b"" if payload is None else _dumps(payload)
        timestamp, nonce = str(int(self._now())), secrets.token_hex(16).upper()
        authorization = wechat_v3_sign_request(
            self._signer.private_key.reveal(),
            mchid=self._signer.mchid,
            serial_no=self._signer.serial_no,
            method=method,
            url=target,
            timestamp=timestamp,
            nonce=nonce,
            body=body,
        )
        headers = {"Authorization": authorization, "Accept": _JSON, "User-Agent": "pos/0.1"}
        if payload is not None:
            headers["Content-Type"] = _JSON
        reply = self._http.send(method, target, body, headers=headers, ref=ref)
        verified = wechat_v3_verify(self._keys, reply.headers, reply.body, now=int(self._now()))
        path = target.partition("?")[0]
        if not verified:
            log.warning(
                "wechat_pay_v3 %s %s -> %d: reply signature does not verify (serial %s, ref %s)",
                method,
                path,
                reply.status,
                _header(reply.headers, "Wechatpay-Serial")[:40] or "none",
                ref,
            )
        return V3Reply(reply.status, verified, _loads(reply.body))


def _dumps(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _loads(body: bytes) -> dict[str, Any]:
    """The JSON object of a reply; ``{}`` for an empty (204) or unparsable body."""
    if not body:
        return {}
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


# --- callbacks (notifications) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class V3Notification:
    """A verified, decrypted callback: ``resource`` is the decrypted JSON object (for
    ``TRANSACTION.SUCCESS`` a transaction as the query returns it)."""

    id: str
    event_type: str
    resource_type: str
    summary: str
    resource: dict[str, Any]

    @property
    def out_trade_no(self) -> str:
        value = self.resource.get("out_trade_no", "")
        return value if isinstance(value, str) else ""


def parse_notification(
    keys: Mapping[str, rsa.RSAPublicKey],
    apiv3_key: Secret[bytes],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: int | None = None,
) -> V3Notification:
    """Verify a callback by its ``Wechatpay-*`` headers over the raw body, then decrypt its
    ``AEAD_AES_256_GCM`` resource with the APIv3 key (§3.3). Anything that does not verify,
    parse or authenticate raises ``MalformedMessage``: answer the callback with an error and
    let WeChat send it again; idempotency by (provider, out_trade_no) is the caller's."""
    moment = int(time.time()) if now is None else now
    if not wechat_v3_verify(keys, headers, body, now=moment):
        raise MalformedMessage("callback signature does not verify")
    envelope = _loads(body)
    resource = envelope.get("resource")
    if not isinstance(resource, dict) or resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise MalformedMessage("callback has no AEAD_AES_256_GCM resource")
    fields = [resource.get(name) for name in ("nonce", "associated_data", "ciphertext")]
    nonce, associated, ciphertext = (value if isinstance(value, str) else "" for value in fields)
    if not nonce or not ciphertext:
        raise MalformedMessage("callback resource lacks nonce or ciphertext")
    plain = wechat_v3_decrypt(
        apiv3_key.reveal(), nonce=nonce, associated_data=associated, ciphertext=ciphertext
    )
    decrypted = _loads(plain)
    if not decrypted:
        raise MalformedMessage("callback resource is not a JSON object")
    return V3Notification(
        id=str(envelope.get("id", "")),
        event_type=str(envelope.get("event_type", "")),
        resource_type=str(envelope.get("resource_type", "")),
        summary=str(envelope.get("summary", "")),
        resource=decrypted,
    )

"""The one way back ends talk HTTP: a ``requests.Session`` with timeouts always, no blind retries.

Why each rule (shared/protocols/payments.md §5, §9): a payment POST that is retried by the
transport under our feet is a second charge attempt the state machine never saw, so urllib3
retries are off for every method and redirects are not followed; an SDK default of "no
timeout" hung real tills (wechatpy #324, wechatpayv3 #47), so every request carries a connect
and a read timeout. Failures come out as ``TransportError`` / ``GatewayTimeout``; the payment
adapters turn them into "unknown" outcomes. Logs name the host, path, status, time and the
caller's reference (an order number), never a body, a key, a signature or a payment code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pos_app.errors import GatewayError

log = logging.getLogger(__name__)

MAX_REPLY_BYTES = 1024 * 1024


class TransportError(GatewayError):
    """No usable HTTP reply: refused, dropped, TLS failure, or a reply too large."""


class GatewayTimeout(TransportError):
    """Connect or read timeout: the provider may or may not have acted on the request."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpSettings:
    """Per-provider transport settings (WXPay Java SDK defaults: connect 6 s, read 8 s)."""

    connect_timeout_s: float = 6.0
    read_timeout_s: float = 8.0
    verify: bool | str = True
    """TLS verification: True (system CAs), or a CA bundle path (the sandbox's own CA)."""
    client_cert: tuple[str, str] | None = None
    """(certificate PEM path, key PEM path) for mutual TLS (WeChat ``secapi``)."""
    trust_env: bool = True
    """Honour HTTP(S)_PROXY and friends; off for a loopback sandbox."""
    pool_size: int = 4


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    body: bytes
    headers: Mapping[str, str]


def make_session(settings: HttpSettings) -> requests.Session:
    """A session that never retries and never follows redirects by itself."""
    session = requests.Session()
    session.trust_env = settings.trust_env
    session.verify = settings.verify
    if settings.client_cert is not None:
        session.cert = settings.client_cert
    no_retry = Retry(total=0, connect=0, read=0, redirect=0, status=0, other=0)
    adapter = HTTPAdapter(max_retries=no_retry, pool_connections=1, pool_maxsize=settings.pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class Transport(Protocol):
    """What the payment adapters need from HTTP; ``HttpClient`` is the real one."""

    def post(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str,
        query: str = "",
        ref: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> HttpReply: ...

    def close(self) -> None: ...


class HttpClient:
    """POSTs to one provider's base URL with its settings; thread-safe enough for a small pool
    (``requests.Session`` connection pools are shared; nothing else is mutable)."""

    def __init__(self, base_url: str, settings: HttpSettings, *, name: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.name = name
        self._session = make_session(settings)

    def close(self) -> None:
        self._session.close()

    def post(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str,
        query: str = "",
        ref: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> HttpReply:
        """POST ``body`` to ``base_url + path (+ '?' + query)``; ``ref`` is logged."""
        url = self.base_url + path + (f"?{query}" if query else "")
        sent = {"Content-Type": content_type, **(headers or {})}
        timeouts = (self.settings.connect_timeout_s, self.settings.read_timeout_s)
        started = time.perf_counter()
        try:
            reply = self._session.post(
                url, data=body, headers=sent, timeout=timeouts, allow_redirects=False
            )
        except requests.Timeout as error:
            self._log_failure(path, ref, started, "timeout")
            raise GatewayTimeout(f"{self.name} {path}: timed out") from error
        except requests.RequestException as error:
            self._log_failure(path, ref, started, type(error).__name__)
            raise TransportError(f"{self.name} {path}: {type(error).__name__}") from error
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.debug(
            "%s POST %s -> %d in %.0f ms (ref %s)",
            self.name,
            path,
            reply.status_code,
            elapsed_ms,
            ref,
        )
        if len(reply.content) > MAX_REPLY_BYTES:
            raise TransportError(f"{self.name} {path}: reply too large")
        return HttpReply(reply.status_code, reply.content, reply.headers)

    def _log_failure(self, path: str, ref: str, started: float, what: str) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.warning(
            "%s POST %s failed after %.0f ms: %s (ref %s)", self.name, path, elapsed_ms, what, ref
        )

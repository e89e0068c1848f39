"""The sandbox's HTTP server: WeChat Pay v2 and v3 (``/v3/…``) paths and Alipay's
``/gateway.do`` on one port; v2 and v3 share one WeChat order book.

``ThreadingHTTPServer`` with HTTP/1.1 keep-alive (one thread per client connection, as a
``requests.Session`` reuses its connections). Handlers do the work under the provider book's
lock and sign outside it. Control paths for people and tests: ``POST /sandbox/scan``
(``qr=<qr text>&pay=1``: the customer scans a dynamic QR), ``POST /sandbox/advance``
(``seconds=N``: jump the sandbox clock), ``GET /sandbox/ledger`` (every money movement, JSON).
Optional TLS (``tls=True``): certificates from ``keys.py``; ``/secapi/`` then needs the client
certificate, as WeChat's does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

from backends.payments.signing import certificate_key, load_private_key, load_public_key
from backends.sandbox.alipay import AlipayApp, AlipaySandbox
from backends.sandbox.keys import ALIPAY_APP_ID, WECHAT_APPID, WECHAT_MCH_ID, ensure_keys
from backends.sandbox.keys_v3 import SandboxV3Keys, ensure_v3_keys
from backends.sandbox.replies import Reply
from backends.sandbox.state import Book, Deadlines, Ledger, SandboxClock
from backends.sandbox.wechat import WechatMerchant, WechatSandbox
from backends.sandbox.wechat_v3 import SignedReply, V3Merchant, V3PlatformSigner, WechatV3Sandbox

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxConfig:
    wechat_unpaid_close_s: float = 45.0  # WeChat Pay Global POS guide
    alipay_unpaid_close_s: float = 180.0  # Antom figure; configurable (§11)
    refund_settle_s: float = 1.0
    tls: bool = False
    wechat_v3_signer: str = "certificate"  # certificate | public_key: what signs v3 replies
    wechat_v3_timestamp_skew_s: int = 0  # sign v3 replies this far from real time
    wechat_v3_userpaying_202: bool = False  # codepay USERPAYING as 202 {"code"} (not 200)


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    sandbox: SandboxServer

    def handle_error(self, request: object, client_address: object) -> None:
        log.debug("sandbox: connection from %s ended badly", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    server: _Httpd

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        log.debug("sandbox: " + format, *args)

    def do_GET(self) -> None:
        if self.path.startswith("/v3/"):
            reply = self.server.sandbox.wechat_v3.handle(
                "GET", self.path, b"", dict(self.headers.items())
            )
            self._send(reply or Reply(b"not found", "text/plain", status=404))
        elif self.path == "/sandbox/ledger":
            entries = [asdict(entry) for entry in self.server.sandbox.ledger.entries()]
            self._send(Reply(json.dumps(entries).encode(), "application/json"))
        else:
            self._send(Reply(b"not found", "text/plain", status=404))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(Reply(b"too large", "text/plain", status=413))
            return
        body = self.rfile.read(length)
        path, _, query = self.path.partition("?")
        sandbox = self.server.sandbox
        if path == "/gateway.do":
            reply: Reply | None = sandbox.alipay.handle(query, body)
        elif path.startswith("/v3/"):
            reply = sandbox.wechat_v3.handle("POST", self.path, body, dict(self.headers.items()))
        elif path.startswith("/sandbox/"):
            reply = sandbox.control(path, body)
        else:
            reply = sandbox.wechat.handle(path, body, has_client_cert=self._client_cert())
        self._send(reply or Reply(b"not found", "text/plain", status=404))

    def _client_cert(self) -> bool | None:
        if not isinstance(self.connection, ssl.SSLSocket):
            return None
        return bool(self.connection.getpeercert())

    def _send(self, reply: Reply) -> None:
        effect = reply.effect
        if effect.drop:  # the request was acted on; the reply never comes
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if effect.delay_s:
            threading.Event().wait(effect.delay_s)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if reply.status != 204:
                self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers if isinstance(reply, SignedReply) else ():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:  # the client gave up (timeout) before the late reply
            self.close_connection = True


class SandboxServer:
    """A running sandbox: ``url``, ``ledger``, ``keys``; ``advance`` and ``scan`` for tests."""

    def __init__(
        self, host: str, port: int, state_dir: Path, config: SandboxConfig | None = None
    ) -> None:
        self.config = config or SandboxConfig()
        self.keys = ensure_keys(Path(state_dir))
        self.clock = SandboxClock()
        self.ledger = Ledger()
        self.ledger.settle = self.settle_all
        settle = self.config.refund_settle_s
        self.wechat_book = Book(
            "wechat",
            self.clock,
            self.ledger,
            Deadlines(self.config.wechat_unpaid_close_s, refund_settle_s=settle),
        )
        self.alipay_book = Book(
            "alipay",
            self.clock,
            self.ledger,
            Deadlines(self.config.alipay_unpaid_close_s, refund_settle_s=settle),
        )
        api_key = self.keys.wechat_api_key.read_text(encoding="utf-8").strip()
        self.wechat = WechatSandbox(
            self.wechat_book, [WechatMerchant(WECHAT_APPID, WECHAT_MCH_ID, api_key)]
        )
        app_key = load_public_key(self.keys.alipay_app_public_key.read_bytes())
        gateway_key = load_private_key(self.keys.alipay_gateway_private_key.read_bytes())
        self.alipay = AlipaySandbox(
            self.alipay_book, [AlipayApp(ALIPAY_APP_ID, app_key)], gateway_key
        )
        self.v3_keys = ensure_v3_keys(Path(state_dir))
        self.wechat_v3 = self._wechat_v3(self.v3_keys)
        self._httpd = _Httpd((host, port), _Handler)
        self._httpd.sandbox = self
        if self.config.tls:
            self._httpd.socket = self._tls_context().wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread: threading.Thread | None = None

    def _wechat_v3(self, keys: SandboxV3Keys) -> WechatV3Sandbox:
        config = self.config
        if config.wechat_v3_signer == "public_key":
            serial, key_file = keys.public_key_id, keys.public_key_private
        elif config.wechat_v3_signer == "certificate":
            serial, key_file = keys.platform_serial, keys.platform_key
        else:
            raise ValueError("wechat_v3_signer: certificate or public_key")
        merchant = V3Merchant(
            WECHAT_APPID,
            WECHAT_MCH_ID,
            keys.merchant_serial,
            certificate_key(keys.merchant_cert.read_bytes())[1],
            keys.apiv3_key.read_bytes().strip(),
        )
        signer = V3PlatformSigner(
            serial, load_private_key(key_file.read_bytes()), config.wechat_v3_timestamp_skew_s
        )
        return WechatV3Sandbox(
            self.wechat_book, [merchant], signer, userpaying_202=config.wechat_v3_userpaying_202
        )

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.keys.server_cert, self.keys.server_key)
        context.load_verify_locations(self.keys.ca_cert)
        context.verify_mode = ssl.CERT_OPTIONAL  # /secapi/ checks for it, like WeChat
        return context

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        scheme = "https" if self.config.tls else "http"
        return f"{scheme}://{host!s}:{port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="payment-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.5)

    def settle_all(self) -> None:
        self.wechat_book.settle_all()
        self.alipay_book.settle_all()

    def advance(self, seconds: float) -> None:
        """Jump the sandbox clock: passwords get entered, deadlines pass, refunds settle."""
        self.clock.advance(seconds)

    def scan(self, qr: str, *, pay: bool = True) -> bool:
        """The customer scans a dynamic QR (and pays, unless ``pay`` is False)."""
        return any(book.scan(qr, pay=pay) for book in (self.wechat_book, self.alipay_book))

    def control(self, path: str, body: bytes) -> Reply | None:
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        if path == "/sandbox/scan":
            paid = self.scan(form.get("qr", ""), pay=form.get("pay", "1") == "1")
            return Reply(json.dumps({"paid": paid}).encode(), "application/json")
        if path == "/sandbox/advance":
            self.advance(float(form.get("seconds", "0") or 0))
            return Reply(b'{"ok":true}', "application/json")
        return None

"""Payment speed runs: what the sandbox sustains on loopback, and the client's own overhead.

``sandbox_throughput()``: the sandbox runs in its own process (as ``pos sandbox`` does); N
client threads, each a POS terminal with its own gateways, pay sandbox codes that pay at once,
WeChat v2 (HMAC-SHA256) and Alipay (RSA2) alternately. Counted: pay calls answered
PAY_SUCCEEDED per second (issue 4 acceptance: >= 200/s).

``client_overhead()``: the client side of ``payment_overhead``: build and sign the request,
parse and verify the reply and classify it, through the real ``pay()``, with a transport that
hands back a recorded sandbox reply at once (no network wait). Baseline: the same XML/form
built and parsed with no signing and no verification.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from backends.http import HttpReply
from backends.payments.alipay import AlipayGateway
from backends.payments.signing import wechat_v2_from_xml, wechat_v2_to_xml
from backends.payments.wechat_pay import WechatPayGateway
from backends.sandbox import SandboxServer, pos_settings
from backends.sandbox.keys import SandboxKeys, ensure_keys
from backends.sandbox.magic import make_code
from backends.wiring import build_alipay, build_gateways, build_wechat_pay
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider, route
from pos_app.domain.payment_states import PaymentEvent
from pos_app.ports.payments import PaymentGateway, PayRequest

ROOT = Path(__file__).resolve().parent.parent
PROVIDERS = (Provider.WECHAT_PAY, Provider.ALIPAY)


@dataclass(frozen=True, slots=True)
class Throughput:
    payments_per_s: float
    payments: int
    failures: int
    clients: int
    seconds: float
    latency_p50_ms: float
    latency_p99_ms: float


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _start_sandbox_process(state_dir: Path, port: int) -> subprocess.Popen[bytes]:
    code = "import sys; from backends.sandbox import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--port", str(port), "--state-dir", str(state_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the sandbox did not start")


def _client(
    gateways: Mapping[Provider, PaymentGateway],
    stop: float,
    index: int,
    latencies: list[float],
    failures: list[int],
) -> None:
    n = 0
    while time.perf_counter() < stop:
        provider = PROVIDERS[(n + index) % 2]
        request = PayRequest(
            out_trade_no=f"B{index:03d}{n:08d}{os.getpid()}"[:32],
            code=route(make_code(provider)),
            amount=Money(100),
            subject="bench",
        )
        started = time.perf_counter()
        result = gateways[provider].pay(request)
        if result.event is PaymentEvent.PAY_SUCCEEDED:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            failures.append(1)
        n += 1


def _run_clients(url: str, keys: SandboxKeys, clients: int, seconds: float) -> Throughput:
    routers = [build_gateways(pos_settings(url, keys)) for _ in range(clients)]
    latencies: list[float] = []
    failures: list[int] = []
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=_client,
            args=(
                {p: r.for_provider(p) for p in PROVIDERS},
                started + seconds,
                i,
                latencies,
                failures,
            ),
        )
        for i, r in enumerate(routers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for router in routers:
        router.close()
    ordered = sorted(latencies) or [0.0]
    return Throughput(
        payments_per_s=round(len(latencies) / elapsed, 1),
        payments=len(latencies),
        failures=len(failures),
        clients=clients,
        seconds=round(elapsed, 2),
        latency_p50_ms=round(statistics.median(ordered), 2),
        latency_p99_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
    )


def sandbox_throughput(clients: int = 8, seconds: float = 3.0) -> Throughput:
    """Payments/s the sandbox answers for ``clients`` concurrent terminals on loopback."""
    with tempfile.TemporaryDirectory() as folder:
        keys = ensure_keys(Path(folder))
        port = _free_port()
        process = _start_sandbox_process(Path(folder), port)
        try:
            return _run_clients(f"http://127.0.0.1:{port}", keys, clients, seconds)
        finally:
            process.terminate()
            process.wait(timeout=10)


class _Recorded:
    """A transport that answers every POST with one recorded reply, at once."""

    def __init__(self, body: bytes) -> None:
        self.body = body

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
        return HttpReply(200, self.body, {})

    def close(self) -> None:
        return None


class _ToSandbox:
    """A transport into an in-process sandbox's handlers (no socket): records the reply."""

    def __init__(self, sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        self.last = b""

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
        if path == "":
            reply = self.sandbox.alipay.handle(query, body)
        else:
            answered = self.sandbox.wechat.handle(path, body, has_client_cert=None)
            assert answered is not None
            reply = answered
        self.last = reply.body
        return HttpReply(200, reply.body, {})

    def close(self) -> None:
        return None


def _gateways(folder: Path) -> tuple[WechatPayGateway, AlipayGateway, bytes, SandboxServer]:
    """Gateways answered by recorded replies of an in-process sandbox (not listening)."""
    sandbox = SandboxServer("127.0.0.1", 0, folder)
    settings = pos_settings("http://127.0.0.1:1", sandbox.keys)
    assert settings.wechat_pay is not None and settings.alipay is not None
    recorder = _ToSandbox(sandbox)
    build_wechat_pay(settings, settings.wechat_pay, transport=recorder).pay(
        _bench_request(Provider.WECHAT_PAY)
    )
    wechat_reply = recorder.last
    wechat = build_wechat_pay(settings, settings.wechat_pay, transport=_Recorded(wechat_reply))
    build_alipay(settings, settings.alipay, transport=recorder).pay(_bench_request(Provider.ALIPAY))
    alipay = build_alipay(settings, settings.alipay, transport=_Recorded(recorder.last))
    return wechat, alipay, wechat_reply, sandbox


def _bench_request(provider: Provider) -> PayRequest:
    return PayRequest(
        out_trade_no="PBENCH0000000001",
        code=route(make_code(provider)),
        amount=Money(1234),
        subject="门店收银-基准",
        terminal="T01",
    )


def client_overhead(rounds: int = 300) -> tuple[str, list[float], str, str, list[float]]:
    """(metric, samples ms, setup, baseline, baseline ms) for ``pos bench``."""
    with tempfile.TemporaryDirectory() as folder:
        wechat, alipay, reply, sandbox = _gateways(Path(folder))
        requests = {p: _bench_request(p) for p in (Provider.WECHAT_PAY, Provider.ALIPAY)}
        samples: list[float] = []
        baseline: list[float] = []
        for n in range(rounds * 2):
            gateway: PaymentGateway = wechat if n % 2 == 0 else alipay
            provider = Provider.WECHAT_PAY if n % 2 == 0 else Provider.ALIPAY
            started = time.perf_counter()
            result = gateway.pay(requests[provider])
            samples.append((time.perf_counter() - started) * 1000)
            assert result.event is PaymentEvent.PAY_SUCCEEDED, result
            started = time.perf_counter()
            wechat_v2_from_xml(reply)
            wechat_v2_to_xml({"out_trade_no": "PBENCH0000000001", "total_fee": "1234"})
            baseline.append((time.perf_counter() - started) * 1000)
        sandbox.stop()
    return (
        "payment_client_overhead",
        samples,
        "pay(): build + sign request, parse + verify + classify reply; WeChat v2 HMAC-SHA256 "
        "and Alipay RSA2-2048 alternately; recorded sandbox reply, no network",
        "the same XML built and parsed, no signing or verification",
        baseline,
    )


if __name__ == "__main__":
    print(sandbox_throughput())
    name, ms, *_ = client_overhead()
    print(name, "median", round(statistics.median(ms), 3), "ms; max", round(max(ms), 3))

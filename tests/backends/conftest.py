"""A payment sandbox on an ephemeral loopback port, and POS gateways pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_support import settings_for

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxConfig, SandboxServer, serve
from backends.sandbox.keys import SandboxKeys, ensure_keys
from backends.wiring import build_gateways
from pos_app.domain.payment_codes import Provider
from pos_app.ports.payments import PaymentGateway


@pytest.fixture(scope="session")
def sandbox_keys(tmp_path_factory: pytest.TempPathFactory) -> SandboxKeys:
    return ensure_keys(tmp_path_factory.mktemp("sandbox-keys"))


@pytest.fixture(scope="module")
def sandbox(sandbox_keys: SandboxKeys) -> Iterator[SandboxServer]:
    server = serve("127.0.0.1", 0, sandbox_keys.folder, SandboxConfig(refund_settle_s=1.0))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def router(sandbox: SandboxServer) -> Iterator[PaymentRouter]:
    built = build_gateways(settings_for(sandbox))
    yield built
    built.close()


@pytest.fixture(
    scope="module", params=[Provider.WECHAT_PAY, Provider.ALIPAY], ids=["wechat", "alipay"]
)
def provider(request: pytest.FixtureRequest) -> Provider:
    value: Provider = request.param
    return value


@pytest.fixture
def gateway(router: PaymentRouter, provider: Provider) -> PaymentGateway:
    return router.for_provider(provider)

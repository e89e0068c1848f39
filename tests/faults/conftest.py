"""Payment fault injection: a sandbox per test module on an ephemeral loopback port, and a
till (a core on the ``engine`` fixture, SQLite and PostgreSQL) paying through the real
gateways the terminal builds from its settings.

A test that takes ``provider`` runs once per wallet in its module's ``WALLETS`` (default
``wechat``, ``wechat_v3``, ``alipay``): ``wechat_v3`` is WeChat Pay again, the till speaking
API v3 to the same sandbox (same order book, same magic codes), so every scenario also runs
through the v3 client. ``wechat_api`` says which API the test's ``router`` speaks.

PostgreSQL: one migrated database per module, emptied before each test, instead of one
database per test (creating and migrating one costs about a second, which is most of this
suite's time budget); SQLite keeps the shared per-test copy of the migrated template.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import BuiltProduct
from payment_faults import Till, a_shop, gateways_for
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxConfig, SandboxServer, serve
from backends.sandbox.keys import SandboxKeys, ensure_keys
from backends.sandbox.keys_v3 import ensure_v3_keys
from pos_app.clock import FixedClock
from pos_app.domain.payment_codes import Provider
from pos_app.persistence.db import make_engine
from pos_app.persistence.migrate import upgrade

POSTGRES_URL = os.environ.get("POS_TEST_POSTGRES_URL", "")


@pytest.fixture(scope="module")
def module_postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("POS_TEST_POSTGRES_URL not set")
    name = f"pos_faults_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine, backup=False)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_db_url(module_postgres_url: str) -> str:
    """The module's migrated database, emptied (schema and revision kept)."""
    engine = create_engine(module_postgres_url)
    try:
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return module_postgres_url


@pytest.fixture(scope="session")
def fault_keys(tmp_path_factory: pytest.TempPathFactory) -> SandboxKeys:
    keys = ensure_keys(tmp_path_factory.mktemp("fault-sandbox-keys"))
    ensure_v3_keys(keys.folder)
    return keys


@pytest.fixture(scope="module")
def sandbox(fault_keys: SandboxKeys) -> Iterator[SandboxServer]:
    server = serve("127.0.0.1", 0, fault_keys.folder, SandboxConfig(refund_settle_s=1.0))
    yield server
    server.stop()


WALLETS = ("wechat", "wechat_v3", "alipay")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "provider" in metafunc.fixturenames:
        wallets = getattr(metafunc.module, "WALLETS", WALLETS)
        metafunc.parametrize("wallet", wallets, ids=list(wallets))


@pytest.fixture
def provider(wallet: str) -> Provider:
    return Provider.ALIPAY if wallet == "alipay" else Provider.WECHAT_PAY


@pytest.fixture
def wechat_api(request: pytest.FixtureRequest) -> str:
    """v3 for a test running as ``wechat_v3``, else v2."""
    callspec = getattr(request.node, "callspec", None)
    wallet = callspec.params.get("wallet") if callspec is not None else None
    return "v3" if wallet == "wechat_v3" else "v2"


@pytest.fixture(scope="module")
def routers(sandbox: SandboxServer) -> Iterator[dict[str, PaymentRouter]]:
    built = {api: gateways_for(sandbox.url, sandbox.keys, api) for api in ("v2", "v3")}
    yield built
    for router in built.values():
        router.close()


@pytest.fixture
def router(routers: dict[str, PaymentRouter], wechat_api: str) -> PaymentRouter:
    return routers[wechat_api]


@pytest.fixture
def item(engine: Engine) -> BuiltProduct:
    return a_shop(engine)


@pytest.fixture
def till(
    engine: Engine,
    item: BuiltProduct,
    tmp_path: Path,
    clock: FixedClock,
    sandbox: SandboxServer,
    router: PaymentRouter,
) -> Till:
    return Till.build(engine, tmp_path, clock, sandbox, router, item)


@pytest.fixture(scope="session")
def stranger_keys(tmp_path_factory: pytest.TempPathFactory) -> SandboxKeys:
    """Somebody else's keys: a WeChat API key, an Alipay app key and an "Alipay" key, and
    WeChat v3 merchant and platform keys."""
    keys = ensure_keys(tmp_path_factory.mktemp("stranger-keys"))
    ensure_v3_keys(keys.folder)
    return keys


def _mix(folder: Path, mine: SandboxKeys, theirs: SandboxKeys, *from_them: str) -> SandboxKeys:
    folder.mkdir(parents=True, exist_ok=True)
    for name in (
        "wechat_api_key.txt",
        "alipay_app_private_key.pem",
        "alipay_gateway_public_key.pem",
        *(path.name for path in mine.folder.glob("wechat_v3_*")),
    ):
        source = theirs if name in from_them else mine
        (folder / name).write_bytes((source.folder / name).read_bytes())
    return SandboxKeys(folder)


@pytest.fixture(scope="session")
def impostor_keys(
    tmp_path_factory: pytest.TempPathFactory, fault_keys: SandboxKeys, stranger_keys: SandboxKeys
) -> SandboxKeys:
    """The POS signs its requests with keys the providers do not know."""
    return _mix(
        tmp_path_factory.mktemp("impostor"),
        fault_keys,
        stranger_keys,
        "wechat_api_key.txt",
        "alipay_app_private_key.pem",
        "wechat_v3_merchant_key.pem",  # v3: another key under the merchant's serial
    )


@pytest.fixture(scope="session")
def misled_keys(
    tmp_path_factory: pytest.TempPathFactory, fault_keys: SandboxKeys, stranger_keys: SandboxKeys
) -> SandboxKeys:
    """The POS checks Alipay's replies with a key that is not Alipay's."""
    return _mix(
        tmp_path_factory.mktemp("misled"),
        fault_keys,
        stranger_keys,
        "alipay_gateway_public_key.pem",
    )

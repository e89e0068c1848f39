"""A till paying through the sandbox, its clocks, and the money invariants every fault test
ends with: nobody charged twice, every attempt final, and every charge either a tender of a
completed sale or given back in full."""

from __future__ import annotations

import math
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from builders import BuiltProduct, a_product, a_store
from sqlalchemy import Engine, select

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxServer, pos_settings
from backends.sandbox.keys import SandboxKeys
from backends.sandbox.magic import Scenario, make_code
from backends.sandbox.settings_v3 import pos_settings_v3
from backends.wiring import build_gateways
from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.domain.payment_states import FINAL_STATES
from pos_app.persistence.models import OrderRow, PaymentAttemptRow
from pos_app.persistence.repositories.payment_refunds import PAYMENTS
from pos_app.services.payment_views import AttemptView, CancelView
from pos_app.services.payments import PaymentService

PRICE = "12.34"
READ_TIMEOUT_S = 1.5
WECHAT, ALIPAY = Provider.WECHAT_PAY, Provider.ALIPAY


def gateways_for(url: str, keys: SandboxKeys, wechat_api: str = "v2") -> PaymentRouter:
    """The terminal's gateways to the sandbox at ``url``; WeChat Pay on API v2 or v3."""
    if wechat_api == "v3":
        return build_gateways(pos_settings_v3(url, keys, read_timeout_s=READ_TIMEOUT_S))
    return build_gateways(pos_settings(url, keys, read_timeout_s=READ_TIMEOUT_S))


def a_dead_url() -> str:
    """A loopback URL nobody listens on: every call is refused (the network is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def a_shop(engine: Engine) -> BuiltProduct:
    a_store(engine)
    return a_product(engine, name="五常大米 1kg", price=PRICE, stock=1000)


@dataclass
class Till:
    """One terminal: its core, the FixedClock it runs on, and the sandbox it pays through.
    ``tick`` moves both clocks together, so provider deadlines and ours agree."""

    core: Core
    engine: Engine
    clock: FixedClock
    sandbox: SandboxServer
    item: BuiltProduct

    @classmethod
    def build(
        cls,
        engine: Engine,
        folder: Path,
        clock: FixedClock,
        sandbox: SandboxServer,
        gateways: PaymentRouter,
        item: BuiltProduct,
    ) -> Till:
        core = build_core(
            parse_config({}, data_dir=folder),
            bus=EventBus(),
            clock=clock,
            printer=None,
            engine=engine,
            gateways=gateways,
        )
        return cls(core, engine, clock, sandbox, item)

    @property
    def payments(self) -> PaymentService:
        assert self.core.payments is not None
        return self.core.payments

    def cart(self, items: int = 1) -> str:
        cart_id = self.core.checkout.open_cart("user-1").id
        for _ in range(items):
            self.core.checkout.scan(cart_id, self.item.barcode)
        return cart_id

    def tick(self, seconds: float) -> None:
        self.clock.advance(timedelta(seconds=seconds))
        self.sandbox.advance(seconds)

    def pay(
        self,
        cart_id: str,
        provider: Provider,
        scenario: Scenario = Scenario.PAYS_AT_ONCE,
        param: int = 0,
        amount: Money | None = None,
    ) -> AttemptView:
        return self.payments.pay_by_code(cart_id, make_code(provider, scenario, param), amount)

    def settle(
        self, view: AttemptView, limit: int = 60, until: Callable[[AttemptView], bool] | None = None
    ) -> AttemptView:
        """``advance`` as the UI would, jumping both clocks to each next due step, until the
        attempt is final (or ``until`` says stop)."""
        for _ in range(limit):
            if view.final or (until is not None and until(view)):
                return view
            if view.next_check_in_s > 0:
                self.tick(math.ceil(view.next_check_in_s * 1000) / 1000)
            view = self.payments.advance(view.id)
        raise AssertionError(f"still not final after {limit} steps: {view}")

    def cancel(self, cart_id: str, limit: int = 60) -> CancelView:
        view = self.payments.cancel_sale(cart_id)
        for _ in range(limit):
            if view.done:
                return view
            self.tick(max(0.5, math.ceil(view.next_check_in_s * 1000) / 1000))
            view = self.payments.cancel_sale(cart_id)
        raise AssertionError(f"cancelling never finished: {view}")


def assert_money_safe(engine: Engine, sandbox: SandboxServer) -> int:
    """The acceptance invariants; returns how many attempts were checked."""
    assert sandbox.ledger.double_charges() == []
    attempts = PaymentAttemptRow.__table__
    with engine.connect() as c:
        rows = c.execute(select(attempts.c.out_trade_no, attempts.c.state)).all()
        kept = {
            r.out_trade_no: r.amount_fen
            for r in c.execute(
                select(PAYMENTS.c.out_trade_no, PAYMENTS.c.amount_fen)
                .join(OrderRow, OrderRow.id == PAYMENTS.c.order_id)
                .where(OrderRow.status == "completed", PAYMENTS.c.out_trade_no.is_not(None))
            )
        }
    finals = {state.value for state in FINAL_STATES}
    assert [r for r in rows if r.state not in finals] == [], "an attempt is not final"
    for row in rows:
        net = sandbox.ledger.net_fen(row.out_trade_no)
        expected = kept.get(row.out_trade_no, 0)
        assert net == expected, (
            f"{row.out_trade_no} ({row.state}): provider kept {net} fen, "
            f"the till's completed sales say {expected}"
        )
    return len(rows)


def sale_tenders(engine: Engine, cart_id: str) -> list[tuple[str, str | None, int]]:
    """(method, provider, fen) of a completed sale's payment rows."""
    with engine.connect() as c:
        rows = c.execute(
            select(PAYMENTS.c.method, PAYMENTS.c.provider, PAYMENTS.c.amount_fen)
            .where(PAYMENTS.c.order_id == cart_id)
            .order_by(PAYMENTS.c.method)
        ).all()
    return [(r.method, r.provider, r.amount_fen) for r in rows]


def order_status(engine: Engine, cart_id: str) -> str:
    with engine.connect() as c:
        return str(c.execute(select(OrderRow.status).where(OrderRow.id == cart_id)).scalar_one())

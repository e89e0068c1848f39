"""A terminal process for payment crash tests: builds the core the app builds (gateways to the
sandbox at the given URL, keys from the given folder) on a FixedClock, then obeys commands on
stdin, one per line, answering "ok ..." after each committed step.

    open                   -> ok <cart id>
    scan <barcode>         -> ok <total fen>
    pay <code>             -> ok <attempt id> <state>
    abort <attempt id>     -> ok <state>

POS_PAY_CRASH_AT makes the process SIGKILL itself, the way a power cut would:
    after_new_insert   inside the attempt's first transaction, right after its INSERT
    before_pay_call    after SUBMITTING is committed, as the pay call is about to leave
    in_sale_commit     after PAID is committed, inside the sale's transaction
Other states (during the pay call, POLLING, REVERSING) are killed from outside by the test.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from backends.payments.router import PaymentRouter
from backends.sandbox import pos_settings
from backends.sandbox.keys import SandboxKeys
from backends.wiring import build_gateways
from pos_app.bootstrap import build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.domain.payment_codes import PaymentCode, Provider
from pos_app.persistence.db import make_engine
from pos_app.ports.payments import GatewayResult, PaymentGateway, PayRequest

READ_TIMEOUT_S = 30.0  # longer than the slow replies the tests kill us in the middle of


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def crash_in_sql(marker: str) -> None:
    """SIGKILL right after the first statement containing ``marker`` (uncommitted)."""
    original = Session.execute

    def execute(self: Session, statement: object, *args: object, **kwargs: object) -> object:
        result = original(self, statement, *args, **kwargs)  # type: ignore[arg-type]
        if marker in str(statement):
            die()
        return result

    Session.execute = execute  # type: ignore[method-assign,assignment]


class DiesOnPay:
    """A gateway directory whose gateways die as the pay call is about to leave."""

    def __init__(self, router: PaymentRouter) -> None:
        self._router = router

    @property
    def providers(self) -> frozenset[Provider]:
        return self._router.providers

    def route(self, text: str) -> PaymentCode:
        return self._router.route(text)

    def for_provider(self, provider: Provider) -> PaymentGateway:
        gateway = self._router.for_provider(provider)

        class Dying:
            def __getattr__(self, name: str) -> object:
                return getattr(gateway, name)

            def pay(self, request: PayRequest) -> GatewayResult:
                die()
                raise AssertionError("unreachable")

        return Dying()  # type: ignore[return-value]


def main() -> None:
    url, data_dir, sandbox_url, keys_dir, start = sys.argv[1:6]
    router = build_gateways(
        pos_settings(sandbox_url, SandboxKeys(Path(keys_dir)), read_timeout_s=READ_TIMEOUT_S)
    )
    point = os.environ.get("POS_PAY_CRASH_AT", "")
    gateways = DiesOnPay(router) if point == "before_pay_call" else router
    if point == "after_new_insert":
        crash_in_sql("INSERT INTO payment_attempts")
    elif point == "in_sale_commit":
        crash_in_sql("INSERT INTO payments")
    clock = FixedClock(datetime.fromisoformat(start))
    core = build_core(
        parse_config({}, data_dir=Path(data_dir)),
        bus=EventBus(),
        clock=clock,
        printer=None,
        engine=make_engine(url),
        gateways=gateways,
    )
    assert core.payments is not None
    cart_id = ""
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "open":
            cart_id = core.checkout.open_cart("user-1").id
            print(f"ok {cart_id}", flush=True)
        elif command == "scan":
            print(f"ok {core.checkout.scan(cart_id, argument).total.fen}", flush=True)
        elif command == "pay":
            view = core.payments.pay_by_code(cart_id, argument)
            print(f"ok {view.id} {view.state}", flush=True)
        elif command == "abort":
            print(f"ok {core.payments.abort(argument).state}", flush=True)


if __name__ == "__main__":
    main()

"""SIGKILL a terminal at each state of a payment attempt, restart it on the same database and
sandbox, and let ``resolve_in_flight`` (then the UI's ``advance``) settle what was left:
nobody charged twice, nothing kept without a completed sale, every attempt final."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from builders import BuiltProduct
from payment_faults import Till, assert_money_safe, order_status
from sqlalchemy import Engine, select

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxServer
from backends.sandbox.magic import Scenario, make_code
from pos_app.clock import FixedClock
from pos_app.domain.payment_codes import Provider
from pos_app.persistence.models import PaymentAttemptRow
from pos_app.services.payment_views import PaymentOutcome

# The killed terminal is a subprocess building its own (v2) gateways; what is killed here is
# the service and its database, which do not depend on the wire protocol: WeChat Pay v3 runs
# every other fault module.
WALLETS = ("wechat", "alipay")
DRIVER = Path(__file__).with_name("payment_driver.py")
ROOT = Path(__file__).resolve().parents[2]
Out = PaymentOutcome


class Terminal:
    """The driver process; ``ask`` sends one command and waits for its "ok"."""

    def __init__(
        self, url: str, data_dir: Path, sandbox: SandboxServer, start: datetime, crash_at: str
    ) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
            "POS_PAY_CRASH_AT": crash_at,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(DRIVER),
                url,
                str(data_dir),
                sandbox.url,
                str(sandbox.keys.folder),
                start.isoformat(),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def ask(self, command: str) -> str:
        self.send(command)
        assert self.process.stdout is not None
        answer = self.process.stdout.readline().strip()
        assert answer.startswith("ok"), f"{command!r} answered {answer!r}"
        return answer[3:]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=10) == -signal.SIGKILL

    def killed_itself(self) -> None:
        assert self.process.wait(timeout=20) == -signal.SIGKILL


@dataclass(frozen=True)
class Kill:
    crash_at: str  # the driver kills itself there; "" = the test kills it
    scenario: Scenario
    param: int
    stored: list[str]  # attempt states in the database when it died
    outcome: PaymentOutcome | None  # how the attempt ends after the restart


KILLS = {
    "new_attempt_not_committed": Kill("after_new_insert", Scenario.PAYS_AT_ONCE, 0, [], None),
    "submitting_before_the_call": Kill(
        "before_pay_call", Scenario.PAYS_AT_ONCE, 0, ["submitting"], Out.CANCELLED
    ),
    "submitting_during_the_call": Kill("", Scenario.SLOW_REPLY, 20, ["submitting"], Out.PAID),
    "polling": Kill("", Scenario.PASSWORD_THEN_PAYS, 30, ["polling"], Out.PAID),
    "reversing": Kill("", Scenario.PASSWORD_NEVER, 0, ["reversing"], Out.CANCELLED),
    "paid_before_the_sale_committed": Kill(
        "in_sale_commit", Scenario.PAYS_AT_ONCE, 0, ["paid"], Out.PAID
    ),
}


def _states(engine: Engine) -> list[str]:
    with engine.connect() as c:
        return list(c.execute(select(PaymentAttemptRow.state)).scalars())


def _wait_for_the_charge(engine: Engine, sandbox: SandboxServer) -> None:
    """The pay call is out and the provider has charged: the reply is what is missing."""
    for _ in range(400):
        with engine.connect() as c:
            number = c.execute(select(PaymentAttemptRow.out_trade_no)).scalar()
        if number is not None and sandbox.ledger.charged_fen(number) > 0:
            return
        time.sleep(0.01)
    raise AssertionError("the sandbox never charged")


def _kill_at(
    kill: Kill, terminal: Terminal, code: str, engine: Engine, sandbox: SandboxServer
) -> None:
    if kill.crash_at:
        terminal.send(f"pay {code}")
        terminal.killed_itself()
    elif kill.scenario is Scenario.SLOW_REPLY:
        terminal.send(f"pay {code}")
        _wait_for_the_charge(engine, sandbox)
        terminal.kill()
    else:
        attempt_id, state = terminal.ask(f"pay {code}").split()
        assert state == "polling"
        if kill.stored == ["reversing"]:
            assert terminal.ask(f"abort {attempt_id}") == "reversing"
        terminal.kill()


@pytest.mark.parametrize("kill", list(KILLS.values()), ids=list(KILLS))
def test_a_till_killed_at_each_state_of_a_payment_settles_it_after_a_restart(
    engine: Engine,
    item: BuiltProduct,
    db_url: str,
    tmp_path: Path,
    clock: FixedClock,
    sandbox: SandboxServer,
    router: PaymentRouter,
    provider: Provider,
    kill: Kill,
) -> None:
    terminal = Terminal(db_url, tmp_path, sandbox, clock.now(), kill.crash_at)
    cart_id = terminal.ask("open")
    terminal.ask(f"scan {item.barcode}")

    _kill_at(kill, terminal, make_code(provider, kill.scenario, kill.param), engine, sandbox)

    assert _states(engine) == kill.stored
    assert order_status(engine, cart_id) == "open"
    restarted = Till.build(engine, tmp_path, clock, sandbox, router, item)
    report = restarted.payments.resolve_in_flight()
    views = [*report.settled, *(restarted.settle(v) for v in report.still_open)]
    if kill.outcome is None:  # nothing was stored or sent: the till simply takes the payment
        assert views == [] and report.sales_completed == ()
        views = [restarted.settle(restarted.pay(cart_id, provider))]
    if kill.stored == ["paid"]:  # nothing left running: the sale is completed at start-up
        assert views == [] and [s.id for s in report.sales_completed] == [cart_id]
    else:
        assert [v.outcome for v in views] == [kill.outcome or Out.PAID]
    paid = kill.outcome in (Out.PAID, None)
    assert order_status(engine, cart_id) == ("completed" if paid else "open")
    assert_money_safe(engine, sandbox)

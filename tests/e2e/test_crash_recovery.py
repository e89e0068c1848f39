"""SIGKILL a terminal process mid-sale: the open cart comes back, and a sale killed during
its commit is there whole (order, payment, stock, audit) or not at all."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import a_core, a_product, a_store, stock_of
from sqlalchemy import Engine, func, select

from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.domain.audit import verify_chain
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import AuditRow, OrderLineRow, OrderRow, PaymentRow
from pos_app.persistence.repositories.journal import AuditLog

DRIVER = Path(__file__).with_name("crash_driver.py")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


class Terminal:
    """The driver process; ``ask`` sends one command and waits for its "ok"."""

    def __init__(self, url: str, data_dir: Path, crash_at: str | None = None) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
        if crash_at:
            env["POS_CRASH_AT"] = crash_at
        self.process = subprocess.Popen(
            [sys.executable, str(DRIVER), url, str(data_dir)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env=env)

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
        self.process.wait(timeout=10)


@pytest.fixture
def shop(engine: Engine) -> Engine:
    a_store(engine)
    return engine


def rows(engine: Engine, table: type, **where: str) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(getattr(table, column) == value)
    with engine.connect() as c:
        return int(c.execute(query).scalar_one())


def test_open_cart_comes_back_after_the_process_is_killed(
        shop: Engine, db_url: str, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    chips = a_product(shop, name="乐事薯片 原味 70g", price="7.50")
    terminal = Terminal(db_url, tmp_path)
    cart_id = terminal.ask("open")
    terminal.ask(f"scan {cola.barcode}")
    terminal.ask(f"scan {chips.barcode}")
    assert terminal.ask(f"scan {cola.barcode}") == "3 1450"
    terminal.kill()

    restarted = a_core(shop, tmp_path, bus=bus, clock=clock)
    cart = restarted.checkout.open_cart("user-1")

    assert cart.id == cart_id
    assert [(line.name, line.quantity) for line in cart.lines] == [
        ("可口可乐 330ml", 1), ("乐事薯片 原味 70g", 1), ("可口可乐 330ml", 1)]
    assert cart.total.fen == 14_50


@pytest.mark.parametrize("crash_at",
                         ["after_payment_insert", "after_stock_update", "before_commit"])
def test_a_sale_killed_inside_its_commit_is_absent_and_its_cart_still_open(
        shop: Engine, db_url: str, tmp_path: Path, crash_at: str, bus: EventBus,
        clock: FixedClock) -> None:
    water = a_product(shop, name="农夫山泉 550ml", price="2.00", stock=10)
    terminal = Terminal(db_url, tmp_path, crash_at=crash_at)
    cart_id = terminal.ask("open")
    terminal.ask(f"scan {water.barcode}")
    terminal.send("pay 200")
    assert terminal.process.wait(timeout=20) == -signal.SIGKILL

    assert rows(shop, PaymentRow) == 0 and rows(shop, AuditRow) == 0
    assert rows(shop, OrderRow, status="completed") == 0
    assert stock_of(shop, water.id) == 10
    restarted = a_core(shop, tmp_path, bus=bus, clock=clock)
    cart = restarted.checkout.open_cart("user-1")
    assert cart.id == cart_id and cart.total.fen == 2_00
    sale = restarted.sales.pay_cash(cart.id, cart.total)
    assert sale.order_number.endswith("-0001")


def test_sales_killed_at_random_moments_are_each_whole_or_absent(
        shop: Engine, db_url: str, tmp_path: Path) -> None:
    water = a_product(shop, name="农夫山泉 550ml", price="2.00", stock=10_000)
    chance = random.Random(20261124)
    for _ in range(4):
        terminal = Terminal(db_url, tmp_path)
        terminal.send(f"loop {water.barcode}")
        assert terminal.process.stdout is not None
        terminal.process.stdout.readline()  # at least one sale went through
        time.sleep(chance.uniform(0.0, 0.3))
        terminal.kill()

    completed = rows(shop, OrderRow, status="completed")
    assert completed >= 4
    assert rows(shop, PaymentRow) == completed
    with shop.connect() as c:
        pieces, amount = c.execute(
            select(func.sum(OrderLineRow.quantity), func.sum(OrderLineRow.amount_fen))
            .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
            .where(OrderRow.status == "completed", OrderLineRow.voided.is_(False))).one()
        paid = c.execute(select(func.sum(PaymentRow.amount_fen))).scalar_one()
    # A kill between a scan and its payment leaves an open cart that the next run resumes,
    # so a sale may hold more than one piece: count pieces, not sales.
    assert stock_of(shop, water.id) == 10_000 - pieces
    assert paid == amount == pieces * 2_00
    with make_session_factory(shop)() as session:
        entries = list(AuditLog(session).entries())
    assert len(entries) == 2 * completed
    assert verify_chain(entries) is None

"""A whole cash sale through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import a_core, a_product, a_store, stock_of
from sqlalchemy import Engine, func, select

from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.domain.audit import verify_chain
from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.events import SaleCompleted
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import AuditRow, EventRow, OrderRow, PaymentRow
from pos_app.persistence.repositories.journal import AuditLog


@pytest.fixture
def store(engine: Engine) -> Engine:
    a_store(engine)
    return engine


def count(engine: Engine, table: type) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def test_cash_sale_commits_order_payment_stock_event_and_audit(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    cola = a_product(store, name="可口可乐 330ml", price="3.50", stock=10)
    chips = a_product(store, name="乐事薯片 原味 70g", price="7.50", stock=5)
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    completed: list[SaleCompleted] = []
    bus.subscribe(SaleCompleted, completed.append)

    cart = core.checkout.open_cart("user-1")
    core.checkout.scan(cart.id, cola.barcode)
    core.checkout.scan(cart.id, cola.barcode)
    view = core.checkout.scan(cart.id, chips.barcode)
    assert view.total == Money(14_50)
    assert [(line.name, line.quantity) for line in view.lines] == [
        ("可口可乐 330ml", 2), ("乐事薯片 原味 70g", 1)]

    sale = core.sales.pay_cash(cart.id, Money(20_00))

    assert sale.change == Money(5_50)
    assert sale.order_number == "T01-20261124-0001"
    with store.connect() as c:
        order = c.execute(select(OrderRow).where(OrderRow.id == cart.id)).one()
        payment = c.execute(select(PaymentRow).where(PaymentRow.order_id == cart.id)).one()
    assert (order.status, order.total_fen, order.paid_fen, order.change_fen) == (
        "completed", 14_50, 14_50, 5_50)
    assert (payment.method, payment.amount_fen, payment.tendered_fen) == ("cash", 14_50, 20_00)
    assert stock_of(store, cola.id) == 8 and stock_of(store, chips.id) == 4
    assert completed == [SaleCompleted(cart.id, sale.order_number, Money(14_50), Money(5_50))]
    with make_session_factory(store)() as session:
        entries = list(AuditLog(session).entries())
    assert [e.action for e in entries] == ["sale.completed", "drawer.opened"]
    assert verify_chain(entries) is None
    with store.connect() as c:
        kinds = c.execute(select(EventRow.kind).order_by(EventRow.id)).scalars().all()
    assert kinds.count("item.scanned") == 3 and kinds[-1] == "sale.completed"


def test_too_little_cash_is_refused_and_nothing_is_written(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    cart = core.checkout.open_cart("user-1")
    core.checkout.scan(cart.id, water.barcode)
    payments, audits = count(store, PaymentRow), count(store, AuditRow)

    with pytest.raises(UserError) as refused:
        core.sales.pay_cash(cart.id, Money(1_50))

    assert refused.value.code == "payment.not_enough_cash"
    assert (count(store, PaymentRow), count(store, AuditRow)) == (payments, audits)
    assert core.checkout.current(cart.id).total == Money(2_00)


def test_a_paid_cart_cannot_be_paid_twice(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    cart = core.checkout.open_cart("user-1")
    core.checkout.scan(cart.id, water.barcode)
    core.sales.pay_cash(cart.id, Money(2_00))

    with pytest.raises(UserError) as refused:
        core.sales.pay_cash(cart.id, Money(2_00))

    assert refused.value.code == "cart.not_open"
    assert count(store, PaymentRow) == 1


def test_order_numbers_count_up_per_terminal_and_day(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    numbers = []
    for _ in range(3):
        cart = core.checkout.open_cart("user-1")
        core.checkout.scan(cart.id, water.barcode)
        numbers.append(core.sales.pay_cash(cart.id, Money(2_00)).order_number)
    assert numbers == ["T01-20261124-0001", "T01-20261124-0002", "T01-20261124-0003"]

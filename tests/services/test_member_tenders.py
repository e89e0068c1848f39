"""Points, stored value and a bank card as tenders of one sale, on SQLite and PostgreSQL;
two tills paying from one stored-value account at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from builders import a_core, a_product, a_store
from sqlalchemy import Engine, insert, select, text

from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.persistence.models import PaymentRow, TerminalRow
from pos_app.services.tendering import OtherTenders


@pytest.fixture
def store(engine: Engine) -> Engine:
    a_store(engine)
    return engine


def a_member_with(core: Core, *, stored: str = "0", points: int = 0) -> str:
    member = core.members.join("13812345678", "李刚")
    if stored != "0":
        core.members.top_up(member.id, Money.parse(stored), cashier_id="user-1")
    if points:
        with core.engine.begin() as c:
            c.execute(text("UPDATE members SET points = :p WHERE id = :m"),
                      {"p": points, "m": member.id})
    return member.id


def a_cart_for(core: Core, member_id: str, barcode: str, times: int) -> str:
    cart = core.checkout.open_cart("user-1")
    core.checkout.set_member(cart.id, member_id)
    for _ in range(times):
        core.checkout.scan(cart.id, barcode)
    return cart.id


def payments(engine: Engine, order_id: str) -> list[tuple[str, int, int, str | None, int]]:
    with engine.connect() as c:
        rows = c.execute(select(PaymentRow.method, PaymentRow.amount_fen, PaymentRow.tendered_fen,
                                PaymentRow.reference, PaymentRow.points)
                         .where(PaymentRow.order_id == order_id)
                         .order_by(PaymentRow.method)).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_stored_value_then_cash_for_the_rest_with_change(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    rice = a_product(store, name="五常大米 5kg", price="80.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    member = a_member_with(core, stored="50.00")
    cart = a_cart_for(core, member, rice.barcode, 1)

    sale = core.sales.complete(cart, cash=Money(40_00),
                               others=OtherTenders(stored_value=Money(50_00)))

    assert sale.change == Money(10_00)
    assert payments(store, cart) == [("cash", 30_00, 40_00, None, 0),
                                     ("stored_value", 50_00, 50_00, member, 0)]
    assert core.members.summary(member).stored_value == Money(0)


def test_stored_value_beyond_the_balance_refuses_the_sale_and_takes_nothing(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    rice = a_product(store, name="五常大米 5kg", price="80.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    member = a_member_with(core, stored="50.00")
    cart = a_cart_for(core, member, rice.barcode, 1)
    with store.begin() as c:  # another till spent 30 of it a moment ago
        c.execute(text("UPDATE members SET stored_value_fen = 2000 WHERE id = :m"), {"m": member})

    with pytest.raises(UserError) as refused:
        core.sales.complete(cart, cash=Money(40_00),
                            others=OtherTenders(stored_value=Money(50_00)))

    assert refused.value.code == "stored_value.insufficient"
    assert refused.value.params == {"balance": "20.00", "missing": "30.00"}
    assert payments(store, cart) == []
    assert core.checkout.current(cart).status == "open"  # the cashier takes another tender
    sale = core.sales.complete(cart, cash=Money(100_00))
    assert sale.change == Money(20_00)


def test_points_pay_in_whole_steps_and_earn_nothing_on_what_they_paid(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    tea = a_product(store, name="东方树叶 500ml", price="5.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    member = a_member_with(core, points=1_250)
    cart = a_cart_for(core, member, tea.barcode, 4)  # ¥20.00

    core.sales.complete(cart, cash=Money(10_00), others=OtherTenders(points=1_250))

    # 1,250 points buy ¥12 (100 points a yuan, whole steps); ¥8 in cash earns 8 points
    assert payments(store, cart) == [("cash", 8_00, 10_00, None, 0),
                                     ("points", 12_00, 12_00, member, 1_200)]
    assert core.members.summary(member).points == 1_250 - 1_200 + 8


def test_a_card_payment_needs_the_terminals_approval_code(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    tea = a_product(store, name="东方树叶 500ml", price="5.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    cart = core.checkout.open_cart("user-1")
    core.checkout.scan(cart.id, tea.barcode)
    with pytest.raises(UserError) as refused:
        core.sales.complete(cart.id, others=OtherTenders(card=(Money(5_00), "12")))
    assert refused.value.code == "payment.bad_approval_code"
    core.sales.complete(cart.id, others=OtherTenders(card=(Money(5_00), "a1b2c3")))
    assert payments(store, cart.id) == [("bank_card", 5_00, 5_00, "A1B2C3", 0)]


def test_two_tills_paying_from_one_account_at_once_one_is_refused(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    rice = a_product(store, name="五常大米 5kg", price="80.00")
    with store.begin() as c:
        store_id = c.execute(text("SELECT store_id FROM terminals WHERE code = 'T01'")).scalar()
        c.execute(insert(TerminalRow).values(id="t2", store_id=store_id, code="T02", name=""))
    tills = [a_core(store, tmp_path, bus=bus, clock=clock),
             build_core(parse_config({"terminal": {"code": "T02"}}, data_dir=tmp_path),
                        bus=EventBus(), clock=clock, printer=None, engine=store)]
    member = a_member_with(tills[0], stored="100.00")
    for _ in range(5):
        carts = [a_cart_for(till, member, rice.barcode, 1) for till in tills]
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def pay(till: Core, cart: str, start: threading.Barrier = start,
                outcomes: list[str] = outcomes) -> None:
            start.wait()
            try:
                till.sales.complete(cart, others=OtherTenders(stored_value=Money(80_00)))
                outcomes.append("paid")
            except UserError as error:
                outcomes.append(error.code)

        pairs = zip(tills, carts, strict=True)
        threads = [threading.Thread(target=pay, args=pair) for pair in pairs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == ["paid", "stored_value.insufficient"]
        with store.connect() as c:
            balance = c.execute(text("SELECT stored_value_fen FROM members WHERE id = :m"),
                                {"m": member}).scalar()
            ledger = c.execute(text(
                "SELECT SUM(CASE WHEN kind = 'pay' THEN -amount_fen ELSE amount_fen END) "
                "FROM stored_value_ledger WHERE member_id = :m"), {"m": member}).scalar()
        assert balance == 20_00 and ledger == balance
        # the refused cart pays cash; a top-up for the next round
        for till, cart in zip(tills, carts, strict=True):
            if core_open(till, cart):
                till.sales.complete(cart, cash=Money(80_00))
        tills[0].members.top_up(member, Money(80_00), cashier_id="user-1")


def core_open(core: Core, cart_id: str) -> bool:
    return core.checkout.current(cart_id).status == "open"

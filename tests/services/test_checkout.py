"""Scanning into the open cart, and what a bad scan or a wrong PIN leaves behind: nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import a_core, a_product, a_store
from sqlalchemy import Engine, func, select, text

from pos_app.bootstrap import Core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.domain.money import Money
from pos_app.domain.scan_codes import check_digit
from pos_app.errors import UserError
from pos_app.events import CustomerViewChanged, ItemScanned
from pos_app.persistence.models import Base


@pytest.fixture
def shop(engine: Engine) -> Engine:
    a_store(engine)
    return engine


@pytest.fixture
def core(shop: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> Core:
    return a_core(shop, tmp_path, bus=bus, clock=clock)


def snapshot(engine: Engine) -> dict[str, int]:
    """Row counts of every table: a change anywhere shows up."""
    with engine.connect() as c:
        return {name: int(c.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in Base.metadata.tables.items()}


def test_a_scan_publishes_the_item_and_the_customer_view_after_commit(
        shop: Engine, core: Core, bus: EventBus) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    seen: list[object] = []
    bus.subscribe(ItemScanned, seen.append)
    bus.subscribe(CustomerViewChanged, lambda e: seen.append(e.view))
    cart = core.checkout.open_cart("user-1")
    seen.clear()

    view = core.checkout.scan(cart.id, f" {cola.barcode}\r\n")

    assert view.total == Money(3_50) and view.last_line_id == view.lines[0].id
    assert isinstance(seen[0], ItemScanned) and seen[0].name == "可口可乐 330ml"
    assert seen[1].total == Money(3_50)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("scanned", "code"), [
    ("6901234567892", "scan.unknown_barcode"),
    ("6901234567893", "scan.bad_check_digit"),
    ("12345678901234567890123", "scan.unknown_format"),
    ("", "scan.empty"),
])
def test_a_bad_scan_says_why_and_changes_nothing(
        shop: Engine, core: Core, scanned: str, code: str) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    cart = core.checkout.open_cart("user-1")
    core.checkout.scan(cart.id, cola.barcode)
    before = snapshot(shop)

    with pytest.raises(UserError) as refused:
        core.checkout.scan(cart.id, scanned)

    assert refused.value.code == code
    assert snapshot(shop) == before
    assert core.checkout.current(cart.id).total == Money(3_50)


def test_a_wrong_pin_says_so_changes_nothing_and_locks_after_five(
        shop: Engine, core: Core) -> None:
    before = snapshot(shop)
    for left in (4, 3, 2, 1):
        with pytest.raises(UserError) as refused:
            core.staff.login("1001", "0000")
        assert (refused.value.code, refused.value.params) == ("auth.wrong_pin", {"left": left})
    with pytest.raises(UserError) as locked:
        core.staff.login("1001", "0000")
    assert locked.value.code == "auth.locked"
    with pytest.raises(UserError):
        core.staff.login("1001", "1234")  # even the right PIN, until a manager logs in
    assert snapshot(shop) == before
    core.staff.login("9001", "9999")
    assert core.staff.login("1001", "1234").name == "王芳"


def test_weighed_label_and_plu_lines(shop: Engine, core: Core) -> None:
    a_product(shop, name="红富士苹果", price="12.80", weighed=True, plu="101")
    cart = core.checkout.open_cart("user-1")
    # cn-price preset: "2" + 6-digit PLU + 5-digit price in fen + check digit
    body = "2" + "000101" + "00681"
    view = core.checkout.scan(cart.id, body + str(check_digit(body)))
    assert [(line.name, line.amount) for line in view.lines] == [("红富士苹果", Money(6_81))]
    with pytest.raises(UserError) as refused:
        core.checkout.scan(cart.id, "101")
    assert refused.value.code == "cart.needs_weight"


def test_quantity_void_suspend_and_resume(shop: Engine, core: Core) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    chips = a_product(shop, name="乐事薯片 原味 70g", price="7.50")
    cart = core.checkout.open_cart("user-1")
    core.checkout.scan(cart.id, cola.barcode)
    view = core.checkout.scan(cart.id, chips.barcode)
    view = core.checkout.set_quantity(cart.id, view.lines[0].id, 6)
    assert view.total == Money(6 * 3_50 + 7_50)
    view = core.checkout.void_line(cart.id, view.lines[1].id)
    assert view.total == Money(21_00) and len(view.lines) == 1

    fresh = core.checkout.suspend(cart.id)
    assert fresh.id != cart.id and fresh.empty
    parked = core.checkout.suspended_carts()
    assert [(p.id, p.total) for p in parked] == [(cart.id, Money(21_00))]

    back = core.checkout.resume(fresh.id, cart.id)
    assert back.id == cart.id and back.total == Money(21_00)
    assert core.checkout.suspended_carts() == []


def test_search_finds_products_by_pinyin_initials_and_name(shop: Engine, core: Core) -> None:
    a_product(shop, name="可口可乐 330ml", price="3.50")
    with shop.begin() as c:
        c.execute(text("UPDATE products SET pinyin = 'kkkl330ml' WHERE name = '可口可乐 330ml'"))
    assert [p.name for p in core.checkout.search_products("kkkl")] == ["可口可乐 330ml"]
    assert [p.name for p in core.checkout.search_products("可乐")] == ["可口可乐 330ml"]
    assert core.checkout.search_products("%") == []


def test_a_gs1_code_adds_its_product_and_expired_goods_are_refused(
        shop: Engine, core: Core) -> None:
    milk = a_product(shop, name="伊利 纯牛奶 250ml", price="3.00")
    cart = core.checkout.open_cart("user-1")
    view = core.checkout.scan(cart.id, f"(01)0{milk.barcode}(17)261231(10)B42")
    assert [line.name for line in view.lines] == ["伊利 纯牛奶 250ml"]
    before = snapshot(shop)
    with pytest.raises(UserError) as refused:
        core.checkout.scan(cart.id, f"(01)0{milk.barcode}(17)261001(10)B41")
    assert (refused.value.code, refused.value.params) == ("scan.expired_goods",
                                                          {"date": "2026-10-01"})
    assert snapshot(shop) == before

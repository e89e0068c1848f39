"""F7 with a receipt printer: the order code goes on the customer display and on an order slip
(store, order, lines, total, until when, the QR), read back from the real ESC/POS bytes of the
file printer; the printed QR loads the order at another till (OrderCodeService verifies it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CASHIER, type_login
from escpos_decode import decode
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from hardware.wiring import build_printer
from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import PrinterConfig, parse_config
from pos_app.events import PrintJobFinished
from pos_app.i18n import Catalog
from pos_app.persistence.demo_store import KNOWN_PRODUCTS, seed_demo_store
from pos_app.services.order_codes import LIFETIME
from ui.cashier.cashier_window import CashierWindow
from ui.event_bridge import EventBridge
from ui.formatting import local_time
from ui.input.scan_filter import ScanEventFilter
from ui.tasks import TaskRunner

COLA = next(p for p in KNOWN_PRODUCTS if p.sku == "S0000001")


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    return tmp_path / "paper.escpos"


@pytest.fixture
def printer(paper: Path, bus: EventBus, catalog: Catalog, tmp_path: Path) -> Iterator[Any]:
    device = build_printer(PrinterConfig(path=str(paper)), bus, catalog, tmp_path)
    yield device
    device.close()  # type: ignore[union-attr]


@pytest.fixture
def printing_core(sqlite_engine: Engine, bus: EventBus, clock: FixedClock, tmp_path: Path,
                  printer: Any) -> Core:
    seed_demo_store(sqlite_engine, products=len(KNOWN_PRODUCTS), members=0, now=clock.now())
    return build_core(parse_config({}, data_dir=tmp_path), bus=bus, clock=clock,
                      printer=printer, engine=sqlite_engine)


def test_f7_prints_an_order_slip_whose_qr_loads_the_order_at_another_till(
        qtbot: QtBot, printing_core: Core, sqlite_engine: Engine, tasks: TaskRunner,
        bridge: EventBridge, scan_filter: ScanEventFilter, catalog: Catalog, bus: EventBus,
        clock: FixedClock, tmp_path: Path, paper: Path) -> None:
    core = printing_core
    window = CashierWindow(
        checkout=core.checkout, sales=core.sales, staff=core.staff, printing=core.printing,
        tasks=tasks, bridge=bridge, scan_filter=scan_filter, catalog=catalog,
        store_name=core.store.name, terminal_code=core.site.terminal_code,
        time_zone=core.store.time_zone, order_codes=core.order_codes)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    type_login(qtbot, window, CASHIER.staff_no, CASHIER.pin)
    screen = window.sale_screen
    qtbot.waitUntil(lambda: screen.cart_view is not None)
    for _ in range(2):
        scan_filter.scanned.emit(str(COLA.barcode))
        qtbot.waitUntil(lambda: not screen.busy)
    cart = screen.cart_view
    assert cart is not None and cart.total.fen == 2 * COLA.price_fen - COLA.price_fen // 2
    finished: list[PrintJobFinished] = []
    bus.subscribe(PrintJobFinished, finished.append)

    screen.actions_by_key["F7"].trigger()
    qtbot.waitUntil(lambda: "打印" in screen.status_text())
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)

    assert finished[0].ok
    assert screen.status_text() == (
        f"订单码已显示在顾客屏并打印：¥{cart.total.yuan_text()}，15 分钟内有效")
    slip = decode(paper.read_bytes(), "gb18030")
    text = slip.all_text
    assert core.store.name in text and f"单号：{cart.id}" in text
    assert COLA.name in text and f"￥{cart.total.yuan_text()}" in text
    expiry = local_time(clock.now() + LIFETIME, core.store.time_zone)
    assert f"请在 {expiry} 前扫描下方订单码付款" in text.replace("\n", "")
    assert "现金" not in text and "找零" not in text  # nothing was paid
    assert "订单（未付款）" in text and "扫码付款" in text
    assert "销售小票" not in text and "电子小票" not in text
    assert not slip.drawer_kicks  # a slip never opens the drawer
    [qr] = slip.qr_codes

    counter = build_core(parse_config({"terminal": {"code": "T02"}}, data_dir=tmp_path),
                         bus=EventBus(), clock=clock, printer=None, engine=sqlite_engine)
    cashier = counter.staff.login(CASHIER.staff_no, CASHIER.pin)
    loaded = counter.order_codes.take_over(qr.text, cashier.id)
    assert loaded.id == cart.id and loaded.total == cart.total


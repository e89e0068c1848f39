"""Scanning an order QR code at the till loads that order for payment (订单POS)."""

from __future__ import annotations

from pathlib import Path

from conftest import CASHIER, type_login
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.i18n import Catalog
from pos_app.persistence.demo_store import KNOWN_PRODUCTS
from ui.cashier.cashier_window import CashierWindow
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.tasks import TaskRunner
from ui.widgets.status_label import Severity

COLA = next(p for p in KNOWN_PRODUCTS if p.sku == "S0000001")


def test_an_order_code_from_another_till_loads_its_order_and_a_forged_one_is_refused(
        qtbot: QtBot, core: Core, sqlite_engine: Engine, tasks: TaskRunner,
        bridge: EventBridge, scan_filter: ScanEventFilter, catalog: Catalog,
        bus: EventBus, clock: FixedClock, tmp_path: Path) -> None:
    handheld = build_core(parse_config({"terminal": {"code": "T02"}}, data_dir=tmp_path),
                          bus=EventBus(), clock=clock, printer=None, engine=sqlite_engine)
    guide = handheld.staff.login(CASHIER.staff_no, CASHIER.pin)
    cart = handheld.checkout.open_cart(guide.id)
    for _ in range(3):
        handheld.checkout.scan(cart.id, str(COLA.barcode))
    code = handheld.order_codes.present(cart.id).text

    window = CashierWindow(
        checkout=core.checkout, sales=core.sales, staff=core.staff, printing=core.printing,
        tasks=tasks, bridge=bridge, scan_filter=scan_filter, catalog=catalog,
        store_name=core.store.name, terminal_code=core.site.terminal_code,
        order_codes=core.order_codes)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    type_login(qtbot, window, CASHIER.staff_no, CASHIER.pin)
    screen = window.sale_screen
    qtbot.waitUntil(lambda: screen.cart_view is not None)

    scan_filter.scanned.emit(code[:-2] + ("AA" if not code.endswith("AA") else "BB"))
    qtbot.waitUntil(lambda: screen.status_label.severity is Severity.ERROR)
    assert screen.cart_view is not None and screen.cart_view.empty

    scan_filter.scanned.emit(code)
    qtbot.waitUntil(lambda: screen.cart_view is not None and not screen.cart_view.empty)
    assert screen.cart_view.id == cart.id
    # priced as on the handheld: the demo store's second drink is half price
    assert screen.cart_view.total.fen == 3 * COLA.price_fen - COLA.price_fen // 2


def test_f7_shows_the_order_code_on_the_customer_display_and_another_till_can_take_it(
        qtbot: QtBot, core: Core, sqlite_engine: Engine, tasks: TaskRunner,
        bridge: EventBridge, scan_filter: ScanEventFilter, catalog: Catalog,
        clock: FixedClock, tmp_path: Path) -> None:
    import numpy as np
    import zxingcpp
    from PySide6.QtGui import QImage

    from ui.customer.customer_window import CustomerWindow

    window = CashierWindow(
        checkout=core.checkout, sales=core.sales, staff=core.staff, printing=core.printing,
        tasks=tasks, bridge=bridge, scan_filter=scan_filter, catalog=catalog,
        store_name=core.store.name, terminal_code=core.site.terminal_code,
        order_codes=core.order_codes)
    customer = CustomerWindow(bridge=bridge, catalog=catalog, store_name=core.store.name)
    for widget in (window, customer):
        qtbot.addWidget(widget)
        widget.show()
    qtbot.waitExposed(window)
    type_login(qtbot, window, CASHIER.staff_no, CASHIER.pin)
    screen = window.sale_screen
    qtbot.waitUntil(lambda: screen.cart_view is not None)
    for _ in range(2):
        scan_filter.scanned.emit(str(COLA.barcode))
        qtbot.waitUntil(lambda: not screen.busy)

    screen.actions_by_key["F7"].trigger()  # F7 (two windows: the key goes to the active one)
    qtbot.waitUntil(lambda: customer.state == "order_code")
    # the display follows the bus event, the till's message the finished task: either may
    # reach the main thread first
    qtbot.waitUntil(lambda: "订单码已显示在顾客屏" in screen.status_text())

    image = customer.order_code_view.grab().toImage().convertToFormat(
        QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine())[:, :image.width()]
    [read] = zxingcpp.read_barcodes(np.ascontiguousarray(pixels))
    assert read.text == customer.order_code_view.text

    counter = build_core(parse_config({"terminal": {"code": "T02"}}, data_dir=tmp_path),
                         bus=EventBus(), clock=clock, printer=None, engine=sqlite_engine)
    cashier = counter.staff.login(CASHIER.staff_no, CASHIER.pin)
    loaded = counter.order_codes.take_over(read.text, cashier.id)
    assert loaded.total.fen == 2 * COLA.price_fen - COLA.price_fen // 2  # second half price

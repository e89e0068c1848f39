"""Screenshots of the dynamic payment QR and the idle adverts (called by screenshots.py).

A second demo terminal pays through the loopback payment sandbox: two items, F11, then F2 in
the dialog; saves payment_qr_dialog.png (the cashier's dialog over the sale screen) and
customer_payment_qr.png (the WeChat QR big on the customer display). Then a customer display
left idle: customer_advert.png.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from backends.sandbox import SandboxConfig, pos_settings, serve
from backends.sandbox.keys import ensure_keys
from backends.wiring import build_gateways
from pos_app.bootstrap import build_core, open_database
from pos_app.bus import EventBus
from pos_app.clock import SystemClock
from pos_app.config import parse_config
from pos_app.persistence.demo_store import KNOWN_PRODUCTS, seed_demo_store
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.code_payment_dialog import CodePaymentDialog
from ui.customer.customer_window import CustomerWindow
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.tasks import TaskRunner

SKUS = ("S0000001", "S0000001", "S0000002", "S0000003")


def shoot(shooter: Any, size: tuple[int, int]) -> None:
    """``shooter``: screenshots.Shooter (its app, catalogue, save helpers and output folder)."""
    with tempfile.TemporaryDirectory(prefix="pos-qr-shots-") as folder:
        data_dir = Path(folder)
        sandbox = serve("127.0.0.1", 0, ensure_keys(data_dir / "keys").folder, SandboxConfig())
        gateways = build_gateways(pos_settings(sandbox.url, sandbox.keys, read_timeout_s=3.0))
        try:
            _shoot_payment_qr(shooter, data_dir, gateways, size)
        finally:
            gateways.close()
            sandbox.stop()
    _shoot_advert(shooter, size)


def _shoot_payment_qr(shooter: Any, data_dir: Path, gateways: Any,
                      size: tuple[int, int]) -> None:
    bus = EventBus()
    config = parse_config({"terminal": {"code": "T01"}}, data_dir=data_dir)
    engine = open_database(config)
    seed_demo_store(engine, now=SystemClock().now())
    core = build_core(config, bus=bus, clock=SystemClock(), printer=None, engine=engine,
                      gateways=gateways)
    tasks = TaskRunner(on_error=lambda exc: print(f"task failed: {exc!r}"))
    bridge = EventBridge(bus)
    scan_filter = ScanEventFilter()
    cashier = CashierWindow(
        checkout=core.checkout, sales=core.sales, staff=core.staff, printing=core.printing,
        tasks=tasks, bridge=bridge, scan_filter=scan_filter, catalog=shooter.catalog,
        store_name=core.store.name, terminal_code=core.site.terminal_code,
        time_zone=core.store.time_zone, payments=core.payments)
    customer = CustomerWindow(bridge=bridge, catalog=shooter.catalog,
                              store_name=core.store.name, advert_after_ms=0)
    customer.resize(*size)
    try:
        cashier.show()
        customer.show()
        login = cashier.login_screen
        QTest.keyClicks(login.staff_no_edit, "1001")
        QTest.keyClicks(login.pin_edit, "1234")
        QTest.keyClick(login.pin_edit, Qt.Key.Key_Return)
        screen = cashier.sale_screen
        wait: Callable[[Callable[[], bool]], None] = shooter.wait_until
        wait(lambda: screen.cart_view is not None)
        barcodes = {product.sku: str(product.barcode) for product in KNOWN_PRODUCTS}
        for sku in SKUS:
            scan_filter.scanned.emit(barcodes[sku])
            wait(lambda: not screen.busy)
        screen.actions_by_key["F11"].trigger()
        wait(lambda: isinstance(screen.active_dialog(), CodePaymentDialog))
        dialog = screen.active_dialog()
        assert isinstance(dialog, CodePaymentDialog)
        QTest.keyClick(dialog, Qt.Key.Key_F2)
        wait(lambda: customer.state == "payment_qr" and dialog.attempt is not None)
        shooter.save_over(cashier, dialog, "payment_qr_dialog.png")
        shooter.save(customer, "customer_payment_qr.png")
        dialog.abort()  # closes the order at the sandbox
        wait(lambda: screen.active_dialog() is None)
    finally:
        tasks.shutdown()
        bridge.close()
        for window in (cashier, customer):
            window.close()
            window.deleteLater()
        shooter.app.processEvents()
        engine.dispose()


def _shoot_advert(shooter: Any, size: tuple[int, int]) -> None:
    bus = EventBus()
    bridge = EventBridge(bus)
    customer = CustomerWindow(bridge=bridge, catalog=shooter.catalog,
                              store_name="新零售示范店", advert_after_ms=50)
    customer.resize(*size)
    try:
        customer.show()
        shooter.wait_until(lambda: customer.state == "advert")
        shooter.save(customer, "customer_advert.png")
    finally:
        bridge.close()
        customer.close()
        customer.deleteLater()
        shooter.app.processEvents()

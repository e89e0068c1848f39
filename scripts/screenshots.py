"""Screenshots of the real cashier and customer windows, offscreen, on a fresh demo database.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--locale zh_CN|en]
                                            [--customer-size 1024x600]

Logs in as demo cashier 1001, scans known products (Chinese names, a weighed scale label),
and saves login.png, cashier.png, cashier_error.png, payment.png, cashier_paid.png,
customer_idle.png, customer.png and customer_paid.png. The cashier window is 1280x800.
Then the diagnostics screen over the demo devices (the file printer, the simulated scale):
approval.png (a wrong manager PIN), diagnostics.png (every test run), diagnostics_offline.png
(the scale unplugged). Then a day of sales rung up hour by hour and the manager's reports
screen (Ctrl+M, a manager's PIN): reports.png (today, the whole store) and reports_exported.png
(this till only, the CSV files exported). Last, qr_shots.py: payment_qr_dialog.png,
customer_payment_qr.png (F11 then F2 over the payment sandbox) and customer_advert.png.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import qr_shots  # scripts/ is this script's folder, first on sys.path
from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import text

from hardware.printer.transports import prepare_escpos_env
from hardware.wiring import Devices, build_devices
from pos_app.bootstrap import Core, build_core, open_database
from pos_app.bus import EventBus
from pos_app.clock import FixedClock, SystemClock
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.domain.scan_codes import check_digit
from pos_app.i18n import load_catalog
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.demo_store import KNOWN_PRODUCTS, seed_demo_store
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.resources import resources_dir
from pos_app.services.approvals import ApprovalService
from pos_app.services.diagnostics import DiagnosedDevices, DiagnosticsService
from pos_app.services.drawer import DrawerService
from ui import theme
from ui.admin.diagnostics_screen import DiagnosticsScreen
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.payment_dialog import CashPaymentDialog
from ui.customer.customer_window import CustomerWindow
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.manager.approval_dialog import ApprovalDialog
from ui.manager.reports_screen import ReportsScreen
from ui.tasks import TaskRunner

REPO = Path(__file__).resolve().parents[1]
APPLES_LABEL = "2000101" + "00532"  # "cn-weight" label body: PLU 000101 (红富士苹果), 532 g
UNKNOWN_BARCODE = "6900000000991"
SCANNED_SKUS = ("S0000001", "S0000001", "S0000002", "S0000003", "S0000004", None, "S0000010")
"""None: the apples' scale label."""
SALES_BY_HOUR = ((8, 2), (9, 4), (10, 6), (11, 5), (12, 7), (13, 3), (14, 2), (15, 2), (16, 3),
                 (17, 5), (18, 8), (19, 6), (20, 3))
"""(store-local hour, sales rung up in it): the day the reports screen shows."""
MANAGER = ("9001", "9999")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the cashier windows")
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    parser.add_argument("--locale", default="zh_CN")
    parser.add_argument("--customer-size", default="1024x600")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args.out.mkdir(parents=True, exist_ok=True)
    width, height = (int(n) for n in args.customer_size.split("x"))
    app = QApplication.instance()
    app = app if isinstance(app, QApplication) else QApplication([])
    theme.apply(app)
    with tempfile.TemporaryDirectory(prefix="pos-shots-") as data_dir:
        bus = EventBus()
        shooter = Shooter(app, _demo_core(Path(data_dir), bus), bus, args.out, args.locale,
                          exports=Path(data_dir) / "exports")
        shooter.customer.resize(width, height)
        try:
            shooter.run()
            shooter.run_diagnostics(Path(data_dir))
            shooter.ring_up_a_day(Path(data_dir))
            shooter.run_reports()
            qr_shots.shoot(shooter, (width, height))  # payment QR and adverts
        finally:
            shooter.close()
    return 0


def _demo_core(data_dir: Path, bus: EventBus) -> Core:
    """A fresh demo store; scale labels carry the weight so the cart shows "0.532 kg"."""
    config = parse_config({"scan": {"label_preset": "cn-weight"}}, data_dir=data_dir)
    engine = open_database(config)
    seed_demo_store(engine, now=SystemClock().now())
    return build_core(config, bus=bus, clock=SystemClock(), printer=None, engine=engine)


class Shooter:
    """One demo terminal with both windows, driven the way a cashier would."""

    def __init__(
        self, app: QApplication, core: Core, bus: EventBus, out: Path, locale: str,
        exports: Path | None = None,
    ) -> None:
        self.app = app
        self.core = core
        self.bus = bus
        self.out = out
        self.devices: Devices | None = None
        self.diagnostics: DiagnosticsScreen | None = None
        catalog = load_catalog(resources_dir() / "i18n", locale)
        self.catalog = catalog
        self.tasks = TaskRunner(on_error=lambda exc: print(f"task failed: {exc!r}"))
        self.bridge = EventBridge(bus)
        self.scan_filter = ScanEventFilter()
        self.cashier = CashierWindow(
            checkout=core.checkout,
            sales=core.sales,
            staff=core.staff,
            printing=core.printing,
            tasks=self.tasks,
            bridge=self.bridge,
            scan_filter=self.scan_filter,
            catalog=catalog,
            store_name=core.store.name,
            terminal_code=core.site.terminal_code,
            time_zone=core.store.time_zone,
            members=core.members,
            approvals=core.approvals,
            drawer=core.drawer,
            order_codes=core.order_codes,
            refunds=core.refunds,
            reports=core.reports,
            exports_dir=exports,
        )
        self.customer = CustomerWindow(
            bridge=self.bridge, catalog=catalog, store_name=core.store.name
        )

    def run(self) -> None:
        self.cashier.show()
        if self.app.platformName() == "offscreen":
            self.customer.show()
        else:  # a real (virtual) display: the customer window goes where the app puts it
            self.customer.show_on("")
        login = self.cashier.login_screen
        QTest.keyClicks(login.staff_no_edit, "1001")
        QTest.keyClicks(login.pin_edit, "1234")
        self.save(self.cashier, "login.png")
        self.save(self.customer, "customer_idle.png")
        QTest.keyClick(login.pin_edit, Qt.Key.Key_Return)
        self.wait_until(lambda: self.cashier.sale_screen.cart_view is not None)
        barcodes = {product.sku: str(product.barcode) for product in KNOWN_PRODUCTS}
        label = f"{APPLES_LABEL}{check_digit(APPLES_LABEL)}"
        self.scan(self.member_code())
        for sku in SCANNED_SKUS:
            self.scan(barcodes[sku] if sku else label)
        self.scan(self.coupon_code())
        self.save(self.cashier, "cashier.png")
        self.save(self.customer, "customer.png")
        self.save_screens()
        self.scan(UNKNOWN_BARCODE)
        self.save(self.cashier, "cashier_error.png")
        self.pay("100")
        self.save(self.cashier, "cashier_paid.png")
        self.save(self.customer, "customer_paid.png")

    def member_code(self) -> str:
        """The dynamic code on the first demo member's phone, as the cashier would scan it."""
        with self.core.engine.connect() as connection:
            phone = connection.execute(
                text("SELECT phone FROM members ORDER BY card_no LIMIT 1")).scalar_one()
        return self.core.members.current_code(phone)

    def coupon_code(self) -> str:
        now = SystemClock().now()
        return self.core.coupons.generate_batch("满20减5", {
            "kind": "threshold", "amount": "5.00", "min_spend": "20.00",
            "valid_from": now.isoformat(),
            "valid_until": (now + timedelta(days=30)).isoformat()}, 1)[0]

    def run_diagnostics(self, data_dir: Path) -> None:
        """The diagnostics screen over the demo devices, every test run from the keyboard."""
        config = parse_config({}, data_dir=data_dir)
        prepare_escpos_env()  # as ui/main.py: escpos's capabilities from the cache, not YAML
        self.devices = build_devices(config.devices, self.bus, self.catalog, data_dir)
        screen = self.diagnostics = self._diagnostics_screen(self.devices, data_dir)
        screen.resize(1280, 800)
        screen.show()
        screen.activateWindow()  # its number keys work while it is the active window
        self.wait_until(lambda: screen.isActiveWindow() and screen.state_of("database") == "ok")
        self.scan_filter.scanned.emit("6901234567892")
        for key, name in ((Qt.Key.Key_1, "printer"), (Qt.Key.Key_4, "scale")):
            QTest.keyClick(screen.focusWidget() or screen, key)
            self.wait_until(lambda name=name: screen.state_of(name) == "ok")
        QTest.keyClick(screen.focusWidget() or screen, Qt.Key.Key_2)
        self.wait_until(lambda: isinstance(screen.active_dialog(), ApprovalDialog))
        dialog = screen.active_dialog()
        assert isinstance(dialog, ApprovalDialog)
        QTest.keyClicks(dialog.staff_no_edit, "9001")
        QTest.keyClicks(dialog.pin_edit, "1111")
        QTest.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
        self.wait_until(lambda: dialog.message_text() != "")
        self.save_over(screen, dialog, "approval.png")
        QTest.keyClicks(dialog.pin_edit, "9999")
        QTest.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
        kicked = self.catalog.text("device.result.drawer_sent")
        self.wait_until(lambda: screen.message_of("drawer") == kicked)
        self.save(screen, "diagnostics.png")
        scale = self.devices.scale
        scale.unplug()  # type: ignore[union-attr]
        self.wait_until(lambda: screen.state_of("scale") == "failed")
        QTest.keyClick(screen.focusWidget() or screen, Qt.Key.Key_4)
        self.wait_until(lambda: screen.state_of("scale") == "failed")
        self.save(screen, "diagnostics_offline.png")

    def ring_up_a_day(self, data_dir: Path) -> None:
        """Sales through the real services over today's trading hours (a clock that moves hour
        by hour), by both demo cashiers, some for members, a voided line now and then, and one
        return: figures for the reports screen."""
        zone = ZoneInfo(self.core.store.time_zone)
        today = datetime.now(zone).date()
        clock = FixedClock(datetime.combine(today, day_time(SALES_BY_HOUR[0][0]), zone))
        config = parse_config({"scan": {"label_preset": "cn-weight"}}, data_dir=data_dir)
        core = build_core(config, bus=EventBus(), clock=clock, printer=None,
                          engine=self.core.engine)
        with core.engine.connect() as connection:
            cashiers = connection.execute(text(
                "SELECT id FROM users WHERE staff_no IN ('1001', '1002') ORDER BY staff_no"
            )).scalars().all()
            members = connection.execute(text(
                "SELECT id FROM members ORDER BY card_no LIMIT 5")).scalars().all()
        goods = [str(p.barcode) for p in KNOWN_PRODUCTS if p.barcode and p.min_age is None]
        numbers = []
        for hour, count in SALES_BY_HOUR:
            for index in range(count):
                at = datetime.combine(today, day_time(hour, index * 59 // count), zone)
                clock.advance(at - clock.now())
                numbers.append(self._a_sale(core, len(numbers), cashiers, members, goods))
        sale = core.refunds.find_sale(numbers[3])
        manager = core.approvals.approve(*MANAGER)
        core.refunds.refund(sale.order_number, [(sale.lines[0].line_id, 1)],
                            cashier_id=cashiers[0], manager_id=manager.id)

    @staticmethod
    def _a_sale(core: Core, n: int, cashiers: list[str], members: list[str],
                goods: list[str]) -> str:
        cart = core.checkout.open_cart(cashiers[n % 2]).id
        bought = goods[n % 5:n % 5 + 1 + n % 3]
        for code in bought:
            core.checkout.scan(cart, code)
        if n % 3 == 0 and members:
            core.checkout.set_member(cart, members[n % len(members)])
        if n % 7 == 3:  # one more scanned by mistake, then voided
            view = core.checkout.scan(cart, next(c for c in goods if c not in bought))
            core.checkout.void_line(cart, view.lines[-1].id)
        return core.sales.pay_cash(cart, Money(100_00)).order_number

    def run_reports(self) -> None:
        """Ctrl+M on the sale screen, a manager's PIN, the day's figures; then this till only
        (F2) and the CSV export (F6)."""
        screen = self.cashier.sale_screen
        self.cashier.activateWindow()
        screen.actions_by_key["Ctrl+M"].trigger()
        self.wait_until(lambda: isinstance(screen.active_dialog(), ApprovalDialog))
        approval = screen.active_dialog()
        assert isinstance(approval, ApprovalDialog)
        QTest.keyClicks(approval.staff_no_edit, MANAGER[0])
        QTest.keyClicks(approval.pin_edit, MANAGER[1])
        QTest.keyClick(approval.pin_edit, Qt.Key.Key_Return)
        self.wait_until(lambda: isinstance(screen.active_dialog(), ReportsScreen))
        reports = screen.active_dialog()
        assert isinstance(reports, ReportsScreen)
        self.wait_until(lambda: reports.view is not None and not reports.loading)
        self.save_over(self.cashier, reports, "reports.png")
        reports.toggle_scope()
        self.wait_until(lambda: not reports.loading)
        reports.export()
        exporting = reports.status_text()
        self.wait_until(lambda: reports.status_text() != exporting)
        self.save_over(self.cashier, reports, "reports_exported.png")
        reports.reject()
        self.wait_until(lambda: screen.active_dialog() is None)

    def _diagnostics_screen(self, devices: Devices, data_dir: Path) -> DiagnosticsScreen:
        """Wired as ui/main.py wires it: one ApprovalService for the drawer and the dialog."""
        core, clock, sessions = self.core, SystemClock(), make_session_factory(self.core.engine)

        def uow() -> UnitOfWork:
            return UnitOfWork(sessions, self.bus, core.site)

        printer: Any = devices.printer  # an EscposReceiptPrinter: ReceiptPrinter and CashDrawer
        approvals = ApprovalService(uow, clock)
        drawer = DrawerService(uow, clock, printer, approvals=approvals)
        ports = DiagnosedDevices(printer=printer, drawer=drawer, scale=devices.scale)
        diagnostics = DiagnosticsService(
            ports,
            bus=self.bus,
            clock=clock,
            engine=core.engine,
            data_dir=data_dir,
            store=core.store,
            terminal_code=core.site.terminal_code,
        )
        screen = DiagnosticsScreen(
            diagnostics=diagnostics,
            tasks=self.tasks,
            bridge=self.bridge,
            catalog=self.catalog,
            terminal_code=core.site.terminal_code,
            approvals=approvals,
            scan_filter=self.scan_filter,
        )
        theme.apply_to(screen)
        return screen

    def scan(self, code: str) -> None:
        self.scan_filter.scanned.emit(code)
        self.wait_until(lambda: not self.cashier.sale_screen.busy)

    def pay(self, cash: str) -> None:
        screen = self.cashier.sale_screen
        screen.actions_by_key["F12"].trigger()
        self.wait_until(lambda: isinstance(screen.active_dialog(), CashPaymentDialog))
        dialog = screen.active_dialog()
        assert isinstance(dialog, CashPaymentDialog)
        QTest.keyClicks(dialog.tendered_edit, cash)
        self.save_over(self.cashier, dialog, "payment.png")
        QTest.keyClick(dialog.tendered_edit, Qt.Key.Key_Return)
        self.wait_until(lambda: screen.active_dialog() is None)

    def wait_until(self, done: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("the screen did not get there in time")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        self.app.processEvents()

    def save(self, widget: QWidget, name: str) -> None:
        self.app.processEvents()
        widget.grab().save(str(self.out / name))
        print(self.out / name)

    def save_screens(self) -> None:
        """Each whole screen as a person sees it (only on a real or Xvfb display)."""
        if self.app.platformName() == "offscreen":
            return
        self.wait_until(lambda: True)
        for index, screen in enumerate(self.app.screens()):
            name = f"screen-{index}.png"
            screen.grabWindow(0).save(str(self.out / name))
            print(self.out / name, screen.name(), screen.geometry().getRect())

    def save_over(self, window: QWidget, dialog: QWidget, name: str) -> None:
        """The window dimmed with the dialog centred on it: what the cashier sees."""
        self.app.processEvents()
        image = window.grab()
        top = dialog.grab()
        painter = QPainter(image)
        painter.fillRect(image.rect(), QColor(0, 0, 0, 110))
        x, y = (image.width() - top.width()) // 2, (image.height() - top.height()) // 2
        painter.drawPixmap(x, y, top)
        painter.end()
        image.save(str(self.out / name))
        print(self.out / name)

    def close(self) -> None:
        """Windows go before the application object, or PySide may crash at exit."""
        self.tasks.shutdown()
        self.bridge.close()
        windows = (self.cashier, self.customer, self.diagnostics)
        for window in (w for w in windows if w is not None):
            window.close()
            window.deleteLater()
        self.app.processEvents()
        if self.devices is not None:
            self.devices.close()
        self.core.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())

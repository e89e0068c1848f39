"""The till's dynamic payment QR (WeChat NATIVE / Alipay precreate) on the customer display,
against the loopback sandbox and the real gateways: F2/F3 in the F11 dialog shows it big, a
phone's decoder reads exactly the provider's text, paying it completes the sale (thanks on the
customer display); Abort closes the order at the provider and nothing is charged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from conftest import CASHIER, type_login
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, select

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxConfig, SandboxServer, pos_settings, serve
from backends.sandbox.keys import ensure_keys
from backends.wiring import build_gateways
from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.domain.payment_codes import Provider
from pos_app.i18n import Catalog
from pos_app.persistence.demo_store import KNOWN_PRODUCTS, seed_demo_store
from pos_app.persistence.models import OrderRow
from pos_app.services.payment_views import AttemptView, PaymentOutcome
from ui.cashier import code_payment_dialog
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.code_payment_dialog import CodePaymentDialog
from ui.customer.customer_window import CustomerWindow
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.tasks import TaskRunner

SKU = KNOWN_PRODUCTS[0]
KEYS = {Provider.WECHAT_PAY: Qt.Key.Key_F2, Provider.ALIPAY: Qt.Key.Key_F3}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    keys = ensure_keys(tmp_path_factory.mktemp("qr-sandbox-keys"))
    server = serve("127.0.0.1", 0, keys.folder, SandboxConfig(refund_settle_s=1.0))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def router(sandbox: SandboxServer) -> Iterator[PaymentRouter]:
    built = build_gateways(pos_settings(sandbox.url, sandbox.keys, read_timeout_s=3.0))
    yield built
    built.close()


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_payment_dialog, "POLL_MS", 100)


@pytest.fixture
def pay_core(sqlite_engine: Engine, bus: EventBus, clock: FixedClock, tmp_path: Path,
             router: PaymentRouter) -> Core:
    seed_demo_store(sqlite_engine, products=len(KNOWN_PRODUCTS), members=0, now=clock.now())
    return build_core(parse_config({}, data_dir=tmp_path), bus=bus, clock=clock, printer=None,
                      engine=sqlite_engine, gateways=router)


@pytest.fixture
def till(qtbot: QtBot, pay_core: Core, tasks: TaskRunner, bridge: EventBridge,
         scan_filter: ScanEventFilter, catalog: Catalog) -> tuple[CashierWindow, CustomerWindow]:
    window = CashierWindow(
        checkout=pay_core.checkout, sales=pay_core.sales, staff=pay_core.staff,
        printing=pay_core.printing, tasks=tasks, bridge=bridge, scan_filter=scan_filter,
        catalog=catalog, store_name=pay_core.store.name,
        terminal_code=pay_core.site.terminal_code, time_zone=pay_core.store.time_zone,
        payments=pay_core.payments)
    customer = CustomerWindow(bridge=bridge, catalog=catalog, store_name=pay_core.store.name)
    for widget in (window, customer):
        qtbot.addWidget(widget)
        widget.show()
    qtbot.waitExposed(window)
    type_login(qtbot, window, CASHIER.staff_no, CASHIER.pin)
    screen = window.sale_screen
    qtbot.waitUntil(lambda: screen.cart_view is not None)
    for _ in range(2):
        scan_filter.scanned.emit(SKU.barcode)
    qtbot.waitUntil(lambda: screen.cart_view is not None and len(screen.cart_view.lines) > 0
                    and screen.cart_view.lines[0].quantity == 2 and not screen.busy)
    return window, customer


def show_our_qr(qtbot: QtBot, window: CashierWindow, customer: CustomerWindow,
                provider: Provider) -> tuple[CodePaymentDialog, str]:
    """F11, then F2 (WeChat) or F3 (Alipay) in the dialog; returns what a phone reads."""
    screen = window.sale_screen
    screen.actions_by_key["F11"].trigger()
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), CodePaymentDialog))
    dialog = screen.active_dialog()
    assert isinstance(dialog, CodePaymentDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, KEYS[provider])
    qtbot.waitUntil(lambda: customer.state == "payment_qr", timeout=5000)
    qtbot.waitUntil(lambda: dialog.attempt is not None)
    return dialog, read_qr(customer.payment_qr_page.qr_view)


def read_qr(widget: QWidget) -> str:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine())[:, :image.width()]
    [read] = zxingcpp.read_barcodes(np.ascontiguousarray(pixels))
    return str(read.text)


def order_status(engine: Engine, cart_id: str) -> str:
    with engine.connect() as c:
        return str(c.execute(select(OrderRow.status).where(OrderRow.id == cart_id)).scalar_one())


@pytest.mark.parametrize("provider", [Provider.WECHAT_PAY, Provider.ALIPAY])
def test_the_customer_scans_our_qr_on_the_display_and_the_sale_completes(
    provider: Provider, qtbot: QtBot, till: tuple[CashierWindow, CustomerWindow],
    pay_core: Core, sandbox: SandboxServer, clock: FixedClock,
) -> None:
    window, customer = till
    cart = window.sale_screen.cart_view
    assert cart is not None
    dialog, scanned = show_our_qr(qtbot, window, customer, provider)

    attempt = dialog.attempt
    assert attempt is not None and attempt.kind == "dynamic_qr" and not attempt.final
    assert scanned == attempt.qr_url == customer.payment_qr_page.qr_view.text
    wallet = "微信" if provider is Provider.WECHAT_PAY else "支付宝"
    assert customer.visible_texts()[:3] == [f"请用{wallet}扫码付款", "应付金额",
                                            f"¥{cart.total.yuan_text()}"]
    qtbot.waitUntil(lambda: dialog.state_text().startswith(f"请顾客用{wallet}"))
    assert dialog.state_text().endswith("扫顾客屏… 剩余 120 秒")  # the till's clock stands still

    with qtbot.waitSignal(dialog.paid, timeout=8000) as paid:
        assert sandbox.scan(scanned)  # the customer's phone pays it
        clock.advance(timedelta(seconds=5))  # the next query is due
    qtbot.waitUntil(lambda: window.sale_screen.active_dialog() is None)

    last = paid.args[0]
    assert isinstance(last, AttemptView) and last.outcome is PaymentOutcome.PAID
    assert last.sale is not None and order_status(pay_core.engine, cart.id) == "completed"
    assert sandbox.ledger.net_fen(last.out_trade_no) == cart.total.fen
    assert window.sale_screen.status_text().startswith("收款完成")
    qtbot.waitUntil(lambda: customer.state == "paid")
    assert "谢谢惠顾" in customer.visible_texts()


@pytest.mark.parametrize("provider", [Provider.WECHAT_PAY, Provider.ALIPAY])
def test_abort_closes_our_qr_at_the_provider_and_nothing_is_charged(
    provider: Provider, qtbot: QtBot, till: tuple[CashierWindow, CustomerWindow],
    pay_core: Core, sandbox: SandboxServer,
) -> None:
    window, customer = till
    cart = window.sale_screen.cart_view
    assert cart is not None
    dialog, scanned = show_our_qr(qtbot, window, customer, provider)
    ended: list[AttemptView | None] = []
    dialog.finished.connect(lambda _: ended.append(dialog.attempt))

    qtbot.mouseClick(dialog.abort_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(ended), timeout=8000)

    [last] = ended
    assert last is not None and last.final and last.outcome is PaymentOutcome.CANCELLED
    assert not sandbox.scan(scanned)  # closed at the provider: a late phone cannot pay it
    assert sandbox.ledger.net_fen(last.out_trade_no) == 0
    assert order_status(pay_core.engine, cart.id) == "open"
    qtbot.waitUntil(lambda: customer.state == "scanning")  # the cart again, not the QR
    assert window.sale_screen.status_text() == "扫码收款已撤销，未扣款；商品仍在购物车中"
    assert pay_core.payments is not None
    assert pay_core.payments.summary(cart.id).locked is False


def test_a_qr_nobody_pays_is_closed_at_its_deadline_and_the_dialog_takes_a_code_again(
    qtbot: QtBot, till: tuple[CashierWindow, CustomerWindow], sandbox: SandboxServer,
    clock: FixedClock,
) -> None:
    window, customer = till
    dialog, scanned = show_our_qr(qtbot, window, customer, Provider.WECHAT_PAY)
    assert [b.isEnabled() for b in dialog.qr_buttons.values()] == [False, False]

    clock.advance(timedelta(seconds=121))  # the customer walked off
    qtbot.waitUntil(lambda: dialog.state_text() == "收款码已关闭，未扣款", timeout=8000)

    assert dialog.isVisible() and not dialog.running
    assert [b.isEnabled() for b in dialog.qr_buttons.values()] == [True, True]
    assert not sandbox.scan(scanned)
    qtbot.waitUntil(lambda: customer.state == "scanning")
    with qtbot.waitSignal(dialog.finished, timeout=3000):  # nothing runs: Esc just closes
        qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Escape)

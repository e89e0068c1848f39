"""Payment codes at the till (F11) against a real sandbox and real gateways, and the no-sale
drawer (F8): the window keeps repainting and Abort works while the customer never types the
password (issue 4's acceptance), a code that pays completes the sale, a malformed code is
refused before anything is sent, a manager's PIN opens the drawer with an audit entry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import CASHIER, type_login
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, select

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxConfig, SandboxServer, pos_settings, serve
from backends.sandbox.keys import SandboxKeys, ensure_keys
from backends.sandbox.magic import Scenario, make_code
from backends.wiring import build_gateways
from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.i18n import Catalog
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.demo_store import DEMO_STAFF, KNOWN_PRODUCTS, seed_demo_store
from pos_app.persistence.models import OrderRow
from pos_app.persistence.repositories.journal import AuditLog
from pos_app.services.payment_views import AttemptView, PaymentOutcome
from ui.cashier import code_payment_dialog
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.code_payment_dialog import CodePaymentDialog
from ui.cashier.payment_dialog import CashPaymentDialog
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.manager.approval_dialog import ApprovalDialog
from ui.tasks import TaskRunner

MANAGER = DEMO_STAFF[2]  # 9001 / 9999 张经理
SKU = KNOWN_PRODUCTS[0]


class Drawer:
    """The cash drawer port: counts kicks."""

    def __init__(self) -> None:
        self.kicks = 0

    def open_drawer(self) -> None:
        self.kicks += 1


class PaintCounter(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    keys: SandboxKeys = ensure_keys(tmp_path_factory.mktemp("ui-sandbox-keys"))
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
def drawer() -> Drawer:
    return Drawer()


@pytest.fixture
def pay_core(
    sqlite_engine: Engine,
    bus: EventBus,
    clock: FixedClock,
    tmp_path: Path,
    router: PaymentRouter,
    drawer: Drawer,
) -> Core:
    seed_demo_store(sqlite_engine, products=len(KNOWN_PRODUCTS), members=0, now=clock.now())
    config = parse_config({}, data_dir=tmp_path)
    return build_core(
        config, bus=bus, clock=clock, printer=None, engine=sqlite_engine, gateways=router,
        drawer=drawer,
    )


@pytest.fixture
def window(
    qtbot: QtBot,
    pay_core: Core,
    tasks: TaskRunner,
    bridge: EventBridge,
    scan_filter: ScanEventFilter,
    catalog: Catalog,
) -> CashierWindow:
    shown = CashierWindow(
        checkout=pay_core.checkout,
        sales=pay_core.sales,
        staff=pay_core.staff,
        printing=pay_core.printing,
        tasks=tasks,
        bridge=bridge,
        scan_filter=scan_filter,
        catalog=catalog,
        store_name=pay_core.store.name,
        terminal_code=pay_core.site.terminal_code,
        time_zone=pay_core.store.time_zone,
        payments=pay_core.payments,
        approvals=pay_core.approvals,
        drawer=pay_core.drawer,
    )
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    type_login(qtbot, shown, CASHIER.staff_no, CASHIER.pin)
    qtbot.waitUntil(lambda: shown.sale_screen.cart_view is not None)
    return shown


def scan_items(qtbot: QtBot, window: CashierWindow, scan_filter: ScanEventFilter, n: int) -> None:
    for _ in range(n):
        scan_filter.scanned.emit(SKU.barcode)
    qtbot.waitUntil(
        lambda: window.sale_screen.cart_view is not None
        and sum(line.quantity for line in window.sale_screen.cart_view.lines) == n
        and not window.sale_screen.busy
    )


def open_code_dialog(qtbot: QtBot, window: CashierWindow) -> CodePaymentDialog:
    screen = window.sale_screen
    screen.actions_by_key["F11"].trigger()
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), CodePaymentDialog))
    dialog = screen.active_dialog()
    assert isinstance(dialog, CodePaymentDialog)
    qtbot.waitExposed(dialog)
    return dialog


def order_status(engine: Engine, cart_id: str) -> str:
    with engine.connect() as c:
        return str(c.execute(select(OrderRow.status).where(OrderRow.id == cart_id)).scalar_one())


def test_a_code_that_pays_at_once_completes_the_sale(
    qtbot: QtBot, window: CashierWindow, scan_filter: ScanEventFilter, pay_core: Core,
    sandbox: SandboxServer,
) -> None:
    screen = window.sale_screen
    scan_items(qtbot, window, scan_filter, 2)
    cart = screen.cart_view
    assert cart is not None
    dialog = open_code_dialog(qtbot, window)
    assert dialog.due == cart.total

    with qtbot.waitSignal(dialog.paid, timeout=5000) as paid:
        scan_filter.scanned.emit(make_code(Provider.WECHAT_PAY, Scenario.PAYS_AT_ONCE))
    qtbot.waitUntil(lambda: screen.active_dialog() is None)

    attempt = paid.args[0]
    assert attempt.outcome is PaymentOutcome.PAID and attempt.sale is not None
    assert attempt.sale.change.fen == 0
    assert order_status(pay_core.engine, cart.id) == "completed"
    assert screen.status_text() == (
        f"收款完成，订单 {attempt.sale.order_number}，找零 ¥0.00"
    )
    assert sandbox.ledger.net_fen(attempt.out_trade_no) == cart.total.fen


@pytest.mark.parametrize("provider", [Provider.ALIPAY, Provider.WECHAT_PAY])
def test_the_window_repaints_and_abort_works_while_the_customer_never_pays(
    provider: Provider,
    qtbot: QtBot,
    window: CashierWindow,
    scan_filter: ScanEventFilter,
    pay_core: Core,
    sandbox: SandboxServer,
    clock: FixedClock,
) -> None:
    """Issue 4's acceptance: USERPAYING held by the sandbox (scenario 03)."""
    screen = window.sale_screen
    scan_items(qtbot, window, scan_filter, 2)
    cart = screen.cart_view
    assert cart is not None
    dialog = open_code_dialog(qtbot, window)
    # Both clocks move one second every 100 ms, as the wall clock would (only faster).
    ticker = QTimer()

    def tick() -> None:
        clock.advance(timedelta(seconds=1))
        sandbox.advance(1)

    ticker.timeout.connect(tick)
    ticker.start(100)
    painted = PaintCounter(dialog)
    try:
        scan_filter.scanned.emit(make_code(provider, Scenario.PASSWORD_NEVER))
        seen: list[str] = []

        def countdown() -> bool:
            text = dialog.state_text()
            if text.startswith("等待顾客输入密码") and text not in seen:
                seen.append(text)
            return len(seen) >= 3

        qtbot.waitUntil(countdown, timeout=8000)
        numbers = [int(t.split("剩余")[1].split("秒")[0]) for t in seen]
        assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == 3
        attempt = dialog.attempt
        assert attempt is not None and not attempt.final and attempt.waiting_for_password

        before = painted.count
        qtbot.waitUntil(lambda: painted.count > before + 1, timeout=3000)  # it keeps painting
        dialog.grab().save("/tmp/code_payment.png")
        window.logout_action.trigger()  # no logout while a payment is in flight
        assert window.showing_sale and screen.active_dialog() is dialog

        ended: list[object] = []
        dialog.finished.connect(lambda _: ended.append(dialog.attempt))
        qtbot.mouseClick(dialog.abort_button, Qt.MouseButton.LeftButton)
        assert dialog.state_text() == "正在撤销…"
        qtbot.waitUntil(lambda: bool(ended), timeout=15000)
    finally:
        ticker.stop()

    [last] = ended
    assert isinstance(last, AttemptView) and last.final and last.outcome is PaymentOutcome.CANCELLED
    assert sandbox.ledger.net_fen(last.out_trade_no) == 0
    assert sandbox.ledger.double_charges() == []
    qtbot.waitUntil(lambda: screen.active_dialog() is None)
    assert screen.status_text() == "扫码收款已撤销，未扣款；商品仍在购物车中"
    assert order_status(pay_core.engine, cart.id) == "open"
    assert screen.cart_view is not None and screen.cart_view.id == cart.id
    assert sum(line.quantity for line in screen.cart_view.lines) == 2
    assert pay_core.payments is not None
    summary = pay_core.payments.summary(cart.id)
    assert (summary.paid.fen, summary.locked) == (0, False)


def test_a_malformed_code_is_refused_inline_and_nothing_is_sent(
    qtbot: QtBot, window: CashierWindow, scan_filter: ScanEventFilter, sandbox: SandboxServer,
    pay_core: Core,
) -> None:
    scan_items(qtbot, window, scan_filter, 1)
    dialog = open_code_dialog(qtbot, window)
    charges = len(sandbox.ledger.entries())

    qtbot.keyClicks(dialog.code_edit, "991234")
    qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message_text() != "")

    assert "付款码" in dialog.message_text()
    assert dialog.isVisible() and dialog.attempt is None and not dialog.running
    assert dialog.state_text() == "请扫描顾客的付款码"
    assert len(sandbox.ledger.entries()) == charges
    cart = window.sale_screen.cart_view
    assert cart is not None and pay_core.payments is not None
    assert pay_core.payments.summary(cart.id).running is None

    with qtbot.waitSignal(dialog.finished, timeout=3000):  # nothing runs: Esc just closes
        qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Escape)


def test_f12_after_a_partial_code_payment_takes_the_rest_in_cash(
    qtbot: QtBot, window: CashierWindow, scan_filter: ScanEventFilter, pay_core: Core,
) -> None:
    screen = window.sale_screen
    scan_items(qtbot, window, scan_filter, 2)
    cart = screen.cart_view
    assert cart is not None and pay_core.payments is not None
    pay_core.payments.pay_by_code(
        cart.id, make_code(Provider.ALIPAY, Scenario.PAYS_AT_ONCE), Money(1_00)
    )

    screen.actions_by_key["F12"].trigger()
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), CashPaymentDialog))
    dialog = screen.active_dialog()
    assert isinstance(dialog, CashPaymentDialog)
    assert dialog.due == cart.total - Money(1_00)
    with qtbot.waitSignal(dialog.paid, timeout=5000) as paid:
        dialog.pay(dialog.due)
    assert paid.args[0].change.fen == 0
    assert order_status(pay_core.engine, cart.id) == "completed"


def test_f8_no_sale_with_a_managers_pin_opens_the_drawer_and_audits_it(
    qtbot: QtBot, window: CashierWindow, pay_core: Core, drawer: Drawer,
) -> None:
    screen = window.sale_screen
    assert screen.fkey_bar is not None and "F8" in screen.actions_by_key
    screen.actions_by_key["F8"].trigger()
    dialog = screen.active_dialog()
    assert isinstance(dialog, ApprovalDialog)
    qtbot.waitExposed(dialog)

    qtbot.keyClicks(dialog.staff_no_edit, MANAGER.staff_no)
    qtbot.keyClick(dialog.staff_no_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.pin_edit, "1111")
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message_text() != "")
    assert dialog.message_text() == "工号或密码错误，还可尝试 4 次"
    assert drawer.kicks == 0

    qtbot.keyClicks(dialog.pin_edit, MANAGER.pin)
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.status_text() == "钱箱已打开（张经理 授权）")

    assert drawer.kicks == 1
    sessions = make_session_factory(pay_core.engine)
    with sessions() as session:
        entries = [e for e in AuditLog(session).entries() if e.action == "drawer.opened"]
    assert [json.loads(e.details)["reason"] for e in entries] == ["no sale"]


def test_without_payments_or_drawer_the_keys_are_not_there(
    cashier_window: CashierWindow,
) -> None:
    keys = cashier_window.sale_screen.actions_by_key
    assert "F11" not in keys and "F8" not in keys
    assert cashier_window.diagnostics_screen is None

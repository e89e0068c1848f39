"""The refund screen from the sale screen: Ctrl+R, the receipt scanned, a line picked with Space
and -, the preview, a manager's PIN, the result on screen and the rows in the database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from pos_app.bootstrap import Core
from pos_app.domain.money import Money
from pos_app.i18n import Catalog
from pos_app.persistence.demo_store import DEMO_STAFF, KNOWN_PRODUCTS
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.sale_screen import SaleScreen
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.manager.refund_screen import BACK, SAVED, RefundScreen
from ui.tasks import TaskRunner

CASHIER, MANAGER = DEMO_STAFF[0], DEMO_STAFF[2]  # 1001/1234 王芳, 9001/9999 张经理
COLA, CRISPS = KNOWN_PRODUCTS[0], KNOWN_PRODUCTS[2]  # ¥3.50 (饮料第二件半价), ¥7.50


@pytest.fixture
def window(qtbot: QtBot, core: Core, tasks: TaskRunner, bridge: EventBridge,
           scan_filter: ScanEventFilter, catalog: Catalog) -> CashierWindow:
    shown = CashierWindow(
        checkout=core.checkout, sales=core.sales, staff=core.staff, printing=core.printing,
        tasks=tasks, bridge=bridge, scan_filter=scan_filter, catalog=catalog,
        store_name=core.store.name, terminal_code=core.site.terminal_code,
        time_zone=core.store.time_zone, approvals=core.approvals, drawer=core.drawer,
        members=core.members, refunds=core.refunds)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    login = shown.login_screen
    for edit, typed in ((login.staff_no_edit, CASHIER.staff_no), (login.pin_edit, CASHIER.pin)):
        qtbot.keyClicks(edit, typed)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shown.sale_screen.cart_view is not None)
    return shown


def a_sale(core: Core) -> str:
    """Two colas (the second half price) and crisps, paid ¥20 cash: ¥12.75."""
    cart = core.checkout.open_cart(_cashier_id(core)).id
    for code in (COLA.barcode, COLA.barcode, CRISPS.barcode):
        assert code is not None
        core.checkout.scan(cart, code)
    return core.sales.pay_cash(cart, Money(20_00)).order_number


def _cashier_id(core: Core) -> str:
    with core.engine.connect() as c:
        return str(c.execute(text("SELECT id FROM users WHERE staff_no = :n"),
                             {"n": CASHIER.staff_no}).scalar_one())


def open_refunds(qtbot: QtBot, screen: SaleScreen) -> RefundScreen:
    qtbot.keyClick(screen.code_entry, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), RefundScreen))
    dialog = screen.active_dialog()
    assert isinstance(dialog, RefundScreen)
    qtbot.waitExposed(dialog)
    return dialog


def test_a_line_is_returned_with_a_managers_pin_and_the_cash_given_back(
        qtbot: QtBot, window: CashierWindow, core: Core, scan_filter: ScanEventFilter) -> None:
    number = a_sale(core)
    screen = window.sale_screen
    assert "Ctrl+R\n退货" in screen.fkey_bar.labels()
    dialog = open_refunds(qtbot, screen)

    scan_filter.scanned.emit(number)  # the receipt's barcode
    qtbot.waitUntil(lambda: dialog.lines_table.rowCount() == 2)
    assert number in dialog.info_label.text()
    saved = dialog.lines_table.item(0, SAVED)
    assert saved is not None and "第二件半价" in saved.text()

    dialog.lines_table.selectRow(0)
    qtbot.keyClick(dialog.lines_table, Qt.Key.Key_Space)  # both colas
    qtbot.keyClick(dialog.lines_table, Qt.Key.Key_Minus)  # no: one of them
    qtbot.waitUntil(lambda: "应退合计 ¥2.62" in dialog.preview_text())
    back = dialog.lines_table.item(0, BACK)
    assert back is not None and back.text() == "1"
    assert "现金：从钱箱退给顾客 ¥2.62" in dialog.preview_text()

    qtbot.keyClick(dialog.lines_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.approval_dialog is not None
                    and dialog.approval_dialog.isVisible())
    approval = dialog.approval_dialog
    assert approval is not None
    for edit, typed in ((approval.staff_no_edit, MANAGER.staff_no),
                        (approval.pin_edit, MANAGER.pin)):
        qtbot.keyClicks(edit, typed)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result_view is not None, timeout=5000)

    result = dialog.result_view
    assert result is not None
    assert f"退货完成：退货单 {result.return_number}，退款 ¥2.62（张经理 授权）" in (
        dialog.preview_text())
    assert "请从钱箱取出现金 ¥2.62 交给顾客" in dialog.preview_text()
    assert screen.status_text() == f"退货 {result.return_number} 完成，退款 ¥2.62"
    with core.engine.connect() as c:
        assert c.execute(text(
            "SELECT p.method, p.amount_fen, p.state FROM payments p JOIN orders o "
            "ON o.id = p.order_id WHERE o.kind = 'return'")).all() == [("cash", -2_62, "refunded")]
        assert c.execute(text("SELECT count(*) FROM audit_entries WHERE action = 'sale.returned'")
                         ).scalar_one() == 1

    with qtbot.waitSignal(dialog.finished, timeout=3000):
        qtbot.keyClick(dialog.submit_button, Qt.Key.Key_Return)
    assert screen.active_dialog() is None


def test_a_typed_unknown_number_is_said_inline(
        qtbot: QtBot, window: CashierWindow) -> None:
    dialog = open_refunds(qtbot, window.sale_screen)

    qtbot.keyClicks(dialog.number_edit, "T01-20261124-0099")
    qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message_text() != "")

    assert dialog.message_text() == "找不到单号 T01-20261124-0099 的销售，请核对小票"
    assert dialog.lines_table.rowCount() == 0

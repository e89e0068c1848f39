"""The acceptance path, through the real app as `pos` builds it: PIN login, three scans typed
as key events by a keyboard-wedge scanner, cash payment; then the committed order in the
database and the receipt bytes the file printer received."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from app_driver import running_app, wedge_scan
from escpos_decode import decode
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from pos_app.persistence.models import OrderLineRow, OrderRow, PaymentRow
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.payment_dialog import CashPaymentDialog
from ui.main import PosApplication

COLA, WATER, CHIPS = "6900000000014", "6900000000021", "6900000000038"
"""可口可乐 330ml ¥3.50, 农夫山泉 饮用天然水 550ml ¥2.00, 乐事薯片 原味 70g ¥7.50. The demo
store's "饮料第二件半价" makes the cheaper of the two drinks half price: ¥1.00 off the water."""


@pytest.fixture
def pos(qapp: QApplication, tmp_path: Path) -> Iterator[PosApplication]:
    # A generous gap: a loaded CI machine may pause between two synthetic key events longer
    # than a real scanner's 50 ms; the burst detection itself is tested in tests/ui.
    with running_app(qapp, tmp_path, ui={"customer_display": True},
                     scan={"wedge_max_gap_ms": 400}) as application:
        yield application



def test_pin_login_three_wedge_scans_and_cash_payment(
        qtbot: QtBot, pos: PosApplication, tmp_path: Path) -> None:
    window = pos.windows[0]
    assert isinstance(window, CashierWindow)
    window.activateWindow()
    qtbot.waitExposed(window)
    login = window.login_screen
    qtbot.keyClicks(login.staff_no_edit, "1001")
    qtbot.keyClick(login.staff_no_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin_edit, "1234")
    qtbot.keyClick(login.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.showing_sale, timeout=10_000)
    sale = window.sale_screen
    qtbot.waitUntil(lambda: sale.cart_view is not None, timeout=10_000)

    sale.code_entry.setFocus()  # a scan must reach the sale even from a text field
    scanned: list[str] = []
    pos.scan_filter.scanned.connect(scanned.append)
    for code in (COLA, WATER, CHIPS):
        wedge_scan(qtbot, code)
    qtbot.waitUntil(lambda: sale.cart_view is not None and len(sale.cart_view.lines) == 3,
                    timeout=10_000)
    assert scanned == [COLA, WATER, CHIPS]  # recognised as scans by the wedge filter
    assert sale.code_entry.text() == ""
    assert [line.name for line in sale.cart_view.lines] == [
        "可口可乐 330ml", "农夫山泉 饮用天然水 550ml", "乐事薯片 原味 70g"]
    assert (sale.cart_view.subtotal.fen, sale.cart_view.savings.fen,
            sale.cart_view.total.fen) == (13_00, 1_00, 12_00)

    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), CashPaymentDialog),
                    timeout=5_000)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, CashPaymentDialog)
    qtbot.keyClicks(dialog.tendered_edit, "50")
    qtbot.keyClick(dialog.tendered_edit, Qt.Key.Key_Return)
    receipts = tmp_path / "receipts.escpos"
    qtbot.waitUntil(lambda: receipts.exists() and b"\x1dV" in receipts.read_bytes(),
                    timeout=10_000)

    with pos.core.engine.connect() as c:
        order = c.execute(select(OrderRow).where(OrderRow.status == "completed")).one()
        lines = c.execute(select(OrderLineRow.name, OrderLineRow.amount_fen)
                          .where(OrderLineRow.order_id == order.id)
                          .order_by(OrderLineRow.position)).all()
        payment = c.execute(select(PaymentRow).where(PaymentRow.order_id == order.id)).one()
    assert (order.total_fen, order.paid_fen, order.change_fen) == (12_00, 12_00, 38_00)
    assert [tuple(line) for line in lines] == [
        ("可口可乐 330ml", 3_50), ("农夫山泉 饮用天然水 550ml", 2_00), ("乐事薯片 原味 70g", 7_50)]
    assert (payment.method, payment.tendered_fen, payment.change_fen) == ("cash", 50_00, 38_00)
    assert "38.00" in sale.status_text()

    printed = decode(receipts.read_bytes(), "gb18030")
    text = printed.all_text
    for name in ("可口可乐 330ml", "农夫山泉 饮用天然水 550ml", "乐事薯片 原味 70g"):
        assert name in text
    assert "￥12.00" in text and "￥50.00" in text and "￥38.00" in text
    water = printed.lines.index(next(p for p in printed.lines if "农夫山泉" in p.text))
    saving = next(p for p in printed.lines[water:] if "饮料第二件半价" in p.text)
    assert saving.text.endswith("-￥1.00")
    assert order.order_number in text
    assert {kick.pin for kick in printed.drawer_kicks} == {2, 5}
    assert printed.cuts == 1
    assert not any(line.non_ascii_outside_hanzi for line in printed.lines)


def test_an_unknown_barcode_shows_a_clear_message_and_adds_nothing(
        qtbot: QtBot, pos: PosApplication) -> None:
    window = pos.windows[0]
    assert isinstance(window, CashierWindow)
    qtbot.waitExposed(window)
    qtbot.keyClicks(window.login_screen.staff_no_edit, "1001")
    qtbot.keyClick(window.login_screen.staff_no_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login_screen.pin_edit, "1234")
    qtbot.keyClick(window.login_screen.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.sale_screen.cart_view is not None, timeout=10_000)
    sale = window.sale_screen
    sale.code_entry.setFocus()

    wedge_scan(qtbot, "6901234567892")
    qtbot.waitUntil(lambda: "6901234567892" in sale.status_text(), timeout=5_000)
    assert sale.status_text() == "未找到商品：6901234567892"
    wedge_scan(qtbot, "6900000000015")
    qtbot.waitUntil(lambda: "校验位" in sale.status_text(), timeout=5_000)
    assert sale.cart_view is not None and sale.cart_view.empty
    customer: QWidget = pos.windows[1]
    assert customer.isVisible()

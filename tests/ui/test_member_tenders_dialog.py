"""The payment dialog with a member on the cart: points and stored value pay part, cash the
rest; a bank card with the terminal's approval code pays what is left."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from pos_app.bootstrap import Core
from pos_app.domain.money import Money
from pos_app.persistence.demo_store import KNOWN_PRODUCTS
from pos_app.persistence.models import PaymentRow
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.payment_dialog import CashPaymentDialog
from ui.cashier.sale_screen import SaleScreen
from ui.input.scan_filter import ScanEventFilter

T = TypeVar("T")
CRISPS = next(p for p in KNOWN_PRODUCTS if p.sku == "S0000003")  # ¥7.50, no drink offer


def a_member(core: Core, *, stored: str, points: int) -> str:
    member = core.members.join("13912345678", "赵敏")
    core.members.top_up(member.id, Money.parse(stored), cashier_id="system")
    with core.engine.begin() as c:
        c.execute(text("UPDATE members SET points = :p WHERE id = :m"),
                  {"p": points, "m": member.id})
    return member.id


def open_payment(qtbot: QtBot, screen: SaleScreen) -> CashPaymentDialog:
    qtbot.keyClick(screen.code_entry, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), CashPaymentDialog))
    dialog = screen.active_dialog()
    assert isinstance(dialog, CashPaymentDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def payments(core: Core) -> list[tuple[str, int]]:
    with core.engine.connect() as c:
        return sorted((m, a) for m, a in c.execute(
            select(PaymentRow.method, PaymentRow.amount_fen)).all())


def scan_two_crisps_for(qtbot: QtBot, screen: SaleScreen, scan_filter: ScanEventFilter,
                        member_id: str, core: Core) -> None:
    # the member first (as if identified), then the goods: ¥15.00, no offer on two crisps
    qtbot.waitUntil(lambda: screen.cart_view is not None)
    view = screen.cart_view
    assert view is not None
    core.checkout.set_member(view.id, member_id)
    for _ in range(2):
        scan_filter.scanned.emit(str(CRISPS.barcode))
        qtbot.waitUntil(lambda: not screen.busy)
    qtbot.waitUntil(lambda: screen.cart_view is not None and screen.cart_view.member is not None)


def test_points_and_stored_value_pay_part_and_cash_the_rest(
        qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter,
        core: Core) -> None:
    screen = sale_window.sale_screen
    member = a_member(core, stored="5.00", points=350)
    scan_two_crisps_for(qtbot, screen, scan_filter, member, core)
    dialog = open_payment(qtbot, screen)
    assert dialog.due == Money(15_00)

    qtbot.keyClick(dialog, Qt.Key.Key_F7)  # 350 points: 3 whole steps, ¥3.00
    assert dialog.due == Money(12_00)
    qtbot.keyClick(dialog, Qt.Key.Key_F6)  # the whole balance, ¥5.00
    assert dialog.due == Money(7_00)
    assert "积分抵扣 300 分" in dialog.other_tenders.summary.text()
    qtbot.keyClicks(dialog.tendered_edit, "10")
    assert dialog.change_text() == "¥3.00"
    qtbot.keyClick(dialog.tendered_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.active_dialog() is None)

    assert payments(core) == [("cash", 7_00), ("points", 3_00), ("stored_value", 5_00)]
    summary = core.members.summary(member)
    assert summary.stored_value == Money(0)
    assert summary.points == 350 - 300 + 12  # earned on the ¥12.00 not paid with points


def test_a_card_approval_code_pays_what_is_left(
        qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter,
        core: Core) -> None:
    screen = sale_window.sale_screen
    member = a_member(core, stored="5.00", points=0)
    scan_two_crisps_for(qtbot, screen, scan_filter, member, core)
    dialog = open_payment(qtbot, screen)
    assert not dialog.other_tenders.points_button.isEnabled()  # no points to spend
    qtbot.keyClick(dialog, Qt.Key.Key_F6)
    qtbot.keyClick(dialog, Qt.Key.Key_F5)
    qtbot.waitUntil(dialog.other_tenders.approval_edit.isVisible)
    qtbot.keyClicks(dialog.other_tenders.approval_edit, "12")
    qtbot.keyClick(dialog.other_tenders.approval_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message_text() != "")
    assert "授权码" in dialog.message_text()  # too short: refused, nothing taken
    assert payments(core) == [] and dialog.due == Money(10_00)
    dialog.other_tenders.approval_edit.clear()
    qtbot.keyClicks(dialog.other_tenders.approval_edit, "A1B2C3")
    qtbot.keyClick(dialog.other_tenders.approval_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.active_dialog() is None)
    assert payments(core) == [("bank_card", 10_00), ("stored_value", 5_00)]

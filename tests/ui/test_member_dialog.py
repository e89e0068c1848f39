"""F10: identify by a typed phone number, join with an unknown one, see the member's details
and use one of their coupons from the list."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.bootstrap import Core
from pos_app.clock import FixedClock
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.member_dialog import MemberDialog
from ui.cashier.sale_screen import SaleScreen


def open_member_dialog(qtbot: QtBot, screen: SaleScreen) -> MemberDialog:
    """F10 as the cashier presses it: once the sale has the keys back from any earlier dialog
    (the window becomes active again a moment after a dialog closes)."""
    qtbot.waitUntil(lambda: screen.active_dialog() is None and screen.window().isActiveWindow())
    qtbot.keyClick(screen.code_entry, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), MemberDialog))
    dialog = screen.active_dialog()
    assert isinstance(dialog, MemberDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def type_enter(qtbot: QtBot, dialog: MemberDialog, typed: str) -> None:
    dialog.code_edit.clear()
    qtbot.keyClicks(dialog.code_edit, typed)
    qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)


def test_an_unknown_phone_offers_to_join_and_a_bad_one_says_why(
        qtbot: QtBot, sale_window: CashierWindow) -> None:
    screen = sale_window.sale_screen
    dialog = open_member_dialog(qtbot, screen)
    type_enter(qtbot, dialog, "1391234")
    qtbot.waitUntil(lambda: dialog.message_text() != "")
    assert not dialog.join_button.isVisible()
    type_enter(qtbot, dialog, "13912345678")
    qtbot.waitUntil(lambda: dialog.join_button.isVisible())
    assert dialog.message_text() != ""
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.active_dialog() is None)
    view = screen.cart_view
    assert view is not None and view.member is not None
    assert "13912345678" in screen.status_text()
    assert view.member.name == "*5678"  # joined with a phone only: greeted by its last digits
    assert "*5678" in screen.savings_panel.member_label.text()


def test_the_members_details_list_their_coupons_and_one_is_used_from_the_list(
        qtbot: QtBot, sale_window: CashierWindow, core: Core, clock: FixedClock) -> None:
    screen = sale_window.sale_screen
    member = core.members.join("13812345678", "李刚")
    now = clock.now()
    core.coupons.generate_batch("店庆现金券", {
        "kind": "cash", "amount": "3.00", "valid_from": (now - timedelta(days=1)).isoformat(),
        "valid_until": (now + timedelta(days=9)).isoformat()}, 1, member_ids=[member.id])
    dialog = open_member_dialog(qtbot, screen)
    type_enter(qtbot, dialog, "13812345678")
    qtbot.waitUntil(lambda: screen.active_dialog() is None)
    assert "李刚" in screen.savings_panel.member_label.text()

    dialog = open_member_dialog(qtbot, screen)
    qtbot.waitUntil(lambda: dialog.coupon_list.count() == 1)
    assert "店庆现金券" in dialog.coupon_list.item(0).text()
    assert "储值 ¥0.00" in dialog.current_label.text()
    dialog.coupon_list.setCurrentRow(0)
    dialog.coupon_list.itemActivated.emit(dialog.coupon_list.item(0))
    qtbot.waitUntil(lambda: screen.cart_view is not None and len(screen.cart_view.coupons) == 1)
    coupon = screen.cart_view.coupons[0]
    assert coupon.name == "店庆现金券"
    assert coupon.refusal == "coupon.no_eligible_goods"  # an empty cart: it waits for goods


def test_a_cash_top_up_shows_the_new_balance_on_the_cart(
        qtbot: QtBot, sale_window: CashierWindow, core: Core) -> None:
    screen = sale_window.sale_screen
    core.members.join("13712345678", "周杰")
    dialog = open_member_dialog(qtbot, screen)
    type_enter(qtbot, dialog, "13712345678")
    qtbot.waitUntil(lambda: screen.active_dialog() is None)

    dialog = open_member_dialog(qtbot, screen)
    qtbot.keyClicks(dialog.top_up_edit, "0")
    qtbot.keyClick(dialog.top_up_edit, Qt.Key.Key_Return)
    assert dialog.message_text() != ""  # nothing to top up: said, nothing sent
    dialog.top_up_edit.clear()
    qtbot.keyClicks(dialog.top_up_edit, "100")
    qtbot.keyClick(dialog.top_up_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.active_dialog() is None)
    view = screen.cart_view
    assert view is not None and view.member is not None
    assert view.member.stored_value.fen == 100_00
    assert "¥100.00" in screen.status_text()
    assert "储值 ¥100.00" in screen.savings_panel.member_label.text()

"""The cashier's screens driven by keys, clicks and scans, on real services and a demo database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.persistence.demo_store import DEMO_STAFF, KNOWN_PRODUCTS, KnownProduct
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.payment_dialog import CashPaymentDialog
from ui.cashier.quantity_dialog import QuantityDialog
from ui.cashier.sale_screen import SaleScreen
from ui.cashier.search_dialog import SearchDialog
from ui.cashier.suspended_dialog import SuspendedDialog
from ui.input.scan_filter import ScanEventFilter
from ui.widgets.confirm_dialog import ConfirmDialog
from ui.widgets.status_label import Severity


def product(sku: str) -> KnownProduct:
    return next(known for known in KNOWN_PRODUCTS if known.sku == sku)


CASHIER = DEMO_STAFF[0]  # 1001 / 1234, 王芳
COLA = product("S0000001")  # 可口可乐 330ml, ¥3.50
WATER = product("S0000002")  # 农夫山泉 饮用天然水 550ml, ¥2.00
CRISPS = product("S0000003")  # 乐事薯片 原味 70g, ¥7.50
# The demo store runs "饮料第二件半价" (cola and water are drinks): the cheaper of each pair of
# drinks is half price; the savings column and the totals show it.
APPLES = product("S0000005")  # 红富士苹果, weighed, PLU 101, ¥12.80/kg
UNKNOWN_BARCODE = "6900000000991"  # valid check digit, in no catalogue
BAD_CHECK_DIGIT = "6900000000015"  # the cola's barcode with its last digit wrong

T = TypeVar("T")
LogIn = Callable[..., None]


def press(
    qtbot: QtBot,
    screen: SaleScreen,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """A key pressed while the cursor is in the code entry, as it always is on this screen."""
    qtbot.keyClick(screen.code_entry, key, modifier)


def scan(qtbot: QtBot, scan_filter: ScanEventFilter, screen: SaleScreen, code: str) -> None:
    """A wedge scan, waiting until its answer is on screen."""
    scan_filter.scanned.emit(code)
    qtbot.waitUntil(lambda: not screen.busy)


def rows(screen: SaleScreen) -> list[list[str]]:
    model = screen.cart_model
    return [
        [str(model.data(model.index(row, column))) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def dialog_of(qtbot: QtBot, screen: SaleScreen, kind: type[T]) -> T:
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), kind))
    dialog = screen.active_dialog()
    qtbot.waitUntil(lambda: dialog.isActiveWindow())
    assert isinstance(dialog, kind)
    return dialog


def wait_closed(qtbot: QtBot, screen: SaleScreen) -> None:
    """The dialog is gone and the sale window has the keys again."""
    qtbot.waitUntil(lambda: screen.active_dialog() is None and screen.window().isActiveWindow())


# -- login ------------------------------------------------------------------------------------


def test_a_wrong_pin_says_why_clears_the_pin_and_stays_on_login(
    qtbot: QtBot, cashier_window: CashierWindow, log_in: LogIn
) -> None:
    log_in(cashier_window, pin="4321")
    login = cashier_window.login_screen
    qtbot.waitUntil(lambda: login.message_text() != "")
    assert login.message_text() == "工号或密码错误，还可尝试 4 次"
    assert login.pin_edit.text() == ""
    assert not cashier_window.showing_sale


def test_the_right_pin_opens_the_sale_screen_with_the_cashier_named(
    qtbot: QtBot, sale_window: CashierWindow
) -> None:
    screen = sale_window.sale_screen
    assert sale_window.showing_sale
    assert f"收银员：{CASHIER.name}（{CASHIER.staff_no}）" in screen.top_bar.texts()
    assert screen.total_panel.total_text() == "¥0.00"
    assert sale_window.windowTitle() == "新零售示范店 · 收银台 T01"


def test_the_pin_field_is_a_password_field_never_read_as_a_scan(
    cashier_window: CashierWindow,
) -> None:
    pin = cashier_window.login_screen.pin_edit
    assert pin.echoMode() == pin.EchoMode.Password
    assert pin.property("posNoScan") is True


# -- scanning ---------------------------------------------------------------------------------


def test_scans_add_lines_and_the_total_follows(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    for code in (COLA.barcode, COLA.barcode, WATER.barcode):
        scan(qtbot, scan_filter, screen, str(code))
    assert rows(screen) == [
        ["1", COLA.name, "2", "¥3.50", "¥7.00", "-¥1.75"],
        ["2", WATER.name, "1", "¥2.00", "¥2.00", ""],
    ]
    assert screen.total_panel.total_text() == "¥7.25"
    assert screen.cart_model.reasons(0) == ["饮料第二件半价（第二件半价）  -¥1.75"]
    assert screen.status_text() == f"{WATER.name}　×1　¥2.00"
    assert screen.cart_table.selectionModel().selectedRows()[0].row() == 1


def test_an_unknown_barcode_is_a_red_message_and_the_cart_is_unchanged(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    scan(qtbot, scan_filter, screen, UNKNOWN_BARCODE)
    assert screen.status_text() == f"未找到商品：{UNKNOWN_BARCODE}"
    assert screen.status_label.severity is Severity.ERROR
    assert screen.active_dialog() is None  # nothing modal stands in the way of the next scan
    assert len(rows(screen)) == 1
    assert screen.total_panel.total_text() == "¥3.50"
    scan(qtbot, scan_filter, screen, str(WATER.barcode))
    assert screen.status_label.severity is Severity.INFO


def test_an_age_restricted_item_asks_the_cashier_to_check_the_customers_age(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    beer = next(p for p in KNOWN_PRODUCTS if p.min_age is not None and p.barcode)
    scan(qtbot, scan_filter, screen, str(beer.barcode))
    assert screen.status_label.severity is Severity.WARNING
    assert "请核实顾客已满 18 周岁" in screen.status_text()
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    assert screen.status_label.severity is Severity.INFO


def test_a_bad_check_digit_asks_for_a_rescan(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, BAD_CHECK_DIGIT)
    assert screen.status_text() == f"条码校验位错误：{BAD_CHECK_DIGIT}，请重新扫描"
    assert screen.cart_view is not None and screen.cart_view.empty


def test_a_barcode_typed_in_the_code_entry_adds_the_product(
    qtbot: QtBot, sale_window: CashierWindow
) -> None:
    screen = sale_window.sale_screen
    qtbot.keyClicks(screen.code_entry, str(CRISPS.barcode))
    press(qtbot, screen, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(rows(screen)) == 1)
    assert rows(screen)[0][1:] == [CRISPS.name, "1", "¥7.50", "¥7.50", ""]
    assert screen.code_entry.text() == ""


def test_esc_clears_what_is_typed_then_the_message(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, UNKNOWN_BARCODE)
    qtbot.keyClicks(screen.code_entry, "690")
    press(qtbot, screen, Qt.Key.Key_Escape)
    assert screen.code_entry.text() == ""
    assert screen.status_text() == f"未找到商品：{UNKNOWN_BARCODE}"
    press(qtbot, screen, Qt.Key.Key_Escape)
    assert screen.status_text() == ""


def test_a_weighed_plu_typed_without_a_weight_asks_for_the_scale_label(
    qtbot: QtBot, sale_window: CashierWindow
) -> None:
    screen = sale_window.sale_screen
    qtbot.keyClicks(screen.code_entry, str(APPLES.plu))
    press(qtbot, screen, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.status_label.severity is Severity.ERROR)
    assert screen.status_text() == f"{APPLES.name} 需要称重，请扫描称重标签"


# -- changing lines ---------------------------------------------------------------------------


def test_f2_changes_the_quantity_of_the_line_chosen_with_the_arrows(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    scan(qtbot, scan_filter, screen, str(WATER.barcode))
    press(qtbot, screen, Qt.Key.Key_Up)
    press(qtbot, screen, Qt.Key.Key_F2)
    dialog = dialog_of(qtbot, screen, QuantityDialog)
    qtbot.keyClicks(dialog.quantity_edit, "0")
    qtbot.keyClick(dialog.quantity_edit, Qt.Key.Key_Return)
    assert dialog.message_text() == "数量必须在 1 到 999 之间"
    dialog.quantity_edit.selectAll()
    qtbot.keyClicks(dialog.quantity_edit, "6")
    qtbot.keyClick(dialog.quantity_edit, Qt.Key.Key_Return)
    # six colas and a water: three colas at half price (the per-order cap is three)
    qtbot.waitUntil(lambda: screen.total_panel.total_text() == "¥17.75")
    assert rows(screen)[0][1:] == [COLA.name, "6", "¥3.50", "¥21.00", "-¥5.25"]
    assert screen.active_dialog() is None


def test_f3_voids_the_last_line_after_enter_and_esc_keeps_it(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    scan(qtbot, scan_filter, screen, str(WATER.barcode))
    press(qtbot, screen, Qt.Key.Key_F3)
    dialog = dialog_of(qtbot, screen, ConfirmDialog)
    assert WATER.name in dialog.question()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    wait_closed(qtbot, screen)
    assert len(rows(screen)) == 2
    press(qtbot, screen, Qt.Key.Key_F3)
    qtbot.keyClick(dialog_of(qtbot, screen, ConfirmDialog), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(rows(screen)) == 1)
    assert screen.status_text() == f"已删除：{WATER.name}"
    assert screen.total_panel.total_text() == "¥3.50"


def test_f5_suspends_and_f6_brings_the_sale_back(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, str(CRISPS.barcode))
    press(qtbot, screen, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: screen.cart_view is not None and screen.cart_view.empty)
    assert screen.status_text() == "已挂单（¥7.50），按 F6 可取回"
    assert screen.total_panel.total_text() == "¥0.00"
    press(qtbot, screen, Qt.Key.Key_F6)
    dialog = dialog_of(qtbot, screen, SuspendedDialog)
    assert [cart.total for cart in dialog.carts()] == [Money(750)]
    qtbot.keyClick(dialog.carts_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(rows(screen)) == 1)
    assert rows(screen)[0][1] == CRISPS.name
    assert screen.status_text() == "已取回挂单，应收 ¥7.50"


def test_f6_with_items_in_the_cart_says_to_finish_first(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    press(qtbot, screen, Qt.Key.Key_F6)
    assert screen.status_text() == "请先结账或挂起当前交易，再取回挂单"
    assert screen.active_dialog() is None


def test_f4_finds_a_product_by_pinyin_initials_and_enter_adds_it(
    qtbot: QtBot, sale_window: CashierWindow
) -> None:
    screen = sale_window.sale_screen
    press(qtbot, screen, Qt.Key.Key_F4)
    dialog = dialog_of(qtbot, screen, SearchDialog)
    qtbot.keyClicks(dialog.query_edit, "kkkl")
    qtbot.waitUntil(lambda: dialog.results() != [])
    assert dialog.current_product() is not None
    assert dialog.current_product().name == COLA.name  # type: ignore[union-attr]
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(rows(screen)) == 1)
    assert rows(screen)[0][1] == COLA.name


def test_a_scan_while_searching_closes_the_search_and_adds_the_scanned_item(
    qtbot: QtBot,
    sale_window: CashierWindow,
    scan_filter: ScanEventFilter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    screen = sale_window.sale_screen
    press(qtbot, screen, Qt.Key.Key_F4)
    dialog = dialog_of(qtbot, screen, SearchDialog)
    qtbot.keyClicks(dialog.query_edit, "kkkl")
    dialog.search_now()  # its answer arrives after the dialog has closed
    scan(qtbot, scan_filter, screen, str(WATER.barcode))
    qtbot.waitUntil(lambda: len(rows(screen)) == 1)
    assert screen.active_dialog() is None
    assert rows(screen)[0][1] == WATER.name
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_f_key_bar_names_every_key(sale_window: CashierWindow) -> None:
    assert sale_window.sale_screen.fkey_bar.labels() == [
        "F2\n数量",
        "F3\n删除商品",
        "F4\n查找商品",
        "F5\n挂单",
        "F6\n取单",
        "F9\n重打小票",
        "F10\n会员",
        "F12\n现金收款",
    ]


def test_ctrl_l_logs_out_and_the_open_cart_comes_back_at_the_next_login(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter, log_in: LogIn
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    press(qtbot, screen, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not sale_window.showing_sale
    scan_filter.scanned.emit(str(WATER.barcode))  # nobody is logged in: ignored
    log_in(sale_window)
    qtbot.waitUntil(lambda: screen.cart_view is not None and len(rows(screen)) == 1)
    assert rows(screen)[0][1] == COLA.name


# -- cash -------------------------------------------------------------------------------------


def test_cash_payment_shows_the_change_as_typed_and_refuses_too_little(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    for code in (COLA.barcode, COLA.barcode, CRISPS.barcode):
        scan(qtbot, scan_filter, screen, str(code))
    press(qtbot, screen, Qt.Key.Key_F12)
    dialog = dialog_of(qtbot, screen, CashPaymentDialog)
    assert dialog.due == Money(12_75)  # 14.50 less half a cola
    qtbot.keyClicks(dialog.tendered_edit, "10")
    assert dialog.change_text() == "还差 ¥2.75"
    qtbot.keyClick(dialog.tendered_edit, Qt.Key.Key_Return)
    assert dialog.message_text() == "实收 ¥10.00 少于应收 ¥12.75"
    assert screen.active_dialog() is dialog
    dialog.tendered_edit.clear()
    qtbot.keyClicks(dialog.tendered_edit, "20")
    assert dialog.change_text() == "¥7.25"
    qtbot.keyClick(dialog.tendered_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.active_dialog() is None)
    assert screen.total_panel.change_text() == "¥7.25"
    assert "找零 ¥7.25" in screen.status_text()
    assert rows(screen) == []


def test_the_change_stays_until_the_next_scan_starts_a_new_sale(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    paid_cart = screen.cart_view.id  # type: ignore[union-attr]
    press(qtbot, screen, Qt.Key.Key_F12)
    dialog = dialog_of(qtbot, screen, CashPaymentDialog)
    fifty = dialog.quick_buttons[-1]
    assert fifty.text() == "F4\n¥50"
    qtbot.mouseClick(fifty, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.total_panel.showing_change)
    assert screen.total_panel.change_text() == "¥46.50"
    scan(qtbot, scan_filter, screen, str(WATER.barcode))
    assert not screen.total_panel.showing_change
    assert screen.total_panel.total_text() == "¥2.00"
    assert screen.cart_view is not None and screen.cart_view.id != paid_cart


def test_a_payment_dialog_refuses_text_that_is_no_amount(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    press(qtbot, screen, Qt.Key.Key_F12)
    dialog = dialog_of(qtbot, screen, CashPaymentDialog)
    qtbot.keyClicks(dialog.tendered_edit, ".")
    qtbot.keyClick(dialog.tendered_edit, Qt.Key.Key_Return)
    assert dialog.message_text() == "金额格式不正确，例如 50 或 12.30"


def test_a_scan_while_paying_is_refused_in_the_dialog_and_the_cart_is_unchanged(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    press(qtbot, screen, Qt.Key.Key_F12)
    dialog = dialog_of(qtbot, screen, CashPaymentDialog)
    scan_filter.scanned.emit(str(WATER.barcode))
    assert dialog.message_text().startswith("正在收款")
    qtbot.wait(50)
    assert len(rows(screen)) == 1


def test_f12_right_after_a_scan_waits_for_it_and_asks_the_full_amount(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    scan_filter.scanned.emit(str(CRISPS.barcode))
    press(qtbot, screen, Qt.Key.Key_F12)
    assert dialog_of(qtbot, screen, CashPaymentDialog).due == Money(7_50)


def test_f9_reprints_the_last_receipt_of_this_session(
    qtbot: QtBot, sale_window: CashierWindow, scan_filter: ScanEventFilter
) -> None:
    screen = sale_window.sale_screen
    press(qtbot, screen, Qt.Key.Key_F9)
    assert screen.status_text() == "本班还没有可重打的小票"
    scan(qtbot, scan_filter, screen, str(COLA.barcode))
    press(qtbot, screen, Qt.Key.Key_F12)
    dialog = dialog_of(qtbot, screen, CashPaymentDialog)
    qtbot.keyClick(dialog.tendered_edit, Qt.Key.Key_Return)  # nothing typed: the exact amount
    qtbot.waitUntil(lambda: screen.total_panel.showing_change)
    assert screen.total_panel.change_text() == "¥0.00"
    wait_closed(qtbot, screen)
    press(qtbot, screen, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: screen.status_text().startswith("正在补打小票"))

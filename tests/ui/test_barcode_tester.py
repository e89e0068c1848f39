"""The "test a barcode" box shows how the till reads a scanned or typed code, or the message a
cashier would see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.clock import FixedClock
from pos_app.domain.scan_codes import preset
from pos_app.i18n import Catalog
from ui.admin.barcode_tester import BarcodeTesterWidget
from ui.input.scan_filter import ScanEventFilter
from ui.widgets.status_label import Severity

ZH_CN = {
    "admin.barcode_tester.title": "测试条码",
    "admin.barcode_tester.hint": "扫描条码，或输入条码后按回车，查看收银机如何读取",
    "admin.barcode_tester.placeholder": "扫描或输入条码",
    "admin.barcode_tester.test": "测试",
    "admin.barcode_tester.ok": "可以识别",
    "admin.barcode_tester.kind.product": "商品条码（{symbology}）",
    "admin.barcode_tester.kind.weighed": "称重/计价标签",
    "admin.barcode_tester.kind.plu": "PLU 码",
    "admin.barcode_tester.kind.internal": "店内码",
    "admin.barcode_tester.kind.gs1": "GS1 条码（{symbology}）",
    "admin.barcode_tester.field.symbology_id": "码制标识",
    "admin.barcode_tester.field.gtin": "GTIN-14",
    "admin.barcode_tester.field.alternative_gtin": "按 UPC-E 读取",
    "admin.barcode_tester.field.content_gtin": "内含商品 GTIN",
    "admin.barcode_tester.field.prefix": "前缀",
    "admin.barcode_tester.field.plu": "PLU",
    "admin.barcode_tester.field.weight": "重量",
    "admin.barcode_tester.field.price": "金额",
    "admin.barcode_tester.field.code": "编码",
    "admin.barcode_tester.field.batch": "批号",
    "admin.barcode_tester.field.serial": "序列号",
    "admin.barcode_tester.field.production_date": "生产日期",
    "admin.barcode_tester.field.packaging_date": "包装日期",
    "admin.barcode_tester.field.best_before": "最佳食用期",
    "admin.barcode_tester.field.sell_by": "销售截止",
    "admin.barcode_tester.field.expiry": "有效期至",
    "admin.barcode_tester.field.count": "数量",
    "admin.barcode_tester.field.contained": "内含件数",
    "admin.barcode_tester.field.ai": "AI ({ai})",
    "error.scan.bad_check_digit": "条码校验位错误：{code}，请重新扫描",
    "error.scan.bad_gs1": "GS1 条码无法读取：{code}",
    "error.scan.bad_gs1.requisite": "GS1 条码缺少 AI ({ai}) 所需的数据：{code}",
    "error.scan.bad_gs1.check_digit": "GS1 条码 AI ({ai}) 的校验位错误",
}
GS = "\x1d"


@pytest.fixture
def catalog() -> Catalog:
    return Catalog("zh_CN", ZH_CN, {})


@pytest.fixture
def scan_filter() -> ScanEventFilter:
    return ScanEventFilter()


@pytest.fixture
def tester(qtbot: QtBot, catalog: Catalog, scan_filter: ScanEventFilter) -> BarcodeTesterWidget:
    widget = BarcodeTesterWidget(
        catalog,
        scan_filter=scan_filter,
        layouts=preset("cn-price"),
        clock=FixedClock(datetime(2026, 11, 24, 2, 30, tzinfo=UTC)),
    )
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_scanned_gs1_label_shows_gtin_batch_expiry_and_weight(
    tester: BarcodeTesterWidget, scan_filter: ScanEventFilter
) -> None:
    scan_filter.scanned.emit(f"]C101095011015300031725013110ABC123{GS}3103001250")

    assert tester.kind_label.text() == "GS1 条码（gs1-128）"
    assert tester.field_texts() == {
        "GTIN-14": "09501101530003",
        "批号": "ABC123",
        "有效期至": "2025-01-31",
        "重量": "1.250 kg",
    }
    assert tester.code_edit.text() == "]C101095011015300031725013110ABC123<GS>3103001250"
    assert tester.message_label.severity is Severity.SUCCESS


def test_a_typed_ean13_shows_its_gtin_14(qtbot: QtBot, tester: BarcodeTesterWidget) -> None:
    qtbot.keyClicks(tester.code_edit, "6901234567892")
    qtbot.keyClick(tester.code_edit, Qt.Key.Key_Return)

    assert tester.kind_label.text() == "商品条码（ean13）"
    assert tester.field_texts() == {"GTIN-14": "06901234567892"}


def test_a_scale_label_shows_its_plu_and_price(tester: BarcodeTesterWidget) -> None:
    tester.test("2000123012346")

    assert tester.kind_label.text() == "称重/计价标签"
    assert tester.field_texts() == {"前缀": "2", "PLU": "000123", "金额": "¥12.34"}


def test_a_bad_check_digit_shows_the_cashiers_message(tester: BarcodeTesterWidget) -> None:
    tester.test("6901234567893")

    assert tester.message_label.text() == "条码校验位错误：6901234567893，请重新扫描"
    assert tester.message_label.severity is Severity.ERROR
    assert tester.kind_label.text() == "" and tester.field_texts() == {}


def test_a_gs1_price_label_without_a_measure_is_explained(tester: BarcodeTesterWidget) -> None:
    tester.test("(01)12345678901231(3925)12599")

    assert tester.message_label.text() == (
        "GS1 条码缺少 AI (3925) 所需的数据：(01)12345678901231(3925)12599"
    )


def test_the_button_retests_the_field_and_keeps_the_group_separator(
    qtbot: QtBot, tester: BarcodeTesterWidget
) -> None:
    tester.test(f"0112312312312333235XYZ{GS}10ABC{GS}99TESTING")
    tester.code_edit.setText(tester.code_edit.text())  # as if the user looked and pressed Test

    qtbot.mouseClick(tester.test_button, Qt.MouseButton.LeftButton)

    assert tester.field_texts() == {
        "GTIN-14": "12312312312333",
        "批号": "ABC",
        "AI (235)": "XYZ",
        "AI (99)": "TESTING",
    }


def test_an_aim_identifier_before_an_ean_is_shown_and_stripped(
    tester: BarcodeTesterWidget,
) -> None:
    tester.test("]E00416000336108")

    assert tester.kind_label.text() == "商品条码（ean13）"
    assert tester.field_texts() == {"码制标识": "]E0", "GTIN-14": "00416000336108"}


def test_plu_and_store_codes(tester: BarcodeTesterWidget) -> None:
    tester.test("00123")
    assert (tester.kind_label.text(), tester.field_texts()) == ("PLU 码", {"PLU": "00123"})

    tester.test("SKU-42")
    assert (tester.kind_label.text(), tester.field_texts()) == ("店内码", {"编码": "SKU-42"})


def test_a_hidden_tester_ignores_scans(
    tester: BarcodeTesterWidget, scan_filter: ScanEventFilter
) -> None:
    tester.hide()

    scan_filter.scanned.emit("6901234567892")

    assert tester.code_edit.text() == ""
    assert tester.kind_label.text() == ""

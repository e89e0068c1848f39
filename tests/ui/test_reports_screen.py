"""The manager's reports screen: Ctrl+M on the sale screen with a manager's PIN, the day's
figures as the manager reads them (headline, hours, tables), day and scope keys, the CSV
export, a failing report said over the old figures, and every report made on the store lane.

Until ``ReportService`` is here the screen is driven by ``StoreFigures``: it answers with the
``SalesReportView`` values a test builds (``a_report``) and writes real files on export."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import open_cashier_window, type_login
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from pos_app.bootstrap import Core
from pos_app.clock import FixedClock
from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.i18n import Catalog, load_catalog
from pos_app.persistence.demo_store import DEMO_STAFF, KNOWN_PRODUCTS
from pos_app.resources import resources_dir
from pos_app.services.report_views import (
    CashierRow,
    CategoryRow,
    HourRow,
    PaymentMethodRow,
    ProductRow,
    ReportHeadline,
    SalesReportView,
    SavingSourceRow,
)
from ui.cashier.cashier_window import CashierWindow
from ui.cashier.sale_screen import SaleScreen
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.manager.approval_dialog import ApprovalDialog
from ui.manager.reports_screen import ReportsScreen
from ui.tasks import TaskRunner

CASHIER, MANAGER = DEMO_STAFF[0], DEMO_STAFF[2]  # 1001/1234 王芳, 9001/9999 张经理
TODAY = date(2026, 11, 24)  # the clock fixture: 2026-11-24 02:30 UTC, 10:30 in Shanghai
BUSY_HOURS = {
    8: (3, 45_00),
    9: (12, 210_30),
    10: (23, 456_70),
    11: (18, 320_00),
    17: (14, 152_40),
    18: (16, 50_10),
}
"""hour: (sales, total in fen); 86 sales, ¥1234.50."""


def a_report(
    day: date = TODAY,
    *,
    terminal_code: str | None = None,
    hours: dict[int, tuple[int, int]] | None = None,
) -> SalesReportView:
    """86 sales for ¥1234.50 in a day, two returns, a few of everything."""
    busy = BUSY_HOURS if hours is None else hours
    return SalesReportView(
        store_name="新零售示范店",
        first=day,
        last=day,
        time_zone="Asia/Shanghai",
        terminal_code=terminal_code,
        generated_at=datetime(2026, 11, 24, 2, 32, tzinfo=UTC),
        headline=ReportHeadline(
            sales_count=86,
            sales_total=Money(1234_50),
            returns_count=2,
            returns_total=Money(25_20),
            net_total=Money(1209_30),
            average_sale=Money(14_35),
            items_sold=312,
            savings_total=Money(188_40),
            promotion_savings=Money(120_00),
            coupon_savings=Money(50_00),
            member_price_savings=Money(18_40),
            member_sales_count=37,
            voided_lines=5,
            voided_total=Money(42_80),
        ),
        by_hour=tuple(
            HourRow(
                hour=hour,
                sales_count=busy.get(hour, (0, 0))[0],
                sales_total=Money(busy.get(hour, (0, 0))[1]),
            )
            for hour in range(24)
        ),
        by_category=(
            CategoryRow(category="饮料", quantity=120, total=Money(420_00), share_bp=3402),
            CategoryRow(category="生鲜水果", quantity=40, total=Money(250_50), share_bp=2029),
        ),
        top_products=(
            ProductRow(
                sku="S0000001", name="可口可乐 330ml", quantity=60, grams=0, total=Money(210_00)
            ),
            ProductRow(
                sku="S0000010", name="红富士苹果", quantity=12, grams=6_420, total=Money(96_30)
            ),
        ),
        by_cashier=(
            CashierRow(
                staff_no="1001",
                name="王芳",
                sales_count=50,
                sales_total=Money(800_00),
                returns_count=1,
                returns_total=Money(12_00),
                voided_lines=3,
            ),
        ),
        by_payment=(
            PaymentMethodRow(
                method="payment_code",
                provider="wechat_pay",
                count=40,
                total=Money(600_00),
                refunded=Money(13_20),
            ),
            PaymentMethodRow(
                method="cash", provider=None, count=30, total=Money(400_00), refunded=Money(12_00)
            ),
        ),
        savings=(
            SavingSourceRow(
                kind="promotion", source="P1", name="饮料第二件半价", uses=20, saved=Money(120_00)
            ),
            SavingSourceRow(
                kind="coupon", source="C1", name="满20减5", uses=10, saved=Money(50_00)
            ),
            SavingSourceRow(
                kind="member_price",
                source="member.price",
                name="member.price",
                uses=12,
                saved=Money(18_40),
            ),
        ),
    )


class StoreFigures:
    """Stands in for ReportService: answers with ``a_report`` for the day asked; can fail or
    hold its answer until released; export writes one CSV file per table."""

    def __init__(self) -> None:
        self.asked: list[tuple[date, date | None, str | None]] = []
        self.threads: list[str] = []
        self.failing: BaseException | None = None
        self.hours: dict[int, tuple[int, int]] | None = None
        self.gate = threading.Event()
        self.gate.set()

    def report(
        self, first: date, last: date | None = None, *, terminal_code: str | None = None
    ) -> SalesReportView:
        self.threads.append(threading.current_thread().name)
        self.asked.append((first, last, terminal_code))
        assert self.gate.wait(10)
        if self.failing is not None:
            raise self.failing
        return a_report(first, terminal_code=terminal_code, hours=self.hours)

    def export_csv(self, view: SalesReportView, directory: Path) -> list[Path]:
        paths = [
            directory / f"{view.first.isoformat()}-{name}.csv" for name in ("headline", "by_hour")
        ]
        directory.mkdir(parents=True, exist_ok=True)  # as ReportService does
        for path in paths:
            path.write_text("x\n", encoding="utf-8")
        return paths


@pytest.fixture
def figures() -> Iterator[StoreFigures]:
    stand_in = StoreFigures()
    yield stand_in
    stand_in.gate.set()  # a test that failed while holding it must not hang the lane


@pytest.fixture
def screen(
    qtbot: QtBot,
    figures: StoreFigures,
    tasks: TaskRunner,
    catalog: Catalog,
    clock: FixedClock,
    tmp_path: Path,
) -> ReportsScreen:
    return open_screen(qtbot, figures, tasks, catalog, clock, tmp_path / "exports")


def open_screen(
    qtbot: QtBot,
    figures: StoreFigures,
    tasks: TaskRunner,
    catalog: Catalog,
    clock: FixedClock,
    exports: Path,
) -> ReportsScreen:
    shown = ReportsScreen(
        reports=figures,
        tasks=tasks,
        catalog=catalog,
        terminal_code="T01",
        exports_dir=exports,
        clock=clock,
        manager_name="张经理",
    )
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    qtbot.waitUntil(lambda: shown.view is not None and not shown.loading)
    return shown


def press(qtbot: QtBot, screen: ReportsScreen, key: Qt.Key) -> None:
    qtbot.keyClick(screen.focusWidget() or screen, key)


# -- from the sale screen -----------------------------------------------------------------------


@pytest.fixture
def window(
    qtbot: QtBot,
    core: Core,
    tasks: TaskRunner,
    bridge: EventBridge,
    scan_filter: ScanEventFilter,
    catalog: Catalog,
    figures: StoreFigures,
    tmp_path: Path,
) -> CashierWindow:
    shown = open_cashier_window(
        qtbot,
        core,
        tasks,
        bridge,
        scan_filter,
        catalog,
        members=None,
        approvals=core.approvals,
        refunds=core.refunds,
        reports=figures,
        exports_dir=tmp_path / "exports",
    )
    type_login(qtbot, shown, CASHIER.staff_no, CASHIER.pin)
    qtbot.waitUntil(lambda: shown.sale_screen.cart_view is not None)
    return shown


def ask_for_reports(qtbot: QtBot, screen: SaleScreen, staff_no: str, pin: str) -> ApprovalDialog:
    qtbot.keyClick(screen.code_entry, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), ApprovalDialog))
    dialog = screen.active_dialog()
    assert isinstance(dialog, ApprovalDialog)
    qtbot.waitExposed(dialog)
    for edit, typed in ((dialog.staff_no_edit, staff_no), (dialog.pin_edit, pin)):
        qtbot.keyClicks(edit, typed)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    return dialog


def test_ctrl_m_with_a_managers_pin_opens_todays_figures_for_the_whole_store(
    qtbot: QtBot, window: CashierWindow, figures: StoreFigures
) -> None:
    screen = window.sale_screen
    assert "Ctrl+M\n报表" in screen.fkey_bar.labels()

    ask_for_reports(qtbot, screen, MANAGER.staff_no, MANAGER.pin)
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), ReportsScreen))
    reports = screen.active_dialog()
    assert isinstance(reports, ReportsScreen)
    qtbot.waitUntil(lambda: reports.view is not None)

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert figures.asked == [(today, None, None)]
    assert "全店" in reports.period_label.text()
    assert "张经理 授权查看" in reports.generated_label.text()
    assert reports.tiles["sales"].text() == "销售额 ¥1234.50 86 笔"

    with qtbot.waitSignal(reports.finished, timeout=3000):
        press(qtbot, reports, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: screen.active_dialog() is None)


@pytest.mark.parametrize(
    ("staff_no", "pin", "said"),
    [
        (MANAGER.staff_no, "0000", "工号或密码错误，还可尝试 4 次"),
        (CASHIER.staff_no, CASHIER.pin, "工号 1001 不是经理：请经理本人输入工号和密码"),
    ],
)
def test_a_wrong_pin_or_a_cashiers_pin_opens_no_report(
    qtbot: QtBot, window: CashierWindow, figures: StoreFigures, staff_no: str, pin: str, said: str
) -> None:
    screen = window.sale_screen
    dialog = ask_for_reports(qtbot, screen, staff_no, pin)
    qtbot.waitUntil(lambda: dialog.message_text() != "")

    assert dialog.message_text() == said
    assert screen.active_dialog() is dialog  # still asking
    assert figures.asked == []


def test_viewing_uses_up_the_managers_approval(
    qtbot: QtBot, window: CashierWindow, core: Core
) -> None:
    screen = window.sale_screen
    ask_for_reports(qtbot, screen, MANAGER.staff_no, MANAGER.pin)
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), ReportsScreen))
    with core.engine.connect() as c:
        manager_id = str(
            c.execute(
                text("SELECT id FROM users WHERE staff_no = :n"), {"n": MANAGER.staff_no}
            ).scalar_one()
        )

    with pytest.raises(UserError) as refused:  # a refund cannot ride on it afterwards
        core.approvals.redeem(manager_id)
    assert refused.value.code == "approval.required"


# -- what the manager reads ----------------------------------------------------------------------


def test_the_headline_shows_the_days_figures(screen: ReportsScreen) -> None:
    assert screen.title_label.text() == "销售报表 · 新零售示范店"
    assert screen.period_label.text() == "2026-11-24 星期二（今天） · 全店"
    assert screen.generated_label.text() == "生成于 2026-11-24 10:32 · 张经理 授权查看"
    assert [tile.text() for tile in screen.tiles.values()] == [
        "销售额 ¥1234.50 86 笔",
        "退货退款 ¥25.20 2 笔",
        "净收入 ¥1209.30 销售额 − 退货退款",
        "客单价 ¥14.35 每笔销售平均",
        "售出件数 312 件 称重商品每行计 1 件",
        "优惠合计 ¥188.40 促销 ¥120.00 · 优惠券 ¥50.00 · 会员价 ¥18.40",
        "会员消费 43.0% 37 / 86 笔是会员",
        "删除商品 5 行 共 ¥42.80",
    ]
    assert screen.status_text() == ""


def test_the_tables_show_categories_products_cashiers_payments_and_savings(
    screen: ReportsScreen,
) -> None:
    tables = screen.tables
    assert tables["categories"].rows() == [
        ["饮料", "120", "¥420.00", "34.0%"],
        ["生鲜水果", "40", "¥250.50", "20.3%"],
    ]
    assert tables["products"].rows() == [
        ["1", "可口可乐 330ml", "60", "¥210.00"],
        ["2", "红富士苹果", "6.420 kg", "¥96.30"],
    ]
    assert tables["cashiers"].rows() == [["王芳（1001）", "50", "¥800.00", "1", "¥12.00", "3"]]
    assert tables["payments"].rows() == [
        ["微信支付 · 付款码支付", "40", "¥600.00", "¥13.20", "¥586.80"],
        ["现金", "30", "¥400.00", "¥12.00", "¥388.00"],
    ]
    assert tables["savings"].rows() == [
        ["促销", "饮料第二件半价", "20", "¥120.00"],
        ["优惠券", "满20减5", "10", "¥50.00"],
        ["会员价", "会员价", "12", "¥18.40"],
    ]


def test_number_keys_pick_the_table(qtbot: QtBot, screen: ReportsScreen) -> None:
    press(qtbot, screen, Qt.Key.Key_4)
    assert screen.tabs.currentWidget() is screen.tables["payments"]
    assert screen.tabs.tabText(screen.tabs.currentIndex()) == "4 支付方式"
    press(qtbot, screen, Qt.Key.Key_1)
    assert screen.tabs.currentWidget() is screen.tables["categories"]


def test_the_chart_shows_the_trading_hours_each_with_its_sales(screen: ReportsScreen) -> None:
    shown = screen.chart.shown_hours()
    assert [row.hour for row in shown] == list(range(8, 22))
    assert [(row.hour, row.sales_count) for row in shown if row.sales_count] == [
        (8, 3),
        (9, 12),
        (10, 23),
        (11, 18),
        (17, 14),
        (18, 16),
    ]
    assert "高峰 10:00–11:00：¥456.70（23 笔）" in screen.chart_label.text()


def test_sales_before_or_after_the_trading_hours_widen_the_chart(
    qtbot: QtBot, screen: ReportsScreen, figures: StoreFigures
) -> None:
    figures.hours = {6: (1, 5_00), 23: (2, 9_00)}
    press(qtbot, screen, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not screen.loading)

    assert [row.hour for row in screen.chart.shown_hours()] == list(range(6, 24))
    assert "高峰 23:00–24:00：¥9.00（2 笔）" in screen.chart_label.text()


def test_a_day_without_sales_says_so(
    qtbot: QtBot, screen: ReportsScreen, figures: StoreFigures
) -> None:
    figures.hours = {}
    press(qtbot, screen, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: not screen.loading)

    assert screen.chart.peak() is None
    assert screen.chart_label.text() == "每小时销售额（柱上数字为笔数）"


def test_every_text_on_the_screen_comes_from_the_catalogue(
    qtbot: QtBot, figures: StoreFigures, tasks: TaskRunner, clock: FixedClock, tmp_path: Path
) -> None:
    for locale in ("zh_CN", "en"):
        catalog = load_catalog(resources_dir() / "i18n", locale)
        shown = open_screen(qtbot, figures, tasks, catalog, clock, tmp_path)
        texts = [label.text() for label in shown.findChildren(QLabel)]
        texts += [button.text() for button in shown.findChildren(QAbstractButton)]
        texts += [shown.tabs.tabText(index) for index in range(shown.tabs.count())]
        for table in shown.tables.values():
            texts += [
                table.horizontalHeaderItem(column).text() for column in range(table.columnCount())
            ]
        assert [text for text in texts if "reports." in text] == [], locale
        shown.close()


# -- days, scope, refresh -------------------------------------------------------------------------


def test_day_keys_ask_for_the_day_before_and_after_and_today(
    qtbot: QtBot, screen: ReportsScreen, figures: StoreFigures
) -> None:
    for key in (Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Right):
        press(qtbot, screen, key)
        qtbot.waitUntil(lambda: not screen.loading)
    assert screen.period_label.text() == "2026-11-23 星期一 · 全店"
    press(qtbot, screen, Qt.Key.Key_Left)
    press(qtbot, screen, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: not screen.loading)

    assert [first for first, _, _ in figures.asked] == [
        TODAY,
        date(2026, 11, 23),
        date(2026, 11, 22),
        date(2026, 11, 23),
        date(2026, 11, 22),
        TODAY,
    ]
    assert screen.view is not None and screen.view.first == TODAY


def test_there_is_no_day_after_today(
    qtbot: QtBot, screen: ReportsScreen, figures: StoreFigures
) -> None:
    press(qtbot, screen, Qt.Key.Key_PageDown)

    assert screen.status_text() == "已经是今天，没有以后的数据"
    assert len(figures.asked) == 1


def test_f2_switches_between_this_till_and_the_whole_store(
    qtbot: QtBot, screen: ReportsScreen, figures: StoreFigures
) -> None:
    assert screen.buttons["scope"].text() == "F2\n只看本机"
    press(qtbot, screen, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: not screen.loading)
    assert screen.period_label.text() == "2026-11-24 星期二（今天） · 本机 T01"
    assert screen.buttons["scope"].text() == "F2\n看全店"
    press(qtbot, screen, Qt.Key.Key_F2)
    press(qtbot, screen, Qt.Key.Key_F5)  # asks again: today's sales go on
    qtbot.waitUntil(lambda: not screen.loading)

    assert [terminal for _, _, terminal in figures.asked] == [None, "T01", None, None]


# -- export ---------------------------------------------------------------------------------------


def test_f6_writes_the_csv_files_into_the_exports_folder_and_says_where(
    qtbot: QtBot, screen: ReportsScreen, tmp_path: Path
) -> None:
    with qtbot.waitSignal(screen.exported, timeout=3000) as written:
        press(qtbot, screen, Qt.Key.Key_F6)

    folder = tmp_path / "exports"
    assert sorted(path.name for path in folder.iterdir()) == [
        "2026-11-24-by_hour.csv",
        "2026-11-24-headline.csv",
    ]
    assert written.args == [[folder / "2026-11-24-headline.csv", folder / "2026-11-24-by_hour.csv"]]
    assert screen.status_text() == f"已导出 2 个文件到 {folder}"


def test_an_export_into_a_folder_that_cannot_be_made_says_so(
    qtbot: QtBot, screen: ReportsScreen, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")

    screen.export(blocked / "exports")
    qtbot.waitUntil(lambda: screen.status_text() != "" and "正在" not in screen.status_text())

    assert screen.status_text().startswith(f"无法写入 {blocked / 'exports'}：")


# -- failures and the store lane ---------------------------------------------------------------


def test_a_failing_report_is_said_inline_over_the_old_figures(
    qtbot: QtBot, screen: ReportsScreen, figures: StoreFigures
) -> None:
    figures.failing = UserError("auth.locked")  # any refusal the core may give
    press(qtbot, screen, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: not screen.loading)

    assert screen.status_text() == (
        "2026-11-23 星期一 的报表没能统计出来，下面仍是之前的数据：该工号已锁定，请经理登录解锁"
    )
    assert screen.period_label.text() == "2026-11-24 星期二（今天） · 全店"
    assert screen.tiles["sales"].value_label.text() == "¥1234.50"
    assert screen.tables["categories"].rowCount() == 2

    figures.failing = None
    press(qtbot, screen, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not screen.loading)
    assert screen.period_label.text() == "2026-11-23 星期一 · 全店"
    assert screen.status_text() == ""


def test_a_bug_in_the_first_report_is_said_without_figures(
    qtbot: QtBot,
    figures: StoreFigures,
    tasks: TaskRunner,
    catalog: Catalog,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    figures.failing = RuntimeError("database is locked")
    shown = ReportsScreen(
        reports=figures,
        tasks=tasks,
        catalog=catalog,
        terminal_code="T01",
        exports_dir=tmp_path,
        clock=clock,
    )
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: not shown.loading)

    assert shown.status_text() == (
        "2026-11-24 星期二（今天） 的报表没能统计出来：" + catalog.text("error.unexpected")
    )
    assert shown.tiles["sales"].value_label.text() == "—"
    press(qtbot, shown, Qt.Key.Key_F6)
    assert shown.status_text() == "报表还没统计出来，稍后再导出"


def test_the_report_is_made_on_the_store_lane_while_the_screen_answers_keys(
    qtbot: QtBot, screen: ReportsScreen, figures: StoreFigures
) -> None:
    figures.gate.clear()  # the database is slow
    press(qtbot, screen, Qt.Key.Key_PageUp)
    press(qtbot, screen, Qt.Key.Key_PageUp)  # and the manager does not wait
    press(qtbot, screen, Qt.Key.Key_3)

    assert screen.loading
    assert screen.status_text() == "正在统计 2026-11-22 星期日 · 全店…"
    assert screen.tabs.currentWidget() is screen.tables["cashiers"]
    assert screen.period_label.text() == "2026-11-24 星期二（今天） · 全店"  # the old figures
    assert screen.tiles["sales"].value_label.text() == "¥1234.50"

    figures.gate.set()
    qtbot.waitUntil(lambda: not screen.loading)
    assert screen.period_label.text() == "2026-11-22 星期日 · 全店"  # the last asked wins
    assert len(figures.threads) == 3
    assert all(name.startswith("store-lane") for name in figures.threads)


def test_an_answer_after_closing_is_dropped(
    qtbot: QtBot, screen: ReportsScreen, figures: StoreFigures, tasks: TaskRunner
) -> None:
    figures.gate.clear()
    press(qtbot, screen, Qt.Key.Key_PageUp)
    screen.reject()
    figures.gate.set()
    qtbot.waitUntil(lambda: tasks.in_flight == 0)

    assert screen.view is not None and screen.view.first == TODAY


# -- with the real ReportService on a real database ----------------------------------------------

COLA, CRISPS = KNOWN_PRODUCTS[0], KNOWN_PRODUCTS[2]  # ¥3.50 (饮料第二件半价), ¥7.50


def a_sale(core: Core) -> str:
    """Two colas (the second half price) and crisps, paid ¥20 cash: ¥12.75 at 10:30."""
    with core.engine.connect() as c:
        cashier_id = str(
            c.execute(
                text("SELECT id FROM users WHERE staff_no = :n"), {"n": CASHIER.staff_no}
            ).scalar_one()
        )
    cart = core.checkout.open_cart(cashier_id).id
    for code in (COLA.barcode, COLA.barcode, CRISPS.barcode):
        assert code is not None
        core.checkout.scan(cart, code)
    return core.sales.pay_cash(cart, Money(20_00)).order_number


def test_the_real_report_of_a_days_sale_and_its_csv_files(
    qtbot: QtBot, core: Core, tasks: TaskRunner, catalog: Catalog, clock: FixedClock, tmp_path: Path
) -> None:
    a_sale(core)
    shown = ReportsScreen(
        reports=core.reports,
        tasks=tasks,
        catalog=catalog,
        terminal_code=core.site.terminal_code,
        exports_dir=tmp_path / "out",
        time_zone=core.store.time_zone,
        clock=clock,
    )
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: shown.view is not None, timeout=5000)

    assert shown.period_label.text() == "2026-11-24 星期二（今天） · 全店"
    assert [tile.text() for tile in shown.tiles.values()][:6] == [
        "销售额 ¥12.75 1 笔",
        "退货退款 ¥0.00 0 笔",
        "净收入 ¥12.75 销售额 − 退货退款",
        "客单价 ¥12.75 每笔销售平均",
        "售出件数 3 件 称重商品每行计 1 件",
        "优惠合计 ¥1.75 促销 ¥1.75 · 优惠券 ¥0.00 · 会员价 ¥0.00",
    ]
    assert [
        (row.hour, row.sales_count) for row in shown.chart.shown_hours() if row.sales_count
    ] == [(10, 1)]  # 02:30 UTC is 10:30 in Shanghai
    assert shown.tables["categories"].rows() == [
        ["零食", "1", "¥7.50", "58.8%"],
        ["饮料", "2", "¥5.25", "41.2%"],
    ]
    assert shown.tables["products"].rows() == [
        ["1", "乐事薯片 原味 70g", "1", "¥7.50"],
        ["2", "可口可乐 330ml", "2", "¥5.25"],
    ]
    assert shown.tables["cashiers"].rows() == [["王芳（1001）", "1", "¥12.75", "0", "¥0.00", "0"]]
    assert shown.tables["payments"].rows() == [["现金", "1", "¥12.75", "¥0.00", "¥12.75"]]
    assert shown.tables["savings"].rows() == [["促销", "饮料第二件半价", "1", "¥1.75"]]

    with qtbot.waitSignal(shown.exported, timeout=5000):
        press(qtbot, shown, Qt.Key.Key_F6)
    out = tmp_path / "out"
    assert shown.status_text() == f"已导出 7 个文件到 {out}"
    assert sorted(path.name for path in out.iterdir()) == sorted(
        f"sales-2026-11-24-{section}.csv"
        for section in (
            "headline",
            "hours",
            "categories",
            "products",
            "cashiers",
            "payments",
            "savings",
        )
    )
    assert "12.75" in (out / "sales-2026-11-24-headline.csv").read_text(encoding="utf-8-sig")


def test_ctrl_m_on_a_real_till_shows_this_tills_figures_with_f2(
    qtbot: QtBot,
    core: Core,
    tasks: TaskRunner,
    bridge: EventBridge,
    scan_filter: ScanEventFilter,
    catalog: Catalog,
    tmp_path: Path,
) -> None:
    a_sale(core)
    till = open_cashier_window(
        qtbot,
        core,
        tasks,
        bridge,
        scan_filter,
        catalog,
        members=None,
        approvals=core.approvals,
        reports=core.reports,
        exports_dir=tmp_path / "exports",
    )
    type_login(qtbot, till, CASHIER.staff_no, CASHIER.pin)
    qtbot.waitUntil(lambda: till.sale_screen.cart_view is not None)
    ask_for_reports(qtbot, till.sale_screen, MANAGER.staff_no, MANAGER.pin)
    qtbot.waitUntil(lambda: isinstance(till.sale_screen.active_dialog(), ReportsScreen))
    shown = till.sale_screen.active_dialog()
    assert isinstance(shown, ReportsScreen)
    qtbot.waitUntil(lambda: shown.view is not None and not shown.loading, timeout=5000)

    shown.show_day(TODAY)  # the till's clock is the test's fixed day, the screen's is not
    press(qtbot, shown, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: not shown.loading, timeout=5000)

    assert shown.view is not None and shown.view.terminal_code == core.site.terminal_code
    assert shown.period_label.text().endswith(f"本机 {core.site.terminal_code}")
    assert shown.tiles["sales"].text() == "销售额 ¥12.75 1 笔"
    assert shown.status_text() == ""

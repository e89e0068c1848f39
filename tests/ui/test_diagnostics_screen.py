"""The diagnostics screen: a row per device whose state follows the devices live, a test per
row run from the keyboard, and a device pulled mid-sale shown clearly on the screen and on the
sale screen's status bar, then back once it is plugged in again (real adapters: file printer,
simulated scale, pole display on a pty)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CASHIER, type_login
from escpos_decode import decode
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from serial_pty import PtyCable

from hardware.simulated.scale import SimulatedScale
from hardware.wiring import build_pole_display, build_printer, build_scale
from pos_app.bootstrap import Core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import PoleDisplayConfig, PrinterConfig, ScaleConfig
from pos_app.events import DeviceStatusChanged
from pos_app.i18n import Catalog
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.demo_store import KNOWN_PRODUCTS
from pos_app.persistence.repositories.journal import AuditLog
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.approvals import ApprovalService
from pos_app.services.diagnostics import DiagnosedDevices, DiagnosticsService, Limits
from pos_app.services.drawer import DrawerService
from ui import theme
from ui.admin.diagnostics_screen import DiagnosticsScreen
from ui.cashier.cashier_window import CashierWindow
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.manager.approval_dialog import ApprovalDialog
from ui.tasks import TaskRunner
from ui.widgets import device_status
from ui.widgets.device_status import DeviceStatusBar

COLA, WATER = (next(p for p in KNOWN_PRODUCTS if p.sku == sku) for sku in ("S0000001", "S0000002"))
APPLES = next(p for p in KNOWN_PRODUCTS if p.plu == "101")  # weighed, ¥12.80/kg


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    return tmp_path / "paper.escpos"


@pytest.fixture
def printer(paper: Path, bus: EventBus, catalog: Catalog, tmp_path: Path) -> Iterator[Any]:
    device = build_printer(PrinterConfig(path=str(paper)), bus, catalog, tmp_path)
    yield device
    device.close()  # type: ignore[union-attr]


@pytest.fixture
def scale(bus: EventBus) -> Iterator[SimulatedScale]:
    device = build_scale(ScaleConfig(kind="simulated"), bus)  # holds 532 g
    assert isinstance(device, SimulatedScale)
    yield device
    device.close()


@pytest.fixture
def cable(tmp_path: Path) -> Iterator[Any]:
    pty = PtyCable(tmp_path / "ttyPole")
    yield pty
    pty.close()


@pytest.fixture
def pole_display(cable: Any, bus: EventBus, catalog: Catalog) -> Iterator[Any]:
    config = PoleDisplayConfig(kind="serial", port=str(cable.link), retry_ms=50)
    display = build_pole_display(config, bus, catalog)
    yield display
    display.close()  # type: ignore[union-attr]


@pytest.fixture
def approvals(core: Core, bus: EventBus, clock: FixedClock) -> ApprovalService:
    sessions = make_session_factory(core.engine)
    return ApprovalService(lambda: UnitOfWork(sessions, bus, core.site), clock)


@pytest.fixture
def screen(
    qtbot: QtBot,
    core: Core,
    bus: EventBus,
    clock: FixedClock,
    tmp_path: Path,
    tasks: TaskRunner,
    bridge: EventBridge,
    catalog: Catalog,
    scan_filter: ScanEventFilter,
    printer: Any,
    scale: SimulatedScale,
    pole_display: Any,
    approvals: ApprovalService,
) -> DiagnosticsScreen:
    sessions = make_session_factory(core.engine)
    drawer = DrawerService(
        lambda: UnitOfWork(sessions, bus, core.site), clock, printer, approvals=approvals
    )
    devices = DiagnosedDevices(
        printer=printer, drawer=drawer, pole_display=pole_display, scale=scale
    )
    diagnostics = DiagnosticsService(
        devices,
        bus=bus,
        clock=clock,
        engine=core.engine,
        data_dir=tmp_path,
        store=core.store,
        terminal_code=core.site.terminal_code,
        limits=Limits(print_s=5.0, scale_s=5.0),
    )
    view = DiagnosticsScreen(
        diagnostics=diagnostics,
        tasks=tasks,
        bridge=bridge,
        catalog=catalog,
        terminal_code=core.site.terminal_code,
        approvals=approvals,
        scan_filter=scan_filter,
    )
    theme.apply_to(view)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.state_of("database") == "ok")
    return view


@pytest.fixture
def status_bar(qtbot: QtBot, bridge: EventBridge, catalog: Catalog) -> DeviceStatusBar:
    bar = DeviceStatusBar(bridge=bridge, catalog=catalog)
    qtbot.addWidget(bar)
    bar.show()
    return bar


@pytest.fixture
def till(
    qtbot: QtBot,
    core: Core,
    tasks: TaskRunner,
    bridge: EventBridge,
    catalog: Catalog,
    scan_filter: ScanEventFilter,
    scale: SimulatedScale,
) -> CashierWindow:
    """The cashier window with the scale, logged in, the empty cart on screen."""
    window = CashierWindow(
        checkout=core.checkout,
        sales=core.sales,
        staff=core.staff,
        printing=core.printing,
        tasks=tasks,
        bridge=bridge,
        scan_filter=scan_filter,
        catalog=catalog,
        store_name=core.store.name,
        terminal_code=core.site.terminal_code,
        scale=scale,
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    type_login(qtbot, window, CASHIER.staff_no, CASHIER.pin)
    qtbot.waitUntil(lambda: window.sale_screen.cart_view is not None)
    return window


def rows(view: DiagnosticsScreen) -> dict[str, tuple[str, str]]:
    return {name: (view.state_of(name), view.message_of(name)) for name in view.rows}


def scan(qtbot: QtBot, scan_filter: ScanEventFilter, window: CashierWindow, code: str) -> None:
    scan_filter.scanned.emit(code)
    qtbot.waitUntil(lambda: not window.sale_screen.busy)


def press(qtbot: QtBot, view: DiagnosticsScreen, key: Qt.Key) -> None:
    qtbot.keyClick(view.focusWidget() or view, key)


def line_count(window: CashierWindow) -> int:
    view = window.sale_screen.cart_view
    return 0 if view is None else len(view.lines)


# -- what the screen shows -------------------------------------------------------------------


def test_every_device_has_a_row_with_its_state_in_words(screen: DiagnosticsScreen) -> None:
    shown = rows(screen)

    assert list(shown) == [
        "printer",
        "drawer",
        "pole_display",
        "scale",
        "camera",
        "scanner",
        "database",
        "disk",
    ]
    assert shown["camera"] == ("not_configured", "配置文件中未启用")
    assert shown["scale"] == ("unknown", "尚未检测，可按测试键检测")
    assert shown["scanner"] == ("unknown", "请扫描任意条码")
    assert shown["database"][1].startswith("sqlite 可以连接，数据库版本 ")
    assert shown["disk"][0] == "ok" and shown["disk"][1].startswith("可用 ")
    assert screen.rows["camera"].button is not None
    assert not screen.rows["camera"].button.isEnabled()
    assert screen.rows["scale"].state.text() == "未检测"


def test_a_row_follows_status_events_published_on_a_device_thread(
    qtbot: QtBot, screen: DiagnosticsScreen, bus: EventBus
) -> None:
    def publish(online: bool) -> None:
        detail = "camera open" if online else "camera unavailable: busy"
        thread = threading.Thread(
            target=lambda: bus.publish(DeviceStatusChanged("scale", online, detail))
        )
        thread.start()
        thread.join()

    publish(False)
    qtbot.waitUntil(lambda: screen.state_of("scale") == "failed")
    offline = (
        screen.message_of("scale"),
        screen.rows["scale"].detail.text(),
        screen.rows["scale"].state.text(),
    )
    publish(True)
    qtbot.waitUntil(lambda: screen.state_of("scale") == "ok")

    assert offline == ("未连接", "camera unavailable: busy", "故障")
    assert screen.message_of("scale") == "已连接"


def test_a_scanned_code_shows_on_the_scanner_row(
    qtbot: QtBot, screen: DiagnosticsScreen, scan_filter: ScanEventFilter
) -> None:
    scan_filter.scanned.emit("6901234567892")

    assert rows(screen)["scanner"] == ("ok", "读到条码：6901234567892")


# -- tests from the keyboard -----------------------------------------------------------------


def test_key_1_prints_a_test_page_with_chinese_and_the_yen_sign(
    qtbot: QtBot, screen: DiagnosticsScreen, paper: Path
) -> None:
    press(qtbot, screen, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: screen.state_of("printer") == "ok")

    assert screen.message_of("printer") == "测试页已打印，请检查中文和 ￥ 是否清晰"
    printed = decode(paper.read_bytes(), "gb18030").texts
    assert any("测试商品 中文打印 ABC 123" in t and "￥12.30" in t for t in printed)
    assert "打印测试页：中文和 ￥ 符号清晰即为正常" in printed


def test_key_4_reads_the_scale_and_shows_the_weight(
    qtbot: QtBot, screen: DiagnosticsScreen
) -> None:
    press(qtbot, screen, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: screen.state_of("scale") == "ok")

    assert screen.message_of("scale") == "0.532 kg，重量稳定"


def test_tab_moves_between_tests_and_enter_runs_the_focused_one(
    qtbot: QtBot, screen: DiagnosticsScreen, cable: Any
) -> None:
    assert screen.focusWidget() is screen.rows["printer"].button
    for _ in range(2):
        press(qtbot, screen, Qt.Key.Key_Tab)
    assert screen.focusWidget() is screen.rows["pole_display"].button

    press(qtbot, screen, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: screen.state_of("pole_display") == "ok")
    cable.wait_for(lambda sent: b"DISPLAY TEST" in sent and b"12345678901234567890" in sent)


def test_the_drawer_test_asks_a_manager_first_and_is_audited(
    qtbot: QtBot, screen: DiagnosticsScreen, paper: Path, core: Core
) -> None:
    press(qtbot, screen, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: isinstance(screen.active_dialog(), ApprovalDialog))
    dialog = screen.active_dialog()
    assert isinstance(dialog, ApprovalDialog)
    qtbot.keyClicks(dialog.staff_no_edit, "9001")
    qtbot.keyClicks(dialog.pin_edit, "1111")
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message_text() != "")
    assert screen.state_of("drawer") == "unknown"  # nothing opened on a wrong PIN

    qtbot.keyClicks(dialog.pin_edit, "9999")
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.state_of("drawer") == "ok")

    assert screen.active_dialog() is None
    assert screen.message_of("drawer") == "已发送开钱箱指令，请确认钱箱已弹开"
    qtbot.waitUntil(lambda: paper.exists() and b"\x1bp" in paper.read_bytes())
    with make_session_factory(core.engine)() as session:
        [entry] = [e for e in AuditLog(session).entries() if e.action == "drawer.opened"]
    assert json.loads(entry.details)["reason"] == "diagnostics test"


def test_a_printer_that_cannot_be_reached_turns_printer_and_drawer_red(
    qtbot: QtBot, screen: DiagnosticsScreen, paper: Path
) -> None:
    paper.mkdir()  # the printer's "file" cannot be written: as good as unplugged

    press(qtbot, screen, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: screen.state_of("printer") == "failed")

    assert screen.message_of("printer") == "打印机未连接或缺纸"
    qtbot.waitUntil(lambda: screen.state_of("drawer") == "failed")
    assert screen.message_of("drawer") == "未连接"


def test_esc_asks_to_leave_the_screen(qtbot: QtBot, screen: DiagnosticsScreen) -> None:
    with qtbot.waitSignal(screen.back_requested, timeout=2000):
        press(qtbot, screen, Qt.Key.Key_Escape)


# -- a device pulled mid-sale ----------------------------------------------------------------


def test_a_scale_unplugged_mid_sale_shows_offline_the_sale_goes_on_and_it_recovers(
    qtbot: QtBot,
    till: CashierWindow,
    screen: DiagnosticsScreen,
    status_bar: DeviceStatusBar,
    scan_filter: ScanEventFilter,
    scale: SimulatedScale,
) -> None:
    scan(qtbot, scan_filter, till, str(COLA.barcode))

    scale.unplug()
    qtbot.waitUntil(lambda: screen.state_of("scale") == "failed")
    offline_bar = status_bar.texts()
    offline_detail = screen.rows["scale"].detail.text()
    scan(qtbot, scan_filter, till, str(WATER.barcode))
    scale.plug_in()
    qtbot.waitUntil(lambda: screen.state_of("scale") == "ok")
    entry = till.sale_screen.code_entry
    qtbot.keyClicks(entry, str(APPLES.plu))
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: line_count(till) == 3)

    assert offline_bar == ["电子秤未连接 — 称重商品请扫秤签"]
    assert offline_detail == "simulated scale unplugged"
    assert status_bar.texts() == ["电子秤已恢复"] and status_bar.offline() == []
    assert till.sale_screen.cart_view is not None
    assert till.sale_screen.cart_view.lines[-1].grams == 532


def test_a_pole_display_unplugged_mid_sale_shows_offline_and_shows_the_cart_once_back(
    qtbot: QtBot,
    till: CashierWindow,
    screen: DiagnosticsScreen,
    status_bar: DeviceStatusBar,
    scan_filter: ScanEventFilter,
    cable: Any,
    pole_display: Any,
) -> None:
    scan(qtbot, scan_filter, till, str(COLA.barcode))
    qtbot.waitUntil(lambda: screen.state_of("pole_display") == "ok")

    cable.unplug()
    scan(qtbot, scan_filter, till, str(WATER.barcode))  # the display's write fails
    qtbot.waitUntil(lambda: screen.state_of("pole_display") == "failed")
    offline = (screen.message_of("pole_display"), status_bar.texts())
    cable.plug_in()
    qtbot.waitUntil(lambda: screen.state_of("pole_display") == "ok", timeout=5000)

    assert offline == ("未连接", ["客显屏未连接 — 不影响收银"])
    assert line_count(till) == 2
    # the newest total: cola + water, the water half price (the demo's second drink offer)
    cable.wait_for(lambda sent: b"4.50" in sent)
    assert status_bar.offline() == []


def test_the_status_bar_names_an_offline_printer_and_forgets_it_once_it_prints(
    qtbot: QtBot,
    status_bar: DeviceStatusBar,
    bus: EventBus,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pos_app.events import PrintJobFinished

    monkeypatch.setattr(device_status, "RECOVERED_SHOWN_MS", 50)
    bus.publish(PrintJobFinished("job-1", False, "printer.offline"))
    qtbot.waitUntil(lambda: status_bar.offline() == ["printer"])
    offline = status_bar.texts()
    bus.publish(PrintJobFinished("job-2", True, None))
    qtbot.waitUntil(lambda: status_bar.texts() == ["打印机已恢复"])
    qtbot.waitUntil(lambda: status_bar.texts() == [])

    assert offline == ["打印机未连接 — 小票稍后补打"]

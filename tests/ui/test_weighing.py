"""A weighed product typed by PLU (or picked in search) is weighed on the scale and added by
its stable weight; a scale that cannot weigh says why and adds nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import CASHIER, type_login
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hardware.simulated.scale import SimulatedScale
from pos_app.bootstrap import Core
from pos_app.bus import EventBus
from pos_app.events import WeightRead
from pos_app.i18n import Catalog
from pos_app.persistence.demo_store import KNOWN_PRODUCTS
from pos_app.ports.scale import WeightReading, WeightStatus
from ui.cashier.cashier_window import CashierWindow
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.tasks import TaskRunner
from ui.widgets.status_label import Severity

APPLES = next(p for p in KNOWN_PRODUCTS if p.plu == "101")  # 红富士苹果 ¥12.80/kg


@pytest.fixture
def scale(bus: EventBus) -> Iterator[SimulatedScale]:
    def publish(reading: WeightReading) -> None:
        bus.publish(WeightRead(reading.grams, reading.stable, reading.status.value))

    device = SimulatedScale(on_reading=publish, grams=0)
    yield device
    device.close()


@pytest.fixture
def window(qtbot: QtBot, core: Core, tasks: TaskRunner, bridge: EventBridge,
           scan_filter: ScanEventFilter, catalog: Catalog,
           scale: SimulatedScale) -> CashierWindow:
    window = CashierWindow(
        checkout=core.checkout, sales=core.sales, staff=core.staff, printing=core.printing,
        tasks=tasks, bridge=bridge, scan_filter=scan_filter, catalog=catalog,
        store_name=core.store.name, terminal_code=core.site.terminal_code, scale=scale)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    type_login(qtbot, window, CASHIER.staff_no, CASHIER.pin)
    qtbot.waitUntil(lambda: window.sale_screen.cart_view is not None)
    return window


def type_plu(qtbot: QtBot, window: CashierWindow, plu: str) -> None:
    entry = window.sale_screen.code_entry
    qtbot.keyClicks(entry, plu)
    qtbot.keyClick(entry, Qt.Key.Key_Return)


def test_a_plu_of_a_weighed_product_is_added_with_the_scales_stable_weight(
        qtbot: QtBot, window: CashierWindow, scale: SimulatedScale) -> None:
    scale.set_weight(532)
    type_plu(qtbot, window, str(APPLES.plu))
    screen = window.sale_screen
    qtbot.waitUntil(lambda: screen.cart_view is not None and len(screen.cart_view.lines) == 1)
    line = screen.cart_view.lines[0]
    assert (line.name, line.grams, line.amount.fen) == (APPLES.name, 532, 6_81)  # 6.8096 -> 6.81


def test_an_empty_scale_says_so_and_adds_nothing(
        qtbot: QtBot, window: CashierWindow, scale: SimulatedScale) -> None:
    scale.set_weight(0)
    type_plu(qtbot, window, str(APPLES.plu))
    screen = window.sale_screen
    qtbot.waitUntil(lambda: screen.status_label.severity is Severity.ERROR)
    assert screen.status_text() == f"秤上没有商品：请放上 {APPLES.name} 后重试"
    assert screen.cart_view is not None and screen.cart_view.empty


def test_an_overloaded_scale_says_so(
        qtbot: QtBot, window: CashierWindow, scale: SimulatedScale) -> None:
    scale.set_weight(40_000, WeightStatus.OVERLOAD)
    type_plu(qtbot, window, str(APPLES.plu))
    screen = window.sale_screen
    qtbot.waitUntil(lambda: screen.status_label.severity is Severity.ERROR)
    assert "超出秤的称量范围" in screen.status_text()
    assert screen.cart_view is not None and screen.cart_view.empty


def test_a_settling_scale_is_asked_again_until_it_is_stable(
        qtbot: QtBot, window: CashierWindow, scale: SimulatedScale) -> None:
    scale.set_weight(700, WeightStatus.MOTION)
    type_plu(qtbot, window, str(APPLES.plu))
    screen = window.sale_screen
    qtbot.waitUntil(lambda: "放上电子秤" in screen.status_text())
    scale.set_weight(1_000)
    qtbot.waitUntil(lambda: screen.cart_view is not None and len(screen.cart_view.lines) == 1,
                    timeout=5_000)
    assert screen.cart_view.lines[0].grams == 1_000

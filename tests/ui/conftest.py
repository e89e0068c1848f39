"""Shared UI fixtures: real services on a fresh demo database, the task lanes, the bridge, and
the cashier window logged out or logged in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.i18n import Catalog, load_catalog
from pos_app.persistence.demo_store import DEMO_STAFF, KNOWN_PRODUCTS, seed_demo_store
from pos_app.resources import resources_dir
from ui.cashier.cashier_window import CashierWindow
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.tasks import TaskRunner

CASHIER = DEMO_STAFF[0]
"""1001 / 1234, 王芳."""

LogIn = Callable[..., None]


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(resources_dir() / "i18n", "zh_CN")


@pytest.fixture
def core(sqlite_engine: Engine, bus: EventBus, clock: FixedClock, tmp_path: Path) -> Core:
    seed_demo_store(sqlite_engine, products=len(KNOWN_PRODUCTS), members=0, now=clock.now())
    config = parse_config({}, data_dir=tmp_path)
    return build_core(config, bus=bus, clock=clock, printer=None, engine=sqlite_engine)


@pytest.fixture
def background_errors() -> list[BaseException]:
    """Errors no screen handled; a test that ends with any of them fails."""
    return []


@pytest.fixture
def tasks(background_errors: list[BaseException]) -> Iterator[TaskRunner]:
    runner = TaskRunner(on_error=background_errors.append)
    yield runner
    runner.shutdown()
    assert not background_errors


@pytest.fixture
def bridge(bus: EventBus) -> Iterator[EventBridge]:
    event_bridge = EventBridge(bus)
    yield event_bridge
    event_bridge.close()


@pytest.fixture
def scan_filter() -> ScanEventFilter:
    """Not installed on the application: tests emit ``scanned`` as a wedge scan would."""
    return ScanEventFilter()


def open_cashier_window(
    qtbot: QtBot,
    core: Core,
    tasks: TaskRunner,
    bridge: EventBridge,
    scan_filter: ScanEventFilter,
    catalog: Catalog,
    **services: object,
) -> CashierWindow:
    """A till's window on ``core``, shown; ``services`` are the optional ones it gets
    (approvals, refunds, reports...), members by default."""
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
        time_zone=core.store.time_zone,
        **({"members": core.members} | services),  # type: ignore[arg-type]
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def cashier_window(
    qtbot: QtBot,
    core: Core,
    tasks: TaskRunner,
    bridge: EventBridge,
    scan_filter: ScanEventFilter,
    catalog: Catalog,
) -> CashierWindow:
    return open_cashier_window(qtbot, core, tasks, bridge, scan_filter, catalog)


def type_login(qtbot: QtBot, window: CashierWindow, staff_no: str, pin: str) -> None:
    """Type the staff number and PIN as the cashier does, Enter after each."""
    login = window.login_screen
    qtbot.keyClicks(login.staff_no_edit, staff_no)
    qtbot.keyClick(login.staff_no_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin_edit, pin)
    qtbot.keyClick(login.pin_edit, Qt.Key.Key_Return)


@pytest.fixture
def log_in(qtbot: QtBot) -> LogIn:
    """``log_in(window)`` as demo cashier 1001, or ``log_in(window, pin="4321")``."""

    def type_it(
        window: CashierWindow, staff_no: str = CASHIER.staff_no, pin: str = CASHIER.pin
    ) -> None:
        type_login(qtbot, window, staff_no, pin)

    return type_it


@pytest.fixture
def sale_window(qtbot: QtBot, cashier_window: CashierWindow) -> CashierWindow:
    """Logged in as 1001 with the (empty) open cart on screen."""
    type_login(qtbot, cashier_window, CASHIER.staff_no, CASHIER.pin)
    qtbot.waitUntil(lambda: cashier_window.sale_screen.cart_view is not None)
    return cashier_window

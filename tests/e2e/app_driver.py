"""The app as `pos` builds it, for end-to-end tests: started on a fresh demo store in a temp
folder, with a cashier logged in by typing, and shut down cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pos_app.clock import Clock
from pos_app.config import parse_config
from ui.cashier.cashier_window import CashierWindow
from ui.main import PosApplication

QUIET_PRINTER = {"printer": {"status_poll_s": 0}}


@contextmanager
def running_app(qapp: QApplication, data_dir: Path, clock: Clock | None = None,
                **sections: Any) -> Iterator[PosApplication]:
    """The app on ``data_dir`` with these config sections (a file printer that is not
    polled unless ``devices`` says otherwise), on ``clock`` if given."""
    sections.setdefault("devices", QUIET_PRINTER)
    application = PosApplication.start(parse_config(sections, data_dir=data_dir), qapp,
                                       clock=clock)
    try:
        yield application
    finally:
        for window in application.windows:
            window.close()
        qapp.removeEventFilter(application.scan_filter)
        application.shut_down()


def logged_in(qtbot: QtBot, app: PosApplication, staff_no: str = "1001",
              pin: str = "1234") -> CashierWindow:
    """The cashier window with the sale screen and its open cart up, the PIN typed."""
    window = app.windows[0]
    assert isinstance(window, CashierWindow)
    qtbot.waitExposed(window)
    for edit, typed in ((window.login_screen.staff_no_edit, staff_no),
                        (window.login_screen.pin_edit, pin)):
        qtbot.keyClicks(edit, typed)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.sale_screen.cart_view is not None, timeout=10_000)
    return window


def wedge_scan(qtbot: QtBot, code: str) -> None:
    """What a keyboard-wedge scanner does: key presses into whatever has focus, then Enter."""
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClicks(target, code)
    qtbot.keyClick(target, Qt.Key.Key_Return)

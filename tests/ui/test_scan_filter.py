"""Wedge scans reach the sale wherever the focus is; typing still lands where it was typed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui.input.scan_filter import NO_SCAN_PROPERTY, ScanEventFilter
from ui.input.wedge import WedgeSettings

CODE = "6901234567892"
SCANNER_GAP_MS = 5
TYPING_GAP_MS = 200
MAX_GAP_MS = 50


class FakeClock:
    """Monotonic milliseconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now_ms = 1_000

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms


class RecordingWindow(QWidget):
    """A till window that remembers the text of key presses that reach it."""

    def __init__(self) -> None:
        super().__init__()
        self.typed: list[str] = []

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.typed.append(event.text())


@dataclass
class Till:
    window: RecordingWindow
    search: QLineEdit
    password: QLineEdit
    pin_pad_field: QLineEdit
    pay_button: QPushButton
    scan_filter: ScanEventFilter
    clock: FakeClock
    qtbot: QtBot
    scans: list[str] = field(default_factory=list)

    def focus(self, widget: QWidget) -> None:
        widget.setFocus()
        self.qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)

    def scan(self, widget: QWidget, code: str, terminator: Qt.Key = Qt.Key.Key_Return) -> None:
        """A scanner types `code` into `widget` a few ms per key, then the terminator."""
        for char in code:
            self.qtbot.keyClick(widget, char)
            self.clock.advance(SCANNER_GAP_MS)
        self.qtbot.keyClick(widget, terminator)

    def type_slowly(self, widget: QWidget, text: str) -> None:
        """A person types `text` into `widget`, well over max_gap_ms per key."""
        for char in text:
            self.clock.advance(TYPING_GAP_MS)
            self.qtbot.keyClick(widget, char)

    def pause(self) -> None:
        self.clock.advance(TYPING_GAP_MS)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def install_filter(
    qapp: QApplication, clock: FakeClock
) -> Iterator[Callable[..., ScanEventFilter]]:
    installed: list[ScanEventFilter] = []

    def install(*, exclusive: bool = False) -> ScanEventFilter:
        scan_filter = ScanEventFilter(
            WedgeSettings(max_gap_ms=MAX_GAP_MS), clock=clock, exclusive=exclusive
        )
        qapp.installEventFilter(scan_filter)
        installed.append(scan_filter)
        return scan_filter

    yield install
    for scan_filter in installed:
        qapp.removeEventFilter(scan_filter)


def open_till(qtbot: QtBot, clock: FakeClock, scan_filter: ScanEventFilter) -> Till:
    window = RecordingWindow()
    layout = QVBoxLayout(window)
    search = QLineEdit()
    password = QLineEdit()
    password.setEchoMode(QLineEdit.EchoMode.Password)
    pin_pad = QWidget()
    pin_pad.setProperty(NO_SCAN_PROPERTY, True)
    pin_pad_field = QLineEdit(pin_pad)
    pay_button = QPushButton("Pay")
    for widget in (search, password, pin_pad, pay_button):
        layout.addWidget(widget)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    till = Till(window, search, password, pin_pad_field, pay_button, scan_filter, clock, qtbot)
    scan_filter.scanned.connect(till.scans.append)
    till.focus(search)
    return till


@pytest.fixture
def till(qtbot: QtBot, clock: FakeClock, install_filter: Callable[..., ScanEventFilter]) -> Till:
    return open_till(qtbot, clock, install_filter())


def test_a_fast_burst_ending_in_enter_is_a_scan_and_leaves_the_focused_field_unchanged(
    till: Till,
) -> None:
    till.search.setText("milk")

    till.scan(till.search, CODE)

    assert till.scans == [CODE]
    assert till.search.text() == "milk"


def test_a_scan_ending_in_tab_is_a_scan_and_keeps_the_focus(till: Till) -> None:
    till.scan(till.search, "ABC-123", terminator=Qt.Key.Key_Tab)

    assert till.scans == ["ABC-123"]
    assert QApplication.focusWidget() is till.search
    assert till.search.text() == ""


def test_a_scan_reaches_the_sale_while_a_button_has_the_focus(till: Till) -> None:
    till.focus(till.pay_button)

    till.scan(till.pay_button, CODE)

    assert till.scans == [CODE]


def test_slow_typing_arrives_in_the_focused_field_in_order_and_is_no_scan(till: Till) -> None:
    till.type_slowly(till.search, "12.5kg")
    till.pause()

    till.qtbot.waitUntil(lambda: till.search.text() == "12.5kg")
    assert till.scans == []


def test_the_stale_buffer_timer_delivers_a_single_typed_char(till: Till) -> None:
    till.qtbot.keyClick(till.search, "7")
    assert till.search.text() == ""  # held: it could be the start of a scan

    till.pause()

    till.qtbot.waitUntil(lambda: till.search.text() == "7")
    assert till.scans == []


def test_a_burst_typed_into_a_password_field_stays_there_and_is_no_scan(till: Till) -> None:
    till.focus(till.password)

    till.scan(till.password, "123456")

    assert till.password.text() == "123456"
    assert till.search.text() == ""
    assert till.scans == []


def test_a_burst_in_a_field_inside_a_no_scan_container_stays_there(till: Till) -> None:
    till.focus(till.pin_pad_field)

    till.scan(till.pin_pad_field, "8888")

    assert till.pin_pad_field.text() == "8888"
    assert till.scans == []


def test_enter_after_a_typed_quantity_confirms_the_field(till: Till) -> None:
    confirmed: list[str] = []
    till.search.returnPressed.connect(lambda: confirmed.append(till.search.text()))

    till.type_slowly(till.search, "3")
    till.qtbot.keyClick(till.search, Qt.Key.Key_Return)

    assert confirmed == ["3"]
    assert till.scans == []


def test_a_burst_too_short_for_a_scan_is_typed_before_its_enter(till: Till) -> None:
    confirmed: list[str] = []
    till.search.returnPressed.connect(lambda: confirmed.append(till.search.text()))

    till.scan(till.search, "12")

    assert confirmed == ["12"]
    assert till.scans == []


def test_backspace_right_after_a_typed_char_erases_that_char(till: Till) -> None:
    till.type_slowly(till.search, "ab")

    till.qtbot.keyClick(till.search, Qt.Key.Key_Backspace)

    assert till.search.text() == "a"


def test_a_held_char_goes_to_the_field_it_was_typed_in_after_the_focus_moves(
    till: Till,
) -> None:
    till.qtbot.keyClick(till.search, "5")
    till.focus(till.password)
    till.pause()

    till.qtbot.waitUntil(lambda: till.search.text() == "5")
    assert till.password.text() == ""


def test_space_on_a_focused_button_still_clicks_it(till: Till) -> None:
    clicks: list[bool] = []
    till.pay_button.clicked.connect(lambda: clicks.append(True))
    till.focus(till.pay_button)

    till.qtbot.keyClick(till.pay_button, Qt.Key.Key_Space)
    till.pause()

    till.qtbot.waitUntil(lambda: len(clicks) == 1)


def test_an_enter_shortcut_does_not_break_a_scan_but_still_fires_on_its_own(till: Till) -> None:
    activations: list[bool] = []
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Return), till.window)
    shortcut.activated.connect(lambda: activations.append(True))
    till.focus(till.pay_button)

    till.scan(till.pay_button, CODE)
    assert till.scans == [CODE]
    assert activations == []

    till.pause()
    till.qtbot.keyClick(till.pay_button, Qt.Key.Key_Return)
    assert activations == [True]


def test_a_disabled_filter_lets_a_burst_into_the_focused_field(till: Till) -> None:
    till.scan_filter.set_enabled(False)

    till.scan(till.search, CODE)

    assert till.search.text() == CODE
    assert till.scans == []


def test_typing_with_no_focused_widget_reaches_the_window_in_normal_mode(till: Till) -> None:
    till.search.clearFocus()
    till.qtbot.waitUntil(lambda: QApplication.focusWidget() is None)

    till.qtbot.keyClick(till.window, "a")
    till.pause()

    till.qtbot.waitUntil(lambda: till.window.typed == ["a"])


def test_exclusive_mode_drops_typing_with_no_focused_widget_but_still_scans(
    qtbot: QtBot, clock: FakeClock, install_filter: Callable[..., ScanEventFilter]
) -> None:
    scan_filter = install_filter(exclusive=True)
    till = open_till(qtbot, clock, scan_filter)
    till.search.clearFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is None)

    till.qtbot.keyClick(till.window, "a")
    till.pause()
    till.scan(till.window, CODE)
    till.qtbot.keyClick(till.window, Qt.Key.Key_Return)

    assert till.scans == [CODE]
    assert till.window.typed == []

"""Application-wide Qt event filter that turns keyboard-wedge scans into a `scanned` signal.

Installed with `app.installEventFilter(...)`, it sees every key press before any widget does, so
a scan reaches the sale wherever the focus is and never lands in a text field. Key presses that
turn out to be typing are re-delivered, in order, to the widget that had the focus when they
were typed (see `ui/input/wedge.py` for the timing rules and `hardware/devices.md` for why).

Rules:
- Password/PIN fields are never touched: a QLineEdit whose echo mode is not Normal, or a widget
  (or any ancestor) with the dynamic property `posNoScan` set to True. Keys there pass through
  and any held keys are delivered first.
- Keys with Ctrl/Alt/Meta, auto-repeats and non-printable keys other than the configured
  terminators (Enter/Return, Tab) pass through; held keys are delivered before them, so a
  Backspace typed right after a character still applies to it.
- A held character is delivered at the latest about `max_gap_ms` later (single-shot timer).
- While a burst is live, the key's ShortcutOverride is accepted so that a window shortcut on
  Enter or on a character does not break the scan; outside a burst shortcuts work as usual.
- Exclusive mode (kiosks): as in normal mode scans are swallowed and typing is delivered; in
  addition, typed keys that arrive while no widget has focus are dropped instead of being
  delivered to the window.

Limit: keys re-delivered while a slot opens a modal dialog from inside the re-delivery are not
filtered until it returns (re-entrancy guard). An active Chinese input method consumes key
presses before Qt sees them, so scanners should be used with the IME in English mode.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from ui.input.wedge import DEFAULT_WEDGE_SETTINGS, VerdictKind, WedgeDetector, WedgeSettings

log = logging.getLogger(__name__)

NO_SCAN_PROPERTY = "posNoScan"
"""Dynamic property: set it True on a widget (or a container) whose keys must never be filtered."""

_BLOCKING_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
_ENTER_KEYS = frozenset({int(Qt.Key.Key_Return), int(Qt.Key.Key_Enter)})


def monotonic_ms() -> int:
    """Default clock: monotonic milliseconds."""
    return time.monotonic_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class _HeldKey:
    """A swallowed key press, kept to re-deliver it exactly if it turns out to be typing."""

    target: QWidget | None  # None: dropped on delivery (exclusive mode, nothing had focus)
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


class ScanEventFilter(QObject):
    """Detects wedge scans in the application's key presses; emits `scanned(text)` per scan."""

    scanned = Signal(str)

    def __init__(
        self,
        settings: WedgeSettings = DEFAULT_WEDGE_SETTINGS,
        parent: QObject | None = None,
        *,
        clock: Callable[[], int] = monotonic_ms,
        exclusive: bool = False,
    ) -> None:
        super().__init__(parent)
        self._detector = WedgeDetector(settings)
        self._clock = clock
        self._exclusive = exclusive
        self._enabled = True
        self._replaying = False
        self._held: deque[_HeldKey] = deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_flush_timer)

    @property
    def settings(self) -> WedgeSettings:
        return self._detector.settings

    @property
    def exclusive(self) -> bool:
        return self._exclusive

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, on: bool) -> None:
        """Turn detection on or off; turning it off delivers any held keys as typing."""
        if not on:
            self._deliver_all_held()
        self._enabled = on

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or not self._enabled or not isinstance(event, QKeyEvent):
            return False
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        if not isinstance(watched, QWidget) or not _is_first_receiver(watched):
            return False  # a propagation to a parent, or not for a widget: already decided
        char = None if _is_protected(watched) else self._scan_char(event)
        if char is None:
            self._deliver_all_held()
            return False
        if kind == QEvent.Type.ShortcutOverride:
            return self._on_shortcut_override(event)
        return self._on_key_press(watched, event, char)

    def _on_shortcut_override(self, event: QKeyEvent) -> bool:
        """Keep shortcuts from eating a live burst's keys; otherwise keep typing in order."""
        now = self._clock()
        if self._detector.in_burst(now):
            event.accept()
            return True
        self._deliver_stale(now)
        return False

    def _on_key_press(self, watched: QWidget, event: QKeyEvent, char: str) -> bool:
        no_focus = QApplication.focusWidget() is None
        verdict = self._detector.feed(char, self._clock())
        if verdict.scan is not None:
            self._drop_held()
            self.scanned.emit(verdict.scan.text)
            return True
        own = 1 if verdict.kind is VerdictKind.TYPED else 0
        self._deliver(self._take_held(len(verdict.replay) - own))
        if verdict.kind is VerdictKind.BUFFER:
            target = None if self._exclusive and no_focus else watched
            self._held.append(_HeldKey(target, event.key(), event.modifiers(), event.text()))
            self._arm_timer()
            return True
        self._timer.stop()
        return self._exclusive and no_focus  # TYPED: this key goes on as the user typed it

    def _scan_char(self, event: QKeyEvent) -> str | None:
        """The character this key gives the detector, or None if the key is not for it."""
        if event.isAutoRepeat() or event.modifiers() & _BLOCKING_MODIFIERS:
            return None
        terminators = self._detector.settings.terminators
        key = event.key()
        if key in _ENTER_KEYS:
            return next((t for t in ("\r", "\n") if t in terminators), None)
        if key == int(Qt.Key.Key_Tab):
            return "\t" if "\t" in terminators else None
        text = event.text()
        if len(text) == 1 and text.isprintable() and text not in terminators:
            return text
        return None

    def _on_flush_timer(self) -> None:
        now = self._clock()
        if not self._deliver_stale(now):
            due = self._detector.due_at()
            if due is not None:
                self._timer.start(max(1, due - now))

    def _arm_timer(self) -> None:
        due = self._detector.due_at()
        if due is not None:
            self._timer.start(max(1, due - self._clock()))

    def _deliver_stale(self, now: int) -> bool:
        text = self._detector.flush_due(now)
        if text is None:
            return False
        self._deliver(self._take_held(len(text)))
        return True

    def _deliver_all_held(self) -> None:
        self._detector.reset()
        self._timer.stop()
        self._deliver(self._take_held(len(self._held)))

    def _drop_held(self) -> None:
        self._held.clear()
        self._timer.stop()

    def _take_held(self, count: int) -> list[_HeldKey]:
        """The oldest `count` held keys: the detector's replay text, with their key codes."""
        return [self._held.popleft() for _ in range(min(count, len(self._held)))]

    def _deliver(self, keys: list[_HeldKey]) -> None:
        """Re-deliver held key presses (press and release) to the widgets they were typed in."""
        if not keys:
            return
        self._replaying = True
        try:
            for held in keys:
                if held.target is None or not shiboken6.isValid(held.target):
                    log.debug("dropping a held key: its widget is gone or nothing had focus")
                    continue
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    event = QKeyEvent(kind, held.key, held.modifiers, held.text)
                    QCoreApplication.sendEvent(held.target, event)
        finally:
            self._replaying = False


def _is_first_receiver(widget: QWidget) -> bool:
    """True if Qt delivers key events to `widget` first (not as a propagation to a parent)."""
    expected = QWidget.keyboardGrabber()
    popup = QApplication.activePopupWidget()
    if expected is None and popup is not None:
        expected = popup.focusWidget() or popup
    if expected is None:
        window = widget.window()
        expected = window.focusWidget() or window
    return widget is expected


def _is_protected(widget: QWidget) -> bool:
    """Password/PIN fields and anything marked `posNoScan`: never filtered."""
    if isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal:
        return True
    current: QWidget | None = widget
    while current is not None:
        if current.property(NO_SCAN_PROPERTY) is True:
            return True
        current = current.parentWidget()
    return False

"""How device states look: the diagnostics rows with their big coloured state badges, and the
sale screen's DeviceStatusBar, which names every device that is offline and what it means for
the sale ("打印机未连接 — 小票稍后补打").

States are the strings of ``services.diagnostics.CheckState`` plus "testing"; the stylesheets
here colour widgets by the dynamic property ``state`` (green ok, amber warning, red failed,
grey not configured, dashed unknown, blue testing).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pos_app.events import DeviceStatusChanged, PrintJobFinished
from pos_app.i18n import Catalog
from pos_app.ports.printing import PRINTER_OFFLINE
from ui.event_bridge import EventBridge
from ui.theme import Theme

RECOVERED_SHOWN_MS = 4000
"""How long "back online" stays on the status bar before the chip goes away."""
BAR_DEVICES = ("printer", "scale", "pole_display", "camera")


def restyle(widget: QWidget, state: str) -> None:
    """Set the ``state`` property and re-polish, so the stylesheet notices the change."""
    widget.setProperty("state", state)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


@dataclass(eq=False)
class DeviceRow:
    name: str
    state: QLabel
    message: QLabel
    detail: QLabel
    button: QPushButton | None

    @property
    def state_name(self) -> str:
        return str(self.state.property("state"))

    def show(self, state: str, state_text: str, message: str, detail: str = "") -> None:
        self.state.setText(state_text)
        self.message.setText(message)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))  # a lone message sits level with the badge
        restyle(self.state, state)
        restyle(self.message, state)


class DeviceTable(QWidget):
    """One row per device: its name, a state badge, what was found out, and a test button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DeviceTable")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.rows: dict[str, DeviceRow] = {}
        self._grid = QGridLayout()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self._grid)
        outer.addStretch(1)  # spare height stays below the rows
        self._grid.setContentsMargins(20, 12, 20, 12)
        self._grid.setHorizontalSpacing(20)
        self._grid.setVerticalSpacing(8)
        self._grid.setColumnStretch(2, 1)

    def add_row(self, name: str, title: str, button_text: str | None) -> DeviceRow:
        label = QLabel(title, self)
        label.setObjectName("DeviceName")
        state, message, detail = QLabel(self), QLabel(self), QLabel(self)
        state.setObjectName("DeviceState")
        state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        message.setObjectName("DeviceMessage")
        detail.setObjectName("DeviceDetail")
        for words in (message, detail):
            words.setWordWrap(True)
        found = QVBoxLayout()
        found.setSpacing(2)
        found.addWidget(message)
        found.addWidget(detail)
        button = None
        if button_text is not None:
            button = QPushButton(button_text, self)
            button.setObjectName("TestButton")
            button.setAutoDefault(True)  # Enter on the focused button runs the test
        index = self._grid.rowCount()
        self._grid.addWidget(label, index, 0)
        self._grid.addWidget(state, index, 1)
        self._grid.addLayout(found, index, 2, Qt.AlignmentFlag.AlignVCenter)
        if button is not None:
            self._grid.addWidget(button, index, 3)
        row = DeviceRow(name, state, message, detail, button)
        self.rows[name] = row
        return row


class DeviceStatusBar(QWidget):
    """A chip per offline device, for the sale screen's top bar; empty while all is well.

    Follows ``device_status_changed`` and print job outcomes (a job that found the printer
    offline, or one that printed). A device that comes back shows "back online" briefly.
    """

    def __init__(
        self, *, bridge: EventBridge, catalog: Catalog, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DeviceStatusBar")
        self.setStyleSheet(status_bar_stylesheet(Theme()))
        self._catalog = catalog
        self._chips: dict[str, QLabel] = {}
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        for device in BAR_DEVICES:
            self._chip(device)
        bridge.device_status_changed.connect(self._on_device_status)
        bridge.print_job_finished.connect(self._on_print_job_finished)

    def offline(self) -> list[str]:
        """The devices shown as offline, in bar order."""
        return [name for name, chip in self._chips.items() if _is_offline(chip)]

    def texts(self) -> list[str]:
        """What the cashier reads on the bar, left to right."""
        return [chip.text() for chip in self._chips.values() if not chip.isHidden()]

    def set_status(self, device: str, online: bool, detail: str = "") -> None:
        chip = self._chip(device)
        if online and not _is_offline(chip):
            return  # nothing was wrong: nothing to say
        suffix = "online" if online else "offline"
        key = f"device.bar.{device}.{suffix}"
        fallback = f"device.bar.other.{suffix}"
        chip.setText(self._catalog.text(key if self._catalog.has(key) else fallback, device=device))
        chip.setToolTip(detail)
        restyle(chip, suffix)
        chip.show()
        if online:
            QTimer.singleShot(RECOVERED_SHOWN_MS, chip, lambda: self._fade(chip))

    def _chip(self, device: str) -> QLabel:
        chip = self._chips.get(device)
        if chip is None:
            chip = QLabel(self)
            chip.setObjectName("DeviceChip")
            chip.hide()
            self._layout.addWidget(chip)
            self._chips[device] = chip
        return chip

    def _fade(self, chip: QLabel) -> None:
        if not _is_offline(chip):
            chip.hide()

    @Slot(object)
    def _on_device_status(self, event: DeviceStatusChanged) -> None:
        self.set_status(event.device, event.online, event.detail)

    @Slot(object)
    def _on_print_job_finished(self, event: PrintJobFinished) -> None:
        if event.ok or event.error_code == PRINTER_OFFLINE:
            self.set_status("printer", event.ok, event.error_code or "")


def _is_offline(chip: QLabel) -> bool:
    return not chip.isHidden() and chip.property("state") == "offline"


def status_bar_stylesheet(t: Theme) -> str:
    return f"""
#DeviceChip {{ font-size: 18px; font-weight: bold; border-radius: 6px; padding: 4px 12px; }}
#DeviceChip[state="offline"] {{ background: {t.error}; color: white; }}
#DeviceChip[state="online"] {{ background: {t.pay}; color: white; }}
"""


def device_table_stylesheet(t: Theme) -> str:
    """Big, clear state colours for the diagnostics rows (palette from ui/theme.py)."""
    return f"""
#DeviceTable {{ background: {t.surface}; border-radius: 12px; }}
#DeviceName {{ font-size: 24px; font-weight: bold; min-width: 150px; }}
#DeviceState {{ font-size: 22px; font-weight: bold; border-radius: 8px; padding: 4px 12px;
    min-width: 110px; min-height: 36px; }}
#DeviceState[state="ok"] {{ background: {t.pay}; color: white; }}
#DeviceState[state="warning"] {{ background: #f9a825; color: #3e2700; }}
#DeviceState[state="failed"] {{ background: {t.error}; color: white; }}
#DeviceState[state="not_configured"] {{ background: {t.line}; color: {t.muted}; }}
#DeviceState[state="unknown"] {{ background: {t.background}; color: {t.muted};
    border: 2px dashed {t.line}; }}
#DeviceState[state="testing"] {{ background: {t.primary}; color: white; }}
#DeviceMessage {{ font-size: 20px; }}
#DeviceMessage[state="failed"] {{ color: {t.error}; font-weight: bold; }}
#DeviceMessage[state="warning"] {{ color: #8a5300; font-weight: bold; }}
#DeviceMessage[state="not_configured"] {{ color: {t.muted}; }}
#DeviceDetail {{ color: {t.muted}; font-size: 15px; }}
#TestButton {{ font-size: 20px; min-width: 210px; min-height: 40px; }}
#TestButton:focus {{ border: 3px solid {t.primary}; }}
#TestButton:disabled {{ color: {t.line}; }}
"""

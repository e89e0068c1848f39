"""DiagnosticsScreen: IT's view of every device and back end, one row each, and a test per row.

A row shows the device, its state in a big coloured badge, what was last found out (in words,
with the adapter's technical detail under it) and a test button; digit keys run the tests,
Enter runs the focused one, F5 checks again, Esc asks to leave. States follow the devices live
(``device_status_changed``, print job outcomes, wedge scans). Every check goes through the
TaskRunner: those that wait on a device on the network lane; the database, the disk and the
drawer (an audited write, after a manager's approval) on the store lane.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pos_app.events import DeviceStatusChanged, PrintJobFinished
from pos_app.i18n import Catalog
from pos_app.ports.printing import PRINTER_OFFLINE
from pos_app.services.approvals import ApprovalService
from pos_app.services.diagnostics import Check, CheckResult, CheckState, DiagnosticsService
from pos_app.services.views import StaffView
from ui.errors import user_message
from ui.event_bridge import EventBridge
from ui.formatting import weight
from ui.input.scan_filter import ScanEventFilter
from ui.manager.approval_dialog import ApprovalDialog
from ui.tasks import TaskRunner
from ui.theme import Theme
from ui.widgets.device_status import DeviceRow, DeviceTable, device_table_stylesheet

SCANNER = "scanner"
TESTING = "testing"
"""Row state while its test runs (not a CheckState: nothing is known yet)."""
STORE_LANE = frozenset({Check.DATABASE.value, Check.DISK.value, Check.DRAWER.value})
OK, FAILED = CheckState.OK.value, CheckState.FAILED.value

Work = Callable[[], CheckResult]


class DiagnosticsScreen(QWidget):
    back_requested = Signal()
    """Esc or the back button: the host shows what was there before."""

    def __init__(
        self,
        *,
        diagnostics: DiagnosticsService,
        tasks: TaskRunner,
        bridge: EventBridge,
        catalog: Catalog,
        terminal_code: str,
        approvals: ApprovalService | None = None,
        scan_filter: ScanEventFilter | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DiagnosticsScreen")
        self._diagnostics = diagnostics
        self._tasks = tasks
        self._catalog = catalog
        self._approvals = approvals
        self._dialog: QDialog | None = None
        self._body = QWidget(self)
        self._body.setObjectName("DiagnosticsBody")
        self._body.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._body.setStyleSheet(screen_stylesheet(Theme()))
        self.table = DeviceTable()
        self._build(terminal_code)
        bridge.device_status_changed.connect(self._on_device_status)
        bridge.print_job_finished.connect(self._on_print_job_finished)
        if scan_filter is not None:
            scan_filter.scanned.connect(self._on_scanned)

    # -- what IT sees -----------------------------------------------------------------------

    @property
    def rows(self) -> dict[str, DeviceRow]:
        return self.table.rows

    def state_of(self, name: str) -> str:
        return self.rows[name].state_name

    def message_of(self, name: str) -> str:
        return self.rows[name].message.text()

    def active_dialog(self) -> QDialog | None:
        return self._dialog

    def refresh(self) -> None:
        """Every row's state now, without touching a device (F5)."""
        self._tasks.store(
            self._diagnostics.overview,
            then=self._show_all,
            on_error=lambda error: self._failed(Check.DATABASE, error),
        )

    def run_test(self, name: str) -> None:
        row = self.rows.get(name)
        if row is None or row.button is None or not row.button.isEnabled():
            return
        if row.state_name == TESTING:
            return  # its answer is on its way
        if name == Check.DRAWER:
            self._ask_approval()
        else:
            self._start(name, self._work(name))

    def show_result(self, result: CheckResult) -> None:
        row = self.rows.get(result.name) or self._add_row(result.name)
        params = dict(result.params)
        if "grams" in params:
            params["weight"] = weight(int(str(params["grams"])))
        self._show(row, result.state.value, self._catalog.text(result.key, **params), result.detail)
        if row.button is not None:
            row.button.setEnabled(self._can_test(result.name, result.state))

    # -- building ---------------------------------------------------------------------------

    def _build(self, terminal_code: str) -> None:
        text = self._catalog.text
        title = QLabel(text("admin.diagnostics.title"), self._body)
        title.setObjectName("Title")
        hint = QLabel(text("admin.diagnostics.hint", terminal=terminal_code), self._body)
        hint.setObjectName("Caption")
        for name in rows_for(self._diagnostics):
            self._add_row(name)
        scroll = QScrollArea(self._body)
        scroll.setObjectName("DiagnosticsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.table)
        body = QVBoxLayout(self._body)
        body.setContentsMargins(24, 16, 24, 16)
        body.setSpacing(10)
        body.addWidget(title)
        body.addWidget(hint)
        body.addWidget(scroll, 1)
        body.addLayout(self._footer())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._body)

    def _footer(self) -> QHBoxLayout:
        text = self._catalog.text
        self.refresh_button = QPushButton(text("admin.diagnostics.refresh"), self._body)
        self.refresh_button.clicked.connect(self.refresh)
        back = QPushButton(text("admin.diagnostics.back"), self._body)
        back.clicked.connect(self.back_requested.emit)
        for button in (self.refresh_button, back):
            button.setObjectName("FooterButton")
            button.setAutoDefault(True)
        self._key("F5", self.refresh)
        self._key("Esc", self.back_requested.emit)
        footer = QHBoxLayout()
        footer.addWidget(back)
        footer.addStretch(1)
        footer.addWidget(self.refresh_button)
        return footer

    def _add_row(self, name: str) -> DeviceRow:
        text, has = self._catalog.text, self._catalog.has
        title = text(f"device.name.{name}") if has(f"device.name.{name}") else name
        button_text = None
        number = 1 + sum(1 for row in self.rows.values() if row.button is not None)
        if name != SCANNER:
            caption = text(
                f"device.test.{name}" if has(f"device.test.{name}") else "device.test.back_end"
            )
            button_text = f"{number}  {caption}" if number < 10 else caption
        row = self.table.add_row(name, title, button_text)
        if row.button is not None:
            row.button.clicked.connect(lambda: self.run_test(name))
            row.button.setEnabled(self._can_test(name, CheckState.UNKNOWN))
            if number < 10:
                self._key(str(number), lambda: self.run_test(name))
        hint = "device.result.scan_hint" if name == SCANNER else "device.result.unknown"
        self._show(row, CheckState.UNKNOWN.value, text(hint))
        return row

    def _can_test(self, name: str, state: CheckState) -> bool:
        if name == Check.DRAWER and self._approvals is None:
            return False
        return state is not CheckState.NOT_CONFIGURED

    def _key(self, key: str, slot: Callable[[], None]) -> None:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # -- running tests ----------------------------------------------------------------------

    def _work(self, name: str) -> Work:
        d, text = self._diagnostics, self._catalog.text
        tests: dict[str, Work] = {
            Check.PRINTER: lambda: d.print_test_page(
                text("device.test_page.line"), text("device.test_page.footer")
            ),
            Check.POLE_DISPLAY: lambda: d.show_test_line(
                text("device.display_test.upper"), text("device.display_test.lower")
            ),
            Check.SCALE: d.read_scale,
            Check.CAMERA: d.grab_camera_frame,
            Check.FACE_CAMERA: lambda: d.grab_camera_frame(Check.FACE_CAMERA),
            Check.DATABASE: d.check_database,
            Check.DISK: d.check_disk,
        }
        return tests.get(name) or (lambda: d.check_back_end(name))

    def _start(self, name: str, work: Work) -> None:
        row = self.rows[name]
        # The button stays enabled: disabling it would throw the keyboard focus elsewhere.
        self._show(row, TESTING, self._catalog.text("device.result.testing"))
        lane = self._tasks.store if name in STORE_LANE else self._tasks.network
        lane(work, then=self.show_result, on_error=lambda error: self._failed(name, error))

    def _ask_approval(self) -> None:
        if self._approvals is None or self._dialog is not None:
            return
        action = self._catalog.text("device.drawer_action")
        dialog = ApprovalDialog(
            approvals=self._approvals,
            tasks=self._tasks,
            catalog=self._catalog,
            action=action,
            parent=self,
        )
        dialog.approved.connect(self._on_drawer_approved)
        dialog.finished.connect(lambda _: self._on_dialog_finished(dialog))
        self._dialog = dialog
        dialog.open()
        dialog.activateWindow()

    def _on_drawer_approved(self, manager: StaffView) -> None:
        self._start(Check.DRAWER, lambda: self._diagnostics.open_drawer(manager.id))

    def _on_dialog_finished(self, dialog: QDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None
        dialog.deleteLater()
        self.activateWindow()

    def _failed(self, name: str, error: BaseException) -> None:
        self._show(self.rows[name], FAILED, user_message(error, self._catalog))

    # -- live states ------------------------------------------------------------------------

    def _show_all(self, results: tuple[CheckResult, ...]) -> None:
        for result in results:
            if result.name not in self.rows or self.state_of(result.name) != TESTING:
                self.show_result(result)

    @Slot(object)
    def _on_device_status(self, event: DeviceStatusChanged) -> None:
        names = [event.device] + ([Check.DRAWER.value] if event.device == Check.PRINTER else [])
        for name in names:
            row = self.rows.get(name)
            if row is None or row.state_name in (TESTING, CheckState.NOT_CONFIGURED.value):
                continue  # a test's own answer is on its way, or the device is not there
            key = "device.result.online" if event.online else "device.result.offline"
            self._show(row, OK if event.online else FAILED, self._catalog.text(key), event.detail)

    @Slot(object)
    def _on_print_job_finished(self, event: PrintJobFinished) -> None:
        if event.ok or event.error_code == PRINTER_OFFLINE:
            detail = "" if event.ok else self._catalog.text(PRINTER_OFFLINE)
            self._on_device_status(DeviceStatusChanged(Check.PRINTER, event.ok, detail))

    @Slot(str)
    def _on_scanned(self, code: str) -> None:
        if self.isVisible():
            message = self._catalog.text("device.result.scanned", code=code)
            self._show(self.rows[SCANNER], OK, message)

    def _show(self, row: DeviceRow, state: str, message: str, detail: str = "") -> None:
        row.show(state, self._catalog.text(f"device.state.{state}"), message, detail)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
        focused = self.focusWidget()
        if focused is None or not self.isAncestorOf(focused):
            buttons = [r.button for r in self.rows.values() if r.button and r.button.isEnabled()]
            if buttons:
                buttons[0].setFocus()


def rows_for(diagnostics: DiagnosticsService) -> tuple[str, ...]:
    """The devices this till has checks for, then the scanner, the database and the disk."""
    devices = tuple(check.value for check in diagnostics.device_checks())
    return (*devices, SCANNER, Check.DATABASE.value, Check.DISK.value)


def screen_stylesheet(t: Theme) -> str:
    return (
        device_table_stylesheet(t)
        + f"""
#DiagnosticsBody {{ background: {t.background}; }}
#DiagnosticsScroll, #DiagnosticsScroll > QWidget {{ background: transparent; }}
#FooterButton {{ font-size: 20px; min-width: 180px; min-height: 44px; }}
#FooterButton:focus {{ border: 3px solid {t.primary}; }}
"""
    )

"""ApprovalDialog: a manager approves an override (a "no sale" drawer opening) with staff number
and PIN, at the cashier's till; a wrong PIN is said inline and the dialog stays open."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.errors import UserError
from pos_app.i18n import Catalog
from pos_app.services.approvals import ApprovalService
from pos_app.services.views import StaffView
from ui.errors import user_message
from ui.input.scan_filter import NO_SCAN_PROPERTY
from ui.tasks import TaskRunner


def approval_message(error: BaseException, catalog: Catalog) -> str:
    """A refused approval or drawer opening as the cashier reads it: the ``manager.error.*``
    message for this area's codes, else the usual ``error.*`` one (wrong PIN, locked...)."""
    if isinstance(error, UserError):
        key = f"manager.error.{error.code}"
        if catalog.has(key):
            return catalog.text(key, **error.params)
    return user_message(error, catalog)


class ApprovalDialog(QDialog):
    """Window-modal and non-blocking: open it with ``open()`` and listen to ``approved``.

    Keys typed here are never taken for scans (``posNoScan``): the PIN must not leak into a
    sale, and a manager's badge scanned into the number field types its number and Enter.
    The PIN is checked on the store lane; nothing is written to the database for a wrong PIN.
    """

    approved = Signal(object)
    """StaffView of the manager who approved."""

    def __init__(
        self,
        *,
        approvals: ApprovalService,
        tasks: TaskRunner,
        catalog: Catalog,
        action: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(catalog.text("manager.approval.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(560)
        self.setProperty(NO_SCAN_PROPERTY, True)
        self._approvals = approvals
        self._tasks = tasks
        self._catalog = catalog
        self._busy = False
        self.staff_no_edit = self._field(r"\d{0,16}", "manager.approval.staff_no_hint")
        self.pin_edit = self._field(r"\d{0,8}", "manager.approval.pin_hint")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setProperty(NO_SCAN_PROPERTY, True)
        self.submit_button = QPushButton(catalog.text("manager.approval.submit"), self)
        self.submit_button.setObjectName("ConfirmButton")
        self._message = QLabel("", self)
        self._message.setObjectName("InlineError")
        self._message.setWordWrap(True)
        self._build(action)
        self.staff_no_edit.returnPressed.connect(self._on_staff_no_entered)
        self.pin_edit.returnPressed.connect(self._submit)
        self.submit_button.clicked.connect(self._submit)
        self.staff_no_edit.setFocus()

    def _field(self, pattern: str, hint: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), edit))
        edit.setPlaceholderText(self._catalog.text(hint))
        return edit

    def _build(self, action: str) -> None:
        text = self._catalog.text
        title = QLabel(text("manager.approval.title"), self)
        title.setObjectName("Title")
        asked = QLabel(text("manager.approval.for", action=action), self)
        asked.setObjectName("FieldCaption")
        asked.setWordWrap(True)
        form = QGridLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(16)
        centred = Qt.AlignmentFlag.AlignVCenter
        fields = (("staff_no", self.staff_no_edit), ("pin", self.pin_edit))
        for row, (caption, edit) in enumerate(fields):
            form.addWidget(QLabel(text(f"manager.approval.{caption}"), self), row, 0, centred)
            form.addWidget(edit, row, 1)
        hint = QLabel(text("manager.approval.keys_hint"), self)
        hint.setObjectName("Caption")
        cancel = QPushButton(text("manager.approval.cancel"), self)
        cancel.setObjectName("CancelButton")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.submit_button.setAutoDefault(False)  # Enter belongs to the fields
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(16)
        for widget in (title, asked):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self._message)
        layout.addLayout(buttons)
        layout.addWidget(hint, 0, Qt.AlignmentFlag.AlignHCenter)

    def message_text(self) -> str:
        return self._message.text()

    def reject(self) -> None:
        if not self._busy:  # an answer on its way decides first
            super().reject()

    def _on_staff_no_entered(self) -> None:
        if self.pin_edit.text():
            self._submit()
        else:
            self.pin_edit.setFocus()

    def _submit(self) -> None:
        if self._busy:
            return
        staff_no, pin = self.staff_no_edit.text(), self.pin_edit.text()
        self._set_busy(True)
        self._tasks.store(
            lambda: self._approvals.approve(staff_no, pin),
            then=self._on_approved,
            on_error=self._on_refused,
        )

    def _on_approved(self, manager: StaffView) -> None:
        self._set_busy(False)
        self.pin_edit.clear()
        self.approved.emit(manager)
        self.accept()

    def _on_refused(self, error: BaseException) -> None:
        self._set_busy(False)
        self._message.setText(approval_message(error, self._catalog))
        self.pin_edit.clear()
        QApplication.beep()
        wrong_number = isinstance(error, UserError) and (
            error.code == "approval.not_manager" or not self.staff_no_edit.text().strip()
        )
        if wrong_number:
            self.staff_no_edit.selectAll()
            self.staff_no_edit.setFocus()
        else:
            self.pin_edit.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit_button.setEnabled(not busy)
        self.staff_no_edit.setReadOnly(busy)
        self.pin_edit.setReadOnly(busy)

"""LoginScreen: staff number and PIN; Enter moves on, then submits."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.errors import UserError
from pos_app.i18n import Catalog
from pos_app.services.staff import StaffService
from pos_app.services.views import StaffView
from ui.errors import user_message
from ui.input.scan_filter import NO_SCAN_PROPERTY
from ui.tasks import TaskRunner


class LoginScreen(QWidget):
    """Keys here are never taken for scans (``posNoScan``): a PIN must not leak into a sale,
    and a staff badge scanned into the number field types its number and Enter."""

    logged_in = Signal(object)
    """StaffView of the cashier who logged in."""

    def __init__(
        self,
        *,
        staff: StaffService,
        tasks: TaskRunner,
        catalog: Catalog,
        store_name: str,
        terminal_code: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LoginScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setProperty(NO_SCAN_PROPERTY, True)
        self._staff = staff
        self._tasks = tasks
        self._catalog = catalog
        self._busy = False
        self.staff_no_edit = QLineEdit(self)
        self.staff_no_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,16}"))
        )
        self.staff_no_edit.setPlaceholderText(catalog.text("cashier.login.staff_no_hint"))
        self.pin_edit = QLineEdit(self)
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}")))
        self.pin_edit.setProperty(NO_SCAN_PROPERTY, True)
        self.pin_edit.setPlaceholderText(catalog.text("cashier.login.pin_hint"))
        self.login_button = QPushButton(catalog.text("cashier.login.submit"), self)
        self.login_button.setObjectName("ConfirmButton")
        self._message = QLabel("", self)
        self._message.setObjectName("InlineError")
        self._message.setWordWrap(True)
        self._build(store_name, terminal_code)
        self.staff_no_edit.returnPressed.connect(self._on_staff_no_entered)
        self.pin_edit.returnPressed.connect(self._submit)
        self.login_button.clicked.connect(self._submit)

    def _build(self, store_name: str, terminal_code: str) -> None:
        text = self._catalog.text
        card = QWidget(self)
        card.setObjectName("LoginCard")
        card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        card.setFixedWidth(520)
        title = QLabel(store_name, card)
        title.setObjectName("Title")
        subtitle = QLabel(text("cashier.login.subtitle", terminal=terminal_code), card)
        subtitle.setObjectName("Caption")
        form = QFormLayout()
        form.setSpacing(16)
        form.addRow(text("cashier.login.staff_no"), self.staff_no_edit)
        form.addRow(text("cashier.login.pin"), self.pin_edit)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 32, 32, 32)
        inner.setSpacing(16)
        for widget in (title, subtitle):
            inner.addWidget(widget)
        inner.addLayout(form)
        inner.addWidget(self._message)
        inner.addWidget(self.login_button)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def reset(self) -> None:
        """Empty fields, no message, the cursor in the staff number: ready for the next person."""
        self.staff_no_edit.clear()
        self.pin_edit.clear()
        self._message.clear()
        self._set_busy(False)
        self.staff_no_edit.setFocus()

    def message_text(self) -> str:
        return self._message.text()

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
            lambda: self._staff.login(staff_no, pin),
            then=self._on_login_succeeded,
            on_error=self._on_login_failed,
        )

    def _on_login_succeeded(self, staff: StaffView) -> None:
        self._set_busy(False)
        self._message.clear()
        self.pin_edit.clear()
        self.logged_in.emit(staff)

    def _on_login_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._message.setText(user_message(error, self._catalog))
        self.pin_edit.clear()
        missing_number = isinstance(error, UserError) and not self.staff_no_edit.text().strip()
        (self.staff_no_edit if missing_number else self.pin_edit).setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.login_button.setEnabled(not busy)

"""CodePaymentDialog: the customer's payment code (付款码) scanned or typed, then the payment
followed to the end: "waiting for the password, 23 s left", "checking with WeChat Pay", paid.

Every call to the payment service runs on the network lane; one call at a time, never
overlapping: the next ``advance`` is scheduled only once the last answer is in. Abort (or Esc)
asks the service to reverse the attempt and keeps following it until it is final, then closes.
The window never waits on the provider: the status line and countdown repaint while it is held.

A customer without a payment code is shown the till's QR instead (F2 WeChat, F3 Alipay): the
service makes the dynamic QR on the network lane and publishes it for the customer display;
this dialog follows that attempt exactly like a scanned code (countdown, abort = close order).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
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

from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.i18n import Catalog
from pos_app.services.payment_views import AttemptView, PaymentOutcome
from pos_app.services.payments import PaymentService
from ui.errors import user_message
from ui.formatting import money
from ui.input.scan_filter import ScanEventFilter
from ui.tasks import TaskRunner

T = TypeVar("T")

POLL_MS = 1000
"""How often ``advance`` is asked while a payment runs (after the previous answer)."""

QR_KEYS = {"F2": Provider.WECHAT_PAY, "F3": Provider.ALIPAY}
"""The dialog's keys that show our dynamic QR for that wallet on the customer display."""
DYNAMIC_QR = "dynamic_qr"

_OUTCOME_KEYS = {
    PaymentOutcome.DECLINED: "wallet.declined",
    PaymentOutcome.RESCAN: "wallet.rescan",
    PaymentOutcome.CANCELLED: "wallet.cancelled",
    PaymentOutcome.REFUNDED: "wallet.refunded",
}


class CodePaymentDialog(QDialog):
    """Window-modal and non-blocking: open it with ``open()`` and listen to ``paid``."""

    paid = Signal(object)
    """AttemptView of the PAID attempt; its ``sale`` is set when it completed the sale."""

    def __init__(
        self,
        *,
        cart_id: str,
        due: Money,
        payments: PaymentService,
        tasks: TaskRunner,
        catalog: Catalog,
        scan_filter: ScanEventFilter | None = None,
        poll_ms: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(catalog.text("wallet.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(720)
        self._cart_id = cart_id
        self._due = due
        self._payments = payments
        self._tasks = tasks
        self._catalog = catalog
        self._view: AttemptView | None = None
        self._calling = False
        """A service call is out on the network lane: no other one starts."""
        self._sending = False
        """``pay_by_code`` is out: the attempt id is not known yet."""
        self._abort_wanted = False
        self._abort_sent = False
        self._closing = False
        self._poll = QTimer(self)
        self._poll.setSingleShot(True)
        self._poll.setInterval(POLL_MS if poll_ms is None else poll_ms)
        self._poll.timeout.connect(self._advance)
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("PaymentCodeEdit")
        self.code_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[0-9 ]{0,32}"), self.code_edit)
        )
        self.code_edit.setPlaceholderText(catalog.text("wallet.code_hint"))
        self._state = QLabel(catalog.text("wallet.scan_prompt"), self)
        self._state.setObjectName("DialogChange")
        self._state.setWordWrap(True)
        self._detail = QLabel("", self)
        self._detail.setObjectName("Caption")
        self._message = QLabel("", self)
        self._message.setObjectName("InlineError")
        self._message.setWordWrap(True)
        self.abort_button = QPushButton(catalog.text("wallet.abort"), self)
        self.abort_button.setObjectName("CancelButton")
        self.abort_button.setAutoDefault(False)
        self.abort_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.qr_buttons: dict[Provider, QPushButton] = {}
        for key, provider in QR_KEYS.items():
            button = QPushButton(catalog.text(f"wallet.show_qr.{provider.value}"), self)
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, chosen=provider: self.show_qr(chosen))
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda chosen=provider: self.show_qr(chosen))
            self.qr_buttons[provider] = button
        self._build()
        self.code_edit.returnPressed.connect(self._on_code_entered)
        self.abort_button.clicked.connect(self.reject)
        if scan_filter is not None:
            scan_filter.scanned.connect(self.take_code)
            self.finished.connect(lambda _: scan_filter.scanned.disconnect(self.take_code))

    def _build(self) -> None:
        text = self._catalog.text
        due = QLabel(money(self._due), self)
        due.setObjectName("DueValue")
        due.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid = QGridLayout()
        grid.addWidget(_caption(text("wallet.due"), self), 0, 0)
        grid.addWidget(due, 0, 1)
        grid.addWidget(_caption(text("wallet.code"), self), 1, 0)
        grid.addWidget(self.code_edit, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(16)
        layout.addLayout(grid)
        layout.addWidget(self._state)
        layout.addWidget(self._detail)
        layout.addWidget(self._message)
        qr_row = QHBoxLayout()
        for button in self.qr_buttons.values():
            qr_row.addWidget(button)
        layout.addLayout(qr_row)
        layout.addWidget(self.abort_button)
        layout.addWidget(_caption(text("wallet.keys_hint"), self, "Caption"))
        layout.addWidget(_caption(text("wallet.qr_keys_hint"), self, "Caption"))
        self.code_edit.setFocus()

    # -- what the cashier reads -------------------------------------------------------------

    @property
    def due(self) -> Money:
        return self._due

    @property
    def attempt(self) -> AttemptView | None:
        """The last answer about the running (or last) attempt."""
        return self._view

    @property
    def aborted(self) -> bool:
        """The cashier pressed Abort (or Esc) while a payment ran."""
        return self._abort_wanted

    @property
    def running(self) -> bool:
        """A payment is out with the provider (or being sent): the dialog will not just close."""
        return self._sending or (self._view is not None and not self._view.final)

    def state_text(self) -> str:
        return self._state.text()

    def message_text(self) -> str:
        return self._message.text()

    def show_problem(self, text: str) -> None:
        self._message.setText(text)
        QApplication.beep()

    # -- the code ---------------------------------------------------------------------------

    def take_code(self, text: str) -> None:
        """A wedge scan, or a typed code with Enter: charge it, unless a payment runs."""
        code = text.strip()
        if not self.isVisible() or self._closing or not code:
            return
        if self.running:
            self.show_problem(self._catalog.text("wallet.busy"))
            return
        self.code_edit.setText(code)
        self._begin(self._catalog.text("wallet.sending"))
        cart_id, payments = self._cart_id, self._payments
        self._call(lambda: payments.pay_by_code(cart_id, code), self._on_sent)

    def show_qr(self, provider: Provider) -> None:
        """F2/F3: our dynamic QR for ``provider`` on the customer display, unless a payment
        runs. Refusals (wallet not configured...) are said inline, as for a bad code."""
        if not self.isVisible() or self._closing:
            return
        if self.running:
            self.show_problem(self._catalog.text("wallet.busy"))
            return
        self.code_edit.clear()
        self._begin(self._catalog.text("wallet.qr_creating", provider=self._provider(provider)))
        cart_id, payments = self._cart_id, self._payments
        self._call(lambda: payments.show_qr(cart_id, provider=provider), self._on_sent)

    def _begin(self, state: str) -> None:
        """A pay call is about to go out: nothing else starts until it answers."""
        self.code_edit.setReadOnly(True)
        self._message.clear()
        self._detail.clear()
        self._view = None
        self._sending = True
        self._abort_wanted = self._abort_sent = False
        self._set_qr_keys(enabled=False)
        self._state.setText(state)

    def _set_qr_keys(self, *, enabled: bool) -> None:
        for button in self.qr_buttons.values():
            button.setEnabled(enabled)

    def _on_code_entered(self) -> None:
        self.take_code(self.code_edit.text())

    def _on_sent(self, view: AttemptView) -> None:
        self._sending = False
        self._show(view)

    def _on_refused(self, error: BaseException) -> None:
        """A bad code, a cart that cannot pay now...: said inline; nothing runs (when the code
        was refused, nothing was sent)."""
        self._calling = False
        if self._sending:
            self._sending = False
            self._state.setText(self._catalog.text("wallet.scan_prompt"))
            self._set_qr_keys(enabled=True)
            self.code_edit.setReadOnly(False)
            self.code_edit.selectAll()
            self.code_edit.setFocus()
            self.show_problem(user_message(error, self._catalog))
            if self._abort_wanted:
                self._finish()
            return
        # A poll or abort failed (network trouble): say it, and keep following the attempt.
        self.show_problem(user_message(error, self._catalog))
        self._poll.start()

    # -- following the attempt --------------------------------------------------------------

    def _call(self, work: Callable[[], T], then: Callable[[T], None]) -> None:
        self._calling = True

        def answered(value: T) -> None:
            self._calling = False
            then(value)

        self._tasks.network(work, then=answered, on_error=self._on_refused)

    def _advance(self) -> None:
        if self._calling or self._view is None or self._view.final:
            return
        if self._abort_wanted and not self._abort_sent:
            self._send_abort()
            return
        attempt_id, payments = self._view.id, self._payments
        self._call(lambda: payments.advance(attempt_id), self._show)

    def _send_abort(self) -> None:
        assert self._view is not None
        self._abort_sent = True
        attempt_id, payments = self._view.id, self._payments
        self._call(lambda: payments.abort(attempt_id), self._show)

    def _show(self, view: AttemptView) -> None:
        self._view = view
        text = self._catalog.text
        self._detail.setText(
            text("wallet.detail", number=view.out_trade_no, code=view.provider_code or "—")
        )
        if view.outcome is PaymentOutcome.PAID:
            self._state.setText(text("wallet.paid", amount=money(view.amount)))
            self._poll.stop()
            self.paid.emit(view)
            self._finish()
            return
        if view.final:
            self._poll.stop()
            key = _OUTCOME_KEYS.get(view.outcome, "wallet.cancelled")
            if view.kind == DYNAMIC_QR and view.outcome is PaymentOutcome.CANCELLED:
                key = "wallet.qr_closed"
            self._state.setText(text(key))
            if self._abort_wanted:
                self._finish()
            else:  # declined, expired code, deadline passed: a fresh code may be scanned
                self._set_qr_keys(enabled=True)
                self.code_edit.setReadOnly(False)
                self.code_edit.clear()
                self.code_edit.setFocus()
                QApplication.beep()
            return
        if view.outcome is PaymentOutcome.NEEDS_REVIEW:
            # Not final and nothing the cashier can do: it is retried (every minute) while the
            # dialog stays open, and by the background job once it is closed.
            self._state.setText(text("wallet.needs_review", number=view.out_trade_no))
            self.abort_button.setText(text("wallet.close"))
            self.abort_button.setEnabled(True)
            self._abort_wanted = self._abort_sent = True
            self._poll.start()
            return
        self._state.setText(self._progress_text(view))
        if self._abort_wanted and not self._abort_sent:
            self._send_abort()
        else:
            self._poll.start()

    def _progress_text(self, view: AttemptView) -> str:
        text = self._catalog.text
        if view.outcome is PaymentOutcome.CANCELLING or self._abort_wanted:
            return text("wallet.cancelling")
        provider = self._provider(view.provider)
        if view.kind == DYNAMIC_QR:
            return text("wallet.qr_waiting", provider=provider, seconds=view.seconds_left)
        if view.waiting_for_password:
            return text("wallet.waiting_password", seconds=view.seconds_left)
        return text("wallet.checking", provider=provider)

    def _provider(self, provider: str) -> str:
        key = f"wallet.provider.{provider}"
        return self._catalog.text(key) if self._catalog.has(key) else provider

    # -- abort and closing ------------------------------------------------------------------

    def abort(self) -> None:
        """The Abort button and Esc: close at once when nothing runs; otherwise reverse the
        attempt and close once it is final."""
        if not self.running or (self._view is not None and self._view.outcome
                                is PaymentOutcome.NEEDS_REVIEW):
            self._finish(accepted=False)
            return
        if self._abort_wanted:
            return
        self._abort_wanted = True
        self._state.setText(self._catalog.text("wallet.cancelling"))
        self.abort_button.setEnabled(False)
        if not self._calling and self._view is not None:
            self._poll.stop()
            self._send_abort()
        # else: sent as soon as the call that is out answers (pay_by_code gives the id)

    def reject(self) -> None:
        self.abort()

    def _finish(self, *, accepted: bool = True) -> None:
        self._closing = True
        self._poll.stop()
        if accepted and self._view is not None and self._view.outcome is PaymentOutcome.PAID:
            super().accept()
        else:
            super().reject()


def _caption(text: str, parent: QWidget, name: str = "FieldCaption") -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    return label

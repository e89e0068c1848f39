"""CashPaymentDialog: the amount due, cash tendered, the change as you type; Enter pays."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
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

from pos_app.domain.money import ZERO, Money, MoneyFormatError
from pos_app.domain.payments import quick_cash_amounts
from pos_app.errors import UserError
from pos_app.i18n import Catalog
from pos_app.services.sales import SaleService
from pos_app.services.views import CartMemberView, SaleView
from ui.cashier.other_tenders import OtherTendersRow
from ui.errors import user_message
from ui.formatting import money
from ui.tasks import TaskRunner

_QUICK_KEYS = ("F1", "F2", "F3", "F4")


class CashPaymentDialog(QDialog):
    """Enter with an empty field pays the exact amount; F1-F4 pay a quick-cash amount.

    Change is computed in fen from ``Money.parse``; nothing here is a float. The dialog stays
    open on any refusal and says why inline.
    """

    paid = Signal(object)
    """SaleView of the completed sale."""

    def __init__(
        self,
        *,
        cart_id: str,
        due: Money,
        sales: SaleService,
        tasks: TaskRunner,
        catalog: Catalog,
        member: CartMemberView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(catalog.text("cashier.pay.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(720)
        self._cart_id = cart_id
        self._due = due
        self._sales = sales
        self._tasks = tasks
        self._catalog = catalog
        self._busy = False
        self._quick_amounts: dict[str, Money] = {}
        self.tendered_edit = QLineEdit(self)
        self.tendered_edit.setObjectName("TenderedEdit")
        self.tendered_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,6}(\.\d{0,2})?"), self)
        )
        self.tendered_edit.setPlaceholderText(catalog.text("cashier.pay.exact_hint"))
        self._change = QLabel("", self)
        self._change.setObjectName("DialogChange")
        self._message = QLabel("", self)
        self._message.setObjectName("InlineError")
        self._message.setWordWrap(True)
        self.quick_buttons: list[QPushButton] = []
        self.other_tenders = OtherTendersRow(catalog=catalog, due=due, member=member,
                                             parent=self)
        self._due_label = QLabel(money(due), self)
        self._build()
        self.other_tenders.changed.connect(self._on_other_tenders_changed)
        self.other_tenders.card_confirmed.connect(lambda: self.pay(ZERO))
        self.tendered_edit.textChanged.connect(self._on_text_changed)
        self.tendered_edit.returnPressed.connect(self._on_enter)
        self._on_text_changed("")

    def _build(self) -> None:
        text = self._catalog.text
        due = self._due_label
        due.setObjectName("DueValue")
        due.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid = QGridLayout()
        grid.addWidget(_caption(text("cashier.pay.due"), self), 0, 0)
        grid.addWidget(due, 0, 1)
        grid.addWidget(_caption(text("cashier.pay.tendered"), self), 1, 0)
        grid.addWidget(self.tendered_edit, 1, 1)
        grid.addWidget(_caption(text("cashier.pay.change"), self), 2, 0)
        grid.addWidget(self._change, 2, 1)
        quick = QHBoxLayout()
        for key, amount in zip(_QUICK_KEYS, quick_cash_amounts(self._due), strict=False):
            quick.addWidget(self._quick_button(key, amount))
        hint = _caption(text("cashier.pay.keys_hint"), self, "Caption")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(16)
        layout.addLayout(grid)
        layout.addLayout(quick)
        layout.addWidget(self.other_tenders)
        layout.addWidget(self._message)
        layout.addWidget(hint)
        self.tendered_edit.setFocus()

    def _quick_button(self, key: str, amount: Money) -> QPushButton:
        """Two lines: the key (and "exact" for the amount due), then the amount."""
        first = f"{key} {self._catalog.text('cashier.pay.exact')}" if amount == self._due else key
        button = QPushButton(f"{first}\n{_note(amount)}", self)
        button.setObjectName("QuickCashButton")
        button.setAutoDefault(False)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda: self.pay(self._quick_amounts.get(key, amount)))
        QShortcut(QKeySequence(key), self).activated.connect(button.click)
        self.quick_buttons.append(button)
        return button

    @property
    def due(self) -> Money:
        """What cash must still pay: the total less points, stored value and card."""
        return self.other_tenders.due

    def _on_other_tenders_changed(self) -> None:
        due = self.due
        self._due_label.setText(money(due))
        pairs = zip(_QUICK_KEYS, self.quick_buttons, quick_cash_amounts(due), strict=False)
        for key, button, amount in pairs:
            self._quick_amounts[key] = amount
            first = f"{key} {self._catalog.text('cashier.pay.exact')}" if amount == due else key
            button.setText(f"{first}\n{_note(amount)}")
        self._on_text_changed(self.tendered_edit.text())
        if due.is_zero():
            self.pay(ZERO)  # points or stored value paid it all

    def change_text(self) -> str:
        return self._change.text()

    def message_text(self) -> str:
        return self._message.text()

    def show_problem(self, text: str) -> None:
        """A refusal from outside the dialog (a scan while paying): inline, with a beep."""
        self._message.setText(text)
        QApplication.beep()

    def pay(self, tendered: Money) -> None:
        """Take ``tendered`` in cash with the other tenders; too little is refused here, the
        rest by the service."""
        if self._busy:
            return
        due = self.due
        if not tendered.is_zero():
            self.tendered_edit.setText(tendered.yuan_text())
        if tendered < due:
            self.show_problem(
                self._catalog.text(
                    "error.payment.not_enough_cash",
                    due=due.yuan_text(),
                    tendered=tendered.yuan_text(),
                )
            )
            return
        self._set_busy(True)
        cart_id, sales, others = self._cart_id, self._sales, self.other_tenders.tenders
        cash = None if due.is_zero() else tendered
        self._tasks.store(
            lambda: sales.complete(cart_id, cash=cash, others=others),
            then=self._on_paid, on_error=self._on_refused,
        )

    def reject(self) -> None:
        if not self._busy:  # a payment in flight finishes before the dialog may close
            super().reject()

    def _on_enter(self) -> None:
        text = self.tendered_edit.text().strip()
        if not text:
            self.pay(self.due)
            return
        tendered = _parse(text)
        if tendered is None:
            self.show_problem(self._catalog.text("error.payment.bad_amount"))
            return
        self.pay(tendered)

    def _on_text_changed(self, text: str) -> None:
        self._message.clear()
        due = self.due
        tendered = due if not text.strip() else _parse(text)
        if tendered is None:
            self._change.setText("—")
        elif tendered < due:
            self._change.setText(
                self._catalog.text("cashier.pay.short", amount=money(due - tendered))
            )
        else:
            self._change.setText(money(tendered - due))

    def _on_paid(self, sale: SaleView) -> None:
        self._set_busy(False)
        self.paid.emit(sale)
        self.accept()

    def _on_refused(self, error: BaseException) -> None:
        self._set_busy(False)
        message = user_message(error, self._catalog)
        if isinstance(error, UserError):
            self.other_tenders.give_back(error.code)
        self.show_problem(message)
        self.tendered_edit.selectAll()
        self.tendered_edit.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.tendered_edit.setReadOnly(busy)
        self.other_tenders.setEnabled(not busy)
        for button in self.quick_buttons:
            button.setEnabled(not busy)


def _parse(text: str) -> Money | None:
    try:
        return Money.parse(text)
    except MoneyFormatError:
        return None


def _note(amount: Money) -> str:
    """¥50 for a round amount (how a note reads), ¥31.31 otherwise."""
    return f"¥{amount.fen // 100}" if amount.fen % 100 == 0 else money(amount)


def _caption(text: str, parent: QWidget, name: str = "FieldCaption") -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    return label

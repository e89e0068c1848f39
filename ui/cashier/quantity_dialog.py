"""QuantityDialog: type the new quantity of one line and press Enter."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from pos_app.domain.cart import MAX_QUANTITY
from pos_app.i18n import Catalog
from pos_app.services.views import CartLineView
from ui.formatting import money


class QuantityDialog(QDialog):
    """The current quantity is pre-selected, so typing replaces it; Esc leaves it unchanged."""

    quantity_chosen = Signal(int)

    def __init__(
        self, *, line: CartLineView, catalog: Catalog, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(catalog.text("cashier.quantity.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(480)
        self._catalog = catalog
        name = QLabel(line.name, self)
        name.setObjectName("Title")
        name.setWordWrap(True)
        price = QLabel(
            catalog.text("cashier.quantity.unit_price", price=money(line.unit_price)), self
        )
        price.setObjectName("Caption")
        self.quantity_edit = QLineEdit(str(line.quantity), self)
        self.quantity_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,3}"), self)
        )
        self.quantity_edit.selectAll()
        self._message = QLabel("", self)
        self._message.setObjectName("InlineError")
        hint = QLabel(catalog.text("cashier.quantity.hint"), self)
        hint.setObjectName("Caption")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(12)
        for widget in (name, price, self.quantity_edit, self._message, hint):
            layout.addWidget(widget)
        self.quantity_edit.returnPressed.connect(self._on_enter)
        self.quantity_edit.setFocus()

    def message_text(self) -> str:
        return self._message.text()

    def _on_enter(self) -> None:
        text = self.quantity_edit.text()
        quantity = int(text) if text.isdigit() else 0
        if not 1 <= quantity <= MAX_QUANTITY:
            self._message.setText(self._catalog.text("error.cart.bad_quantity", limit=MAX_QUANTITY))
            self.quantity_edit.selectAll()
            QApplication.beep()
            return
        self.quantity_chosen.emit(quantity)
        self.accept()

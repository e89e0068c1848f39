"""PaymentQrPage: the till's dynamic payment QR, big, for the customer to scan with the wallet
app it was made for ("请用微信扫码付款"), the amount it charges, and how to do it.

The QR fills the left of the screen (a phone reads it from a metre away); the words and the
amount sit on the right where they do not crowd its quiet zone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pos_app.events import PaymentQrShown
from pos_app.i18n import Catalog
from ui.formatting import money
from ui.widgets.qr_view import QrView

_CENTER = Qt.AlignmentFlag.AlignCenter


class PaymentQrPage(QWidget):
    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._attempt_id = ""
        self.qr_view = QrView(self)
        self.title = self._label("PaidLine")
        amount_caption = self._label("Caption", catalog.text("customer.total"))
        self.amount = self._label("CustomerTotal")
        self.hint = self._label("Subline")
        right = QVBoxLayout()
        right.addStretch(1)
        for label in (self.title, amount_caption, self.amount, self.hint):
            right.addWidget(label)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(24)
        layout.addWidget(self.qr_view, 3)
        layout.addLayout(right, 2)

    @property
    def attempt_id(self) -> str:
        """The payment attempt whose QR is on show ("" when none was shown yet)."""
        return self._attempt_id

    def show_qr(self, event: PaymentQrShown) -> None:
        text = self._catalog.text
        key = f"customer.provider.{event.provider}"
        provider = text(key) if self._catalog.has(key) else event.provider
        self._attempt_id = event.attempt_id
        self.qr_view.set_text(event.text)
        self.title.setText(text("customer.payment_qr.title", provider=provider))
        self.amount.setText(money(event.amount))
        self.hint.setText(text("customer.payment_qr.hint", provider=provider))

    def _label(self, name: str, value: str = "") -> QLabel:
        label = QLabel(value, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setAlignment(_CENTER)
        return label

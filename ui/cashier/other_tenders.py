"""OtherTendersRow: points, stored value and bank card in the payment dialog (F5-F7).

Each key adds a tender for what is still due: F5 asks for the card terminal's approval code,
F6 takes the member's stored value (up to the balance), F7 the member's points in whole steps.
Nothing is taken here: the tenders go with the cash to ``SaleService.complete`` in one
transaction, which takes stored value and points from the member or refuses the sale.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from pos_app.domain.members import redeem_points
from pos_app.domain.money import ZERO, Money
from pos_app.domain.pricing import Refusal
from pos_app.i18n import Catalog
from pos_app.services.tendering import POINTS_POLICY, OtherTenders
from pos_app.services.views import CartMemberView
from ui.formatting import money


class OtherTendersRow(QWidget):
    changed = Signal()
    """The tenders or what they pay changed; read ``tenders`` and ``paid``."""
    card_confirmed = Signal()
    """An approval code was entered: the card pays the rest, the sale can complete."""

    def __init__(self, *, catalog: Catalog, due: Money, member: CartMemberView | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._due = due
        self._member = member
        self.tenders = OtherTenders()
        self.paid = ZERO
        text = catalog.text
        self.card_button = self._button("F5", text("tender.key.card"))
        self.stored_value_button = self._button(
            "F6", text("tender.key.stored_value",
                       balance=money(member.stored_value if member else ZERO)))
        self.points_button = self._button(
            "F7", text("tender.key.points", points=member.points if member else 0))
        self.stored_value_button.setVisible(member is not None)
        self.points_button.setVisible(member is not None)
        self.approval_edit = QLineEdit(self)
        self.approval_edit.setObjectName("ApprovalCodeEdit")
        self.approval_edit.setPlaceholderText(text("tender.card.approval_hint"))
        self.approval_edit.setValidator(QRegularExpressionValidator(
            QRegularExpression(r"[0-9A-Za-z]{0,6}"), self))
        self.approval_edit.hide()
        self.summary = QLabel("", self)
        self.summary.setObjectName("FieldCaption")
        self.summary.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.card_button, self.stored_value_button, self.points_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.approval_edit)
        layout.addWidget(self.summary)
        self.card_button.clicked.connect(self._on_card)
        self.stored_value_button.clicked.connect(self._on_stored_value)
        self.points_button.clicked.connect(self._on_points)
        self.approval_edit.returnPressed.connect(self._on_approval_code)
        self._refresh()

    @property
    def due(self) -> Money:
        """What is left for cash after these tenders."""
        return self._due - self.paid

    def _button(self, key: str, label: str) -> QPushButton:
        button = QPushButton(f"{key}  {label}", self)
        button.setObjectName("TenderButton")
        button.setAutoDefault(False)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QShortcut(QKeySequence(key), self).activated.connect(button.click)
        return button

    def _on_card(self) -> None:
        if self.due.is_zero():
            return
        self.approval_edit.show()
        self.approval_edit.setFocus()

    def _on_approval_code(self) -> None:
        code = self.approval_edit.text().strip()
        if not code or self.due.is_zero():
            return
        self._take(OtherTenders(points=self.tenders.points,
                                stored_value=self.tenders.stored_value,
                                card=(self.due, code)), self.due)
        self.card_confirmed.emit()

    def _on_stored_value(self) -> None:
        member = self._member
        if member is None or self.tenders.stored_value is not None or self.due.is_zero():
            return
        amount = min(member.stored_value, self.due)
        if amount.is_zero():
            return
        self._take(OtherTenders(points=self.tenders.points, stored_value=amount,
                                card=self.tenders.card), amount)

    def _on_points(self) -> None:
        member = self._member
        if member is None or self.tenders.points is not None or self.due.is_zero():
            return
        redeemed = redeem_points(member.points, self.due, POINTS_POLICY)
        if isinstance(redeemed, Refusal):
            self.summary.setText(self._catalog.text(f"error.{redeemed.code}",
                                                    **redeemed.params))
            return
        self._take(OtherTenders(points=redeemed.points, stored_value=self.tenders.stored_value,
                                card=self.tenders.card), redeemed.value)

    def give_back(self, error_code: str) -> None:
        """The sale refused one of these tenders: take it off so the cashier can choose again
        (retype the approval code, pay the balance another way)."""
        tenders, amount = self.tenders, ZERO
        if error_code == "payment.bad_approval_code" and tenders.card is not None:
            tenders, amount = _without(tenders, card=True), tenders.card[0]
            self.approval_edit.selectAll()
            self.approval_edit.setFocus()
        elif error_code == "stored_value.insufficient" and tenders.stored_value is not None:
            tenders, amount = _without(tenders, stored_value=True), tenders.stored_value
        elif error_code == "points.not_enough" and tenders.points is not None:
            tenders, amount = _without(tenders, points=True), self._points_value()
        else:
            return
        self.tenders, self.paid = tenders, self.paid - amount
        self._refresh()
        self.changed.emit()

    def _points_value(self) -> Money:
        points = self.tenders.points or 0
        return POINTS_POLICY.value.times(points // POINTS_POLICY.points)

    def _take(self, tenders: OtherTenders, amount: Money) -> None:
        self.tenders = tenders
        self.paid = self.paid + amount
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        text = self._catalog.text
        parts = []
        if self.tenders.points:
            parts.append(text("tender.taken.points", points=self.tenders.points))
        if self.tenders.stored_value is not None:
            parts.append(text("tender.taken.stored_value",
                              amount=money(self.tenders.stored_value)))
        if self.tenders.card is not None:
            parts.append(text("tender.taken.card", amount=money(self.tenders.card[0]),
                              code=self.tenders.card[1].upper()))
        self.summary.setText("；".join(parts))
        member = self._member
        self.stored_value_button.setEnabled(
            member is not None and not member.stored_value.is_zero()
            and self.tenders.stored_value is None and not self.due.is_zero())
        self.points_button.setEnabled(
            member is not None and member.points > 0 and self.tenders.points is None
            and not self.due.is_zero())
        self.card_button.setEnabled(self.tenders.card is None and not self.due.is_zero())


def _without(tenders: OtherTenders, *, card: bool = False, stored_value: bool = False,
             points: bool = False) -> OtherTenders:
    return OtherTenders(points=None if points else tenders.points,
                        stored_value=None if stored_value else tenders.stored_value,
                        card=None if card else tenders.card)

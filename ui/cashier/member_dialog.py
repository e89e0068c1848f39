"""MemberDialog (F10): identify the customer as a member, make them one, or take them off.

The cashier scans the member code on the customer's phone or types a phone or card number
and presses Enter. An unknown phone number offers "join with this phone number" (入会), so a
payer becomes a member in one step. The dialog only asks; SaleScreen runs the request on the
store lane and answers with ``show_problem`` or closes it.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money, MoneyFormatError
from pos_app.i18n import Catalog
from pos_app.services.member_views import MemberView
from pos_app.services.views import CartMemberView
from ui.formatting import money

PHONE_LENGTH = 11


class MemberDialog(QDialog):
    identify_requested = Signal(str)
    join_requested = Signal(str)
    clear_requested = Signal()
    coupon_chosen = Signal(str)
    """The code of one of the member's coupons, chosen to use on this sale."""
    top_up_requested = Signal(object)
    """Money: a cash top-up of the member's stored value (预存款)."""

    def __init__(self, *, catalog: Catalog, member: CartMemberView | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        text = catalog.text
        self.setWindowTitle(text("member.dialog.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(640)
        self._catalog = catalog
        current = QLabel(text("member.none") if member is None else
                         text("member.line", name=member.name, tier=member.tier_name,
                              points=member.points,
                              stored_value=money(member.stored_value)), self)
        current.setObjectName("MemberSummary")
        current.setWordWrap(True)
        self.current_label = current
        self.coupon_list = QListWidget(self)
        self.coupon_list.setObjectName("MemberCoupons")
        self.coupon_list.hide()
        self.purchases_label = QLabel("", self)
        self.purchases_label.setObjectName("Caption")
        self.purchases_label.setWordWrap(True)
        self.purchases_label.hide()
        hint = QLabel(text("member.dialog.hint"), self)
        hint.setObjectName("FieldCaption")
        hint.setWordWrap(True)
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("MemberCodeEdit")
        self._message = QLabel("", self)
        self._message.setObjectName("InlineError")
        self._message.setWordWrap(True)
        self.identify_button = _button(text("member.dialog.identify"), "ConfirmButton", self)
        self.join_button = _button(text("member.dialog.join"), "CancelButton", self)
        self.join_button.hide()
        self.clear_button = _button(text("member.dialog.clear"), "DangerButton", self)
        self.clear_button.setVisible(member is not None)
        self.top_up_edit = QLineEdit(self)
        self.top_up_edit.setObjectName("TopUpEdit")
        self.top_up_edit.setPlaceholderText(text("member.top_up.hint"))
        self.top_up_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,5}(\.\d{0,2})?"), self))
        self.top_up_button = _button(text("member.top_up.button"), "ConfirmButton", self)
        top_up = QHBoxLayout()
        top_up.addWidget(self.top_up_edit, 1)
        top_up.addWidget(self.top_up_button)
        for widget in (self.top_up_edit, self.top_up_button):
            widget.setVisible(member is not None)
        buttons = QHBoxLayout()
        for button in (self.identify_button, self.join_button, self.clear_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(12)
        for widget in (current, self.coupon_list, self.purchases_label, hint, self.code_edit,
                       self._message):
            layout.addWidget(widget)
        layout.addLayout(top_up)
        layout.addLayout(buttons)
        self.code_edit.returnPressed.connect(self._on_identify)
        self.identify_button.clicked.connect(self._on_identify)
        self.join_button.clicked.connect(self._on_join)
        self.clear_button.clicked.connect(self.clear_requested.emit)
        self.code_edit.textEdited.connect(lambda _: self._message.clear())
        self.coupon_list.itemActivated.connect(self._on_coupon_activated)
        self.top_up_button.clicked.connect(self._on_top_up)
        self.top_up_edit.returnPressed.connect(self._on_top_up)
        self.code_edit.setFocus()

    def show_member(self, member: MemberView) -> None:
        """Everything the cashier may tell the member: tier, points, stored value, the coupons
        they hold (double-click or Enter uses one) and their last purchases."""
        text = self._catalog.text
        self.current_label.setText(text(
            "member.summary", name=member.name, phone=member.phone, card=member.card_no,
            tier=member.tier_name, points=member.points,
            stored_value=money(member.stored_value)))
        self.coupon_list.clear()
        for coupon in member.coupons:
            until = "" if coupon.valid_until is None else coupon.valid_until.date().isoformat()
            item = QListWidgetItem(text("member.coupon_item",
                                        coupon=text(coupon.summary_key, **coupon.params),
                                        until=until))
            item.setData(Qt.ItemDataRole.UserRole, coupon.code)
            self.coupon_list.addItem(item)
        self.coupon_list.setVisible(bool(member.coupons))
        purchases = "；".join(text("member.purchase_item", number=p.order_number,
                                  total=money(p.total)) for p in member.recent_purchases)
        self.purchases_label.setText(text("member.recent", purchases=purchases)
                                     if purchases else "")
        self.purchases_label.setVisible(bool(purchases))

    def _on_top_up(self) -> None:
        try:
            amount = Money.parse(self.top_up_edit.text().strip() or "0")
        except MoneyFormatError:
            amount = Money(0)
        if amount.fen <= 0:
            self._message.setText(self._catalog.text("error.payment.bad_amount"))
            return
        self.top_up_requested.emit(amount)

    def _on_coupon_activated(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if code:
            self.coupon_chosen.emit(str(code))

    def message_text(self) -> str:
        return self._message.text()

    def show_problem(self, message: str, *, may_join: bool = False) -> None:
        """Say what went wrong; an unknown phone number may join on the spot."""
        self._message.setText(message)
        self.join_button.setVisible(may_join and _is_phone(self.code_edit.text().strip()))
        self.code_edit.selectAll()
        self.code_edit.setFocus()

    def _on_identify(self) -> None:
        code = self.code_edit.text().strip()
        if code:
            self.identify_requested.emit(code)

    def _on_join(self) -> None:
        phone = self.code_edit.text().strip()
        if _is_phone(phone):
            self.join_requested.emit(phone)


def _is_phone(text: str) -> bool:
    return len(text) == PHONE_LENGTH and text.isascii() and text.isdigit()


def _button(label: str, name: str, parent: QWidget) -> QPushButton:
    button = QPushButton(label, parent)
    button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button

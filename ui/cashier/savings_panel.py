"""SavingsPanel: who the member is, and every saving of the cart with its reason.

Savings of one promotion or coupon over several lines are shown as one entry ("第二件半价
-¥1.75"); a coupon that is on the cart but does not apply yet says why ("还差¥12.00").
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from pos_app.domain.money import Money
from pos_app.i18n import Catalog
from pos_app.services.views import CartView, SavingView
from ui.cashier.cart_model import saving_text
from ui.formatting import money


class SavingsPanel(QWidget):
    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SavingsPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._catalog = catalog
        self.member_label = QLabel(catalog.text("member.none"), self)
        self.member_label.setObjectName("MemberLine")
        self.member_label.setWordWrap(True)
        title = QLabel(catalog.text("savings.title"), self)
        title.setObjectName("Caption")
        self.savings_list = QListWidget(self)
        self.savings_list.setObjectName("SavingsList")
        self.savings_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.member_label)
        layout.addWidget(title)
        layout.addWidget(self.savings_list, 1)
        self.show_cart(None)

    def show_cart(self, view: CartView | None) -> None:
        text = self._catalog.text
        member = None if view is None else view.member
        if member is None:
            self.member_label.setText(text("member.none"))
            self.member_label.setProperty("member", False)
        else:
            self.member_label.setText(text("member.line", name=member.name,
                                           tier=member.tier_name, points=member.points,
                              stored_value=money(member.stored_value)))
            self.member_label.setProperty("member", True)
        self.member_label.style().unpolish(self.member_label)
        self.member_label.style().polish(self.member_label)
        self.savings_list.clear()
        for entry in self.entries(view):
            self.savings_list.addItem(QListWidgetItem(entry))
        if self.savings_list.count() == 0:
            placeholder = QListWidgetItem(text("savings.none"))
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.savings_list.addItem(placeholder)

    def entries(self, view: CartView | None) -> list[str]:
        """The lines of the list as the cashier reads them."""
        if view is None:
            return []
        totals: dict[tuple[str, str, tuple[tuple[str, str], ...]], int] = {}
        for line in view.lines:
            for saving in line.reasons:
                key = (saving.source, saving.reason, saving.params)
                totals[key] = totals.get(key, 0) + saving.amount.fen
        shown = [f"{saving_text(self._catalog, SavingView(reason, params, Money(fen)))}"
                 f"  -{money(Money(fen))}"
                 for (_, reason, params), fen in totals.items()]
        shown += [saving_text(self._catalog, e) for e in view.entitlements]
        for coupon in view.coupons:
            if coupon.refusal is not None:
                why = self._catalog.text(f"error.{coupon.refusal}", **dict(coupon.refusal_params))
                shown.append(self._catalog.text("savings.coupon_waiting", name=coupon.name,
                                                why=why))
        return shown

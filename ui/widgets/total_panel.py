"""TotalPanel: item count, subtotal, savings and the big total; after a sale, the change."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from pos_app.domain.money import ZERO
from pos_app.i18n import Catalog
from pos_app.services.views import CartView, SaleView
from ui.formatting import money


def _label(text: str, name: str, parent: QWidget, *, right: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    if right:
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


class TotalPanel(QWidget):
    """Two faces: the running totals while scanning, the change once a sale is paid."""

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TotalPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._catalog = catalog
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._build_totals())
        self._pages.addWidget(self._build_change())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self._pages)
        self.show_cart(None)

    def _build_totals(self) -> QWidget:
        page = QWidget(self)
        text = self._catalog.text
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        self._count = _label("", "CountValue", page, right=True)
        self._subtotal = _label("", "SubtotalValue", page, right=True)
        self._savings = _label("", "SavingsValue", page, right=True)
        self._total = _label("", "TotalValue", page, right=True)
        rows = (
            (text("cashier.item_count"), self._count),
            (text("cashier.subtotal"), self._subtotal),
            (text("cashier.savings"), self._savings),
        )
        for row, (caption, value) in enumerate(rows):
            grid.addWidget(_label(caption, "Caption", page), row, 0)
            grid.addWidget(value, row, 1)
        grid.setRowStretch(3, 1)
        grid.addWidget(_label(text("cashier.total"), "Caption", page), 4, 0, 1, 2)
        grid.addWidget(self._total, 5, 0, 1, 2)
        return page

    def _build_change(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self._paid_line = _label("", "PaidLine", page)
        self._paid_line.setWordWrap(True)
        self._order_line = _label("", "Caption", page)
        self._change = _label("", "ChangeValue", page, right=True)
        layout.addWidget(self._order_line)
        layout.addWidget(self._paid_line)
        layout.addStretch(1)
        layout.addWidget(_label(self._catalog.text("cashier.change"), "Caption", page))
        layout.addWidget(self._change)
        return page

    def show_cart(self, view: CartView | None) -> None:
        count = 0 if view is None else view.item_count
        self._count.setText(self._catalog.text("cashier.item_count_value", count=count))
        subtotal, savings, total = (
            (ZERO, ZERO, ZERO) if view is None else (view.subtotal, view.savings, view.total)
        )
        self._subtotal.setText(money(subtotal))
        self._savings.setText(money(savings))
        if self._savings.property("zero") != savings.is_zero():
            self._savings.setProperty("zero", savings.is_zero())  # dimmed: nothing saved yet
            self._savings.style().unpolish(self._savings)
            self._savings.style().polish(self._savings)
        self._total.setText(money(total))
        self._pages.setCurrentIndex(0)

    def show_change(self, sale: SaleView) -> None:
        text = self._catalog.text
        self._order_line.setText(text("cashier.order_number", number=sale.order_number))
        self._paid_line.setText(
            text("cashier.paid_due", paid=money(sale.paid), due=money(sale.total))
        )
        self._change.setText(text("cashier.change_value", amount=money(sale.change)))
        self._pages.setCurrentIndex(1)

    @property
    def showing_change(self) -> bool:
        return self._pages.currentIndex() == 1

    def total_text(self) -> str:
        return self._total.text()

    def change_text(self) -> str:
        return self._change.text()

"""SuspendedDialog: the parked carts, newest last; arrows pick one, Enter brings it back."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.i18n import Catalog
from pos_app.services.views import SuspendedCartView
from ui.formatting import local_time, money

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class SuspendedDialog(QDialog):
    cart_picked = Signal(str)
    """Id of the suspended cart to resume."""

    def __init__(
        self,
        *,
        carts: Sequence[SuspendedCartView],
        catalog: Catalog,
        time_zone: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(catalog.text("cashier.suspended.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(640, 420)
        self._carts = sorted(carts, key=lambda cart: cart.opened_at)
        self.carts_table = self._build_table(catalog, time_zone)
        self.carts_table.itemActivated.connect(lambda _: self._pick())
        hint = QLabel(catalog.text("cashier.suspended.keys_hint"), self)
        hint.setObjectName("Caption")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)
        layout.addWidget(self.carts_table)
        layout.addWidget(hint)
        if self._carts:
            self.carts_table.selectRow(len(self._carts) - 1)  # the most recent, usually wanted
        self.carts_table.setFocus()

    def _build_table(self, catalog: Catalog, time_zone: str) -> QTableWidget:
        table = QTableWidget(len(self._carts), 3, self)
        table.setHorizontalHeaderLabels(
            [
                catalog.text("cashier.column.number"),
                catalog.text("cashier.suspended.opened_at"),
                catalog.text("cashier.total"),
            ]
        )
        for row, cart in enumerate(self._carts):
            texts = (str(row + 1), local_time(cart.opened_at, time_zone), money(cart.total))
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if column != 1:
                    item.setTextAlignment(_RIGHT)
                table.setItem(row, column, item)
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        return table

    def carts(self) -> list[SuspendedCartView]:
        return list(self._carts)

    def _pick(self) -> None:
        row = self.carts_table.currentRow()
        if 0 <= row < len(self._carts):
            self.cart_picked.emit(self._carts[row].id)
            self.accept()

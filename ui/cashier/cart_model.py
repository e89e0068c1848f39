"""CartTableModel: the cart's lines as table rows, rebuilt from each CartView snapshot."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from pos_app.i18n import Catalog
from pos_app.services.views import CartLineView, CartView, SavingView
from ui.formatting import money, quantity

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class CartColumn(IntEnum):
    NUMBER = 0
    NAME = 1
    QUANTITY = 2
    UNIT_PRICE = 3
    AMOUNT = 4
    SAVINGS = 5


_HEADER_KEYS = {
    CartColumn.NUMBER: "cashier.column.number",
    CartColumn.NAME: "cashier.column.name",
    CartColumn.QUANTITY: "cashier.column.quantity",
    CartColumn.UNIT_PRICE: "cashier.column.unit_price",
    CartColumn.AMOUNT: "cashier.column.amount",
    CartColumn.SAVINGS: "cashier.column.savings",
}


class CartTableModel(QAbstractTableModel):
    """Read-only; a weighed line shows its weight as the quantity and a per-kg unit price."""

    def __init__(self, catalog: Catalog, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._lines: tuple[CartLineView, ...] = ()
        self._last_line_id: str | None = None

    def set_view(self, view: CartView | None) -> None:
        self.beginResetModel()
        self._lines = () if view is None else view.lines
        self._last_line_id = None if view is None else view.last_line_id
        self.endResetModel()

    def line(self, row: int) -> CartLineView:
        return self._lines[row]

    def row_of(self, line_id: str | None) -> int | None:
        return next((row for row, line in enumerate(self._lines) if line.id == line_id), None)

    def last_row(self) -> int | None:
        """The row the last action touched: to highlight and scroll to."""
        return self.row_of(self._last_line_id)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CartColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(CartColumn):
            return None
        column = CartColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._catalog.text(_HEADER_KEYS[column])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        column = CartColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(self.reasons(index.row())) or None
        return None

    def reasons(self, row: int) -> list[str]:
        """Why this line costs less, one translated sentence per saving."""
        return [f"{saving_text(self._catalog, s)}  -{money(s.amount)}"
                for s in self._lines[row].reasons]

    def _text(self, row: int, column: CartColumn) -> str:
        line = self._lines[row]
        if column is CartColumn.NUMBER:
            return str(row + 1)
        if column is CartColumn.NAME:
            return line.name
        if column is CartColumn.QUANTITY:
            return quantity(line.quantity, line.grams)
        if column is CartColumn.UNIT_PRICE:
            if line.grams is not None:
                return self._catalog.text("cashier.per_kg", price=money(line.unit_price))
            if line.amount != line.unit_price.times(line.quantity):
                # A scale label with its own price and no weight: the label is the price.
                return self._catalog.text("cashier.label_price")
            return money(line.unit_price)
        if column is CartColumn.SAVINGS:
            return "" if line.savings.is_zero() else f"-{money(line.savings)}"
        return money(line.amount)


def saving_text(catalog: Catalog, saving: SavingView) -> str:
    return catalog.text(saving.reason, **saving.params_dict)


def _alignment(column: CartColumn) -> Qt.AlignmentFlag:
    if column is CartColumn.NUMBER:
        return Qt.AlignmentFlag.AlignCenter
    return _LEFT if column is CartColumn.NAME else _RIGHT

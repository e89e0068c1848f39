"""SearchDialog: find a product by name, pinyin initials or SKU; arrows pick, Enter adds."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.i18n import Catalog
from pos_app.services.checkout import CheckoutService
from pos_app.services.views import ProductView
from ui.errors import user_message
from ui.formatting import money
from ui.tasks import TaskRunner

TYPING_PAUSE_MS = 150
"""Search once the cashier pauses, not on every key: one query per word, not per letter."""

_MOVES = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -8, Qt.Key.Key_PageDown: 8}


class SearchDialog(QDialog):
    product_picked = Signal(object)
    """ProductView the cashier chose."""

    def __init__(
        self,
        *,
        checkout: CheckoutService,
        tasks: TaskRunner,
        catalog: Catalog,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(catalog.text("cashier.search.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(760, 560)
        self._checkout = checkout
        self._tasks = tasks
        self._catalog = catalog
        self._products: list[ProductView] = []
        self._asked = 0
        self._answered = 0
        self._closed = False
        self.query_edit = QLineEdit(self)
        self.query_edit.setPlaceholderText(catalog.text("cashier.search.hint"))
        self.results_table = self._build_table()
        self._message = QLabel(catalog.text("cashier.search.keys_hint"), self)
        self._message.setObjectName("Caption")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)
        for widget in (self.query_edit, self.results_table, self._message):
            layout.addWidget(widget)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self._search)
        self.query_edit.textChanged.connect(lambda _: self._timer.start())
        self.query_edit.returnPressed.connect(self._pick_current)
        self.results_table.itemDoubleClicked.connect(lambda _: self._pick_current())
        self.query_edit.setFocus()

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(0, 3, self)
        table.setHorizontalHeaderLabels(
            [
                self._catalog.text("cashier.column.name"),
                self._catalog.text("cashier.search.category"),
                self._catalog.text("cashier.column.unit_price"),
            ]
        )
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        return table

    def results(self) -> list[ProductView]:
        return list(self._products)

    def current_product(self) -> ProductView | None:
        row = self.results_table.currentRow()
        return self._products[row] if 0 <= row < len(self._products) else None

    def search_now(self) -> None:
        """Search at once for what is typed (Enter before the pause, and tests)."""
        self._timer.stop()
        self._search()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = _MOVES.get(Qt.Key(event.key()))
        if step is None or not self._products:
            super().keyPressEvent(event)
            return
        row = max(0, min(len(self._products) - 1, self.results_table.currentRow() + step))
        self.results_table.selectRow(row)

    def _search(self) -> None:
        text = self.query_edit.text().strip()
        self._asked += 1
        asked, checkout = self._asked, self._checkout
        if not text:
            self._show_results(asked, [])
            return
        self._tasks.store(
            lambda: checkout.search_products(text),
            then=lambda found: self._show_results(asked, found),
            on_error=lambda error: self._on_failed(asked, error),
        )

    def done(self, result: int) -> None:
        self._closed = True  # answers still on their way must not touch a closed dialog
        self._timer.stop()
        super().done(result)

    def _show_results(self, asked: int, products: list[ProductView]) -> None:
        if self._closed or asked != self._asked:
            return  # closed meanwhile, or an older answer arriving after a newer question
        self._answered = asked
        self._products = list(products)
        table = self.results_table
        table.setRowCount(len(products))
        for row, product in enumerate(products):
            price = money(product.price)
            if product.weighed:
                price = self._catalog.text("cashier.per_kg", price=price)
            for column, text in enumerate((product.name, product.category, price)):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(row, column, item)
        if products:
            table.selectRow(0)
        key = (
            "cashier.search.keys_hint"
            if products or not self.query_edit.text()
            else "cashier.search.nothing_found"
        )
        self._message.setText(self._catalog.text(key))

    def _on_failed(self, asked: int, error: BaseException) -> None:
        self._show_results(asked, [])
        self._message.setText(user_message(error, self._catalog))

    def _pick_current(self) -> None:
        if self._timer.isActive():
            self.search_now()  # Enter before the pause searches; the next Enter picks
            return
        if self._answered != self._asked:
            return  # the list on screen is not the answer to what is typed yet
        product = self.current_product()
        if product is not None:
            self.product_picked.emit(product)
            self.accept()

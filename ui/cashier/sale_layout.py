"""SaleLayout: the sale screen's widgets, where they sit, and how they show a cart, a message
or a dialog; SaleScreen adds what keys and scans do.

Top bar (store, terminal, cashier), the status line, then the cart on the left and the totals
with the pay button on the right, the code entry under the cart, the F-key bar at the bottom.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos_app.i18n import Catalog
from pos_app.services.views import CartLineView, CartView
from ui.cashier.cart_model import CartColumn, CartTableModel
from ui.cashier.savings_panel import SavingsPanel
from ui.errors import user_message
from ui.formatting import money, weight
from ui.widgets.fkey_bar import FKeyBar
from ui.widgets.status_label import Severity, StatusLabel
from ui.widgets.top_bar import TopBar
from ui.widgets.total_panel import TotalPanel

_COLUMN_WIDTHS = {
    CartColumn.NUMBER: 56,
    CartColumn.QUANTITY: 120,
    CartColumn.UNIT_PRICE: 140,
    CartColumn.AMOUNT: 130,
    CartColumn.SAVINGS: 110,
}


class SaleLayout(QWidget):
    def __init__(
        self,
        *,
        catalog: Catalog,
        store_name: str,
        terminal_code: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SaleScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._catalog = catalog
        text = catalog.text
        self.top_bar = TopBar(
            store=store_name,
            terminal=text("cashier.terminal", code=terminal_code),
            hint=text("cashier.logout_hint"),
            parent=self,
        )
        self.status_label = StatusLabel(self)
        self.cart_model = CartTableModel(catalog, self)
        self.cart_table = self._build_table()
        self.code_entry = QLineEdit(self)
        self.code_entry.setObjectName("CodeEntry")
        self.code_entry.setPlaceholderText(text("cashier.code_hint"))
        self.total_panel = TotalPanel(catalog, self)
        self.savings_panel = SavingsPanel(catalog, self)
        self.pay_button = QPushButton(text("cashier.pay_button"), self)
        self.pay_button.setObjectName("PayButton")
        self.pay_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fkey_bar = FKeyBar(self)
        self.actions_by_key: dict[str, QAction] = {}
        self._view: CartView | None = None
        self._dialog: QDialog | None = None
        self._arrange()
        self.add_key("Esc", self._on_escape)
        self.add_key("Up", lambda: self.move_selection(-1))
        self.add_key("Down", lambda: self.move_selection(1))

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("CartTable")
        table.setModel(self.cart_model)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing always goes to the code entry
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(False)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(44)
        header = table.horizontalHeader()
        header.setSectionResizeMode(CartColumn.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in _COLUMN_WIDTHS.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        return table

    def _arrange(self) -> None:
        entry_row = QHBoxLayout()
        caption = QLabel(self._catalog.text("cashier.code_label"), self)
        caption.setObjectName("Caption")
        entry_row.addWidget(caption)
        entry_row.addWidget(self.code_entry, 1)
        left = QVBoxLayout()
        left.addWidget(self.cart_table, 1)
        left.addLayout(entry_row)
        right = QVBoxLayout()
        right.addWidget(self.savings_panel, 1)
        right.addWidget(self.total_panel, 1)
        right.addWidget(self.pay_button)
        middle = QHBoxLayout()
        middle.addLayout(left, 13)
        middle.addLayout(right, 7)
        body = QVBoxLayout()
        body.setContentsMargins(12, 8, 12, 12)
        body.setSpacing(10)
        body.addWidget(self.status_label)
        body.addLayout(middle, 1)
        body.addWidget(self.fkey_bar)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.top_bar)
        outer.addLayout(body, 1)

    def add_key(self, key: str, slot: Callable[[], None], text: str = "") -> QAction:
        """A shortcut while this screen has the keys; with ``text``, a button on the F-key bar."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions_by_key[key] = action
        if text:
            self.fkey_bar.add(key, action)
        return action

    # -- what the cashier sees --------------------------------------------------------------

    @property
    def cart_view(self) -> CartView | None:
        """The last CartView shown; None before login and after a sale until the next one."""
        return self._view

    def status_text(self) -> str:
        """The status line as the cashier reads it (empty when there is nothing to say)."""
        return self.status_label.text()

    def show_cart(self, view: CartView | None) -> None:
        """Show a cart: its lines with the touched one selected, its totals (the change of the
        last sale stays up while the new cart is empty)."""
        self._view = view
        self.cart_model.set_view(view)
        row = self.cart_model.last_row()
        if row is None and view is not None and view.lines:
            row = len(view.lines) - 1
        if row is not None:
            self.cart_table.selectRow(row)
            self.cart_table.scrollTo(self.cart_model.index(row, 0))
        if view is None or not view.empty or not self.total_panel.showing_change:
            self.total_panel.show_cart(view)
        self.savings_panel.show_cart(view)

    def show_touched_line(self) -> None:
        row = self.cart_model.last_row()
        if row is None:
            self.status_label.clear_message()
            return
        line = self.cart_model.line(row)
        params = line_params(line, self._catalog)
        if line.min_age is not None:
            self.status_label.show_message(
                self._catalog.text("cashier.status.check_age", age=line.min_age, **params),
                Severity.WARNING)
            QApplication.beep()
            return
        self.status_label.show_message(self._catalog.text("cashier.status.line", **params))

    def show_problem(self, error: BaseException) -> None:
        self.status_label.show_message(user_message(error, self._catalog), Severity.ERROR)
        QApplication.beep()

    def refuse(self, key: str, **params: object) -> None:
        self.status_label.show_message(self._catalog.text(key, **params), Severity.ERROR)
        QApplication.beep()

    def say(self, key: str, severity: Severity = Severity.INFO, **params: object) -> None:
        self.status_label.show_message(self._catalog.text(key, **params), severity)

    # -- lines and dialogs ------------------------------------------------------------------

    def target_line(self) -> CartLineView | None:
        """The selected line, else the last one touched; None (with a beep) if there is none."""
        rows = self.cart_table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.cart_model.last_row()
        if row is None:
            self.refuse("cashier.status.no_line")
            return None
        return self.cart_model.line(row)

    def _on_escape(self) -> None:
        """Esc clears what is typed; pressed again, it clears the message."""
        if self.code_entry.text():
            self.code_entry.clear()
        else:
            self.status_label.clear_message()

    def move_selection(self, step: int) -> None:
        count = self.cart_model.rowCount()
        if count:
            rows = self.cart_table.selectionModel().selectedRows()
            current = rows[0].row() if rows else count - 1
            self.cart_table.selectRow(max(0, min(count - 1, current + step)))

    def active_dialog(self) -> QDialog | None:
        return self._dialog

    def open_dialog(self, dialog: QDialog) -> None:
        """Window-modal and non-blocking: no nested event loop, scans keep arriving."""
        self._dialog = dialog
        dialog.finished.connect(lambda _: self._on_dialog_finished(dialog))
        dialog.open()
        dialog.activateWindow()  # keys go to the dialog at once, whatever the window manager

    def close_dialog(self) -> None:
        if self._dialog is not None:
            self._dialog.done(QDialog.DialogCode.Rejected)

    def _on_dialog_finished(self, dialog: QDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None
        dialog.deleteLater()
        self.code_entry.setFocus()
        QTimer.singleShot(0, self._take_keys_back)

    def _take_keys_back(self) -> None:
        """Make the sale the active window again (F-keys need it), unless a new dialog opened
        meanwhile: some window managers leave no window active when a dialog closes."""
        if self._dialog is None and self.isVisible():
            self.window().activateWindow()


def line_params(line: CartLineView, catalog: Catalog) -> dict[str, object]:
    """Name, "×2" or "0.532 kg", and the amount: a line as the cashier reads it aloud."""
    if line.grams is not None:
        count = weight(line.grams)
    else:
        count = catalog.text("cashier.pieces", count=line.quantity)
    return {"name": line.name, "quantity": count, "amount": money(line.amount)}

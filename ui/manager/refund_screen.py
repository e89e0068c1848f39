"""RefundScreen: a return by the original receipt, opened from the sale screen (Ctrl+R).

Scan the receipt's barcode (or type its number, Enter); the sale's lines show what was paid and
saved and what is still returnable. Arrows pick a line, Space picks or unpicks all of it, +/-
change how many pieces go back (a weighed line goes back whole). Every change asks the core for
the preview: the refund per tender, the points taken back, the coupons given back. Enter asks
a manager to approve with a PIN (``ApprovalDialog``); the return is then written in one
transaction on the store lane, and the result says what to hand over (cash from the drawer,
which opens with the slip) and how each wallet refund is going (followed on the network lane).
Nothing here waits on the database or the network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money
from pos_app.i18n import Catalog
from pos_app.services.approvals import ApprovalService
from pos_app.services.payment_views import RefundView
from pos_app.services.refund_views import (
    RefundPreview,
    ReturnableLineView,
    ReturnableSaleView,
    ReturnView,
)
from pos_app.services.refunds import RefundService
from pos_app.services.views import StaffView
from ui.cashier.cart_model import saving_text
from ui.formatting import local_time, money, quantity
from ui.input.scan_filter import NO_SCAN_PROPERTY
from ui.manager.approval_dialog import ApprovalDialog, approval_message
from ui.tasks import TaskRunner

_COLUMNS = ("pick", "name", "sold", "paid", "saved", "left", "back")
PICK, NAME, SOLD, PAID, SAVED, LEFT, BACK = range(len(_COLUMNS))
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_MORE = (Qt.Key.Key_Plus, Qt.Key.Key_Equal)
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
T = TypeVar("T")
Change = Callable[[ReturnableLineView, int], int]
"""(line, pieces picked now) -> pieces wanted."""


class RefundScreen(QDialog):
    refunded = Signal(object)
    """The ReturnView of the return just written."""

    def __init__(self, *, refunds: RefundService, approvals: ApprovalService,
                 tasks: TaskRunner, catalog: Catalog, cashier_id: str,
                 time_zone: str = "Asia/Shanghai", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(catalog.text("refund.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(980, 660)
        self._refunds, self._approvals, self._tasks = refunds, approvals, tasks
        self._catalog, self._cashier_id, self._time_zone = catalog, cashier_id, time_zone
        self._sale: ReturnableSaleView | None = None
        self._picks: dict[str, int] = {}
        self._preview: RefundPreview | None = None
        self.result_view: ReturnView | None = None
        self.approval_dialog: ApprovalDialog | None = None
        self._asked = 0
        self._busy = False
        self._closed = False
        text = catalog.text
        self.number_edit = QLineEdit(self)
        self.number_edit.setValidator(QRegularExpressionValidator(
            QRegularExpression(r"[A-Za-z0-9-]{0,32}"), self.number_edit))
        self.number_edit.setPlaceholderText(text("refund.number_hint"))
        self.number_edit.setProperty(NO_SCAN_PROPERTY, True)  # a wedge scan types here
        self.info_label = self._label("FieldCaption")
        self.lines_table = self._build_table()
        self.preview_label = self._label("RefundPreview")
        self.message_label = self._label("InlineError")
        self.submit_button = QPushButton(text("refund.submit"), self)
        self.submit_button.setObjectName("ConfirmButton")
        self._arrange()
        self.number_edit.returnPressed.connect(self._look_up)
        self.submit_button.clicked.connect(self._submit)
        self.lines_table.installEventFilter(self)
        self.number_edit.setFocus()

    # -- building -----------------------------------------------------------------------------

    def _label(self, name: str) -> QLabel:
        label = QLabel("", self)
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(0, len(_COLUMNS), self)
        table.setHorizontalHeaderLabels(
            [self._catalog.text(f"refund.column.{c}") for c in _COLUMNS])
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(40)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SAVED, QHeaderView.ResizeMode.Stretch)
        return table

    def _arrange(self) -> None:
        text = self._catalog.text
        title = QLabel(text("refund.title"), self)
        title.setObjectName("Title")
        number_row = QHBoxLayout()
        number_row.addWidget(QLabel(text("refund.number_label"), self))
        number_row.addWidget(self.number_edit, 1)
        close = QPushButton(text("refund.close"), self)
        close.setObjectName("CancelButton")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.submit_button.setAutoDefault(False)  # Enter belongs to the number and the table
        buttons = QHBoxLayout()
        buttons.addWidget(close)
        buttons.addWidget(self.submit_button)
        hint = QLabel(text("refund.keys_hint"), self)
        hint.setObjectName("Caption")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addLayout(number_row)
        layout.addWidget(self.info_label)
        layout.addWidget(self.lines_table, 1)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        layout.addWidget(hint, 0, Qt.AlignmentFlag.AlignHCenter)

    # -- what the cashier sees ----------------------------------------------------------------

    def preview_text(self) -> str:
        return self.preview_label.text()

    def message_text(self) -> str:
        return self.message_label.text()

    def picks(self) -> dict[str, int]:
        return dict(self._picks)

    def take_code(self, text: str) -> None:
        """A scanned receipt barcode: its order number."""
        if self.result_view is None and not self._busy:
            self.number_edit.setText(text.strip())
            self._look_up()

    def done(self, result: int) -> None:
        if self._busy and result == QDialog.DialogCode.Rejected:
            return  # an answer on its way decides first
        self._closed = True
        super().done(result)

    # -- finding the sale ---------------------------------------------------------------------

    def _look_up(self) -> None:
        number = self.number_edit.text().strip()
        if not number or self._busy or self.result_view is not None:
            return
        self.message_label.clear()
        self.info_label.setText(self._catalog.text("refund.looking_up", number=number))
        self._store(lambda: self._refunds.find_sale(number), self._show_sale)

    def _show_sale(self, sale: ReturnableSaleView) -> None:
        text = self._catalog.text
        self._sale, self._picks, self._preview = sale, {}, None
        info = [text("refund.sale_info", number=sale.order_number,
                     time=local_time(sale.completed_at, self._time_zone),
                     cashier=sale.cashier_name, total=money(sale.total),
                     savings=money(sale.savings))]
        if sale.member_name:
            info.append(text("refund.member", name=sale.member_name))
        if sale.coupons:
            info.append(text("refund.coupons", names="、".join(sale.coupons)))
        if sale.earlier_returns:
            info.append(text("refund.earlier", numbers="、".join(sale.earlier_returns)))
        if sale.fully_returned:
            info.append(text("refund.all_returned"))
        self.info_label.setText("\n".join(info))
        self.lines_table.setRowCount(len(sale.lines))
        for row, line in enumerate(sale.lines):
            self._fill(row, line)
        self._show_preview(None)
        if sale.lines:
            self.lines_table.selectRow(0)
        self.lines_table.setFocus()

    def _fill(self, row: int, line: ReturnableLineView) -> None:
        saved = "；".join(self._catalog.text("refund.saved_line",
                                            reason=saving_text(self._catalog, s),
                                            amount=money(s.amount)) for s in line.savings)
        cells = {PICK: "", NAME: line.name, SOLD: quantity(line.quantity, line.grams),
                 PAID: money(line.paid), SAVED: saved, LEFT: str(line.returnable), BACK: ""}
        for column, value in cells.items():
            item = QTableWidgetItem(value)
            if column in (SOLD, PAID, LEFT, BACK):
                item.setTextAlignment(_RIGHT)
            if line.returnable == 0:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.lines_table.setItem(row, column, item)

    # -- picking lines ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.lines_table and event.type() == QEvent.Type.KeyPress:
            key = event.key() if isinstance(event, QKeyEvent) else None
            if key == Qt.Key.Key_Space:
                self._change(lambda line, now: 0 if now else line.returnable)
            elif key in _MORE:
                self._change(lambda line, now: now + 1)
            elif key == Qt.Key.Key_Minus:
                self._change(lambda line, now: now - 1)
            elif key in _ENTER:
                self._submit()
            else:
                return super().eventFilter(watched, event)
            return True
        return super().eventFilter(watched, event)

    def pick(self, row: int, pieces: int) -> None:
        """Return ``pieces`` of the line in ``row`` (clamped to what is left)."""
        self.lines_table.selectRow(row)
        self._change(lambda line, now: pieces)

    def _change(self, how: Change) -> None:
        rows = self.lines_table.selectionModel().selectedRows()
        if self._sale is None or not rows or self.result_view is not None or self._busy:
            return
        row = rows[0].row()
        line = self._sale.lines[row]
        wanted = max(0, min(line.returnable, how(line, self._picks.get(line.line_id, 0))))
        if line.weighed and wanted > 0:
            wanted = line.returnable  # whole or not at all
        if wanted:
            self._picks[line.line_id] = wanted
        else:
            self._picks.pop(line.line_id, None)
        for column, value in ((PICK, "✓" if wanted else ""), (BACK, str(wanted or ""))):
            item = self.lines_table.item(row, column)
            if item is not None:
                item.setText(value)
        self._ask_preview()

    def _ask_preview(self) -> None:
        self._asked += 1
        asked, picks = self._asked, list(self._picks.items())
        self._preview = None
        self.message_label.clear()
        if self._sale is None or not picks:
            self._show_preview(None)
            return
        number = self._sale.order_number

        def show(preview: RefundPreview) -> None:
            if asked == self._asked:
                self._show_preview(preview)

        self._store(lambda: self._refunds.preview(number, picks), show, busy=False)

    def _show_preview(self, preview: RefundPreview | None) -> None:
        self._preview = preview
        text = self._catalog.text
        if preview is None:
            self.preview_label.setText(text("refund.preview.none"))
            return
        lines = [text("refund.preview.total", amount=money(preview.total))
                 + (text("refund.preview.whole") if preview.whole_sale else "")]
        lines += [self._tender_text(t.method, t.provider, t.amount, t.points, t.reference)
                  for t in preview.tenders]
        if preview.points_taken_back:
            lines.append(text("refund.points_back", points=preview.points_taken_back))
        if preview.coupons_given_back:
            lines.append(text("refund.coupons_back", names="、".join(preview.coupons_given_back)))
        self.preview_label.setText("\n".join(lines))

    def _tender_text(self, method: str, provider: str | None, amount: Money, points: int,
                     reference: str | None) -> str:
        text = self._catalog.text
        if provider is not None:
            return text("refund.tender.wallet", provider=self._provider(provider),
                        amount=money(amount))
        return text(f"refund.tender.{method}", amount=money(amount), points=points,
                    reference=reference or "")

    def _provider(self, provider: str) -> str:
        return self._catalog.text(f"wallet.provider.{provider}")

    # -- approval and the refund --------------------------------------------------------------

    def _submit(self) -> None:
        if self.result_view is not None:
            self.accept()
            return
        if self._busy or self._sale is None:
            return
        if not self._picks:
            self._refuse(self._catalog.text("error.refund.nothing_chosen"))
            return
        if self._preview is None:
            return  # the preview is on its way: Enter again once it shows
        dialog = ApprovalDialog(
            approvals=self._approvals, tasks=self._tasks, catalog=self._catalog,
            action=self._catalog.text("refund.action", number=self._sale.order_number,
                                      amount=money(self._preview.total)), parent=self)
        dialog.approved.connect(self._refund)
        dialog.finished.connect(lambda _: self.lines_table.setFocus())
        self.approval_dialog = dialog
        dialog.open()

    def _refund(self, manager: StaffView) -> None:
        if self._sale is None:
            return
        number, picks, cashier = self._sale.order_number, list(self._picks.items()), \
            self._cashier_id
        self.preview_label.setText(self._catalog.text("refund.refunding"))
        self._store(lambda: self._refunds.refund(number, picks, cashier_id=cashier,
                                                 manager_id=manager.id), self._show_result)

    def _show_result(self, view: ReturnView) -> None:
        self.result_view = view
        self.submit_button.setText(self._catalog.text("refund.close"))
        self.submit_button.setAutoDefault(True)  # Enter (or Esc) closes now
        self.lines_table.setEnabled(False)
        self.number_edit.setReadOnly(True)
        self.refunded.emit(view)
        self._show_outcome(view)
        self.submit_button.setFocus()
        if not view.done:
            self._settle(view)

    def _show_outcome(self, view: ReturnView) -> None:
        text = self._catalog.text
        lines = [text("refund.done", number=view.return_number,
                      amount=money(view.preview.total), manager=view.manager_name)]
        if view.preview.cash.fen:
            lines.append(text("refund.give_cash", amount=money(view.preview.cash)))
        lines += [self._tender_text(t.method, None, t.amount, t.points, t.reference)
                  for t in view.preview.tenders
                  if t.provider is None and t.method != "cash"]
        lines += [self._wallet_text(refund) for refund in view.wallet]
        if view.points_taken_back:
            lines.append(text("refund.points_taken", points=view.points_taken_back))
        if view.preview.coupons_given_back:
            lines.append(text("refund.coupons_back",
                              names="、".join(view.preview.coupons_given_back)))
        self.preview_label.setText("\n".join(lines))

    def _wallet_text(self, refund: RefundView) -> str:
        return self._catalog.text(f"refund.wallet.{refund.state}",
                                  provider=self._provider(refund.provider),
                                  amount=money(refund.amount), number=refund.out_refund_no)

    def _settle(self, view: ReturnView) -> None:
        """Follow the wallet refunds on the network lane until they are final."""
        def settled(after: ReturnView) -> None:
            if self._closed:
                return
            self.result_view = after
            self._show_outcome(after)
            if not after.done:
                wait = max(500, int(after.next_check_in_s * 1000))
                QTimer.singleShot(wait, lambda: None if self._closed else self._settle(after))

        self._tasks.network(lambda: self._refunds.settle(view), then=settled,
                            on_error=self._show_error)

    # -- plumbing -----------------------------------------------------------------------------

    def _store(self, work: Callable[[], T], then: Callable[[T], None], *,
               busy: bool = True) -> None:
        """Store-lane work; answers that come back after the dialog closed are dropped."""
        if busy:
            self._set_busy(True)

        def answered(value: T) -> None:
            if busy:
                self._set_busy(False)
            if not self._closed:
                then(value)

        def refused(error: BaseException) -> None:
            if busy:
                self._set_busy(False)
            if not self._closed:
                self._show_error(error)

        self._tasks.store(work, then=answered, on_error=refused)

    def _show_error(self, error: BaseException) -> None:
        if self._sale is None:
            self.info_label.clear()
        self._refuse(approval_message(error, self._catalog))

    def _refuse(self, message: str) -> None:
        self.message_label.setText(message)
        QApplication.beep()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit_button.setEnabled(not busy)

"""CustomerWindow: the customer-facing screen, following CustomerView snapshots.

Idle: a big welcome. Scanning: the lines, the last item big, the savings and a huge total.
Paid: thanks, what was paid and the change; after ``paid_hold_ms`` back to the welcome (the
next customer's first scan switches to scanning anyway). Order code: the order's signed QR.
Payment QR: the till's dynamic WeChat/Alipay QR, until its attempt moves on (paid: the thanks
follow; closed or cancelled: the cart again). Advert: after ``advert_after_ms`` on the welcome,
the store's adverts take turns (adverts.py) until the next scan, QR or payment.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QScreen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.events import OrderCodeShown, PaymentQrShown, PaymentStateChanged
from pos_app.i18n import Catalog
from pos_app.resources import resources_dir
from pos_app.services.views import CustomerView, SavingView
from ui import theme
from ui.customer.adverts import ADVERT_AFTER_MS, SLIDE_MS, AdvertRotator, AdvertView, load_adverts
from ui.customer.payment_qr_page import PaymentQrPage
from ui.event_bridge import EventBridge
from ui.formatting import money, quantity, weight
from ui.widgets.qr_view import QrView

log = logging.getLogger(__name__)

WINDOW_SIZE = (1024, 600)
PAID_HOLD_MS = 30_000
PAID_FALLBACK_MS = 3_000
"""A paid QR payment that did not complete the sale (a split tender) shows the cart again."""
PAGES = ("idle", "scanning", "paid", "order_code", "payment_qr", "advert")
IDLE, SCANNING, PAID, ORDER_CODE, PAYMENT_QR, ADVERT = range(len(PAGES))
_QR_LIVE = frozenset({"in_progress"})
"""Outcomes of a payment attempt while its QR may still be scanned."""
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def _label(text: str, name: str, parent: QWidget, align: Qt.AlignmentFlag | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    if align is not None:
        label.setAlignment(align)
    return label


class CustomerWindow(QWidget):
    def __init__(
        self,
        *,
        bridge: EventBridge,
        catalog: Catalog,
        store_name: str,
        paid_hold_ms: int = PAID_HOLD_MS,
        advert_after_ms: int = ADVERT_AFTER_MS,
        advert_slide_ms: int = SLIDE_MS,
        adverts_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``adverts_dir``: PNGs shown when idle (default resources/adverts); an
        ``advert_after_ms`` of 0 turns the adverts off."""
        super().__init__(parent)
        self.setObjectName("CustomerWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle(catalog.text("customer.window_title", store=store_name))
        theme.apply_to(self)
        self._catalog = catalog
        self._store_name = store_name
        self._view: CustomerView | None = None
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._build_welcome())
        self._pages.addWidget(self._build_scanning())
        self._pages.addWidget(self._build_paid())
        self._pages.addWidget(self._build_order_code())
        self.payment_qr_page = PaymentQrPage(catalog, self)
        self._pages.addWidget(self.payment_qr_page)
        self.advert_view = AdvertView(self)
        self._pages.addWidget(self.advert_view)
        folder = resources_dir() / "adverts" if adverts_dir is None else adverts_dir
        self.adverts = AdvertRotator(self.advert_view, load_adverts(folder),
                                     after_ms=advert_after_ms, slide_ms=advert_slide_ms,
                                     parent=self)
        self.adverts.show_advert.connect(self._on_show_advert)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self._pages)
        self._back_to_welcome = QTimer(self)
        self._back_to_welcome.setSingleShot(True)
        self._back_to_welcome.setInterval(paid_hold_ms)
        self._back_to_welcome.timeout.connect(lambda: self._show_page(IDLE))
        self._qr_paid = QTimer(self)
        self._qr_paid.setSingleShot(True)
        self._qr_paid.setInterval(PAID_FALLBACK_MS)
        self._qr_paid.timeout.connect(self._leave_payment_qr)
        bridge.customer_view_changed.connect(self._on_customer_view_changed)
        bridge.order_code_shown.connect(self._on_order_code_shown)
        bridge.payment_qr_shown.connect(self._on_payment_qr_shown)
        bridge.payment_state_changed.connect(self._on_payment_state_changed)
        self.resize(*WINDOW_SIZE)
        self.adverts.idle()

    def _build_welcome(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        center = Qt.AlignmentFlag.AlignCenter
        layout.addStretch(1)
        layout.addWidget(_label(self._store_name, "StoreName", page, center))
        layout.addWidget(_label(self._catalog.text("customer.welcome"), "Headline", page, center))
        layout.addWidget(
            _label(self._catalog.text("customer.welcome_sub"), "Subline", page, center)
        )
        layout.addStretch(1)
        return page

    def _build_lines_table(self, page: QWidget) -> QTableWidget:
        text = self._catalog.text
        table = QTableWidget(0, 3, page)
        table.setHorizontalHeaderLabels(
            [
                text("customer.column.name"),
                text("customer.column.quantity"),
                text("customer.column.amount"),
            ]
        )
        for column in range(3):
            header_item = table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setTextAlignment(_LEFT if column == 0 else _RIGHT)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(44)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setShowGrid(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        return table

    def _build_scanning(self) -> QWidget:
        page = QWidget(self)
        text = self._catalog.text
        self.lines_table = self._build_lines_table(page)
        self.last_item_name = _label("", "LastItemName", page)
        self.last_item_amount = _label("", "LastItemAmount", page, _RIGHT)
        self.member_label = _label("", "MemberGreeting", page)
        self.savings_label = _label("", "CustomerSavings", page)
        self.count_label = _label("", "Caption", page)
        self.total_label = _label("", "CustomerTotal", page, _RIGHT)
        due_row = QHBoxLayout()
        due_row.addWidget(_label(text("customer.total"), "Caption", page))
        due_row.addStretch(1)
        due_row.addWidget(self.count_label)
        right = QVBoxLayout()
        right.setSpacing(4)
        right.addWidget(self.member_label)
        right.addWidget(_label(text("customer.last_item"), "Caption", page))
        right.addWidget(self.last_item_name)
        right.addWidget(self.last_item_amount)
        right.addStretch(1)
        right.addWidget(self.savings_label)
        right.addLayout(due_row)
        right.addWidget(self.total_label)
        layout = QHBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(24)
        layout.addWidget(self.lines_table, 3)
        layout.addLayout(right, 2)
        return page

    def _build_paid(self) -> QWidget:
        page = QWidget(self)
        center = Qt.AlignmentFlag.AlignCenter
        thanks = _label(self._catalog.text("customer.thanks"), "Headline", page, center)
        self.paid_label = _label("", "PaidLine", page, center)
        self.change_label = _label("", "ChangeLine", page, center)
        again = _label(self._catalog.text("customer.thanks_sub"), "Subline", page, center)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        for label in (thanks, self.paid_label, self.change_label, again):
            layout.addWidget(label)
        layout.addStretch(1)
        return page

    def _build_order_code(self) -> QWidget:
        """The order's QR code, for the customer's phone or a payment terminal to pay."""
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.order_code_title = _label(self._catalog.text("customer.order_code.title"),
                                       "Caption", page, Qt.AlignmentFlag.AlignCenter)
        self.order_code_view = QrView(page)
        self.order_code_amount = _label("", "CustomerTotal", page, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.order_code_title)
        layout.addWidget(self.order_code_view, 1)
        layout.addWidget(self.order_code_amount)
        return page

    @property
    def state(self) -> str:
        """What the customer sees: "idle", "scanning", "paid", "order_code", "payment_qr" or
        "advert"."""
        return PAGES[self._pages.currentIndex()]

    def _show_page(self, index: int) -> None:
        """Every page change goes here: the adverts count down on the welcome only."""
        self._pages.setCurrentIndex(index)
        if index == IDLE:
            self.adverts.idle()
        elif index != ADVERT:
            self.adverts.wake()

    def _on_show_advert(self, showing: bool) -> None:
        if showing:
            self._pages.setCurrentIndex(ADVERT)
        elif self._pages.currentIndex() == ADVERT:
            self._pages.setCurrentIndex(IDLE)

    def _on_order_code_shown(self, event: OrderCodeShown) -> None:
        self._back_to_welcome.stop()
        self.order_code_view.set_text(event.text)
        self.order_code_amount.setText(money(event.amount))
        self._show_page(ORDER_CODE)

    def _on_payment_qr_shown(self, event: PaymentQrShown) -> None:
        self._back_to_welcome.stop()
        self._qr_paid.stop()
        self.payment_qr_page.show_qr(event)
        self._show_page(PAYMENT_QR)

    def _on_payment_state_changed(self, event: PaymentStateChanged) -> None:
        """The QR's attempt moved on: closing, closed or declined -> the cart again; paid ->
        the thanks page follows with the completed sale (else the cart, a moment later)."""
        if self.state != "payment_qr" or event.attempt_id != self.payment_qr_page.attempt_id:
            return
        if event.outcome in _QR_LIVE:
            return
        if event.outcome == "paid":
            self._qr_paid.start()
        else:
            self._leave_payment_qr()

    def _leave_payment_qr(self) -> None:
        if self.state != "payment_qr":
            return
        if self._view is not None and self._view.lines:
            self._show_scanning(self._view)
        else:
            self._show_page(IDLE)

    def visible_texts(self) -> list[str]:
        """Every label on the current page, top to bottom as the customer reads them."""
        page = self._pages.currentWidget()
        if page is None:
            return []
        return [
            label.text()
            for label in page.findChildren(QLabel)
            if label.text() and not label.isHidden()
        ]

    def _on_customer_view_changed(self, view: CustomerView) -> None:
        self._view = view
        self._back_to_welcome.stop()
        self._qr_paid.stop()
        if view.state == "paid":
            self._show_paid(view)
        elif view.lines:
            self._show_scanning(view)
        else:
            self._show_page(IDLE)

    def _show_scanning(self, view: CustomerView) -> None:
        text = self._catalog.text
        self._fill_lines(view)
        last = view.lines[-1]
        count = (
            weight(last.grams)
            if last.grams is not None
            else text("customer.pieces", count=last.quantity)
        )
        self.last_item_name.setText(last.name)
        self.last_item_amount.setText(f"{count}   {money(last.amount)}")
        self.savings_label.setText(text("customer.savings", amount=money(view.savings)))
        self.savings_label.setVisible(not view.savings.is_zero())
        self.count_label.setText(text("customer.item_count", count=view.item_count))
        self.total_label.setText(money(view.total))
        self._show_member(view)
        self._show_page(SCANNING)

    def _fill_lines(self, view: CustomerView) -> None:
        """One row per line; under a line that saved, one row per saving and its reason."""
        rows: list[tuple[tuple[str, str, str], bool]] = []
        for line in view.lines:
            rows.append(((line.name, quantity(line.quantity, line.grams), money(line.amount)),
                         False))
            for saving in line.reasons:
                rows.append(((f"  {self._reason(saving)}", "", f"-{money(saving.amount)}"), True))
        for saving in view.order_savings:
            rows.append(((self._reason(saving), "", f"-{money(saving.amount)}"), True))
        table = self.lines_table
        table.setRowCount(len(rows))
        for row, (cells, is_saving) in enumerate(rows):
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(_RIGHT)
                if is_saving:
                    item.setForeground(QColor(theme.SAVINGS_ON_DARK))
                table.setItem(row, column, item)
        table.scrollToBottom()

    def _reason(self, saving: SavingView) -> str:
        """The offer's own name ("饮料第二件半价"), short enough for the display; the member
        price, which has no name, by its message."""
        return saving.params_dict.get("name") or self._catalog.text(
            saving.reason, **saving.params_dict)

    def _show_member(self, view: CustomerView) -> None:
        text = self._catalog.text
        if not view.member_name:
            self.member_label.hide()
            return
        greeting = text("customer.member_greeting", name=view.member_name, tier=view.member_tier)
        if view.member_points is not None:
            greeting += "  " + text("customer.member_points", points=view.member_points)
        self.member_label.setText(greeting)
        self.member_label.show()

    def _show_paid(self, view: CustomerView) -> None:
        text = self._catalog.text
        self.paid_label.setText(
            text("customer.paid", paid=money(view.paid), total=money(view.total))
        )
        self.change_label.setText(text("customer.change", amount=money(view.change)))
        self._show_page(PAID)
        self._back_to_welcome.start()

    def show_on(self, screen_name: str = "") -> QScreen | None:
        """Full screen on the named screen, else on a screen other than the primary one;
        with a single screen, an ordinary window. Returns the screen used full screen."""
        screens = QGuiApplication.screens()
        target = next((s for s in screens if screen_name and s.name() == screen_name), None)
        if screen_name and target is None:
            log.warning(
                "customer screen %r not found among %s", screen_name, [s.name() for s in screens]
            )
        if target is None:
            primary = QGuiApplication.primaryScreen()
            target = next((s for s in screens if s is not primary), None)
        if target is None or target is QGuiApplication.primaryScreen():
            self.show()
            return None
        self.setScreen(target)
        self.setGeometry(target.geometry())
        self.showFullScreen()
        return target

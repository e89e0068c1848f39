"""CashierWindow: the login screen, then the sale screen; Ctrl+L logs out; Ctrl+Shift+D on the
login screen shows device diagnostics (Esc goes back)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from pos_app.i18n import Catalog
from pos_app.ports.scale import Scale
from pos_app.services.approvals import ApprovalService
from pos_app.services.checkout import CheckoutService
from pos_app.services.diagnostics import DiagnosticsService
from pos_app.services.drawer import DrawerService
from pos_app.services.members import MemberService
from pos_app.services.order_codes import OrderCodeService
from pos_app.services.payments import PaymentService
from pos_app.services.printing import PrintService
from pos_app.services.refunds import RefundService
from pos_app.services.sales import SaleService
from pos_app.services.staff import StaffService
from pos_app.services.views import StaffView
from ui import theme
from ui.admin.diagnostics_screen import DiagnosticsScreen
from ui.cashier.login_screen import LoginScreen
from ui.cashier.sale_screen import SaleScreen
from ui.event_bridge import EventBridge
from ui.input.scan_filter import ScanEventFilter
from ui.manager.reports_screen import ReportSource
from ui.tasks import TaskRunner

DEFAULT_SIZE = (1280, 800)


class CashierWindow(QMainWindow):
    """The open cart is the terminal's, not the cashier's: it stays in the database over a
    logout and comes back with the next login."""

    def __init__(
        self,
        *,
        checkout: CheckoutService,
        sales: SaleService,
        staff: StaffService,
        printing: PrintService,
        tasks: TaskRunner,
        bridge: EventBridge,
        scan_filter: ScanEventFilter,
        catalog: Catalog,
        store_name: str,
        terminal_code: str,
        time_zone: str = "Asia/Shanghai",
        scale: Scale | None = None,
        payments: PaymentService | None = None,
        approvals: ApprovalService | None = None,
        drawer: DrawerService | None = None,
        diagnostics: DiagnosticsService | None = None,
        order_codes: OrderCodeService | None = None,
        members: MemberService | None = None,
        refunds: RefundService | None = None,
        reports: ReportSource | None = None,
        exports_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CashierWindow")
        self.setWindowTitle(
            catalog.text("cashier.window_title", store=store_name, terminal=terminal_code)
        )
        theme.apply_to(self)
        self.login_screen = LoginScreen(
            staff=staff,
            tasks=tasks,
            catalog=catalog,
            store_name=store_name,
            terminal_code=terminal_code,
        )
        self.sale_screen = SaleScreen(
            checkout=checkout,
            sales=sales,
            printing=printing,
            tasks=tasks,
            bridge=bridge,
            scan_filter=scan_filter,
            catalog=catalog,
            store_name=store_name,
            terminal_code=terminal_code,
            time_zone=time_zone,
            scale=scale,
            payments=payments,
            approvals=approvals,
            drawer=drawer,
            order_codes=order_codes,
            members=members,
            refunds=refunds,
            reports=reports,
            exports_dir=exports_dir,
        )
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self.login_screen)
        self._pages.addWidget(self.sale_screen)
        self.diagnostics_screen: DiagnosticsScreen | None = None
        if diagnostics is not None:
            self.diagnostics_screen = DiagnosticsScreen(
                diagnostics=diagnostics,
                tasks=tasks,
                bridge=bridge,
                catalog=catalog,
                terminal_code=terminal_code,
                approvals=approvals,
                scan_filter=scan_filter,
            )
            self._pages.addWidget(self.diagnostics_screen)
            self.diagnostics_screen.back_requested.connect(self._show_login)
            show = QAction(self.login_screen)
            show.setShortcut(QKeySequence("Ctrl+Shift+D"))
            show.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            show.triggered.connect(self.show_diagnostics)
            self.login_screen.addAction(show)
        self.setCentralWidget(self._pages)
        self.logout_action = self._add_logout(catalog.text("cashier.logout"))
        self.login_screen.logged_in.connect(self._on_logged_in)
        self.resize(*DEFAULT_SIZE)
        self.login_screen.reset()

    def _add_logout(self, text: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence("Ctrl+L"))
        action.triggered.connect(self._on_logout_requested)
        self.addAction(action)
        return action

    @property
    def showing_sale(self) -> bool:
        return self._pages.currentWidget() is self.sale_screen

    def show_diagnostics(self) -> None:
        if self.diagnostics_screen is not None and not self.showing_sale:
            self._pages.setCurrentWidget(self.diagnostics_screen)

    def _show_login(self) -> None:
        self._pages.setCurrentWidget(self.login_screen)
        self.login_screen.reset()

    def _on_logged_in(self, staff: StaffView) -> None:
        self._pages.setCurrentWidget(self.sale_screen)
        self.sale_screen.start(staff)

    def _on_logout_requested(self) -> None:
        if not self.showing_sale:
            return
        if getattr(self.sale_screen.active_dialog(), "running", False):
            # A wallet payment is in flight: it must end (paid or reversed) at this till first.
            self.sale_screen.refuse("wallet.status.logout_while_paying")
            return
        self.sale_screen.stop()
        self._pages.setCurrentWidget(self.login_screen)
        self.login_screen.reset()

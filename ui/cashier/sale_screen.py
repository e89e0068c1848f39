"""SaleScreen: scan, change lines, suspend, resume, take cash or a payment code, no-sale drawer.

Every service call goes through the store lane (``TaskRunner.store``); this screen only renders
the snapshots that come back. A problem is a big red status line and a beep, never a modal,
so the next scan is never blocked. After a sale the change stays on screen, and no new cart is
opened, until the next action needs one: the customer display keeps its thank-you until then.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import QApplication, QWidget

from pos_app.domain.code_kinds import CodeKind, kind_of
from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.events import PrintJobFinished
from pos_app.i18n import Catalog
from pos_app.ports.scale import Scale
from pos_app.services.approvals import ApprovalService
from pos_app.services.checkout import CheckoutService
from pos_app.services.drawer import NO_SALE, DrawerOpening, DrawerService
from pos_app.services.members import MemberService
from pos_app.services.order_codes import OrderCodeService
from pos_app.services.payment_views import AttemptView, PaymentSummary
from pos_app.services.payments import PaymentService
from pos_app.services.printing import PrintService
from pos_app.services.refunds import RefundService
from pos_app.services.sales import SaleService
from pos_app.services.views import CartView, SaleView, StaffView, SuspendedCartView
from ui.cashier.code_payment_dialog import CodePaymentDialog
from ui.cashier.face_desk import FaceDesk
from ui.cashier.member_actions import MemberActions
from ui.cashier.order_slip import OrderSlips
from ui.cashier.payment_dialog import CashPaymentDialog
from ui.cashier.quantity_dialog import QuantityDialog
from ui.cashier.sale_layout import SaleLayout, line_params
from ui.cashier.search_dialog import SearchDialog
from ui.cashier.suspended_dialog import SuspendedDialog
from ui.cashier.weighing import Weighing
from ui.event_bridge import EventBridge
from ui.formatting import money
from ui.input.scan_filter import ScanEventFilter
from ui.manager.approval_dialog import ApprovalDialog, approval_message
from ui.manager.refund_screen import RefundScreen
from ui.manager.reports_screen import ReportSource, ReportsScreen
from ui.tasks import TaskRunner
from ui.widgets.confirm_dialog import ConfirmDialog
from ui.widgets.device_status import DeviceStatusBar
from ui.widgets.status_label import Severity

T = TypeVar("T")
CartChange = Callable[[str], CartView]
"""A checkout call on the cart with the given id, run on the store lane."""
AfterChange = Callable[[CartView], None]


class SaleScreen(SaleLayout):
    def __init__(
        self,
        *,
        checkout: CheckoutService,
        sales: SaleService,
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
        order_codes: OrderCodeService | None = None,
        members: MemberService | None = None,
        refunds: RefundService | None = None,
        reports: ReportSource | None = None,
        exports_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            catalog=catalog, store_name=store_name, terminal_code=terminal_code, parent=parent
        )
        self._refunds = refunds
        self._reports, self._exports_dir, self._terminal_code = reports, exports_dir, terminal_code
        self._checkout = checkout
        self._payments = payments
        self._approvals = approvals
        self._drawer = drawer
        self._order_codes = order_codes
        self._member_actions = MemberActions(self, checkout=checkout, members=members,
                                             catalog=catalog)
        self._code_for_payment: str | None = None
        self._scan_filter = scan_filter
        self.device_status = DeviceStatusBar(bridge=bridge, catalog=catalog, parent=self.top_bar)
        self.top_bar.add_status(self.device_status)
        self._sales = sales
        self._printing = printing
        self._tasks = tasks
        self._time_zone = time_zone
        self._cashier: StaffView | None = None
        self._cart_id: str | None = None
        self._last_order: str | None = None
        self._session = 0
        self._pending = 0
        self._pay_when_idle: Callable[[], None] | None = None
        """F12 or F11 pressed while a scan was on its way: run it once the scan is in."""
        self._weighing = Weighing(scale, bridge, self)
        self._weighing.weighed.connect(self._on_weighed)
        self._weighing.problem.connect(lambda key, params: self.refuse(key, **params))
        self._add_keys()
        scan_filter.scanned.connect(self._on_scanned)
        bridge.print_job_finished.connect(self._on_print_job_finished)
        self.code_entry.returnPressed.connect(self._on_code_entered)
        self.pay_button.clicked.connect(self.actions_by_key["F12"].trigger)

    def _add_keys(self) -> None:
        text = self._catalog.text
        self.add_key("F2", self._on_quantity_requested, text("cashier.key.quantity"))
        self.add_key("F3", self._on_void_requested, text("cashier.key.void"))
        self.add_key("F4", self._on_search_requested, text("cashier.key.search"))
        self.add_key("F5", self._on_suspend_requested, text("cashier.key.suspend"))
        self.add_key("F6", self._on_resume_requested, text("cashier.key.resume"))
        if self._approvals is not None and self._drawer is not None and self._drawer.available:
            self.add_key("F8", self._on_no_sale_requested, text("wallet.key.no_sale"))
        if self._order_codes is not None:
            self.add_key("F7", self._on_order_code_requested, text("wallet.key.order_code"))
        self.add_key("F9", self._on_reprint_requested, text("cashier.key.reprint"))
        if self._refunds is not None and self._approvals is not None:
            self.add_key("Ctrl+R", self._on_refund_requested, text("refund.key"))
        if self._reports is not None and self._approvals is not None:
            self.add_key("Ctrl+M", self._on_reports_requested, text("reports.key"))
        if self._member_actions.available:
            self.add_key("F10", self._member_actions.open_dialog, text("cashier.key.member"))
        if self._payments is not None:
            self.add_key("F11", self._on_code_pay_requested, text("wallet.key.pay_code"))
        self.add_key("F12", self._on_pay_requested, text("cashier.key.pay"))

    def attach_faces(self, desk: FaceDesk) -> None:
        """F1: recognise a member by face; ``desk.member_confirmed`` gives the confirmed id."""
        self.face_desk = desk
        desk.member_confirmed.connect(self._member_actions.attach)
        self.add_key("F1", lambda: desk.recognise(self, self._cashier),
                     self._catalog.text("face.key"))

    @property
    def cashier_id(self) -> str | None:
        """Who is logged in at this till (None on the login screen)."""
        return None if self._cashier is None else self._cashier.id

    @property
    def busy(self) -> bool:
        """A cart change is on its way to the store lane or back."""
        return self._pending > 0

    # -- session ----------------------------------------------------------------------------

    def start(self, cashier: StaffView) -> None:
        """A cashier logged in: bring back this terminal's open cart, or open a new one."""
        self._session += 1
        self._cashier = cashier
        self._cart_id = None
        self._pending = 0
        self.top_bar.set_cashier(
            self._catalog.text("cashier.cashier_name", name=cashier.name, staff_no=cashier.staff_no)
        )
        self.status_label.clear_message()
        self.show_cart(None)
        self._change_cart(lambda cart_id: self._checkout.current(cart_id), lambda _: None)
        self.code_entry.setFocus()

    def stop(self) -> None:
        """Logged out: forget the cashier; answers still on their way are dropped."""
        self.close_dialog()
        self._session += 1
        self._cashier = None
        self._cart_id = None
        self._last_order = None
        self._pay_when_idle = None
        self.code_entry.clear()
        self.show_cart(None)

    # -- scans and typed codes --------------------------------------------------------------

    def _on_scanned(self, text: str) -> None:
        if self._cashier is None or not self.isVisible():
            return
        dialog = self.active_dialog()
        if isinstance(dialog, CodePaymentDialog):
            return  # the dialog takes the scan: it is the customer's payment code
        if isinstance(dialog, CashPaymentDialog):
            dialog.show_problem(self._catalog.text("cashier.status.scan_while_paying"))
            return
        if isinstance(dialog, RefundScreen):
            dialog.take_code(text)  # the receipt's barcode: the sale to return
            return
        self.close_dialog()  # a scan means the cashier moved on from quantity, search...
        self._take_code(text)

    def _on_code_entered(self) -> None:
        text = self.code_entry.text().strip()
        self.code_entry.clear()
        if text:
            self._take_code(text)

    def _on_order_code_requested(self) -> None:
        """F7: show this cart as an order QR code on the customer display (订单POS)."""
        view = self.cart_view
        if self._order_codes is None or view is None or view.empty or self._pending:
            self.refuse("error.cart.empty")
            return
        slips = OrderSlips(self._order_codes, self._printing, self._checkout, self._catalog,
                           self._time_zone)
        cart_id, cashier = view.id, self._cashier.name if self._cashier else ""
        self._run(lambda: slips.present(cart_id, cashier),
                  then=lambda shown: self.say(shown.status_key, amount=money(shown.code.amount)))

    def _take_code(self, text: str) -> None:
        """Routed by its form: goods into the cart, a coupon onto it, a member code identifies
        the member, a payment code starts paying, an order QR loads that order (订单POS)."""
        kind = kind_of(text)
        if kind is CodeKind.COUPON:
            self._member_actions.present_coupon(text)
            return
        if kind is CodeKind.MEMBER and self._member_actions.available:
            self._member_actions.identify(text)
            return
        if kind is CodeKind.PAYMENT and self._payments is not None:
            self._code_for_payment = text
            self._on_code_pay_requested()
            return
        if self._order_codes is None or self._cashier is None or kind is not CodeKind.ORDER:
            self._change_cart(lambda cart_id: self._checkout.scan(cart_id, text))
            return
        order_codes, cashier_id = self._order_codes, self._cashier.id
        self._pending += 1
        self._run(lambda: order_codes.take_over(text, cashier_id),
                  then=lambda view: self._on_cart_changed(view, None),
                  on_error=self._on_cart_refused)

    # -- the cart on the store lane ---------------------------------------------------------

    def change_cart(self, change: CartChange, done: AfterChange | None = None,
                    refused: Callable[[BaseException], None] | None = None) -> None:
        self._change_cart(change, done, refused)

    def _change_cart(self, change: CartChange, done: AfterChange | None = None,
                     refused: Callable[[BaseException], None] | None = None) -> None:
        """Run ``change`` on the store lane; with no open cart (after a sale) open one first.
        ``refused`` shows a refusal somewhere else than the status line (an open dialog)."""
        if self._cashier is None:
            return
        cart_id, cashier_id, checkout = self._cart_id, self._cashier.id, self._checkout

        def work() -> CartView:
            return change(cart_id or checkout.open_cart(cashier_id).id)

        self._pending += 1
        self._run(
            work,
            then=lambda view: self._on_cart_changed(view, done),
            on_error=lambda error: self._on_cart_refused(error, refused),
        )

    def run(self, work: Callable[[], T], *, then: Callable[[T], None]) -> None:
        """Store-lane work for a helper of this screen (member details for a dialog)."""
        self._run(work, then=then)

    def _run(
        self,
        work: Callable[[], T],
        *,
        then: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """On the store lane; answers that come back after a logout are dropped."""
        session = self._session
        failed = on_error or self.show_problem

        def answered(value: T) -> None:
            if session == self._session:
                then(value)

        def refused(error: BaseException) -> None:
            if session == self._session:
                failed(error)

        self._tasks.store(work, then=answered, on_error=refused)

    def _on_cart_changed(self, view: CartView, done: AfterChange | None) -> None:
        self._pending -= 1
        self._cart_id = view.id
        self.show_cart(view)
        if done is None:
            self.show_touched_line()
        else:
            done(view)
        self._pay_if_asked()

    def _on_cart_refused(self, error: BaseException,
                         refused: Callable[[BaseException], None] | None = None) -> None:
        self._pending -= 1
        if refused is not None:
            refused(error)
        elif _needs_weight(error) and self._weighing.available:
            params = error.params  # type: ignore[attr-defined]
            self.say("cashier.weigh.waiting", name=params["name"])
            self._weighing.start(str(params["sku"]), str(params["name"]))
        else:
            self.show_problem(error)
        self._pay_if_asked()

    def _on_weighed(self, sku: str, grams: int) -> None:
        self._change_cart(lambda cart_id: self._checkout.add_product(cart_id, sku, grams=grams))

    # -- line keys --------------------------------------------------------------------------

    def _on_quantity_requested(self) -> None:
        line = self.target_line()
        if line is None:
            return
        if line.grams is not None:
            self.refuse("error.cart.weighed_quantity", name=line.name)
            return
        dialog = QuantityDialog(line=line, catalog=self._catalog, parent=self)
        dialog.quantity_chosen.connect(
            lambda qty: self._change_cart(
                lambda cart_id: self._checkout.set_quantity(cart_id, line.id, qty)
            )
        )
        self.open_dialog(dialog)

    def _on_void_requested(self) -> None:
        line = self.target_line()
        if line is None:
            return
        text = self._catalog.text
        dialog = ConfirmDialog(
            text("cashier.void.question", **line_params(line, self._catalog)),
            yes_text=text("cashier.void.yes"),
            no_text=text("cashier.no"),
            danger=True,
            parent=self,
        )
        dialog.accepted.connect(
            lambda: self._change_cart(
                lambda cart_id: self._checkout.void_line(cart_id, line.id),
                lambda _: self.say("cashier.status.voided", Severity.SUCCESS, name=line.name),
            )
        )
        self.open_dialog(dialog)

    def _on_search_requested(self) -> None:
        dialog = SearchDialog(
            checkout=self._checkout, tasks=self._tasks, catalog=self._catalog, parent=self
        )
        dialog.product_picked.connect(
            lambda product: self._change_cart(
                lambda cart_id: self._checkout.add_product(cart_id, product.sku)
            )
        )
        self.open_dialog(dialog)

    # -- suspend, resume, reprint -----------------------------------------------------------

    def _on_suspend_requested(self) -> None:
        view = self.cart_view
        if view is None or view.empty:
            self.refuse("error.cart.empty")
            return
        total = money(view.total)
        self._change_cart(
            self._checkout.suspend,
            lambda _: self.say("cashier.status.suspended", Severity.SUCCESS, total=total),
        )

    def _on_resume_requested(self) -> None:
        if self.cart_view is not None and not self.cart_view.empty:
            self.refuse("error.cart.resume_needs_empty")
            return
        self._run(self._checkout.suspended_carts, then=self._show_suspended)

    def _show_suspended(self, carts: list[SuspendedCartView]) -> None:
        if not carts:
            self.refuse("cashier.status.no_suspended")
            return
        dialog = SuspendedDialog(
            carts=carts, catalog=self._catalog, time_zone=self._time_zone, parent=self
        )
        dialog.cart_picked.connect(
            lambda parked_id: self._change_cart(
                lambda cart_id: self._checkout.resume(cart_id, parked_id),
                lambda view: self.say(
                    "cashier.status.resumed", Severity.SUCCESS, total=money(view.total)
                ),
            )
        )
        self.open_dialog(dialog)

    def _on_reprint_requested(self) -> None:
        number = self._last_order
        if number is None:
            self.refuse("cashier.status.nothing_to_reprint")
            return
        self._run(
            lambda: self._printing.reprint(number),
            then=lambda _: self.say("cashier.status.reprinting", number=number),
        )

    def _on_refund_requested(self) -> None:
        """Ctrl+R: a return by the original receipt, approved by a manager."""
        if self._cashier is None or self._refunds is None or self._approvals is None \
                or self.active_dialog() is not None:
            return
        dialog = RefundScreen(refunds=self._refunds, approvals=self._approvals, tasks=self._tasks,
                              catalog=self._catalog, cashier_id=self._cashier.id,
                              time_zone=self._time_zone, parent=self)
        dialog.refunded.connect(lambda view: self.say(
            "refund.status.done", Severity.SUCCESS, number=view.return_number,
            amount=money(view.preview.total)))
        self.open_dialog(dialog)

    def _on_reports_requested(self) -> None:
        """Ctrl+M: the day's sales figures, for a manager (PIN)."""
        if self._cashier is None or self._reports is None or self._approvals is None \
                or self.active_dialog() is not None:
            return
        dialog = ApprovalDialog(approvals=self._approvals, tasks=self._tasks,
                                catalog=self._catalog,
                                action=self._catalog.text("reports.action"), parent=self)
        dialog.approved.connect(self._open_reports)
        self.open_dialog(dialog)

    def _open_reports(self, manager: StaffView) -> None:
        """Viewing uses up the manager's approval, so no other action can claim it."""
        approvals = self._approvals
        if approvals is not None:
            self._run(lambda: approvals.redeem(manager.id),
                      then=lambda _: self._show_reports(manager))

    def _show_reports(self, manager: StaffView) -> None:
        if self._reports is None or self.active_dialog() is not None:
            return
        self.open_dialog(ReportsScreen(
            reports=self._reports, tasks=self._tasks, catalog=self._catalog,
            terminal_code=self._terminal_code, time_zone=self._time_zone,
            exports_dir=self._exports_dir, manager_name=manager.name, parent=self))

    def _on_print_job_finished(self, event: PrintJobFinished) -> None:
        if event.ok or self._cashier is None:
            return
        code = event.error_code or ""
        reason = self._catalog.text(code if self._catalog.has(code) else "printer.failed")
        self.refuse("cashier.status.print_failed", reason=reason)

    # -- payment ----------------------------------------------------------------------------

    def _on_pay_requested(self) -> None:
        """F12: cash for what is still due (after any wallet payment already taken)."""
        self._pay(self._open_cash_dialog, self._on_pay_requested)

    def _on_code_pay_requested(self) -> None:
        """F11: the customer's payment code, for what is still due."""
        self._pay(self._open_code_dialog, self._on_code_pay_requested)

    def _pay(self, open_dialog: Callable[[str, Money], None], again: Callable[[], None]) -> None:
        if self._pending:
            self._pay_when_idle = again  # a key right after a scan: pay once the scan is in
            return
        view = self.cart_view
        if self.active_dialog() is not None:
            return
        if view is None or view.empty:
            self.refuse("error.cart.empty")
            return
        if self._payments is None:
            open_dialog(view.id, view.total)
            return
        cart_id, payments = view.id, self._payments

        def ask_summary() -> PaymentSummary:
            return payments.summary(cart_id)

        def show(summary: PaymentSummary) -> None:
            current = self.cart_view
            if current is not None and current.id == cart_id and self.active_dialog() is None:
                open_dialog(cart_id, summary.due)

        self._run(ask_summary, then=show)

    def _open_cash_dialog(self, cart_id: str, due: Money) -> None:
        view = self.cart_view
        dialog = CashPaymentDialog(
            cart_id=cart_id,
            due=due,
            sales=self._sales,
            tasks=self._tasks,
            catalog=self._catalog,
            member=None if view is None else view.member,
            parent=self,
        )
        dialog.paid.connect(self._on_paid)
        self.open_dialog(dialog)

    def _open_code_dialog(self, cart_id: str, due: Money) -> None:
        assert self._payments is not None
        dialog = CodePaymentDialog(
            cart_id=cart_id,
            due=due,
            payments=self._payments,
            tasks=self._tasks,
            catalog=self._catalog,
            scan_filter=self._scan_filter,
            parent=self,
        )
        session = self._session
        dialog.paid.connect(
            lambda attempt: self._on_code_paid(attempt) if session == self._session else None
        )
        dialog.rejected.connect(
            lambda: self._on_code_dialog_closed(dialog) if session == self._session else None
        )
        self.open_dialog(dialog)
        code, self._code_for_payment = self._code_for_payment, None
        if code is not None:
            dialog.take_code(code)  # scanned on the sale screen: the customer is paying

    def _on_code_paid(self, attempt: AttemptView) -> None:
        if attempt.sale is not None:
            self._on_paid(attempt.sale)
            return
        view = self.cart_view
        paid = view.total - attempt.due if view is not None else attempt.amount
        self.say(
            "wallet.status.partial", Severity.WARNING, paid=money(paid), due=money(attempt.due)
        )

    def _on_code_dialog_closed(self, dialog: CodePaymentDialog) -> None:
        attempt = dialog.attempt
        if attempt is not None and attempt.final and dialog.aborted:
            self.say("wallet.status.cancelled", Severity.WARNING)

    def _pay_if_asked(self) -> None:
        if self._pay_when_idle is not None and not self._pending:
            again, self._pay_when_idle = self._pay_when_idle, None
            again()

    def _on_paid(self, sale: SaleView) -> None:
        self._cart_id = None
        self._last_order = sale.order_number
        self.show_cart(None)
        self.total_panel.show_change(sale)
        self.say(
            "cashier.status.paid",
            Severity.SUCCESS,
            number=sale.order_number,
            change=money(sale.change),
        )

    # -- no sale: the drawer with a manager's approval --------------------------------------

    def _on_no_sale_requested(self) -> None:
        if self._cashier is None or self.active_dialog() is not None:
            return
        if self._approvals is None or self._drawer is None:
            return
        dialog = ApprovalDialog(
            approvals=self._approvals,
            tasks=self._tasks,
            catalog=self._catalog,
            action=self._catalog.text("manager.no_sale.action"),
            parent=self,
        )
        dialog.approved.connect(self._open_drawer)
        self.open_dialog(dialog)

    def _open_drawer(self, manager: StaffView) -> None:
        if self._cashier is None or self._drawer is None:
            return
        cashier_id, drawer = self._cashier.id, self._drawer
        self._run(
            lambda: drawer.open_drawer(NO_SALE, cashier_id, manager.id),
            then=self._on_drawer_opened,
            on_error=self._on_drawer_refused,
        )

    def _on_drawer_opened(self, opening: DrawerOpening) -> None:
        self.say("manager.no_sale.opened", Severity.SUCCESS, manager=opening.manager_name)

    def _on_drawer_refused(self, error: BaseException) -> None:
        self.status_label.show_message(approval_message(error, self._catalog), Severity.ERROR)
        QApplication.beep()


def _needs_weight(error: BaseException) -> bool:
    return isinstance(error, UserError) and error.code == "cart.needs_weight" \
        and "sku" in error.params

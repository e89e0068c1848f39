"""RefundService: returns and refunds by original sale, with a manager's approval.

The cashier finds the sale by its order number (typed, or the receipt's barcode scanned),
picks lines and pieces, sees what goes back (``preview``), and a manager approves with a PIN.
``refund`` then writes everything of the return in ONE transaction: the return order and its
lines, the pieces counted as returned on the sale's lines (a conditional UPDATE: never twice),
stock back, a refund payment row per tender, stored value and points back to the member, the
earned points taken back, coupons given back, the audit entry (``sale.returned``, naming the
approving manager), the journal and the refund slip's print job. The money rules are in
``domain.returns``.

A wallet tender's refund is stored in that transaction as a REQUESTED refund row with its own
``out_refund_no``; the provider is called afterwards, on the network lane, by ``settle``
through the existing ``RefundRunner`` (same number on every retry; ``PaymentService
.settle_refunds`` finishes it after a restart). A bank card is refunded by the cashier on the
card terminal: the return records the instruction with the sale's approval code.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.ids import new_id
from pos_app.domain.money import Money
from pos_app.domain.payment_states import new_out_trade_no
from pos_app.domain.payments import TenderMethod
from pos_app.domain.pricing import Coupon
from pos_app.domain.returns import ReturnPlan, SoldSale, UsedCoupon, plan_return
from pos_app.domain.sales import order_number, order_number_prefix
from pos_app.domain.staff import Role
from pos_app.errors import UserError
from pos_app.persistence.repositories.payment_attempts import AttemptChanged
from pos_app.persistence.repositories.payment_refunds import (
    PaymentRefundRepository,
    RefundState,
    WalletRefund,
)
from pos_app.persistence.repositories.returns import SoldLineRecord, SoldRecord, TenderRecord
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.ports.printing import CashDrawer, PrintJob, ReceiptPrinter
from pos_app.services.approvals import ApprovalService
from pos_app.services.payment_refunds import RefundRunner, refund_view
from pos_app.services.printing import build_receipt
from pos_app.services.refund_views import (
    PaidTenderView,
    RefundPreview,
    ReturnableLineView,
    ReturnableSaleView,
    ReturnView,
    TenderRefundView,
)
from pos_app.services.views import SavingView

log = logging.getLogger(__name__)

Picks = Sequence[tuple[str, int]]
"""(sale line id, pieces to return)."""

DONE, REQUESTED, CARD_TERMINAL = "refunded", "refund_requested", "card_terminal"
"""Refund payment row states: given back in the transaction (cash from the drawer, stored
value, points); a wallet refund asked of the provider (its refund row says how it went); to
be refunded by the cashier on the card terminal."""


class RefundService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, bus: EventBus,
                 payment_refunds: RefundRunner | None, approvals: ApprovalService, *,
                 printer: ReceiptPrinter | None = None, drawer: CashDrawer | None = None,
                 store_code: str = "") -> None:
        self._uow = uow
        self._clock = clock
        self._bus = bus
        self._runner = payment_refunds
        self._approvals = approvals
        self._printer = printer
        self._drawer = drawer
        self._store_code = store_code

    def find_sale(self, number: str) -> ReturnableSaleView:
        """The sale with what is still returnable; UserError ``refund.unknown_order`` or
        ``refund.not_a_sale`` (the number of a return)."""
        with self._uow() as uow:
            sold = _sold(uow, number)
            member = None if sold.member_id is None else uow.members.get(sold.member_id)
            names = [c.name for c in _coupons(uow, sold.id)]
            savings = uow.sales.savings_detail(sold.id)
        by_line: dict[str | None, list[SavingView]] = {}
        for s in savings:
            by_line.setdefault(s.line_id, []).append(
                SavingView(s.reason, tuple(sorted(s.params.items())), s.amount, s.source))
        return ReturnableSaleView(
            id=sold.id, order_number=sold.order_number, completed_at=sold.completed_at,
            cashier_name=sold.cashier_name, member_name=None if member is None else member.name,
            total=sold.total, savings=sold.savings,
            lines=tuple(_line_view(r, tuple(by_line.get(r.line.line_id, ())))
                        for r in sold.lines),
            tenders=tuple(PaidTenderView(method=t.tender.method.value, provider=t.provider,
                                         amount=t.tender.amount, refunded=t.tender.refunded,
                                         points=t.tender.points) for t in sold.tenders),
            coupons=tuple(names), earlier_returns=sold.returns)

    def preview(self, number: str, lines: Picks) -> RefundPreview:
        """What returning ``lines`` would give back; writes nothing."""
        now = self._clock.now()
        with self._uow() as uow:
            sold = _sold(uow, number)
            coupons = _coupons(uow, sold.id)
        return _preview(sold, _plan(sold, coupons, lines, now), coupons)

    def refund(self, number: str, lines: Picks, *, cashier_id: str,
               manager_id: str) -> ReturnView:
        """Return ``lines`` of sale ``number`` and give the money back, or say why not (the
        ``refund.*`` refusals of ``domain.returns``; ``approval.required`` unless
        ``manager_id`` approved just before: the approval is used up)."""
        self._approvals.redeem(manager_id)
        now = self._clock.now()
        with self._uow() as uow:
            manager = _manager(uow, manager_id, cashier_id)
            sale_id = _sold(uow, number).id
            if not uow.returns.lock_sale(sale_id):
                raise UserError("refund.not_a_sale", number=number)
            sold = _sold(uow, number)  # read again under the lock
            coupons = _coupons(uow, sold.id)
            plan = _plan(sold, coupons, lines, now)
            writer = _ReturnWriter(uow, sold, plan, cashier_id, now)
            view = writer.write(manager.name, manager_id, _preview(sold, plan, coupons))
            uow.commit()
        try:
            self._hand_out(view)
        except Exception:  # the return is committed; its slip waits in print_jobs
            log.exception("refund slip of %s not sent", view.return_number)
        log.info("sale %s returned as %s: %s fen, approved by %s", number,
                 view.return_number, plan.total.fen, manager.staff_no)
        return view

    def settle(self, view: ReturnView) -> ReturnView:
        """Network lane: the one due provider call of each unfinished wallet refund of the
        return (refund again with the same number, or ask how it went)."""
        if self._runner is None or view.done:
            return view
        runner, purpose = self._runner, _purpose(view.return_id)
        moved: list[WalletRefund] = []
        for refund in runner.for_cart(view.sale_id):
            if refund.purpose != purpose:
                continue
            with contextlib.suppress(AttemptChanged):  # moved meanwhile by the background job
                refund = runner.step(refund)
            moved.append(refund)
        waits = [runner.seconds_to_next(r) for r in moved if not r.final]
        return replace(view, wallet=tuple(refund_view(r) for r in moved),
                       next_check_in_s=min(waits, default=0.0))

    def _hand_out(self, view: ReturnView) -> None:
        """After the commit: the slip (which kicks the drawer for cash), else the drawer.
        A slip that fails stays queued: ``PrintService.retry_waiting`` or a reprint of the
        return's number prints it (without opening the drawer again)."""
        cash = view.preview.cash.fen > 0
        if self._printer is not None:
            with self._uow() as uow:
                record = uow.sales.get(view.return_id)
                store = uow.sites.store(self._store_code)
            if record is not None and store is not None:
                receipt = replace(build_receipt(record, store), open_drawer=cash,
                                  footer=view.preview.order_number)
                self._printer.submit(PrintJob(job_id=view.print_job_id, receipt=receipt))
                return
        if cash and self._drawer is not None:
            self._drawer.open_drawer()


class _ReturnWriter:
    """Everything one return writes, inside the caller's transaction."""

    def __init__(self, uow: UnitOfWork, sold: SoldRecord, plan: ReturnPlan, cashier_id: str,
                 now: datetime) -> None:
        self._uow, self._sold, self._plan = uow, sold, plan
        self._cashier, self._now = cashier_id, now
        self._id = new_id()
        self._wallet: list[WalletRefund] = []

    def write(self, manager_name: str, manager_id: str, preview: RefundPreview) -> ReturnView:
        uow, sold, plan, now = self._uow, self._sold, self._plan, self._now
        number = _next_number(uow, now)
        uow.returns.add_order(
            self._id, sale_id=sold.id, number=number, store_id=uow.site.store_id,
            terminal_id=uow.site.terminal_id, cashier_id=self._cashier,
            member_id=sold.member_id, lines=plan.lines, at=now)
        self._lines()
        for part in plan.tenders:
            self._tender(part.payment_id, part.amount, part.points)
        taken = self._member_and_coupons()
        job_id = new_id()
        uow.print_jobs.add(job_id, self._id, now)
        self._record(number, manager_id, taken)
        return ReturnView(return_id=self._id, sale_id=sold.id, return_number=number,
                          preview=preview, manager_name=manager_name, points_taken_back=taken,
                          wallet=tuple(refund_view(r) for r in self._wallet),
                          print_job_id=job_id)

    def _lines(self) -> None:
        by_id = {r.line.line_id: r for r in self._sold.lines}
        for position, part in enumerate(self._plan.lines):
            if not self._uow.returns.take_back(part.line_id, part.quantity):
                raise UserError("refund.more_than_left", left=0)  # another till, a moment ago
            record = by_id[part.line_id]
            self._uow.returns.add_line(new_id(), self._id, record, part, position)
            pieces = record.grams if record.grams is not None else part.quantity
            self._uow.returns.put_back(record.product_id, pieces)

    def _tender(self, payment_id: str, amount: Money, points: int) -> None:
        uow, now = self._uow, self._now
        original = next(t for t in self._sold.tenders if t.tender.payment_id == payment_id)
        method, ref = original.tender.method, original.reference
        state, reference = DONE, ref
        if method is TenderMethod.STORED_VALUE and ref is not None:
            uow.stored_value.refund(ref, amount, order_id=self._sold.id,
                                    terminal_code=uow.site.terminal_code,
                                    actor_id=self._cashier, at=now)
        elif method is TenderMethod.POINTS and ref is not None and points > 0:
            uow.points.give_back(ref, points, self._sold.id, now)
        elif method is TenderMethod.BANK_CARD:
            state = CARD_TERMINAL
        elif method in (TenderMethod.PAYMENT_CODE, TenderMethod.DYNAMIC_QR):
            state, reference = REQUESTED, self._wallet_refund(original, amount)
        uow.returns.add_refund(new_id(), self._id, original=original, amount=amount,
                               state=state, at=now, reference=reference, points=points)

    def _wallet_refund(self, original: TenderRecord, amount: Money) -> str:
        """The provider refund, stored REQUESTED with its number before any call."""
        attempt = self._uow.attempts.by_out_trade_no(original.out_trade_no or "")
        if attempt is None:
            raise ValueError(f"no payment attempt for wallet tender {original.out_trade_no}")
        refund = WalletRefund(
            id=new_id(), attempt_id=attempt.id, order_id=self._sold.id,
            out_trade_no=attempt.out_trade_no,
            out_refund_no="R" + new_out_trade_no(self._uow.site.terminal_code, self._now)[1:],
            provider=attempt.provider, purpose=_purpose(self._id), amount=amount,
            total=attempt.amount, state=RefundState.REQUESTED, created_at=self._now,
            updated_at=self._now)
        PaymentRefundRepository(self._uow.session).add(refund)
        self._wallet.append(refund)
        return refund.out_refund_no

    def _member_and_coupons(self) -> int:
        uow, sold, plan, now = self._uow, self._sold, self._plan, self._now
        taken = 0
        if sold.member_id is not None and plan.points_taken_back > 0:
            taken = uow.points.reverse(sold.member_id, plan.points_taken_back, sold.id, now)
        for coupon_id in plan.coupons_given_back:
            if uow.coupons.release(coupon_id, sold.id):
                uow.audit.append(now, actor_id=self._cashier, action="coupon.released",
                                 subject=sold.id, details={"coupon": coupon_id,
                                                           "return": self._id})
        return taken

    def _record(self, number: str, manager_id: str, points_taken: int) -> None:
        uow, plan, now = self._uow, self._plan, self._now
        details = {
            "order": self._sold.order_number, "return": number, "total_fen": plan.total.fen,
            "manager": manager_id, "cashier": self._cashier,
            "lines": [{"line": p.line_id, "quantity": p.quantity, "fen": p.refund.fen}
                      for p in plan.lines],
            "tenders": [{"method": t.method.value, "fen": t.amount.fen, "points": t.points}
                        for t in plan.tenders],
            "points_taken_back": points_taken, "coupons": list(plan.coupons_given_back),
        }
        uow.journal.append("sale.returned", now, order_id=self._id, payload=details)
        uow.audit.append(now, actor_id=self._cashier, action="sale.returned",
                         subject=self._sold.id, details=details)
        cash = sum(t.amount.fen for t in plan.tenders if t.method is TenderMethod.CASH)
        if cash:
            uow.audit.append(now, actor_id=self._cashier, action="drawer.opened",
                             subject=self._id, details={"reason": "cash refund",
                                                        "manager": manager_id})


def _sold(uow: UnitOfWork, number: str) -> SoldRecord:
    text = number.strip().upper()
    found = uow.returns.sale_id(text, uow.site.store_id)
    if found is None:
        raise UserError("refund.unknown_order", number=text)
    if found[1] != "sale":
        raise UserError("refund.not_a_sale", number=text)
    sold = uow.returns.sold(found[0])
    if sold is None:
        raise UserError("refund.unknown_order", number=text)
    return sold


def _coupons(uow: UnitOfWork, sale_id: str) -> list[Coupon]:
    found = (uow.coupons.get(coupon_id) for coupon_id in uow.coupons.redeemed_by(sale_id))
    return [coupon for coupon in found if coupon is not None]


def _plan(sold: SoldRecord, coupons: list[Coupon], lines: Picks, now: datetime) -> ReturnPlan:
    if all(r.line.returnable == 0 for r in sold.lines):
        raise UserError("refund.nothing_left", number=sold.order_number)
    sale = SoldSale(total=sold.total, lines=tuple(r.line for r in sold.lines),
                    tenders=tuple(t.tender for t in sold.tenders),
                    points_earned=sold.points_earned,
                    coupons=tuple(UsedCoupon(c.id, c.kind, c.valid_until) for c in coupons))
    return plan_return(sale, lines, now)


def _preview(sold: SoldRecord, plan: ReturnPlan, coupons: list[Coupon]) -> RefundPreview:
    names = {r.line.line_id: r.name for r in sold.lines}
    tenders = {t.tender.payment_id: t for t in sold.tenders}
    coupon_names = {c.id: c.name for c in coupons}
    return RefundPreview(
        order_number=sold.order_number, total=plan.total,
        lines=tuple((names[p.line_id], p.quantity, p.refund) for p in plan.lines),
        tenders=tuple(TenderRefundView(
            method=t.method.value, provider=tenders[t.payment_id].provider, amount=t.amount,
            points=t.points,
            reference=tenders[t.payment_id].reference
            if t.method is TenderMethod.BANK_CARD else None) for t in plan.tenders),
        points_taken_back=plan.points_taken_back,
        coupons_given_back=tuple(coupon_names[c] for c in plan.coupons_given_back),
        whole_sale=plan.whole_sale)


def _manager(uow: UnitOfWork, manager_id: str, cashier_id: str) -> _Staff:
    cashier, manager = uow.staff.by_id(cashier_id), uow.staff.by_id(manager_id)
    if cashier is None or not cashier.active:
        raise ValueError(f"no active staff with id {cashier_id!r}")
    if manager is None or not manager.active or manager.role != Role.MANAGER:
        raise UserError("approval.required")
    return _Staff(manager.name, manager.staff_no)


@dataclass(frozen=True, slots=True)
class _Staff:
    name: str
    staff_no: str


def _line_view(r: SoldLineRecord, savings: tuple[SavingView, ...]) -> ReturnableLineView:
    line = r.line
    return ReturnableLineView(
        line_id=line.line_id, name=r.name, sku=r.sku, quantity=line.quantity, grams=r.grams,
        unit_price=r.unit_price, amount=line.amount, discount=line.discount, paid=line.total,
        returned=line.returned, returnable=line.returnable, weighed=line.weighed,
        savings=savings)


def _next_number(uow: UnitOfWork, now: datetime) -> str:
    """Returns are numbered with the sales of the terminal's day: one receipt sequence."""
    tz = uow.site.time_zone
    seq = uow.sales.next_daily_seq(order_number_prefix(uow.site.terminal_code, now, tz))
    return order_number(uow.site.terminal_code, now, tz, seq)


def _purpose(return_id: str) -> str:
    """The refund row's purpose: unique per return, 32 characters."""
    return "ret:" + return_id.replace("-", "")[:28]


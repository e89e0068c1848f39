"""PrintService: turns committed print jobs into receipts for the printer port.

A job row is written with the sale; this service hands it to the printer after the commit and
records the outcome. A failed job stays "failed" and is printed again by ``retry_waiting``, or
on request by ``reprint`` (a copy, marked as such). Jobs wait by themselves too: after a job
failed, the next sign that the printer is back (its status poll answering online, or another
job printing) sends every waiting job again, oldest first, so a receipt left behind by an
unplugged or paper-out printer comes out once it is fixed, without anyone asking.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.ids import new_id
from pos_app.domain.money import Money
from pos_app.domain.receipts import Receipt, ReceiptLine, ReceiptTender
from pos_app.domain.savings_display import is_order_level, summed
from pos_app.errors import UserError
from pos_app.events import DeviceStatusChanged, PrintJobFinished, SaleCompleted
from pos_app.persistence.repositories.sales import SaleRecord
from pos_app.persistence.repositories.staff import StoreRecord
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.ports.printing import PrintJob, ReceiptPrinter
from pos_app.services.views import CartView

log = logging.getLogger(__name__)


class PrintService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, bus: EventBus,
                 printer: ReceiptPrinter | None, *, store_code: str) -> None:
        self._uow = uow
        self._clock = clock
        self._printer = printer
        self._store_code = store_code
        self._lock = threading.Lock()
        self._printer_down = False
        bus.subscribe(SaleCompleted, self._on_sale_completed)
        bus.subscribe(PrintJobFinished, self._on_job_finished)
        bus.subscribe(DeviceStatusChanged, self._on_device_status)

    def reprint(self, order_number: str) -> str:
        with self._uow() as uow:
            order_id = uow.sales.by_number(order_number.strip())
            if order_id is None:
                raise UserError("print.unknown_order", number=order_number)
            job_id = new_id()
            uow.print_jobs.add(job_id, order_id, self._clock.now(), copy=True)
            uow.commit()
        self._send(job_id, order_id, copy=True)
        return job_id

    @property
    def has_printer(self) -> bool:
        return self._printer is not None

    def print_order_slip(self, cart: CartView, *, qr_text: str, cashier_name: str,
                         footer: str) -> str | None:
        """An order slip (订单POS on paper): the open order ``cart`` as a ``Receipt`` with no
        tenders, ``footer`` (until when and how to pay, in the store's language) and the signed
        order QR as ``qr_text``. Sent once and not stored as a job: there is no sale to rebuild
        it from, and F7 makes a fresh one. Returns the job id, or None without a printer."""
        if self._printer is None:
            return None
        with self._uow() as uow:
            store = uow.sites.store(self._store_code)
            terminal_code = uow.site.terminal_code
        if store is None:
            raise UserError("print.unknown_order", number=cart.id)
        receipt = Receipt(
            store_name=store.name, store_address=store.address, terminal_code=terminal_code,
            cashier_name=cashier_name, order_number=cart.id, sold_at=self._clock.now(),
            time_zone=store.time_zone, lines=_slip_lines(cart), item_count=cart.item_count,
            subtotal=cart.subtotal, savings=cart.savings, total=cart.total, tenders=(),
            change=Money(0), footer=footer, qr_text=qr_text,
            title_key="receipt.order_slip_title", qr_hint_key="receipt.order_slip_qr_hint",
            order_savings=_slip_order_savings(cart))
        job_id = new_id()
        self._printer.submit(PrintJob(job_id=job_id, receipt=receipt))
        return job_id

    def retry_waiting(self) -> int:
        """Send every job not yet printed again, oldest first; returns how many were sent."""
        with self._uow() as uow:
            waiting = uow.print_jobs.waiting()
        for job_id, order_id, copy in waiting:
            self._send(job_id, order_id, copy=copy)
        return len(waiting)

    def receipt(self, order_id: str) -> Receipt:
        with self._uow() as uow:
            sale = uow.sales.get(order_id)
            store = uow.sites.store(self._store_code)
        if sale is None or store is None:
            raise UserError("print.unknown_order", number=order_id)
        return build_receipt(sale, store)

    def _on_sale_completed(self, event: SaleCompleted) -> None:
        with self._uow() as uow:
            waiting = [j for j in uow.print_jobs.waiting() if j[1] == event.sale_id]
        for job_id, order_id, copy in waiting:
            self._send(job_id, order_id, copy=copy, open_drawer=not copy)

    def _on_job_finished(self, event: PrintJobFinished) -> None:
        with self._uow() as uow:
            uow.print_jobs.finish(event.job_id, event.ok, event.error_code)
            uow.commit()
        if not event.ok:
            with self._lock:
                self._printer_down = True
        else:
            self._printer_back()

    def _on_device_status(self, event: DeviceStatusChanged) -> None:
        if event.device == "printer" and event.online:
            self._printer_back()

    def _printer_back(self) -> None:
        """Send the waiting jobs once per recovery (a failure arms it again)."""
        with self._lock:
            if not self._printer_down:
                return
            self._printer_down = False
        with self._uow() as uow:
            failed = uow.print_jobs.requeue_failed()
            uow.commit()
        for job_id, order_id, copy in failed:
            self._send(job_id, order_id, copy=copy)
        if failed:
            log.info("printer back: %d waiting print job(s) sent again", len(failed))

    def _send(self, job_id: str, order_id: str, *, copy: bool, open_drawer: bool = False) -> None:
        """Only the first attempt of a sale's own receipt kicks the drawer: a retry hours later
        or a reprint must not open it again."""
        if self._printer is None:
            return
        receipt = replace(self.receipt(order_id), open_drawer=open_drawer)
        self._printer.submit(PrintJob(job_id=job_id, receipt=receipt, copy=copy))


def build_receipt(sale: SaleRecord, store: StoreRecord) -> Receipt:
    lines = tuple(
        ReceiptLine(name=line.name,
                    quantity_text=_weight(line.grams) if line.grams is not None
                    else str(line.quantity),
                    unit_price=line.unit_price, amount=line.amount,
                    savings=_savings_of(sale, line.id))
        for line in sale.lines)
    cash = any(p.method == "cash" for p in sale.payments)
    count = sum(1 if line.grams is not None else line.quantity for line in sale.lines)
    return Receipt(
        store_name=store.name, store_address=store.address, terminal_code=sale.terminal_code,
        cashier_name=sale.cashier_name, order_number=sale.order_number,
        sold_at=sale.completed_at, time_zone=store.time_zone, lines=lines, item_count=count,
        subtotal=sale.subtotal, savings=sale.savings, total=sale.total,
        tenders=tuple(ReceiptTender(p.method, p.tendered if p.method == "cash" else p.amount)
                      for p in sale.payments),
        change=sale.change, open_drawer=cash, barcode_text=sale.order_number,
        title_key="receipt.refund_title" if sale.kind == "return" else "receipt.title",
        order_savings=_order_savings(sale))


def _savings_of(sale: SaleRecord, line_id: str) -> tuple[tuple[str, Money], ...]:
    """Under each line, what it saved and why. On paper a promotion or a coupon is named as
    the store named it ("第二件半价"); the member price by its message key, which the receipt
    renderer translates."""
    return tuple((saving.params.get("name") or saving.reason, saving.amount)
                 for saving in sale.savings_detail
                 if saving.line_id == line_id and not is_order_level(saving.reason))


def _order_savings(sale: SaleRecord) -> tuple[tuple[str, Money], ...]:
    """Spend-and-save and money coupons, once each with their sum."""
    parts = ((saving.params.get("name") or saving.reason, saving.amount.fen)
             for saving in sale.savings_detail if is_order_level(saving.reason))
    return tuple((name, Money(fen)) for name, fen in summed(parts))


def _slip_lines(cart: CartView) -> tuple[ReceiptLine, ...]:
    return tuple(
        ReceiptLine(name=line.name,
                    quantity_text=_weight(line.grams) if line.grams is not None
                    else str(line.quantity),
                    unit_price=line.unit_price, amount=line.amount,
                    savings=tuple((s.params_dict.get("name") or s.reason, s.amount)
                                  for s in line.reasons if not is_order_level(s.reason)))
        for line in cart.lines)


def _slip_order_savings(cart: CartView) -> tuple[tuple[str, Money], ...]:
    parts = ((s.params_dict.get("name") or s.reason, s.amount.fen)
             for line in cart.lines for s in line.reasons if is_order_level(s.reason))
    return tuple((name, Money(fen)) for name, fen in summed(parts))


def _weight(grams: int) -> str:
    """Grams as kilograms with three decimals, by integer arithmetic: 532 -> "0.532kg"."""
    return f"{grams // 1000}.{grams % 1000:03d}kg"

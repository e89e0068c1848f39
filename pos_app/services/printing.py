"""PrintService: turns committed print jobs into receipts for the printer port.

A job row is written with the sale; this service hands it to the printer after the commit and
records the outcome. A failed job stays "failed" and is printed again by ``retry_waiting`` (the
printer came back) or on request by ``reprint`` (a copy, marked as such).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.ids import new_id
from pos_app.domain.money import Money
from pos_app.domain.receipts import Receipt, ReceiptLine, ReceiptTender
from pos_app.domain.savings_display import is_order_level, summed
from pos_app.errors import UserError
from pos_app.events import PrintJobFinished, SaleCompleted
from pos_app.persistence.repositories.sales import SaleRecord
from pos_app.persistence.repositories.staff import StoreRecord
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.ports.printing import PrintJob, ReceiptPrinter

log = logging.getLogger(__name__)


class PrintService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, bus: EventBus,
                 printer: ReceiptPrinter | None, *, store_code: str) -> None:
        self._uow = uow
        self._clock = clock
        self._printer = printer
        self._store_code = store_code
        bus.subscribe(SaleCompleted, self._on_sale_completed)
        bus.subscribe(PrintJobFinished, self._on_job_finished)

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


def _weight(grams: int) -> str:
    """Grams as kilograms with three decimals, by integer arithmetic: 532 -> "0.532kg"."""
    return f"{grams // 1000}.{grams % 1000:03d}kg"

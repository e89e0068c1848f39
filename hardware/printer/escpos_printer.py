"""EscposReceiptPrinter: the ReceiptPrinter and CashDrawer ports over an ESC/POS printer.

submit() and open_drawer() only queue work; rendering and writing happen on the printer's own
DeviceWorker thread. Every print job ends in exactly one on_finished(job_id, ok, error_code)
call on that thread; nothing is raised into the caller, so a printer out of paper never stops
a sale, and the job id lets the core reprint later.
"""

from __future__ import annotations

import logging

from hardware.device_worker import DeviceWorker
from hardware.printer.profiles import PrinterProfile
from hardware.printer.receipt_renderer import render_drawer_kick, render_receipt
from hardware.printer.transports import PrinterTransport
from pos_app.errors import PrinterOffline
from pos_app.i18n import Catalog
from pos_app.ports.printing import PRINTER_FAILED, PRINTER_OFFLINE, PrintJob, PrintJobCallback

log = logging.getLogger(__name__)


class EscposReceiptPrinter:
    def __init__(
        self,
        transport: PrinterTransport,
        profile: PrinterProfile,
        catalog: Catalog,
        *,
        on_finished: PrintJobCallback,
        name: str = "printer",
    ) -> None:
        self._transport = transport
        self._profile = profile
        self._catalog = catalog
        self._on_finished = on_finished
        self._worker = DeviceWorker(name)

    def submit(self, job: PrintJob) -> None:
        """Queue the job; on_finished follows on the printer thread. RuntimeError after close()."""
        self._worker.submit(lambda: self._print(job))

    def open_drawer(self) -> None:
        """Kick the drawer without printing; a failure is logged (the port has no reply)."""
        self._worker.submit(self._kick_drawer)

    def close(self, timeout: float = 5.0) -> None:
        """Finish the queued jobs, stop the thread and release the connection."""
        if self._worker.close(timeout):
            self._transport.close()  # not under a job that is still writing

    def _print(self, job: PrintJob) -> None:
        error_code = self._try_print(job)
        self._on_finished(job.job_id, error_code is None, error_code)

    def _try_print(self, job: PrintJob) -> str | None:
        """None when the receipt went out, else the error code for on_finished."""
        try:
            data = render_receipt(job.receipt, self._profile, self._catalog, copy=job.copy)
            self._transport.write(data)
        except PrinterOffline as exc:
            log.warning("print job %s: printer offline: %s", job.job_id, exc)
            return PRINTER_OFFLINE
        except Exception:  # a bug: log it, report the job, keep the printer thread going
            log.exception("print job %s failed", job.job_id)
            return PRINTER_FAILED
        log.info("print job %s printed (%d bytes)", job.job_id, len(data))
        return None

    def _kick_drawer(self) -> None:
        if not self._profile.drawer_pins:
            log.warning("drawer kick asked for, but profile %s has no pins", self._profile.name)
            return
        try:
            self._transport.write(render_drawer_kick(self._profile))
        except PrinterOffline as exc:
            log.warning("cash drawer not opened: %s", exc)

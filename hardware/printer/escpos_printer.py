"""EscposReceiptPrinter: the ReceiptPrinter and CashDrawer ports over an ESC/POS printer.

submit() and open_drawer() only queue work; rendering and writing happen on the printer's own
DeviceWorker thread. Every print job ends in exactly one on_finished(job_id, ok, error_code)
call on that thread; nothing is raised into the caller, so a printer out of paper never stops
a sale, and the job id lets the core reprint later.

poll_status() queues a real-time status request (status.py) over transports that can read;
its answer goes to on_status(online, detail) on the printer thread, detail being "ok", the
problems joined by "," (paper_low, paper_out, cover_open, error, offline, no_reply,
unreachable), or "online" where the printer cannot be asked (file transport, or a profile
without real_time_status).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from hardware.device_worker import DeviceWorker
from hardware.printer.profiles import PrinterProfile
from hardware.printer.raster import RasterFont, RasterImage, find_font, load_logo
from hardware.printer.receipt_renderer import render_drawer_kick, render_receipt
from hardware.printer.status import REQUESTS, UNREACHABLE, PrinterStatus, parse_status
from hardware.printer.transports import PrinterTransport, StatusTransport
from pos_app.errors import ConfigError, PrinterOffline
from pos_app.i18n import Catalog
from pos_app.ports.printing import PRINTER_FAILED, PRINTER_OFFLINE, PrintJob, PrintJobCallback

log = logging.getLogger(__name__)

StatusCallback = Callable[[bool, str], None]
"""(online, detail) on the printer thread; the composition root publishes DeviceStatusChanged."""
NOT_ASKED = "online"
"""The detail when the printer cannot report its status: reachable as far as we know."""


class EscposReceiptPrinter:
    def __init__(
        self,
        transport: PrinterTransport,
        profile: PrinterProfile,
        catalog: Catalog,
        *,
        on_finished: PrintJobCallback,
        on_status: StatusCallback | None = None,
        logo: Path | None = None,
        fonts_dir: Path | None = None,
        status_timeout_s: float = 1.0,
        name: str = "printer",
    ) -> None:
        """``logo``: a PNG printed at the top of each receipt. ``fonts_dir``: where a raster
        profile looks for its CJK font first (ConfigError here when there is none)."""
        self._transport = transport
        self._profile = profile
        self._catalog = catalog
        self._on_finished = on_finished
        self._on_status = on_status
        self._font = RasterFont(find_font(fonts_dir)) if profile.raster else None
        self._logo_path = logo
        self._logo: RasterImage | None = None
        self._status_timeout_s = status_timeout_s
        self._poll: threading.Timer | None = None
        self._closed = threading.Event()
        self._worker = DeviceWorker(name)

    def submit(self, job: PrintJob) -> None:
        """Queue the job; on_finished follows on the printer thread. RuntimeError after close()."""
        self._worker.submit(lambda: self._print(job))

    def open_drawer(self) -> None:
        """Kick the drawer without printing; a failure is logged (the port has no reply)."""
        self._worker.submit(self._kick_drawer)

    def poll_status(self) -> None:
        """Queue one status request; on_status follows on the printer thread."""
        self._worker.submit(self._report_status)

    def poll_status_every(self, interval_s: float) -> None:
        """Poll now and then every ``interval_s`` seconds until close()."""
        self._schedule_poll(interval_s, first=True)

    def close(self, timeout: float = 5.0) -> None:
        """Finish the queued jobs, stop the thread and release the connection."""
        self._closed.set()
        poll = self._poll
        if poll is not None:
            poll.cancel()
        if self._worker.close(timeout):
            self._transport.close()  # not under a job that is still writing

    def _print(self, job: PrintJob) -> None:
        error_code = self._try_print(job)
        self._on_finished(job.job_id, error_code is None, error_code)

    def _try_print(self, job: PrintJob) -> str | None:
        """None when the receipt went out, else the error code for on_finished."""
        try:
            data = render_receipt(
                job.receipt,
                self._profile,
                self._catalog,
                copy=job.copy,
                logo=self._logo_image(),
                font=self._font,
            )
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

    def _logo_image(self) -> RasterImage | None:
        """The logo, read once on the printer thread; an unreadable file is logged once."""
        if self._logo is None and self._logo_path is not None:
            try:
                self._logo = load_logo(self._logo_path, self._profile)
            except ConfigError as exc:
                log.error("receipts print without the logo: %s", exc)
                self._logo_path = None
        return self._logo

    def _report_status(self) -> None:
        status = self._read_status()
        detail = NOT_ASKED if status is None else status.detail
        online = True if status is None else status.online
        log.debug("printer status: %s", detail)
        if self._on_status is not None:
            self._on_status(online, detail)

    def _read_status(self) -> PrinterStatus | None:
        transport = self._transport
        if not self._profile.real_time_status or not isinstance(transport, StatusTransport):
            return None
        try:
            return parse_status(transport.exchange(REQUESTS, self._status_timeout_s))
        except PrinterOffline as exc:
            log.warning("printer status: %s", exc)
            return UNREACHABLE

    def _schedule_poll(self, interval_s: float, *, first: bool = False) -> None:
        if self._closed.is_set():
            return
        timer = threading.Timer(0 if first else interval_s, self._poll_due, (interval_s,))
        timer.daemon = True
        self._poll = timer
        timer.start()

    def _poll_due(self, interval_s: float) -> None:
        """On the timer's thread: queue the poll on the printer thread, then re-arm."""
        try:
            self._worker.submit(self._report_status)
        except RuntimeError:
            return  # closed
        self._schedule_poll(interval_s)

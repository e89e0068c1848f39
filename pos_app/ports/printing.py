"""Ports for the receipt printer and the cash drawer it drives.

Both return at once: the device runs the work on its own thread and reports a print job's
outcome through a ``PrintJobCallback`` given to the adapter (the composition root wires it to
the bus as ``PrintJobFinished``). A failed job keeps its ``job_id`` so the receipt can be
reprinted; nothing is lost when the printer is offline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from pos_app.domain.receipts import Receipt

PRINTER_OFFLINE: Final = "printer.offline"
"""Error code: the printer could not be reached (unplugged, powered off, out of paper)."""

PRINTER_FAILED: Final = "printer.failed"
"""Error code: the job failed for another reason (a bug, logged with its traceback)."""

PrintJobCallback = Callable[[str, bool, str | None], None]
"""Called on the device thread with (job_id, ok, error_code); error_code is None when ok."""


@dataclass(frozen=True, slots=True)
class PrintJob:
    job_id: str
    receipt: Receipt
    copy: bool = False
    """True for a reprint: the receipt carries a visible "reprint" marker."""


class ReceiptPrinter(Protocol):
    def submit(self, job: PrintJob) -> None:
        """Queue the job and return at once; the outcome arrives through the job callback."""
        ...


class CashDrawer(Protocol):
    def open_drawer(self) -> None:
        """Queue a drawer kick and return at once."""
        ...

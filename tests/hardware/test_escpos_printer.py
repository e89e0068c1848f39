"""The printer adapter prints in the background and reports every job; an offline printer
never stops the till, and the receipt can go out once the printer is back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from escpos_decode import DrawerKick, decode
from receipt_samples import a_receipt, a_receipt_with_oil_on_offer, chinese_catalog

from hardware.printer.escpos_printer import EscposReceiptPrinter
from hardware.printer.profiles import preset
from hardware.printer.receipt_renderer import render_receipt
from hardware.printer.transports import FileTransport, PrinterTransport
from pos_app.domain.money import Money
from pos_app.domain.receipts import ReceiptLine
from pos_app.ports.printing import CashDrawer, PrintJob, ReceiptPrinter

PROFILE = preset("80mm-gb18030")
WAIT = 5.0


@dataclass
class JobResults:
    """Collects on_finished calls and lets a test wait for them without sleeping."""

    results: list[tuple[str, bool, str | None]] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, job_id: str, ok: bool, error_code: str | None) -> None:
        with self._arrived:
            self.results.append((job_id, ok, error_code))
            self._arrived.notify_all()

    def wait_for(self, count: int) -> list[tuple[str, bool, str | None]]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.results) >= count, WAIT)
            return list(self.results)


@pytest.fixture
def results() -> JobResults:
    return JobResults()


def a_printer(transport: PrinterTransport, results: JobResults) -> EscposReceiptPrinter:
    return EscposReceiptPrinter(transport, PROFILE, chinese_catalog(), on_finished=results)


@pytest.fixture
def paper_file(tmp_path: Path) -> Path:
    return tmp_path / "demo-printer.bin"


@pytest.fixture
def demo_printer(paper_file: Path, results: JobResults) -> Iterator[EscposReceiptPrinter]:
    printer = a_printer(FileTransport(paper_file), results)
    yield printer
    printer.close()


def test_the_adapter_serves_as_receipt_printer_and_cash_drawer(
    demo_printer: EscposReceiptPrinter,
) -> None:
    ports: tuple[ReceiptPrinter, CashDrawer] = (demo_printer, demo_printer)  # checked by mypy

    assert all(port is demo_printer for port in ports)


def test_the_demo_printer_writes_the_rendered_receipt_to_its_file_and_reports_success(
    demo_printer: EscposReceiptPrinter, paper_file: Path, results: JobResults
) -> None:
    receipt = a_receipt()

    demo_printer.submit(PrintJob("job-1", receipt))

    assert results.wait_for(1) == [("job-1", True, None)]
    assert paper_file.read_bytes() == render_receipt(receipt, PROFILE, chinese_catalog())


def test_receipts_come_out_in_the_order_they_were_submitted(
    demo_printer: EscposReceiptPrinter, paper_file: Path, results: JobResults
) -> None:
    first, second = a_receipt(), a_receipt_with_oil_on_offer()

    demo_printer.submit(PrintJob("first", first))
    demo_printer.submit(PrintJob("second", second, copy=True))

    assert [job for job, _, _ in results.wait_for(2)] == ["first", "second"]
    expected = render_receipt(first, PROFILE, chinese_catalog()) + render_receipt(
        second, PROFILE, chinese_catalog(), copy=True
    )
    assert paper_file.read_bytes() == expected
    assert "补打小票" in decode(paper_file.read_bytes(), "gb18030").all_text


def test_opening_the_drawer_sends_only_the_kick(
    demo_printer: EscposReceiptPrinter, paper_file: Path, results: JobResults
) -> None:
    marker = a_receipt(open_drawer=False)
    demo_printer.open_drawer()
    demo_printer.submit(PrintJob("marker", marker))  # tells the test the kick has gone out
    results.wait_for(1)

    written = paper_file.read_bytes()
    marker_bytes = render_receipt(marker, PROFILE, chinese_catalog())
    assert written.endswith(marker_bytes)
    kick = decode(written[: -len(marker_bytes)], "gb18030")
    assert kick.commands == ["ESC p 0 50 50", "ESC p 1 50 50"]
    assert kick.drawer_kicks == [DrawerKick(2, 100, 100), DrawerKick(5, 100, 100)]


def test_an_unplugged_printer_reports_the_job_offline_and_prints_the_next_once_back(
    tmp_path: Path, results: JobResults
) -> None:
    unplugged = tmp_path / "printer-not-connected" / "paper.bin"  # its folder does not exist
    printer = a_printer(FileTransport(unplugged), results)

    printer.submit(PrintJob("while-offline", a_receipt()))
    assert results.wait_for(1) == [("while-offline", False, "printer.offline")]

    unplugged.parent.mkdir()  # the printer is plugged back in
    printer.submit(PrintJob("reprint", a_receipt(), copy=True))
    assert results.wait_for(2)[1] == ("reprint", True, None)
    assert "补打小票" in decode(unplugged.read_bytes(), "gb18030").all_text
    printer.close()


def test_a_drawer_kick_on_an_offline_printer_is_logged_and_does_not_raise(
    tmp_path: Path, results: JobResults, caplog: pytest.LogCaptureFixture
) -> None:
    printer = a_printer(FileTransport(tmp_path / "missing" / "paper.bin"), results)

    with caplog.at_level(logging.WARNING, logger="hardware.printer.escpos_printer"):
        printer.open_drawer()
        printer.submit(PrintJob("after-kick", a_receipt()))
        results.wait_for(1)

    assert "cash drawer not opened" in caplog.text
    printer.close()


def test_a_receipt_the_renderer_cannot_handle_is_reported_failed_with_a_logged_traceback(
    demo_printer: EscposReceiptPrinter, results: JobResults, caplog: pytest.LogCaptureFixture
) -> None:
    broken_line = ReceiptLine("香蕉", "1", None, Money(100))  # type: ignore[arg-type]

    with caplog.at_level(logging.ERROR, logger="hardware.printer.escpos_printer"):
        demo_printer.submit(PrintJob("broken", a_receipt(lines=(broken_line,))))
        demo_printer.submit(PrintJob("fine", a_receipt()))
        outcomes = results.wait_for(2)

    assert outcomes == [("broken", False, "printer.failed"), ("fine", True, None)]
    assert any(record.exc_info for record in caplog.records)

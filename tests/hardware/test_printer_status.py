"""Printer status: DLE EOT answers read into paper low / out / cover open / offline, polled over
the transports that can read (a TCP printer and a serial pty here) and reported through
on_status; a file printer cannot be asked and reports "online"."""

from __future__ import annotations

import dataclasses
import itertools
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from escpos_decode import decode
from receipt_samples import chinese_catalog
from serial_pty import WAIT, PtyCable

from hardware.printer.escpos_printer import EscposReceiptPrinter
from hardware.printer.profiles import PrinterProfile, preset
from hardware.printer.status import REQUESTS, PrinterProblem, is_status_byte, parse_status
from hardware.printer.transports import (
    FileTransport,
    NetworkTransport,
    PrinterTransport,
    SerialTransport,
)

PROFILE = preset("80mm-gb18030")
TIMEOUT_S = 0.3
OK = (0x12, 0x12, 0x12)
"""Answers to DLE EOT 1, 2, 4 of a printer with nothing to report."""


@dataclass
class Reports:
    """on_status calls, waited for without sleeping."""

    calls: list[tuple[bool, str]] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, online: bool, detail: str) -> None:
        with self._arrived:
            self.calls.append((online, detail))
            self._arrived.notify_all()

    def wait_for(self, count: int) -> tuple[bool, str]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.calls) >= count, WAIT), self.calls
            return self.calls[count - 1]


def answers_to(requests: bytes, status: tuple[int, int, int]) -> bytes:
    """What a printer sends back for the DLE EOT n requests in ``requests``."""
    by_n = dict(zip((1, 2, 4), status, strict=True))
    return bytes(by_n[requests[i + 2]] for i in range(len(requests) - 2)
                 if requests[i : i + 2] == b"\x10\x04")  # fmt: skip


class TcpPrinter:
    """A port-9100 printer on localhost that answers DLE EOT with ``status`` (None: silent)."""

    def __init__(self, status: tuple[int, int, int] | None) -> None:
        self.status = status
        self.received = bytearray()
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return  # closed
            self.connections += 1
            with connection:
                while chunk := connection.recv(64):
                    self.received += chunk
                    if self.status is not None:
                        connection.sendall(answers_to(chunk, self.status))

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def reports() -> Reports:
    return Reports()


def a_printer(
    transport: PrinterTransport, reports: Reports, profile: PrinterProfile = PROFILE
) -> EscposReceiptPrinter:
    return EscposReceiptPrinter(
        transport, profile, chinese_catalog(), on_finished=lambda *_: None, on_status=reports,
        status_timeout_s=TIMEOUT_S,
    )  # fmt: skip


def poll_once(printer: EscposReceiptPrinter, reports: Reports) -> tuple[bool, str]:
    printer.poll_status()
    result = reports.wait_for(len(reports.calls) + 1)
    printer.close()
    return result


# --- what the answers mean -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "online", "detail"),
    [
        (OK, True, "ok"),
        ((0x12, 0x12, 0x1E), True, "paper_low"),  # near-end sensor: still prints
        ((0x1A, 0x16, 0x12), False, "cover_open"),
        ((0x1A, 0x32, 0x7E), False, "paper_out"),
        ((0x1A, 0x12, 0x72), False, "paper_out"),
        ((0x1A, 0x52, 0x12), False, "error"),
        ((0x1A, 0x12, 0x12), False, "offline"),  # offline, cause not given
        ((0x1A, 0x76, 0x7E), False, "paper_out,cover_open,error"),
    ],
)
def test_status_answers(answers: tuple[int, int, int], online: bool, detail: str) -> None:
    status = parse_status([bytes([a]) for a in answers])
    assert (status.online, status.detail) == (online, detail)


COMBINATIONS = list(itertools.product([0, 0x08], [0, 0x04], [0, 0x20], [0, 0x40],
                                      [0, 0x0C], [0, 0x60]))  # fmt: skip


@pytest.mark.parametrize(("offline", "cover", "stop", "error", "low", "out"), COMBINATIONS)
def test_every_combination_of_status_bits(
    offline: int, cover: int, stop: int, error: int, low: int, out: int
) -> None:
    answers = [bytes([0x12 | offline]), bytes([0x12 | cover | stop | error]),
               bytes([0x12 | low | out])]  # fmt: skip

    status = parse_status(answers)

    expected = set()
    if cover:
        expected.add(PrinterProblem.COVER_OPEN)
    if stop or out:
        expected.add(PrinterProblem.PAPER_OUT)
    if error:
        expected.add(PrinterProblem.ERROR)
    if low and not out:
        expected.add(PrinterProblem.PAPER_LOW)
    if offline and not expected - {PrinterProblem.PAPER_LOW}:
        expected.add(PrinterProblem.OFFLINE)
    assert status.problems == expected
    assert status.online == (expected <= {PrinterProblem.PAPER_LOW})


def test_only_bytes_with_the_fixed_bits_are_answers() -> None:
    assert [b for b in range(256) if is_status_byte(b)] == [
        b for b in range(256) if b & 0x93 == 0x12
    ]
    assert len([b for b in range(256) if is_status_byte(b)]) == 16


def test_no_answer_or_noise_means_no_reply() -> None:
    assert parse_status([b"", b"", b""]).detail == "no_reply"
    assert parse_status([b"\x00\xff", b"", b""]).detail == "no_reply"
    assert parse_status([b"\x00\x12", b"\x12", b""]).detail == "ok"  # noise before the answer


def test_the_requests_are_dle_eot_1_2_and_4() -> None:
    assert decode(b"".join(REQUESTS), "gb18030").status_requests == [1, 2, 4]


# --- polling over real transports ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (OK, (True, "ok")),
        ((0x12, 0x12, 0x1E), (True, "paper_low")),
        ((0x1A, 0x16, 0x12), (False, "cover_open")),
        ((0x1A, 0x32, 0x7E), (False, "paper_out")),
    ],
)
def test_a_network_printer_is_asked_over_one_connection(
    reports: Reports, status: tuple[int, int, int], expected: tuple[bool, str]
) -> None:
    tcp = TcpPrinter(status)
    printer = a_printer(NetworkTransport("127.0.0.1", tcp.port, timeout_s=2), reports)

    assert poll_once(printer, reports) == expected

    assert decode(bytes(tcp.received), "gb18030").status_requests == [1, 2, 4]
    assert tcp.connections == 1
    tcp.close()


def test_a_network_printer_that_does_not_answer_is_reported_as_no_reply(
    reports: Reports,
) -> None:
    tcp = TcpPrinter(None)
    printer = a_printer(NetworkTransport("127.0.0.1", tcp.port, timeout_s=2), reports)

    assert poll_once(printer, reports) == (False, "no_reply")
    tcp.close()


def test_a_network_printer_that_refuses_the_connection_is_unreachable(reports: Reports) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    printer = a_printer(NetworkTransport("127.0.0.1", port, timeout_s=1), reports)

    assert poll_once(printer, reports) == (False, "unreachable")


def test_a_printer_profile_without_status_support_is_not_asked(reports: Reports) -> None:
    tcp = TcpPrinter(OK)
    quiet = dataclasses.replace(PROFILE, real_time_status=False)
    printer = a_printer(NetworkTransport("127.0.0.1", tcp.port), reports, quiet)

    assert poll_once(printer, reports) == (True, "online")
    assert tcp.connections == 0
    tcp.close()


def test_a_file_printer_reports_online(tmp_path: Path, reports: Reports) -> None:
    printer = a_printer(FileTransport(tmp_path / "paper.bin"), reports)

    assert poll_once(printer, reports) == (True, "online")


@pytest.fixture
def serial_printer(tmp_path: Path) -> Iterator[PtyCable]:
    state = {"status": OK}
    cable = PtyCable(tmp_path / "ttyUSB-printer",
                     respond=lambda data: answers_to(data, state["status"]))  # fmt: skip
    cable.status = state  # type: ignore[attr-defined]
    yield cable
    cable.close()


def test_a_serial_printer_reports_paper_low_then_a_pulled_cable_then_recovers(
    serial_printer: PtyCable, reports: Reports
) -> None:
    serial_printer.status["status"] = (0x12, 0x12, 0x1E)  # type: ignore[attr-defined]
    printer = a_printer(SerialTransport(str(serial_printer.link), timeout_s=1), reports)

    printer.poll_status()
    assert reports.wait_for(1) == (True, "paper_low")

    serial_printer.unplug()
    printer.poll_status()
    assert reports.wait_for(2) == (False, "unreachable")

    serial_printer.status["status"] = OK  # type: ignore[attr-defined]
    serial_printer.plug_in()
    printer.poll_status()
    assert reports.wait_for(3) == (True, "ok")
    printer.close()


def test_polling_every_interval_reports_until_closed(reports: Reports) -> None:
    tcp = TcpPrinter(OK)
    printer = a_printer(NetworkTransport("127.0.0.1", tcp.port), reports)

    printer.poll_status_every(0.05)
    assert reports.wait_for(3) == (True, "ok")

    printer.close()
    count = len(reports.calls)
    threading.Event().wait(0.2)
    assert len(reports.calls) == count
    tcp.close()

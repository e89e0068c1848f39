"""A serial scanner publishes each code it sends, stripped of its terminator and configured
prefix/suffix, and survives a pulled cable: offline, then back once plugged in again.

A real pseudo-terminal stands in for the serial line; the test plays the scanner on its master.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from serial_pty import WAIT, PtyCable

from hardware.scanner.serial_scanner import LineFramer, SerialScanner, strip_affixes
from pos_app.bus import EventBus
from pos_app.events import BarcodeScanned

RETRY_S = 0.05
GS = b"\x1d"


@dataclass
class Heard:
    """Scans and (online, detail) changes, waited for without sleeping."""

    scans: list[BarcodeScanned] = field(default_factory=list)
    statuses: list[tuple[bool, str]] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def scan(self, event: BarcodeScanned) -> None:
        with self._arrived:
            self.scans.append(event)
            self._arrived.notify_all()

    def status(self, online: bool, detail: str) -> None:
        with self._arrived:
            self.statuses.append((online, detail))
            self._arrived.notify_all()

    def texts(self, count: int) -> list[str]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.scans) >= count, WAIT), self.scans
            return [event.text for event in self.scans]

    def wait_online(self, online: bool) -> str:
        with self._arrived:
            assert self._arrived.wait_for(
                lambda: bool(self.statuses) and self.statuses[-1][0] is online, WAIT
            ), self.statuses
            return self.statuses[-1][1]


@pytest.fixture
def heard() -> Heard:
    return Heard()


@pytest.fixture
def cable(tmp_path: Path) -> Iterator[PtyCable]:
    pty = PtyCable(tmp_path / "ttyACM-scanner")
    yield pty
    pty.close()


def a_scanner(cable: PtyCable, heard: Heard, **options: object) -> SerialScanner:
    return SerialScanner(
        str(cable.link),
        9600,
        on_scan=heard.scan,
        on_status=heard.status,
        retry_s=RETRY_S,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def scanner(cable: PtyCable, heard: Heard) -> Iterator[SerialScanner]:
    device = a_scanner(cable, heard)
    device.start()
    heard.wait_online(True)
    yield device
    device.close()


def test_each_cr_terminated_code_is_published_as_a_serial_scan(
    scanner: SerialScanner, cable: PtyCable, heard: Heard
) -> None:
    cable.send(b"6901234567892\r")
    cable.send(b"4006381333931\r\n")

    assert heard.texts(2) == ["6901234567892", "4006381333931"]
    assert {event.source for event in heard.scans} == {"serial"}


def test_a_code_split_across_reads_is_published_once_whole(
    scanner: SerialScanner, cable: PtyCable, heard: Heard
) -> None:
    cable.send(b"69012")
    cable.send(b"34567892\n")

    assert heard.texts(1) == ["6901234567892"]


def test_gs1_data_keeps_its_fnc1_separators(
    scanner: SerialScanner, cable: PtyCable, heard: Heard
) -> None:
    cable.send(b"]C1010950110153000310ABC123" + GS + b"39221299\r")

    assert heard.texts(1) == ["]C1010950110153000310ABC123\x1d39221299"]


def test_a_configured_prefix_and_suffix_are_stripped_when_present(
    cable: PtyCable, heard: Heard
) -> None:
    device = a_scanner(cable, heard, prefix="@", suffix="#")
    device.start()
    heard.wait_online(True)

    cable.send(b"@6901234567892#\r")
    cable.send(b"4006381333931\r")  # a second scanner without them is not ignored

    assert heard.texts(2) == ["6901234567892", "4006381333931"]
    device.close()


def test_a_scanner_without_a_terminator_is_read_after_a_pause(
    cable: PtyCable, heard: Heard
) -> None:
    device = a_scanner(cable, heard, idle_flush_s=0.1)
    device.start()
    heard.wait_online(True)

    cable.send(b"6901234567892")

    assert heard.texts(1) == ["6901234567892"]
    device.close()


def test_chinese_qr_content_is_decoded_with_the_configured_encoding(
    cable: PtyCable, heard: Heard
) -> None:
    device = a_scanner(cable, heard, encoding="gb18030")
    device.start()
    heard.wait_online(True)

    cable.send("会员 8801".encode("gb18030") + b"\r")

    assert heard.texts(1) == ["会员 8801"]
    device.close()


def test_a_pulled_cable_reports_offline_and_the_replugged_scanner_scans_again(
    scanner: SerialScanner, cable: PtyCable, heard: Heard
) -> None:
    online_detail = heard.statuses[-1][1]
    assert str(cable.link) in online_detail

    cable.unplug()
    offline_detail = heard.wait_online(False)
    assert str(cable.link) in offline_detail
    assert scanner.online is False

    cable.plug_in()
    heard.wait_online(True)
    cable.send(b"6901234567892\r")

    assert heard.texts(1) == ["6901234567892"]
    assert [online for online, _ in heard.statuses] == [True, False, True]


def test_a_scanner_missing_at_start_comes_online_once_plugged_in(
    tmp_path: Path, heard: Heard
) -> None:
    link = tmp_path / "ttyUSB-later"
    device = SerialScanner(str(link), on_scan=heard.scan, on_status=heard.status, retry_s=RETRY_S)
    device.start()
    assert "cannot open" in heard.wait_online(False)

    cable = PtyCable(link)
    heard.wait_online(True)
    cable.send(b"123456\r")

    assert heard.texts(1) == ["123456"]
    device.close()
    cable.close()


def test_scans_reach_the_bus_as_barcode_scanned_events(cable: PtyCable, heard: Heard) -> None:
    bus = EventBus()
    bus.subscribe(BarcodeScanned, heard.scan)
    device = SerialScanner(str(cable.link), on_scan=bus.publish, on_status=heard.status)
    device.start()
    heard.wait_online(True)

    cable.send(b"6901234567892\r")

    assert heard.texts(1) == ["6901234567892"]
    device.close()


def test_closing_stops_the_thread_and_releases_the_port(cable: PtyCable, heard: Heard) -> None:
    device = a_scanner(cable, heard)
    device.start()
    heard.wait_online(True)

    device.close()

    later = Heard()
    again = a_scanner(cable, later)  # the port is opened exclusively: free again after close
    again.start()
    later.wait_online(True)
    cable.send(b"1234\r")

    assert later.texts(1) == ["1234"]
    assert heard.scans == []  # the closed scanner no longer reads
    again.close()


def test_a_failing_scan_handler_does_not_stop_the_scanner(cable: PtyCable, heard: Heard) -> None:
    def fussy(event: BarcodeScanned) -> None:
        if event.text == "bad":
            raise RuntimeError("handler bug")
        heard.scan(event)

    device = SerialScanner(str(cable.link), on_scan=fussy, on_status=heard.status)
    device.start()
    heard.wait_online(True)

    cable.send(b"bad\rgood\r")

    assert heard.texts(1) == ["good"]
    device.close()


# --- framing, without a port ---------------------------------------------------------------


def test_the_framer_splits_on_cr_lf_and_crlf_and_skips_empty_lines() -> None:
    framer = LineFramer()

    assert framer.feed(b"111\r222\n333\r\n\r\n44") == [b"111", b"222", b"333"]
    assert framer.pending
    assert framer.feed(b"4\r") == [b"444"]
    assert not framer.pending


def test_the_framer_drops_endless_noise() -> None:
    framer = LineFramer()

    assert framer.feed(b"x" * 5000) == []
    assert not framer.pending


@pytest.mark.parametrize(
    ("text", "expected"),
    [("@123#", "123"), ("123", "123"), ("@123", "123"), ("123#", "123"), ("#@123", "#@123")],
)
def test_prefix_and_suffix_are_optional(text: str, expected: str) -> None:
    assert strip_affixes(text, "@", "#") == expected

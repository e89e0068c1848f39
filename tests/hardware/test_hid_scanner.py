"""The kiosk's HID scanner read from its input device node: key events become codes; an
exclusive grab that fails keeps it offline (a scan must never reach a text field); unplugged
and plugged back in, it reads again. A FIFO stands in for /dev/input/event*."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.scanner.hid_scanner import EV_KEY, EVENT, HidScanner, KeyDecoder
from pos_app.events import BarcodeScanned

SHIFT, ENTER = 42, 28
KEYS = {"0": 11, "1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10,
        "m": 50, "c": 46, "p": 25, "-": 12}


def keystrokes(text: str) -> bytes:
    """What a US-layout HID scanner sends for ``text`` and Enter: press/release per key."""
    out = b""
    for char in text:
        shifted = char.isupper()
        if shifted:
            out += EVENT.pack(0, 0, EV_KEY, SHIFT, 1)
        code = KEYS[char.lower()]
        out += EVENT.pack(0, 0, EV_KEY, code, 1) + EVENT.pack(0, 0, EV_KEY, code, 0)
        out += EVENT.pack(0, 0, 0, 0, 0)  # EV_SYN between reports
        if shifted:
            out += EVENT.pack(0, 0, EV_KEY, SHIFT, 0)
    return out + EVENT.pack(0, 0, EV_KEY, ENTER, 1) + EVENT.pack(0, 0, EV_KEY, ENTER, 0)


class Recorder:
    def __init__(self) -> None:
        self.scans: list[BarcodeScanned] = []
        self.statuses: list[tuple[bool, str]] = []
        self.changed = threading.Condition()

    def scan(self, event: BarcodeScanned) -> None:
        with self.changed:
            self.scans.append(event)
            self.changed.notify_all()

    def status(self, online: bool, detail: str) -> None:
        with self.changed:
            self.statuses.append((online, detail))
            self.changed.notify_all()

    def wait(self, done: object, timeout: float = 5.0) -> None:
        with self.changed:
            assert self.changed.wait_for(done, timeout)  # type: ignore[arg-type]


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Path]:
    fifo = tmp_path / "usb-Scanner-event-kbd"
    os.mkfifo(fifo)
    yield fifo


def test_key_events_become_codes_with_shift_and_enter() -> None:
    decoder = KeyDecoder()
    data = keystrokes("M886000000123123456")
    codes = [decoder.feed(*EVENT.unpack_from(data, i)[2:])
             for i in range(0, len(data), EVENT.size)]
    assert [code for code in codes if code] == ["M886000000123123456"]


def test_codes_read_from_the_device_node_are_published_and_survive_an_unplug(
        node: Path) -> None:
    seen = Recorder()
    writer = os.open(node, os.O_RDWR)
    scanner = HidScanner(str(node), on_scan=seen.scan, on_status=seen.status,
                         exclusive=False, retry_s=0.05)
    scanner.start()
    try:
        os.write(writer, keystrokes("6900000000014"))
        seen.wait(lambda: len(seen.scans) == 1)
        assert seen.scans[0] == BarcodeScanned("6900000000014", "hid")

        os.close(writer)  # unplugged
        seen.wait(lambda: seen.statuses and seen.statuses[-1][0] is False)
        writer = os.open(node, os.O_RDWR)  # plugged back in
        seen.wait(lambda: seen.statuses[-1][0] is True)
        os.write(writer, keystrokes("cp-12"))
        seen.wait(lambda: len(seen.scans) == 2)
        assert seen.scans[1].text == "cp-12"
    finally:
        scanner.close()
        os.close(writer)


def test_without_an_exclusive_grab_the_scanner_stays_offline_and_reads_nothing(
        node: Path) -> None:
    seen = Recorder()
    writer = os.open(node, os.O_RDWR)
    scanner = HidScanner(str(node), on_scan=seen.scan, on_status=seen.status, retry_s=0.05)
    scanner.start()
    try:
        seen.wait(lambda: bool(seen.statuses))
        online, detail = seen.statuses[0]
        assert not online and "exclusively" in detail
        os.write(writer, keystrokes("6900000000014"))
        with seen.changed:
            seen.changed.wait(0.3)
        assert seen.scans == []
    finally:
        scanner.close()
        os.close(writer)


def test_the_config_builds_a_hid_scanner_that_publishes_on_the_bus(node: Path) -> None:
    from hardware.wiring import build_scanner
    from pos_app.bus import EventBus
    from pos_app.config import ScannerConfig

    bus, seen = EventBus(), Recorder()
    bus.subscribe(BarcodeScanned, seen.scan)
    writer = os.open(node, os.O_RDWR)
    scanner = build_scanner(ScannerConfig(kind="hid", port=str(node), exclusive=False,
                                          suffix="-"), bus)
    assert isinstance(scanner, HidScanner)
    try:
        os.write(writer, keystrokes("12345-"))
        seen.wait(lambda: bool(seen.scans))
        assert seen.scans == [BarcodeScanned("12345", "hid")]  # the suffix stripped
    finally:
        scanner.close()
        os.close(writer)

"""Transports deliver a receipt's bytes unchanged, and report an unreachable printer as
PrinterOffline whatever library or OS error lies underneath."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hardware.printer.transports import (
    PICKLE_DIR_VARIABLE,
    FileTransport,
    NetworkTransport,
    SerialTransport,
    UsbTransport,
    prepare_escpos_env,
)
from pos_app.errors import PrinterOffline

RECEIPT_BYTES = b"\x1b@\x1c&" + "合计 ￥23.50".encode("gb18030") + b"\x1c.\n\x1dV\x00"
WAIT = 5.0


class TcpPrinter:
    """A port-9100 printer on localhost: stores what each connection sent until it closed."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(WAIT)
        self.port: int = self._server.getsockname()[1]
        self.received: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        connection, _ = self._server.accept()
        with connection:
            chunks = []
            while chunk := connection.recv(4096):
                chunks.append(chunk)
        self.received.append(b"".join(chunks))

    def wait_for_job(self) -> bytes:
        self._thread.join(WAIT)
        self._server.close()
        return self.received[0]


def an_unused_tcp_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
    return port


def test_a_file_printer_appends_each_job(tmp_path: Path) -> None:
    paper = tmp_path / "printer.bin"
    transport = FileTransport(paper)

    transport.write(RECEIPT_BYTES)
    transport.write(b"\x1bp\x002\x32")

    assert paper.read_bytes() == RECEIPT_BYTES + b"\x1bp\x002\x32"


def test_a_network_printer_receives_the_bytes_unchanged_and_the_connection_is_closed() -> None:
    printer = TcpPrinter()
    transport = NetworkTransport("127.0.0.1", printer.port)

    transport.write(RECEIPT_BYTES)

    assert printer.wait_for_job() == RECEIPT_BYTES  # recv() saw the end: the socket was closed


def test_a_network_printer_that_refuses_the_connection_is_offline() -> None:
    transport = NetworkTransport("127.0.0.1", an_unused_tcp_port(), timeout_s=2)

    with pytest.raises(PrinterOffline, match=r"network printer 127\.0\.0\.1"):
        transport.write(RECEIPT_BYTES)


def test_a_serial_printer_on_a_missing_port_is_offline(tmp_path: Path) -> None:
    transport = SerialTransport(str(tmp_path / "ttyUSB9"))

    with pytest.raises(PrinterOffline, match="serial printer"):
        transport.write(RECEIPT_BYTES)


def test_a_usb_printer_that_is_not_plugged_in_is_offline() -> None:
    transport = UsbTransport(0xFFFE, 0xFFFE, timeout_ms=500)

    with pytest.raises(PrinterOffline, match="USB printer fffe:fffe"):
        transport.write(RECEIPT_BYTES)


def test_the_escpos_cache_goes_to_the_folder_the_app_chooses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PICKLE_DIR_VARIABLE, raising=False)
    folder = tmp_path / "cache" / "escpos"

    assert prepare_escpos_env(folder) == folder

    assert folder.is_dir()
    assert os.environ[PICKLE_DIR_VARIABLE] == str(folder)


@pytest.mark.skipif(sys.platform != "linux", reason="XDG cache folder")
def test_without_a_folder_the_escpos_cache_goes_to_the_user_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PICKLE_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    assert prepare_escpos_env() == tmp_path / "pos" / "escpos"


def test_an_escpos_cache_folder_set_by_the_environment_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PICKLE_DIR_VARIABLE, str(tmp_path / "ops-chosen"))

    assert prepare_escpos_env() == tmp_path / "ops-chosen"


@pytest.mark.slow
def test_importing_escpos_after_preparing_stores_its_capabilities_in_the_cache(
    tmp_path: Path,
) -> None:
    script = (
        "import sys; from pathlib import Path\n"
        "from hardware.printer.transports import prepare_escpos_env\n"
        "prepare_escpos_env(Path(sys.argv[1]))\n"
        "import escpos.printer\n"
    )
    root = Path(__file__).resolve().parents[2]

    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, cwd=root)

    assert list(tmp_path.glob("*.capabilities.pickle"))

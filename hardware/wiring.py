"""build_devices: config kind -> adapter; only configured devices are built (and imported)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pos_app.bus import EventBus
from pos_app.config import PrinterConfig
from pos_app.errors import ConfigError, PrinterOffline
from pos_app.events import PrintJobFinished
from pos_app.i18n import Catalog

log = logging.getLogger(__name__)

ESC_INIT = b"\x1b@"


@dataclass(frozen=True, slots=True)
class Devices:
    printer: object | None
    """An EscposReceiptPrinter (ReceiptPrinter and CashDrawer), or None when kind = "none"."""

    def close(self) -> None:
        close = getattr(self.printer, "close", None)
        if close is not None:
            close()


def build_devices(printer: PrinterConfig, bus: EventBus, catalog: Catalog,
                  data_dir: Path) -> Devices:
    if printer.kind == "none":
        return Devices(printer=None)
    if printer.kind != "escpos":
        raise ConfigError(f"devices.printer.kind must be escpos or none, got {printer.kind!r}")
    from hardware.printer.escpos_printer import EscposReceiptPrinter
    from hardware.printer.profiles import preset

    try:
        profile = preset(printer.profile)
    except ConfigError as exc:
        raise ConfigError(f"devices.printer.profile: {exc}") from exc

    def finished(job_id: str, ok: bool, error: str | None) -> None:
        bus.publish(PrintJobFinished(job_id, ok, error))

    adapter = EscposReceiptPrinter(make_transport(printer, data_dir), profile, catalog,
                                   on_finished=finished)
    return Devices(printer=adapter)


def make_transport(printer: PrinterConfig, data_dir: Path) -> object:
    from hardware.printer import transports

    if printer.transport == "file":
        path = Path(printer.path)
        return transports.FileTransport(path if path.is_absolute() else data_dir / path)
    if printer.transport == "usb":
        if not printer.usb_vendor or not printer.usb_product:
            raise ConfigError("devices.printer.usb_vendor and usb_product are required for usb")
        return transports.UsbTransport(printer.usb_vendor, printer.usb_product)
    if printer.transport == "serial":
        if not printer.serial_port:
            raise ConfigError("devices.printer.serial_port is required for serial")
        return transports.SerialTransport(printer.serial_port, printer.baudrate)
    if printer.transport == "network":
        if not printer.host:
            raise ConfigError("devices.printer.host is required for network")
        return transports.NetworkTransport(printer.host, printer.port)
    raise ConfigError(f"devices.printer.transport must be usb, serial, network or file, "
                      f"got {printer.transport!r}")


def check_printer(printer: PrinterConfig, data_dir: Path) -> str:
    """Self-test: reach the printer with ESC @ (initialise: prints nothing). Raises
    PrinterOffline or ConfigError with a message for IT; returns what was reached."""
    if printer.kind == "none":
        return "no printer configured"
    import escpos.printer  # type: ignore[import-untyped]

    escpos.printer.Dummy()  # loads python-escpos's capabilities.json: catches a bundle without it
    transport = make_transport(printer, data_dir)
    try:
        transport.write(ESC_INIT)  # type: ignore[attr-defined]
    except PrinterOffline:
        raise
    finally:
        transport.close()  # type: ignore[attr-defined]
    return f"{printer.transport} printer reachable"

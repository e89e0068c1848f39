"""build_devices: config kind -> adapter; only configured devices are built (and imported)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pos_app.bus import EventBus
from pos_app.config import (
    CameraConfig,
    DevicesConfig,
    PoleDisplayConfig,
    PrinterConfig,
    ScaleConfig,
    ScannerConfig,
)
from pos_app.errors import ConfigError
from pos_app.events import CustomerViewChanged, DeviceStatusChanged, PrintJobFinished, WeightRead
from pos_app.i18n import Catalog
from pos_app.ports.scale import Scale, WeightReading
from pos_app.resources import resources_dir

log = logging.getLogger(__name__)

ESC_INIT = b"\x1b@"


@dataclass(frozen=True, slots=True)
class Devices:
    printer: object | None
    """An EscposReceiptPrinter (ReceiptPrinter and CashDrawer), or None when kind = "none"."""
    scale: Scale | None = None
    pole_display: object | None = None
    camera: object | None = None
    scanner: object | None = None

    def close(self) -> None:
        for device in (self.scanner, self.camera, self.pole_display, self.scale, self.printer):
            close = getattr(device, "close", None)
            if close is not None:
                close()


def build_devices(devices: DevicesConfig, bus: EventBus, catalog: Catalog,
                  data_dir: Path) -> Devices:
    """Every configured device, each reporting through the bus; only configured kinds are
    imported, so a till without a camera never loads OpenCV."""
    return Devices(printer=build_printer(devices.printer, bus, catalog, data_dir),
                   scale=build_scale(devices.scale, bus),
                   pole_display=build_pole_display(devices.pole_display, bus, catalog),
                   camera=build_camera(devices.camera, bus),
                   scanner=build_scanner(devices.scanner, bus))


def build_scanner(config: ScannerConfig, bus: EventBus) -> object | None:
    """A serial scanner publishes BarcodeScanned itself; a wedge scanner needs nothing here
    (the UI's event filter reads it)."""
    if config.kind == "wedge":
        return None
    if config.kind != "serial" or not config.port:
        raise ConfigError("devices.scanner needs kind = \"wedge\", or \"serial\" with a port")
    from hardware.scanner.serial_scanner import SerialScanner

    scanner = SerialScanner(config.port, config.baudrate, on_scan=bus.publish,
                            on_status=_status(bus, "scanner"), framing=config.framing,
                            prefix=config.prefix, suffix=config.suffix,
                            encoding=config.encoding, idle_flush_s=config.idle_flush_ms / 1000,
                            retry_s=config.retry_ms / 1000)
    scanner.start()
    return scanner


def _status(bus: EventBus, device: str) -> Callable[[bool, str], None]:
    return lambda online, detail: bus.publish(DeviceStatusChanged(device, online, detail))


def build_scale(config: ScaleConfig, bus: EventBus) -> Scale | None:
    def read(reading: WeightReading) -> None:
        bus.publish(WeightRead(reading.grams, reading.stable, reading.status.value))

    if config.kind == "none":
        return None
    if config.kind == "simulated":
        from hardware.simulated.scale import SimulatedScale

        return SimulatedScale(on_reading=read, on_status=_status(bus, "scale"), grams=532)
    if config.kind != "serial":
        raise ConfigError(f"devices.scale.kind must be serial, simulated or none, "
                          f"got {config.kind!r}")
    if not config.port:
        raise ConfigError("devices.scale.port is required for a serial scale")
    from hardware.scale import protocol_named
    from hardware.scale.serial_scale import SerialScale

    protocol = protocol_named(config.protocol, command=config.command.encode("ascii"))
    return SerialScale(config.port, config.baudrate, protocol, on_reading=read,
                       on_status=_status(bus, "scale"), framing=config.framing,
                       timeout_s=config.timeout_ms / 1000, retry_s=config.retry_ms / 1000)


def build_pole_display(config: PoleDisplayConfig, bus: EventBus,
                       catalog: Catalog) -> object | None:
    if config.kind == "none":
        return None
    if config.kind != "serial" or not config.port:
        raise ConfigError("devices.pole_display needs kind = \"serial\" and a port")
    from hardware.display.display_layout import PROFILES, ascii_text
    from hardware.display.pole_display import DIALECTS, PoleDisplay, SerialDisplayTransport

    if config.dialect not in DIALECTS or config.profile not in PROFILES:
        raise ConfigError(f"devices.pole_display: dialect one of {sorted(DIALECTS)}, "
                          f"profile one of {sorted(PROFILES)}")
    profile = PROFILES[config.profile]
    display = PoleDisplay(SerialDisplayTransport(config.port, config.baudrate),
                          DIALECTS[config.dialect], columns=config.columns, profile=profile,
                          texts=ascii_text if config.profile == "ascii" else catalog.text,
                          on_status=_status(bus, "pole_display"),
                          retry_s=config.retry_ms / 1000)
    bus.subscribe(CustomerViewChanged, lambda event: display.show(event.view))
    return display


def build_camera(config: CameraConfig, bus: EventBus) -> object | None:
    if config.kind == "none":
        return None
    if config.kind != "opencv":
        raise ConfigError(f"devices.camera.kind must be opencv or none, got {config.kind!r}")
    from hardware.camera.capture import CameraScanner, opencv_camera

    camera = CameraScanner(opencv_camera(config.device, width=config.width,
                                         height=config.height),
                           bus.publish, on_status=_status(bus, "camera"),
                           max_decode_fps=float(config.max_decode_fps))
    camera.start()
    return camera


def build_printer(printer: PrinterConfig, bus: EventBus, catalog: Catalog,
                  data_dir: Path) -> object | None:
    if printer.kind == "none":
        return None
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

    logo = resources_dir() / printer.logo if printer.logo else None
    adapter = EscposReceiptPrinter(make_transport(printer, data_dir), profile, catalog,
                                   on_finished=finished, on_status=_status(bus, "printer"),
                                   logo=logo, fonts_dir=resources_dir() / "fonts")
    if printer.status_poll_s > 0:
        adapter.poll_status_every(float(printer.status_poll_s))
    return adapter


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
        transport.write(ESC_INIT)  # type: ignore[attr-defined]  # PrinterOffline goes to IT
    finally:
        transport.close()  # type: ignore[attr-defined]
    return f"{printer.transport} printer reachable"

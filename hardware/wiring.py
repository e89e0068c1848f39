"""build_devices: config kind -> adapter; only configured devices are built (and imported)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.bus import EventBus
from pos_app.config import (
    CameraConfig,
    DevicesConfig,
    FaceCameraConfig,
    PoleDisplayConfig,
    PrinterConfig,
    ScaleConfig,
    ScannerConfig,
)
from pos_app.errors import ConfigError
from pos_app.events import (
    CustomerViewChanged,
    DeviceStatusChanged,
    FaceSeen,
    PrintJobFinished,
    WeightRead,
)
from pos_app.i18n import Catalog
from pos_app.ports.scale import Scale, WeightReading
from pos_app.resources import resources_dir

if TYPE_CHECKING:
    from hardware.camera.capture import CameraScanner, OpenSource
    from hardware.camera.frame_tap import FrameTap
    from hardware.faces.face_reader import FaceReader

log = logging.getLogger(__name__)

ESC_INIT = b"\x1b@"


@dataclass(frozen=True, slots=True)
class Devices:
    printer: object | None
    """An EscposReceiptPrinter (ReceiptPrinter and CashDrawer), or None when kind = "none"."""
    scale: Scale | None = None
    pole_display: object | None = None
    camera: object | None = None
    """A TappedCamera over the barcode camera's CameraScanner."""
    scanner: object | None = None
    face_camera: object | None = None
    """A FaceCamera over the FaceReader (watch, stop_watching, online, grab_frame)."""

    def close(self) -> None:
        for device in (self.face_camera, self.scanner, self.camera, self.pole_display,
                       self.scale, self.printer):
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
                   camera=build_camera(devices.camera, bus, data_dir),
                   scanner=build_scanner(devices.scanner, bus),
                   face_camera=build_face_camera(devices.face_camera, bus, data_dir))


def build_scanner(config: ScannerConfig, bus: EventBus) -> object | None:
    """A serial scanner publishes BarcodeScanned itself; a wedge scanner needs nothing here
    (the UI's event filter reads it)."""
    if config.kind == "wedge":
        return None
    if config.kind not in ("serial", "hid") or not config.port:
        raise ConfigError("devices.scanner needs kind = \"wedge\", or \"serial\" or \"hid\" "
                          "with a port")
    if config.kind == "hid":
        from hardware.scanner.hid_scanner import HidScanner

        hid = HidScanner(config.port, on_scan=bus.publish, on_status=_status(bus, "scanner"),
                         exclusive=config.exclusive, prefix=config.prefix,
                         suffix=config.suffix, retry_s=config.retry_ms / 1000)
        hid.start()
        return hid
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


def build_camera(config: CameraConfig, bus: EventBus,
                 data_dir: Path | None = None) -> object | None:
    """The barcode camera: its frames decoded on their own thread, reads published as
    BarcodeScanned; simulated from image files for the demo and the tests."""
    if config.kind == "none":
        return None
    if config.kind not in ("opencv", "simulated"):
        raise ConfigError(f"devices.camera.kind must be opencv, simulated or none, "
                          f"got {config.kind!r}")
    from hardware.camera.capture import CameraScanner
    from hardware.camera.frame_tap import FrameTap

    tap = FrameTap(_frame_source("devices.camera", config.kind, config.device, config.width,
                                 config.height, config.images, data_dir))
    camera = CameraScanner(tap.open, bus.publish, on_status=_status(bus, "camera"),
                           max_decode_fps=float(config.max_decode_fps))
    camera.start()
    return TappedCamera(camera, tap)


def build_face_camera(config: FaceCameraConfig, bus: EventBus, data_dir: Path | None = None,
                      *, models: Path | None = None,
                      camera: OpenSource | None = None) -> object | None:
    """The face camera: looks at frames only while a screen asks it to watch, and publishes
    the nearest face as FaceSeen (an embedding, never a picture). The YuNet and SFace models
    are loaded on its thread from ``models`` (default resources/models), each checked by
    SHA-256 first; models that fail the check are reported as the camera's status (offline,
    with the reason) and the camera stays off, the till goes on without face recognition.
    ``camera`` replaces the configured frames (a SimulatedCamera's ``open`` a test drives)."""
    if config.kind == "none":
        return None
    if config.kind not in ("opencv", "simulated"):
        raise ConfigError(f"devices.face_camera.kind must be opencv, simulated or none, "
                          f"got {config.kind!r}")
    from hardware.camera.frame_tap import FrameTap
    from hardware.faces.encoder import OpenCvFaceEncoder
    from hardware.faces.face_reader import FaceReader
    from pos_app.ports.faces import FaceSighting

    def seen(sighting: FaceSighting) -> None:
        bus.publish(FaceSeen(sighting.camera, sighting.faces_in_view, sighting.face.score,
                             sighting.face.embedding, sighting.window))

    tap = FrameTap(camera or _frame_source("devices.face_camera", config.kind, config.device,
                                           config.width, config.height, config.images,
                                           data_dir))
    reader = FaceReader(tap.open, lambda: OpenCvFaceEncoder.load(models), seen,
                        on_status=_status(bus, "face_camera"), max_fps=float(config.max_fps))
    reader.start()
    return FaceCamera(reader, tap)


def _frame_source(key: str, kind: str, device: int, width: int, height: int,
                  images: tuple[str, ...], data_dir: Path | None) -> OpenSource:
    """opencv: the camera at ``device``; simulated: ``images`` played as frames."""
    if kind == "opencv":
        from hardware.camera.capture import opencv_camera

        return opencv_camera(device, width=width, height=height)
    if not images:
        raise ConfigError(f"{key}.images must name image files for a simulated camera")
    from hardware.simulated.camera import SimulatedCamera

    paths = [Path(name) if Path(name).is_absolute() or data_dir is None else data_dir / name
             for name in images]
    try:
        camera = SimulatedCamera(paths, fps=15.0, size=(width, height))
    except ValueError as exc:
        raise ConfigError(f"{key}.images: {exc}") from exc
    return camera.open


class TappedCamera:
    """A camera's frame-thread device (CameraScanner or FaceReader) with the ``grab_frame``
    of the FrameTap its frames pass through (the diagnostics port FrameGrabber)."""

    def __init__(self, device: CameraScanner | FaceReader, tap: FrameTap) -> None:
        self.device = device
        self._tap = tap

    @property
    def online(self) -> bool:
        return self.device.online

    def grab_frame(self, timeout_s: float) -> tuple[int, int]:
        return self._tap.grab_frame(timeout_s)

    def close(self) -> None:
        self.device.close()


class FaceCamera(TappedCamera):
    """The face camera for the core's FaceWatcher port: watch when a member asks, and stop."""

    def __init__(self, reader: FaceReader, tap: FrameTap) -> None:
        super().__init__(reader, tap)
        self.reader = reader

    def watch(self, seconds: float) -> int:
        return self.reader.watch(seconds)

    def stop_watching(self) -> None:
        self.reader.stop_watching()


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

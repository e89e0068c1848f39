"""DiagnosticsService: one check per configured device and back end, for IT's diagnostics screen.

Every check comes back as a ``CheckResult`` value: the check's name, its state, a message key
with parameters for the screen, and the technical detail for IT (the adapter's own words).

Device ports return at once and answer later (a ``PrintJobFinished`` or ``WeightRead`` on the
bus). The checks that need that answer wait for it here, up to a time limit, so they block
their caller: run them on the network lane, never on the UI thread, and not on the store lane,
where the sale's own calls must not queue behind a device. The database and disk checks are
local and quick. ``overview`` reports every check without touching a device: devices by the
last status they reported, which this service follows on the bus from the moment it is built.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.ids import new_id
from pos_app.domain.money import ZERO, Money
from pos_app.domain.receipts import Receipt, ReceiptLine
from pos_app.errors import DeviceError, PosError, UserError
from pos_app.events import DeviceStatusChanged, Event, PrintJobFinished, WeightRead
from pos_app.persistence.migrate import current_revision, head_revision
from pos_app.persistence.repositories.staff import StoreRecord
from pos_app.ports.printing import PRINTER_OFFLINE, PrintJob, ReceiptPrinter
from pos_app.ports.scale import Scale
from pos_app.services.drawer import DRAWER_TEST, DrawerService

E = TypeVar("E", bound=Event)
Probe = Callable[[], str]
"""Reaches a back end and returns what it found; raises PosError or OSError when it cannot."""

GIB = 1024**3
MIB = 1024**2


class CheckState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    NOT_CONFIGURED = "not_configured"
    UNKNOWN = "unknown"
    """Configured, but nothing heard from it yet."""


class Check(StrEnum):
    """The built-in checks, in the order the screen lists them; back ends follow by name."""

    PRINTER = "printer"
    DRAWER = "drawer"
    POLE_DISPLAY = "pole_display"
    SCALE = "scale"
    CAMERA = "camera"
    FACE_CAMERA = "face_camera"
    """Listed only on a till that has one (face recognition is optional)."""
    DATABASE = "database"
    DISK = "disk"


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    state: CheckState
    key: str
    """Message key for the screen: ``device.result.*``."""
    params: Mapping[str, object] = field(default_factory=dict)
    """The key's parameters; ``grams`` is integer grams for the screen to format."""
    detail: str = ""
    """Technical detail for IT, in the adapter's words; may be empty."""


class LineDisplay(Protocol):
    def show_text(self, upper: str, lower: str = "") -> None:
        """Two rows of free text; returns at once."""
        ...


class FrameGrabber(Protocol):
    def grab_frame(self, timeout_s: float) -> tuple[int, int]:
        """Width and height of the next frame; DeviceError or OSError when none comes."""
        ...


@dataclass(frozen=True, slots=True)
class DiagnosedDevices:
    """The ports to test; None for a device this terminal does not have."""

    printer: ReceiptPrinter | None = None
    drawer: DrawerService | None = None
    pole_display: LineDisplay | None = None
    scale: Scale | None = None
    camera: FrameGrabber | None = None
    face_camera: FrameGrabber | None = None
    back_ends: Mapping[str, Probe] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Limits:
    print_s: float = 15.0
    scale_s: float = 5.0
    camera_s: float = 3.0
    disk_warning_bytes: int = GIB
    disk_failed_bytes: int = 200 * MIB


def results_for(name: str) -> Callable[..., CheckResult]:
    """``make(state, key, detail="", **params)``: results of the check called ``name``."""

    def make(state: CheckState, key: str, detail: str = "", **params: object) -> CheckResult:
        return CheckResult(name, state, f"device.result.{key}", params, detail)

    return make


OK, WARNING, FAILED = CheckState.OK, CheckState.WARNING, CheckState.FAILED
NOT_CONFIGURED, UNKNOWN = CheckState.NOT_CONFIGURED, CheckState.UNKNOWN


class DiagnosticsService:
    def __init__(
        self,
        devices: DiagnosedDevices,
        *,
        bus: EventBus,
        clock: Clock,
        engine: Engine,
        data_dir: Path,
        store: StoreRecord,
        terminal_code: str,
        limits: Limits | None = None,
    ) -> None:
        self._devices = devices
        self._bus = bus
        self._clock = clock
        self._engine = engine
        self._data_dir = data_dir
        self._store = store
        self._terminal_code = terminal_code
        self._limits = limits or Limits()
        self._lock = threading.Lock()
        self._status: dict[str, tuple[bool, str]] = {}
        bus.subscribe(DeviceStatusChanged, self._on_status)
        bus.subscribe(PrintJobFinished, self._on_print_finished)

    def overview(self) -> tuple[CheckResult, ...]:
        """Every check without touching a device; the database and the disk are checked now."""
        devices = [self.device_status(c) for c in self.device_checks()]
        back_ends = [results_for(name)(UNKNOWN, "unknown") for name in self._devices.back_ends]
        return (*devices, self.check_database(), self.check_disk(), *back_ends)

    def device_checks(self) -> tuple[Check, ...]:
        """The device checks this till lists, in order: every device but a missing face camera."""
        left_out = {Check.DATABASE, Check.DISK}
        if self._devices.face_camera is None:
            left_out.add(Check.FACE_CAMERA)
        return tuple(check for check in Check if check not in left_out)

    def device_status(self, check: Check) -> CheckResult:
        """The last status a device reported; the drawer goes with the printer."""
        make = results_for(check)
        if self._port(check) is None:
            return make(NOT_CONFIGURED, "not_configured")
        with self._lock:
            status = self._status.get(Check.PRINTER if check is Check.DRAWER else check)
        if status is None:
            return make(UNKNOWN, "unknown")
        online, detail = status
        return make(OK, "online", detail) if online else make(FAILED, "offline", detail)

    # -- devices (these wait on the device: network lane) ------------------------------------

    def print_test_page(self, line: str, footer: str) -> CheckResult:
        """Print a short receipt with ``line`` (write Chinese and ￥ in it) and ``footer``."""
        make, printer = results_for(Check.PRINTER), self._devices.printer
        if printer is None:
            return make(NOT_CONFIGURED, "not_configured")
        job = PrintJob(job_id=new_id(), receipt=self._test_receipt(line, footer))
        finished = self._await(
            PrintJobFinished, lambda e: e.job_id == job.job_id, lambda: printer.submit(job)
        )
        if finished is None:
            return make(FAILED, "print_timeout", seconds=int(self._limits.print_s))
        if finished.ok:
            return make(OK, "page_printed")
        key = "print_offline" if finished.error_code == PRINTER_OFFLINE else "print_failed"
        return make(FAILED, key, finished.error_code or "")

    def open_drawer(self, manager_id: str) -> CheckResult:
        """Kick the drawer, approved by ``manager_id`` and audited like any opening."""
        make, drawer = results_for(Check.DRAWER), self._devices.drawer
        if drawer is None or not drawer.available:
            return make(NOT_CONFIGURED, "not_configured")
        try:
            drawer.open_drawer(DRAWER_TEST, manager_id, manager_id)
        except UserError as exc:
            return make(FAILED, "drawer_refused", exc.code)
        printer = self.device_status(Check.PRINTER)
        if printer.state is FAILED:
            return make(FAILED, "drawer_printer_offline", printer.detail)
        return make(OK, "drawer_sent")

    def show_test_line(self, upper: str, lower: str) -> CheckResult:
        make, display = results_for(Check.POLE_DISPLAY), self._devices.pole_display
        if display is None:
            return make(NOT_CONFIGURED, "not_configured")
        was = self.device_status(Check.POLE_DISPLAY)
        display.show_text(upper, lower)
        if was.state is FAILED:
            return make(WARNING, "display_sent_offline", was.detail)
        return make(OK, "display_sent")

    def read_scale(self) -> CheckResult:
        make, scale = results_for(Check.SCALE), self._devices.scale
        if scale is None:
            return make(NOT_CONFIGURED, "not_configured")
        reading = self._await(WeightRead, lambda _: True, scale.request_weight)
        if reading is None:
            return make(FAILED, "scale_timeout", seconds=int(self._limits.scale_s))
        if reading.stable:
            return make(OK, "weight", grams=reading.grams)
        if reading.status == "error":
            return make(FAILED, "scale_failed", self.device_status(Check.SCALE).detail)
        return make(WARNING, f"weight_{reading.status}", grams=reading.grams)

    def grab_camera_frame(self, check: Check = Check.CAMERA) -> CheckResult:
        """One frame from the barcode camera (or ``Check.FACE_CAMERA``): its size. Only the
        size comes back; no picture is kept (the face camera's frames are face data)."""
        make = results_for(check)
        camera = self._devices.face_camera if check is Check.FACE_CAMERA else self._devices.camera
        if camera is None:
            return make(NOT_CONFIGURED, "not_configured")
        try:
            width, height = camera.grab_frame(self._limits.camera_s)
        except (DeviceError, OSError) as exc:
            return make(FAILED, "camera_failed", str(exc))
        return make(OK, "frame", width=width, height=height)

    def check_back_end(self, name: str) -> CheckResult:
        make, probe = results_for(name), self._devices.back_ends.get(name)
        if probe is None:
            return make(NOT_CONFIGURED, "not_configured")
        try:
            detail = probe()
        except (PosError, OSError) as exc:
            return make(FAILED, "back_end_failed", str(exc))
        return make(OK, "back_end", detail)

    # -- local (quick: store lane) -----------------------------------------------------------

    def check_database(self) -> CheckResult:
        """Reachable, and migrated to the revision this version of the app expects."""
        make = results_for(Check.DATABASE)
        try:
            revision = current_revision(self._engine)
        except SQLAlchemyError as exc:
            return make(FAILED, "database_failed", str(exc).splitlines()[0])
        url = self._engine.url.render_as_string(hide_password=True)
        expected = head_revision()
        if revision != expected:
            return make(FAILED, "database_old", url, revision=revision or "-", expected=expected)
        return make(OK, "database", url, backend=self._engine.dialect.name, revision=revision)

    def check_disk(self) -> CheckResult:
        """Free space where the database, logs and receipts are written."""
        make, folder = results_for(Check.DISK), _existing(self._data_dir)
        try:
            usage = shutil.disk_usage(folder)
        except OSError as exc:
            return make(FAILED, "disk_failed", str(exc))
        sizes = {"free": size_text(usage.free), "total": size_text(usage.total)}
        if usage.free < self._limits.disk_failed_bytes:
            return make(FAILED, "disk_low", str(folder), **sizes)
        if usage.free < self._limits.disk_warning_bytes:
            return make(WARNING, "disk_low", str(folder), **sizes)
        return make(OK, "disk", str(folder), **sizes)

    # -- helpers -----------------------------------------------------------------------------

    def _test_receipt(self, line: str, footer: str) -> Receipt:
        now = self._clock.now()
        price = Money(12_30)
        return Receipt(
            store_name=self._store.name,
            store_address=self._store.address,
            terminal_code=self._terminal_code,
            cashier_name="-",
            order_number=f"TEST-{now:%H%M%S}",
            sold_at=now,
            time_zone=self._store.time_zone,
            lines=(ReceiptLine(line, "1", price, price),),
            item_count=1,
            subtotal=price,
            savings=ZERO,
            total=price,
            tenders=(),
            change=ZERO,
            footer=footer,
        )

    def _port(self, check: Check) -> object | None:
        if check is Check.DRAWER:
            drawer = self._devices.drawer
            return drawer if drawer is not None and drawer.available else None
        return getattr(self._devices, check.value, None)

    def _await(
        self, kind: type[E], match: Callable[[E], bool], start: Callable[[], None]
    ) -> E | None:
        """Start something, then wait for the first event of ``kind`` that matches."""
        timeout_s = self._limits.print_s if kind is PrintJobFinished else self._limits.scale_s
        arrived = threading.Event()
        found: list[E] = []

        def on_event(event: E) -> None:
            if not arrived.is_set() and match(event):
                found.append(event)
                arrived.set()

        unsubscribe = self._bus.subscribe(kind, on_event)
        try:
            start()
            arrived.wait(timeout_s)
        finally:
            unsubscribe()
        return found[0] if found else None

    def _on_status(self, event: DeviceStatusChanged) -> None:
        with self._lock:
            self._status[event.device] = (event.online, event.detail)

    def _on_print_finished(self, event: PrintJobFinished) -> None:
        """A printed job shows the printer is there; an offline one that it is not."""
        if event.ok:
            self._on_status(DeviceStatusChanged(Check.PRINTER, True, "last job printed"))
        elif event.error_code == PRINTER_OFFLINE:
            self._on_status(DeviceStatusChanged(Check.PRINTER, False, PRINTER_OFFLINE))


def size_text(size: int) -> str:
    """Bytes as people read them, by integer arithmetic: 13_210_000_000 -> "12.3 GB"."""
    if size >= GIB:
        tenths = size * 10 // GIB
        return f"{tenths // 10}.{tenths % 10} GB"
    return f"{size // MIB} MB"


def _existing(folder: Path) -> Path:
    """The folder, or its nearest parent that exists (before the first start creates it)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return folder

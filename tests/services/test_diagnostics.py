"""Diagnostics: each device and back end checked through its real adapter (file printer, pty
serial lines, simulated scale and camera, a TCP socket), each answer a plain value."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import a_store
from escpos_decode import DrawerKick, decode
from serial_pty import PtyCable
from sqlalchemy import Engine

from hardware.camera.capture import CameraUnavailable
from hardware.simulated.camera import SimulatedCamera
from hardware.simulated.scale import SimulatedScale
from hardware.wiring import build_pole_display, build_printer, build_scale
from pos_app.bootstrap import find_site
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import PoleDisplayConfig, PrinterConfig, ScaleConfig, parse_config
from pos_app.errors import GatewayError
from pos_app.events import DeviceStatusChanged
from pos_app.i18n import load_catalog
from pos_app.persistence.db import make_engine, make_session_factory
from pos_app.persistence.migrate import downgrade, head_revision
from pos_app.persistence.repositories.journal import AuditLog
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.ports.scale import WeightStatus
from pos_app.resources import resources_dir
from pos_app.services.approvals import ApprovalService
from pos_app.services.diagnostics import (
    GIB,
    Check,
    CheckResult,
    CheckState,
    DiagnosedDevices,
    DiagnosticsService,
    Limits,
    size_text,
)
from pos_app.services.drawer import DrawerService

FAST = Limits(print_s=5.0, scale_s=5.0, camera_s=2.0)
CATALOG = load_catalog(resources_dir() / "i18n", "zh_CN")
Diagnose = Callable[..., DiagnosticsService]


@pytest.fixture
def diagnose(sqlite_engine: Engine, bus: EventBus, clock: FixedClock, tmp_path: Path) -> Diagnose:
    """``diagnose(printer=..., scale=...)``: the service over those devices on a fresh store."""
    a_store(sqlite_engine)
    return lambda **devices: service(sqlite_engine, bus, clock, tmp_path, **devices)


def service(
    engine: Engine,
    bus: EventBus,
    clock: FixedClock,
    data_dir: Path,
    limits: Limits = FAST,
    **devices: Any,
) -> DiagnosticsService:
    store, site = find_site(make_session_factory(engine), parse_config({}, data_dir=data_dir))
    return DiagnosticsService(
        DiagnosedDevices(**devices),
        bus=bus,
        clock=clock,
        engine=engine,
        data_dir=data_dir,
        store=store,
        terminal_code=site.terminal_code,
        limits=limits,
    )


def states(results: tuple[CheckResult, ...] | list[CheckResult]) -> dict[str, str]:
    return {r.name: f"{r.state} {r.key.removeprefix('device.result.')}" for r in results}


@pytest.fixture
def printer_at(bus: EventBus, tmp_path: Path) -> Iterator[Callable[[Path], Any]]:
    opened: list[Any] = []

    def make(paper: Path) -> Any:
        device = build_printer(PrinterConfig(path=str(paper)), bus, CATALOG, tmp_path)
        opened.append(device)
        return device

    yield make
    for device in opened:
        device.close()


@pytest.fixture
def drawer_over(
    diagnose: Diagnose, sqlite_engine: Engine, bus: EventBus, clock: FixedClock, tmp_path: Path
) -> Callable[[Any], tuple[ApprovalService, DrawerService]]:
    """``drawer_over(printer)``: the approvals and the drawer kicked by that printer."""
    sessions = make_session_factory(sqlite_engine)
    _, site = find_site(sessions, parse_config({}, data_dir=tmp_path))
    approvals = ApprovalService(lambda: UnitOfWork(sessions, bus, site), clock)
    return lambda printer: (
        approvals,
        DrawerService(lambda: UnitOfWork(sessions, bus, site), clock, printer, approvals=approvals),
    )


@pytest.fixture
def scale(bus: EventBus) -> Iterator[SimulatedScale]:
    device = build_scale(ScaleConfig(kind="simulated"), bus)  # holds 532 g
    assert isinstance(device, SimulatedScale)
    yield device
    device.close()


# -- overview, database, disk ----------------------------------------------------------------


def test_a_till_with_no_devices_says_so_and_checks_its_database_and_disk(
    engine: Engine, bus: EventBus, clock: FixedClock, tmp_path: Path
) -> None:
    a_store(engine)

    overview = service(engine, bus, clock, tmp_path).overview()

    assert states(overview) == {
        "printer": "not_configured not_configured",
        "drawer": "not_configured not_configured",
        "pole_display": "not_configured not_configured",
        "scale": "not_configured not_configured",
        "camera": "not_configured not_configured",
        "database": "ok database",
        "disk": "ok disk",
    }
    database = overview[5]
    assert database.params == {"backend": engine.dialect.name, "revision": head_revision()}
    assert database.detail == engine.url.render_as_string(hide_password=True)


def test_a_database_behind_on_migrations_fails_and_names_both_revisions(
    diagnose: Diagnose, sqlite_engine: Engine
) -> None:
    downgrade(sqlite_engine, "0001")

    checked = diagnose().check_database()

    assert (checked.state, checked.key) == (CheckState.FAILED, "device.result.database_old")
    assert checked.params == {"revision": "0001", "expected": head_revision()}


def test_an_unreachable_database_fails_with_the_reason(
    bus: EventBus, clock: FixedClock, tmp_path: Path, sqlite_engine: Engine
) -> None:
    a_store(sqlite_engine)
    store, _ = find_site(make_session_factory(sqlite_engine), parse_config({}, data_dir=tmp_path))
    gone = make_engine(f"postgresql+psycopg://pos:secret@127.0.0.1:{_closed_port()}/pos")
    diagnostics = DiagnosticsService(
        DiagnosedDevices(),
        bus=bus,
        clock=clock,
        engine=gone,
        data_dir=tmp_path,
        store=store,
        terminal_code="T01",
    )

    checked = diagnostics.check_database()

    assert (checked.state, checked.key) == (CheckState.FAILED, "device.result.database_failed")
    assert "Connection refused" in checked.detail or "connection failed" in checked.detail
    assert "secret" not in checked.detail
    gone.dispose()


def test_low_disk_space_warns_and_very_low_fails(
    sqlite_engine: Engine, bus: EventBus, clock: FixedClock, tmp_path: Path
) -> None:
    a_store(sqlite_engine)
    huge = 1 << 60

    warned = service(
        sqlite_engine, bus, clock, tmp_path, limits=Limits(disk_warning_bytes=huge)
    ).check_disk()
    failed = service(
        sqlite_engine,
        bus,
        clock,
        tmp_path / "not-created-yet",
        limits=Limits(disk_failed_bytes=huge),
    ).check_disk()

    assert (warned.state, warned.key) == (CheckState.WARNING, "device.result.disk_low")
    assert (failed.state, failed.key) == (CheckState.FAILED, "device.result.disk_low")
    assert failed.detail == str(tmp_path)  # measured where the data folder will be
    assert set(warned.params) == {"free", "total"}


def test_sizes_read_as_people_say_them() -> None:
    assert size_text(13_210_000_000) == "12.3 GB"
    assert size_text(GIB) == "1.0 GB"
    assert size_text(500 * 1024 * 1024) == "500 MB"


# -- printer and drawer ----------------------------------------------------------------------


def test_the_test_page_prints_the_chinese_line_the_yen_price_and_the_footer(
    diagnose: Diagnose, printer_at: Callable[[Path], Any], tmp_path: Path
) -> None:
    paper = tmp_path / "paper.escpos"
    diagnostics = diagnose(printer=printer_at(paper))

    checked = diagnostics.print_test_page("测试商品 中文打印", "中文和 ￥ 清晰即为正常")

    assert (checked.state, checked.key) == (CheckState.OK, "device.result.page_printed")
    printed = decode(paper.read_bytes(), "gb18030")
    assert "测试门店" in printed.texts[0]
    assert any("测试商品 中文打印" in t and "￥12.30" in t for t in printed.texts)
    assert "中文和 ￥ 清晰即为正常" in printed.texts
    assert printed.cuts == 1 and printed.drawer_kicks == []
    assert diagnostics.device_status(Check.PRINTER).state is CheckState.OK


def test_an_unreachable_printer_fails_the_test_page_and_shows_printer_and_drawer_offline(
    diagnose: Diagnose,
    printer_at: Callable[[Path], Any],
    tmp_path: Path,
    drawer_over: Callable[[Any], tuple[ApprovalService, DrawerService]],
) -> None:
    printer = printer_at(tmp_path / "unplugged" / "paper.escpos")
    _, drawer = drawer_over(printer)
    diagnostics = diagnose(printer=printer, drawer=drawer)

    checked = diagnostics.print_test_page("line", "footer")

    assert (checked.state, checked.key, checked.detail) == (
        CheckState.FAILED,
        "device.result.print_offline",
        "printer.offline",
    )
    assert states(
        [diagnostics.device_status(Check.PRINTER), diagnostics.device_status(Check.DRAWER)]
    ) == {"printer": "failed offline", "drawer": "failed offline"}


def test_the_drawer_test_needs_a_manager_and_is_audited_like_any_opening(
    diagnose: Diagnose,
    printer_at: Callable[[Path], Any],
    tmp_path: Path,
    sqlite_engine: Engine,
    drawer_over: Callable[[Any], tuple[ApprovalService, DrawerService]],
) -> None:
    paper = tmp_path / "paper.escpos"
    printer = printer_at(paper)
    approvals, drawer = drawer_over(printer)
    diagnostics = diagnose(printer=printer, drawer=drawer)

    unapproved = diagnostics.open_drawer("user-9")
    manager = approvals.approve("9001", "9999")
    opened = diagnostics.open_drawer(manager.id)

    assert (unapproved.state, unapproved.detail) == (CheckState.FAILED, "approval.required")
    assert (opened.state, opened.key) == (CheckState.OK, "device.result.drawer_sent")
    printer.close()
    assert decode(paper.read_bytes(), "gb18030").drawer_kicks == [
        DrawerKick(2, 100, 100),
        DrawerKick(5, 100, 100),
    ]
    with make_session_factory(sqlite_engine)() as session:
        [entry] = AuditLog(session).entries()
    assert json.loads(entry.details)["reason"] == "diagnostics test"


# -- scale -----------------------------------------------------------------------------------


def test_reading_the_scale_gives_its_stable_weight(
    diagnose: Diagnose, scale: SimulatedScale
) -> None:
    checked = diagnose(scale=scale).read_scale()

    assert (checked.state, checked.key, checked.params) == (
        CheckState.OK,
        "device.result.weight",
        {"grams": 532},
    )


def test_a_settling_scale_is_a_warning_with_the_moving_weight(
    diagnose: Diagnose, scale: SimulatedScale
) -> None:
    scale.set_weight(250, WeightStatus.MOTION)

    checked = diagnose(scale=scale).read_scale()

    assert (checked.state, checked.key, checked.params) == (
        CheckState.WARNING,
        "device.result.weight_motion",
        {"grams": 250},
    )


def test_an_unplugged_scale_fails_says_why_and_reads_again_once_plugged_in(
    diagnose: Diagnose, scale: SimulatedScale
) -> None:
    diagnostics = diagnose(scale=scale)
    scale.unplug()

    unplugged = diagnostics.read_scale()
    status_while_out = diagnostics.device_status(Check.SCALE)
    scale.plug_in()
    again = diagnostics.read_scale()

    assert (unplugged.state, unplugged.key, unplugged.detail) == (
        CheckState.FAILED,
        "device.result.scale_failed",
        "simulated scale unplugged",
    )
    assert status_while_out.state is CheckState.FAILED
    assert again.state is CheckState.OK
    assert diagnostics.device_status(Check.SCALE).state is CheckState.OK


def test_a_silent_serial_scale_fails_with_the_adapters_reason(
    diagnose: Diagnose, bus: EventBus, tmp_path: Path
) -> None:
    cable = PtyCable(tmp_path / "ttyScale")  # plugged in, but nobody answers
    config = ScaleConfig(kind="serial", port=str(cable.link), timeout_ms=200, retry_ms=60_000)
    scale = build_scale(config, bus)
    try:
        checked = diagnose(scale=scale).read_scale()
    finally:
        scale.close()  # type: ignore[union-attr]
        cable.close()

    assert (checked.state, checked.key) == (CheckState.FAILED, "device.result.scale_failed")
    assert checked.detail == "no answer from the scale within 0.2 s"


# -- pole display, camera, back ends ---------------------------------------------------------


def test_the_pole_display_shows_the_test_line_and_warns_while_it_is_unplugged(
    diagnose: Diagnose, bus: EventBus, tmp_path: Path
) -> None:
    cable = PtyCable(tmp_path / "ttyPole")
    config = PoleDisplayConfig(kind="serial", port=str(cable.link), retry_ms=50)
    display = build_pole_display(config, bus, CATALOG)
    diagnostics = diagnose(pole_display=display)
    try:
        shown = diagnostics.show_test_line("DISPLAY TEST", "12345678901234567890")
        cable.wait_for(lambda sent: b"DISPLAY TEST" in sent and b"12345678901234567890" in sent)
        cable.unplug()
        diagnostics.show_test_line("GONE", "")
        _wait(lambda: diagnostics.device_status(Check.POLE_DISPLAY).state is CheckState.FAILED)
        while_out = diagnostics.show_test_line("STILL GONE", "")
    finally:
        display.close()  # type: ignore[union-attr]
        cable.close()

    assert (shown.state, shown.key) == (CheckState.OK, "device.result.display_sent")
    assert (while_out.state, while_out.key) == (
        CheckState.WARNING,
        "device.result.display_sent_offline",
    )


def test_a_camera_frame_is_grabbed_and_an_unplugged_camera_fails(diagnose: Diagnose) -> None:
    camera = SimulatedCamera([np.full((480, 640), 128, dtype=np.uint8)], fps=None)
    diagnostics = diagnose(camera=SimulatedFrames(camera))

    grabbed = diagnostics.grab_camera_frame()
    camera.unplug()
    unplugged = diagnostics.grab_camera_frame()

    assert (grabbed.state, grabbed.params) == (CheckState.OK, {"width": 640, "height": 480})
    assert (unplugged.state, unplugged.key) == (CheckState.FAILED, "device.result.camera_failed")
    assert unplugged.detail == "simulated camera unplugged"


def test_back_ends_are_probed_by_name_reachable_or_not(diagnose: Diagnose) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        host, port = server.getsockname()
        closed = _closed_port()

        def failing() -> str:
            raise GatewayError("sandbox answered 503")

        diagnostics = diagnose(
            back_ends={
                "sandbox": tcp_probe(host, port),
                "aggregator": tcp_probe(host, closed),
                "coupons": failing,
            }
        )
        results = [
            diagnostics.check_back_end(name)
            for name in ("sandbox", "aggregator", "coupons", "unknown")
        ]

    assert states(results) == {
        "sandbox": "ok back_end",
        "aggregator": "failed back_end_failed",
        "coupons": "failed back_end_failed",
        "unknown": "not_configured not_configured",
    }
    assert results[0].detail == f"{host}:{port} answered"
    assert results[2].detail == "sandbox answered 503"
    assert states(diagnostics.overview()[-3:]) == {
        "sandbox": "unknown unknown",
        "aggregator": "unknown unknown",
        "coupons": "unknown unknown",
    }


def test_device_states_follow_what_the_devices_report(
    diagnose: Diagnose, bus: EventBus, scale: SimulatedScale
) -> None:
    camera = SimulatedFrames(SimulatedCamera([np.zeros((48, 64), dtype=np.uint8)]))
    diagnostics = diagnose(scale=scale, camera=camera)
    before = diagnostics.device_status(Check.CAMERA)

    bus.publish(DeviceStatusChanged("camera", False, "camera unavailable: busy"))
    offline = diagnostics.device_status(Check.CAMERA)
    bus.publish(DeviceStatusChanged("camera", True, "camera open"))

    assert (before.state, offline.state, offline.detail) == (
        CheckState.UNKNOWN,
        CheckState.FAILED,
        "camera unavailable: busy",
    )
    assert diagnostics.device_status(Check.CAMERA).detail == "camera open"


class SimulatedFrames:
    """The FrameGrabber port over the simulated camera: one frame from a fresh open."""

    def __init__(self, camera: SimulatedCamera) -> None:
        self.camera = camera

    def grab_frame(self, timeout_s: float) -> tuple[int, int]:
        source = self.camera.open()
        try:
            frame = source.read()
        finally:
            source.close()
        if frame is None:
            raise CameraUnavailable("no frame")
        return int(frame.shape[1]), int(frame.shape[0])


def tcp_probe(host: str, port: int) -> Callable[[], str]:
    def probe() -> str:
        with socket.create_connection((host, port), timeout=1.0):
            return f"{host}:{port} answered"

    return probe


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(done: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)

"""The cameras built from the config file: a simulated face camera (portraits as its frames)
reports a face as FaceSeen only while watching, the shipped models are SHA-256 checked when it
loads them (a tampered one leaves it offline with the reason), and IT's "grab a frame" answers
with each camera's frame size from its own frame thread."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from sqlalchemy import Engine

from benchmarks.faces import FaceDataUnavailable, portraits
from hardware.faces.models import SFACE, YUNET, models_dir
from hardware.wiring import build_camera, build_face_camera
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import CameraConfig, FaceCameraConfig, parse_config
from pos_app.errors import ConfigError
from pos_app.events import BarcodeScanned, DeviceStatusChanged, FaceSeen
from pos_app.persistence.repositories.staff import StoreRecord
from pos_app.services.diagnostics import Check, CheckState, DiagnosedDevices, DiagnosticsService

Cameras = tuple[EventBus, object, object, threading.Event]
"""The bus, the barcode camera, the face camera, and "the QR code was scanned"."""


def wait_for(event: threading.Event, seconds: float = 15.0) -> bool:
    return event.wait(seconds)


@pytest.fixture(scope="module")
def portrait() -> Path:
    try:
        return portraits()[0]
    except FaceDataUnavailable as exc:
        pytest.skip(f"face test photos unavailable (fetched with pip at test time): {exc}")


@pytest.fixture
def qr_image(tmp_path: Path) -> Path:

    bitmap = zxingcpp.create_barcode("POS-TEST-0001", zxingcpp.BarcodeFormat.QRCode)
    image = np.asarray(bitmap.to_image(scale=8, add_quiet_zones=True), dtype=np.uint8)
    path = tmp_path / "qr.png"
    cv2.imwrite(str(path), image)
    return path


def test_the_config_builds_a_simulated_face_camera_that_reports_faces_while_watching(
    portrait: Path, tmp_path: Path
) -> None:
    shutil.copy(portrait, tmp_path / "member.jpg")
    config = parse_config(
        {"devices": {"face_camera": {"kind": "simulated", "images": ["member.jpg"],
                                     "max_fps": 10}}}, data_dir=tmp_path)  # fmt: skip
    bus = EventBus()
    seen: list[FaceSeen] = []
    online, arrived = threading.Event(), threading.Event()
    bus.subscribe(FaceSeen, lambda event: (seen.append(event), arrived.set()))
    bus.subscribe(DeviceStatusChanged, lambda e: online.set() if e.online else None)
    camera = build_face_camera(config.devices.face_camera, bus, tmp_path)
    try:
        assert wait_for(online)
        assert not arrived.wait(0.5)  # nobody asked: frames are dropped unseen
        camera.watch(10)  # type: ignore[union-attr]
        assert wait_for(arrived)
        assert camera.grab_frame(2.0) == (640, 480)  # type: ignore[union-attr]
    finally:
        camera.close()  # type: ignore[union-attr]
    assert seen[0].camera == "face_camera" and seen[0].faces_in_view == 1
    assert len(seen[0].embedding) == 512
    assert "embedding" not in repr(seen[0])  # face data never reaches a log line


def test_face_models_that_fail_their_sha256_check_leave_the_camera_offline_with_the_reason(
    tmp_path: Path,
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(models_dir() / YUNET.name, models / YUNET.name)
    tampered = bytearray((models_dir() / SFACE.name).read_bytes())
    tampered[100] ^= 0xFF
    (models / SFACE.name).write_bytes(bytes(tampered))
    image = tmp_path / "grey.png"

    cv2.imwrite(str(image), np.full((480, 640), 128, dtype=np.uint8))
    bus = EventBus()
    statuses: list[DeviceStatusChanged] = []
    reported = threading.Event()
    bus.subscribe(DeviceStatusChanged, lambda e: (statuses.append(e), reported.set()))
    camera = build_face_camera(
        FaceCameraConfig(kind="simulated", images=(str(image),)), bus, models=models
    )
    try:
        assert wait_for(reported)
    finally:
        camera.close()  # type: ignore[union-attr]
    assert statuses[0].device == "face_camera" and not statuses[0].online
    assert "SHA-256" in statuses[0].detail and SFACE.name in statuses[0].detail


def test_a_simulated_camera_needs_its_images() -> None:
    with pytest.raises(ConfigError, match=r"devices\.face_camera\.images"):
        build_face_camera(FaceCameraConfig(kind="simulated"), EventBus())
    with pytest.raises(ConfigError, match=r"devices\.camera\.kind"):
        build_camera(CameraConfig(kind="webcam"), EventBus())


@pytest.fixture
def cameras(qr_image: Path, portrait: Path) -> Iterator[Cameras]:
    bus, scanned = EventBus(), threading.Event()
    bus.subscribe(BarcodeScanned, lambda e: scanned.set() if e.text == "POS-TEST-0001" else None)
    barcode = build_camera(CameraConfig(kind="simulated", images=(str(qr_image),)), bus)
    face = build_face_camera(FaceCameraConfig(kind="simulated", images=(str(portrait),)), bus)
    yield bus, barcode, face, scanned
    for camera in (barcode, face):
        camera.close()  # type: ignore[union-attr]


def test_diagnostics_grab_a_frame_from_each_camera_and_the_barcode_camera_still_scans(
    cameras: Cameras,
    sqlite_engine: Engine,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    bus, barcode, face, scanned = cameras
    store = StoreRecord(id="s", code="S1", name="Store", address="", time_zone="Asia/Shanghai")
    diagnostics = DiagnosticsService(
        DiagnosedDevices(camera=barcode, face_camera=face),  # type: ignore[arg-type]
        bus=bus, clock=clock, engine=sqlite_engine,
        data_dir=tmp_path, store=store, terminal_code="T01",
    )  # fmt: skip

    from_barcode = diagnostics.grab_camera_frame()
    from_face = diagnostics.grab_camera_frame(Check.FACE_CAMERA)

    assert (from_barcode.state, from_barcode.key) == (CheckState.OK, "device.result.frame")
    assert from_barcode.params == {"width": 640, "height": 480}
    assert (from_face.name, from_face.state, from_face.params) == (
        "face_camera", CheckState.OK, {"width": 640, "height": 480})  # fmt: skip
    assert Check.FACE_CAMERA in diagnostics.device_checks()
    assert wait_for(scanned)  # the tap does not take frames away from the decoder

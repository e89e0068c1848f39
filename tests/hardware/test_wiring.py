"""Devices built from the config file report through the bus: a weight from the scale, the
customer's cart on the pole display."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from serial_pty import PtyCable

from hardware.wiring import build_devices
from pos_app.bus import EventBus
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.errors import ConfigError
from pos_app.events import CustomerViewChanged, WeightRead
from pos_app.i18n import Catalog
from pos_app.services.views import CustomerLineView, CustomerView

CATALOG = Catalog("en", {})


def test_the_demo_scale_answers_a_weight_request_on_the_bus(tmp_path: Path) -> None:
    bus = EventBus()
    readings: list[WeightRead] = []
    arrived = threading.Event()
    bus.subscribe(WeightRead, lambda event: (readings.append(event), arrived.set()))
    config = parse_config({"devices": {"printer": {"kind": "none"}}}, data_dir=tmp_path)
    devices = build_devices(config.devices, bus, CATALOG, tmp_path)
    try:
        assert devices.scale is not None
        devices.scale.request_weight()
        assert arrived.wait(5)
    finally:
        devices.close()
    assert readings == [WeightRead(grams=532, stable=True, status="stable")]


def test_a_pole_display_follows_the_customer_view(tmp_path: Path) -> None:
    cable = PtyCable(tmp_path / "ttyPOLE")
    bus = EventBus()
    config = parse_config({"devices": {
        "printer": {"kind": "none"}, "scale": {"kind": "none"},
        "pole_display": {"kind": "serial", "port": str(tmp_path / "ttyPOLE")}}},
        data_dir=tmp_path)
    devices = build_devices(config.devices, bus, CATALOG, tmp_path)
    view = CustomerView(lines=(CustomerLineView("Cola 330ml", 2, None, Money(7_00), Money(0)),),
                        savings=Money(0), total=Money(7_00), item_count=2, state="scanning")
    try:
        bus.publish(CustomerViewChanged(view))
        shown = cable.wait_for(lambda data: b"7.00" in data and b"Cola" in data)
    finally:
        devices.close()
        cable.unplug()
    assert b"Cola 330ml" in shown


@pytest.mark.parametrize(("devices", "named"), [
    ({"scale": {"kind": "serial"}}, "devices.scale.port"),
    ({"scale": {"kind": "usb"}}, "devices.scale.kind"),
    ({"scale": {"kind": "serial", "port": "/dev/x", "protocol": "abc"}}, "devices.scale.protocol"),
    ({"camera": {"kind": "webcam"}}, "devices.camera.kind"),
])
def test_a_device_config_mistake_names_the_key(
        tmp_path: Path, devices: dict[str, object], named: str) -> None:
    config = parse_config({"devices": {"printer": {"kind": "none"}, **devices}},
                          data_dir=tmp_path)
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        build_devices(config.devices, EventBus(), CATALOG, tmp_path)

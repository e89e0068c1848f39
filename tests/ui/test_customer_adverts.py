"""Idle adverts on the customer display: after a while on the welcome the store's adverts
(resources/adverts) take turns; the first scan brings the cart back at once, and the adverts
only start counting again once the display is back on its welcome."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from pos_app.bootstrap import Core
from pos_app.config import parse_config
from pos_app.i18n import Catalog
from pos_app.persistence.demo_store import DEMO_STAFF, KNOWN_PRODUCTS
from pos_app.resources import resources_dir
from ui.customer.customer_window import CustomerWindow
from ui.event_bridge import EventBridge

COLA = next(p for p in KNOWN_PRODUCTS if p.sku == "S0000001")


def customer_window(qtbot: QtBot, bridge: EventBridge, catalog: Catalog, **timing: int
                    ) -> CustomerWindow:
    window = CustomerWindow(bridge=bridge, catalog=catalog, store_name="新零售示范店", **timing)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_shipped_adverts_are_small_pngs() -> None:
    adverts = sorted((resources_dir() / "adverts").glob("*.png"))
    assert len(adverts) >= 2
    for path in adverts:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 800
        assert path.stat().st_size < 100_000


def test_an_idle_display_cycles_the_adverts_and_a_scan_brings_the_cart_back(
    qtbot: QtBot, core: Core, bridge: EventBridge, catalog: Catalog,
) -> None:
    customer = customer_window(qtbot, bridge, catalog, advert_after_ms=150, advert_slide_ms=500)
    assert customer.state == "idle"
    qtbot.waitUntil(lambda: customer.state == "advert", timeout=3000)
    first = customer.advert_view.name
    assert first.endswith(".png") and customer.adverts.count >= 2
    qtbot.waitUntil(lambda: customer.advert_view.name != first, timeout=3000)  # next slide
    assert not customer.advert_view.grab().toImage().isNull()

    cashier = core.staff.login(DEMO_STAFF[0].staff_no, DEMO_STAFF[0].pin)
    cart = core.checkout.open_cart(cashier.id)
    core.checkout.scan(cart.id, str(COLA.barcode))  # publishes CustomerViewChanged with lines
    qtbot.waitUntil(lambda: customer.state == "scanning", timeout=2000)
    assert COLA.name in customer.visible_texts()
    qtbot.wait(700)  # longer than the idle time: no advert while somebody is served
    assert customer.state == "scanning"

    core.checkout.suspend(cart.id)  # the cart empties: welcome, then adverts again
    qtbot.waitUntil(lambda: customer.state == "idle", timeout=2000)
    qtbot.waitUntil(lambda: customer.state == "advert", timeout=3000)


def test_adverts_can_be_turned_off(
    qtbot: QtBot, bridge: EventBridge, catalog: Catalog, tmp_path: Path,
) -> None:
    off = customer_window(qtbot, bridge, catalog, advert_after_ms=0)
    empty = customer_window(qtbot, bridge, catalog, advert_after_ms=50, adverts_dir=tmp_path)
    qtbot.wait(300)
    assert (off.state, empty.state) == ("idle", "idle")


def test_the_advert_delay_comes_from_the_ui_section_of_the_config(tmp_path: Path) -> None:
    assert parse_config({}, data_dir=tmp_path).ui.advert_after_s == 20
    config = parse_config({"ui": {"advert_after_s": 5, "advert_slide_s": 3}}, data_dir=tmp_path)
    assert (config.ui.advert_after_s, config.ui.advert_slide_s) == (5, 3)

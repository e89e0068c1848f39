"""The customer display follows CustomerView snapshots: welcome, the cart as scanned, thanks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pos_app.bootstrap import Core
from pos_app.domain.money import Money
from pos_app.i18n import Catalog
from pos_app.persistence.demo_store import DEMO_STAFF, KNOWN_PRODUCTS
from pos_app.services.views import CustomerLineView, CustomerView
from ui.customer.customer_window import CustomerWindow
from ui.event_bridge import EventBridge

REPO = Path(__file__).resolve().parents[2]
CASHIER = DEMO_STAFF[0]
COLA, WATER = KNOWN_PRODUCTS[0], KNOWN_PRODUCTS[1]  # 可口可乐 330ml ¥3.50, 农夫山泉 ¥2.00


@pytest.fixture
def customer_window(qtbot: QtBot, bridge: EventBridge, catalog: Catalog) -> CustomerWindow:
    window = CustomerWindow(bridge=bridge, catalog=catalog, store_name="新零售示范店")
    qtbot.addWidget(window)
    window.show()
    return window


def a_view(
    *lines: tuple[str, int, int | None, int],
    state: str = "scanning",
    savings: int = 0,
    paid: int = 0,
    change: int = 0,
) -> CustomerView:
    """Lines as (name, pieces, grams, amount in fen)."""
    views = tuple(
        CustomerLineView(name, qty, grams, Money(fen), Money(0)) for name, qty, grams, fen in lines
    )
    total = sum(fen for *_, fen in lines) - savings
    count = sum(1 if grams is not None else qty for _, qty, grams, _ in lines)
    return CustomerView(
        lines=views,
        savings=Money(savings),
        total=Money(total),
        item_count=count,
        state=state,
        paid=Money(paid),
        change=Money(change),
    )


def test_an_idle_display_welcomes_the_customer(customer_window: CustomerWindow) -> None:
    assert customer_window.state == "idle"
    assert customer_window.visible_texts() == ["新零售示范店", "欢迎光临", "祝您购物愉快"]


def test_the_display_shows_each_line_the_last_item_big_and_the_total(
    qtbot: QtBot, customer_window: CustomerWindow, bridge: EventBridge
) -> None:
    bridge.customer_view_changed.emit(
        a_view(("可口可乐 330ml", 2, None, 700), ("红富士苹果", 1, 532, 681))
    )
    assert customer_window.state == "scanning"
    assert customer_window.last_item_name.text() == "红富士苹果"
    assert customer_window.last_item_amount.text() == "0.532 kg   ¥6.81"
    assert customer_window.total_label.text() == "¥13.81"
    assert customer_window.count_label.text() == "共 3 件"
    table = customer_window.lines_table
    assert [[table.item(row, col).text() for col in range(3)] for row in range(2)] == [
        ["可口可乐 330ml", "2", "¥7.00"],
        ["红富士苹果", "0.532 kg", "¥6.81"],
    ]
    assert "已为您节省" not in " ".join(customer_window.visible_texts())


def test_savings_are_shown_when_there_are_any(
    customer_window: CustomerWindow, bridge: EventBridge
) -> None:
    bridge.customer_view_changed.emit(a_view(("伊利 纯牛奶 250ml", 2, None, 600), savings=100))
    assert "已为您节省 ¥1.00" in customer_window.visible_texts()
    assert customer_window.total_label.text() == "¥5.00"


def test_after_payment_the_display_thanks_and_shows_paid_and_change(
    qtbot: QtBot, customer_window: CustomerWindow, bridge: EventBridge
) -> None:
    bridge.customer_view_changed.emit(
        a_view(("可口可乐 330ml", 1, None, 350), state="paid", paid=1000, change=650)
    )
    assert customer_window.state == "paid"
    assert customer_window.visible_texts() == [
        "谢谢惠顾",
        "应付 ¥3.50　实收 ¥10.00",
        "找零 ¥6.50",
        "欢迎再次光临",
    ]


def test_the_thanks_gives_way_to_the_welcome_after_a_while(
    qtbot: QtBot, bridge: EventBridge, catalog: Catalog
) -> None:
    window = CustomerWindow(bridge=bridge, catalog=catalog, store_name="店", paid_hold_ms=50)
    qtbot.addWidget(window)
    bridge.customer_view_changed.emit(
        a_view(("可口可乐 330ml", 1, None, 350), state="paid", paid=350)
    )
    assert window.state == "paid"
    qtbot.waitUntil(lambda: window.state == "idle")


def test_the_display_follows_a_real_sale_through_the_bus(
    qtbot: QtBot, customer_window: CustomerWindow, core: Core
) -> None:
    staff = core.staff.login(CASHIER.staff_no, CASHIER.pin)
    cart = core.checkout.open_cart(staff.id)
    core.checkout.scan(cart.id, str(COLA.barcode))
    core.checkout.scan(cart.id, str(WATER.barcode))
    # the demo store's "饮料第二件半价": the water, the cheaper drink, is half price
    qtbot.waitUntil(lambda: customer_window.total_label.text() == "¥4.50")
    assert customer_window.last_item_name.text() == WATER.name
    assert customer_window.last_item_amount.text() == "×1   ¥2.00"
    table = customer_window.lines_table
    cells = [[table.item(r, c).text().strip() for c in range(3)] for r in range(table.rowCount())]
    assert cells == [
        [COLA.name, "1", "¥3.50"],
        [WATER.name, "1", "¥2.00"],
        ["饮料第二件半价", "", "-¥1.00"],
    ]
    assert "已为您节省 ¥1.00" in customer_window.visible_texts()
    core.sales.pay_cash(cart.id, Money(10_00))
    qtbot.waitUntil(lambda: customer_window.state == "paid")
    assert "找零 ¥5.50" in customer_window.visible_texts()


def test_with_one_screen_the_display_is_an_ordinary_window(customer_window: CustomerWindow) -> None:
    assert customer_window.show_on("") is None
    assert not customer_window.isFullScreen()


def test_a_long_cart_still_fits_an_800x480_display(
    customer_window: CustomerWindow, bridge: EventBridge
) -> None:
    lines = [(f"农夫山泉 饮用天然水 550ml 第{n}件", 1, None, 200) for n in range(40)]
    bridge.customer_view_changed.emit(a_view(*lines, savings=100))
    hint = customer_window.minimumSizeHint()
    assert hint.width() <= 800 and hint.height() <= 480


@pytest.mark.slow
def test_the_display_goes_full_screen_on_the_screen_named_or_else_the_second(
    tmp_path: Path,
) -> None:
    """Qt's offscreen platform with two screens; run apart, as screens are fixed at start."""
    config = tmp_path / "screens.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {"name": "HDMI-1", "x": 0, "y": 0, "width": 1280, "height": 800},
                    {"name": "HDMI-2", "x": 1280, "y": 0, "width": 800, "height": 480},
                ]
            }
        )
    )
    script = textwrap.dedent("""
        from PySide6.QtWidgets import QApplication
        from pos_app.bus import EventBus
        from pos_app.i18n import load_catalog
        from pos_app.resources import resources_dir
        from ui.customer.customer_window import CustomerWindow
        from ui.event_bridge import EventBridge

        app = QApplication([])
        bridge = EventBridge(EventBus())
        catalog = load_catalog(resources_dir() / "i18n", "zh_CN")
        for name in ("", "HDMI-2", "no-such-screen", "HDMI-1"):
            window = CustomerWindow(bridge=bridge, catalog=catalog, store_name="店")
            screen = window.show_on(name)
            box = window.geometry()
            print(name or "-", screen.name() if screen else None, window.isFullScreen(),
                  f"{box.x()},{box.y()} {box.width()}x{box.height()}")
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    default, named, unknown, primary = result.stdout.split("\n")[:4]
    assert default == "- HDMI-2 True 1280,0 800x480"
    assert named == "HDMI-2 HDMI-2 True 1280,0 800x480"
    assert unknown == "no-such-screen HDMI-2 True 1280,0 800x480"
    assert primary.startswith("HDMI-1 None False")  # the cashier's own screen: a plain window

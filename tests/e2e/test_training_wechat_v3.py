"""The app in training mode with WeChat Pay on API v3: a WeChat payment code scanned on the
sale screen pays through the embedded sandbox over the JSON v3 protocol and completes the
sale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from app_driver import logged_in, running_app
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from backends.payments.wechat_pay_v3 import WechatPayV3Gateway
from backends.sandbox.magic import Scenario, make_code
from pos_app.domain.payment_codes import Provider
from pos_app.persistence.models import OrderRow, PaymentRow
from ui.main import PosApplication

CRISPS = "6900000000038"


@pytest.fixture
def pos(qapp: QApplication, tmp_path: Path) -> Iterator[PosApplication]:
    with running_app(qapp, tmp_path, payments={"sandbox_wechat_api": "v3"}) as application:
        yield application

def test_a_wechat_code_pays_over_v3_in_training_mode(qtbot: QtBot, pos: PosApplication) -> None:
    assert isinstance(pos.gateways.for_provider(Provider.WECHAT_PAY), WechatPayV3Gateway)
    sale = logged_in(qtbot, pos).sale_screen
    pos.scan_filter.scanned.emit(CRISPS)
    qtbot.waitUntil(lambda: sale.cart_view is not None and sale.cart_view.item_count == 1,
                    timeout=10_000)
    pos.scan_filter.scanned.emit(make_code(Provider.WECHAT_PAY, Scenario.PAYS_AT_ONCE))

    def completed() -> bool:
        with pos.core.engine.connect() as c:
            return c.execute(select(OrderRow.status).where(
                OrderRow.kind == "sale", OrderRow.status == "completed")).first() is not None

    qtbot.waitUntil(completed, timeout=15_000)
    with pos.core.engine.connect() as c:
        method, provider = c.execute(select(PaymentRow.method, PaymentRow.provider)).one()
    assert (method, provider) == ("payment_code", "wechat_pay")

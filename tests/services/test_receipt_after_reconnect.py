"""A printer unplugged during a sale: the sale completes, the receipt waits, and it prints by
itself once the printer is back, exactly once; on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

from builders import a_product, a_store
from sqlalchemy import Engine, select

from hardware.printer.transports import prepare_escpos_env
from hardware.wiring import build_printer
from pos_app.bootstrap import build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.i18n import load_catalog
from pos_app.persistence.models import OrderRow, PrintJobRow
from pos_app.resources import resources_dir

CUT = b"\x1dV"


def wait_until(done: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_the_receipt_of_a_sale_made_while_unplugged_prints_once_the_printer_is_back(
        engine: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    a_store(engine)
    cola = a_product(engine, name="可口可乐 330ml", price="3.50")
    paper = tmp_path / "usb-printer" / "receipts.escpos"  # unplugged: its folder is missing
    config = parse_config({"devices": {"printer": {"transport": "file", "path": str(paper),
                                                   "status_poll_s": 1}}},
                          data_dir=tmp_path)
    prepare_escpos_env()
    printer = build_printer(config.devices.printer, bus,
                            load_catalog(resources_dir() / "i18n", "zh_CN"), tmp_path)
    core = build_core(config, bus=bus, clock=clock, printer=printer,  # type: ignore[arg-type]
                      engine=engine)
    try:
        cart = core.checkout.open_cart("user-1")
        core.checkout.scan(cart.id, cola.barcode)
        sale = core.sales.pay_cash(cart.id, Money(5_00))

        def job_state() -> str:
            with engine.connect() as c:
                return str(c.execute(select(PrintJobRow.state)).scalar_one())

        wait_until(lambda: job_state() == "failed")
        with engine.connect() as c:
            assert c.execute(select(OrderRow.status)).scalar_one() == "completed"

        paper.parent.mkdir()  # plugged back in
        wait_until(lambda: paper.exists() and CUT in paper.read_bytes())
        wait_until(lambda: job_state() == "printed")
        time.sleep(2.2)  # two more status polls: nothing prints twice
        printed = paper.read_bytes()
        assert printed.count(CUT) == 1
        assert sale.order_number.encode() in printed
    finally:
        printer.close()  # type: ignore[union-attr]

"""Readable set-up: a store with a terminal and staff, and products by price and barcode."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select

from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.domain.scan_codes import check_digit, classify
from pos_app.domain.staff import hash_pin
from pos_app.persistence.models import (
    BarcodeRow,
    CategoryRow,
    ProductRow,
    StockRow,
    StoreRow,
    TerminalRow,
    UserRow,
)
from pos_app.ports.printing import ReceiptPrinter

_serial = itertools.count(1)
SALT = b"test-salt-16byte"


@dataclass(frozen=True, slots=True)
class BuiltProduct:
    id: str
    sku: str
    barcode: str
    name: str
    price: Money


def a_store(engine: Engine, *, code: str = "DEMO01", terminal: str = "T01") -> None:
    """Store, terminal, cashier 1001/1234, manager 9001/9999, a category."""
    with engine.begin() as c:
        c.execute(insert(StoreRow).values(id="store-1", code=code, name="测试门店",
                                          address="上海市", time_zone="Asia/Shanghai"))
        c.execute(insert(TerminalRow).values(id="term-1", store_id="store-1", code=terminal,
                                             name="1号收银台"))
        for uid, no, name, role, pin in (("user-1", "1001", "王芳", "cashier", "1234"),
                                         ("user-9", "9001", "张经理", "manager", "9999")):
            c.execute(insert(UserRow).values(id=uid, store_id="store-1", staff_no=no, name=name,
                                             role=role, pin_hash=hash_pin(pin, SALT, 1000)))
        c.execute(insert(CategoryRow).values(id="cat-1", code="C01", name="饮料"))


def an_ean13(serial: int) -> str:
    body = f"69{serial:010d}"
    return body + str(check_digit(body))


def a_product(engine: Engine, *, name: str = "可口可乐 330ml", price: str = "3.50",
              weighed: bool = False, plu: str | None = None, stock: int = 100,
              active: bool = True) -> BuiltProduct:
    n = next(_serial)
    ean = an_ean13(n)
    pid, sku = f"prod-{n}", f"T{n:06d}"
    with engine.begin() as c:
        c.execute(insert(ProductRow).values(
            id=pid, sku=sku, name=name, pinyin=f"t{n}", unit="kg" if weighed else "piece",
            list_price_fen=Money.parse(price).fen, tax_rate_bp=1300, category_id="cat-1",
            weighed=weighed, active=active, plu=plu))
        if not weighed:
            c.execute(insert(BarcodeRow).values(code=classify(ean).gtin, product_id=pid))  # type: ignore[union-attr]
        c.execute(insert(StockRow).values(product_id=pid, quantity=stock))
    return BuiltProduct(pid, sku, ean, name, Money.parse(price))


def stock_of(engine: Engine, product_id: str) -> int:
    with engine.connect() as c:
        return int(c.execute(select(StockRow.quantity)
                             .where(StockRow.product_id == product_id)).scalar_one())


def a_core(engine: Engine, tmp_path: Path, *, bus: EventBus, clock: Clock,
           printer: ReceiptPrinter | None = None) -> Core:
    config = parse_config({}, data_dir=tmp_path)
    return build_core(config, bus=bus, clock=clock, printer=printer, engine=engine)

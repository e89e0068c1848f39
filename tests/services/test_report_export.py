"""The report's CSV files as Excel in a Chinese store opens them: UTF-8 with a byte-order mark,
a header row, amounts in yuan with two decimals, stable file names, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from builders import a_core, a_product, a_store
from sqlalchemy import Engine

from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.domain.money import Money

DAY = date(2026, 11, 24)


def read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")


def test_each_section_is_a_csv_with_a_header_and_yuan_amounts(
    sqlite_engine: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock
) -> None:
    a_store(sqlite_engine)
    cola = a_product(sqlite_engine, name="可口可乐 330ml", price="3.50")
    trick = a_product(sqlite_engine, name='=HYPERLINK("http://x")', price="1.05")
    core = a_core(sqlite_engine, tmp_path, bus=bus, clock=clock)
    cart = core.checkout.open_cart("user-1").id
    for code in (cola.barcode, cola.barcode, cola.barcode, trick.barcode):
        core.checkout.scan(cart, code)
    core.sales.pay_cash(cart, Money(20_00))
    view = core.reports.report(DAY)

    paths = core.reports.export_csv(view, tmp_path / "exports")

    assert [p.name for p in paths] == [
        f"sales-2026-11-24-{section}.csv"
        for section in (
            "headline",
            "hours",
            "categories",
            "products",
            "cashiers",
            "payments",
            "savings",
        )
    ]
    [head] = read(paths[0])
    assert (head["store"], head["first"], head["last"], head["terminal"]) == (
        "测试门店",
        "2026-11-24",
        "2026-11-24",
        "",
    )
    assert (head["sales_count"], head["sales_total"], head["average_sale"], head["items_sold"]) == (
        "1",
        "11.55",
        "11.55",
        "4",
    )
    hours = read(paths[1])
    assert len(hours) == 24 and hours[10] == {
        "hour": "10",
        "sales_count": "1",
        "sales_total": "11.55",
    }
    assert read(paths[2]) == [
        {"category": "饮料", "quantity": "4", "total": "11.55", "share_percent": "100.00"}
    ]
    products = read(paths[3])
    assert [(p["name"], p["quantity"], p["grams"], p["total"]) for p in products] == [
        ("可口可乐 330ml", "3", "0", "10.50"),
        ('\'=HYPERLINK("http://x")', "1", "0", "1.05"),
    ]
    assert read(paths[4]) == [
        {
            "staff_no": "1001",
            "name": "王芳",
            "sales_count": "1",
            "sales_total": "11.55",
            "returns_count": "0",
            "returns_total": "0.00",
            "voided_lines": "0",
        }
    ]
    assert read(paths[5]) == [
        {"method": "cash", "provider": "", "count": "1", "total": "11.55", "refunded": "0.00"}
    ]
    assert read(paths[6]) == []  # no savings: the header alone
    assert header(paths[6]) == ["kind", "source", "name", "uses", "saved"]


def test_a_range_and_a_terminal_are_in_the_file_names(
    sqlite_engine: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock
) -> None:
    a_store(sqlite_engine)
    core = a_core(sqlite_engine, tmp_path, bus=bus, clock=clock)
    view = core.reports.report(DAY, DAY + timedelta(days=6), terminal_code="T01")

    paths = core.reports.export_csv(view, tmp_path)

    assert paths[0].name == "sales-2026-11-24_2026-11-30-T01-headline.csv"
    assert paths[-1].name == "sales-2026-11-24_2026-11-30-T01-savings.csv"
    [head] = read(paths[0])
    assert (head["first"], head["last"], head["terminal"], head["sales_total"]) == (
        "2026-11-24",
        "2026-11-30",
        "T01",
        "0.00",
    )
    assert header(paths[2]) == ["category", "quantity", "total", "share_percent"]

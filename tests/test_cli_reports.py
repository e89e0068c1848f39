"""`pos report` as IT runs it: one JSON object on stdout (amounts as fen and as yuan), CSV files
with --csv, and one line on stderr with exit code 2 for a bad date, range or terminal."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from builders import a_core, a_product, a_store
from sqlalchemy import Engine

from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.domain.money import Money
from pos_app.persistence.db import make_engine, sqlite_url
from ui.main import main


def run(data_dir: Path, *args: str) -> int:
    return main(["--config", str(data_dir / "none.toml"), "--data-dir", str(data_dir), *args])


@pytest.fixture
def shop(sqlite_template: Path, tmp_path: Path, clock: FixedClock) -> Path:
    """A store whose database has one cash sale on 2026-11-24 (¥7.00, 10:30 in Shanghai)."""
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    shutil.copy(sqlite_template, tmp_path / "pos.sqlite3")
    engine: Engine = make_engine(sqlite_url(tmp_path / "pos.sqlite3"))
    a_store(engine)
    cola = a_product(engine, name="可口可乐 330ml", price="3.50")
    core = a_core(engine, tmp_path, bus=EventBus(), clock=clock)
    cart = core.checkout.open_cart("user-1").id
    core.checkout.scan(cart, cola.barcode)
    core.checkout.scan(cart, cola.barcode)
    core.sales.pay_cash(cart, Money(10_00))
    engine.dispose()
    return tmp_path


def test_a_day_prints_as_one_json_object_with_fen_and_yuan(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(shop, "report", "--date", "2026-11-24") == 0
    report = json.loads(capsys.readouterr().out)

    assert (report["store_name"], report["first"], report["last"], report["terminal_code"]) == (
        "测试门店",
        "2026-11-24",
        "2026-11-24",
        None,
    )
    head = report["headline"]
    assert (head["sales_count"], head["sales_total_fen"], head["sales_total_yuan"]) == (
        1,
        7_00,
        "7.00",
    )
    assert len(report["by_hour"]) == 24 and report["by_hour"][10]["sales_count"] == 1
    assert report["by_payment"] == [
        {
            "method": "cash",
            "provider": None,
            "count": 1,
            "total_fen": 7_00,
            "total_yuan": "7.00",
            "refunded_fen": 0,
            "refunded_yuan": "0.00",
        }
    ]
    assert report["by_category"][0]["share_bp"] == 10_000

    assert (
        run(shop, "report", "--from", "2026-11-25", "--to", "2026-11-26", "--terminal", "T01") == 0
    )
    later = json.loads(capsys.readouterr().out)
    assert (later["headline"]["sales_count"], later["terminal_code"]) == (0, "T01")


def test_without_a_date_it_is_today_in_the_stores_time_zone(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert run(shop, "report") == 0
    after = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert json.loads(capsys.readouterr().out)["first"] in (before.isoformat(), after.isoformat())


def test_csv_writes_the_files_and_prints_their_paths(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = shop / "exports"
    assert run(shop, "report", "--date", "2026-11-24", "--csv", str(out)) == 0

    printed = capsys.readouterr().out.split()
    assert printed == [
        str(out / f"sales-2026-11-24-{section}.csv")
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
    assert all(Path(path).is_file() for path in printed)
    assert "7.00" in (out / "sales-2026-11-24-headline.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-11-31"], "error: --date '2026-11-31' is not a date (YYYY-MM-DD)"),
        (["--date", "24.11.2026"], "error: --date '24.11.2026' is not a date (YYYY-MM-DD)"),
        (["--from", "2026-11-24"], "error: --from and --to go together"),
        (
            ["--date", "2026-11-24", "--to", "2026-11-25"],
            "error: give either --date or --from and --to, not both",
        ),
        (
            ["--from", "2026-11-25", "--to", "2026-11-24"],
            "error: the range ends (2026-11-24) before it starts (2026-11-25)",
        ),
        (
            ["--from", "2025-01-01", "--to", "2026-01-02"],
            "error: 367 days asked; a report covers at most 366 days",
        ),
        (["--date", "2026-11-24", "--terminal", "T99"], "error: no terminal 'T99' in this store"),
    ],
    ids=[
        "no-such-day",
        "not-iso",
        "from-alone",
        "date-and-to",
        "backwards",
        "too-long",
        "unknown-terminal",
    ],
)
def test_a_bad_date_range_or_terminal_is_one_line_exit_2_and_writes_nothing(
    shop: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = shop / "exports"
    assert run(shop, "report", *args, "--csv", str(out)) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [message]
    assert captured.out == "" and not out.exists()


def test_an_amount_is_the_same_in_fen_and_yuan_everywhere(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(shop, "report", "--from", "2026-11-24", "--to", "2026-11-25") == 0
    pairs = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("_fen"):
                    pairs.append((item, value[key[:-4] + "_yuan"]))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(capsys.readouterr().out))
    assert pairs and all(Money(fen).yuan_text() == yuan for fen, yuan in pairs)

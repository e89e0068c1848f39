"""scan_to_total: barcode look-up + add to a 100-line cart + recompute totals, through the
same CheckoutService.scan the cashier screen calls, on a 1,000,000-product SQLite database.

The big database is generated once by the demo generator into .bench-cache/ (about a minute
and a half) and copied for each run, so runs never see each other's carts.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from pos_app.bootstrap import build_core
from pos_app.bus import EventBus
from pos_app.clock import SystemClock
from pos_app.config import parse_config
from pos_app.persistence.db import checkpoint_sqlite, make_engine, sqlite_url
from pos_app.persistence.demo_store import seed_demo_store
from pos_app.persistence.migrate import upgrade
from pos_app.persistence.models import BarcodeRow, UserRow

BIG = 1_000_000
SMALL = 2_000
CARTS = 5
PREFILL = 100
MEASURED_PER_CART = 100
CACHE_VERSION = "v1"


def cache_dir() -> Path:
    root = os.environ.get("POS_BENCH_CACHE") or str(Path(__file__).resolve().parent.parent
                                                     / ".bench-cache")
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_database(products: int) -> Path:
    """A seeded demo database with ``products`` products, made once and kept in the cache."""
    path = cache_dir() / f"demo-{products}-{CACHE_VERSION}.sqlite3"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        engine = make_engine(sqlite_url(partial))
        upgrade(engine, backup=False)
        seed_demo_store(engine, products=products, now=SystemClock().now())
        checkpoint_sqlite(engine)
        engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        partial.rename(path)
    return path


def measure_scans(products: int, work: Path) -> list[float]:
    database = work / f"scan-{products}.sqlite3"
    shutil.copy(demo_database(products), database)
    engine = make_engine(sqlite_url(database))
    upgrade(engine, backup=False)  # the cached copy may predate newer migrations
    core = build_core(parse_config({}, data_dir=work), bus=EventBus(), clock=SystemClock(),
                      printer=None, engine=engine)
    with engine.connect() as connection:
        codes = [c[0] for c in connection.execute(select(BarcodeRow.code).limit(50_000))]
        cashier = connection.execute(
            select(UserRow.id).where(UserRow.staff_no == "1001")).scalar_one()
    chooser = random.Random(7)
    samples: list[float] = []
    for _ in range(CARTS):
        cart = core.checkout.open_cart(cashier)
        picked = chooser.sample(codes, PREFILL + MEASURED_PER_CART)
        for code in picked[:PREFILL]:
            core.checkout.scan(cart.id, code)
        for code in picked[PREFILL:]:
            started = time.perf_counter()
            core.checkout.scan(cart.id, code)
            samples.append((time.perf_counter() - started) * 1000)
        core.checkout.suspend(cart.id)
    engine.dispose()
    return samples


def scan_to_total() -> tuple[str, list[float], str, str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="pos-bench-") as folder:
        work = Path(folder)
        baseline = measure_scans(SMALL, work)
        samples = measure_scans(BIG, work)
    setup = (f"SQLite file, {BIG:,} demo products; CheckoutService.scan of a random barcode "
             f"into an open cart already holding {PREFILL}-{PREFILL + MEASURED_PER_CART - 1} "
             f"lines ({CARTS} carts x {MEASURED_PER_CART} scans); committed to disk each scan")
    return ("scan_to_total", samples, setup, f"the same on {SMALL:,} products", baseline)

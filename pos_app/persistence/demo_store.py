"""Seed the demo store "DEMO01": terminals, staff, categories, products, stock and members,
and the tiers, promotions and coupon batch of ``demo_pricing``.

The catalogue is the fixed ``KNOWN_PRODUCTS`` (SKUs S0000001-S0000010, which tests and the
demo script rely on) followed by generated products (``demo_catalog``), all inserted with
Core ``executemany`` in batches inside one transaction: a million products take about a minute
on SQLite. The same seed gives the same SKUs, names, prices, barcodes and members; row ids
are seeded too. PIN hashes use a random salt, as always.

Demo staff (staff_no / PIN): cashiers 1001 / 1234 (王芳) and 1002 / 2345 (李强), manager
9001 / 9999 (张经理).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice

from sqlalchemy import Connection, Engine, insert, select

from pos_app.catalog_text import pinyin_initials
from pos_app.errors import PosError
from pos_app.persistence.demo_catalog import (
    CatalogGenerator,
    DemoProduct,
    load_catalog_words,
    seeded_id,
)
from pos_app.persistence.demo_people import (
    DEMO_STAFF,
    DEMO_STORE_CODE,
    insert_members,
    insert_site,
)
from pos_app.persistence.demo_pricing import insert_pricing
from pos_app.persistence.models import BarcodeRow, Base, CategoryRow, ProductRow, StockRow, StoreRow

__all__ = [
    "DEMO_STAFF",
    "DEMO_STORE_CODE",
    "KNOWN_PRODUCTS",
    "DemoDatabaseNotEmpty",
    "DemoStoreExists",
    "DemoSummary",
    "KnownProduct",
    "seed_demo_store",
]

_TABLES = Base.metadata.tables
BATCH_ROWS = 10_000


class DemoStoreExists(PosError):
    """The database already holds store DEMO01; seeding again would duplicate it."""


class DemoDatabaseNotEmpty(PosError):
    """The database already holds products; the demo is seeded only into an empty catalogue."""


@dataclass(frozen=True, slots=True)
class KnownProduct:
    """A demo product with fixed data. ``barcode`` is the EAN-13 as printed (None when
    weighed); prices are fen, per kg when weighed."""

    sku: str
    name: str
    barcode: str | None
    price_fen: int
    weighed: bool = False
    plu: str | None = None
    min_age: int | None = None
    member_price_fen: int | None = None
    category_code: str = "DRINKS"
    tax_rate_bp: int = 1300
    extra_barcodes: tuple[str, ...] = ()

    @property
    def barcodes(self) -> tuple[str, ...]:
        return (*((self.barcode,) if self.barcode else ()), *self.extra_barcodes)


# Barcodes use the reserved company number 00000 (6900000…), which the generator never uses.
# fmt: off
KNOWN_PRODUCTS: tuple[KnownProduct, ...] = (
    KnownProduct("S0000001", "可口可乐 330ml", "6900000000014", 350),
    KnownProduct("S0000002", "农夫山泉 饮用天然水 550ml", "6900000000021", 200,
                 extra_barcodes=("6900000000205",)),
    KnownProduct("S0000003", "乐事薯片 原味 70g", "6900000000038", 750, category_code="SNACKS"),
    KnownProduct("S0000004", "伊利 纯牛奶 250ml", "6900000000045", 300, member_price_fen=250,
                 category_code="DAIRY", tax_rate_bp=900),
    KnownProduct("S0000005", "红富士苹果", None, 1280, weighed=True, plu="101",
                 category_code="PRODUCE", tax_rate_bp=900),
    KnownProduct("S0000006", "香蕉", None, 698, weighed=True, plu="102",
                 category_code="PRODUCE", tax_rate_bp=900),
    KnownProduct("S0000007", "五花肉", None, 3280, weighed=True, plu="201",
                 category_code="MEAT", tax_rate_bp=900),
    KnownProduct("S0000008", "青岛啤酒 经典 500ml", "6900000000052", 600, min_age=18,
                 category_code="ALCOHOL"),
    KnownProduct("S0000009", "中华 香烟 硬盒 20支", "6900000000069", 4500, min_age=18,
                 category_code="TOBACCO"),
    KnownProduct("S0000010", "康师傅 红烧牛肉面 桶装", "6900000000076", 500,
                 member_price_fen=450, category_code="INSTANT"),
)
# fmt: on


@dataclass(frozen=True, slots=True)
class DemoSummary:
    store_code: str
    terminals: int
    staff: int
    categories: int
    products: int
    barcodes: int
    weighed_products: int
    age_restricted_products: int
    member_price_products: int
    members: int


@dataclass(slots=True)
class _Counts:
    products: int = 0
    barcodes: int = 0
    weighed: int = 0
    age_restricted: int = 0
    member_priced: int = 0

    def add(self, product: DemoProduct) -> None:
        self.products += 1
        self.barcodes += len(product.barcodes)
        self.weighed += product.weighed
        self.age_restricted += product.min_age is not None
        self.member_priced += product.member_price_fen is not None


def seed_demo_store(
    engine: Engine, *, products: int = 2000, members: int = 60, seed: int = 2026, now: datetime
) -> DemoSummary:
    """Create the demo store in one transaction; raise DemoStoreExists if it is there already.

    ``products`` counts every product, the known ones included; ``now`` (aware) dates the
    members' enrolment.
    """
    if now.tzinfo is None:
        raise ValueError("seed_demo_store needs an aware 'now'")
    if products < len(KNOWN_PRODUCTS):
        raise ValueError(f"the demo needs at least {len(KNOWN_PRODUCTS)} products")
    ids = random.Random(f"demo-ids:{seed}")
    with engine.connect() as connection, _bulk_load_mode(connection), connection.begin():
        _refuse_unless_empty(connection)
        terminals = insert_site(connection, ids)
        category_ids = _insert_categories(connection, ids)
        counts = _insert_products(
            connection,
            _product_stream(products, seed),
            category_ids,
            ids,
            random.Random(f"demo-stock:{seed}"),
        )
        member_count = insert_members(connection, members, seed=seed, now=now, ids=ids)
        insert_pricing(connection, now=now)
    return DemoSummary(
        store_code=DEMO_STORE_CODE,
        terminals=terminals,
        staff=len(DEMO_STAFF),
        categories=len(category_ids),
        products=counts.products,
        barcodes=counts.barcodes,
        weighed_products=counts.weighed,
        age_restricted_products=counts.age_restricted,
        member_price_products=counts.member_priced,
        members=member_count,
    )


@contextmanager
def _bulk_load_mode(connection: Connection) -> Iterator[None]:
    """On SQLite, while seeding: synchronous=OFF, a 256 MiB page cache, no auto-checkpoint.

    Why synchronous=OFF is safe here: the seed runs only into a database without products
    (checked in the same transaction), i.e. a new file that is deleted and seeded again if the
    machine loses power mid-seed; an application crash is harmless in WAL mode whatever the
    setting. With automatic checkpoints off no unsynced page is copied into the database file;
    afterwards the settings are restored and a checkpoint under synchronous=FULL makes the
    seed durable before this returns. PRAGMA synchronous cannot change inside a transaction,
    so it is set on the driver connection before the transaction begins.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None, "a checked-out connection has a driver connection"
    saved = {
        name: raw.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("synchronous", "cache_size", "wal_autocheckpoint")
    }
    for pragma in ("synchronous=OFF", "cache_size=-262144", "wal_autocheckpoint=0"):
        raw.execute(f"PRAGMA {pragma}")
    try:
        yield
    finally:
        for name, value in saved.items():
            raw.execute(f"PRAGMA {name}={int(value)}")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _refuse_unless_empty(connection: Connection) -> None:
    code = connection.scalar(select(StoreRow.code).where(StoreRow.code == DEMO_STORE_CODE))
    if code is not None:
        raise DemoStoreExists(f"store {DEMO_STORE_CODE} is already in this database")
    if connection.scalar(select(ProductRow.id).limit(1)) is not None:
        raise DemoDatabaseNotEmpty("this database already has products; seed a new one")


def _insert_categories(connection: Connection, ids: random.Random) -> dict[str, str]:
    rows = [
        {"id": seeded_id(ids), "code": c.code, "name": c.name, "parent_id": None}
        for c in load_catalog_words().categories
    ]
    connection.execute(insert(_TABLES[CategoryRow.__tablename__]), rows)
    return {str(row["code"]): str(row["id"]) for row in rows}


def _product_stream(count: int, seed: int) -> Iterator[DemoProduct]:
    known = [_as_demo_product(k) for k in KNOWN_PRODUCTS]
    generator = CatalogGenerator(
        load_catalog_words(), seed=seed, reserved_names=frozenset(k.name for k in KNOWN_PRODUCTS)
    )
    generated = generator.products(count - len(known), first_number=len(known) + 1)
    return chain(known, generated)


def _as_demo_product(known: KnownProduct) -> DemoProduct:
    return DemoProduct(
        sku=known.sku,
        name=known.name,
        pinyin=pinyin_initials(known.name),
        category_code=known.category_code,
        list_price_fen=known.price_fen,
        member_price_fen=known.member_price_fen,
        tax_rate_bp=known.tax_rate_bp,
        weighed=known.weighed,
        min_age=known.min_age,
        plu=known.plu,
        barcodes=known.barcodes,
    )


def _insert_products(
    connection: Connection,
    stream: Iterable[DemoProduct],
    category_ids: dict[str, str],
    ids: random.Random,
    stock_rng: random.Random,
) -> _Counts:
    """Products, their barcodes (as 14-digit GTINs) and stock, BATCH_ROWS products at a time."""
    counts = _Counts()
    iterator = iter(stream)
    while batch := list(islice(iterator, BATCH_ROWS)):
        products: list[dict[str, object]] = []
        barcodes: list[dict[str, object]] = []
        stock: list[dict[str, object]] = []
        for product in batch:
            product_id = seeded_id(ids)
            products.append(_product_row(product, product_id, category_ids))
            barcodes.extend(
                {"code": "0" + ean, "product_id": product_id} for ean in product.barcodes
            )
            quantity = stock_rng.randint(0, 80_000 if product.weighed else 300)
            stock.append({"product_id": product_id, "quantity": quantity})
            counts.add(product)
        connection.execute(insert(_TABLES[ProductRow.__tablename__]), products)
        if barcodes:
            connection.execute(insert(_TABLES[BarcodeRow.__tablename__]), barcodes)
        connection.execute(insert(_TABLES[StockRow.__tablename__]), stock)
    return counts


def _product_row(
    product: DemoProduct, product_id: str, category_ids: dict[str, str]
) -> dict[str, object]:
    return {
        "id": product_id,
        "sku": product.sku,
        "name": product.name,
        "pinyin": product.pinyin,
        "unit": product.unit,
        "list_price_fen": product.list_price_fen,
        "member_price_fen": product.member_price_fen,
        "tax_rate_bp": product.tax_rate_bp,
        "category_id": category_ids[product.category_code],
        "weighed": product.weighed,
        "min_age": product.min_age,
        "active": True,
        "plu": product.plu,
    }

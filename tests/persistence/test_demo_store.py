"""The demo store: what a cashier and the demo script find after seeding 2,000 products."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from pos_app.catalog_text import pinyin_initials
from pos_app.clock import FixedClock
from pos_app.domain.catalog import Unit
from pos_app.domain.scan_codes import ProductCode, classify, has_valid_check_digit
from pos_app.domain.staff import Role, verify_pin
from pos_app.persistence.db import make_engine, make_session_factory, sqlite_url
from pos_app.persistence.demo_store import (
    DEMO_STAFF,
    KNOWN_PRODUCTS,
    DemoDatabaseNotEmpty,
    DemoStoreExists,
    DemoSummary,
    seed_demo_store,
)
from pos_app.persistence.models import (
    BarcodeRow,
    CategoryRow,
    MemberRow,
    ProductRow,
    StockRow,
    StoreRow,
    TerminalRow,
    UserRow,
)
from pos_app.persistence.repositories.catalog import ProductRepository
from pos_app.persistence.repositories.staff import SiteRepository, StaffRepository
from pos_app.services.catalog_import import CatalogImportService

PRODUCTS = 2000
MEMBERS = 60


@pytest.fixture
def seeded(engine: Engine, clock: FixedClock) -> DemoSummary:
    return seed_demo_store(engine, products=PRODUCTS, members=MEMBERS, now=clock.now())


def count(engine: Engine, column: object) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count(column))) or 0)


def test_seeding_creates_the_store_terminals_and_counted_rows(
    engine: Engine, seeded: DemoSummary
) -> None:
    assert seeded.products == count(engine, ProductRow.id) == PRODUCTS
    assert seeded.barcodes == count(engine, BarcodeRow.code)
    assert count(engine, StockRow.product_id) == PRODUCTS
    assert seeded.members == count(engine, MemberRow.id) == MEMBERS
    assert seeded.categories == count(engine, CategoryRow.id) >= 12
    assert seeded.staff == count(engine, UserRow.id) == 3
    with make_session_factory(engine)() as session:
        store = SiteRepository(session).store("DEMO01")
        assert store is not None
        assert (store.name, store.time_zone) == ("新零售示范店", "Asia/Shanghai")
        assert store.address.startswith("上海市")
        assert SiteRepository(session).site("DEMO01", "T01") is not None
        assert SiteRepository(session).site("DEMO01", "T02") is not None
    assert seeded.terminals == count(engine, TerminalRow.id) == 2


def test_every_barcode_is_a_unique_valid_69x_ean13_stored_as_a_14_digit_gtin(
    engine: Engine, seeded: DemoSummary
) -> None:
    with engine.connect() as connection:
        codes = list(connection.scalars(select(BarcodeRow.code)))
    assert len(codes) == len(set(codes)) == seeded.barcodes
    for code in codes:
        ean13 = code[1:]
        assert len(code) == 14 and code.startswith("0")
        assert "690" <= ean13[:3] <= "699" and has_valid_check_digit(ean13)
        assert classify(ean13) == ProductCode(code, "ean13")


def test_every_packaged_product_has_a_barcode_and_a_few_have_two(
    engine: Engine, seeded: DemoSummary
) -> None:
    with engine.connect() as connection:
        per_product = Counter(connection.scalars(select(BarcodeRow.product_id)))
        packaged = set(connection.scalars(select(ProductRow.id).where(~ProductRow.weighed)))
    assert set(per_product) == packaged
    assert 0 < sum(1 for n in per_product.values() if n == 2) < len(packaged) // 20


def test_known_products_are_found_by_barcode_plu_and_sku_with_their_prices(
    engine: Engine, seeded: DemoSummary
) -> None:
    with make_session_factory(engine)() as session:
        products = ProductRepository(session)
        for known in KNOWN_PRODUCTS:
            product = products.by_sku(known.sku)
            assert product is not None, known.sku
            assert (product.name, product.list_price.fen) == (known.name, known.price_fen)
            assert product.weighed == known.weighed and product.plu == known.plu
            assert product.unit == (Unit.KG if known.weighed else Unit.PIECE)
            assert product.min_age == known.min_age
            member = None if product.member_price is None else product.member_price.fen
            assert member == known.member_price_fen
            for barcode in known.barcodes:
                code = classify(barcode)
                assert isinstance(code, ProductCode)
                found = products.by_barcode(code.gtin)
                assert found is not None and found.sku == known.sku
            if known.plu is not None:
                assert products.by_plu(known.plu) == product


def test_known_products_include_the_goods_the_demo_relies_on() -> None:
    by_name = {known.name: known for known in KNOWN_PRODUCTS}
    assert by_name["可口可乐 330ml"].price_fen == 350
    assert by_name["农夫山泉 饮用天然水 550ml"].price_fen == 200
    assert by_name["乐事薯片 原味 70g"].price_fen == 750
    assert (by_name["红富士苹果"].plu, by_name["红富士苹果"].price_fen) == ("101", 1280)
    assert by_name["青岛啤酒 经典 500ml"].min_age == 18
    assert any(k.member_price_fen is not None for k in KNOWN_PRODUCTS)
    assert any(len(k.barcodes) == 2 for k in KNOWN_PRODUCTS)
    for known in KNOWN_PRODUCTS:
        for barcode in known.barcodes:
            # Company number 00000 is reserved: the generator never issues 6900000…
            assert barcode.startswith("6900000") and has_valid_check_digit(barcode)


def test_every_product_has_its_names_pinyin_initials(engine: Engine, seeded: DemoSummary) -> None:
    with engine.connect() as connection:
        rows = list(connection.execute(select(ProductRow.name, ProductRow.pinyin)))
    assert all(pinyin and pinyin == pinyin_initials(name) for name, pinyin in rows)
    with make_session_factory(engine)() as session:
        assert "可口可乐 330ml" in [p.name for p in ProductRepository(session).search("kkkl")]


def test_weighed_goods_are_sold_by_kg_under_a_unique_plu(
    engine: Engine, seeded: DemoSummary
) -> None:
    with engine.connect() as connection:
        weighed = list(
            connection.execute(
                select(ProductRow.unit, ProductRow.plu, CategoryRow.code)
                .join(CategoryRow, CategoryRow.id == ProductRow.category_id)
                .where(ProductRow.weighed)
            )
        )
    assert len(weighed) == seeded.weighed_products > 10
    plus = [plu for _, plu, _ in weighed]
    assert len(set(plus)) == len(plus)
    assert all(plu and plu.isdigit() and not plu.startswith("0") and len(plu) <= 5 for plu in plus)
    assert {unit for unit, _, _ in weighed} == {"kg"}
    assert {code for _, _, code in weighed} == {"PRODUCE", "MEAT"}


def test_alcohol_and_tobacco_need_age_18_and_nothing_else_does(
    engine: Engine, seeded: DemoSummary
) -> None:
    with engine.connect() as connection:
        rows = list(
            connection.execute(
                select(CategoryRow.code, ProductRow.min_age).join(
                    CategoryRow, CategoryRow.id == ProductRow.category_id
                )
            )
        )
    restricted = [code for code, min_age in rows if min_age is not None]
    assert len(restricted) == seeded.age_restricted_products > 10
    assert set(restricted) == {"ALCOHOL", "TOBACCO"}
    assert all(min_age == 18 for code, min_age in rows if code in ("ALCOHOL", "TOBACCO"))


def test_prices_tax_rates_and_member_prices_are_plausible(
    engine: Engine, seeded: DemoSummary
) -> None:
    with engine.connect() as connection:
        rows = list(
            connection.execute(
                select(
                    CategoryRow.code,
                    ProductRow.list_price_fen,
                    ProductRow.member_price_fen,
                    ProductRow.tax_rate_bp,
                ).join(CategoryRow, CategoryRow.id == ProductRow.category_id)
            )
        )
    assert all(0 < price <= 100_000 for _, price, _, _ in rows)
    member_priced = [(price, member) for _, price, member, _ in rows if member is not None]
    assert len(member_priced) == seeded.member_price_products
    assert 0.2 < len(member_priced) / len(rows) < 0.4
    assert all(0 < member < price for price, member in member_priced)
    assert {tax for code, *_, tax in rows if code in ("PRODUCE", "MEAT", "GRAIN_OIL")} == {900}
    assert {tax for code, *_, tax in rows if code in ("DRINKS", "ALCOHOL", "HOME")} == {1300}


def test_demo_staff_log_in_with_their_pins(engine: Engine, seeded: DemoSummary) -> None:
    expected = {
        ("1001", "1234", "王芳", Role.CASHIER),
        ("1002", "2345", "李强", Role.CASHIER),
        ("9001", "9999", "张经理", Role.MANAGER),
    }
    assert {(s.staff_no, s.pin, s.name, s.role) for s in DEMO_STAFF} == expected
    with make_session_factory(engine)() as session:
        for staff_no, pin, name, role in expected:
            record = StaffRepository(session).by_staff_no(staff_no)
            assert record is not None and (record.name, record.role) == (name, role.value)
            assert verify_pin(pin, record.pin_hash)
            assert not verify_pin("0000", record.pin_hash)


def test_members_have_unique_cards_and_mobile_numbers(
    engine: Engine, seeded: DemoSummary, clock: FixedClock
) -> None:
    with engine.connect() as connection:
        rows = list(
            connection.execute(
                select(
                    MemberRow.card_no,
                    MemberRow.phone,
                    MemberRow.tier,
                    MemberRow.points,
                    MemberRow.name,
                    MemberRow.created_at,
                )
            )
        )
    assert len({card for card, *_ in rows}) == len({phone for _, phone, *_ in rows}) == MEMBERS
    assert all(len(phone) == 11 and phone.startswith("1") for _, phone, *_ in rows)
    assert {tier for *_, tier, _, _, _ in rows} <= {"regular", "silver", "gold"}
    assert all(points >= 0 and name for *_, points, name, _ in rows)
    assert all(created < clock.now() for *_, created in rows)


def test_seeding_twice_raises_and_changes_nothing(
    engine: Engine, seeded: DemoSummary, clock: FixedClock
) -> None:
    with pytest.raises(DemoStoreExists):
        seed_demo_store(engine, products=PRODUCTS, now=clock.now())
    assert count(engine, StoreRow.id) == 1
    assert count(engine, ProductRow.id) == PRODUCTS


def test_seeding_refuses_a_database_that_already_has_products(
    engine: Engine, clock: FixedClock
) -> None:
    sample = Path(__file__).resolve().parents[2] / "resources/demo/catalog-sample.csv"
    assert CatalogImportService(make_session_factory(engine), clock).import_csv(sample).ok
    with pytest.raises(DemoDatabaseNotEmpty):
        seed_demo_store(engine, products=100, now=clock.now())
    assert count(engine, StoreRow.id) == 0


def first_products(path: Path, seed: int, clock: FixedClock) -> list[tuple[object, ...]]:
    engine = make_engine(sqlite_url(path))
    try:
        seed_demo_store(engine, products=200, members=5, seed=seed, now=clock.now())
        with engine.connect() as connection:
            return list(
                connection.execute(
                    select(
                        ProductRow.sku,
                        ProductRow.name,
                        ProductRow.list_price_fen,
                        func.min(BarcodeRow.code),
                    )
                    .outerjoin(BarcodeRow, BarcodeRow.product_id == ProductRow.id)
                    .group_by(ProductRow.sku, ProductRow.name, ProductRow.list_price_fen)
                    .order_by(ProductRow.sku)
                    .limit(20)
                )
            )
    finally:
        engine.dispose()


def test_the_same_seed_gives_the_same_products(
    sqlite_template: Path, tmp_path: Path, clock: FixedClock
) -> None:
    paths = [tmp_path / f"demo{i}.sqlite3" for i in range(3)]
    for path in paths:
        shutil.copy(sqlite_template, path)
    first = first_products(paths[0], 2026, clock)
    assert [sku for sku, *_ in first] == [f"S{n:07d}" for n in range(1, 21)]
    assert first_products(paths[1], 2026, clock) == first
    other = first_products(paths[2], 7, clock)
    assert other[: len(KNOWN_PRODUCTS)] == first[: len(KNOWN_PRODUCTS)]
    assert other[len(KNOWN_PRODUCTS) :] != first[len(KNOWN_PRODUCTS) :]


def test_seeding_needs_room_for_the_known_products_and_an_aware_time(
    sqlite_engine: Engine, clock: FixedClock
) -> None:
    with pytest.raises(ValueError, match="at least"):
        seed_demo_store(sqlite_engine, products=len(KNOWN_PRODUCTS) - 1, now=clock.now())
    with pytest.raises(ValueError, match="aware"):
        seed_demo_store(sqlite_engine, now=clock.now().replace(tzinfo=None))


def test_seeding_leaves_sqlite_durability_settings_as_they_were(
    sqlite_engine: Engine, clock: FixedClock
) -> None:
    seed_demo_store(sqlite_engine, products=100, members=5, now=clock.now())
    with sqlite_engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL, as db.py sets it
        assert pragma("PRAGMA wal_autocheckpoint").scalar() == 1000
        assert pragma("PRAGMA journal_mode").scalar() == "wal"

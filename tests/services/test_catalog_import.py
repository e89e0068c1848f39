"""Catalogue CSV import: upsert by SKU, every error reported, nothing written unless all rows
are good."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from pos_app.clock import FixedClock
from pos_app.domain.scan_codes import ProductCode, classify
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import BarcodeRow, CategoryRow, ProductRow, StockRow
from pos_app.persistence.repositories.catalog import ProductRepository
from pos_app.services.catalog_import import CatalogImportService, ImportReport, RowError

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "catalog-sample.csv"
HEADER = (
    "sku,name,barcodes,category,price,member_price,unit,tax_rate,weighed,min_age,plu,pinyin,active"
)
COLA = "N0000001,可口可乐 330ml,6901234567892,饮料,3.50,,piece,13,0,,,,1"
CHIPS = "N0000002,乐事薯片 原味 70g,6900000002001,零食,7.50,6.90,piece,13,0,,,,1"
APPLE = "N0000003,红富士苹果,,生鲜蔬果,12.80,,kg,9,1,,101,,1"


def gtin(text: str) -> str:
    code = classify(text)
    assert isinstance(code, ProductCode)
    return code.gtin


def write_csv(tmp_path: Path, *lines: str, name: str = "catalog.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + "\n".join(lines).encode() + b"\n")
    return path


@pytest.fixture
def service(engine: Engine, clock: FixedClock) -> CatalogImportService:
    return CatalogImportService(make_session_factory(engine), clock)


@pytest.fixture
def with_sample(service: CatalogImportService) -> ImportReport:
    """A catalogue already in the database: the shipped ten-row sample."""
    report = service.import_csv(SAMPLE)
    assert report == ImportReport(created=10, updated=0, errors=())
    return report


def snapshot(engine: Engine) -> tuple[list[tuple[object, ...]], ...]:
    """Everything an import may touch, to show that a refused import changed nothing."""
    with engine.connect() as connection:
        products = list(
            connection.execute(
                select(
                    ProductRow.sku,
                    ProductRow.name,
                    ProductRow.list_price_fen,
                    ProductRow.member_price_fen,
                    ProductRow.plu,
                    ProductRow.active,
                ).order_by(ProductRow.sku)
            )
        )
        barcodes = list(
            connection.execute(
                select(BarcodeRow.code, ProductRow.sku)
                .join(ProductRow, ProductRow.id == BarcodeRow.product_id)
                .order_by(BarcodeRow.code)
            )
        )
        categories = list(connection.execute(select(CategoryRow.name).order_by(CategoryRow.name)))
    return products, barcodes, categories


def test_the_sample_file_creates_products_a_cashier_can_scan_and_key_in(
    engine: Engine, with_sample: ImportReport
) -> None:
    with make_session_factory(engine)() as session:
        products = ProductRepository(session)
        tea = products.by_barcode(gtin("6900000001011"))
        assert tea is not None and (tea.sku, tea.list_price.fen) == ("C0000001", 450)
        assert tea.pinyin == "tyasmnc500ml" and tea.tax_rate_bp == 1300
        snack = products.by_barcode(gtin("6900000001035"))  # its second barcode
        assert snack is not None and snack.sku == "C0000002"
        assert snack.member_price is not None and snack.member_price.fen == 590
        grapes = products.by_plu("301")
        assert grapes is not None and grapes.weighed and grapes.unit == "kg"
        assert grapes.list_price.fen == 2980 and grapes.category == "生鲜蔬果"
        beer = products.by_sku("C0000005")
        assert beer is not None and beer.min_age == 18
        eggs = products.by_sku("C0000008")
        assert eggs is not None and eggs.tax_rate_bp == 0
        tissues = products.by_sku("C0000010")
        assert tissues is not None and not tissues.active
        milk = products.by_sku("C0000004")
        assert milk is not None and milk.pinyin == "gmybxnn950ml"


def test_importing_a_known_sku_updates_it_and_replaces_its_barcodes(
    engine: Engine, service: CatalogImportService, with_sample: ImportReport, tmp_path: Path
) -> None:
    with engine.connect() as connection:
        stock_before = connection.scalar(select(func.count(StockRow.product_id)))
    changed = write_csv(
        tmp_path,
        HEADER,
        "C0000001,统一 阿萨姆奶茶 原味 500ml,6901234567892,饮料,4.80,4.50,piece,13,0,,,,1",
        COLA.replace("6901234567892", "6900000002018"),
    )
    assert service.import_csv(changed) == ImportReport(created=1, updated=1, errors=())
    with make_session_factory(engine)() as session:
        products = ProductRepository(session)
        tea = products.by_sku("C0000001")
        assert tea is not None and tea.name == "统一 阿萨姆奶茶 原味 500ml"
        assert tea.list_price.fen == 480
        assert tea.member_price is not None and tea.member_price.fen == 450
        assert products.by_barcode(gtin("6900000001011")) is None
        found = products.by_barcode(gtin("6901234567892"))
        assert found is not None and found.sku == "C0000001"
    with engine.connect() as connection:
        assert connection.scalar(select(func.count(StockRow.product_id))) == stock_before + 1


def test_a_file_with_a_bom_imports(service: CatalogImportService, tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER, COLA, CHIPS, APPLE, bom=True)
    assert service.import_csv(path) == ImportReport(created=3, updated=0, errors=())


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(
    engine: Engine, service: CatalogImportService, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "Name,SKU,price,unit,tax_rate,weighed,category,barcodes",
        "农夫山泉 饮用天然水 550ml,W1,2,piece,13,0,饮料,6900000002025",
    )
    assert service.import_csv(path).created == 1
    with make_session_factory(engine)() as session:
        water = ProductRepository(session).by_sku("W1")
        assert water is not None and water.active and water.pinyin == "nfsqyytrs550ml"


BAD_ROWS = [
    # (the bad third row, column, code)
    (CHIPS.replace("7.50", "abc"), "price", "import.bad_price"),
    (CHIPS.replace("7.50", "-7.50"), "price", "import.negative_price"),
    (CHIPS.replace("7.50", "7.505"), "price", "import.too_many_decimals"),
    (CHIPS.replace("7.50", ""), "price", "import.missing_value"),
    (CHIPS.replace("6.90", "8.00"), "member_price", "import.member_price_above_price"),
    (CHIPS.replace("6900000002001", "6900000002002"), "barcodes", "import.bad_check_digit"),
    (CHIPS.replace("6900000002001", "69000A"), "barcodes", "import.bad_barcode"),
    (
        CHIPS.replace("6900000002001", "6900000002001|6900000002001"),
        "barcodes",
        "import.duplicate_barcode",
    ),
    (CHIPS.replace("piece", "box"), "unit", "import.bad_unit"),
    (CHIPS.replace("13,0,", "13,1,"), "unit", "import.unit_mismatch"),
    (CHIPS.replace("13,0,", "13,yes,"), "weighed", "import.bad_boolean"),
    (CHIPS.replace(",13,", ",thirteen,"), "tax_rate", "import.bad_tax_rate"),
    (CHIPS.replace("13,0,,", "13,0,adult,"), "min_age", "import.bad_min_age"),
    (CHIPS.replace("13,0,,,", "13,0,,123456,"), "plu", "import.bad_plu"),
    (CHIPS.replace("N0000002", ""), "sku", "import.missing_value"),
    (CHIPS.replace("N0000002", "N 2"), "sku", "import.bad_sku"),
    (CHIPS.replace("乐事薯片 原味 70g", ""), "name", "import.missing_value"),
    (CHIPS + ",extra", "", "import.too_many_values"),
    (CHIPS.replace("N0000002", "N0000001"), "sku", "import.duplicate_sku"),
    (CHIPS.replace("6900000002001", "6901234567892"), "barcodes", "import.duplicate_barcode"),
    (APPLE.replace("N0000003", "N0000009"), "plu", "import.duplicate_plu"),
]


@pytest.mark.parametrize(
    ("bad_row", "column", "code"),
    BAD_ROWS,
    ids=[f"{column or 'row'}-{code}" for _, column, code in BAD_ROWS],
)
def test_a_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(
    engine: Engine,
    service: CatalogImportService,
    with_sample: ImportReport,
    tmp_path: Path,
    bad_row: str,
    column: str,
    code: str,
) -> None:
    before = snapshot(engine)
    path = write_csv(tmp_path, HEADER, COLA, bad_row, APPLE)
    report = service.import_csv(path)
    assert (report.created, report.updated) == (0, 0)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (4 if "duplicate_plu" in code else 3, column, code)
    ]
    assert snapshot(engine) == before


def test_a_barcode_or_plu_of_another_sku_in_the_database_is_refused(
    engine: Engine, service: CatalogImportService, with_sample: ImportReport, tmp_path: Path
) -> None:
    before = snapshot(engine)
    path = write_csv(
        tmp_path,
        HEADER,
        COLA.replace("6901234567892", "6900000001011"),
        CHIPS,
        APPLE.replace(",101,", ",301,"),
    )
    report = service.import_csv(path)
    assert report.errors == (
        RowError(
            2, "barcodes", "import.duplicate_barcode", "6900000001011 belongs to SKU C0000001"
        ),
        RowError(4, "plu", "import.duplicate_plu", "301 belongs to SKU C0000006"),
    )
    assert snapshot(engine) == before


def test_barcodes_and_plus_may_move_between_skus_imported_together(
    engine: Engine, service: CatalogImportService, with_sample: ImportReport, tmp_path: Path
) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    swapped = [
        line.replace(",301,", ",TMP,")
        .replace(",302,", ",301,")
        .replace(",TMP,", ",302,")
        .replace("6900000001073", "TMP")
        .replace("6900000001080", "6900000001073")
        .replace("TMP", "6900000001080")
        for line in lines
    ]
    report = service.import_csv(write_csv(tmp_path, *swapped))
    assert report == ImportReport(created=0, updated=10, errors=())
    with make_session_factory(engine)() as session:
        products = ProductRepository(session)
        found = (
            products.by_plu("301"),
            products.by_plu("302"),
            products.by_barcode(gtin("6900000001080")),
        )
        assert [p.sku if p else None for p in found] == ["C0000007", "C0000006", "C0000009"]


def test_one_bad_row_among_good_ones_imports_nothing_and_every_bad_row_is_reported(
    engine: Engine, service: CatalogImportService, tmp_path: Path
) -> None:
    before = snapshot(engine)
    good = [
        CHIPS.replace("N0000002", f"G{n}").replace("6900000002001", code)
        for n, code in enumerate(("6900000003015", "6900000003022", "6900000003039"))
    ]
    path = write_csv(
        tmp_path,
        HEADER,
        COLA,
        good[0],
        CHIPS.replace("7.50", "7.5.0"),
        good[1],
        APPLE.replace(",kg,", ",piece,"),
        good[2],
    )
    report = service.import_csv(path)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (4, "price", "import.bad_price"),
        (6, "unit", "import.unit_mismatch"),
    ]
    assert (report.created, report.updated) == (0, 0)
    assert snapshot(engine) == before


def test_a_header_without_a_required_column_is_refused(
    engine: Engine, service: CatalogImportService, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, HEADER.replace(",price,", ",prise,"), COLA)
    report = service.import_csv(path)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (1, "price", "import.missing_column"),
        (1, "prise", "import.unknown_column"),
    ]
    assert snapshot(engine) == ([], [], [])


def test_a_file_that_is_not_utf8_is_refused(service: CatalogImportService, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"{HEADER}\n{COLA}\n{CHIPS}\n".encode("gb18030"))
    report = service.import_csv(path)
    assert [(e.row, e.code) for e in report.errors] == [(2, "import.bad_encoding")]

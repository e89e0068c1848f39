"""The manager's sales report over real sales, on SQLite and PostgreSQL: what a manager reads
after a day of cash, wallet and member sales, a voided line and a partial return; sales just
either side of local midnight; one terminal; an empty day; ranges refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from builders import BuiltProduct, a_core, a_product, a_store
from sqlalchemy import Engine, insert, text

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxServer, pos_settings, serve
from backends.sandbox.keys import ensure_keys
from backends.sandbox.magic import Scenario, make_code
from backends.wiring import build_gateways
from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.domain.pricing.formats import promotion_from_dict
from pos_app.errors import UserError
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import CategoryRow, TerminalRow, UserRow
from pos_app.persistence.repositories.promotions import PromotionRepository
from pos_app.services.report_views import SalesReportView

CASHIER, SECOND_CASHIER = "user-1", "user-2"
DAY = date(2026, 11, 24)
LOCAL_MIDNIGHT = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 2026-11-24 00:00 in Shanghai


@pytest.fixture
def store(engine: Engine) -> Engine:
    a_store(engine)
    with engine.begin() as c:
        c.execute(
            insert(UserRow).values(
                id=SECOND_CASHIER,
                store_id="store-1",
                staff_no="1002",
                name="李娜",
                role="cashier",
                pin_hash="-",
            )
        )
        for cid, code, name in (
            ("cat-2", "C02", "零食"),
            ("cat-3", "C03", "生鲜"),
            ("cat-4", "C04", "粮油"),
        ):
            c.execute(insert(CategoryRow).values(id=cid, code=code, name=name))
    return engine


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    keys = ensure_keys(tmp_path_factory.mktemp("report-sandbox-keys"))
    server = serve("127.0.0.1", 0, keys.folder)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def router(sandbox: SandboxServer) -> Iterator[PaymentRouter]:
    built = build_gateways(pos_settings(sandbox.url, sandbox.keys, read_timeout_s=1.5))
    yield built
    built.close()


def in_category(
    engine: Engine, product: BuiltProduct, category_id: str, member_price_fen: int | None = None
) -> BuiltProduct:
    with engine.begin() as c:
        c.execute(
            text("UPDATE products SET category_id = :c, member_price_fen = :m WHERE id = :p"),
            {"c": category_id, "m": member_price_fen, "p": product.id},
        )
    return product


def at_local(clock: FixedClock, hour: int, minute: int = 0) -> None:
    """Move the clock to that store-local time of DAY."""
    clock.advance(LOCAL_MIDNIGHT + timedelta(hours=hour, minutes=minute) - clock.now())


def cash_sale(core: Core, scans: list[str], cash: str, *, cashier: str = CASHIER) -> str:
    cart = core.checkout.open_cart(cashier).id
    for code in scans:
        core.checkout.scan(cart, code)
    return core.sales.pay_cash(cart, Money.parse(cash)).order_number


def test_a_days_sales_read_as_a_manager_expects(
    store: Engine, tmp_path: Path, clock: FixedClock, router: PaymentRouter
) -> None:
    chips = in_category(store, a_product(store, name="乐事薯片 70g", price="10.00"), "cat-2")
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    cola = a_product(store, name="可口可乐 330ml", price="3.50")
    apples = in_category(
        store,
        a_product(store, name="红富士苹果", price="12.80", weighed=True, plu="101", stock=10_000),
        "cat-3",
    )
    rice = in_category(
        store, a_product(store, name="五常大米 1kg", price="12.00"), "cat-4", member_price_fen=10_00
    )
    with make_session_factory(store)() as session:
        PromotionRepository(session).upsert(
            [
                (
                    promotion_from_dict(
                        {
                            "id": "P-2ND",
                            "name": "第二件半价",
                            "scope": {"skus": [cola.sku]},
                            "reward": {"kind": "nth_item_off", "nth": 2, "percent": "50"},
                        }
                    ),
                    True,
                )
            ],
            clock.now(),
        )
        session.commit()
    core = build_core(
        parse_config({}, data_dir=tmp_path),
        bus=EventBus(),
        clock=clock,
        printer=None,
        engine=store,
        gateways=router,
    )
    assert core.payments is not None

    at_local(clock, 10, 30)  # cash: two chips, 532 g of apples, a water scanned and voided
    cart = core.checkout.open_cart(CASHIER).id
    core.checkout.scan(cart, chips.barcode)
    core.checkout.scan(cart, chips.barcode)
    core.checkout.add_product(cart, apples.sku, grams=532)
    wrong = core.checkout.scan(cart, water.barcode).last_line_id
    assert wrong is not None
    core.checkout.void_line(cart, wrong)
    first = core.sales.pay_cash(cart, Money(50_00))
    assert (first.total, first.change) == (Money(26_81), Money(23_19))

    at_local(clock, 11, 30)  # a member: second cola half price, rice at member price, ¥5 coupon
    member = core.members.join("13812345678", "李刚").id
    [coupon] = core.coupons.generate_batch(
        "现金券5元",
        {
            "kind": "cash",
            "amount": "5.00",
            "valid_from": (clock.now() - timedelta(days=1)).isoformat(),
            "valid_until": (clock.now() + timedelta(days=30)).isoformat(),
        },
        1,
        member_ids=[member],
        batch="RF",
    )
    cart = core.checkout.open_cart(CASHIER).id
    core.checkout.set_member(cart, member)
    for code in (cola.barcode, cola.barcode, rice.barcode):
        core.checkout.scan(cart, code)
    core.checkout.add_coupon(cart, coupon)
    assert core.sales.pay_cash(cart, Money(20_00)).total == Money(10_25)

    at_local(clock, 12, 5)  # another cashier, paid with WeChat Pay through the sandbox
    cart = core.checkout.open_cart(SECOND_CASHIER).id
    core.checkout.scan(cart, chips.barcode)
    paid = core.payments.pay_by_code(cart, make_code(Provider.WECHAT_PAY, Scenario.PAYS_AT_ONCE))
    assert paid.sale is not None and paid.sale.total == Money(10_00)

    at_local(clock, 14)  # one bag of chips from the first sale comes back, in cash
    sale = core.refunds.find_sale(first.order_number)
    chips_line = next(line for line in sale.lines if line.sku == chips.sku)
    manager = core.approvals.approve("9001", "9999").id
    core.refunds.refund(
        first.order_number, [(chips_line.line_id, 1)], cashier_id=CASHIER, manager_id=manager
    )
    open_cart = core.checkout.open_cart(CASHIER).id  # still open at closing: never counts
    core.checkout.scan(open_cart, chips.barcode)

    at_local(clock, 21)
    report = core.reports.report(DAY)

    head = report.headline
    assert (report.store_name, report.first, report.last, report.time_zone) == (
        "测试门店",
        DAY,
        DAY,
        "Asia/Shanghai",
    )
    assert report.generated_at == clock.now() and report.terminal_code is None
    assert (head.sales_count, head.sales_total) == (3, Money(47_06))
    assert (head.returns_count, head.returns_total, head.net_total) == (
        1,
        Money(10_00),
        Money(37_06),
    )
    assert head.average_sale == Money(15_68)  # 47.06 / 3, rounded down
    assert head.items_sold == 7  # 2 chips + apples (1) + 2 colas + rice + 1 chips
    assert (
        head.savings_total,
        head.promotion_savings,
        head.coupon_savings,
        head.member_price_savings,
    ) == (Money(8_75), Money(1_75), Money(5_00), Money(2_00))
    assert (head.member_sales_count, head.voided_lines, head.voided_total) == (1, 1, Money(2_00))

    assert [(h.hour, h.sales_count, h.sales_total) for h in report.by_hour if h.sales_count] == [
        (10, 1, Money(26_81)),
        (11, 1, Money(10_25)),
        (12, 1, Money(10_00)),
    ]
    categories = {c.category: (c.quantity, c.total) for c in report.by_category}
    assert categories["零食"] == (3, Money(30_00)) and categories["生鲜"] == (1, Money(6_81))
    assert categories["饮料"][0] == 2 and categories["粮油"][0] == 1
    assert categories["饮料"][1] + categories["粮油"][1] == Money(10_25)  # the coupon spread
    assert report.by_category[0].category == "零食"
    assert report.by_category[0].share_bp == 6375  # 30.00 of 47.06
    assert sum(c.share_bp for c in report.by_category) == 10_000

    assert [(p.name, p.quantity, p.grams, p.total) for p in report.top_products[:2]] == [
        ("乐事薯片 70g", 3, 0, Money(30_00)),
        ("红富士苹果", 1, 532, Money(6_81)),
    ]
    assert [
        (
            c.staff_no,
            c.name,
            c.sales_count,
            c.sales_total,
            c.returns_count,
            c.returns_total,
            c.voided_lines,
        )
        for c in report.by_cashier
    ] == [
        ("1001", "王芳", 2, Money(37_06), 1, Money(10_00), 1),
        ("1002", "李娜", 1, Money(10_00), 0, Money(0), 0),
    ]
    assert [(p.method, p.provider, p.count, p.total, p.refunded) for p in report.by_payment] == [
        ("cash", None, 2, Money(37_06), Money(10_00)),  # 70.00 handed over less 32.94 change
        ("payment_code", "wechat_pay", 1, Money(10_00), Money(0)),
    ]
    assert [(s.kind, s.source, s.name, s.uses, s.saved) for s in report.savings] == [
        ("coupon", "RF", "现金券5元", 1, Money(5_00)),  # under its batch
        ("member_price", "member.price", "member.price", 1, Money(2_00)),
        ("promotion", "P-2ND", "第二件半价", 1, Money(1_75)),
    ]


def test_a_sale_counts_on_the_store_local_day_and_hour_it_was_completed(
    store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock
) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    clock.advance(LOCAL_MIDNIGHT + timedelta(days=1, seconds=-1) - clock.now())  # 23:59:59
    cash_sale(core, [water.barcode], "2.00")
    clock.advance(timedelta(seconds=1))  # 00:00:00 the next day
    cash_sale(core, [water.barcode, water.barcode], "4.00")

    late, early = core.reports.report(DAY), core.reports.report(DAY + timedelta(days=1))
    both = core.reports.report(DAY, DAY + timedelta(days=1))

    assert (late.headline.sales_total, late.by_hour[23].sales_count) == (Money(2_00), 1)
    assert (early.headline.sales_total, early.by_hour[0].sales_count) == (Money(4_00), 1)
    assert (both.headline.sales_count, both.last) == (2, DAY + timedelta(days=1))
    assert [h.hour for h in both.by_hour if h.sales_count] == [0, 23]


def test_coupons_of_one_batch_are_one_row_with_the_sales_they_saved_on(
    store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock
) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="20.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    terms = {
        "kind": "cash",
        "amount": "5.00",
        "valid_from": (clock.now() - timedelta(days=1)).isoformat(),
        "valid_until": (clock.now() + timedelta(days=30)).isoformat(),
    }
    codes = core.coupons.generate_batch("双十一现金券", terms, 3, batch="D11")
    for code in codes[:2]:  # two sales, one coupon each; the third coupon is never used
        cart = core.checkout.open_cart(CASHIER).id
        core.checkout.scan(cart, water.barcode)
        core.checkout.add_coupon(cart, code)
        assert core.sales.pay_cash(cart, Money(20_00)).total == Money(15_00)

    report = core.reports.report(DAY)

    assert [(s.kind, s.source, s.name, s.uses, s.saved) for s in report.savings] == [
        ("coupon", "D11", "双十一现金券", 2, Money(10_00)),
    ]


def test_one_terminals_report_counts_only_its_own_sales(
    store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock
) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    with store.begin() as c:
        c.execute(
            insert(TerminalRow).values(
                id="term-2", store_id="store-1", code="T02", name="2号收银台"
            )
        )
    till_1 = a_core(store, tmp_path / "t1", bus=bus, clock=clock)
    till_2 = build_core(
        parse_config({"terminal": {"code": "T02"}}, data_dir=tmp_path / "t2"),
        bus=bus,
        clock=clock,
        printer=None,
        engine=store,
    )
    cash_sale(till_1, [water.barcode], "2.00")
    cash_sale(till_2, [water.barcode] * 3, "10.00")

    whole = till_1.reports.report(DAY)
    second = till_1.reports.report(DAY, terminal_code="T02")

    assert whole.headline.sales_total == Money(8_00)
    assert (second.terminal_code, second.headline.sales_count, second.headline.sales_total) == (
        "T02",
        1,
        Money(6_00),
    )
    assert [(p.method, p.total) for p in second.by_payment] == [("cash", Money(6_00))]
    with pytest.raises(UserError) as unknown:
        till_1.reports.report(DAY, terminal_code="T99")
    assert (unknown.value.code, unknown.value.params) == (
        "report.unknown_terminal",
        {"terminal": "T99"},
    )


def test_an_empty_day_is_zeros_with_24_empty_hours_and_bad_ranges_are_refused(
    store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock
) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    suspended = core.checkout.open_cart(CASHIER).id
    core.checkout.scan(suspended, water.barcode)
    core.checkout.suspend(suspended)

    report: SalesReportView = core.reports.report(DAY)

    assert report.headline.sales_count == report.headline.returns_count == 0
    assert report.headline.net_total == report.headline.average_sale == Money(0)
    assert [(h.hour, h.sales_count, h.sales_total) for h in report.by_hour] == [
        (hour, 0, Money(0)) for hour in range(24)
    ]
    assert report.by_category == report.top_products == report.by_cashier == ()
    assert report.by_payment == report.savings == ()
    assert core.reports.today() == DAY  # 10:30 in Shanghai
    assert core.reports.report(date(2024, 1, 1), date(2024, 12, 31)).headline.sales_count == 0
    for first, last, code in (
        (DAY, DAY - timedelta(days=1), "report.bad_range"),
        (date(2025, 1, 1), date(2026, 1, 2), "report.range_too_long"),
    ):
        with pytest.raises(UserError) as refused:
            core.reports.report(first, last)
        assert refused.value.code == code

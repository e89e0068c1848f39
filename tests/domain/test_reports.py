"""The sales report's arithmetic: store-local days and hours, returns kept apart from sales,
shares in basis points that add up, and the same report whatever order the facts came in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.domain.money import Money
from pos_app.domain.reports import (
    LineFact,
    OrderFact,
    PaymentFact,
    ReportFacts,
    SavingFact,
    build_report,
    by_payment,
    by_saving,
    day_bounds,
    headline,
    local_hour,
    shares_bp,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
DAY_START = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 2026-11-24 00:00 in Shanghai
checks = settings(max_examples=150, deadline=None)


def a_sale(
    total: str,
    *,
    hour: int = 10,
    staff: str = "1001",
    member: bool = False,
    voided: int = 0,
    voided_fen: int = 0,
    kind: str = "sale",
) -> OrderFact:
    return OrderFact(
        kind=kind,
        completed_at=DAY_START + timedelta(hours=hour),
        staff_no=staff,
        cashier_name=f"收银员{staff}",
        member=member,
        total_fen=Money.parse(total).fen,
        voided_lines=voided,
        voided_fen=voided_fen,
    )


# --- strategies --------------------------------------------------------------------------------

orders = st.builds(
    OrderFact,
    kind=st.sampled_from(["sale", "sale", "return"]),
    completed_at=st.integers(0, 24 * 3600 - 1).map(lambda s: DAY_START + timedelta(seconds=s)),
    staff_no=st.sampled_from(["1001", "1002", "1003"]),
    cashier_name=st.just("王芳"),
    member=st.booleans(),
    total_fen=st.integers(0, 200_000),
    voided_lines=st.integers(0, 3),
    voided_fen=st.integers(0, 5_000),
)
lines = st.builds(
    LineFact,
    category=st.sampled_from(["饮料", "零食", "生鲜", "粮油", ""]),
    sku=st.sampled_from([f"S{n:03d}" for n in range(30)]),
    name=st.sampled_from(["可乐", "薯片", "苹果"]),
    pieces=st.integers(1, 40),
    grams=st.integers(0, 5_000),
    total_fen=st.integers(0, 100_000),
)
payments = st.builds(
    PaymentFact,
    kind=st.sampled_from(["sale", "return"]),
    method=st.sampled_from(["cash", "payment_code", "bank_card"]),
    provider=st.sampled_from([None, "wechat_pay", "alipay"]),
    count=st.integers(1, 50),
    amount_fen=st.integers(0, 500_000),
)
savings = st.builds(
    SavingFact,
    kind=st.sampled_from(["promotion", "coupon", "member_price"]),
    source=st.sampled_from(["P-1", "P-2", "RF-1", "member_price"]),
    name=st.sampled_from(["", "第二件半价", "现金券5元"]),
    uses=st.integers(1, 9),
    saved_fen=st.integers(0, 10_000),
)


@st.composite
def consistent_facts(draw: st.DrawFn) -> ReportFacts:
    """Facts as the database gives them: the sales' totals are what their lines paid."""
    drawn_lines = draw(st.lists(lines, max_size=25))
    drawn_orders = draw(st.lists(orders, max_size=25))
    sales = [o for o in drawn_orders if o.kind == "sale"]
    paid = sum(line.total_fen for line in drawn_lines)
    if sales:
        parts = Money(paid).allocate([1] * len(sales))
        sales = [
            OrderFact(
                kind="sale",
                completed_at=o.completed_at,
                staff_no=o.staff_no,
                cashier_name=o.cashier_name,
                member=o.member,
                total_fen=p.fen,
                voided_lines=o.voided_lines,
                voided_fen=o.voided_fen,
            )
            for o, p in zip(sales, parts, strict=True)
        ]
    elif drawn_lines:
        sales = [a_sale(Money(paid).yuan_text())]
    returns = [o for o in drawn_orders if o.kind == "return"]
    return ReportFacts(
        orders=(*sales, *returns),
        lines=tuple(drawn_lines),
        payments=tuple(draw(st.lists(payments, max_size=8))),
        savings=tuple(draw(st.lists(savings, max_size=8))),
    )


# --- properties --------------------------------------------------------------------------------


@checks
@given(consistent_facts())
def test_the_hours_add_up_to_the_headline_and_there_are_always_24(facts: ReportFacts) -> None:
    report = build_report(facts, SHANGHAI, top_products=20)
    assert [row.hour for row in report.by_hour] == list(range(24))
    assert sum(row.sales_count for row in report.by_hour) == report.headline.sales_count
    assert sum(row.sales_total.fen for row in report.by_hour) == report.headline.sales_total.fen


@checks
@given(consistent_facts())
def test_categories_add_up_to_the_sales_total_and_their_shares_to_100_percent(
    facts: ReportFacts,
) -> None:
    report = build_report(facts, SHANGHAI, top_products=20)
    total = report.headline.sales_total.fen
    assert sum(row.total.fen for row in report.by_category) == total
    assert sum(row.quantity for row in report.by_category) == report.headline.items_sold
    shares = [row.share_bp for row in report.by_category]
    assert all(0 <= share <= 10_000 for share in shares)
    assert sum(shares) == (10_000 if total > 0 else 0)
    for row in report.by_category:  # each share is its exact value rounded down or up
        if total:
            assert (
                row.total.fen * 10_000 // total
                <= row.share_bp
                <= -(-row.total.fen * 10_000 // total)
            )


@checks
@given(st.lists(st.integers(0, 10**9), max_size=12), st.integers(0, 10**9))
def test_shares_round_each_part_one_way_and_sum_to_the_rounded_whole(
    parts: list[int], extra: int
) -> None:
    whole = sum(parts) + extra
    shares = shares_bp(parts, whole)
    if whole == 0:
        assert shares == [0] * len(parts)
        return
    for part, share in zip(parts, shares, strict=True):
        assert part * 10_000 // whole <= share <= -(-part * 10_000 // whole)
    assert sum(shares) == (2 * sum(parts) * 10_000 + whole) // (2 * whole)


@checks
@given(consistent_facts(), st.randoms(use_true_random=False))
def test_the_report_is_the_same_whatever_order_the_facts_come_in(
    facts: ReportFacts, rng: object
) -> None:
    def shuffled(items: tuple[object, ...]) -> tuple[object, ...]:
        copy = list(items)
        rng.shuffle(copy)  # type: ignore[attr-defined]
        return tuple(copy)

    again = ReportFacts(
        orders=shuffled(facts.orders),
        lines=shuffled(facts.lines),  # type: ignore[arg-type]
        payments=shuffled(facts.payments),  # type: ignore[arg-type]
        savings=shuffled(facts.savings),
    )  # type: ignore[arg-type]
    assert build_report(again, SHANGHAI, top_products=5) == build_report(
        facts, SHANGHAI, top_products=5
    )


@checks
@given(st.lists(lines, max_size=40), st.integers(0, 8))
def test_top_products_are_the_best_sellers_highest_first(drawn: list[LineFact], limit: int) -> None:
    top = build_report(ReportFacts(lines=tuple(drawn)), SHANGHAI, top_products=limit)
    rows = top.top_products
    totals: dict[str, int] = {}
    for line in drawn:
        totals[line.sku] = totals.get(line.sku, 0) + line.total_fen
    assert len(rows) == min(limit, len(totals))
    assert [(r.total.fen, r.sku) for r in rows] == sorted(
        [(r.total.fen, r.sku) for r in rows], key=lambda t: (-t[0], t[1])
    )
    left_out = set(totals) - {r.sku for r in rows}
    if rows:
        assert all(totals[sku] <= rows[-1].total.fen for sku in left_out)


@checks
@given(st.lists(orders, max_size=30))
def test_cashiers_add_up_to_the_headline(drawn: list[OrderFact]) -> None:
    report = build_report(ReportFacts(orders=tuple(drawn)), SHANGHAI, top_products=20)
    head = report.headline
    assert sum(r.sales_total.fen for r in report.by_cashier) == head.sales_total.fen
    assert sum(r.returns_total.fen for r in report.by_cashier) == head.returns_total.fen
    assert sum(r.sales_count + r.returns_count for r in report.by_cashier) == len(drawn)
    assert sum(r.voided_lines for r in report.by_cashier) == head.voided_lines
    assert head.net_total == head.sales_total - head.returns_total


# --- examples ------------------------------------------------------------------------------------


def test_a_shanghai_day_runs_from_16_00_utc_to_16_00_utc() -> None:
    assert day_bounds(date(2026, 11, 24), date(2026, 11, 24), SHANGHAI) == (
        datetime(2026, 11, 23, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
    )
    start, end = day_bounds(date(2026, 11, 1), date(2026, 11, 30), SHANGHAI)
    assert end - start == timedelta(days=30)


def test_days_when_the_clocks_change_have_23_and_25_hours() -> None:
    spring = day_bounds(date(2026, 3, 8), date(2026, 3, 8), NEW_YORK)
    autumn = day_bounds(date(2026, 11, 1), date(2026, 11, 1), NEW_YORK)
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)


def test_the_hour_is_the_stores_and_a_naive_time_is_refused() -> None:
    assert local_hour(datetime(2026, 11, 24, 15, 59, 59, tzinfo=UTC), SHANGHAI) == 23
    assert local_hour(datetime(2026, 11, 24, 16, 0, tzinfo=UTC), SHANGHAI) == 0
    with pytest.raises(ValueError):
        local_hour(datetime(2026, 11, 24, 16, 0), SHANGHAI)  # noqa: DTZ001


def test_returns_stay_apart_from_sales_and_voids_count_on_sales() -> None:
    facts = ReportFacts(
        orders=(
            a_sale("10.00", member=True, voided=2, voided_fen=7_00),
            a_sale("10.00"),
            a_sale("10.01"),
            a_sale("4.00", kind="return"),
        )
    )

    head = headline(facts)

    assert (head.sales_count, head.sales_total, head.returns_count, head.returns_total) == (
        3,
        Money(30_01),
        1,
        Money(4_00),
    )
    assert head.net_total == Money(26_01)
    assert head.average_sale == Money(10_00)  # 30.01 / 3, rounded down to the fen
    assert (head.member_sales_count, head.voided_lines, head.voided_total) == (1, 2, Money(7_00))


def test_an_empty_day_is_all_zeros_with_24_empty_hours() -> None:
    report = build_report(ReportFacts(), SHANGHAI, top_products=20)
    assert report.headline.sales_total == Money(0) and report.headline.average_sale == Money(0)
    assert len(report.by_hour) == 24 and all(r.sales_count == 0 for r in report.by_hour)
    assert report.by_category == report.top_products == report.by_cashier == ()
    assert report.by_payment == report.savings == ()


def test_three_equal_categories_share_100_percent_by_largest_remainder() -> None:
    assert shares_bp([1, 1, 1], 3) == [3334, 3333, 3333]
    assert shares_bp([0, 5], 10) == [0, 5000]


def test_tenders_count_what_sales_took_and_what_returns_gave_back() -> None:
    rows = by_payment(
        [
            PaymentFact(kind="sale", method="cash", provider=None, count=3, amount_fen=30_00),
            PaymentFact(kind="return", method="cash", provider=None, count=1, amount_fen=5_00),
            PaymentFact(
                kind="sale", method="payment_code", provider="wechat_pay", count=1, amount_fen=30_00
            ),
            PaymentFact(kind="return", method="bank_card", provider=None, count=1, amount_fen=9_00),
        ]
    )
    assert [(r.method, r.provider, r.count, r.total, r.refunded) for r in rows] == [
        ("cash", None, 3, Money(30_00), Money(5_00)),
        ("payment_code", "wechat_pay", 1, Money(30_00), Money(0)),
        ("bank_card", None, 0, Money(0), Money(9_00)),
    ]


def test_savings_name_their_source_and_member_prices_read_member_price() -> None:
    rows = by_saving(
        [
            SavingFact(kind="member_price", source="member_price", name="", uses=2, saved_fen=4_00),
            SavingFact(kind="coupon", source="RF-1", name="现金券5元", uses=1, saved_fen=5_00),
            SavingFact(kind="promotion", source="P-GONE", name="", uses=1, saved_fen=4_00),
        ]
    )
    assert [(r.kind, r.source, r.name, r.uses, r.saved) for r in rows] == [
        ("coupon", "RF-1", "现金券5元", 1, Money(5_00)),
        ("member_price", "member.price", "member.price", 2, Money(4_00)),
        ("promotion", "P-GONE", "P-GONE", 1, Money(4_00)),
    ]

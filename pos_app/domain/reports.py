"""The manager's sales report as pure aggregation: fact rows in, the report's parts out.

The facts are what ``persistence.queries`` reads for whole store-local days: every completed
sale and return (``OrderFact``), the not-voided lines of completed sales summed by category,
SKU and name (``LineFact``), tenders summed by order kind, method and provider
(``PaymentFact``) and savings summed by kind and source (``SavingFact``). Amounts are integer
fen, always positive: a return's total and its refunds are what went back to customers.

Counting rules (docs/reports.md says the same for people):
- Sales and returns are kept apart: ``net = sales - returns``; returns never reduce the
  category, product, savings or hour figures, which describe what was sold.
- Hours are the store-local hour (0-23) of ``completed_at``; a report over several days sums
  the same hour of each day. In a daylight-saving fall-back the repeated hour counts once.
- A weighed line counts one piece; its grams are summed apart.
- Shares are basis points (1/100 %) of the sales total, worked with integers by largest
  remainder (``shares_bp``): each is its exact share rounded down or up, and together they
  make the exact sum of the parts rounded half up (10000 when the parts cover the whole).
- Every ordering ends on a unique key, so the parts are the same whatever order the facts
  came in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pos_app.domain.money import Money

SALE, RETURN = "sale", "return"
MAX_DAYS = 366
"""The longest report: a leap year."""
WHOLE_BP = 10_000
MEMBER_PRICE_SOURCE = "member.price"
"""What the report calls the member prices' source (the pricing reason key, for the UI)."""
_STORED_MEMBER_PRICE = ("member_price", "member_price")
"""(kind, source) of member-price savings as ``order_adjustments`` stores them."""


# --- facts in --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFact:
    """One completed sale or return: who, when, for how much, and its voided lines."""

    kind: str
    """``sale`` or ``return``."""
    completed_at: datetime
    staff_no: str
    cashier_name: str
    member: bool
    total_fen: int
    """What the customer paid (a sale) or got back (a return), positive."""
    voided_lines: int = 0
    voided_fen: int = 0
    """The voided lines' amount at the price scanned (a voided line keeps no saving)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LineFact:
    """Not-voided lines of completed sales with one category, SKU and name, summed."""

    category: str
    sku: str
    name: str
    pieces: int
    """Pieces; a weighed line counts 1."""
    grams: int
    total_fen: int
    """Paid: amount less the line's share of every saving."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentFact:
    """Tenders of one method (and wallet provider) on sales, or refunds to it on returns."""

    kind: str
    method: str
    provider: str | None
    count: int
    amount_fen: int
    """Taken (cash without change) or given back, positive."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SavingFact:
    """What one promotion, coupon or the member prices saved on completed sales."""

    kind: str
    source: str
    name: str
    """From the promotion or coupon; empty when unknown (the report shows the source)."""
    uses: int
    saved_fen: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportFacts:
    orders: tuple[OrderFact, ...] = ()
    lines: tuple[LineFact, ...] = ()
    payments: tuple[PaymentFact, ...] = ()
    savings: tuple[SavingFact, ...] = ()


# --- parts out (the fields of ``services.report_views``, by the same names) ------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportHeadline:
    """The figures at a glance."""

    sales_count: int
    sales_total: Money
    """What customers paid for completed sales (after every saving)."""
    returns_count: int
    returns_total: Money
    """What went back to customers on returns, positive."""
    net_total: Money
    average_sale: Money
    """``sales_total // sales_count`` (zero without sales), rounded down to the fen."""
    items_sold: int
    """Pieces on completed sales' lines that were not voided; a weighed line counts 1."""
    savings_total: Money
    """Every saving given on completed sales: promotions, coupons and member prices."""
    promotion_savings: Money
    coupon_savings: Money
    member_price_savings: Money
    member_sales_count: int
    """Completed sales with an identified member."""
    voided_lines: int
    """Lines voided on carts that became completed sales."""
    voided_total: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class HourRow:
    """One store-local hour of the day (0-23), summed over the report's days."""

    hour: int
    sales_count: int
    sales_total: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryRow:
    category: str
    quantity: int
    """Pieces (a weighed line counts 1)."""
    total: Money
    """What customers paid for these lines, after line and order savings."""
    share_bp: int
    """This category's part of ``ReportHeadline.sales_total`` in basis points (1/100 %)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductRow:
    sku: str
    name: str
    quantity: int
    grams: int
    """Weighed goods: the grams sold (0 for goods sold by the piece)."""
    total: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class CashierRow:
    staff_no: str
    name: str
    sales_count: int
    sales_total: Money
    returns_count: int
    returns_total: Money
    voided_lines: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentMethodRow:
    """One tender kind: ``method`` as stored on payments (``TenderMethod``: ``cash``,
    ``payment_code``, ``dynamic_qr``, ``bank_card``, ``stored_value``, ``points``) and, for
    wallet tenders, the ``provider`` (``Provider``: WeChat Pay, Alipay, UnionPay)."""

    method: str
    provider: str | None
    count: int
    total: Money
    """Taken on completed sales (cash net of change)."""
    refunded: Money
    """Given back on returns, positive."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SavingSourceRow:
    """One promotion, coupon or the member prices, with what it saved on completed sales."""

    kind: str
    """``promotion``, ``coupon`` or ``member_price`` (as ``order_adjustments.kind``)."""
    source: str
    """The promotion's id; a coupon's batch code (a coupon issued alone: its id);
    ``member.price`` for member prices."""
    name: str
    uses: int
    """Completed sales it saved something on."""
    saved: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportParts:
    headline: ReportHeadline
    by_hour: tuple[HourRow, ...]
    by_category: tuple[CategoryRow, ...]
    top_products: tuple[ProductRow, ...]
    by_cashier: tuple[CashierRow, ...]
    by_payment: tuple[PaymentMethodRow, ...]
    savings: tuple[SavingSourceRow, ...]


# --- days, hours, shares -----------------------------------------------------------------------


def day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the store-local days ``first`` to ``last`` (both included): from
    local midnight of ``first`` to local midnight after ``last`` (23 or 25 hours on a day the
    clocks change)."""
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_hour(at: datetime, zone: ZoneInfo) -> int:
    """The store-local hour (0-23) of an aware instant."""
    if at.utcoffset() is None:
        raise ValueError("a naive datetime has no local hour")
    return at.astimezone(zone).hour


def local_day(at: datetime, zone: ZoneInfo) -> date:
    """The store-local date of an aware instant (what "today" is at the store)."""
    if at.utcoffset() is None:
        raise ValueError("a naive datetime has no local day")
    return at.astimezone(zone).date()


def shares_bp(parts: Sequence[int], whole: int) -> list[int]:
    """Each part's share of ``whole`` in basis points, with integers only.

    Largest remainder: every share starts at ``part * 10000 // whole``; the basis points still
    missing to ``round_half_up(sum(parts) * 10000 / whole)`` go one each to the parts with the
    largest remainders, ties to the earlier part. So each share is its exact value rounded
    down or up, and the shares sum to 10000 exactly when the parts sum to ``whole``. Parts are
    non-negative; a ``whole`` of zero (no sales) gives zeros.
    """
    if any(part < 0 for part in parts):
        raise ValueError("shares are of non-negative parts")
    if whole <= 0:
        return [0] * len(parts)
    floors = [part * WHOLE_BP // whole for part in parts]
    remainders = [part * WHOLE_BP % whole for part in parts]
    target = (2 * sum(parts) * WHOLE_BP + whole) // (2 * whole)
    order = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
    for i in order[: max(0, target - sum(floors))]:
        if remainders[i]:
            floors[i] += 1
    return floors


# --- the parts -------------------------------------------------------------------------------


def build_report(facts: ReportFacts, zone: ZoneInfo, *, top_products: int) -> ReportParts:
    """Every part of the report from the facts of its days."""
    head = headline(facts)
    return ReportParts(
        headline=head,
        by_hour=by_hour(facts.orders, zone),
        by_category=by_category(facts.lines, head.sales_total),
        top_products=best_products(facts.lines, top_products),
        by_cashier=by_cashier(facts.orders),
        by_payment=by_payment(facts.payments),
        savings=by_saving(facts.savings),
    )


def headline(facts: ReportFacts) -> ReportHeadline:
    """The figures at a glance; ``average_sale`` rounds down to the fen."""
    sales = [o for o in facts.orders if o.kind == SALE]
    returns = [o for o in facts.orders if o.kind == RETURN]
    sales_fen = sum(o.total_fen for o in sales)
    returns_fen = sum(o.total_fen for o in returns)
    saved = {kind: 0 for kind in ("promotion", "coupon", "member_price")}
    for fact in facts.savings:
        saved[fact.kind] = saved.get(fact.kind, 0) + fact.saved_fen
    return ReportHeadline(
        sales_count=len(sales),
        sales_total=Money(sales_fen),
        returns_count=len(returns),
        returns_total=Money(returns_fen),
        net_total=Money(sales_fen - returns_fen),
        average_sale=Money(sales_fen // len(sales) if sales else 0),
        items_sold=sum(line.pieces for line in facts.lines),
        savings_total=Money(sum(saved.values())),
        promotion_savings=Money(saved["promotion"]),
        coupon_savings=Money(saved["coupon"]),
        member_price_savings=Money(saved["member_price"]),
        member_sales_count=sum(1 for o in sales if o.member),
        voided_lines=sum(o.voided_lines for o in sales),
        voided_total=Money(sum(o.voided_fen for o in sales)),
    )


def by_hour(orders: Iterable[OrderFact], zone: ZoneInfo) -> tuple[HourRow, ...]:
    """24 rows, hour 0 to 23: the sales completed in that store-local hour."""
    counts, totals = [0] * 24, [0] * 24
    for order in orders:
        if order.kind == SALE:
            hour = local_hour(order.completed_at, zone)
            counts[hour] += 1
            totals[hour] += order.total_fen
    return tuple(
        HourRow(hour=h, sales_count=counts[h], sales_total=Money(totals[h])) for h in range(24)
    )


def by_category(lines: Iterable[LineFact], sales_total: Money) -> tuple[CategoryRow, ...]:
    """Highest total first, then category name; shares of ``sales_total`` (``shares_bp``)."""
    pieces: dict[str, int] = {}
    totals: dict[str, int] = {}
    for line in lines:
        pieces[line.category] = pieces.get(line.category, 0) + line.pieces
        totals[line.category] = totals.get(line.category, 0) + line.total_fen
    names = sorted(totals, key=lambda c: (-totals[c], c))
    shares = shares_bp([max(0, totals[c]) for c in names], sales_total.fen)
    return tuple(
        CategoryRow(category=c, quantity=pieces[c], total=Money(totals[c]), share_bp=share)
        for c, share in zip(names, shares, strict=True)
    )


def best_products(lines: Iterable[LineFact], limit: int) -> tuple[ProductRow, ...]:
    """The ``limit`` SKUs with the highest totals (then by SKU). A SKU sold under two names
    (renamed during the report) shows the name it sold most under (then the first name)."""
    by_sku: dict[str, list[LineFact]] = {}
    for line in lines:
        by_sku.setdefault(line.sku, []).append(line)
    rows = []
    for sku, facts in by_sku.items():
        named: dict[str, int] = {}
        for fact in facts:
            named[fact.name] = named.get(fact.name, 0) + fact.total_fen
        name = min(named, key=lambda n: (-named[n], n))
        rows.append(
            ProductRow(
                sku=sku,
                name=name,
                quantity=sum(f.pieces for f in facts),
                grams=sum(f.grams for f in facts),
                total=Money(sum(f.total_fen for f in facts)),
            )
        )
    rows.sort(key=lambda r: (-r.total.fen, r.sku))
    return tuple(rows[: max(0, limit)])


def by_cashier(orders: Iterable[OrderFact]) -> tuple[CashierRow, ...]:
    """Everyone who completed a sale or a return; highest sales total first, then staff
    number. Voided lines count on sales only (a return has none)."""
    rows: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for order in orders:
        row = rows.setdefault(
            order.staff_no,
            dict.fromkeys(("sales", "sales_fen", "returns", "returns_fen", "voided"), 0),
        )
        names[order.staff_no] = min(
            names.get(order.staff_no, order.cashier_name), order.cashier_name
        )
        if order.kind == SALE:
            row["sales"] += 1
            row["sales_fen"] += order.total_fen
            row["voided"] += order.voided_lines
        else:
            row["returns"] += 1
            row["returns_fen"] += order.total_fen
    ordered = sorted(rows, key=lambda no: (-rows[no]["sales_fen"], no))
    return tuple(
        CashierRow(
            staff_no=no,
            name=names[no],
            sales_count=rows[no]["sales"],
            sales_total=Money(rows[no]["sales_fen"]),
            returns_count=rows[no]["returns"],
            returns_total=Money(rows[no]["returns_fen"]),
            voided_lines=rows[no]["voided"],
        )
        for no in ordered
    )


def by_payment(payments: Iterable[PaymentFact]) -> tuple[PaymentMethodRow, ...]:
    """One row per (method, provider) taken or refunded; highest total first, then method and
    provider. ``count`` is the tenders taken on sales (refunds are not counted)."""
    rows: dict[tuple[str, str | None], list[int]] = {}
    for fact in payments:
        row = rows.setdefault((fact.method, fact.provider), [0, 0, 0])
        if fact.kind == SALE:
            row[0] += fact.count
            row[1] += fact.amount_fen
        else:
            row[2] += fact.amount_fen
    ordered = sorted(rows, key=lambda k: (-rows[k][1], k[0], k[1] or ""))
    return tuple(
        PaymentMethodRow(
            method=method,
            provider=provider,
            count=rows[method, provider][0],
            total=Money(rows[method, provider][1]),
            refunded=Money(rows[method, provider][2]),
        )
        for method, provider in ordered
    )


def by_saving(savings: Iterable[SavingFact]) -> tuple[SavingSourceRow, ...]:
    """One row per (kind, source); highest saving first, then kind and source. The member
    prices' source reads ``member.price``; a row with no known name shows its source."""
    rows: dict[tuple[str, str], list[int]] = {}
    names: dict[tuple[str, str], str] = {}
    for fact in savings:
        key = (
            fact.kind,
            MEMBER_PRICE_SOURCE
            if (fact.kind, fact.source) == _STORED_MEMBER_PRICE
            else fact.source,
        )
        row = rows.setdefault(key, [0, 0])
        row[0] += fact.uses
        row[1] += fact.saved_fen
        if fact.name:
            names[key] = min(names.get(key, fact.name), fact.name)
    ordered = sorted(rows, key=lambda k: (-rows[k][1], k))
    return tuple(
        SavingSourceRow(
            kind=kind,
            source=source,
            name=names.get((kind, source), source),
            uses=rows[kind, source][0],
            saved=Money(rows[kind, source][1]),
        )
        for kind, source in ordered
    )

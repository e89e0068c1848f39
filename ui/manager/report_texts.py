"""What the reports screen says about a ``SalesReportView``: the period, the headline figures,
the chart's caption and every table's cells, in the catalogue's words and the app's money
format. No widgets here."""

from __future__ import annotations

from datetime import date

from pos_app.i18n import Catalog
from pos_app.services.report_views import (
    HourRow,
    ReportHeadline,
    SalesReportView,
    SavingSourceRow,
)
from ui.formatting import local_time, money, quantity

TILES = ("sales", "returns", "net", "average", "items", "savings", "members", "voids")
TABLE_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[int, ...], int]] = {
    # table: (columns, the numeric ones, the one that takes the spare width)
    "categories": (("category", "quantity", "total", "share"), (1, 2, 3), 0),
    "products": (("rank", "product", "sold", "total"), (0, 2, 3), 1),
    "cashiers": (
        ("cashier", "sales_count", "sales_total", "returns_count", "returns_total", "voids"),
        (1, 2, 3, 4, 5),
        0,
    ),
    "payments": (("method", "count", "taken", "refunded", "net"), (1, 2, 3, 4), 0),
    "savings": (("kind", "saving", "uses", "saved"), (2, 3), 1),
}
TABLES = tuple(TABLE_COLUMNS)


def day_text(day: date, today: date, catalog: Catalog) -> str:
    """ "2026-11-24 星期二", with "（今天）" when it is ``today``."""
    weekday = catalog.text(f"reports.weekday.{day.weekday()}")
    shown = catalog.text("reports.day", date=day.isoformat(), weekday=weekday)
    return shown + catalog.text("reports.today_mark") if day == today else shown


def scope_text(terminal: str | None, catalog: Catalog) -> str:
    """ "全店" (None) or "本机 T01"."""
    if terminal is None:
        return catalog.text("reports.scope.store")
    return catalog.text("reports.scope.terminal", terminal=terminal)


def period_text(view: SalesReportView, today: date, catalog: Catalog) -> str:
    """What the figures cover: the day (or days) and the till or the whole store."""
    period = day_text(view.first, today, catalog)
    if view.last != view.first:
        period = catalog.text(
            "reports.days", first=period, last=day_text(view.last, today, catalog)
        )
    scope = scope_text(view.terminal_code, catalog)
    return catalog.text("reports.period", period=period, scope=scope)


def generated_text(view: SalesReportView, manager_name: str, catalog: Catalog) -> str:
    """When the figures were made (store time) and which manager asked for them."""
    at = local_time(view.generated_at, view.time_zone)
    said = catalog.text("reports.generated", time=at)
    if manager_name:
        said += " · " + catalog.text("reports.viewer", manager=manager_name)
    return said


def hour_text(key: str, row: HourRow, catalog: Catalog) -> str:
    """An hour's figures in the template ``key`` (hour, next, amount, count)."""
    return catalog.text(
        key, hour=row.hour, next=row.hour + 1, amount=money(row.sales_total), count=row.sales_count
    )


def chart_caption(peak: HourRow | None, catalog: Catalog) -> str:
    """The chart's title, with the busiest hour when there is one."""
    title = catalog.text("reports.chart.title")
    if peak is None:
        return title
    busiest = hour_text("reports.chart.peak", peak, catalog)
    return catalog.text("reports.chart.with_peak", title=title, peak=busiest)


def headline_figures(figures: ReportHeadline, catalog: Catalog) -> dict[str, tuple[str, str]]:
    """Each tile's figure and the line under it, in ``TILES`` order."""
    text = catalog.text
    sales = figures.sales_count
    members = percent(figures.member_sales_count, sales) if sales else text("reports.none")
    savings = text(
        "reports.savings_detail",
        promotions=money(figures.promotion_savings),
        coupons=money(figures.coupon_savings),
        member_prices=money(figures.member_price_savings),
    )
    return {
        "sales": (money(figures.sales_total), text("reports.count", count=sales)),
        "returns": (
            money(figures.returns_total),
            text("reports.count", count=figures.returns_count),
        ),
        "net": (money(figures.net_total), text("reports.net_detail")),
        "average": (money(figures.average_sale), text("reports.average_detail")),
        "items": (
            text("reports.items_value", count=figures.items_sold),
            text("reports.items_detail"),
        ),
        "savings": (money(figures.savings_total), savings),
        "members": (
            members,
            text("reports.members_detail", members=figures.member_sales_count, sales=sales),
        ),
        "voids": (
            text("reports.voids_value", count=figures.voided_lines),
            text("reports.voids_detail", amount=money(figures.voided_total)),
        ),
    }


def table_rows(view: SalesReportView, catalog: Catalog) -> dict[str, list[list[str]]]:
    """Each table's cells for ``view``, as the manager reads them."""
    text = catalog.text
    return {
        "categories": [
            [row.category, str(row.quantity), money(row.total), share(row.share_bp)]
            for row in view.by_category
        ],
        "products": [
            [str(rank), row.name, quantity(row.quantity, row.grams or None), money(row.total)]
            for rank, row in enumerate(view.top_products, 1)
        ],
        "cashiers": [
            [
                text("reports.cashier_name", name=row.name, staff_no=row.staff_no),
                str(row.sales_count),
                money(row.sales_total),
                str(row.returns_count),
                money(row.returns_total),
                str(row.voided_lines),
            ]
            for row in view.by_cashier
        ],
        "payments": [
            [
                tender_name(catalog, row.method, row.provider),
                str(row.count),
                money(row.total),
                money(row.refunded),
                money(row.total - row.refunded),
            ]
            for row in view.by_payment
        ],
        "savings": [
            [
                _known(catalog, f"reports.saving_kind.{row.kind}", row.kind),
                saving_name(catalog, row),
                str(row.uses),
                money(row.saved),
            ]
            for row in view.savings
        ],
    }


def tender_name(catalog: Catalog, method: str, provider: str | None) -> str:
    """现金, 银行卡, 微信支付 · 付款码支付...: the names the receipt and the tender keys use."""
    name = _known(catalog, f"tender.{method}", method)
    if provider is None:
        return name
    wallet = _known(catalog, f"wallet.provider.{provider}", provider)
    return catalog.text("reports.payment.wallet", provider=wallet, method=name)


def saving_name(catalog: Catalog, row: SavingSourceRow) -> str:
    """A promotion's or coupon's own name; the member prices' name is a message key."""
    return _known(catalog, row.name, row.name) if row.kind == "member_price" else row.name


def share(basis_points: int) -> str:
    """3402 basis points -> "34.0%" (one decimal, rounded half up)."""
    tenths = (basis_points + 5) // 10
    return f"{tenths // 10}.{tenths % 10}%"


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` (not zero) as "43.0%" (one decimal, rounded half up)."""
    tenths = (2000 * part + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}%"


def _known(catalog: Catalog, key: str, otherwise: str) -> str:
    return catalog.text(key) if catalog.has(key) else otherwise

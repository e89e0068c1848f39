"""Frozen snapshots of the manager's sales report: what the reports screen, the CSV export and
``pos report`` show. Made by ``ReportService``; nothing in them touches the database again.

The rows are the domain's (``domain.reports``, where each figure is defined); this module
adds the report as a whole. A report covers whole store-local days (``first`` to ``last``,
both included, in the store's time zone), for the whole store or one terminal. Sales and
returns count when they were completed; open, suspended and abandoned carts never count.
Amounts are ``Money`` (integer fen); a return's amounts are positive in the ``returns_*``
fields and never mixed into the sales fields, so ``net_total = sales_total - returns_total``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pos_app.domain.reports import (
    CashierRow,
    CategoryRow,
    HourRow,
    PaymentMethodRow,
    ProductRow,
    ReportHeadline,
    SavingSourceRow,
)

__all__ = [
    "CashierRow",
    "CategoryRow",
    "HourRow",
    "PaymentMethodRow",
    "ProductRow",
    "ReportHeadline",
    "SalesReportView",
    "SavingSourceRow",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SalesReportView:
    store_name: str
    first: date
    last: date
    time_zone: str
    terminal_code: str | None
    """None: every terminal of the store."""
    generated_at: datetime
    headline: ReportHeadline
    by_hour: tuple[HourRow, ...]
    """Always 24 rows, hour 0 to 23."""
    by_category: tuple[CategoryRow, ...]
    """Highest total first, then category name."""
    top_products: tuple[ProductRow, ...]
    """Highest total first (then SKU), at most ``ReportService.TOP_PRODUCTS``."""
    by_cashier: tuple[CashierRow, ...]
    """Highest sales total first, then staff number."""
    by_payment: tuple[PaymentMethodRow, ...]
    """Highest total first, then method and provider."""
    savings: tuple[SavingSourceRow, ...]
    """Highest saving first, then kind and source."""

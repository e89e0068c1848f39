"""Frozen snapshots of the manager's sales report: what the reports screen, the CSV export and
``pos report`` show. Made by ``ReportService``; nothing in them touches the database again.

A report covers whole store-local days (``first`` to ``last``, both included, in the store's
time zone), for the whole store or one terminal. Sales and returns count when they were
completed; open, suspended and abandoned carts never count. Amounts are ``Money`` (integer
fen); a return's amounts are positive in the ``returns_*`` fields and never mixed into the
sales fields, so ``net_total = sales_total - returns_total``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pos_app.domain.money import Money


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
    """The promotion's or coupon's id; ``member.price`` for member prices."""
    name: str
    uses: int
    """Completed sales it saved something on."""
    saved: Money


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

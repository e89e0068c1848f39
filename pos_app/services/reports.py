"""ReportService: the store manager's sales report for whole store-local days, and its CSVs.

``report`` reads every fact of the days in one read transaction (``persistence.queries``),
aggregates them with the pure ``domain.reports`` and returns a ``SalesReportView``; what each
figure means is in ``services.report_views`` and docs/reports.md. Refusals are UserErrors:
``report.bad_range`` (last before first), ``report.range_too_long`` (over 366 days, with
``days`` and ``max_days``), ``report.unknown_terminal`` (with ``terminal``).

``export_csv`` writes one UTF-8 CSV with a byte-order mark per section (Excel in China then
opens the Chinese names), a header row, amounts as plain yuan with two decimals (``12.30``)
and shares as percent with two decimals. File names: ``sales-<first>[_<last>][-<terminal>]-
<section>.csv``, e.g. ``sales-2026-11-24-headline.csv`` or
``sales-2026-11-01_2026-11-30-T01-payments.csv``; sections in ``CSV_SECTIONS`` order.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pos_app.clock import Clock
from pos_app.domain import reports
from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.persistence import queries
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.report_views import (
    CashierRow,
    CategoryRow,
    HourRow,
    PaymentMethodRow,
    ProductRow,
    ReportHeadline,
    SalesReportView,
    SavingSourceRow,
)

UowFactory = Callable[[], UnitOfWork]
CSV_SECTIONS = ("headline", "hours", "categories", "products", "cashiers", "payments", "savings")
HEADLINE_CONTEXT = ("store", "first", "last", "time_zone", "terminal", "generated_at")
"""Columns that lead the headline CSV, so the file says what it covers."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_IN_NAME = re.compile(r"[^0-9A-Za-z_.]+")


class ReportService:
    TOP_PRODUCTS = 20

    def __init__(self, uow: UowFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def today(self) -> date:
        """Today at the store (its time zone): the report a manager asks for by default."""
        zone = ZoneInfo(self._uow().site.time_zone)  # no transaction: the site is known
        return reports.local_day(self._clock.now(), zone)

    def report(
        self, first: date, last: date | None = None, *, terminal_code: str | None = None
    ) -> SalesReportView:
        """The report of the store-local days ``first`` to ``last`` (default: ``first``), for
        the whole store or the terminal with ``terminal_code``."""
        last = first if last is None else last
        check_days(first, last)
        generated_at = self._clock.now()
        work = self._uow()
        zone = ZoneInfo(work.site.time_zone)
        start, end = reports.day_bounds(first, last, zone)
        with work as uow:
            queries.read_snapshot(uow.session)
            terminal = None
            if terminal_code is not None:
                terminal = queries.terminal_id(uow.session, uow.site.store_id, terminal_code)
                if terminal is None:
                    raise UserError("report.unknown_terminal", terminal=terminal_code)
            store = queries.store_name(uow.session, uow.site.store_id)
            facts = queries.report_facts(
                uow.session, queries.ReportScope(uow.site.store_id, start, end, terminal)
            )
        parts = reports.build_report(facts, zone, top_products=self.TOP_PRODUCTS)
        return SalesReportView(
            store_name=store,
            first=first,
            last=last,
            time_zone=zone.key,
            terminal_code=terminal_code,
            generated_at=generated_at,
            headline=parts.headline,
            by_hour=parts.by_hour,
            by_category=parts.by_category,
            top_products=parts.top_products,
            by_cashier=parts.by_cashier,
            by_payment=parts.by_payment,
            savings=parts.savings,
        )

    def export_csv(self, view: SalesReportView, directory: Path) -> list[Path]:
        """One CSV per section of ``view`` in ``directory`` (made if missing), replacing
        files of the same name; returns their paths in ``CSV_SECTIONS`` order."""
        directory.mkdir(parents=True, exist_ok=True)
        context = [
            view.store_name,
            view.first.isoformat(),
            view.last.isoformat(),
            view.time_zone,
            view.terminal_code or "",
            view.generated_at.isoformat(),
        ]
        tables: dict[str, tuple[list[str], list[list[str]]]] = {
            "headline": _table(ReportHeadline, [view.headline], HEADLINE_CONTEXT, [context]),
            "hours": _table(HourRow, view.by_hour),
            "categories": _table(CategoryRow, view.by_category),
            "products": _table(ProductRow, view.top_products),
            "cashiers": _table(CashierRow, view.by_cashier),
            "payments": _table(PaymentMethodRow, view.by_payment),
            "savings": _table(SavingSourceRow, view.savings),
        }
        paths = []
        for section in CSV_SECTIONS:
            path = directory / csv_name(view, section)
            header, rows = tables[section]
            _write_csv(path, header, rows)
            paths.append(path)
        return paths


def check_days(first: date, last: date) -> None:
    """Refuse a range that ends before it starts or is longer than ``MAX_DAYS``."""
    if last < first:
        raise UserError("report.bad_range", first=first.isoformat(), last=last.isoformat())
    days = (last - first).days + 1
    if days > reports.MAX_DAYS:
        raise UserError("report.range_too_long", days=days, max_days=reports.MAX_DAYS)


def csv_name(view: SalesReportView, section: str) -> str:
    """``sales-<first>[_<last>][-<terminal>]-<section>.csv``; the terminal code keeps only
    letters, digits, ``_`` and ``.`` (anything else becomes ``_``)."""
    days = view.first.isoformat()
    if view.last != view.first:
        days += f"_{view.last.isoformat()}"
    terminal = (
        "" if view.terminal_code is None else "-" + _UNSAFE_IN_NAME.sub("_", view.terminal_code)
    )
    return f"sales-{days}{terminal}-{section}.csv"


def _table(
    cls: type,
    rows: Sequence[Any],
    lead: Sequence[str] = (),
    lead_values: Sequence[Sequence[str]] = (),
) -> tuple[list[str], list[list[str]]]:
    """Header and cells of view rows of ``cls``: every field in declaration order;
    ``share_bp`` as ``share_percent``; ``lead`` columns (one list of values per row) first."""
    names = [f.name for f in fields(cls)]
    header = [*lead, *("share_percent" if n == "share_bp" else n for n in names)]
    cells = []
    for n, row in enumerate(rows):
        values = [_cell(name, getattr(row, name)) for name in names]
        cells.append([*(_text(v) for v in (lead_values[n] if lead else ())), *values])
    return header, cells


def _cell(name: str, value: object) -> str:
    if isinstance(value, Money):
        return value.yuan_text()
    if name == "share_bp" and isinstance(value, int):
        return f"{value // 100}.{value % 100:02d}"
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _text(value: str) -> str:
    """Names come from catalogue, promotion and coupon imports: a leading ``=``, ``+``,
    ``-`` or ``@`` would run as a spreadsheet formula, so such text starts with ``'``."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)

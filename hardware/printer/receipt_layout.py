"""Receipt -> the lines of text a receipt prints, each with its style; no printer commands.

Every line fits the profile's columns once its scale is applied (a line printed twice as wide
gets half the columns). Amounts come from integer fen and print with the full-width ￥, which
Chinese printers show correctly where the half-width ¥ is not safe (toolchain.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hardware.printer.profiles import PrinterProfile
from hardware.printer.text_width import LineMeasure
from pos_app.domain.money import Money
from pos_app.domain.receipts import Receipt, ReceiptLine
from pos_app.i18n import Catalog

log = logging.getLogger(__name__)

CURRENCY_SIGN = "￥"


@dataclass(frozen=True, slots=True)
class RowStyle:
    align: Literal["left", "center"] = "left"
    bold: bool = False
    scale: int = 1
    """Character width and height multiplier (GS ! n)."""


PLAIN = RowStyle()
CENTERED = RowStyle(align="center")
TITLE = RowStyle(align="center", scale=2)
TOTAL = RowStyle(bold=True, scale=2)
MARKER = RowStyle(align="center", bold=True)


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    style: RowStyle = PLAIN


def yuan(amount: Money) -> str:
    """Money as printed (￥23.50, -￥2.00): straight from integer fen, never through float."""
    sign = "-" if amount.is_negative() else ""
    return f"{sign}{CURRENCY_SIGN}{abs(amount.fen) // 100}.{abs(amount.fen) % 100:02d}"


def layout_receipt(
    receipt: Receipt, profile: PrinterProfile, catalog: Catalog, *, copy: bool = False
) -> list[Row]:
    measure = LineMeasure(profile.columns, profile.wide_ambiguous)
    rule = Row("-" * profile.columns)
    rows = [*_header(receipt, measure, catalog), rule]
    rows += _items(receipt.lines, measure, catalog)
    rows += [rule, *_totals(receipt, measure, catalog), rule]
    rows += _footer(receipt, measure, catalog, copy=copy)
    return rows


def local_time_text(moment: datetime, time_zone: str) -> str:
    """YYYY-MM-DD HH:MM:SS in the store's zone; UTC, marked as such, if the zone is unknown."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        log.error("unknown time zone %r on a receipt; printing UTC", time_zone)
        return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _rows(lines: list[str], style: RowStyle = PLAIN) -> list[Row]:
    return [Row(line, style) for line in lines]


def _header(receipt: Receipt, measure: LineMeasure, catalog: Catalog) -> list[Row]:
    rows = _rows(measure.scaled(TITLE.scale).wrap(receipt.store_name), TITLE)
    if receipt.store_address:
        rows += _rows(measure.wrap(receipt.store_address), CENTERED)
    rows += _rows(measure.wrap(catalog.text(receipt.title_key)), CENTERED)
    when = local_time_text(receipt.sold_at, receipt.time_zone)
    for text in (
        catalog.text("receipt.order", number=receipt.order_number),
        catalog.text("receipt.terminal", code=receipt.terminal_code),
        catalog.text("receipt.cashier", name=receipt.cashier_name),
        catalog.text("receipt.time", time=when),
    ):
        rows += _rows(measure.wrap(text))
    return rows


def _items(lines: tuple[ReceiptLine, ...], measure: LineMeasure, catalog: Catalog) -> list[Row]:
    amount_width = max((measure.width(yuan(line.amount)) for line in lines), default=0)
    rows: list[Row] = []
    for line in lines:
        rows += _rows(_item_lines(line, measure, amount_width))
        for reason, saved in line.savings:
            rows += _rows(measure.spread(f"  {_label(catalog, reason)}", _saving(saved)))
    return rows


def _item_lines(line: ReceiptLine, measure: LineMeasure, amount_width: int) -> list[str]:
    """Name, quantity × unit price and amount on one line; the name above when it won't fit."""
    detail = f"{line.quantity_text} × {yuan(line.unit_price)}"
    right = f"{detail}  {measure.rjust(yuan(line.amount), amount_width)}"
    one_line = measure.spread(line.name, right)
    if len(one_line) == 1:
        return one_line
    return measure.wrap(line.name) + measure.spread(f"  {detail}", yuan(line.amount))


def _totals(receipt: Receipt, measure: LineMeasure, catalog: Catalog) -> list[Row]:
    rows = _rows(measure.wrap(catalog.text("receipt.items", count=receipt.item_count)))
    rows += _rows(measure.spread(catalog.text("receipt.subtotal"), yuan(receipt.subtotal)))
    for reason, order_saving in receipt.order_savings:
        rows += _rows(measure.spread(f"  {_label(catalog, reason)}", _saving(order_saving)))
    if not receipt.savings.is_zero():
        saved = _saving(receipt.savings)
        rows += _rows(measure.spread(catalog.text("receipt.savings"), saved))
    large = measure.scaled(TOTAL.scale)
    rows += _rows(large.spread(catalog.text("receipt.total"), yuan(receipt.total)), TOTAL)
    for tender in receipt.tenders:
        label = catalog.text(f"tender.{tender.method}")
        rows += _rows(measure.spread(label, yuan(tender.amount)))
    paid_cash = any(tender.method == "cash" for tender in receipt.tenders)
    if paid_cash or not receipt.change.is_zero():
        rows += _rows(measure.spread(catalog.text("receipt.change"), yuan(receipt.change)))
    return rows


def _footer(receipt: Receipt, measure: LineMeasure, catalog: Catalog, *, copy: bool) -> list[Row]:
    rows: list[Row] = []
    if receipt.footer:
        rows += _rows(measure.wrap(receipt.footer), CENTERED)
    rows += _rows(measure.wrap(catalog.text("receipt.thanks")), CENTERED)
    if copy:
        rows += _rows(measure.wrap(catalog.text("receipt.reprint")), MARKER)
    return rows


def _saving(amount: Money) -> str:
    """A saving prints as a deduction whichever sign it was stored with."""
    return yuan(Money(-abs(amount.fen)))


def _label(catalog: Catalog, reason: str) -> str:
    """A saving's reason: a message key when the catalogue knows it, else a promotion's name."""
    return catalog.text(reason) if catalog.has(reason) else reason

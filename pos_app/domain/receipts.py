"""Receipt: a device-independent document built from a committed sale.

Amounts are Money (integer fen); times are aware. Labels are message keys, not text: the
renderer translates them with the store's catalogue, so the same receipt prints in Chinese or
English. Nothing here knows ESC/POS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.money import Money


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    name: str
    quantity_text: str
    """"2" for pieces, "0.532kg" for weighed goods: already in the receipt's units."""
    unit_price: Money
    amount: Money
    savings: tuple[tuple[str, Money], ...] = ()
    """(reason, amount saved) pairs shown under the line; empty when nothing was saved."""


@dataclass(frozen=True, slots=True)
class ReceiptTender:
    method: str
    """A tender kind such as "cash"; the renderer translates "tender.<method>"."""
    amount: Money


@dataclass(frozen=True, slots=True)
class Receipt:
    store_name: str
    store_address: str
    terminal_code: str
    cashier_name: str
    order_number: str
    sold_at: datetime
    time_zone: str
    lines: tuple[ReceiptLine, ...]
    item_count: int
    subtotal: Money
    savings: Money
    total: Money
    tenders: tuple[ReceiptTender, ...]
    change: Money
    footer: str = ""
    open_drawer: bool = False
    """True when a cash tender means the drawer must open with this receipt."""
    qr_text: str = ""
    """Printed as a QR code (e-receipt or member-join link) when set; keep it ASCII, ~80 bytes."""
    barcode_text: str = ""
    """Printed as a CODE128 barcode (the order number, for returns) when set; ASCII only."""
    title_key: str = "receipt.title"
    """What the paper is: a sales receipt, a refund slip, an unpaid order slip."""
    qr_hint_key: str = "receipt.qr_hint"
    """The caption printed above the QR code."""
    order_savings: tuple[tuple[str, Money], ...] = ()
    """Savings of the whole order (spend-and-save, coupons), each once, above the total:
    they are spread over the lines in the books, but the customer reads them as one."""

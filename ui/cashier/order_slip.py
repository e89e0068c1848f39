"""F7 (订单POS): the open order as a signed QR on the customer display and, with a printer, on
an order slip too, so the customer can walk to another till or pay from the paper.

Runs on the store lane: ``OrderCodeService.present`` signs the code (and publishes it for the
customer display), then the slip is handed to the printer's queue, which returns at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.i18n import Catalog
from pos_app.services.checkout import CheckoutService
from pos_app.services.order_codes import OrderCodeService, OrderCodeView
from pos_app.services.printing import PrintService
from ui.formatting import local_time


@dataclass(frozen=True, slots=True)
class PresentedOrder:
    code: OrderCodeView
    printed: bool
    """A slip went to the printer's queue (the printer reports its outcome as usual)."""

    @property
    def status_key(self) -> str:
        return "wallet.status.order_code_printed" if self.printed else \
            "wallet.status.order_code_shown"


@dataclass(frozen=True, slots=True)
class OrderSlips:
    order_codes: OrderCodeService
    printing: PrintService
    checkout: CheckoutService
    catalog: Catalog
    time_zone: str

    def present(self, cart_id: str, cashier_name: str) -> PresentedOrder:
        """Store lane: the code on the customer display, and on paper when there is a printer."""
        code = self.order_codes.present(cart_id)
        if not self.printing.has_printer:
            return PresentedOrder(code, printed=False)
        footer = self.catalog.text("wallet.order_slip.footer",
                                   time=local_time(code.expires_at, self.time_zone))
        self.printing.print_order_slip(self.checkout.current(cart_id), qr_text=code.text,
                                       cashier_name=cashier_name, footer=footer)
        return PresentedOrder(code, printed=True)

"""The open cart: lines as scanned, quantities, weighed lines, voids, suspend and resume.

Invariants: amounts are integer fen; a weighed line's quantity is in grams and its amount is
the per-kg price times the weight, rounded half up once (or the price printed on the label);
a voided line stays in the cart for the audit trail but counts for nothing. The cart records
events; the unit of work publishes them after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from pos_app.domain.catalog import Product
from pos_app.domain.ids import CartId, LineId, ProductId, new_id
from pos_app.domain.money import ZERO, Money
from pos_app.errors import UserError
from pos_app.events import CartSuspended, Event, ItemScanned, LineVoided

MAX_QUANTITY = 999
MAX_GRAMS = 100_000
MAX_LINES = 500


class CartStatus(StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class CartLine:
    id: LineId
    position: int
    product_id: ProductId
    sku: str
    name: str
    unit_price: Money
    """Per piece, or per kilogram for a weighed line."""
    quantity: int
    """Pieces; 1 for a weighed line (its weight is in ``grams``)."""
    grams: int | None
    amount: Money
    tax_rate_bp: int
    voided: bool = False
    min_age: int | None = None
    """Age limit of the product (18 for alcohol and tobacco): the cashier checks ID."""

    @property
    def weighed(self) -> bool:
        return self.grams is not None


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: Money
    savings: Money
    total: Money
    item_count: int


@dataclass(slots=True)
class Cart:
    id: CartId
    terminal_code: str
    cashier_id: str
    status: CartStatus = CartStatus.OPEN
    lines: list[CartLine] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @classmethod
    def open(cls, terminal_code: str, cashier_id: str) -> Cart:
        return cls(id=CartId(new_id()), terminal_code=terminal_code, cashier_id=cashier_id)

    def active_lines(self) -> list[CartLine]:
        return [line for line in self.lines if not line.voided]

    def add_product(self, product: Product, quantity: int = 1) -> CartLine:
        """Add pieces; a repeat scan of the last line's product adds to that line."""
        self._require_open()
        if product.weighed:
            raise UserError("cart.needs_weight", name=product.name, sku=product.sku)
        _check_quantity(quantity)
        last = self.lines[-1] if self.lines else None
        if last is not None and not last.voided and last.product_id == product.id \
                and not last.weighed:
            return self.set_quantity(last.id, last.quantity + quantity)
        return self._append(product, quantity=quantity, grams=None,
                            amount=product.list_price.times(quantity))

    def add_weighed(self, product: Product, grams: int) -> CartLine:
        self._require_open()
        if not 0 < grams <= MAX_GRAMS:
            raise UserError("cart.bad_weight", grams=grams)
        return self._append(product, quantity=1, grams=grams,
                            amount=product.list_price.per_grams(grams))

    def add_priced_label(self, product: Product, price: Money, grams: int | None) -> CartLine:
        """A scale label that carries its own price: the label's price is the line's amount."""
        self._require_open()
        if price.is_negative() or price.is_zero():
            raise UserError("cart.bad_label_price")
        return self._append(product, quantity=1, grams=grams, amount=price,
                            unit_price=price if grams is None else None)

    def set_quantity(self, line_id: LineId, quantity: int) -> CartLine:
        self._require_open()
        line = self._line(line_id)
        if line.weighed:
            raise UserError("cart.weighed_quantity", name=line.name)
        _check_quantity(quantity)
        changed = replace(line, quantity=quantity, amount=line.unit_price.times(quantity))
        self._replace(changed)
        self.events.append(ItemScanned(self.id, line.id, line.sku, line.name, changed.amount))
        return changed

    def void_line(self, line_id: LineId) -> CartLine:
        self._require_open()
        line = self._line(line_id)
        voided = replace(line, voided=True)
        self._replace(voided)
        self.events.append(LineVoided(self.id, line.id, line.sku))
        return voided

    def suspend(self) -> None:
        self._require_open()
        if not self.active_lines():
            raise UserError("cart.empty")
        self.status = CartStatus.SUSPENDED
        self.events.append(CartSuspended(self.id))

    def resume(self) -> None:
        if self.status is not CartStatus.SUSPENDED:
            raise UserError("cart.not_suspended")
        self.status = CartStatus.OPEN

    def totals(self) -> Totals:
        fen = count = 0
        for line in self.lines:
            if not line.voided:
                fen += line.amount.fen
                count += 1 if line.grams is not None else line.quantity
        subtotal = Money(fen)
        return Totals(subtotal=subtotal, savings=ZERO, total=subtotal, item_count=count)

    def take_events(self) -> list[Event]:
        taken, self.events = self.events, []
        return taken

    def _append(self, product: Product, *, quantity: int, grams: int | None,
                amount: Money, unit_price: Money | None = None) -> CartLine:
        """``unit_price`` defaults to the product's price; a price-only scale label is its own
        unit (one package at the label's price)."""
        if not product.active:
            raise UserError("catalog.inactive", name=product.name)
        if len(self.lines) >= MAX_LINES:
            raise UserError("cart.too_many_lines", limit=MAX_LINES)
        line = CartLine(
            id=LineId(new_id()), position=len(self.lines), product_id=product.id,
            sku=product.sku, name=product.name, unit_price=unit_price or product.list_price,
            quantity=quantity, grams=grams, amount=amount, tax_rate_bp=product.tax_rate_bp,
            min_age=product.min_age,
        )
        self.lines.append(line)
        self.events.append(ItemScanned(self.id, line.id, line.sku, line.name, line.amount))
        return line

    def _line(self, line_id: LineId) -> CartLine:
        for line in self.lines:
            if line.id == line_id and not line.voided:
                return line
        raise UserError("cart.no_such_line")

    def _replace(self, changed: CartLine) -> None:
        self.lines = [changed if line.id == changed.id else line for line in self.lines]

    def _require_open(self) -> None:
        if self.status is not CartStatus.OPEN:
            raise UserError("cart.not_open")


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise UserError("cart.bad_quantity", quantity=quantity, limit=MAX_QUANTITY)

"""Domain objects to the frozen snapshots in views.py.

A scan changes one line of a cart; ``LineViews`` remembers the snapshot of every unchanged
line (lines are immutable, so identity says "unchanged"), so a snapshot of a 300-line cart
costs one new line view, not 300.
"""

from __future__ import annotations

from pos_app.domain.cart import Cart, CartLine, CartStatus
from pos_app.domain.catalog import Product
from pos_app.domain.money import ZERO, Money
from pos_app.services.views import (
    CartLineView,
    CartView,
    CustomerLineView,
    CustomerView,
    ProductView,
)


class LineViews:
    """Per-line snapshot memo, owned by one service (one thread)."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple[CartLine, CartLineView, CustomerLineView]] = {}

    def of(self, line: CartLine) -> tuple[CartLineView, CustomerLineView]:
        memo = self._memo.get(line.id)
        if memo is not None and memo[0] is line:
            return memo[1], memo[2]
        cashier = CartLineView(id=line.id, sku=line.sku, name=line.name,
                               unit_price=line.unit_price, quantity=line.quantity,
                               grams=line.grams, amount=line.amount, savings=ZERO,
                               min_age=line.min_age)
        customer = CustomerLineView(name=line.name, quantity=line.quantity, grams=line.grams,
                                    amount=line.amount, savings=ZERO)
        self._memo[line.id] = (line, cashier, customer)
        return cashier, customer

    def forget(self, cart: Cart) -> None:
        for line in cart.lines:
            self._memo.pop(line.id, None)


def cart_views(cart: Cart, last_line_id: str | None, lines: LineViews | None = None,
               *, paid: Money = ZERO, change: Money = ZERO) -> tuple[CartView, CustomerView]:
    """The cashier's and the customer's snapshot of one cart, made together."""
    memo = lines or LineViews()
    pairs = [memo.of(line) for line in cart.lines if not line.voided]
    totals = cart.totals()
    cashier_lines = tuple(pair[0] for pair in pairs)
    if last_line_id is None and cashier_lines:
        last_line_id = cashier_lines[-1].id
    cashier = CartView(id=cart.id, status=cart.status.value, lines=cashier_lines,
                       subtotal=totals.subtotal, savings=totals.savings, total=totals.total,
                       item_count=totals.item_count, last_line_id=last_line_id)
    state = "scanning" if pairs else "idle"
    if cart.status is CartStatus.COMPLETED:
        state = "paid"
    customer = CustomerView(lines=tuple(pair[1] for pair in pairs), savings=totals.savings,
                            total=totals.total, item_count=totals.item_count, state=state,
                            paid=paid, change=change)
    return cashier, customer


def cart_view(cart: Cart, last_line_id: str | None) -> CartView:
    return cart_views(cart, last_line_id)[0]


def customer_view(cart: Cart, *, paid: Money = ZERO, change: Money = ZERO) -> CustomerView:
    return cart_views(cart, None, paid=paid, change=change)[1]


def product_view(product: Product) -> ProductView:
    return ProductView(sku=product.sku, name=product.name, pinyin=product.pinyin,
                       price=product.list_price, weighed=product.weighed,
                       category=product.category)

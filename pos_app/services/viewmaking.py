"""Domain objects to the frozen snapshots in views.py."""

from __future__ import annotations

from pos_app.domain.cart import Cart, CartStatus
from pos_app.domain.catalog import Product
from pos_app.domain.money import ZERO, Money
from pos_app.services.views import (
    CartLineView,
    CartView,
    CustomerLineView,
    CustomerView,
    ProductView,
)


def cart_view(cart: Cart, last_line_id: str | None) -> CartView:
    totals = cart.totals()
    lines = tuple(
        CartLineView(id=line.id, sku=line.sku, name=line.name, unit_price=line.unit_price,
                     quantity=line.quantity, grams=line.grams, amount=line.amount, savings=ZERO)
        for line in cart.active_lines())
    if last_line_id is None and lines:
        last_line_id = lines[-1].id
    return CartView(id=cart.id, status=cart.status.value, lines=lines, subtotal=totals.subtotal,
                    savings=totals.savings, total=totals.total, item_count=totals.item_count,
                    last_line_id=last_line_id)


def customer_view(cart: Cart, *, paid: Money = ZERO, change: Money = ZERO) -> CustomerView:
    totals = cart.totals()
    lines = tuple(CustomerLineView(name=line.name, quantity=line.quantity, grams=line.grams,
                                   amount=line.amount, savings=ZERO)
                  for line in cart.active_lines())
    state = "scanning" if lines else "idle"
    if cart.status is CartStatus.COMPLETED:
        state = "paid"
    return CustomerView(lines=lines, savings=totals.savings, total=totals.total,
                        item_count=totals.item_count, state=state, paid=paid, change=change)


def product_view(product: Product) -> ProductView:
    return ProductView(sku=product.sku, name=product.name, pinyin=product.pinyin,
                       price=product.list_price, weighed=product.weighed,
                       category=product.category)

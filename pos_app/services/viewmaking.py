"""Domain objects to the frozen snapshots in views.py.

A scan changes one line of a cart; ``LineViews`` remembers the snapshot of every unchanged
line (lines are immutable, so identity says "unchanged", and the line's savings compare
equal), so a snapshot of a 300-line cart costs one new line view, not 300.
"""

from __future__ import annotations

from collections import defaultdict

from pos_app.domain.cart import Cart, CartLine, CartMember, CartStatus
from pos_app.domain.catalog import Product
from pos_app.domain.money import ZERO, Money
from pos_app.domain.pricing import Adjustment, Entitlement
from pos_app.domain.savings_display import is_order_level, summed
from pos_app.services.views import (
    CartLineView,
    CartMemberView,
    CartView,
    CouponUseView,
    CustomerLineView,
    CustomerView,
    ProductView,
    SavingView,
)

Memo = tuple[CartLine, tuple[SavingView, ...], CartLineView, CustomerLineView]


class LineViews:
    """Per-line snapshot memo, owned by one service (one thread)."""

    def __init__(self) -> None:
        self._memo: dict[str, Memo] = {}

    def of(self, line: CartLine,
           reasons: tuple[SavingView, ...] = ()) -> tuple[CartLineView, CustomerLineView]:
        memo = self._memo.get(line.id)
        if memo is not None and memo[0] is line and memo[1] == reasons:
            return memo[2], memo[3]
        cashier = CartLineView(id=line.id, sku=line.sku, name=line.name,
                               unit_price=line.unit_price, quantity=line.quantity,
                               grams=line.grams, amount=line.amount, savings=line.discount,
                               min_age=line.min_age, reasons=reasons)
        customer = CustomerLineView(
            name=line.name, quantity=line.quantity, grams=line.grams, amount=line.amount,
            savings=line.discount,
            reasons=tuple(r for r in reasons if not is_order_level(r.reason)))
        self._memo[line.id] = (line, reasons, cashier, customer)
        return cashier, customer

    def forget(self, cart: Cart) -> None:
        for line in cart.lines:
            self._memo.pop(line.id, None)


def saving_view(adjustment: Adjustment) -> SavingView:
    return SavingView(reason=adjustment.reason, params=tuple(sorted(adjustment.params.items())),
                      amount=adjustment.amount, source=adjustment.source)


def _reasons_by_line(cart: Cart) -> dict[str, tuple[SavingView, ...]]:
    found: dict[str, list[SavingView]] = defaultdict(list)
    for adjustment in cart.pricing.adjustments:
        found[adjustment.line_id].append(saving_view(adjustment))
    return {line_id: tuple(views) for line_id, views in found.items()}


def order_savings(cart: Cart) -> tuple[SavingView, ...]:
    """Order-level savings (满减, money coupons), each summed over its lines."""
    views = [saving_view(a) for a in cart.pricing.adjustments if is_order_level(a.reason)]
    return tuple(SavingView(reason, params, Money(fen), source)
                 for (source, reason, params), fen in summed(
                     ((v.source, v.reason, v.params), v.amount.fen) for v in views))


def cart_views(cart: Cart, last_line_id: str | None, lines: LineViews | None = None,
               *, paid: Money = ZERO, change: Money = ZERO) -> tuple[CartView, CustomerView]:
    """The cashier's and the customer's snapshot of one cart, made together."""
    memo = lines or LineViews()
    reasons = _reasons_by_line(cart) if cart.pricing.adjustments else {}
    pairs = [memo.of(line, reasons.get(line.id, ())) for line in cart.lines if not line.voided]
    totals = cart.totals()
    cashier_lines = tuple(pair[0] for pair in pairs)
    if last_line_id is None and cashier_lines:
        last_line_id = cashier_lines[-1].id
    member = None if cart.member is None else member_view(cart.member)
    cashier = CartView(id=cart.id, status=cart.status.value, lines=cashier_lines,
                       subtotal=totals.subtotal, savings=totals.savings, total=totals.total,
                       item_count=totals.item_count, last_line_id=last_line_id,
                       member=member, coupons=coupon_views(cart),
                       entitlements=tuple(entitlement_view(e)
                                          for e in cart.pricing.entitlements))
    state = "scanning" if pairs else "idle"
    if cart.status is CartStatus.COMPLETED:
        state = "paid"
    customer = CustomerView(lines=tuple(pair[1] for pair in pairs), savings=totals.savings,
                            total=totals.total, item_count=totals.item_count, state=state,
                            paid=paid, change=change,
                            member_name="" if member is None else masked_name(member.name),
                            member_tier="" if member is None else member.tier_name,
                            member_points=None if member is None else member.points,
                            order_savings=order_savings(cart))
    return cashier, customer


def member_view(member: CartMember) -> CartMemberView:
    return CartMemberView(id=member.id, name=member.name, tier=member.tier,
                          tier_name=member.tier_name, points=member.points,
                          stored_value=member.stored_value)


def coupon_views(cart: Cart) -> tuple[CouponUseView, ...]:
    outcomes = {outcome.coupon_id: outcome for outcome in cart.pricing.coupons}
    views = []
    for coupon in cart.coupons:
        outcome = outcomes.get(coupon.id)
        refusal = None if outcome is None else outcome.refusal
        views.append(CouponUseView(
            id=coupon.id, name=coupon.name, kind=coupon.kind.value,
            saved=ZERO if outcome is None else outcome.saved,
            refusal=None if refusal is None else refusal.code,
            refusal_params=() if refusal is None else tuple(sorted(refusal.params.items()))))
    return tuple(views)


def entitlement_view(entitlement: Entitlement) -> SavingView:
    return SavingView(reason=f"entitlement.{entitlement.kind}",
                      params=tuple(sorted(entitlement.params.items())), amount=ZERO,
                      source=entitlement.coupon_id)


def masked_name(name: str) -> str:
    """The first character and stars: what a queue may read on the customer display."""
    if not name or name.startswith("*"):
        return name  # empty, or already only the phone's last digits
    return name[0] + "*" * min(len(name) - 1, 2) if len(name) > 1 else name


def cart_view(cart: Cart, last_line_id: str | None) -> CartView:
    return cart_views(cart, last_line_id)[0]


def customer_view(cart: Cart, *, paid: Money = ZERO, change: Money = ZERO) -> CustomerView:
    return cart_views(cart, None, paid=paid, change=change)[1]


def product_view(product: Product) -> ProductView:
    return ProductView(sku=product.sku, name=product.name, pinyin=product.pinyin,
                       price=product.list_price, weighed=product.weighed,
                       category=product.category)

"""CheckoutService: open or resume a cart, scan, change quantity, void, suspend, resume.

Each public method is one transaction on the store lane and returns a CartView. The open cart
is kept in memory between calls and written as a delta (a new line, a changed line, totals),
so a scan costs one product look-up and a few row writes at any catalogue size; every change
is committed before the view is returned, so a crash loses nothing that was shown.

Every change reprices the whole cart with the pricing engine (``CartPricer``) before it is
saved, so the total, each line's saving and its reason are always those of the cart as it is.
A coupon is held for the cart the moment it is presented (``UPDATE … WHERE state='issued'``
through the coupon repository), so two tills can never both take one coupon; it is given back
when it is removed, when the cart is dropped, or when the sale completes without using it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.cart import Cart, CartLine, CartStatus
from pos_app.domain.catalog import Product
from pos_app.domain.gs1 import Gs1Scan
from pos_app.domain.ids import LineId
from pos_app.domain.money import Money
from pos_app.domain.pricing import Coupon, Refusal
from pos_app.domain.scan_codes import (
    InternalCode,
    LabelLayout,
    PluCode,
    ProductCode,
    ScanCode,
    WeighedLabel,
    alternative_reading,
    classify,
)
from pos_app.errors import UserError
from pos_app.events import CustomerViewChanged
from pos_app.persistence.repositories.payment_refunds import WalletPayments
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.cart_pricing import CartPricer, load_member
from pos_app.services.viewmaking import (
    LineViews,
    cart_view,
    cart_views,
    customer_view,
    product_view,
)
from pos_app.services.views import CartView, ProductView, SuspendedCartView

log = logging.getLogger(__name__)

UowFactory = Callable[[], UnitOfWork]


class CheckoutService:
    def __init__(self, uow: UowFactory, clock: Clock, bus: EventBus, *,
                 label_layouts: Sequence[LabelLayout] = (),
                 pricer: CartPricer | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._bus = bus
        self._layouts = tuple(label_layouts)
        self._pricer = pricer or CartPricer()
        self._carts: dict[str, Cart] = {}
        self._line_views = LineViews()

    def open_cart(self, cashier_id: str) -> CartView:
        """This terminal's open cart (left by a crash or a logout), or a new one."""
        with self._uow() as uow:
            open_id = uow.carts.find_open()
            cart = uow.carts.get(open_id) if open_id else None
            if cart is None:
                cart = Cart.open(uow.site.terminal_code, cashier_id)
                uow.carts.add(cart, self._clock.now())
                uow.journal.append("cart.opened", self._clock.now(), order_id=cart.id)
            else:
                self._pricer.restore(uow, cart, self._clock.now())
                if cart.cashier_id != cashier_id:
                    before, cart = cart, _copy(cart)
                    cart.cashier_id = cashier_id
                    uow.carts.save(before, cart)
            uow.commit()
        self._carts[cart.id] = cart
        self._bus.publish(CustomerViewChanged(customer_view(cart)))
        return cart_view(cart, None)

    def scan(self, cart_id: str, text: str) -> CartView:
        now = self._clock.now()
        code = classify(text, self._layouts, current_year=now.year)
        if isinstance(code, Gs1Scan) and code.expiry is not None \
                and code.expiry.resolve(now.year) < now.date():
            raise UserError("scan.expired_goods", date=code.expiry.resolve(now.year).isoformat())
        return self._change(cart_id, "item.scanned", lambda cart, uow: self._add_scanned(
            cart, uow, code, text))

    def add_product(self, cart_id: str, sku: str, *, quantity: int = 1,
                    grams: int | None = None) -> CartView:
        """A product picked from a search or a PLU list rather than scanned."""
        def add(cart: Cart, uow: UnitOfWork) -> CartLine:
            product = uow.products.by_sku(sku)
            if product is None:
                raise UserError("catalog.unknown_sku", sku=sku)
            if product.weighed:
                if grams is None:
                    raise UserError("cart.needs_weight", name=product.name, sku=product.sku)
                return cart.add_weighed(product, grams)
            return cart.add_product(product, quantity)
        return self._change(cart_id, "item.added", add)

    def set_quantity(self, cart_id: str, line_id: str, quantity: int) -> CartView:
        return self._change(cart_id, "item.quantity",
                            lambda cart, _: cart.set_quantity(LineId(line_id), quantity))

    def void_line(self, cart_id: str, line_id: str) -> CartView:
        def void(cart: Cart, uow: UnitOfWork) -> CartLine:
            line = cart.void_line(LineId(line_id))
            uow.audit.append(self._clock.now(), actor_id=cart.cashier_id, action="line.voided",
                             subject=cart.id, details={"line": line.id, "sku": line.sku,
                                                       "amount_fen": line.amount.fen})
            return line
        return self._change(cart_id, "item.voided", void)

    def suspend(self, cart_id: str) -> CartView:
        """Park the cart and open a fresh one for the next customer."""
        cashier_id = self._load(cart_id).cashier_id
        self._change(cart_id, "cart.suspended", lambda cart, _: cart.suspend())
        self.forget(cart_id)
        return self.open_cart(cashier_id)

    def suspended_carts(self) -> list[SuspendedCartView]:
        with self._uow() as uow:
            return [SuspendedCartView(cid, at, Money(total))
                    for cid, at, total in uow.carts.suspended()]

    def resume(self, current_cart_id: str, suspended_id: str) -> CartView:
        """Bring back a suspended cart; the current cart must be empty (it is dropped)."""
        current = self._load(current_cart_id)
        if current.active_lines():
            raise UserError("cart.resume_needs_empty")
        with self._uow() as uow:
            parked = uow.carts.get(suspended_id)
            if parked is None:
                raise UserError("cart.not_suspended")
            self._pricer.restore(uow, parked, self._clock.now())
            before, cart = parked, _copy(parked)
            cart.resume()
            cart.cashier_id = current.cashier_id
            dropped = _copy(current)
            dropped.status = CartStatus.CANCELLED
            release_coupons(uow, dropped, dropped.coupons)
            uow.carts.save(current, dropped)
            uow.carts.save(before, cart)
            uow.journal.append("cart.resumed", self._clock.now(), order_id=cart.id)
            uow.commit()
        self.forget(current.id)
        self._carts[cart.id] = cart
        self._bus.publish(CustomerViewChanged(customer_view(cart)))
        return cart_view(cart, None)

    def set_member(self, cart_id: str, member_id: str) -> CartView:
        """Price the cart for this member (member prices, member offers, their coupons)."""
        def attach(cart: Cart, uow: UnitOfWork) -> None:
            member = load_member(uow, member_id)
            if member is None:
                raise UserError("member.unknown")
            cart.set_member(member)
        return self._change(cart_id, "member.identified", attach)

    def clear_member(self, cart_id: str) -> CartView:
        return self._change(cart_id, "member.cleared", lambda cart, _: cart.set_member(None))

    def add_coupon(self, cart_id: str, text: str) -> CartView:
        """Present a scanned or typed coupon code: refused with the reason, or held for this
        cart. A coupon that may still apply when more is bought (minimum spend, eligible
        goods) stays on the cart and says what is missing."""
        now = self._clock.now()

        def present(cart: Cart, uow: UnitOfWork) -> None:
            found = uow.coupons.find(text.strip())
            if isinstance(found, Refusal):
                raise found.to_error()
            if any(held.id == found.id for held in cart.coupons):
                raise UserError("coupon.already_applied")
            if not uow.coupons.redeem(found.id, cart.id, now):
                raise UserError("coupon.already_used")
            cart.add_coupon(found)
            self._pricer.reprice(uow, cart, now)
            outcome = next(o for o in cart.pricing.coupons if o.coupon_id == found.id)
            if outcome.refusal is not None and outcome.refusal.code not in _MAY_APPLY_LATER:
                raise outcome.refusal.to_error()  # rolls back the hold as well
        return self._change(cart_id, "coupon.presented", present)

    def remove_coupon(self, cart_id: str, coupon_id: str) -> CartView:
        def take_back(cart: Cart, uow: UnitOfWork) -> None:
            release_coupons(uow, cart, [cart.remove_coupon(coupon_id)])
        return self._change(cart_id, "coupon.removed", take_back)

    def search_products(self, text: str, limit: int = 50) -> list[ProductView]:
        with self._uow() as uow:
            return [product_view(p) for p in uow.products.search(text, limit)]

    def current(self, cart_id: str) -> CartView:
        return cart_view(self._load(cart_id), None)

    def forget(self, cart_id: str) -> None:
        """Drop the cached copy after the cart left the open state (paid, cancelled)."""
        cart = self._carts.pop(cart_id, None)
        if cart is not None:
            self._line_views.forget(cart)

    def _change(self, cart_id: str, kind: str,
                action: Callable[[Cart, UnitOfWork], CartLine | None]) -> CartView:
        before = self._load(cart_id)
        cart = _copy(before)
        with self._uow() as uow:
            if WalletPayments(uow.session).holds_cart(cart.id):
                # A payment runs or was taken against this total: the lines stay as they are
                # until it is final, the sale completes, or cancel_sale gives the money back.
                raise UserError("cart.payment_in_progress")
            line = action(cart, uow)
            self._pricer.reprice(uow, cart, self._clock.now())
            uow.carts.save(before, cart)
            payload = {} if line is None else {"sku": line.sku, "line": line.id,
                                               "amount_fen": line.amount.fen}
            uow.journal.append(kind, self._clock.now(), order_id=cart.id, payload=payload)
            view, shown = cart_views(cart, None if line is None else line.id, self._line_views)
            uow.record(*cart.take_events(), CustomerViewChanged(shown))
            uow.commit()
        self._carts[cart.id] = cart
        return view

    def restore(self, uow: UnitOfWork, cart: Cart) -> Cart:
        """A cart read from the database, with its member, coupons and pricing back."""
        return self._pricer.restore(uow, cart, self._clock.now())

    def _load(self, cart_id: str) -> Cart:
        cart = self._carts.get(cart_id)
        if cart is None:
            with self._uow() as uow:
                cart = uow.carts.get(cart_id)
                if cart is not None:
                    self._pricer.restore(uow, cart, self._clock.now())
            if cart is None:
                raise UserError("cart.not_found")
            self._carts[cart_id] = cart
        return cart

    def _add_scanned(self, cart: Cart, uow: UnitOfWork, code: ScanCode, text: str) -> CartLine:
        product = _look_up(uow, code)
        if product is None:
            raise UserError("scan.unknown_barcode", code=text.strip())
        if isinstance(code, WeighedLabel | Gs1Scan):
            grams = code.grams if isinstance(code, WeighedLabel) else code.net_grams
            if code.price is not None:
                return cart.add_priced_label(product, code.price, grams)
            if grams is not None:
                return cart.add_weighed(product, grams)
        return cart.add_product(product)


def _look_up(uow: UnitOfWork, code: ScanCode) -> Product | None:
    if isinstance(code, ProductCode):
        product = uow.products.by_barcode(code.gtin)
        other = alternative_reading(code) if product is None else None
        # An 8-digit code can be a valid EAN-8 and a valid UPC-E at once (scan_codes.py).
        return uow.products.by_barcode(other.gtin) if other is not None else product
    if isinstance(code, WeighedLabel):
        return uow.products.by_plu(code.plu.lstrip("0") or "0")
    if isinstance(code, PluCode):
        return uow.products.by_plu(code.plu.lstrip("0") or "0")
    if isinstance(code, InternalCode):
        return uow.products.by_barcode(code.code)
    if isinstance(code, Gs1Scan) and code.gtin is not None:
        return uow.products.by_barcode(code.gtin)
    return None


_MAY_APPLY_LATER = frozenset({"coupon.min_spend", "coupon.no_eligible_goods", "coupon.not_best",
                               "coupon.excluded_by_promotions"})
"""Refusals that more goods or a different basket can lift: the coupon stays on the cart."""


def release_coupons(uow: UnitOfWork, cart: Cart, coupons: Sequence[Coupon]) -> None:
    """Give coupons held by this cart back to the pool (a removed coupon, a dropped cart, a
    sale that completed without using them)."""
    for coupon in coupons:
        uow.coupons.release(coupon.id, cart.id)


def _copy(cart: Cart) -> Cart:
    return Cart(id=cart.id, terminal_code=cart.terminal_code, cashier_id=cart.cashier_id,
                status=cart.status, lines=list(cart.lines), member=cart.member,
                coupons=list(cart.coupons), pricing=cart.pricing)


"""MemberActions: the sale screen's member and coupon work (F10, member codes, coupons).

A scanned member code identifies the member and prices the cart for them in one store-lane
call; a scanned coupon is presented to the cart (refused with its reason, or held and shown
with what it saves or still needs); F10 opens the member dialog for a typed phone or card
number, joining, or taking the member off the sale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtWidgets import QWidget

from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.i18n import Catalog
from pos_app.services.checkout import CheckoutService
from pos_app.services.members import MemberService
from pos_app.services.views import CartView
from ui.cashier.member_dialog import MemberDialog
from ui.errors import user_message
from ui.formatting import money
from ui.widgets.status_label import Severity

T = TypeVar("T")
CartChange = Callable[[str], CartView]
AfterChange = Callable[[CartView], None]
Refused = Callable[[BaseException], None]


class SaleScreenPort(Protocol):
    """What MemberActions needs from the sale screen."""

    @property
    def cart_view(self) -> CartView | None: ...

    def change_cart(self, change: CartChange, done: AfterChange | None = None,
                    refused: Refused | None = None) -> None: ...

    def open_dialog(self, dialog: MemberDialog) -> None: ...  # type: ignore[override]

    def close_dialog(self) -> None: ...

    @property
    def cashier_id(self) -> str | None: ...

    def run(self, work: Callable[[], T], *, then: Callable[[T], None]) -> None: ...

    def say(self, key: str, severity: Severity = Severity.INFO, **params: object) -> None: ...


class MemberActions:
    def __init__(self, screen: SaleScreenPort, *, checkout: CheckoutService,
                 members: MemberService | None, catalog: Catalog) -> None:
        self._screen = screen
        self._checkout = checkout
        self._members = members
        self._catalog = catalog

    @property
    def available(self) -> bool:
        return self._members is not None

    def identify(self, text: str, dialog: MemberDialog | None = None) -> None:
        """A member code, phone or card number: find the member and price the cart for them."""
        members, checkout = self._members, self._checkout
        if members is None:
            self._screen.say("error.member.unknown", Severity.ERROR)
            return
        self._screen.change_cart(
            lambda cart_id: checkout.set_member(cart_id, members.identify(text).id),
            done=self._identified, refused=self._refused_in(dialog))

    def attach(self, member_id: str) -> None:
        """A member recognised another way (a confirmed face match): price the cart for them."""
        checkout = self._checkout
        self._screen.change_cart(lambda cart_id: checkout.set_member(cart_id, member_id),
                                 done=self._identified)

    def join(self, phone: str, dialog: MemberDialog) -> None:
        members, checkout = self._members, self._checkout
        if members is None:
            return
        self._screen.change_cart(
            lambda cart_id: checkout.set_member(cart_id, members.join(phone).id),
            done=lambda view: self._joined(view, phone), refused=self._refused_in(dialog))

    def clear(self) -> None:
        checkout = self._checkout
        self._screen.change_cart(lambda cart_id: checkout.clear_member(cart_id),
                                 done=lambda _: self._done("member.cleared"))

    def present_coupon(self, text: str) -> None:
        checkout = self._checkout
        self._screen.change_cart(lambda cart_id: checkout.add_coupon(cart_id, text),
                                 done=self._coupon_presented)

    def open_dialog(self) -> None:
        if self._members is None:
            return
        view = self._screen.cart_view
        parent = self._screen if isinstance(self._screen, QWidget) else None
        dialog = MemberDialog(catalog=self._catalog,  # the parent gives it the till's theme
                              member=None if view is None else view.member, parent=parent)
        dialog.identify_requested.connect(lambda code: self.identify(code, dialog))
        dialog.join_requested.connect(lambda phone: self.join(phone, dialog))
        dialog.clear_requested.connect(self.clear)
        dialog.coupon_chosen.connect(self._use_coupon)
        dialog.top_up_requested.connect(lambda amount: self._top_up(amount, dialog))
        self._screen.open_dialog(dialog)
        if view is not None and view.member is not None:
            members, member_id = self._members, view.member.id
            self._screen.run(lambda: members.summary(member_id), then=dialog.show_member)

    def _top_up(self, amount: Money, dialog: MemberDialog) -> None:
        """Cash top-up of the member's stored value; the cart shows the new balance."""
        view = self._screen.cart_view
        members, checkout, cashier = self._members, self._checkout, self._screen.cashier_id
        if members is None or view is None or view.member is None or cashier is None:
            return
        member_id = view.member.id

        def top_up(cart_id: str) -> CartView:
            members.top_up(member_id, amount, cashier_id=cashier)
            return checkout.set_member(cart_id, member_id)

        self._screen.change_cart(top_up, done=lambda v: self._topped_up(v, amount),
                                 refused=self._refused_in(dialog))

    def _topped_up(self, view: CartView, amount: Money) -> None:
        self._screen.close_dialog()
        balance = view.member.stored_value if view.member is not None else amount
        self._screen.say("member.topped_up", Severity.SUCCESS, amount=money(amount),
                         balance=money(balance))

    def _use_coupon(self, code: str) -> None:
        self._screen.close_dialog()
        self.present_coupon(code)

    def _identified(self, view: CartView) -> None:
        member = view.member
        self._screen.close_dialog()
        if member is not None:
            self._screen.say("member.identified", Severity.SUCCESS, name=member.name,
                             tier=member.tier_name)

    def _joined(self, view: CartView, phone: str) -> None:
        self._screen.close_dialog()
        self._screen.say("member.joined", Severity.SUCCESS, phone=phone)

    def _done(self, key: str) -> None:
        self._screen.close_dialog()
        self._screen.say(key, Severity.SUCCESS)

    def _coupon_presented(self, view: CartView) -> None:
        coupon = view.coupons[-1] if view.coupons else None
        if coupon is None:
            return
        if coupon.refusal is None:
            self._screen.say("coupon.added", Severity.SUCCESS, name=coupon.name)
            return
        why = self._catalog.text(f"error.{coupon.refusal}", **dict(coupon.refusal_params))
        self._screen.say("coupon.waiting", Severity.WARNING, name=coupon.name, why=why)

    def _refused_in(self, dialog: MemberDialog | None) -> Refused | None:
        if dialog is None:
            return None

        def refused(error: BaseException) -> None:
            unknown = isinstance(error, UserError) and error.code == "member.unknown"
            dialog.show_problem(user_message(error, self._catalog), may_join=unknown)
        return refused

"""CartPricer: the pricing engine applied to a cart inside a unit of work.

The live promotions are read once into a ``RuleIndex`` and kept until the promotions change
(``uow.promotions.version()``, one cheap query per change of the cart), so a scan evaluates
only the rules that can apply to it. A cart read back from the database (after a crash, on
resume, at the sale) gets its member and its presented coupons back through their
repositories, and is priced at the moment it was last priced: what the customer was shown is
what they pay, even if a time-window offer ended while they were paying.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from pos_app.domain.cart import Cart, CartMember
from pos_app.domain.pricing import RuleIndex, price
from pos_app.persistence.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class CartPricer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules = RuleIndex()
        self._version: int | None = None

    def rules(self, uow: UnitOfWork) -> RuleIndex:
        version = uow.promotions.version()
        with self._lock:
            if version != self._version:
                self._rules = RuleIndex(uow.promotions.live())
                self._version = version
                log.info("pricing rules loaded: %d promotions (version %d)",
                         len(self._rules), version)
            return self._rules

    def reprice(self, uow: UnitOfWork, cart: Cart, at: datetime) -> None:
        """Price the whole cart from scratch at ``at`` and keep the answer on the cart."""
        priced = price(cart.pricing_lines(), self.rules(uow), at,
                       time_zone=uow.site.time_zone, member=cart.pricing_member(),
                       coupons=cart.coupons)
        cart.apply_pricing(priced, at)

    def restore(self, uow: UnitOfWork, cart: Cart, fallback: datetime) -> Cart:
        """Bring back the member and the coupons of a stored cart, and its pricing."""
        member_id, coupon_ids = uow.carts.holder(cart.id)
        cart.member = None if member_id is None else load_member(uow, member_id)
        cart.coupons = [c for c in (uow.coupons.get(cid) for cid in coupon_ids) if c is not None]
        self.reprice(uow, cart, cart.pricing.at or fallback)
        return cart


def load_member(uow: UnitOfWork, member_id: str) -> CartMember | None:
    member = uow.members.get(member_id)
    if member is None:
        return None
    rule = uow.members.tier_rule(member.tier)
    # a member who joined at the till with only a phone number is greeted by its last digits
    name = member.name or f"*{member.phone[-4:]}"
    return CartMember(id=member.id, name=name, tier=member.tier, tier_name=rule.name,
                      pricing=member.for_pricing(rule, uow.members.promotion_uses(member.id)),
                      points=member.points, stored_value=uow.stored_value.balance(member.id))

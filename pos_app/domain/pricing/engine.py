"""price(lines, rules, at): the whole cart, recomputed from scratch, cheapest legal combination.

Deterministic and independent of scan order: lines are worked in (SKU, line id) order,
promotions in id order, coupons in id order; the result lists lines in the order given.

Base price: for a member whose tier gets member prices, a line's member price replaces its
list price before any promotion (reason ``member.price``); promotions then apply on it.

Order of application inside a combination: product coupons (gift, pickup), non-stackable
item promotions, stackable multi-buys, stackable per-unit offers, non-stackable then stackable
spend-and-save, then percent, threshold and cash coupons; within a step by priority (higher
first), then the most specific scope, then id. Which offers are in the combination is searched
(``search``, ``combine``); the result is never worse for the customer than the best single
applicable offer alone: that is checked, and the single offer used if it were better.

A cart no promotion covers and with no coupon is answered straight from its base prices
(``plain``): the same answer, without the search.

Rounding: percentages round half up once per line. An order-level saving (spend-and-save,
cash, threshold and percent coupons, a multi-buy or bundle price over its units) is split over
its lines in proportion to what each line still costs, with ``Money.allocate``: every line
gets the floor of its exact share, and the fen left over go one each to the lines with the
largest remainders, ties to the line first in (SKU, line id) order. So the parts add up to
the saving exactly, no line gets more than it costs, and scan order changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from pos_app.domain.money import Money
from pos_app.domain.pricing.adjustments import (
    PricedCart,
    PricingLine,
    PricingMember,
    Refusal,
    SourceKind,
)
from pos_app.domain.pricing.bound import Budget, SearchLimits
from pos_app.domain.pricing.combine import combine
from pos_app.domain.pricing.coupon_terms import (
    PRODUCT_KINDS,
    Coupon,
    CouponKind,
    holder_refusal,
)
from pos_app.domain.pricing.index import RuleIndex
from pos_app.domain.pricing.nodes import Planned, in_order, live_nodes
from pos_app.domain.pricing.offers import ITEM, Offer
from pos_app.domain.pricing.plain import plain_cart
from pos_app.domain.pricing.promotions import Scope
from pos_app.domain.pricing.result import assemble
from pos_app.domain.pricing.search import Node, apply_nodes
from pos_app.domain.pricing.state import Basket, State, canonical
from pos_app.domain.pricing.windows import Moment


def price(
    lines: Sequence[PricingLine],
    rules: RuleIndex,
    at: datetime,
    *,
    time_zone: str,
    member: PricingMember | None = None,
    coupons: Sequence[Coupon] = (),
    limits: SearchLimits | None = None,
) -> PricedCart:
    """Price the active lines of a cart. ``at`` is aware; ``time_zone`` is the store's zone
    (IANA name) for weekday and hour windows. Coupons are those presented; each comes back in
    ``PricedCart.coupons``, used or with the reason it was not."""
    if at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    zone = ZoneInfo(time_zone)  # an unknown zone is refused even where no window is read
    if not coupons and not len(rules):
        return plain_cart(lines, member)
    ordered = canonical(lines)
    planned = _promotion_offers(ordered, rules, member, at.astimezone(zone))
    if not planned and not coupons:  # nothing to choose: no search, no state, no result
        return plain_cart(lines, member)
    basket = Basket(ordered, member, ordered=True)
    return searched(basket, lines, planned, at, member=member, coupons=coupons, limits=limits)


def searched(
    basket: Basket,
    lines: Sequence[PricingLine],
    planned: Planned,
    at: datetime,
    *,
    member: PricingMember | None,
    coupons: Sequence[Coupon],
    limits: SearchLimits | None,
) -> PricedCart:
    """``price`` once the promotions that run for the cart are known: the coupons checked,
    the cheapest combination searched, and the answer explained."""
    coupon_lines = {coupon.id: _coupon_lines(basket, coupon) for coupon in coupons}
    accepted, refusals = _coupon_offers(basket, coupons, member, at, coupon_lines)
    products = [c for c in accepted if c.kind is not CouponKind.PARKING]
    live, saved = live_nodes(in_order(planned, products, coupon_lines), basket)
    budget = Budget(limits or SearchLimits())
    state, excluded = _best_coupon_set(basket, live, accepted, budget)
    state, single = _never_worse_than_one(basket, state, live, saved)
    for coupon_id in () if single else excluded:
        refusals[coupon_id] = Refusal("coupon.not_stackable")
    return assemble(
        basket,
        lines,
        state,
        member=member,
        coupons=coupons,
        refusals=refusals,
        coupon_lines=coupon_lines,
        exact=budget.exact,
    )


def _best_coupon_set(
    basket: Basket, live: list[Node], accepted: Sequence[Coupon], budget: Budget
) -> tuple[State, set[str]]:
    """The cheapest result over the sets of coupons that may be used together, and the
    coupons that set leaves out."""
    best: tuple[int, State, set[str]] | None = None
    for allowed in _coupon_sets(accepted):
        state = combine(basket, *_stages(live, allowed, accepted), budget)
        total = sum(state.pay)
        if best is None or total < best[0]:
            best = (total, state, {c.id for c in accepted if c.id not in allowed})
    assert best is not None
    return best[1], best[2]


def _coupon_sets(accepted: Sequence[Coupon]) -> list[set[str]]:
    """Coupons that may be used together: all that combine, or one that combines with none."""
    together = {c.id for c in accepted if c.with_coupons}
    return [together] + [{c.id} for c in accepted if not c.with_coupons]


def _stages(
    live: list[Node], allowed: set[str], accepted: Sequence[Coupon]
) -> tuple[list[Node], list[Node]]:
    """The nodes of the item stage and those of the order stage, but for the coupons not
    ``allowed``. ``live`` is in canonical order, which puts the item stage first
    (``Offer.key`` begins with the stage): the order stage's few nodes are counted from the
    end."""
    kept = live
    if any(coupon.id not in allowed for coupon in accepted):
        kept = [node for node in live if node.offer.coupon is None or node.offer.source in allowed]
    split = len(kept)
    while split and kept[split - 1].offer.stage != ITEM:
        split -= 1
    return kept[:split], kept[split:]


def _promotion_offers(
    ordered: Sequence[PricingLine], rules: RuleIndex, member: PricingMember | None, local: datetime
) -> Planned:
    """The promotions that run for the cart, in application order (``Offer.key``)."""
    if not len(rules):
        return []
    return rules.running(ordered, member, Moment.of(local))


def _coupon_offers(
    basket: Basket,
    coupons: Sequence[Coupon],
    member: PricingMember | None,
    at: datetime,
    coupon_lines: dict[str, tuple[int, ...]],
) -> tuple[list[Coupon], dict[str, Refusal]]:
    """The coupons the engine may use (in id order), and why the others may not be."""
    refusals: dict[str, Refusal] = {}
    accepted: list[Coupon] = []
    for coupon in sorted(coupons, key=lambda c: c.id):
        refusal = holder_refusal(coupon, member, at)
        if any(other.id == coupon.id for other in accepted):
            refusal = Refusal("coupon.already_applied")
        if refusal is None and not coupon_lines[coupon.id]:
            refusal = Refusal("coupon.no_eligible_goods")
        if refusal is None and coupon.kind is CouponKind.GIFT:
            refusal = _gift_min_spend(basket, coupon)
        if refusal is not None:
            refusals.setdefault(coupon.id, refusal)
            continue
        accepted.append(coupon)
    return accepted, refusals


def _coupon_lines(basket: Basket, coupon: Coupon) -> tuple[int, ...]:
    if coupon.kind in PRODUCT_KINDS:
        return tuple(i for i, sku in enumerate(basket.sku) if sku == coupon.sku)
    if coupon.kind is CouponKind.PARKING:
        return tuple(range(len(basket.lines)))
    return _scope_lines(coupon.scope, basket)


def _scope_lines(scope: Scope, basket: Basket) -> tuple[int, ...]:
    """The lines ``scope`` matches (``Scope.matches``, worked for the whole basket at once;
    a scope by category alone, the usual coupon's, tests only that)."""
    skus, categories = scope.skus, scope.categories
    exclude_skus, exclude_categories = scope.exclude_skus, scope.exclude_categories
    everything = not skus and not categories
    if everything and not exclude_skus and not exclude_categories:
        return tuple(range(len(basket.lines)))
    if not skus and not exclude_skus and not exclude_categories:
        return tuple([i for i, category in enumerate(basket.category) if category in categories])
    return tuple(
        [
            i
            for i, (sku, category) in enumerate(zip(basket.sku, basket.category, strict=True))
            if sku not in exclude_skus
            and category not in exclude_categories
            and (everything or sku in skus or category in categories)
        ]
    )


def _gift_min_spend(basket: Basket, coupon: Coupon) -> Refusal | None:
    """A gift coupon's minimum spend counts the other goods in its scope at base prices."""
    spent = sum(
        basket.amount[i]
        for i in range(len(basket.lines))
        if basket.sku[i] != coupon.sku and coupon.scope.matches(basket.sku[i], basket.category[i])
    )
    if spent >= coupon.min_spend.fen:
        return None
    missing = coupon.min_spend.fen - spent
    return Refusal("coupon.min_spend", {"missing": Money(missing).yuan_text()})


def _never_worse_than_one(
    basket: Basket, state: State, live: Sequence[Node], saved: dict[Offer, int]
) -> tuple[State, bool]:
    """Guarantee: the chosen combination saves at least what the best single offer saves
    (True when that single offer replaced the combination). ``saved``: what each offer saves
    alone, summed over its nodes (no node saves less than nothing, so an offer saves
    something exactly when one of its nodes is live)."""
    alone: dict[tuple[SourceKind, str], int] = {}
    for offer, saving in saved.items():
        if saving > 0:
            key = (offer.kind, offer.source)
            alone[key] = alone.get(key, 0) + saving
    if not alone:
        return state, False
    best = min(alone, key=lambda key: (-alone[key], key))
    if alone[best] <= sum(basket.amount) - sum(state.pay):
        return state, False
    single = State(basket)
    apply_nodes(
        [node for node in live if (node.offer.kind, node.offer.source) == best], basket, single
    )
    return single, True

"""Offers as search nodes, with what each saves alone at base prices. Internal to the
pricing package; ``engine`` calls it once per pricing call.

A per-unit, uncapped offer is one node per line (chosen line by line); any other offer is one
node over its lines. Only nodes that save something alone are kept ("live"); ids are handed
out in application order to every node, kept or not (``search.CANONICAL`` relies on it).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Sequence
from dataclasses import fields

from pos_app.domain.pricing.coupon_terms import Coupon
from pos_app.domain.pricing.offers import ITEM, PERCENT_RULE, Offer, coupon_offer
from pos_app.domain.pricing.order_level import at, order_saving
from pos_app.domain.pricing.rewards import apply, unit_savings
from pos_app.domain.pricing.search import Node
from pos_app.domain.pricing.state import Basket, State

Planned = list[tuple[Offer, tuple[int, ...]]]
"""Offers with the canonical indices of the lines they may apply to."""

_NODE_FIELDS = ("id", "offer", "lines", "alone")
if tuple(field.name for field in fields(Node)) != _NODE_FIELDS:
    raise TypeError("search.Node's fields changed: review nodes._per_line")


def _key(item: tuple[Offer, tuple[int, ...]]) -> tuple[int, int, int, int, str]:
    return item[0].key


def in_order(
    planned: Planned, products: Sequence[Coupon], coupon_lines: dict[str, tuple[int, ...]]
) -> Planned:
    """The promotions (in application order already) and the offers of the coupons
    ``products`` (all accepted but parking), in application order: each coupon goes after
    the offers whose key is not greater than its own, where a stable sort of the promotions
    followed by the coupons would put it."""
    ordered = list(planned)
    for coupon in products:
        insort(ordered, (coupon_offer(coupon), coupon_lines[coupon.id]), key=_key)
    return ordered


def live_nodes(planned: Planned, basket: Basket) -> tuple[list[Node], dict[Offer, int]]:
    """The nodes that save something alone at base prices, in canonical order (``planned``
    is in application order), each with that saving; and what each offer saves alone on all
    its lines. Ids are handed out in that order to every node, also to those left out for
    saving nothing (``search.CANONICAL`` relies on the order)."""
    live: list[Node] = []
    saved: dict[Offer, int] = {}
    fresh = _Fresh(basket)
    start = 0
    for offer, lines in planned:
        if offer.splittable:
            saving = _per_line(start, offer, lines, basket, live)
            start += len(lines)
        else:
            saving = fresh.saving(offer, lines)
            if saving > 0:
                live.append(Node(start, offer, lines, saving))
            start += 1
        saved[offer] = saved.get(offer, 0) + saving
    return live, saved


def _per_line(
    start: int, offer: Offer, lines: tuple[int, ...], basket: Basket, live: list[Node]
) -> int:
    """A per-line offer's nodes (ids from ``start``, one per line) that save something at
    base prices, added to ``live``; returns what they save in all.

    For a whole-percent offer (the usual case) the saving is ``unit_savings``' without its
    clamps, which cannot bind: at most 100 % (10,000 hundredths) of a base amount, which is
    not negative, rounds to between nothing and that amount; it is worked in the loop that
    makes the nodes. Most nodes of a big cart are made here, so they are made without
    ``Node.__init__`` (a Python call that costs more than filling the four fields one by
    one; ``_NODE_FIELDS`` checks that four is all there are)."""
    rule, number = offer.unit_rule
    percent = rule == PERCENT_RULE
    savings = [] if percent else unit_savings(offer, lines, basket)
    amount, new = basket.amount, Node.__new__
    total = 0
    for n, i in enumerate(lines):
        saving = (amount[i] * number + 5_000) // 10_000 if percent else savings[n]
        if saving > 0:
            node = new(Node)
            node.id = start + n
            node.offer = offer
            node.lines = (i,)
            node.alone = saving
            live.append(node)
            total += saving
    return total


class _Fresh:
    """The saving alone at base prices of an offer that is not per-line: an order-level one
    by formula, an item one applied to a fresh state (made when first needed) and taken back.

    At base prices an order-level offer may use each of its lines that costs something (no
    line is promoted, touched, closed or in a group yet), and what it reads and splits by is
    the base amount: its saving alone is ``order_saving`` of the base amount of its lines
    (those costing nothing add nothing), what ``order_alone`` works out on a fresh state.
    An item offer changes only its own lines, so putting those back (``State.reset``) and
    dropping what it booked leaves the state fresh again, as a snapshot restored would."""

    __slots__ = ("basket", "state")

    def __init__(self, basket: Basket) -> None:
        self.basket = basket
        self.state: State | None = None

    def saving(self, offer: Offer, lines: tuple[int, ...]) -> int:
        basket = self.basket
        if offer.stage != ITEM:
            return order_saving(offer, sum(at(basket.amount, lines)))[0]
        state = self.state = self.state or State(basket)
        saving = apply(offer, lines, basket, state)
        state.reset(basket, lines)
        state.entries.clear()
        state.apps.clear()
        return saving

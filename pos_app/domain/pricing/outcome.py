"""The item stage as solved, as the repair reads it (``Outcome``): which item nodes saved what
on which line, which multi-line nodes took lines without saving there, and what each line
adds to the base of an order-level offer of each sort. Made once per pricing call, after the
item stage (``combine``); ``repair`` proposes from it which item offers to drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pos_app.domain.pricing.offers import Offer
from pos_app.domain.pricing.order_level import Plan, saving
from pos_app.domain.pricing.search import Node
from pos_app.domain.pricing.state import Basket, State

UNHELD = 1 << 62
"""``Outcome.held_cost`` of a line no item node saved on."""


@dataclass(slots=True)
class Outcome:
    """The item stage as solved: which item nodes saved what on which line, and (``base_of``)
    what each line adds to the base of an order-level offer of each sort."""

    saved_by: dict[int, int]
    """Item node id -> what it saved."""
    savers: dict[int, list[int]]
    """Line -> ids of the item nodes that saved on it (each once)."""
    held_cost: list[int]
    """Per line: what the item nodes that saved on it saved in all (``UNHELD`` where none
    did, more than any saving: the cheapest of some lines is ``UNHELD`` when none is held)."""
    amount: list[int]
    """The basket's base amount per line."""
    takers: dict[int, set[int]]
    """Line -> ids of multi-line item nodes that took its units or marked their exclusivity
    group on it without saving there (the dear item of a "second item half price" pair)."""
    state: State
    """The item stage's state (a copy): which lines an order-level offer may use now."""
    solved: State | None = None
    """The first solve's state once the order stage ran on it (``solved_from``: its first
    entry made by the order stage)."""
    solved_from: int = 0
    pending: Plan | None = None
    """The first solve's last order-level node, planned on ``solved`` but not spread yet."""
    _order_saved: dict[int, int] | None = None
    _bases: dict[tuple[bool, bool], list[int]] = field(default_factory=dict)
    _tops: dict[tuple[bool, bool], list[int]] = field(default_factory=dict)

    def order_saved(self, offer: Offer) -> int:
        """What an order-level offer saved in the first solve."""
        if self._order_saved is None:
            saved: dict[int, int] = {}
            if self.solved is not None:
                apps = self.solved.apps
                for _, fen, app in self.solved.entries[self.solved_from :]:
                    key = id(apps[app].offer)
                    saved[key] = saved.get(key, 0) + fen
            if self.pending is not None:
                key = id(self.pending[0])
                saved[key] = saved.get(key, 0) + saving(self.pending)
            self._order_saved = saved
        return self._order_saved.get(id(offer), 0)

    @classmethod
    def after_items(cls, state: State, basket: Basket, item_nodes: Sequence[Node]) -> Outcome:
        """Record the item stage (``state``: a copy is kept). (Where each node has one entry,
        the usual case, a line's cost is the sum of its entries.)"""
        node_of = _node_of(item_nodes)
        apps = state.apps
        saved_by: dict[int, int] = {}
        savers: dict[int, list[int]] = {}
        held_cost = [UNHELD] * len(basket.lines)
        for i, fen, app in state.entries:
            node_id = node_of[apps[app][0], i]
            saved_by[node_id] = fen
            if held_cost[i] == UNHELD:  # the first entry on the line
                savers[i] = [node_id]
                held_cost[i] = fen
            else:
                savers[i].append(node_id)
                held_cost[i] += fen
        if len(saved_by) < len(state.entries):  # some node has more than one entry
            saved_by = {}
            for i, fen, app in state.entries:
                node_id = node_of[apps[app][0], i]
                saved_by[node_id] = saved_by.get(node_id, 0) + fen
            for i, found in savers.items():
                found[:] = dict.fromkeys(found)
                held_cost[i] = sum(map(saved_by.__getitem__, found))
        takers = _takers(state, basket, item_nodes, {app[0] for app in apps})
        return cls(saved_by, savers, held_cost, basket.amount, takers, state.copy())

    def base_of(self, offer: Offer) -> list[int]:
        """Per line base after the item stage for an offer of this sort (made when first
        asked for)."""
        key = (offer.promotion is not None, excluding(offer))
        found = self._bases.get(key)
        if found is None:
            state = self.state
            left = state.fnet if key[0] else state.pay
            if key[1]:
                marked = state.touched if key[0] else state.promoted
                left = [0 if m else f for f, m in zip(left, marked, strict=True)]
            found = self._bases[key] = left
        return found

    def top_of(self, offer: Offer) -> list[int]:
        """``base_of`` with every line some item node saved on at its base amount: what the
        offer's lines would add with every holder dropped."""
        key = (offer.promotion is not None, excluding(offer))
        found = self._tops.get(key)
        if found is None:
            found = self._tops[key] = list(self.base_of(offer))
            amount = self.amount
            for i in self.savers:
                found[i] = amount[i]
        return found


def _node_of(item_nodes: Sequence[Node]) -> dict[tuple[Offer, int], int]:
    """(offer, line) -> the item node applying the offer there, to tell which node saved
    what: a splittable offer has a node per line, any other one node over all its lines.
    (Keyed by first line in one pass, the lines after it added for the few nodes with
    more: cheaper than a key for every line of every node.)"""
    node_of = {(node.offer, node.lines[0]): node.id for node in item_nodes}
    for node in item_nodes:
        if len(node.lines) > 1:
            offer, node_id = node.offer, node.id
            for i in node.lines[1:]:
                node_of[offer, i] = node_id
    return node_of


def _takers(
    state: State, basket: Basket, item_nodes: Sequence[Node], applied: set[Offer]
) -> dict[int, set[int]]:
    """Line -> the multi-line item nodes applied that can have marked it without saving on
    it: taken its units (a non-stackable one), grouped them (a stackable multi-buy), marked
    their exclusivity group, or touched it as a promotion (the dear item of a pair)."""
    free, grouped, groups, units = state.free, state.grouped, state.groups, basket.units
    touched = state.touched
    takers: dict[int, set[int]] = {}
    for node in item_nodes:
        offer = node.offer
        if offer.splittable or offer not in applied:
            continue
        group, promotion = offer.group, offer.promotion is not None
        for i in node.lines:
            if (
                (offer.claims and free[i] < units[i])
                or (offer.grouping and grouped[i])
                or (group is not None and group in groups[i])
                or (promotion and touched[i])
            ):
                takers.setdefault(i, set()).add(node.id)
    return takers


def excluding(offer: Offer) -> bool:
    """Wants goods no promotion touched."""
    if offer.coupon is not None:
        return not offer.coupon.with_promotions
    return not offer.stackable

"""The two stages together, and the repair that weighs one against the other.

Item stage first (shelf promotions and product coupons), then the order stage
(spend-and-save, then money coupons: percent, threshold, cash) on what is left to pay; each
stage is searched as described in ``search``. The stages meet where an item discount lowers
an order-level offer's base below a threshold (满100减20 lost because a line got 10 % off),
where an order-level offer wants goods no promotion touched, where both share an
exclusivity group, or where an item offer took units an order-level offer needed. For those
``repair`` proposes sets of item offers to drop, best estimated gain first, and each is
re-solved (the item stage is patched, not redone: only the clusters that lost an offer are
searched again) and the cheapest result kept. A large cart re-solves the best
``MAX_RESOLVES`` proposal with the first solve's order-stage choice (measured on generated
200-line carts, the first proposal captured every gain that more re-solves found). A cart
of up to ``SMALL_CART`` lines is repaired thoroughly: up to ``SMALL_RESOLVES`` proposals,
then each item offer alone that holds such an order-level offer down, each with the order
stage searched again as well; these extra re-solves have a search budget of their own, so
they never starve the rest of the pricing call.

``PricedCart.exact`` is False as soon as some order-level offer could save more if item
offers were dropped (``repair``), whether or not a re-solve found the better answer: the
stages solved apart prove nothing about those combinations. Where no offer could, the
stages' own exact searches are exact for the whole cart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from pos_app.domain.pricing.bound import Budget
from pos_app.domain.pricing.order_level import (
    Plan,
    apply_plan,
    at,
    order_alone,
    order_plan,
    saving,
)
from pos_app.domain.pricing.outcome import Outcome
from pos_app.domain.pricing.repair import repair_plans, tier
from pos_app.domain.pricing.search import (
    CANONICAL,
    Memo,
    Node,
    apply_nodes,
    clusters,
    item_clash,
    solve_cluster,
    solve_clusters,
    solve_stage,
)
from pos_app.domain.pricing.state import Basket, State

MAX_RESOLVES = 1
SMALL_CART = 40
SMALL_RESOLVES = 6
"""A cart of up to ``SMALL_CART`` lines re-solves up to ``SMALL_RESOLVES`` proposals, each
with the order stage searched again (cheap at that size)."""


def _item_clash(a: Node, b: Node) -> bool:
    return item_clash(a.offer, b.offer)


@dataclass(slots=True)
class ItemStage:
    """The item stage solved once per pricing call; a repair patches it."""

    basket: Basket
    budget: Budget
    first: State
    clusters: list[list[Node]]
    cluster_of: dict[int, int]
    memo: Memo

    @classmethod
    def solve(cls, basket: Basket, nodes: Sequence[Node], budget: Budget) -> ItemStage:
        ordered = sorted(nodes, key=CANONICAL)
        groups = clusters(len(basket.lines), ordered)
        cluster_of = {node.id: k for k, members in enumerate(groups) for node in members}
        memo: Memo = {}
        state = State(basket)
        solve_clusters(basket, groups, state, budget, _item_clash, memo)
        return cls(basket, budget, state, groups, cluster_of, memo)

    def without(self, dropped: frozenset[int], budget: Budget | None = None) -> State:
        """The item stage as if the nodes in ``dropped`` did not exist (re-solved within
        ``budget``, by default the stage's own)."""
        first = self.first
        state = first.copy()
        if not dropped:
            return state
        affected = {self.cluster_of[k] for k in dropped}
        lines = {i for k in affected for node in self.clusters[k] for i in node.lines}
        state.reset(self.basket, lines)
        state.entries, state.apps = [], []
        renumber: dict[int, int] = {}
        for i, fen, app in first.entries:
            if i not in lines:
                if app not in renumber:
                    renumber[app] = len(state.apps)
                    state.apps.append(first.apps[app])
                state.entries.append((i, fen, renumber[app]))
        nodes = [n for k in sorted(affected) for n in self.clusters[k] if n.id not in dropped]
        solve_stage(self.basket, nodes, state, budget or self.budget, _item_clash, self.memo)
        return state


def combine(
    basket: Basket, item_nodes: Sequence[Node], order_nodes: Sequence[Node], budget: Budget
) -> State:
    items = ItemStage.solve(basket, item_nodes, budget)
    state = items.without(frozenset())
    first = Outcome.after_items(state, basket, item_nodes)
    first.solved, first.solved_from = state, len(state.entries)
    left_out, pending = _order_stage(basket, _live(order_nodes, state), state, budget)
    first.pending = pending
    best, best_total = state, sum(state.pay) - _saving(pending)
    kept = sorted(
        (node for node in order_nodes if node.id not in left_out),
        key=CANONICAL,
    )
    small = len(basket.lines) <= SMALL_CART
    count = SMALL_RESOLVES if small else MAX_RESOLVES
    plans, possible = repair_plans(basket, first, order_nodes, item_nodes, count, thorough=small)
    if possible:  # the stages solved apart prove nothing about dropping item offers
        budget.exact = False
    side = Budget(budget.limits)  # the extra re-solves never starve what comes after
    for n, plan in enumerate(plans):
        within = side if n else budget
        again = items.without(plan, within)
        searched = again.copy() if small else None
        total = _order_total_below(kept, basket, again, best_total)
        if searched is not None:  # a small cart: the order stage searched again too
            last = _order_stage(basket, _live(order_nodes, searched), searched, side)[1]
            searched_total = sum(searched.pay) - _saving(last)
            if searched_total < (best_total if total is None else total):
                _spread_last(last, searched)
                again, total = searched, searched_total
        if total is not None:
            best, best_total = again, total
    if not side.exact:
        budget.exact = False
    if best is state:
        _spread_last(pending, state)
    return best


def _saving(last: Plan | None) -> int:
    return 0 if last is None else saving(last)


def _spread_last(last: Plan | None, state: State) -> None:
    """Spread the order stage's last node, planned on ``state`` as it is now
    (``_order_stage``), once its result is the one kept."""
    if last is not None:
        apply_plan(last, state)


def _order_total_below(
    ordered: Sequence[Node], basket: Basket, state: State, bar: int
) -> int | None:
    """Apply the order-level nodes in order and return the total, when it is below ``bar``
    (else None, with ``state`` left part-way). A node saving nothing changes nothing, and
    one that saves nothing after the item stage saves nothing after other order-level
    offers either (they only lower what is left and close lines), so no node is skipped
    here that the first solve kept out for saving nothing. The last node is totalled before
    it is spread, and spread only if the total is below ``bar``."""
    if not ordered:
        total = sum(state.pay)
        return total if total < bar else None
    apply_nodes(ordered[:-1], basket, state)
    last = ordered[-1]
    plan = order_plan(last.offer, last.lines, state)
    total = sum(state.pay) - saving(plan)
    if total >= bar:
        return None
    apply_plan(plan, state)
    return total


def _live(order_nodes: Sequence[Node], state: State) -> list[Node]:
    """The order-level nodes that save something after the item stage, in order, with that
    saving as their stand-alone saving."""
    live = []
    for node in order_nodes:
        saving = order_alone(node.offer, node.lines, state)
        if saving > 0:
            live.append(Node(node.id, node.offer, node.lines, saving))
    return sorted(live, key=CANONICAL)


def _order_stage(
    basket: Basket, ordered: list[Node], state: State, budget: Budget
) -> tuple[set[int], Plan | None]:
    """Few offers over many lines: one cluster, clashes found pair by pair. Returns the ids
    of the offers the search left out, and the plan of the last node, which is not applied
    yet (``_spread_last``): a result the repair beats never needs it spread."""
    relevant = threshold_pairs(ordered, state)
    lines = [frozenset(node.lines) for node in ordered]
    searched: set[int] = set()
    for (a, la), (b, lb) in combinations(zip(ordered, lines, strict=True), 2):
        if not la.isdisjoint(lb) and order_clash(a, b, relevant):
            searched.update((a.id, b.id))
    if not searched:
        if not ordered:
            return set(), None
        apply_nodes(ordered[:-1], basket, state)
        last = ordered[-1]
        return set(), order_plan(last.offer, last.lines, state)
    result, chosen, plan = solve_cluster(
        ordered, [n for n in ordered if n.id in searched], basket, state, budget
    )
    state.replay(result)
    return searched - chosen, plan


def order_clash(a: Node, b: Node, relevant: set[tuple[int, int]]) -> bool:
    """Order-level offers that share lines and can hurt each other: one exclusivity group;
    a non-stackable spend-and-save after another promotion (it loses the touched lines); a
    coupon that refuses promotions; a threshold an earlier offer can make them miss."""
    if a.offer.key > b.offer.key:
        a, b = b, a
    x, y = a.offer, b.offer
    if x.group is not None and x.group == y.group:
        return True
    if x.promotion is not None and y.promotion is not None and not y.stackable:
        return True
    for coupon_side, other in ((x, y), (y, x)):
        coupon = coupon_side.coupon
        if coupon is not None and not coupon.with_promotions and other.promotion is not None:
            return True
    return (a.id, b.id) in relevant


def threshold_pairs(nodes: Sequence[Node], state: State) -> set[tuple[int, int]]:
    """(earlier, later) node ids where the earlier one could make the later miss a threshold:
    a coupon reads what is left to pay, so any earlier saving counts; a spend-and-save reads
    the amount after the item stage and loses only lines an earlier non-stackable one
    closes. ``nodes`` are in application order (canonical), so the earlier ones are those
    before."""
    pairs: set[tuple[int, int]] = set()
    for k, node in enumerate(nodes):
        offer = node.offer
        if not offer.thresholds:
            continue
        promotion = offer.promotion is not None
        lines: set[int] | None = None
        earlier: list[Node] = []
        for other in nodes[:k]:
            if promotion and (other.offer.promotion is None or other.offer.stackable):
                continue  # only a non-stackable spend-and-save closes lines
            if lines is None:
                lines = set(node.lines)
            if not lines.isdisjoint(other.lines):
                earlier.append(other)
        if not earlier:
            continue
        assert lines is not None
        if promotion:
            spend_base, closed = state.spend_base, state.closed
            high = sum(spend_base[i] for i in node.lines if not closed[i])
            low = high - sum(
                spend_base[i] for other in earlier for i in lines.intersection(other.lines)
            )
        else:
            high = sum(at(state.pay, node.lines))
            low = high - sum(other.alone for other in earlier)
        if tier(offer, low) != tier(offer, high):
            pairs.update((other.id, node.id) for other in earlier)
    return pairs

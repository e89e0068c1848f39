"""Choosing which offers to combine: the cheapest legal combination for the customer.

Offers become *nodes*: a per-unit, uncapped promotion (its effect on a line depends on that
line only) is one node per line, so it is chosen line by line; any other offer is one node
over all its lines. Nodes that can hurt each other *clash*: they share a line and (item
stage) one is non-stackable, both are multi-buys competing for units, they share an
exclusivity group, or one is a product coupon; (order stage) one is a non-stackable
spend-and-save, a coupon refuses promotions, or an earlier offer can push a later one across a
threshold. A node with no clash always applies. Lines joined by a multi-line node form a
cluster; clusters are independent and each is searched on its own. (The order stage, a few
offers over many lines, is one cluster.) Two per-line nodes on one line that clash are never
both included: the first applied would take the line, so the pair prices as that one alone.

Within a cluster: depth-first branch and bound (``bound``) over the clashing nodes, largest
stand-alone saving first, "include" before "exclude". A node's saving inside any combination
is at most its stand-alone saving, so a branch whose optimistic total (what is left minus the
stand-alone savings still possible) cannot beat the best found is cut. If the search completes, the
result is exact. Above ``SearchLimits`` (evaluated combinations per cluster and per cart) the
search stops and keeps the best combination found so far: the first one evaluated is "every
clashing node in", and the engine separately guarantees the result is never worse than any
single offer alone. Ties keep the first combination found, so results are deterministic.
Each combination (leaf) is evaluated by ``leaves.Leaves``, which reuses work between leaves
without changing what any leaf totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, combinations
from operator import attrgetter

from pos_app.domain.pricing.bound import BranchAndBound, Budget
from pos_app.domain.pricing.leaves import Leaves, Narrow
from pos_app.domain.pricing.offers import Offer
from pos_app.domain.pricing.order_level import Plan, apply_plan
from pos_app.domain.pricing.rewards import apply
from pos_app.domain.pricing.state import Basket, Result, State


@dataclass(slots=True, eq=False)
class Node:
    id: int
    """Unique within one pricing call, and given in application order (offer key, then the
    offer's lines), so it orders nodes canonically."""
    offer: Offer
    lines: tuple[int, ...]
    alone: int = 0
    """Saving when applied alone on the state the stage starts from."""


CANONICAL = attrgetter("id")
"""Sort key of nodes in application order (offer key, then node id): ids are handed out in
that order (``nodes.live_nodes``), so the id alone sorts them."""
_OFFER = attrgetter("offer")
_LINES = attrgetter("lines")
_ALONE = attrgetter("alone")
_SPLITTABLE = attrgetter("splittable")


def apply_nodes(nodes: Sequence[Node], basket: Basket, state: State) -> int:
    """Apply ``nodes`` in order; consecutive per-line nodes of one offer go in one call."""
    saved, k = 0, 0
    while k < len(nodes):
        offer, lines, k = nodes[k].offer, nodes[k].lines, k + 1
        if offer.splittable:
            merged = list(lines)
            while k < len(nodes) and nodes[k].offer is offer:
                merged += nodes[k].lines
                k += 1
            lines = tuple(merged)
        saved += apply(offer, lines, basket, state)
    return saved


def alone_savings(nodes: Sequence[Node], basket: Basket, state: State) -> list[int]:
    """Each node's saving applied alone on ``state``, which is left as it was."""
    savings = []
    for node in nodes:
        snapshot = state.snapshot(node.lines)
        savings.append(apply(node.offer, node.lines, basket, state))
        state.restore(node.lines, snapshot)
    return savings


def item_clash(x: Offer, y: Offer) -> bool:
    if x.group is not None and x.group == y.group:
        return True
    if x.coupon is not None or y.coupon is not None or not x.stackable or not y.stackable:
        return True
    return x.grouping and y.grouping


def clashing(cluster: Sequence[Node], clash: Callable[[Node, Node], bool]) -> set[int]:
    """Ids of the nodes of one cluster (``clusters``) that clash with another node on a
    line they share. The nodes of a cluster are joined by shared lines, so two nodes share
    one, and so does every pair of single-line nodes (they are all on one line)."""
    if len(cluster) == 2:  # the usual case: one pair
        a, b = cluster
        return {a.id, b.id} if clash(a, b) else set()
    if all(len(node.lines) == 1 for node in cluster):
        pairs: Iterable[tuple[Node, Node]] = combinations(cluster, 2)
    else:
        pairs = _meeting(cluster)
    found: set[int] = set()
    for a, b in pairs:
        if a.id in found and b.id in found:
            continue
        if clash(a, b):
            found.add(a.id)
            found.add(b.id)
    return found


def _meeting(ordered: Sequence[Node]) -> set[tuple[Node, Node]]:
    """The pairs of nodes that share a line, each once."""
    on_line: dict[int, list[Node]] = {}
    for node in ordered:
        for i in node.lines:
            on_line.setdefault(i, []).append(node)
    return {pair for nodes in on_line.values() for pair in combinations(nodes, 2)}


def clusters(count: int, ordered: Sequence[Node]) -> list[list[Node]]:
    """Nodes grouped by the lines they join (union-find over lines), in canonical order."""
    parent = list(range(count))
    for node in ordered:
        lines = node.lines
        if len(lines) > 1:  # most nodes are one line's, and join nothing
            for i in lines[1:]:
                ra, rb = _root(parent, lines[0]), _root(parent, i)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[Node]] = {}
    for node in ordered:
        root = node.lines[0]
        if parent[root] != root:
            root = _root(parent, root)
        members = groups.get(root)
        if members is None:
            groups[root] = [node]
        else:
            members.append(node)
    return list(groups.values())


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


Memo = dict[tuple[int, ...], tuple[Result, Plan | None]]


def solve_stage(
    basket: Basket,
    nodes: Sequence[Node],
    state: State,
    budget: Budget,
    clash: Callable[[Node, Node], bool],
    memo: Memo | None,
) -> None:
    """Choose and apply one stage's nodes into ``state``, cluster by cluster.

    ``memo`` (cluster node ids -> its result) is only valid while the state the stage starts
    from is the same, as it is for the item stage within one pricing call.
    """
    ordered = sorted(nodes, key=CANONICAL)
    groups = clusters(len(basket.lines), ordered)
    solve_clusters(basket, groups, state, budget, clash, memo)


def solve_clusters(
    basket: Basket,
    groups: Sequence[Sequence[Node]],
    state: State,
    budget: Budget,
    clash: Callable[[Node, Node], bool],
    memo: Memo | None,
) -> None:
    """``solve_stage`` on the stage's nodes already grouped by ``clusters``. Nodes that
    share a line are in one cluster, so clashes are found cluster by cluster."""
    plain: list[Node] = []
    for members in groups:
        found = clashing(members, clash) if len(members) > 1 else None
        if not found:
            plain += members
            continue
        one = _one_of(members) if len(found) == len(members) else None
        if one is not None:
            budget.used += 1  # the one leaf the search would have evaluated first
            apply(one.offer, one.lines, basket, state)
            continue
        key = tuple(map(CANONICAL, members))
        solved = memo.get(key) if memo is not None else None
        if solved is None:
            searched = [node for node in members if node.id in found]
            result, _, last = solve_cluster(members, searched, basket, state, budget)
            solved = (result, last)
            if memo is not None:
                memo[key] = solved
        state.replay(solved[0])
        if solved[1] is not None:
            apply_plan(solved[1], state)
    apply_nodes(sorted(plain, key=CANONICAL), basket, state)


def _one_of(members: Sequence[Node]) -> Node | None:
    """The answer for a cluster of per-line nodes (all on its one line) every two of which
    clash, without a search: the search would include at most one of them (``_exclusive``),
    a leaf of one node saves that node's ``alone`` (the line is as the stage started), and
    its first leaf is the node with the largest ``alone``, the earliest of a tie, which no
    later leaf beats. None for any other cluster (searched as usual)."""
    if not all(map(_SPLITTABLE, map(_OFFER, members))):
        return None
    if not all(item_clash(a.offer, b.offer) for a, b in combinations(members, 2)):
        return None
    best = members[0]
    for node in members:
        if node.alone > best.alone:
            best = node
    return best


def solve_cluster(
    nodes: Sequence[Node], searched: Sequence[Node], basket: Basket, state: State, budget: Budget
) -> tuple[Result, set[int], Plan | None]:
    """The cluster's best result, the ids of the searched nodes in it, and the plan of its
    deferred last node (``leaves.Leaves``), if it has one, which the result does not include:
    replay the result, then ``apply_plan`` it. ``state`` is left as it was. ``nodes`` are in
    application order; those before the first searched one are applied once for all leaves."""
    lines = sorted(set(chain.from_iterable(map(_LINES, nodes))))
    snapshot = state.snapshot(lines)
    start = sum(map(state.pay.__getitem__, lines))
    position = dict(zip(map(CANONICAL, searched), range(len(searched)), strict=True))
    first = next(k for k, node in enumerate(nodes) if node.id in position)
    if first:
        apply_nodes(nodes[:first], basket, state)  # before any choice: the same in every leaf
    rest = nodes[first:]
    kind = Narrow if Narrow.fits(rest, lines) else Leaves
    leaves = kind(rest, position, basket, state, lines, snapshot if not first else None)
    best: list[tuple[int, Result, Plan | None]] = []
    pay = state.pay

    def evaluate(mask: list[bool]) -> int:
        """The leaf's total; the best so far is captured (the first of equal totals, as
        ``BranchAndBound`` keeps: its best mask is this leaf's)."""
        deferred = leaves.apply(mask)
        total = sum(map(pay.__getitem__, lines)) - deferred
        if not best or total < best[0][0]:
            best[:] = [(total, state.capture(lines, snapshot), leaves.plan)]
        leaves.reset()
        return total

    alone = list(map(_ALONE, searched))
    fixed = sum(map(_ALONE, nodes)) - sum(alone)  # the nodes applied in every leaf
    mask = BranchAndBound(alone, start - fixed, evaluate, budget, _exclusive(searched)).run()
    if first:  # else each leaf already put the state back as it was
        state.restore(lines, snapshot)
    chosen = {node.id for node, keep in zip(searched, mask, strict=True) if keep}
    return best[0][1], chosen, best[0][2]


def _exclusive(searched: Sequence[Node]) -> list[set[int]]:
    """Pairs never worth including together: two per-line nodes on the same line that clash.
    The one applied first takes the line (all its free units, or its group), so the pair
    prices the same as that one alone."""
    partners: list[set[int]] = [set() for _ in searched]
    by_line: dict[int, list[int]] = {}
    for k, node in enumerate(searched):
        if node.offer.splittable:
            by_line.setdefault(node.lines[0], []).append(k)
    for ids in by_line.values():
        for a, b in combinations(ids, 2):
            if item_clash(searched[a].offer, searched[b].offer):
                partners[a].add(b)
                partners[b].add(a)
    return partners

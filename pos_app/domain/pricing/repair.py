"""Repair proposals: which item offers to drop so an order-level offer does better.

After the item stage, an order-level offer can lose out three ways: its eligible amount fell
below a threshold (满减 tier, coupon minimum) because items were discounted; it refuses goods
a promotion touched (non-stackable spend-and-save, coupon without promotions); or it shares
an exclusivity group with an item offer on its lines. A proposal is a set of item nodes that
saved on the offer's lines. A line counts as freed once every node that saved on it is
dropped; the proposal's *estimated gain* is the offer's saving on its base plus the freed
amount, minus its saving now, minus what the dropped nodes saved. Only proposals with a
positive estimate are kept, best first: for each higher threshold the cheapest unions of
*units* (the nodes that saved on one line) whose freed amount reaches it (exact over up to
``EXACT_RIVALS`` units, else greedy by saving per freed fen), and dropping them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

from pos_app.domain.pricing.offers import Offer
from pos_app.domain.pricing.order_level import order_saving
from pos_app.domain.pricing.promotions import SpendTiers
from pos_app.domain.pricing.search import Node
from pos_app.domain.pricing.state import Basket, State

EXACT_RIVALS = 6
COVERS_PER_CUT = 2
REPEAT_CUTS = 3

Measure = Callable[[frozenset[int]], int]


@dataclass(slots=True)
class Outcome:
    """The item stage as solved: what each line adds to the base of an order-level offer of
    each sort, and which item nodes saved what on which line."""

    bases: dict[tuple[bool, bool], list[int]]
    """(is a promotion, wants untouched goods) -> per line base after the item stage."""
    saved_by: dict[int, int]
    """Item node id -> what it saved."""
    savers: dict[int, set[int]]
    """Line -> ids of the item nodes that saved on it."""

    @classmethod
    def after_items(cls, state: State, node_of: dict[tuple[int, int], int]) -> Outcome:
        """Record the item stage; ``node_of`` maps (id of offer, line) to the node id."""
        saved_by: dict[int, int] = {}
        savers: dict[int, set[int]] = {}
        apps = state.apps
        for i, fen, app in state.entries:
            node_id = node_of[(id(apps[app].offer), i)]
            saved_by[node_id] = saved_by.get(node_id, 0) + fen
            savers.setdefault(i, set()).add(node_id)
        fnet, pay = list(state.fnet), list(state.pay)
        bases = {
            (True, False): fnet,
            (True, True): [0 if t else f for f, t in zip(fnet, state.touched, strict=True)],
            (False, False): pay,
            (False, True): [0 if p else f for f, p in zip(pay, state.promoted, strict=True)],
        }
        return cls(bases, saved_by, savers)

    def base_of(self, offer: Offer) -> list[int]:
        return self.bases[(offer.promotion is not None, _excluding(offer))]


def repair_plans(
    basket: Basket, outcome: Outcome, order_nodes: Sequence[Node], item_nodes: Sequence[Node]
) -> list[frozenset[int]]:
    """Sets of item node ids to drop, best estimated gain first."""
    scored: dict[frozenset[int], int] = {}
    for node in order_nodes:
        for gain, plan in _proposals(node, basket, outcome, item_nodes):
            scored[plan] = max(gain, scored.get(plan, gain))
    return sorted(scored, key=lambda plan: (-scored[plan], sorted(plan)))


def _excluding(offer: Offer) -> bool:
    """Wants goods no promotion touched."""
    if offer.coupon is not None:
        return not offer.coupon.with_promotions
    return not offer.stackable


@dataclass(frozen=True, slots=True)
class _Rivals:
    """An order-level offer's base after the item stage and the item nodes holding it down:
    ``held`` pairs the nodes that saved on a line with the base that line would add if they
    all went; ``units`` are those node sets (dropping a unit frees at least one line)."""

    offer: Offer
    held: list[tuple[frozenset[int], int]]
    units: list[frozenset[int]]
    current: int
    saved_by: dict[int, int]

    def cost(self, dropped: frozenset[int]) -> int:
        return sum(self.saved_by[k] for k in dropped)

    def freed(self, dropped: frozenset[int]) -> int:
        return sum(delta for nodes, delta in self.held if nodes <= dropped)

    def gain(self, dropped: frozenset[int]) -> int:
        now = order_saving(self.offer, self.current)[0]
        after = order_saving(self.offer, self.current + self.freed(dropped))[0]
        return after - now - self.cost(dropped)


def _proposals(
    node: Node, basket: Basket, outcome: Outcome, item_nodes: Sequence[Node]
) -> list[tuple[int, frozenset[int]]]:
    offer = node.offer
    savers = outcome.savers
    if not (offer.thresholds or offer.group is not None or _excluding(offer)) or not any(
        i in savers for i in node.lines
    ):
        return []
    base = outcome.base_of(offer)
    held = [(frozenset(savers[i]), basket.amount[i] - base[i]) for i in node.lines if i in savers]
    units = sorted({nodes for nodes, _ in held}, key=sorted)
    current = sum(map(base.__getitem__, node.lines))
    rivals = _Rivals(offer, held, units, current, outcome.saved_by)
    everything = frozenset().union(*units)
    if offer.group is None and rivals.gain(everything) + rivals.cost(everything) <= min(
        map(rivals.cost, units)
    ):
        return []  # even freeing every line would not pay for the cheapest drop
    plans: list[frozenset[int]] = []
    if offer.group is not None:
        lines = set(node.lines)
        plans.append(
            frozenset(
                n.id
                for n in item_nodes
                if n.offer.group == offer.group
                and n.id in outcome.saved_by
                and not lines.isdisjoint(n.lines)
            )
        )
    if offer.thresholds:
        plans += _threshold_plans(offer, units, rivals.cost, rivals.freed, current)
    elif _excluding(offer):
        plans += [frozenset().union(*(u for u in units if rivals.gain(u) > 0)), everything]
    return [(rivals.gain(plan), plan) for plan in plans if plan and rivals.gain(plan) > 0]


def tier(offer: Offer, fen: int) -> int:
    """Which saving step an eligible amount reaches (for a repeating tier: how many times)."""
    cuts = offer.thresholds
    promotion = offer.promotion
    if (
        promotion is not None
        and isinstance(promotion.reward, SpendTiers)
        and (promotion.reward.repeat)
    ):
        return fen // cuts[0]
    return sum(1 for cut in cuts if cut <= fen)


def _threshold_plans(
    offer: Offer, units: list[frozenset[int]], cost: Measure, freed: Measure, current: int
) -> list[frozenset[int]]:
    everything = frozenset().union(*units)
    reach = current + freed(everything)
    now = tier(offer, current)
    cuts = [cut for cut in _cuts(offer, current, reach) if tier(offer, cut) > now]
    plans: list[frozenset[int]] = []
    for cut in cuts:
        plans += _cheapest_covers(units, cost, freed, cut - current)
    return [*plans, everything] if cuts else []


def _cheapest_covers(
    units: list[frozenset[int]], cost: Measure, freed: Measure, need: int
) -> list[frozenset[int]]:
    """The cheapest unions of units whose freed amount reaches ``need``: exact over up to
    ``EXACT_RIVALS`` units, else greedy by cost per freed fen."""
    options: list[frozenset[int]] = []
    if len(units) <= EXACT_RIVALS:
        for size in range(1, len(units) + 1):
            options += [frozenset().union(*combo) for combo in combinations(units, size)]
    else:
        ranked = sorted(units, key=lambda u: (cost(u) * 1_000_000 // max(freed(u), 1), sorted(u)))
        taken: frozenset[int] = frozenset()
        for unit in ranked:
            taken |= unit
            options.append(taken)
        options += units
    enough = [option for option in options if freed(option) >= need]
    enough.sort(key=lambda o: (cost(o), len(o), sorted(o)))
    return enough[:COVERS_PER_CUT]


def _cuts(offer: Offer, current: int, reach: int) -> list[int]:
    cuts = list(offer.thresholds)
    promotion = offer.promotion
    if (
        promotion is not None
        and isinstance(promotion.reward, SpendTiers)
        and (promotion.reward.repeat)
    ):
        step, first = cuts[0], current // cuts[0] + 1
        cuts = [step * k for k in range(first, min(reach // step, first + REPEAT_CUTS) + 1)]
    return sorted(cut for cut in cuts if cut <= reach)

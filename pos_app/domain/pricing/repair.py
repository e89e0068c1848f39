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

Only the best few plans are wanted, so offers are looked at by an upper bound on what any of
their proposals can gain (computed from sums over their lines), highest first, and the rest
are skipped once a bound falls below the gains already found: the answer is the same as
looking at every offer. What sets cost, free and gain is remembered (``rivals``); what the
item stage did, per line and per node, is read from ``outcome.Outcome``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from operator import itemgetter

from pos_app.domain.pricing.offers import Offer
from pos_app.domain.pricing.order_level import order_eligible, order_saving
from pos_app.domain.pricing.outcome import UNHELD, Outcome, excluding
from pos_app.domain.pricing.promotions import SpendTiers
from pos_app.domain.pricing.rivals import Option, Rivals
from pos_app.domain.pricing.search import Node
from pos_app.domain.pricing.state import Basket

COVERS_PER_CUT = 2
REPEAT_CUTS = 3
CHAIN = 16
"""Units looked at, for an offer that wants untouched goods, in a thorough repair."""


def repair_plans(
    basket: Basket,
    outcome: Outcome,
    order_nodes: Sequence[Node],
    item_nodes: Sequence[Node],
    count: int,
    *,
    thorough: bool = False,
) -> tuple[list[frozenset[int]], bool]:
    """The ``count`` sets of item node ids to drop with the best estimated gain, best first,
    and whether any order-level offer could gain at all by dropping item offers (if so, the
    two stages solved apart prove nothing about the combinations that drop some).
    ``thorough`` (small carts): after the estimated plans, each item node alone that holds
    down an offer that could gain, and for an offer that wants untouched goods the units
    worth dropping alone and their growing unions, up to ``count`` plans in all.

    Offers are looked at by their bound, highest first: no proposal for an offer gains more
    than its saving with every held line freed, less its cheapest unit (a proposal that frees
    anything drops a whole unit, and savings are never negative). Once a bound is below the
    ``count``-th best gain found, no later offer can change the answer."""
    bounded = [(_bound(node, outcome), node) for node in order_nodes]
    bounded = [item for item in bounded if item[0] is not None]
    gaining: list[Node] = []
    if thorough or not bounded:
        gaining = [node for node in order_nodes if _could_gain(node, basket, outcome)]
        if not gaining:
            return [], False
    bounded.sort(key=lambda item: -item[0][0])  # type: ignore[index]
    scored: dict[frozenset[int], int] = {}
    for facts, node in bounded:
        assert facts is not None
        if len(scored) >= count and facts[0] < sorted(scored.values(), reverse=True)[count - 1]:
            break
        for gain, plan in _proposals(node, facts, basket, outcome, item_nodes):
            scored[plan] = max(gain, scored.get(plan, gain))
    plans = sorted(scored, key=lambda plan: (-scored[plan], sorted(plan)))[:count]
    if thorough:
        for plan in _more_plans(gaining, basket, outcome):
            if len(plans) >= count:
                break
            if plan not in plans:
                plans.append(plan)
    return plans, True


def _could_gain(node: Node, basket: Basket, outcome: Outcome) -> bool:
    """Could this order-level offer save more if item offers on its lines were dropped: its
    saving with every held or taken line back at its base amount and usable, against what
    it saved in the first solve (another offer before it may have left it less)."""
    offer = node.offer
    if not (offer.thresholds or offer.group is not None or excluding(offer)):
        return False
    saved = outcome.order_saved(offer)  # never more than it saves alone (monotone)
    if order_saving(offer, sum(map(basket.amount.__getitem__, node.lines)))[0] <= saved:
        return False  # even on every line at its base amount it saves no more
    savers, takers = outcome.savers, outcome.takers
    hit = {i for i in node.lines if i in savers or i in takers}
    if not hit:
        return False
    base = outcome.base_of(offer)
    usable = set(order_eligible(offer, node.lines, outcome.state))  # e.g. not its group's
    current = sum(base[i] for i in usable)
    freed = sum(basket.amount[i] - (base[i] if i in usable else 0) for i in hit)
    most = order_saving(offer, current + freed)[0]
    return most > min(order_saving(offer, current)[0], saved)


def _more_plans(gaining: Sequence[Node], basket: Basket, outcome: Outcome) -> list[frozenset[int]]:
    """Thorough plans: for each offer that could gain, the item nodes holding its lines down,
    each alone (those that saved most first), and for one that wants untouched goods the
    chain of ``_excluding_chain``."""
    plans: list[frozenset[int]] = []
    saved_by = outcome.saved_by
    for node in gaining:
        holders: set[int] = set()
        for i in node.lines:
            holders.update(outcome.savers.get(i, ()))
            holders |= outcome.takers.get(i, set())
        for k in sorted(holders, key=lambda k: (-saved_by.get(k, 0), k)):
            plans.append(frozenset({k}))
        facts = _bound(node, outcome, estimate_only=False)
        if excluding(node.offer) and facts is not None:
            held = _held(_hit(node, outcome), basket, outcome, outcome.base_of(node.offer))
            rivals = Rivals(node.offer, held, facts[1], saved_by)
            plans += _excluding_chain(rivals)
    return plans


def _excluding_chain(rivals: Rivals) -> list[frozenset[int]]:
    """The units not worth less dropped alone, best estimated gain first (then ids), and the
    growing unions of them in that order, up to ``CHAIN`` units: the offer's saving is capped
    (a coupon's amount, a tier), so dropping every unit that gains alone can gain nothing
    where the best one alone gains."""
    ranked = sorted(
        (unit for unit in rivals.units if rivals.gain(unit) >= 0),
        key=lambda unit: (-rivals.gain(unit), sorted(unit)),
    )[:CHAIN]
    chain: list[frozenset[int]] = []
    taken: frozenset[int] = frozenset()
    for unit in ranked:
        taken = taken | unit
        chain.append(taken)
    return [*ranked[:1], *chain]


Held = tuple[int, int]
"""(bound on any proposal's gain, the offer's current base)."""


def _bound(node: Node, outcome: Outcome, *, estimate_only: bool = True) -> Held | None:
    """What an offer's proposals may gain at most (estimated: another item offer taking a
    dropped one's place is not in it), with the facts they start from; None when no
    proposal can gain anything by the estimate (``estimate_only``) or frees nothing. (Read
    from per line lists, at all the offer's lines at once: the held lines themselves are
    found only for the offers proposed for.) The saving at the lines' base amounts is looked
    at first: a saving never falls as the amount grows and ``top_of`` is at most the base
    amount, so where even that saving gains nothing the bound does not either, and neither
    it nor ``top_of`` (made per sort of offer when first asked for) is worked out."""
    offer, lines = node.offer, node.lines
    if not (offer.thresholds or offer.group is not None or excluding(offer)) or not lines:
        return None
    gather = _gather(lines)
    cheapest = min(gather(outcome.held_cost))
    if cheapest == UNHELD:
        return None
    current = sum(gather(outcome.base_of(offer)))
    now = order_saving(offer, current)[0]
    if estimate_only and order_saving(offer, sum(gather(outcome.amount)))[0] - now <= cheapest:
        return None  # so the bound below is not above 0 either (see the docstring)
    bound = order_saving(offer, sum(gather(outcome.top_of(offer))))[0] - now - cheapest
    return (bound, current) if bound > 0 or not estimate_only else None


def _gather(lines: tuple[int, ...]) -> Callable[[list[int]], Sequence[int]]:
    """Reads a column at an offer's lines (one or more, ascending) in one call, made once
    for the three columns ``_bound`` reads: a slice where they are one run (an offer on the
    whole cart)."""
    if lines[-1] - lines[0] + 1 == len(lines):
        return itemgetter(slice(lines[0], lines[-1] + 1))
    return itemgetter(*lines)


def _hit(node: Node, outcome: Outcome) -> list[int]:
    """The offer's lines some item node saved on."""
    return list(filter(outcome.savers.__contains__, node.lines))


def _held(
    hit: list[int], basket: Basket, outcome: Outcome, base: list[int]
) -> dict[frozenset[int], int]:
    """Each set of item nodes holding some of ``hit`` down -> the base those lines would add
    if all of the set went."""
    savers, amount = outcome.savers, basket.amount
    held: dict[frozenset[int], int] = {}
    for i in hit:
        nodes = frozenset(savers[i])
        held[nodes] = held.get(nodes, 0) + amount[i] - base[i]
    return held


def _proposals(
    node: Node, facts: Held, basket: Basket, outcome: Outcome, item_nodes: Sequence[Node]
) -> list[tuple[int, frozenset[int]]]:
    offer = node.offer
    held = _held(_hit(node, outcome), basket, outcome, outcome.base_of(offer))
    rivals = Rivals(offer, held, facts[1], outcome.saved_by)
    units, everything = rivals.units, rivals.everything
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
        plans += _threshold_plans(offer, rivals, everything)
    elif excluding(offer):
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
    offer: Offer, rivals: Rivals, everything: frozenset[int]
) -> list[frozenset[int]]:
    current = rivals.current
    reach = current + rivals.freed(everything)
    now = tier(offer, current)
    cuts = [cut for cut in _cuts(offer, current, reach) if tier(offer, cut) > now]
    plans: list[frozenset[int]] = []
    for cut in cuts:
        plans += _cheapest_covers(rivals, cut - current)
    return [*plans, everything] if cuts else []


def _cheapest_covers(rivals: Rivals, need: int) -> list[frozenset[int]]:
    """The cheapest unions of units whose freed amount reaches ``need``: exact over up to
    ``EXACT_RIVALS`` units, else greedy by cost per freed fen. Ordered by cost, then size,
    then the sorted ids (computed only among those that tie for a place: the options come
    cheapest first, then fewest nodes)."""
    found: list[Option] = []
    for option in rivals.options():
        if option[2] >= need:
            if len(found) >= COVERS_PER_CUT and option[:2] != found[COVERS_PER_CUT - 1][:2]:
                break
            found.append(option)
    covers = [(option[0], option[1], rivals.drop(option)) for option in found]
    if any(a[:2] == b[:2] for a, b in pairwise(found)):  # else already in order
        covers.sort(key=lambda cover: (cover[0], cover[1], sorted(cover[2])))
    return [cover[2] for cover in covers[:COVERS_PER_CUT]]


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

"""Order-level offers: spend-and-save (满减) and money coupons on what is left to pay.

Which lines an offer may use, what it saves, and how that saving is split over the lines in
proportion to what each still costs, by the rule of ``Money.allocate`` (see ``engine`` for
the remainder rule). A spend-and-save reads its threshold on the amount the item stage left
(``State.spend_base``), so order-level promotions never lower each other's thresholds; a
coupon's minimum reads what is left to pay after every promotion.

``order_plan`` works out what an offer would do next without doing it, and ``apply_plan``
carries that out, so a caller that totals an offer before deciding to apply it (a deferred
last node in the search, the repair's last node) works it out once.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, repeat
from operator import itemgetter
from typing import TypeVar

from pos_app.domain.money import Money
from pos_app.domain.pricing.offers import Offer
from pos_app.domain.pricing.promotions import SpendTier, SpendTiers, percent_of
from pos_app.domain.pricing.state import App, State

T = TypeVar("T")
Plan = tuple[Offer, list[int], Sequence[int], int, int, SpendTier | None, int]
"""What an order-level offer would do applied next on a state (``order_plan``): the offer,
the lines it uses, the weights its saving is split by (what each line still costs) and their
sum, the fen off, the spend tier reached (if any) and how often it applies. A plain tuple:
one is made for every order-level offer applied, and a tuple is the cheapest to build."""


def split(total: int, weights: Sequence[int], whole: int | None = None) -> list[int]:
    """``Money(total).allocate(weights)`` on plain fen, for speed: the same rule (each part
    the floor of its exact share; the fen left over one each to the largest remainders, ties
    to the earliest). ``total`` and ``weights`` are non-negative; ``whole`` is their sum
    when the caller has it."""
    count = len(weights)
    if whole is None:
        whole = sum(weights)
    if whole == 0:
        weights, whole = [1] * count, count
    shares = [total * weight // whole for weight in weights]
    left = total - sum(shares)
    if left:
        remainders = [total * weight % whole for weight in weights]
        # A stable sort keeps ties in index order, as Money.allocate does.
        for k in sorted(range(count), key=remainders.__getitem__, reverse=True)[:left]:
            shares[k] += 1
    return shares


def _spread(plan: Plan, state: State, *, promotion: bool, params: dict[str, str]) -> int:
    """Split an order-level saving over the plan's lines in proportion to its weights. A
    spend-and-save's share also comes off what the free units cost, and marks the lines as
    discounted by a promotion (and its exclusivity group as used on them)."""
    offer, eligible, weights, whole, off, _, applications = plan
    app = len(state.apps)
    pay = state.pay
    parts = split(off, weights, whole)
    if promotion:
        fnet, touched, promoted = state.fnet, state.touched, state.promoted
        for i, part in zip(eligible, parts, strict=True):
            fnet[i] -= part
            pay[i] -= part
            touched[i] = promoted[i] = True
        group = offer.group
        if group is not None:
            groups = state.groups
            for i in eligible:
                if group not in groups[i]:
                    groups[i] = (*groups[i], group)
    else:
        for i, part in zip(eligible, parts, strict=True):
            pay[i] -= part
    if all(parts):  # the usual case: every line gets some of it
        state.entries.extend(zip(eligible, parts, repeat(app)))
    else:
        state.entries.extend(zip(compress(eligible, parts), filter(None, parts), repeat(app)))
    state.apps.append(App(offer, applications, params))
    return off


def order_eligible(offer: Offer, lines: Sequence[int], state: State) -> list[int]:
    """The lines an order-level offer may use now: spend-and-save the free, open goods
    (untouched ones only when non-stackable); money coupons what is left to pay (unpromoted
    goods only when the coupon refuses promotions)."""
    return _open(offer, lines, state)[0]


def _open(offer: Offer, lines: Sequence[int], state: State) -> tuple[list[int], Sequence[int]]:
    """(``order_eligible``, what each of those lines still costs: its free units for a
    spend-and-save, the whole line for a coupon)."""
    coupon = offer.coupon
    if coupon is not None:
        pay = state.pay
        if coupon.with_promotions:
            return _positive(lines, pay)
        promoted = state.promoted
        eligible = [i for i in lines if pay[i] > 0 and not promoted[i]]
        return eligible, at(pay, eligible)
    fnet, closed, touched, groups = state.fnet, state.closed, state.touched, state.groups
    group, exclusive = offer.group, not offer.stackable
    if group is None and not exclusive:
        if not any(at(closed, lines)):
            return _positive(lines, fnet)
        eligible = [i for i in lines if fnet[i] > 0 and not closed[i]]
        return eligible, at(fnet, eligible)
    eligible = [
        i
        for i in lines
        if fnet[i] > 0
        and not closed[i]
        and (group is None or group not in groups[i])
        and not (exclusive and touched[i])
    ]
    return eligible, at(fnet, eligible)


def _positive(lines: Sequence[int], column: list[int]) -> tuple[list[int], Sequence[int]]:
    """The ``lines`` where ``column`` is above zero, and its values there. (What is left never
    goes below zero, so "above zero" is the value itself, and the values at those lines are
    the non-zero ones, read for all ``lines`` at once.)"""
    values = at(column, lines)
    if all(values):  # every line: no need to pick them out
        return list(lines), values
    return list(compress(lines, values)), list(filter(None, values))


def at(column: Sequence[T], indices: Sequence[int]) -> Sequence[T]:
    """``column``'s values at ``indices``, in that order (gathered in one call)."""
    if len(indices) > 1:
        return itemgetter(*indices)(column)  # type: ignore[no-any-return]
    return [column[i] for i in indices]


def order_saving(offer: Offer, base: int) -> tuple[int, SpendTier | None, int]:
    """(fen off, spend tier reached, applications) for an eligible amount, capped."""
    promotion, coupon = offer.promotion, offer.coupon
    tier: SpendTier | None = None
    steps = offer.steps
    if steps is not None:  # SpendTiers.reached, with the tiers sorted once
        for step in steps:
            if step[0] <= base:
                _, off, tier = step
                break
        else:
            return 0, None, 0
        applications = 1
    elif promotion is not None and isinstance(promotion.reward, SpendTiers):
        off, tier, applications = promotion.reward.reached(base, offer.limit)
    elif coupon is not None and base > 0 and base >= coupon.min_spend.fen:
        off = coupon.amount.fen if coupon.percent is None else percent_of(base, coupon.percent)
        applications = 1
    else:
        return 0, None, 0
    if offer.max_discount is not None:
        off = min(off, offer.max_discount)
    return max(0, min(off, base)), tier, applications


def order_plan(offer: Offer, lines: Sequence[int], state: State) -> Plan:
    """What an order-level offer would do applied next on ``state``. A coupon's threshold
    reads what is left to pay; a spend-and-save's reads ``spend_base``, so one spend-and-save
    never lowers another's threshold, and it splits by what the free units still cost."""
    if offer.steps is not None and offer.max_discount is None:
        return _tiered(offer, lines, state)
    eligible, weights = _open(offer, lines, state)
    whole = sum(weights)
    base = whole if offer.coupon is not None else sum(at(state.spend_base, eligible))
    off, tier, applications = order_saving(offer, base)
    return offer, eligible, weights, whole, min(off, whole), tier, applications


def saving(plan: Plan) -> int:
    """What the plan saves."""
    return max(0, plan[4])


def order_alone(offer: Offer, lines: Sequence[int], state: State) -> int:
    """What an order-level offer would save applied next on ``state``, without applying it."""
    return saving(order_plan(offer, lines, state))


def _tier_params(offer: Offer, tier: SpendTier, off: int) -> dict[str, str]:
    """The spend-and-save's message params; those for a tier's full saving (the usual case, a
    few per offer) are made once and kept on the offer."""
    params = offer.texts.get(tier.threshold.fen) if off == tier.off.fen else None
    if params is None:
        params = {
            **offer.params,
            "threshold": tier.threshold.yuan_text(),
            "off": Money(off).yuan_text(),
        }
        if off == tier.off.fen:
            offer.texts[tier.threshold.fen] = params
    return params


def _tiered(offer: Offer, lines: Sequence[int], state: State) -> Plan:
    """``order_plan`` of a spend-and-save by tiers with no cap on its saving, for the offers
    a big cart has by the dozen (``SpendTiers.reached`` with the tiers sorted once)."""
    eligible, weights = _open(offer, lines, state)
    base = sum(at(state.spend_base, eligible))
    whole = sum(weights)
    for step in offer.steps or ():
        if step[0] <= base:
            _, off, tier = step
            return offer, eligible, weights, whole, min(off, base, whole), tier, 1
    return offer, eligible, weights, whole, 0, None, 1


def order_level(offer: Offer, lines: Sequence[int], state: State) -> int:
    return apply_plan(order_plan(offer, lines, state), state)


def apply_plan(plan: Plan, state: State) -> int:
    """Apply what ``order_plan`` planned on ``state``, which must not have changed since."""
    offer, eligible, _, _, off, tier, _ = plan
    if off <= 0:
        return 0
    params = offer.params
    promotion = offer.coupon is None
    if promotion:
        if not offer.stackable:
            closed = state.closed
            for i in eligible:
                closed[i] = True
        if tier is not None:
            params = _tier_params(offer, tier, off)
    return _spread(plan, state, promotion=promotion, params=params)

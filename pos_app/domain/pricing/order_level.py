"""Order-level offers: spend-and-save (满减) and money coupons on what is left to pay.

Which lines an offer may use, what it saves, and how that saving is split over the lines in
proportion to what each still costs, by the rule of ``Money.allocate`` (see ``engine`` for
the remainder rule). A spend-and-save reads its threshold on the amount the item stage left
(``State.spend_base``), so order-level promotions never lower each other's thresholds; a
coupon's minimum reads what is left to pay after every promotion.
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


def _spread(
    offer: Offer,
    off: int,
    eligible: list[int],
    weights: Sequence[int],
    whole: int,
    state: State,
    *,
    promotion: bool,
    params: dict[str, str],
    applications: int = 1,
) -> int:
    """Split an order-level saving over ``eligible`` in proportion to ``weights`` (which sum
    to ``whole``). A spend-and-save's share also comes off what the free units cost, and marks
    the lines as discounted by a promotion (and its exclusivity group as used on them)."""
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
    state.entries.extend(zip(compress(eligible, parts), filter(None, parts), repeat(app)))
    state.apps.append(App(offer, applications, params))
    return off


def order_eligible(offer: Offer, lines: Sequence[int], state: State) -> list[int]:
    """The lines an order-level offer may use now: spend-and-save the free, open goods
    (untouched ones only when non-stackable); money coupons what is left to pay (unpromoted
    goods only when the coupon refuses promotions). (What is left never goes below zero, so
    "more than zero" is the value itself, read for all ``lines`` at once.)"""
    coupon = offer.coupon
    if coupon is not None:
        pay, promoted = state.pay, state.promoted
        if coupon.with_promotions:
            return list(compress(lines, at(pay, lines)))
        return [i for i in lines if pay[i] > 0 and not promoted[i]]
    fnet, closed, touched, groups = state.fnet, state.closed, state.touched, state.groups
    group, exclusive = offer.group, not offer.stackable
    if group is None and not exclusive:
        if not any(at(closed, lines)):
            return list(compress(lines, at(fnet, lines)))
        return [i for i in lines if fnet[i] > 0 and not closed[i]]
    return [
        i
        for i in lines
        if fnet[i] > 0
        and not closed[i]
        and (group is None or group not in groups[i])
        and not (exclusive and touched[i])
    ]


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


def _measure(offer: Offer, eligible: list[int], state: State) -> tuple[int, Sequence[int], int]:
    """(the amount its threshold reads, the weights its saving is split by, their sum): a
    coupon reads what is left to pay; spend-and-save reads ``spend_base``, so one
    spend-and-save never lowers another's threshold, and splits by what the free units still
    cost."""
    if offer.coupon is not None:
        weights = at(state.pay, eligible)
        base = sum(weights)
        return base, weights, base
    weights = at(state.fnet, eligible)
    return sum(at(state.spend_base, eligible)), weights, sum(weights)


def order_alone(offer: Offer, lines: Sequence[int], state: State) -> int:
    """What an order-level offer would save applied next on ``state``, without applying it."""
    if offer.steps is not None and offer.max_discount is None:
        return max(0, _tiered(offer, lines, state)[3])
    base, _, whole = _measure(offer, order_eligible(offer, lines, state), state)
    return min(order_saving(offer, base)[0], whole)


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


def _tiered(
    offer: Offer, lines: Sequence[int], state: State
) -> tuple[list[int], Sequence[int], int, int, SpendTier | None]:
    """(eligible lines, weights, their sum, fen off, tier reached) of a spend-and-save by
    tiers with no cap on its saving: ``order_eligible``, ``_measure`` and ``order_saving``
    in one, for the offers a big cart has by the dozen."""
    eligible = order_eligible(offer, lines, state)
    if len(eligible) > 1:
        read = itemgetter(*eligible)
        weights, base = read(state.fnet), sum(read(state.spend_base))
    else:
        weights = [state.fnet[i] for i in eligible]
        base = sum([state.spend_base[i] for i in eligible])
    whole = sum(weights)
    for step in offer.steps or ():
        if step[0] <= base:
            _, off, tier = step
            return eligible, weights, whole, min(off, base, whole), tier
    return eligible, weights, whole, 0, None


def order_level(offer: Offer, lines: Sequence[int], state: State) -> int:
    if offer.steps is not None and offer.max_discount is None:
        eligible, weights, whole, off, tier = _tiered(offer, lines, state)
        applications = 1
    else:
        eligible = order_eligible(offer, lines, state)
        base, weights, whole = _measure(offer, eligible, state)
        off, tier, applications = order_saving(offer, base)
        off = min(off, whole)
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
    return _spread(
        offer,
        off,
        eligible,
        weights,
        whole,
        state,
        promotion=promotion,
        params=params,
        applications=applications,
    )

"""Applying one offer to the state: which units it takes and what each line saves.

Rules kept here: a saving never exceeds what is left to pay on its line; percentages round
half up once per line; a capped saving is split over its lines with the rule of
``Money.allocate``. Per-unit offers and coupons for a product are worked out here; offers
that group units (multi-buys, bundles) in ``groups``, and every item offer's shares are
booked here (``_book``). Order-level offers are in ``order_level``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from pos_app.domain.pricing.groups import Share, bundle_shares, group_shares
from pos_app.domain.pricing.offers import (
    AMOUNT_RULE,
    BUNDLE_EFFECT,
    DECIMAL_PERCENT_RULE,
    ORDER_EFFECT,
    PER_UNIT_EFFECT,
    PERCENT_RULE,
    PRODUCT_EFFECT,
    Offer,
)
from pos_app.domain.pricing.order_level import order_level, split
from pos_app.domain.pricing.promotions import Bundle, PercentOff, percent_of
from pos_app.domain.pricing.state import App, Basket, State, per_grams_fen

_app = tuple.__new__
"""``_app(App, (offer, applications, params))`` is ``App(...)`` without the Python-level
``__new__`` that ``NamedTuple`` writes (one call less per application booked)."""


def unit_savings(offer: Offer, lines: Sequence[int], basket: Basket) -> list[int]:
    """What a per-unit offer saves on each of ``lines`` at its base price, alone."""
    amount, units = basket.amount, basket.units
    rule, number = offer.unit_rule
    if rule == PERCENT_RULE:  # the common case, kept lean: percent_of in hundredths
        return [max(0, min(amount[i], (amount[i] * number + 5_000) // 10_000)) for i in lines]
    if rule == AMOUNT_RULE:  # _unit_off's money off per unit, inlined
        return [max(0, min(amount[i], number * units[i])) for i in lines]
    return [max(0, min(amount[i], _unit_off(offer, amount[i], units[i], i, basket))) for i in lines]


def apply(offer: Offer, lines: Sequence[int], basket: Basket, state: State) -> int:
    """Apply ``offer`` to ``lines`` and return the fen saved."""
    effect = offer.effect
    if effect == PER_UNIT_EFFECT:
        if offer.splittable:
            return _per_unit_lines(offer, lines, basket, state)
        return _per_unit(offer, lines, basket, state)
    if effect == ORDER_EFFECT:
        return order_level(offer, lines, state)
    if effect == PRODUCT_EFFECT:
        return _product_coupon(offer, lines, basket, state)
    assert offer.promotion is not None
    reward = offer.promotion.reward
    if effect == BUNDLE_EFFECT:
        assert isinstance(reward, Bundle)
        shares, applications = bundle_shares(offer, reward, lines, basket, state)
    else:
        shares, applications = group_shares(offer, reward, lines, basket, state)
    return _book(offer, shares, basket, state, applications)


def _book(
    offer: Offer,
    shares: list[Share],
    basket: Basket,
    state: State,
    applications: int,
    params: dict[str, str] | None = None,
) -> int:
    cap, saved = offer.max_discount, 0
    for share in shares:  # a share or two: a loop costs less than a comprehension and sum
        saved += share[1]
    if saved <= 0:
        return 0
    if cap is not None and saved > cap:
        parts = split(cap, [share[1] for share in shares])
        shares = [(i, part, used) for (i, _, used), part in zip(shares, parts, strict=True)]
        saved = cap
    app = len(state.apps)
    _book_shares(offer, shares, basket, state, app)
    state.apps.append(
        _app(App, (offer, applications, params if params is not None else offer.params))
    )
    return saved


def _book_shares(
    offer: Offer, shares: Sequence[Share], basket: Basket, state: State, app: int
) -> None:
    """Each line's share of an item offer: units taken, what is left to pay, the marks."""
    claims, grouping, group = offer.claims, offer.grouping, offer.group
    promotion = offer.promotion is not None
    fnet, spend_base, pay, entries = state.fnet, state.spend_base, state.pay, state.entries
    for i, fen, used in shares:
        if claims:
            state.free[i] -= used
            fnet[i] -= basket.unit[i] * used
        else:
            if grouping:
                state.grouped[i] += used
            fnet[i] -= fen
        spend_base[i] = fnet[i]
        pay[i] -= fen
        if promotion:
            if not claims:
                state.touched[i] = True
            state.promoted[i] = True
            if group is not None and group not in state.groups[i]:
                state.groups[i] += (group,)
        if fen:
            entries.append((i, fen, app))


def _per_unit_lines(offer: Offer, lines: Sequence[int], basket: Basket, state: State) -> int:
    """An uncapped per-unit offer (``Offer.splittable``): each line on its own, every free
    unit, one application per line (so an application never spans lines that a repair may
    re-solve apart), as if each line were applied alone in turn. ``_book_shares`` for one
    line, inlined: this loop prices most of a big cart's shelf offers."""
    free, closed, groups, fnet, unit = (
        state.free,
        state.closed,
        state.groups,
        state.fnet,
        basket.unit,
    )
    spend_base, pay, touched, promoted = state.spend_base, state.pay, state.touched, state.promoted
    entries, apps, app = state.entries, state.apps, len(state.apps)
    group, claims, params = offer.group, offer.claims, offer.params
    mark = () if group is None else (group,)
    rule, number = offer.unit_rule
    percent, per_unit = rule == PERCENT_RULE, rule == AMOUNT_RULE  # _unit_off's usual cases
    saved = 0
    for i in lines:
        units = free[i]
        if units <= 0 or closed[i] or (group is not None and group in groups[i]):
            continue
        value = unit[i] * units if claims else fnet[i]
        if percent:  # percent_of in hundredths
            off = (value * number + 5_000) // 10_000
        elif per_unit:
            off = number * units
        else:
            off = _unit_off(offer, value, units, i, basket)
        if off > value:
            off = value
        if off <= 0:
            continue
        if claims:
            free[i] = 0
            fnet[i] = spend_base[i] = fnet[i] - value
        else:  # value is fnet[i]
            fnet[i] = spend_base[i] = value - off
            touched[i] = True
        pay[i] -= off
        promoted[i] = True
        if mark:
            groups[i] += mark
        entries.append((i, off, app))
        apps.append(_app(App, (offer, units, params)))
        app += 1
        saved += off
    return saved


def _per_unit(offer: Offer, lines: Sequence[int], basket: Basket, state: State) -> int:
    free, closed, groups, fnet = state.free, state.closed, state.groups, state.fnet
    group, claims = offer.group, offer.claims
    picks = [
        (i, free[i])
        for i in lines
        if free[i] > 0 and not closed[i] and (group is None or group not in groups[i])
    ]
    if offer.limit is not None:
        picks = _dearest_units(picks, basket, offer.limit)
    shares: list[Share] = []
    applications = 0
    for i, units in picks:
        if claims:
            value = basket.unit[i] * units
        else:
            value = fnet[i] if units == free[i] else fnet[i] * units // free[i]
        off = _unit_off(offer, value, units, i, basket)
        if off > value:
            off = value
        if off > 0:  # units that cost nothing (a free line) are not counted as discounted
            shares.append((i, off, units))
            applications += units
    return _book(offer, shares, basket, state, applications)


def _dearest_units(
    picks: list[tuple[int, int]], basket: Basket, limit: int
) -> list[tuple[int, int]]:
    taken: list[tuple[int, int]] = []
    if len(picks) > 1:  # a sort's key is called even for one item
        unit = basket.unit
        picks = sorted(picks, key=lambda pick: (-unit[pick[0]], pick[0]))
    for i, units in picks:
        if limit <= 0:
            break
        taken.append((i, min(units, limit)))
        limit -= units
    return taken


def _unit_off(offer: Offer, value: int, units: int, i: int, basket: Basket) -> int:
    rule, number = offer.unit_rule
    if rule == PERCENT_RULE:
        return (value * number + 5_000) // 10_000  # percent_of in hundredths
    if rule == AMOUNT_RULE:
        return number * units
    if rule == DECIMAL_PERCENT_RULE:
        assert offer.promotion is not None
        return percent_of(value, cast(PercentOff, offer.promotion.reward).percent)
    grams = basket.grams[i]
    if grams is not None:
        return value - per_grams_fen(number, grams)
    if basket.labelled[i]:
        return 0
    return value - number * units


def _product_coupon(offer: Offer, lines: Sequence[int], basket: Basket, state: State) -> int:
    """A gift or pickup coupon: its product's dearest free units at zero."""
    assert offer.coupon is not None
    need = offer.coupon.quantity
    shares: list[Share] = []
    for i in sorted(lines, key=lambda i: (-basket.unit[i], i)):
        take = min(state.free[i], need)
        if take > 0:
            shares.append((i, basket.unit[i] * take, take))
            need -= take
        if need == 0:
            break
    return _book(offer, shares, basket, state, sum(share[2] for share in shares))

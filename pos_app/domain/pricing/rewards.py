"""Applying one offer to the state: which units it takes and what each line saves.

Rules kept here: a saving never exceeds what is left to pay on its line; percentages round
half up once per line; multi-buy groups take the dearest units first and discount the
cheapest unit of each group; a group's or bundle's saving is split over its units' lines by
price with the rule of ``Money.allocate``. Order-level offers are in ``order_level``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from pos_app.domain.pricing.groups import Share, multi_buy, nth_units
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
from pos_app.domain.pricing.promotions import (
    Bundle,
    BuyXGetY,
    MultiBuy,
    NthItemOff,
    PercentOff,
    percent_of,
)
from pos_app.domain.pricing.state import App, Basket, State, per_grams_fen


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
        return _bundle(offer, cast(Bundle, reward), lines, basket, state)
    return _groups(offer, cast(MultiBuy | NthItemOff | BuyXGetY, reward), lines, basket, state)


def _open(offer: Offer, i: int, state: State) -> bool:
    group = offer.group
    return not state.closed[i] and (group is None or group not in state.groups[i])


def _available(offer: Offer, i: int, state: State) -> int:
    if not _open(offer, i, state):
        return 0
    return state.free[i] if offer.claims else state.free[i] - state.grouped[i]


def _book(
    offer: Offer,
    shares: list[Share],
    basket: Basket,
    state: State,
    applications: int,
    params: dict[str, str] | None = None,
) -> int:
    cap = offer.max_discount
    saved = sum([share[1] for share in shares])
    if saved <= 0:
        return 0
    if cap is not None and saved > cap:
        parts = split(cap, [share[1] for share in shares])
        shares = [(i, part, used) for (i, _, used), part in zip(shares, parts, strict=True)]
        saved = cap
    app = len(state.apps)
    _book_shares(offer, shares, basket, state, app)
    state.apps.append(App(offer, applications, params if params is not None else offer.params))
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
                state.groups[i] = (*state.groups[i], group)
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
    entries, apps = state.entries, state.apps
    group, claims, params = offer.group, offer.claims, offer.params
    rule, number = offer.unit_rule
    percent = rule == PERCENT_RULE  # the common case, inlined: percent_of in hundredths
    saved = 0
    for i in lines:
        units = free[i]
        if units <= 0 or closed[i] or (group is not None and group in groups[i]):
            continue
        value = unit[i] * units if claims else fnet[i]
        off = (
            (value * number + 5_000) // 10_000
            if percent
            else _unit_off(offer, value, units, i, basket)
        )
        if off > value:
            off = value
        if off <= 0:
            continue
        if claims:
            free[i] = 0
            fnet[i] -= value
        else:
            fnet[i] -= off
            touched[i] = True
        spend_base[i] = fnet[i]
        pay[i] -= off
        promoted[i] = True
        if group is not None:
            groups[i] = (*groups[i], group)
        entries.append((i, off, len(apps)))
        apps.append(_app(App, (offer, units, params)))
        saved += off
    return saved


_app = tuple.__new__


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
    for i, units in picks:
        if claims:
            value = basket.unit[i] * units
        else:
            value = fnet[i] if units == free[i] else fnet[i] * units // free[i]
        off = min(_unit_off(offer, value, units, i, basket), value)
        if off > 0:  # units that cost nothing (a free line) are not counted as discounted
            shares.append((i, off, units))
    return _book(offer, shares, basket, state, sum(share[2] for share in shares))


def _dearest_units(
    picks: list[tuple[int, int]], basket: Basket, limit: int
) -> list[tuple[int, int]]:
    taken: list[tuple[int, int]] = []
    for i, units in sorted(picks, key=lambda pick: (-basket.unit[pick[0]], pick[0])):
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


def _groups(
    offer: Offer,
    reward: MultiBuy | NthItemOff | BuyXGetY,
    lines: Sequence[int],
    basket: Basket,
    state: State,
) -> int:
    runs = _runs(offer, lines, basket, state)
    if isinstance(reward, MultiBuy):
        shares, groups = multi_buy(runs, reward, basket.unit, offer.limit)
    elif isinstance(reward, NthItemOff):
        shares, groups = nth_units(
            runs, reward.nth, reward.nth - 1, basket.unit, offer.limit, reward
        )
    else:
        shares, groups = nth_units(
            runs, reward.buy + reward.get, reward.buy, basket.unit, offer.limit, None
        )
    return _book(offer, shares, basket, state, groups)


def _runs(
    offer: Offer, lines: Sequence[int], basket: Basket, state: State
) -> list[tuple[int, int]]:
    """(line, units ``_available``) where some are, dearest unit first (ties by line):
    ``_available`` inlined, as every multi-buy reads it for each of its lines."""
    free, grouped, closed, groups = state.free, state.grouped, state.closed, state.groups
    group, claims = offer.group, offer.claims
    runs = []
    for i in lines:
        if closed[i] or (group is not None and group in groups[i]):
            continue
        units = free[i] if claims else free[i] - grouped[i]
        if units > 0:
            runs.append((i, units))
    unit = basket.unit
    runs.sort(key=lambda run: (-unit[run[0]], run[0]))
    return runs


def _bundle(
    offer: Offer, reward: Bundle, lines: Sequence[int], basket: Basket, state: State
) -> int:
    left = {i: _available(offer, i, state) for i in lines}
    dearest = sorted((i for i in lines if left[i] > 0), key=lambda i: (-basket.unit[i], i))
    part_lines = [
        [i for i in dearest if part.scope.matches(basket.sku[i], basket.category[i])]
        for part in reward.parts
    ]
    saved: dict[int, int] = {}
    used: dict[int, int] = {}
    bundles = 0
    while offer.limit is None or bundles < offer.limit:
        pieces = _bundle_pieces(reward, part_lines, left)
        if pieces is None:
            break
        off = sum(basket.unit[i] * take for i, take in pieces) - reward.price.fen
        if off <= 0:
            break
        parts = split(off, [basket.unit[i] * take for i, take in pieces])
        for (i, take), part in zip(pieces, parts, strict=True):
            saved[i] = saved.get(i, 0) + part
            used[i] = used.get(i, 0) + take
            left[i] -= take
        bundles += 1
    shares = [(i, saved[i], used[i]) for i in sorted(used)]
    return _book(offer, shares, basket, state, bundles)


def _bundle_pieces(
    reward: Bundle, part_lines: list[list[int]], left: dict[int, int]
) -> list[tuple[int, int]] | None:
    taken: dict[int, int] = {}
    for part, candidates in zip(reward.parts, part_lines, strict=True):
        need = part.quantity
        for i in candidates:
            take = min(left[i] - taken.get(i, 0), need)
            if take > 0:
                taken[i] = taken.get(i, 0) + take
                need -= take
            if need == 0:
                break
        if need:
            return None
    return list(taken.items())


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

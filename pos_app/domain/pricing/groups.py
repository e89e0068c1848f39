"""Offers that group units: which units each group takes and what each line saves, for
``rewards.apply`` to book. Groups take the dearest units first (runs of equal units per line,
dearest first, ties by line) and stop at ``limit`` (applications) or when a group would save
nothing.

``group_shares``: "every nth unit at X % off" and "buy X get Y" (``_nth_units``: in each
group of ``size`` units the positions from ``first`` on, the cheapest, are discounted), and
"N for a price" (``_multi_buy``: each group's saving is its units' value minus the price,
split over its lines by value). ``bundle_shares``: one of each part for a price, split the
same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from pos_app.domain.pricing.offers import Offer
from pos_app.domain.pricing.order_level import split
from pos_app.domain.pricing.promotions import Bundle, BuyXGetY, MultiBuy, NthItemOff, Reward
from pos_app.domain.pricing.state import Basket, State

Share = tuple[int, int, int]
"""(line, fen saved, units used)."""


def group_shares(
    offer: Offer, reward: Reward, lines: Sequence[int], basket: Basket, state: State
) -> tuple[list[Share], int]:
    """A multi-buy, nth-unit or buy-x-get-y offer's shares and groups (``GROUPS_EFFECT``)."""
    runs = _runs(offer, lines, basket, state)
    if isinstance(reward, MultiBuy):
        return _multi_buy(runs, reward, basket.unit, offer.limit)
    if isinstance(reward, NthItemOff):
        return _nth_units(runs, reward.nth, reward.nth - 1, basket.unit, offer.limit, reward)
    assert isinstance(reward, BuyXGetY)
    return _nth_units(runs, reward.buy + reward.get, reward.buy, basket.unit, offer.limit, None)


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
    if len(runs) > 1:  # a sort's key is called even for one item
        unit = basket.unit
        runs.sort(key=lambda run: (-unit[run[0]], run[0]))
    return runs


def _nth_units(
    runs: list[tuple[int, int]],
    size: int,
    first: int,
    unit: list[int],
    limit: int | None,
    reward: NthItemOff | None,
) -> tuple[list[Share], int]:
    total = 0
    for _, units in runs:  # a run or two: a loop costs less than a comprehension and sum
        total += units
    groups = total // size
    if limit is not None and limit < groups:
        groups = limit
    end, position, before = groups * size, 0, 0
    shares: list[Share] = []
    for i, units in runs:
        if position >= end:
            break
        take = units if units < end - position else end - position
        position += take
        discounted = _discounted(position, size, first)  # from the first unit to this run's end
        full = unit[i] * (discounted - before)
        before = discounted
        shares.append((i, full if reward is None else reward.off(full), take))
    return shares, groups


def _discounted(position: int, size: int, first: int) -> int:
    """How many of the positions before ``position`` are discounted: in each group of
    ``size`` the positions from ``first`` on."""
    whole, rest = divmod(position, size)
    return whole * (size - first) + max(0, rest - first)


def _multi_buy(
    runs: list[tuple[int, int]], reward: MultiBuy, unit: list[int], limit: int | None
) -> tuple[list[Share], int]:
    left = [units for _, units in runs]
    saved = [0] * len(runs)
    used = [0] * len(runs)
    groups, k, count, price = 0, 0, reward.count, reward.price.fen
    while limit is None or groups < limit:
        while k < len(runs) and left[k] == 0:
            k += 1
        if k == len(runs):
            break
        if left[k] >= count:
            whole = left[k] // count if limit is None else min(left[k] // count, limit - groups)
            off = unit[runs[k][0]] * count - price
            if off <= 0:
                break
            saved[k] += off * whole
            used[k] += count * whole
            left[k] -= count * whole
            groups += whole
            continue
        pieces, need, j = [], count, k
        while need and j < len(runs):
            take = min(left[j], need)
            pieces.append((j, take))
            need, j = need - take, j + 1
        off = sum(unit[runs[j][0]] * take for j, take in pieces) - price
        if need or off <= 0:
            break
        parts = split(off, [unit[runs[j][0]] * take for j, take in pieces])
        for (j, take), part in zip(pieces, parts, strict=True):
            saved[j] += part
            used[j] += take
            left[j] -= take
        groups += 1
    shares = [(runs[j][0], saved[j], used[j]) for j in range(len(runs)) if used[j]]
    return shares, groups


def bundle_shares(
    offer: Offer, reward: Bundle, lines: Sequence[int], basket: Basket, state: State
) -> tuple[list[Share], int]:
    """A bundle offer's shares and bundles (``BUNDLE_EFFECT``)."""
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
    return [(i, saved[i], used[i]) for i in sorted(used)], bundles


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


def _open(offer: Offer, i: int, state: State) -> bool:
    group = offer.group
    return not state.closed[i] and (group is None or group not in state.groups[i])


def _available(offer: Offer, i: int, state: State) -> int:
    if not _open(offer, i, state):
        return 0
    return state.free[i] if offer.claims else state.free[i] - state.grouped[i]

"""Forming multi-buy groups from units sorted dearest first (runs of equal units per line).

``nth_units`` serves "every nth unit at X % off" and "buy X get Y": in each group of ``size``
units the positions from ``first`` on (the cheapest) are discounted. ``multi_buy`` serves
"N for a price": each group's saving is its units' value minus the price, split over its
lines by value. Groups stop at ``limit`` (applications) or when a group would save nothing.
"""

from __future__ import annotations

from pos_app.domain.pricing.order_level import split
from pos_app.domain.pricing.promotions import MultiBuy, NthItemOff, percent_of

Share = tuple[int, int, int]
"""(line, fen saved, units used)."""


def _discounted(position: int, size: int, first: int) -> int:
    """How many of the positions before ``position`` are discounted: in each group of
    ``size`` the positions from ``first`` on."""
    whole, rest = divmod(position, size)
    return whole * (size - first) + max(0, rest - first)


def nth_units(
    runs: list[tuple[int, int]],
    size: int,
    first: int,
    unit: list[int],
    limit: int | None,
    reward: NthItemOff | None,
) -> tuple[list[Share], int]:
    groups = sum(units for _, units in runs) // size
    groups = groups if limit is None else min(groups, limit)
    end, position = groups * size, 0
    shares: list[Share] = []
    for i, units in runs:
        if position >= end:
            break
        take = min(units, end - position)
        count = _discounted(position + take, size, first) - _discounted(position, size, first)
        full = unit[i] * count
        shares.append((i, full if reward is None else percent_of(full, reward.percent), take))
        position += take
    return shares, groups


def multi_buy(
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

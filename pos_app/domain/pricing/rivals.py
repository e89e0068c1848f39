"""The item nodes holding an order-level offer down, for ``repair``: what dropping a set of
them costs (their savings), frees (the base of the lines no node holds any more) and gains,
remembered per set, and the candidate sets to drop for a threshold. Internal to the pricing
package."""

from __future__ import annotations

from itertools import combinations

from pos_app.domain.pricing.offers import Offer
from pos_app.domain.pricing.order_level import order_saving

EXACT_RIVALS = 6
"""Up to this many units every union is a candidate; above it, a greedy chain."""

Option = tuple[int, int, int, int]
"""A candidate drop: (cost, number of nodes, freed, which units: bit j for ``units[j]``)."""


class Rivals:
    """An order-level offer's base after the item stage and the item nodes holding it down:
    ``held`` maps each set of nodes that saved on some lines to the base those lines would
    add if all of them went; ``units`` are those node sets (dropping a unit frees at least
    one line). What a set of dropped nodes costs, frees and gains is remembered: the
    proposals ask about the same sets again and again."""

    __slots__ = (
        "_cost",
        "_freed",
        "_gain",
        "_options",
        "_owned",
        "current",
        "everything",
        "held",
        "now",
        "offer",
        "saved_by",
        "units",
    )

    def __init__(
        self,
        offer: Offer,
        held: dict[frozenset[int], int],
        current: int,
        saved_by: dict[int, int],
    ) -> None:
        self.offer, self.held, self.current, self.saved_by = offer, held, current, saved_by
        self.units = list(held)
        """In no particular order: every answer made from them is ordered by node ids."""
        self.everything: frozenset[int] = frozenset().union(*self.units)
        self.now = order_saving(offer, current)[0]
        self._cost: dict[frozenset[int], int] = {}
        self._freed = {self.everything: sum(held.values())}
        self._gain: dict[frozenset[int], int] = {}
        self._options: list[Option] | None = None
        self._owned: dict[int, list[frozenset[int]]] | None = None

    def cost(self, dropped: frozenset[int]) -> int:
        found = self._cost.get(dropped)
        if found is None:
            found = self._cost[dropped] = sum(map(self.saved_by.__getitem__, dropped))
        return found

    def freed(self, dropped: frozenset[int]) -> int:
        found = self._freed.get(dropped)
        if found is None:
            owned, held = self._owners(), self.held
            found = sum(
                held[nodes] for k in dropped for nodes in owned.get(k, ()) if nodes <= dropped
            )
            self._freed[dropped] = found
        return found

    def _owners(self) -> dict[int, list[frozenset[int]]]:
        """Node id -> the held sets whose smallest node it is: a held set is inside a
        dropped set only if its smallest node is, so each is looked at once."""
        if self._owned is None:
            self._owned = {}
            for nodes in self.held:
                self._owned.setdefault(min(nodes), []).append(nodes)
        return self._owned

    def gain(self, dropped: frozenset[int]) -> int:
        found = self._gain.get(dropped)
        if found is None:
            after = order_saving(self.offer, self.current + self.freed(dropped))[0]
            found = self._gain[dropped] = after - self.now - self.cost(dropped)
        return found

    def options(self) -> list[Option]:
        """Candidate drops for a threshold, whatever amount it needs, cheapest first (then
        fewest nodes): every union of units when there are up to ``EXACT_RIVALS``, else the
        growing unions of units ranked by saving per freed fen, then each unit alone. A
        union that two ways make is there twice. (Sorted as plain tuples: cost and size
        first, which is all ``_cheapest_covers`` reads of the order.)"""
        if self._options is None:
            if sum(map(len, self.units)) == len(self.everything):
                options = self._apart()
            elif len(self.units) <= EXACT_RIVALS:
                options = self._unions()
            else:
                alone = [(self.cost(unit), len(unit), self.freed(unit)) for unit in self.units]
                options = [*self._growing(alone), *((*row, 1 << j) for j, row in enumerate(alone))]
            options.sort()
            self._options = options
        return self._options

    def drop(self, option: Option) -> frozenset[int]:
        """The node ids of an option (its cost and freed amount remembered)."""
        units, which = self.units, option[3]
        dropped = frozenset().union(*[unit for j, unit in enumerate(units) if which >> j & 1])
        self._cost.setdefault(dropped, option[0])
        self._freed.setdefault(dropped, option[2])
        return dropped

    def _apart(self) -> list[Option]:
        """``options`` when no two units share a node: a union costs, counts and frees the
        sum of what its units do, so none is made as a set."""
        units, saved_by, held = self.units, self.saved_by, self.held
        # Costs summed here, not by ``cost``: a call per unit less, and only unions of
        # units are asked about again (``drop`` remembers those).
        alone = [(sum(map(saved_by.__getitem__, unit)), len(unit), held[unit]) for unit in units]
        if len(units) <= EXACT_RIVALS:
            options: list[Option] = [(0, 0, 0, 0)]
            for j, (cost, size, freed) in enumerate(alone):
                bit = 1 << j
                options += [(c + cost, s + size, f + freed, w | bit) for c, s, f, w in options]
            return options[1:]
        options = []
        cost = size = freed = which = 0
        for j in self._ranked(alone):
            cost, size, freed = cost + alone[j][0], size + alone[j][1], freed + alone[j][2]
            which |= 1 << j
            options.append((cost, size, freed, which))
        return options + [(*row, 1 << j) for j, row in enumerate(alone)]

    def _unions(self) -> list[Option]:
        """Every union of units (some may share nodes)."""
        units, options = self.units, []
        for size in range(1, len(units) + 1):
            for combo in combinations(range(len(units)), size):
                dropped = frozenset().union(*(units[j] for j in combo))
                which = sum(1 << j for j in combo)
                options.append((self.cost(dropped), len(dropped), self.freed(dropped), which))
        return options

    def _ranked(self, alone: list[tuple[int, int, int]]) -> list[int]:
        """Positions of the units by saving per freed fen, then their sorted ids (``alone``:
        each unit's cost, size and freed amount)."""
        units = self.units
        return sorted(
            range(len(units)),
            key=lambda j: (alone[j][0] * 1_000_000 // max(alone[j][2], 1), sorted(units[j])),
        )

    def _growing(self, alone: list[tuple[int, int, int]]) -> list[Option]:
        """The greedy chain of unions, costed and freed as it grows (a held set is freed
        once its last node is in)."""
        missing = {nodes: len(nodes) for nodes in self.held}
        holding: dict[int, list[frozenset[int]]] = {}
        for nodes in self.held:
            for k in nodes:
                holding.setdefault(k, []).append(nodes)
        taken: set[int] = set()
        chain: list[Option] = []
        cost = freed = which = 0
        for j in self._ranked(alone):
            for k in self.units[j] - taken:
                taken.add(k)
                cost += self.saved_by[k]
                for nodes in holding[k]:
                    missing[nodes] -= 1
                    freed += 0 if missing[nodes] else self.held[nodes]
            which |= 1 << j
            chain.append((cost, len(taken), freed, which))
        return chain

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
        "current",
        "held",
        "now",
        "offer",
        "owned",
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
        self.units = sorted(held, key=sorted)
        self.owned: dict[int, list[frozenset[int]]] = {}
        """Node id -> the held sets whose smallest node it is: a held set is inside a
        dropped set only if its smallest node is, so each is looked at once."""
        for nodes in held:
            self.owned.setdefault(min(nodes), []).append(nodes)
        self.now = order_saving(offer, current)[0]
        self._cost: dict[frozenset[int], int] = {}
        self._freed: dict[frozenset[int], int] = {}
        self._gain: dict[frozenset[int], int] = {}
        self._options: list[frozenset[int]] | None = None

    def cost(self, dropped: frozenset[int]) -> int:
        found = self._cost.get(dropped)
        if found is None:
            saved_by = self.saved_by
            found = self._cost[dropped] = sum(saved_by[k] for k in dropped)
        return found

    def freed(self, dropped: frozenset[int]) -> int:
        found = self._freed.get(dropped)
        if found is None:
            owned, held = self.owned, self.held
            found = sum(
                held[nodes] for k in dropped for nodes in owned.get(k, ()) if nodes <= dropped
            )
            self._freed[dropped] = found
        return found

    def gain(self, dropped: frozenset[int]) -> int:
        found = self._gain.get(dropped)
        if found is None:
            after = order_saving(self.offer, self.current + self.freed(dropped))[0]
            found = self._gain[dropped] = after - self.now - self.cost(dropped)
        return found

    def options(self) -> list[frozenset[int]]:
        """Candidate drops for a threshold, whatever amount it needs: every union of units
        when there are up to ``EXACT_RIVALS``, else the growing unions of units ranked by
        saving per freed fen, then each unit alone."""
        if self._options is None:
            units = self.units
            if len(units) <= EXACT_RIVALS:
                self._options = [
                    frozenset().union(*combo)
                    for size in range(1, len(units) + 1)
                    for combo in combinations(units, size)
                ]
            else:
                self._options = [*self._growing(), *units]
        return self._options

    def _growing(self) -> list[frozenset[int]]:
        """The greedy chain of unions, costed and freed as it grows (a held set is freed
        once its last node is in)."""
        ranked = sorted(
            self.units,
            key=lambda u: (self.cost(u) * 1_000_000 // max(self.freed(u), 1), sorted(u)),
        )
        missing = {nodes: len(nodes) for nodes in self.held}
        holding: dict[int, list[frozenset[int]]] = {}
        for nodes in self.held:
            for k in nodes:
                holding.setdefault(k, []).append(nodes)
        taken: set[int] = set()
        chain: list[frozenset[int]] = []
        cost = freed = 0
        for unit in ranked:
            for k in unit - taken:
                taken.add(k)
                cost += self.saved_by[k]
                for nodes in holding[k]:
                    missing[nodes] -= 1
                    freed += 0 if missing[nodes] else self.held[nodes]
            union = frozenset(taken)
            self._cost.setdefault(union, cost)
            self._freed.setdefault(union, freed)
            chain.append(union)
        return chain

"""The branch and bound inside one cluster (``search``): the mask of searched nodes with the
lowest total, largest stand-alone saving first, "include" before "exclude", a branch cut when
what is left minus every saving still possible cannot beat the best found; and the limits on
how many combinations a pricing call may evaluate (``SearchLimits``, ``Budget``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAX_DEPTH = 400


@dataclass(frozen=True, slots=True)
class SearchLimits:
    """How many combinations the search may evaluate before it settles for the best found
    (``PricedCart.exact`` is then False). A cluster of more than ``MAX_DEPTH`` clashing
    nodes is not searched: every node in, then the single-offer guarantee."""

    combinations_per_cluster: int = 512
    combinations_per_cart: int = 4096


@dataclass(slots=True)
class Budget:
    limits: SearchLimits
    used: int = 0
    exact: bool = True


class BranchAndBound:
    """The mask with the lowest ``evaluate`` total (``search``'s module docstring says how).
    Nodes in ``exclusive`` pairs are never both included."""

    __slots__ = (
        "alone",
        "base",
        "best_mask",
        "best_total",
        "budget",
        "evaluate",
        "exclusive",
        "leaves",
        "mask",
        "order",
        "size",
        "suffix",
    )

    def __init__(
        self,
        alone: list[int],
        base: int,
        evaluate: Callable[[list[bool]], int],
        budget: Budget,
        exclusive: list[set[int]] | None = None,
    ) -> None:
        self.alone, self.base, self.evaluate, self.budget = alone, base, evaluate, budget
        self.size = size = len(alone)
        self.exclusive = exclusive or [set() for _ in alone]
        # largest saving first; the sort is stable, so ties stay in index order
        self.order = order = sorted(range(size), key=alone.__getitem__, reverse=True)
        self.suffix = suffix = [0] * (size + 1)
        for depth in range(size - 1, -1, -1):
            suffix[depth] = suffix[depth + 1] + alone[order[depth]]
        self.mask = [False] * size
        self.best_mask = [True] * size
        self.best_total: int | None = None
        self.leaves = 0

    def run(self) -> list[bool]:
        if self.size > MAX_DEPTH or not self._dfs(0, 0):
            self.budget.exact = False
        return self.best_mask

    def _dfs(self, depth: int, gained: int) -> bool:
        """False when the budget ran out."""
        best = self.best_total
        if best is not None and self.base - gained - self.suffix[depth] >= best:
            return True
        if depth == self.size:
            return self._leaf()
        k, mask = self.order[depth], self.mask
        if not any(map(mask.__getitem__, self.exclusive[k])):
            mask[k] = True
            if not self._dfs(depth + 1, gained + self.alone[k]):
                return False
            mask[k] = False
        return self._dfs(depth + 1, gained)

    def _leaf(self) -> bool:
        limits = self.budget.limits
        if self.best_total is not None and (
            self.leaves >= limits.combinations_per_cluster
            or self.budget.used >= limits.combinations_per_cart
        ):
            return False
        self.leaves += 1
        self.budget.used += 1
        total = self.evaluate(self.mask)
        if self.best_total is None or total < self.best_total:
            self.best_mask, self.best_total = list(self.mask), total
        return True

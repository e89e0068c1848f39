"""Evaluating the leaves of one cluster's search: each leaf applies the cluster's nodes from
the same prefix state, the searched ones as its choice says, and the state is put back after.
Internal to the pricing package; ``search.solve_cluster`` drives it.

Two savings, neither changing a result: in a wide cluster the state after each searched node's
segment is kept for later leaves that decided the earlier searched nodes the same way; and a
last order-level node is totalled without being spread: the search hands the best leaf's plan
for it to its caller, which spreads it once it knows the result is used. A narrow cluster,
where neither applies, gets ``Narrow``: the same leaves, without the segments
(``Narrow.fits``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pos_app.domain.pricing.offers import ORDER_EFFECT
from pos_app.domain.pricing.order_level import Plan, order_plan, saving
from pos_app.domain.pricing.rewards import apply
from pos_app.domain.pricing.state import App, Basket, Columns, Snapshot, State

if TYPE_CHECKING:
    from pos_app.domain.pricing.search import Node

WIDE = 16
"""Clusters over at least this many lines keep the state between searched nodes for reuse."""
_Kept = tuple[Columns, list[tuple[int, int, int]], list[App]]


class Leaves:
    """Applies a leaf's nodes (searched ones as its mask says) from a prefix state, and puts
    the prefix back. ``rest`` starts with a searched node; it is cut into segments, each a
    searched node and the nodes up to the next one. The state after a segment depends only
    on how the searched nodes so far were decided, so in wide clusters it is kept and a
    later leaf deciding them the same way starts from there.

    A last node that is order-level and not searched is *deferred*: what it would save is
    known without spreading it over its lines (``order_level.order_plan``, kept as ``plan``);
    a leaf's result is the state without it, plus that plan."""

    def __init__(
        self,
        rest: Sequence[Node],
        position: dict[int, int],
        basket: Basket,
        state: State,
        lines: list[int],
        prefix: Snapshot | None,
    ) -> None:
        """``prefix``: a snapshot of ``lines`` taken just now, if there is one."""
        self.segments: list[tuple[int, list[Node]]] = []
        for node in rest:
            k = position.get(node.id)
            if k is None:
                self.segments[-1][1].append(node)
            else:
                self.segments.append((k, [node]))
        last = self.segments[-1][1]
        self.deferred = (
            last.pop() if len(last) > 1 and last[-1].offer.effect == ORDER_EFFECT else None
        )
        self.basket, self.state, self.lines = basket, state, lines
        self.prefix = state.snapshot(lines) if prefix is None else prefix
        self.kept: dict[tuple[bool, ...], _Kept] | None = {} if len(lines) >= WIDE else None
        self.plan: Plan | None = None
        """The deferred node's plan on the leaf just applied (None without a deferred
        node)."""

    def apply(self, mask: list[bool]) -> int:
        """Apply the leaf but a deferred node; what that node would save."""
        decided = tuple(mask[k] for k, _ in self.segments)
        depth = self._resume(decided)
        basket, state, last = self.basket, self.state, len(self.segments) - 1
        for at in range(depth, last + 1):
            k, nodes = self.segments[at]
            for node in nodes if mask[k] else nodes[1:]:
                apply(node.offer, node.lines, basket, state)
            if self.kept is not None and at < last and decided[: at + 1] not in self.kept:
                self.kept[decided[: at + 1]] = self._keep()
        deferred = self.deferred
        if deferred is None:
            return 0
        self.plan = order_plan(deferred.offer, deferred.lines, state)
        return saving(self.plan)

    def reset(self) -> None:
        self.state.restore(self.lines, self.prefix)

    def _resume(self, decided: tuple[bool, ...]) -> int:
        """Start from the deepest kept state for these decisions; how many segments it
        covers."""
        if self.kept:
            for depth in range(len(decided) - 1, 0, -1):
                kept = self.kept.get(decided[:depth])
                if kept is not None:
                    columns, entries, apps = kept
                    state = self.state
                    state.restore(self.lines, (columns, len(state.entries), len(state.apps)))
                    state.entries.extend(entries)
                    state.apps.extend(apps)
                    return depth
        return 0

    def _keep(self) -> _Kept:
        state, (_, entries, apps) = self.state, self.prefix
        return state.snapshot(self.lines)[0], state.entries[entries:], state.apps[apps:]


class Narrow:
    """``Leaves`` for a cluster where they keep nothing (fewer than ``WIDE`` lines) and
    defer nothing (the last node is not order-level): a leaf is then only the nodes applied
    in order, the searched ones as the mask says, and the prefix put back after. Most
    clusters are a line or two with a few offers; this spares them the segments."""

    __slots__ = ("basket", "lines", "prefix", "state", "steps")
    plan: Plan | None = None
    """Nothing is deferred."""

    @staticmethod
    def fits(rest: Sequence[Node], lines: list[int]) -> bool:
        """Whether ``Leaves`` over ``lines`` would keep nothing and defer nothing."""
        return len(lines) < WIDE and rest[-1].offer.effect != ORDER_EFFECT

    def __init__(
        self,
        rest: Sequence[Node],
        position: dict[int, int],
        basket: Basket,
        state: State,
        lines: list[int],
        prefix: Snapshot | None,
    ) -> None:
        self.steps = [(node.offer, node.lines, position.get(node.id)) for node in rest]
        self.basket, self.state, self.lines = basket, state, lines
        self.prefix = state.snapshot(lines) if prefix is None else prefix

    def apply(self, mask: list[bool]) -> int:
        basket, state = self.basket, self.state
        for offer, lines, k in self.steps:
            if k is None or mask[k]:
                apply(offer, lines, basket, state)
        return 0

    def reset(self) -> None:
        self.state.restore(self.lines, self.prefix)

"""Promotions indexed by SKU and category, so pricing a cart only looks at rules that can apply.

A promotion is filed under each SKU and category its scope names (a bundle under its parts'),
or under "everything" when its scope names neither. Pricing a cart visits, per line, the
promotions filed under its SKU, its category and everything; the work grows with what the
cart can match, not with the number of live promotions (but for one list slot per promotion,
made at once). Built once when promotions change (import, sync) and shared between pricing
calls; the promotions covering a (SKU, category) pair are worked out the first time a cart
holds it and kept (at most one entry per SKU), so a reprice looks each line up once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pos_app.domain.pricing.adjustments import PricingLine, PricingMember
from pos_app.domain.pricing.offers import Offer, promotion_offer
from pos_app.domain.pricing.promotions import Bundle, Promotion, Scope
from pos_app.domain.pricing.windows import Moment, Window

_ALWAYS = Window()


class RuleIndex:
    """Read-only after construction; promotions are kept sorted by id. Inside, a promotion is
    known by its position in that order and by its *rank*, its place in application order
    (``Offer.key``), worked out once here so that a reprice gets its offers in that order
    without sorting them by key."""

    __slots__ = (
        "_by_category",
        "_by_rank",
        "_by_sku",
        "_covering",
        "_everywhere",
        "_matchers",
        "_offers",
        "_own_limit",
        "_promotions",
        "_rank",
        "_runs",
    )

    def __init__(self, promotions: Iterable[Promotion] = ()) -> None:
        ordered = tuple(sorted(promotions, key=lambda promotion: promotion.id))
        ids = [promotion.id for promotion in ordered]
        if len(set(ids)) != len(ids):
            raise ValueError("promotion ids must be unique")
        by_sku: dict[str, list[int]] = {}
        by_category: dict[str, list[int]] = {}
        everywhere: list[int] = []
        for position, promotion in enumerate(ordered):
            scopes = promotion.index_scopes
            if any(scope.everything for scope in scopes):
                everywhere.append(position)
                continue
            for scope in scopes:
                for sku in scope.skus:
                    _file(by_sku, sku, position)
                for category in scope.categories:
                    _file(by_category, category, position)
        self._promotions = ordered
        self._matchers = tuple(_matcher(promotion) for promotion in ordered)
        self._offers = tuple(
            promotion_offer(promotion, promotion.caps.per_order) for promotion in ordered
        )
        self._runs = tuple(map(_runs, ordered))
        self._own_limit = tuple(promotion.caps.per_member is None for promotion in ordered)
        """Whether ``remaining_uses`` is the per-order cap, whoever buys: the offer as made."""
        self._by_rank = tuple(sorted(range(len(ordered)), key=lambda p: self._offers[p].key))
        """Rank -> position. (The limit a call gives an offer does not change its key.)"""
        rank = [0] * len(ordered)
        for k, position in enumerate(self._by_rank):
            rank[position] = k
        self._rank = tuple(rank)
        self._by_sku = {key: tuple(value) for key, value in by_sku.items()}
        self._by_category = {key: tuple(value) for key, value in by_category.items()}
        self._everywhere = tuple(everywhere)
        self._covering: dict[str, tuple[str, tuple[int, ...]]] = {}
        """SKU -> (its category, ranks of the promotions covering the product): filled as
        carts are priced, at most one entry per SKU (a SKU met under another category is
        worked out again). A value is computed whole before it is stored, so concurrent
        pricing calls at worst compute one twice."""

    @property
    def promotions(self) -> tuple[Promotion, ...]:
        return self._promotions

    def __len__(self) -> int:
        return len(self._promotions)

    def offer(self, position: int, limit: int | None) -> Offer:
        """The promotion at ``position`` ready to apply with ``limit`` applications."""
        made = self._offers[position]
        return made if made.limit == limit else promotion_offer(self._promotions[position], limit)

    def matching(self, lines: Sequence[PricingLine]) -> dict[int, list[int]]:
        """Promotion position -> ascending indices of the ``lines`` it covers."""
        found, ranks = self._found(lines)
        return {self._by_rank[rank]: found[rank] or [] for rank in ranks}

    def running(
        self, lines: Sequence[PricingLine], member: PricingMember | None, moment: Moment
    ) -> list[tuple[Offer, tuple[int, ...]]]:
        """The promotions covering some of ``lines`` that run for ``member`` at ``moment``
        with uses left, ready to apply, each with the ascending indices of the lines it
        covers, in application order. (A promotion open to all, always, needs no check; one
        with no cap per member has its offer made already.)"""
        found, ranks = self._found(lines)
        ranks.sort()
        by_rank, promotions, offers = self._by_rank, self._promotions, self._offers
        runs, own_limit = self._runs, self._own_limit
        planned: list[tuple[Offer, tuple[int, ...]]] = []
        for rank in ranks:
            position = by_rank[rank]
            test = runs[position]
            if test is not None:  # ``Promotion.runs_for``, read from ``_runs``
                needs_member, tiers, window = test
                if needs_member and (member is None or (tiers and member.tier not in tiers)):
                    continue
                if window is not None and not window.contains_moment(moment):
                    continue
            if own_limit[position]:
                offer = offers[position]
            else:
                limit = promotions[position].remaining_uses(member)
                if limit == 0:
                    continue
                offer = self.offer(position, limit)
            planned.append((offer, tuple(found[rank] or ())))
        return planned

    def _found(self, lines: Sequence[PricingLine]) -> tuple[list[list[int] | None], list[int]]:
        """Rank -> ascending indices of the ``lines`` the promotion covers (None where it
        covers none), and the ranks of those covering some, in the order first met. (A list
        by rank and a test for None cost less per line than a dict by position.)"""
        found: list[list[int] | None] = [None] * len(self._promotions)
        ranks: list[int] = []
        covering = self._covering
        for i, line in enumerate(lines):
            sku, category = line.sku, line.category
            entry = covering.get(sku)
            if entry is None or entry[0] != category:
                entry = covering[sku] = (category, self._covering_ranks(sku, category))
            for rank in entry[1]:
                hits = found[rank]
                if hits is None:
                    found[rank] = [i]
                    ranks.append(rank)
                else:
                    hits.append(i)
        return found, ranks

    def _covering_ranks(self, sku: str, category: str) -> tuple[int, ...]:
        """The ranks of the promotions covering a product, each once, in the order they are
        filed: under its SKU, its category, then everything."""
        matchers = self._matchers
        positions: list[int] = []
        for group in (
            self._by_sku.get(sku, ()),
            self._by_category.get(category, ()),
            self._everywhere,
        ):
            for position in group:
                if position not in positions and _covers(matchers[position], sku, category):
                    positions.append(position)
        return tuple(self._rank[position] for position in positions)


_Runs = tuple[bool, frozenset[str], Window | None]


def _runs(promotion: Promotion) -> _Runs | None:
    """What ``Promotion.runs_for`` reads, worked out once: None when the promotion runs for
    everyone at every moment; else whether it needs a member, the tiers it is for (empty:
    every tier) and its window (None: every moment, which ``Window()`` contains)."""
    needs_member = promotion.member_only or bool(promotion.tiers)
    window = None if promotion.window == _ALWAYS else promotion.window
    if not needs_member and window is None:
        return None
    return needs_member, promotion.tiers, window


_Test = tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str], bool]


def _test(scope: Scope) -> _Test:
    return (
        scope.exclude_skus,
        scope.exclude_categories,
        scope.skus,
        scope.categories,
        scope.everything,
    )


def _matcher(promotion: Promotion) -> tuple[_Test, tuple[_Test, ...]]:
    """The promotion's scope, and a bundle's parts (one of which a line must match)."""
    parts = promotion.index_scopes if isinstance(promotion.reward, Bundle) else ()
    return _test(promotion.scope), tuple(_test(part) for part in parts)


def _matches(test: _Test, sku: str, category: str) -> bool:
    exclude_skus, exclude_categories, skus, categories, everything = test
    if sku in exclude_skus or category in exclude_categories:
        return False
    return everything or sku in skus or category in categories


def _covers(matcher: tuple[_Test, tuple[_Test, ...]], sku: str, category: str) -> bool:
    scope, parts = matcher
    if not _matches(scope, sku, category):
        return False
    return not parts or any(_matches(part, sku, category) for part in parts)


def _file(table: dict[str, list[int]], key: str, position: int) -> None:
    entries = table.setdefault(key, [])
    if not entries or entries[-1] != position:
        entries.append(position)

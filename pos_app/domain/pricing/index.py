"""Promotions indexed by SKU and category, so pricing a cart only looks at rules that can apply.

A promotion is filed under each SKU and category its scope names (a bundle under its parts'),
or under "everything" when its scope names neither. Pricing a cart visits, per line, the
promotions filed under its SKU, its category and everything; the work grows with what the
cart can match, not with the number of live promotions. Built once when promotions change
(import, sync) and shared between pricing calls; the promotions covering a (SKU, category)
pair are worked out the first time a cart holds it and kept (at most one entry per product),
so a reprice looks each line up once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pos_app.domain.pricing.adjustments import PricingLine
from pos_app.domain.pricing.offers import Offer, promotion_offer
from pos_app.domain.pricing.promotions import Bundle, Promotion, Scope


class RuleIndex:
    """Read-only after construction; promotions are kept sorted by id."""

    __slots__ = (
        "_by_category",
        "_by_sku",
        "_covering",
        "_everywhere",
        "_matchers",
        "_offers",
        "_promotions",
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
        self._by_sku = {key: tuple(value) for key, value in by_sku.items()}
        self._by_category = {key: tuple(value) for key, value in by_category.items()}
        self._everywhere = tuple(everywhere)
        self._covering: dict[tuple[str, str], tuple[int, ...]] = {}
        """(SKU, category) -> positions of the promotions covering it: filled as carts are
        priced; a value is computed whole before it is stored, so concurrent pricing calls
        at worst compute one twice."""

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
        found: dict[int, list[int]] = {}
        covering = self._covering
        for i, line in enumerate(lines):
            key = (line.sku, line.category)
            positions = covering.get(key)
            if positions is None:
                positions = covering[key] = self._covering_positions(*key)
            for position in positions:
                hits = found.get(position)
                if hits is None:
                    found[position] = [i]
                else:
                    hits.append(i)
        return found

    def _covering_positions(self, sku: str, category: str) -> tuple[int, ...]:
        """The promotions covering a product, each once, in the order they are filed: under
        its SKU, its category, then everything."""
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
        return tuple(positions)


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

"""Automatic promotions as data: which goods (scope), when (window), for whom (audience), what
they give (reward), and how they combine (stacking, exclusivity group, priority, caps).

Combination rules the engine applies (see ``engine`` for the search):
- ``stackable=False`` (the default, as most shelf offers): the goods it discounts get no other
  promotion. ``stackable=True``: combines with other stackable promotions on the same goods,
  each computed on what is left to pay.
- ``group``: promotions in one exclusivity group never apply to the same line together (for
  example three member-day offers of which a line may get one).
- ``priority`` (higher first) orders offers inside a combination, which decides who gets
  contested units first; the engine still picks the combination cheapest for the customer.
- Caps: ``per_order`` and ``per_member`` count applications (discounted units for per-unit
  offers, groups for multi-buys, bundles, 1 for spend-and-save); ``max_discount`` caps the
  saving per order. A per-member cap needs an identified member.
Percentages are ``Decimal`` percent off (``Decimal("5")`` is 9.5折), rounded once, half up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from pos_app.domain.money import Money
from pos_app.domain.pricing.adjustments import PricingMember
from pos_app.domain.pricing.windows import Moment, Window

_HUNDRED = Decimal(100)


def percent_of(fen: int, percent: Decimal) -> int:
    """``percent`` % of ``fen`` (not negative), rounded half up once: the same as
    ``Money(fen).times_decimal(percent / 100)``, in integers when the percentage has at most
    two decimals (hundredths of a percent)."""
    hundredths = percent_hundredths(percent)
    if hundredths is not None:
        return (fen * hundredths + 5_000) // 10_000
    return Money(fen).times_decimal(percent / _HUNDRED).fen


def percent_hundredths(percent: Decimal) -> int | None:
    """The percentage in hundredths of a percent, when it has at most two decimals: then
    ``percent_of(fen, percent) == (fen * hundredths + 5_000) // 10_000``."""
    hundredths = percent * _HUNDRED
    if hundredths == hundredths.to_integral_value():
        return int(hundredths)
    return None


def _check_percent(percent: Decimal) -> None:
    if not isinstance(percent, Decimal) or not Decimal(0) < percent <= _HUNDRED:
        raise ValueError(f"percent must be a Decimal in (0, 100], got {percent!r}")


@dataclass(frozen=True, slots=True)
class Scope:
    """Goods by SKU or category; no SKU and no category means every product. Exclusions win."""

    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    exclude_skus: frozenset[str] = frozenset()
    exclude_categories: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return not self.skus and not self.categories

    @property
    def specificity(self) -> int:
        """0 for SKUs only, 1 with categories, 2 for every product: specific offers go first."""
        return 2 if self.everything else (1 if self.categories else 0)

    def matches(self, sku: str, category: str) -> bool:
        if sku in self.exclude_skus or category in self.exclude_categories:
            return False
        return self.everything or sku in self.skus or category in self.categories


@dataclass(frozen=True, slots=True)
class Caps:
    per_order: int | None = None
    per_member: int | None = None
    max_discount: Money | None = None

    def __post_init__(self) -> None:
        for name in ("per_order", "per_member"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1")


@dataclass(frozen=True, slots=True)
class PercentOff:
    percent: Decimal

    def __post_init__(self) -> None:
        _check_percent(self.percent)


@dataclass(frozen=True, slots=True)
class AmountOff:
    """Money off each unit (each weighed line)."""

    amount: Money


@dataclass(frozen=True, slots=True)
class SpecialPrice:
    """A set price per unit, or per kilogram for a weighed line."""

    price: Money


@dataclass(frozen=True, slots=True)
class MultiBuy:
    """``count`` units for ``price`` (3件10元); the dearest eligible units are grouped first."""

    count: int
    price: Money

    def __post_init__(self) -> None:
        if self.count < 2:
            raise ValueError("a multi-buy needs at least 2 units")


@dataclass(frozen=True, slots=True)
class NthItemOff:
    """Every ``nth`` unit at ``percent`` off (第二件半价): units sorted dearest first are
    grouped by ``nth``, and the cheapest unit of each group is discounted."""

    nth: int
    percent: Decimal
    hundredths: int | None = field(init=False, repr=False, compare=False)
    """``percent_hundredths(percent)``, worked out once: every application reads it."""

    def __post_init__(self) -> None:
        _check_percent(self.percent)
        if self.nth < 2:
            raise ValueError("nth must be at least 2")
        object.__setattr__(self, "hundredths", percent_hundredths(self.percent))

    def off(self, fen: int) -> int:
        """``percent_of(fen, percent)``."""
        hundredths = self.hundredths
        if hundredths is not None:
            return (fen * hundredths + 5_000) // 10_000
        return percent_of(fen, self.percent)


@dataclass(frozen=True, slots=True)
class BuyXGetY:
    """Buy ``buy``, get ``get`` free: in each group of buy + get units the cheapest are free."""

    buy: int
    get: int

    def __post_init__(self) -> None:
        if self.buy < 1 or self.get < 1:
            raise ValueError("buy and get must be at least 1")


@dataclass(frozen=True, slots=True)
class BundlePart:
    scope: Scope
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Bundle:
    """One of each part (牛奶+面包) for ``price``; the dearest matching units are used first."""

    parts: tuple[BundlePart, ...]
    price: Money

    def __post_init__(self) -> None:
        if len(self.parts) < 1 or any(part.quantity < 1 for part in self.parts):
            raise ValueError("a bundle needs parts with a positive quantity")


@dataclass(frozen=True, slots=True)
class SpendTier:
    """满``threshold``减``off``: the saving never exceeds the spend that earns it."""

    threshold: Money
    off: Money

    def __post_init__(self) -> None:
        if not 0 < self.off.fen <= self.threshold.fen:
            raise ValueError("a tier saves more than nothing and at most its threshold")


@dataclass(frozen=True, slots=True)
class SpendTiers:
    """Spend X save Y (满减) on the eligible goods' amount after item discounts; the best tier
    reached applies. ``repeat`` (每满100减10) needs exactly one tier."""

    tiers: tuple[SpendTier, ...]
    repeat: bool = False

    def __post_init__(self) -> None:
        thresholds = [tier.threshold.fen for tier in self.tiers]
        if not thresholds or thresholds != sorted(set(thresholds)) or thresholds[0] <= 0:
            raise ValueError("tiers need positive, strictly increasing thresholds")
        if self.repeat and len(self.tiers) != 1:
            raise ValueError("a repeating spend-and-save has exactly one tier")

    def reached(self, base_fen: int, limit: int | None) -> tuple[int, SpendTier | None, int]:
        """(money off in fen, tier reached, applications) for an eligible amount."""
        if self.repeat:
            tier = self.tiers[0]
            times = base_fen // tier.threshold.fen
            times = times if limit is None else min(times, limit)
            return (tier.off.fen * times, tier, times) if times else (0, None, 0)
        reached = [tier for tier in self.tiers if tier.threshold.fen <= base_fen]
        if not reached:
            return 0, None, 0
        best = max(reached, key=lambda tier: (tier.off.fen, tier.threshold.fen))
        return best.off.fen, best, 1


Reward = (
    PercentOff | AmountOff | SpecialPrice | MultiBuy | NthItemOff | BuyXGetY | Bundle | SpendTiers
)
GROUPING = (MultiBuy, NthItemOff, BuyXGetY, Bundle)
PER_UNIT = (PercentOff, AmountOff, SpecialPrice)


@dataclass(frozen=True, slots=True)
class Promotion:
    id: str
    name: str
    reward: Reward
    scope: Scope = field(default_factory=Scope)
    window: Window = field(default_factory=Window)
    member_only: bool = False
    tiers: frozenset[str] = frozenset()
    stackable: bool = False
    group: str | None = None
    priority: int = 0
    caps: Caps = field(default_factory=Caps)
    reason: str | None = None
    """Message key override (``promo.member_day``); else one per reward kind."""

    @property
    def index_scopes(self) -> tuple[Scope, ...]:
        """The scopes to index the promotion by: a bundle's parts, else its scope."""
        if isinstance(self.reward, Bundle):
            return tuple(part.scope for part in self.reward.parts)
        return (self.scope,)

    def covers(self, sku: str, category: str) -> bool:
        if not self.scope.matches(sku, category):
            return False
        if isinstance(self.reward, Bundle):
            return any(part.scope.matches(sku, category) for part in self.reward.parts)
        return True

    def remaining_uses(self, member: PricingMember | None) -> int | None:
        """Applications still allowed in this order (None: unlimited; 0: none)."""
        limit = self.caps.per_order
        if self.caps.per_member is not None:
            if member is None:
                return 0
            left = max(0, self.caps.per_member - member.prior_uses.get(self.id, 0))
            limit = left if limit is None else min(limit, left)
        return limit

    def runs_for(self, member: PricingMember | None, local: datetime | Moment) -> bool:
        """Audience and window; ``local`` is the aware instant in the store's time zone (or
        its ``Moment``, worked out once for many promotions)."""
        if (self.member_only or self.tiers) and member is None:
            return False
        if self.tiers and member is not None and member.tier not in self.tiers:
            return False
        return self.window.contains_moment(local if isinstance(local, Moment) else Moment.of(local))

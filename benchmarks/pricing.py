"""reprice_200_lines_500_promos: the pricing engine recomputing a 200-line member cart with 3
coupons against 500 live promotions, pure domain, no database.

The store is generated from a fixed seed: 5,000 SKUs in 25 categories (weighed fresh food
per kg, member prices on a fifth of the SKUs), and a promotion mix like a Chinese
supermarket's weekly flyer: SKU specials (some limited per order), percent off a few SKUs,
second item half price, N for a price, buy X get Y, bundles, stackable category offers
(some member-only or for a tier), a Wednesday member day, spend-and-save tiers on categories
and one store-wide (tobacco excluded), with date, weekday and hour windows (some not running at
the measured instant), priorities and exclusivity groups. Multi-SKU offers cover a product
family in one category, as flyers do. Coupons: a ¥10 cash coupon from
¥100, 9折 on household goods up to ¥20, and a parking coupon from ¥200.

How it scales with the number of promotions (10, 100, 500 and 1,000; same carts, coupons and
member): ``.venv/bin/python -m benchmarks.pricing``, one JSON line per count.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import datetime, timedelta, timezone
from datetime import time as clock
from decimal import Decimal

from pos_app.bootstrap import settle_heap, unsettle_heap
from pos_app.domain.money import Money
from pos_app.domain.pricing import (
    AmountOff,
    Bundle,
    BundlePart,
    BuyXGetY,
    Caps,
    Coupon,
    CouponKind,
    MultiBuy,
    NthItemOff,
    PercentOff,
    PricingLine,
    PricingMember,
    Promotion,
    Reward,
    RuleIndex,
    Scope,
    SpecialPrice,
    SpendTier,
    SpendTiers,
    Window,
    price,
)

ZONE = "Asia/Shanghai"
SHANGHAI = timezone(timedelta(hours=8))
AT = datetime(2025, 6, 4, 18, 45, tzinfo=SHANGHAI)  # a Wednesday evening
# fmt: off
CATEGORIES = ["饮料", "乳品", "烘焙", "零食", "粮油", "调味", "水果", "蔬菜", "猪肉", "水产",
              "冷冻", "日化", "个护", "纸品", "酒类", "烟草", "母婴", "家居", "文具", "熟食",
              "茶叶", "冲调", "方便食品", "宠物", "小家电"]
# fmt: on
WEIGHED = {"水果", "蔬菜", "猪肉", "水产"}
SKU_COUNT = 5_000
LINES = 200
CARTS = 5
SAMPLES = 300
MEMBER = PricingMember("M-0001", "gold", member_prices=True, prior_uses={"P00007": 1})


class Store:
    """A generated catalogue: SKU -> (category, unit price in fen, member price or None)."""

    def __init__(self, seed: int = 2025) -> None:
        self.random = random.Random(seed)
        self.products: dict[str, tuple[str, int, int | None]] = {}
        for n in range(SKU_COUNT):
            category = CATEGORIES[n % len(CATEGORIES)]
            unit = int(self.random.lognormvariate(6.6, 0.8)) + 50  # about ¥7.50 median
            member = unit * self.random.choice((85, 90, 95)) // 100 if n % 5 == 0 else None
            self.products[f"S{n:05d}"] = (category, unit, member)
        self.skus = sorted(self.products)

    def cart(self, seed: int) -> list[PricingLine]:
        """``LINES`` distinct SKUs; weighed goods 150 g to 2.5 kg, others 1 to 12 pieces."""
        chooser = random.Random(seed)
        lines = []
        for n, sku in enumerate(chooser.sample(self.skus, LINES)):
            category, unit, member = self.products[sku]
            weighed = category in WEIGHED
            quantity = 1 if weighed else chooser.choice((1, 1, 1, 1, 2, 2, 3, 4, 6, 12))
            grams = chooser.randint(150, 2_500) if weighed else None
            member_price = None if member is None else Money(member)
            lines.append(
                PricingLine(
                    f"c{seed}-{n}", sku, category, Money(unit), quantity, grams, member_price
                )
            )
        return lines

    def promotions(self, count: int) -> list[Promotion]:
        chooser = random.Random(count)
        return [self._promotion(n, chooser) for n in range(count)]

    def _promotion(self, n: int, r: random.Random) -> Promotion:
        """SKU offers (90 %) on one product or a family in one category; the rest by
        category or store-wide."""
        kind = r.random()
        category = r.choice(CATEGORIES)
        if n == 0:
            return self._category_promotion(n, r, 1.0, category)
        if kind >= 0.90:
            return self._category_promotion(n, r, min(0.949, (kind - 0.90) * 10), category)
        family = [sku for sku in self.skus if self.products[sku][0] == category]
        skus = frozenset(r.sample(family, r.choice((1, 1, 1, 2, 3))))
        unit = max(self.products[sku][1] for sku in skus)
        fields: dict[str, object] = {"priority": r.randint(0, 3), "window": _window(r)}
        reward: Reward
        if kind < 0.38:
            reward = SpecialPrice(Money(unit * 80 // 100))
            fields["caps"] = Caps(per_order=r.choice((None, None, 2, 5)))
        elif kind < 0.50:
            reward = PercentOff(Decimal(r.choice((10, 15, 20, 30))))
        elif kind < 0.65:
            reward = NthItemOff(2, Decimal(50))
        elif kind < 0.75:
            count = r.choice((2, 3))
            reward = MultiBuy(count, Money(unit * count * 85 // 100))
        elif kind < 0.83:
            reward = BuyXGetY(r.choice((2, 3)), 1)
        else:
            other = frozenset(r.sample(self.skus, 1))
            total = unit + self.products[min(other)][1]
            reward = Bundle(
                (BundlePart(Scope(skus=skus)), BundlePart(Scope(skus=other))),
                Money(total * 85 // 100),
            )
        return Promotion(f"P{n:05d}", f"促销{n}", reward, Scope(skus=skus), **fields)  # type: ignore[arg-type]

    def _category_promotion(
        self, n: int, r: random.Random, kind: float, category: str
    ) -> Promotion:
        """Category offers: flyer percentages, member-only, member day, tier money off,
        spend-and-save by category; ``kind`` 1.0 is the one store-wide spend-and-save
        (tobacco excluded)."""
        scope = Scope(categories=frozenset({category}))
        fields: dict[str, object] = {
            "priority": r.randint(0, 3),
            "window": _window(r),
            "stackable": True,
        }
        reward: Reward
        if kind < 0.45:
            reward = PercentOff(Decimal(r.choice((5, 8, 10))))
            fields.update(group=r.choice((None, "flyer")), member_only=r.random() < 0.3)
        elif kind < 0.60:
            reward = PercentOff(Decimal(5))
            fields.update(
                group="member_day",
                member_only=True,
                reason="promo.member_day",
                window=Window(weekdays=frozenset({3})),
            )
        elif kind < 0.75:
            reward = AmountOff(Money(r.choice((50, 100))))
            fields.update(tiers=frozenset({"gold", "platinum"}))
        elif kind < 0.95:
            reward = SpendTiers(
                (SpendTier(Money(5_000), Money(500)), SpendTier(Money(10_000), Money(1_500)))
            )
            fields.update(stackable=r.random() < 0.7)
        else:
            reward = SpendTiers(
                (SpendTier(Money(10_000), Money(2_000)), SpendTier(Money(20_000), Money(5_000)))
            )
            scope = Scope(exclude_categories=frozenset({"烟草"}))
        return Promotion(f"P{n:05d}", f"促销{n}", reward, scope, **fields)  # type: ignore[arg-type]


def _window(r: random.Random) -> Window:
    roll = r.random()
    if roll < 0.30:
        return Window(
            starts=AT - timedelta(days=r.randint(1, 20)),
            ends=AT + timedelta(days=r.randint(-2, 20)),
        )
    if roll < 0.45:
        start = r.choice((8, 10, 17, 19))
        return Window(from_time=clock(start), until_time=clock(start + 2))
    if roll < 0.55:
        return Window(weekdays=frozenset(r.sample(range(1, 8), 3)))
    return Window()


def coupons() -> list[Coupon]:
    start, end = AT - timedelta(days=7), AT + timedelta(days=7)
    return [
        Coupon(
            "CASH10",
            CouponKind.CASH,
            "满100用10元现金券",
            start,
            end,
            amount=Money(1_000),
            min_spend=Money(10_000),
        ),
        Coupon(
            "HOME90",
            CouponKind.PERCENT,
            "日化9折券",
            start,
            end,
            percent=Decimal(10),
            max_discount=Money(2_000),
            scope=Scope(categories=frozenset({"日化"})),
        ),
        Coupon(
            "PARK2H",
            CouponKind.PARKING,
            "满200停车2小时",
            start,
            end,
            min_spend=Money(20_000),
            minutes=120,
        ),
    ]


def measure(
    promotion_count: int, samples: int = SAMPLES, store: Store | None = None, *, freeze: bool = True
) -> list[float]:
    """Milliseconds per reprice. ``freeze`` settles the heap first as the app does once rules
    and catalogue are loaded (``bootstrap.settle_heap``: the long-lived store data moved out
    of the garbage collector's reach, the young generation collected less often); without it
    a full collection over that heap lands in a sample now and then (tens of ms on this
    store)."""
    store = store or Store()
    rules = RuleIndex(store.promotions(promotion_count))
    carts = [store.cart(seed) for seed in range(CARTS)]
    presented = coupons()
    for cart in carts:  # warm-up: imports, zoneinfo cache
        price(cart, rules, AT, time_zone=ZONE, member=MEMBER, coupons=presented)
    settled = settle_heap() if freeze else None
    timings = []
    try:
        for n in range(samples):
            cart = carts[n % CARTS]
            started = time.perf_counter()
            price(cart, rules, AT, time_zone=ZONE, member=MEMBER, coupons=presented)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        if settled is not None:
            unsettle_heap(settled)
    return timings


def reprice_200_lines_500_promos() -> tuple[str, list[float], str, str, list[float]]:
    store = Store()
    samples = measure(500, store=store)
    baseline = measure(10, store=store)
    setup = (
        f"pricing.price() from scratch on {CARTS} generated {LINES}-line member carts "
        f"(gold tier, member prices) with 3 coupons, {SKU_COUNT:,} SKUs in "
        f"{len(CATEGORIES)} categories, 500 live promotions (weekly-flyer mix), "
        f"{SAMPLES} reprices, one process, heap settled first as the app does "
        "(bootstrap.settle_heap)"
    )
    return (
        "reprice_200_lines_500_promos",
        samples,
        setup,
        "the same carts and coupons with 10 promotions",
        baseline,
    )


def reprice_at(count: int) -> tuple[str, list[float], str, str, list[float]]:
    """The same reprice at ``count`` promotions, against 10 promotions in the same process:
    how the engine scales (``pos bench reprice_200_lines_1000_promos`` ...)."""
    store = Store()
    samples = measure(count, store=store)
    baseline = samples if count == 10 else measure(10, store=store)
    setup = f"as reprice_200_lines_500_promos, with {count:,} live promotions"
    return (f"reprice_200_lines_{count}_promos", samples, setup,
            "the same carts and coupons with 10 promotions", baseline)


def pricing_scaling() -> list[tuple[int, float]]:
    """Median milliseconds to reprice the 200-line cart at 10, 100 and 1,000 promotions."""
    store = Store()
    return [
        (count, statistics.median(measure(count, samples=100, store=store)))
        for count in (10, 100, 1_000)
    ]


SCALING = (10, 100, 500, 1_000)


def _p99(samples: list[float]) -> float:
    """Nearest rank, as ``benchmarks.run.percentile`` reads it."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(0.99 * len(ordered) + 0.5) - 1))]


def main() -> None:
    """``python -m benchmarks.pricing``: the scaling table, one JSON object per promotion
    count (median and p99 over ``SAMPLES`` reprices, same carts, coupons and member as the
    ``reprice_200_lines_500_promos`` metric)."""
    store = Store()
    for count in SCALING:
        samples = measure(count, store=store)
        print(
            json.dumps(
                {
                    "metric": "reprice_200_lines_scaling",
                    "promotions": count,
                    "unit": "ms",
                    "median": round(statistics.median(samples), 4),
                    "p99": round(_p99(samples), 4),
                    "n": len(samples),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()

"""Hypothesis strategies for carts, promotions, coupons and members in the pricing tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import strategies as st

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
    Scope,
    SpecialPrice,
    SpendTier,
    SpendTiers,
)

SHANGHAI = timezone(timedelta(hours=8))
AT = datetime(2025, 6, 4, 10, 30, tzinfo=SHANGHAI)  # a Wednesday
CATEGORY = {
    "COLA": "饮料",
    "SPRITE": "饮料",
    "TEA": "饮料",
    "MILK": "乳品",
    "BREAD": "烘焙",
    "APPLE": "水果",
    "BEEF": "生鲜",
    "SMOKE": "烟草",
}
WEIGHED = {"APPLE", "BEEF"}
SKUS = sorted(CATEGORY)
CATEGORIES = sorted(set(CATEGORY.values()))

fen = st.integers(min_value=0, max_value=5_000)
percents = st.sampled_from([Decimal(p) for p in ("5", "10", "12.5", "20", "33", "50", "100")])


@st.composite
def pricing_lines(draw: st.DrawFn, min_size: int = 1, max_size: int = 8) -> list[PricingLine]:
    count = draw(st.integers(min_value=min_size, max_value=max_size))
    lines = []
    for n in range(count):
        sku = draw(st.sampled_from(SKUS))
        price = draw(st.integers(min_value=0, max_value=3_000))
        member = draw(st.none() | st.integers(min_value=0, max_value=price).map(Money))
        if sku in WEIGHED:
            grams = draw(st.integers(min_value=1, max_value=3_000))
            lines.append(PricingLine(f"L{n}", sku, CATEGORY[sku], Money(price), 1, grams, member))
        else:
            quantity = draw(st.integers(min_value=1, max_value=6))
            lines.append(
                PricingLine(f"L{n}", sku, CATEGORY[sku], Money(price), quantity, None, member)
            )
    return lines


scopes = st.one_of(
    st.just(Scope()),
    st.frozensets(st.sampled_from(SKUS), min_size=1, max_size=3).map(lambda s: Scope(skus=s)),
    st.frozensets(st.sampled_from(CATEGORIES), min_size=1, max_size=2).map(
        lambda c: Scope(categories=c)
    ),
    st.just(Scope(exclude_categories=frozenset({"烟草"}))),
)

rewards: st.SearchStrategy[Reward] = st.one_of(
    percents.map(PercentOff),
    fen.map(lambda f: AmountOff(Money(f))),
    fen.map(lambda f: SpecialPrice(Money(f))),
    st.builds(MultiBuy, st.integers(min_value=2, max_value=4), fen.map(Money)),
    st.builds(NthItemOff, st.integers(min_value=2, max_value=3), percents),
    st.builds(
        BuyXGetY, st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=2)
    ),
    st.builds(
        lambda a, b, p: Bundle((BundlePart(a), BundlePart(b)), Money(p)), scopes, scopes, fen
    ),
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=20_000), st.integers(min_value=1, max_value=100)
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda t: t[0],
    ).map(
        lambda tiers: SpendTiers(
            tuple(SpendTier(Money(t), Money(max(1, t * pct // 100))) for t, pct in sorted(tiers))
        )
    ),
)

caps = st.one_of(
    st.just(Caps()),
    st.builds(
        Caps,
        st.none() | st.integers(min_value=1, max_value=3),
        st.none(),
        st.none() | fen.map(Money),
    ),
)


@st.composite
def promotions(draw: st.DrawFn, max_size: int = 6) -> list[Promotion]:
    count = draw(st.integers(min_value=0, max_value=max_size))
    return [
        Promotion(
            id=f"P{n}",
            name=f"促销{n}",
            reward=draw(rewards),
            scope=draw(scopes),
            stackable=draw(st.booleans()),
            group=draw(st.sampled_from([None, None, "g1", "g2"])),
            priority=draw(st.integers(min_value=0, max_value=2)),
            caps=draw(caps),
            member_only=draw(st.booleans()) if n % 3 == 0 else False,
        )
        for n in range(count)
    ]


@st.composite
def coupons(draw: st.DrawFn, max_size: int = 3) -> list[Coupon]:
    count = draw(st.integers(min_value=0, max_value=max_size))
    found = []
    for n in range(count):
        kind = draw(st.sampled_from(list(CouponKind)))
        found.append(
            Coupon(
                id=f"C{n}",
                kind=kind,
                name=f"券{n}",
                valid_from=AT - timedelta(days=1),
                valid_until=AT + timedelta(days=1),
                amount=Money(draw(st.integers(min_value=1, max_value=3_000))),
                percent=draw(percents) if kind is CouponKind.PERCENT else None,
                min_spend=Money(
                    draw(
                        st.integers(
                            min_value=3_000 if kind is CouponKind.THRESHOLD else 0, max_value=10_000
                        )
                    )
                ),
                max_discount=draw(st.none() | fen.map(Money)),
                scope=draw(scopes),
                sku=draw(st.sampled_from(SKUS)),
                quantity=draw(st.integers(min_value=1, max_value=2)),
                minutes=120,
                with_promotions=draw(st.booleans()),
                with_coupons=draw(st.booleans()),
            )
        )
    return found


members = st.none() | st.builds(
    PricingMember, st.just("M1"), st.sampled_from(["gold", "silver"]), st.booleans()
)

"""The rule index: ``RuleIndex.running`` keeps exactly the promotions ``runs_for`` keeps."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from itertools import product

from pos_app.domain.money import Money
from pos_app.domain.pricing import (
    PercentOff,
    PricingLine,
    PricingMember,
    Promotion,
    RuleIndex,
    Scope,
    Window,
)
from pos_app.domain.pricing.windows import Moment

SHANGHAI = timezone(timedelta(hours=8))
WEDNESDAY = datetime(2025, 6, 4, 18, 45, tzinfo=SHANGHAI)
WINDOWS = (
    Window(),
    Window(weekdays=frozenset({3})),
    Window(weekdays=frozenset({1})),
    Window(from_time=time(18), until_time=time(20)),
    Window(starts=WEDNESDAY - timedelta(days=1), ends=WEDNESDAY),
)
AUDIENCES = ((False, frozenset()), (True, frozenset()), (False, frozenset({"gold"})))


def test_running_keeps_the_promotions_that_run_for_the_member_at_the_moment() -> None:
    """Every window and audience, for no member and members of two tiers, at two moments:
    the index's own test of audience and window agrees with ``Promotion.runs_for``."""
    promotions = [
        Promotion(
            f"P{n}",
            "九折",
            PercentOff(Decimal(10)),
            Scope(categories=frozenset({"乳品"})),
            window=window,
            member_only=member_only,
            tiers=tiers,
        )
        for n, (window, (member_only, tiers)) in enumerate(product(WINDOWS, AUDIENCES))
    ]
    rules = RuleIndex(promotions)
    lines = [PricingLine("L0", "MILK", "乳品", Money(3_14))]
    members = (None, PricingMember("M1", "gold"), PricingMember("M2", "silver"))
    for member, local in product(members, (WEDNESDAY, WEDNESDAY - timedelta(hours=1))):
        moment = Moment.of(local)
        kept = [offer.source for offer, _ in rules.running(lines, member, moment)]
        expected = [p.id for p in promotions if p.runs_for(member, local)]
        assert sorted(kept) == sorted(expected)
        assert 0 < len(kept) < len(promotions)

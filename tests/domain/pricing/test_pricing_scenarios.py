"""Realistic supermarket pricing scenarios, written as data in ``scenarios/*.json``.

Each scenario gives the cart lines, the member, the live promotions and the presented coupons
(in the import format of ``pos_app.domain.pricing.formats``) and what a cashier would check:
each line's amount to pay, every saving with its line, amount, reason and source, the total,
what happened to each coupon and the entitlements granted.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pos_app.domain.money import Money
from pos_app.domain.pricing import (
    PricedCart,
    PricingLine,
    PricingMember,
    RuleIndex,
    coupon_from_dict,
    price,
    promotion_from_dict,
)

SCENARIOS = Path(__file__).parent / "scenarios"
DEFAULT_AT = "2025-06-04T10:30:00+08:00"  # a Wednesday morning in Shanghai
ZONE = "Asia/Shanghai"


def _load() -> list[Any]:
    found = []
    for path in sorted(SCENARIOS.glob("*.json")):
        group = json.loads(path.read_text(encoding="utf-8"))
        for scenario in group["scenarios"]:
            found.append(pytest.param(scenario, id=f"{path.stem}: {scenario['name']}"))
    return found


def _line(data: dict[str, Any]) -> PricingLine:
    def money(key: str) -> Money | None:
        return None if data.get(key) is None else Money.parse(data[key])

    return PricingLine(
        data["id"],
        data["sku"],
        data["category"],
        Money.parse(data["price"]),
        data.get("qty", 1),
        data.get("grams"),
        money("member_price"),
        money("label"),
    )


def _member(data: dict[str, Any] | None) -> PricingMember | None:
    if data is None:
        return None
    return PricingMember(
        data["id"], data["tier"], data.get("member_prices", True), data.get("prior_uses", {})
    )


def _price(scenario: dict[str, Any]) -> PricedCart:
    return price(
        [_line(line) for line in scenario["lines"]],
        RuleIndex(promotion_from_dict(p) for p in scenario.get("promotions", [])),
        datetime.fromisoformat(scenario.get("at", DEFAULT_AT)),
        time_zone=ZONE,
        member=_member(scenario.get("member")),
        coupons=[coupon_from_dict(c) for c in scenario.get("coupons", [])],
    )


def test_there_are_at_least_forty_scenarios() -> None:
    assert len(_load()) >= 40


@pytest.mark.parametrize("scenario", _load())
def test_scenario_prices_as_the_store_expects(scenario: dict[str, Any]) -> None:
    priced = _price(scenario)
    expect = scenario["expect"]

    paid = {line.line_id: line.total.yuan_text() for line in priced.lines}
    for line_id, amount in expect.get("lines", {}).items():
        assert paid[line_id] == amount, f"line {line_id}"
    savings = Counter(
        (a.line_id, a.amount.yuan_text(), a.reason, a.source) for a in priced.adjustments
    )
    assert savings == Counter(tuple(row) for row in expect["adjustments"])
    assert priced.total.yuan_text() == expect["total"]

    outcomes = {
        c.coupon_id: "used" if c.used else c.refusal.code  # type: ignore[union-attr]
        for c in priced.coupons
    }
    assert outcomes == expect.get("coupons", {})
    for coupon_id, params in expect.get("coupon_params", {}).items():
        refused = next(c for c in priced.coupons if c.coupon_id == coupon_id)
        assert refused.refusal is not None and dict(refused.refusal.params) == params
    assert [e.coupon_id for e in priced.entitlements] == expect.get("entitlements", [])
    if "exact" in expect:
        assert priced.exact is expect["exact"]

"""The JSON form of promotions and coupons, for import, export and the scenario files.

Money is text in yuan ("12.30"), percentages are text ("50" is 50 % off), instants are ISO 8601
with an offset, daily times "HH:MM", weekdays 1 (Monday) to 7. Omitted keys take the
defaults of the dataclasses. A promotion:

    {"id": "P1", "name": "饮料第二件半价", "reward": {"kind": "nth_item_off", "nth": 2,
     "percent": "50"}, "scope": {"categories": ["饮料"], "exclude_skus": []},
     "window": {"weekdays": [3], "from": "08:00", "until": "22:00"}, "member_only": false,
     "tiers": [], "stackable": false, "group": null, "priority": 0,
     "caps": {"per_order": 2, "per_member": null, "max_discount": null}, "reason": null}

Reward kinds: percent_off {percent}, amount_off {amount}, special_price {price}, multi_buy
{count, price}, nth_item_off {nth, percent}, buy_x_get_y {buy, get}, bundle {parts: [{scope,
quantity}], price}, spend_tiers {tiers: [{threshold, off}], repeat}. A coupon: id, kind (cash,
threshold, percent, gift, pickup, parking), name, valid_from, valid_until, and as its kind
needs amount, percent, min_spend, max_discount, scope, sku, quantity, minutes, member_id,
tiers, with_promotions, with_coupons, state, batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time
from typing import Any

from pos_app.domain.money import ZERO
from pos_app.domain.pricing.coupon_terms import Coupon, CouponKind, CouponState
from pos_app.domain.pricing.offers import percent_text
from pos_app.domain.pricing.promotions import (
    AmountOff,
    Bundle,
    BundlePart,
    BuyXGetY,
    Caps,
    MultiBuy,
    NthItemOff,
    PercentOff,
    Promotion,
    Reward,
    Scope,
    SpecialPrice,
    SpendTier,
    SpendTiers,
)
from pos_app.domain.pricing.records import (
    REQUIRED,
    Reader,
    RuleFormatError,
    built,
    list_of,
    text_of,
)
from pos_app.domain.pricing.windows import Window

__all__ = [
    "RuleFormatError",
    "coupon_from_dict",
    "coupon_to_dict",
    "promotion_from_dict",
    "promotion_to_dict",
]


def _scope(reader: Reader) -> Scope:
    return Scope(
        reader.words("skus"),
        reader.words("categories"),
        reader.words("exclude_skus"),
        reader.words("exclude_categories"),
    )


def _reward(r: Reader) -> Reward:
    kind = r.text("kind", REQUIRED)
    readers: dict[str, Callable[[], Reward]] = {
        "percent_off": lambda: PercentOff(r.percent("percent", REQUIRED)),
        "amount_off": lambda: AmountOff(r.money("amount", REQUIRED)),
        "special_price": lambda: SpecialPrice(r.money("price", REQUIRED)),
        "multi_buy": lambda: MultiBuy(r.integer("count", REQUIRED), r.money("price", REQUIRED)),
        "nth_item_off": lambda: NthItemOff(
            r.integer("nth", REQUIRED), r.percent("percent", REQUIRED)
        ),
        "buy_x_get_y": lambda: BuyXGetY(r.integer("buy", REQUIRED), r.integer("get", REQUIRED)),
        "bundle": lambda: Bundle(
            tuple(
                BundlePart(
                    _scope(Reader(part, f"{r.where}.parts")),
                    Reader(part, f"{r.where}.parts").integer("quantity", 1),
                )
                for part in r.value("parts", list_of, REQUIRED)
            ),
            r.money("price", REQUIRED),
        ),
        "spend_tiers": lambda: SpendTiers(
            tuple(
                SpendTier(
                    Reader(t, f"{r.where}.tiers").money("threshold", REQUIRED),
                    Reader(t, f"{r.where}.tiers").money("off", REQUIRED),
                )
                for t in r.value("tiers", list_of, REQUIRED)
            ),
            r.flag("repeat", False),
        ),
    }
    if kind not in readers:
        raise RuleFormatError(f"{r.where}.kind: unknown reward kind {kind!r}")
    return built(readers[kind], r.where)


def promotion_from_dict(data: Mapping[str, Any]) -> Promotion:
    r = Reader(data, "promotion")
    w, c = r.child("window"), r.child("caps")

    def clock(key: str) -> time | None:
        moment: time | None = w.value(key, lambda v: time.fromisoformat(text_of(v)), None)
        return moment

    return built(
        lambda: Promotion(
            id=r.text("id", REQUIRED),
            name=r.text("name", REQUIRED),
            reward=_reward(r.child("reward")),
            scope=_scope(r.child("scope")),
            window=Window(
                w.instant("starts"),
                w.instant("ends"),
                w.numbers("weekdays"),
                w.numbers("days_of_month"),
                clock("from"),
                clock("until"),
            ),
            member_only=r.flag("member_only", False),
            tiers=r.words("tiers"),
            stackable=r.flag("stackable", False),
            group=r.text("group"),
            priority=r.integer("priority", 0),
            caps=Caps(c.integer("per_order"), c.integer("per_member"), c.money("max_discount")),
            reason=r.text("reason"),
        ),
        "promotion",
    )


def _scope_dict(scope: Scope) -> dict[str, Any]:
    return {
        "skus": sorted(scope.skus),
        "categories": sorted(scope.categories),
        "exclude_skus": sorted(scope.exclude_skus),
        "exclude_categories": sorted(scope.exclude_categories),
    }


def _reward_dict(reward: Reward) -> dict[str, Any]:
    if isinstance(reward, PercentOff):
        return {"kind": "percent_off", "percent": percent_text(reward.percent)}
    if isinstance(reward, AmountOff):
        return {"kind": "amount_off", "amount": str(reward.amount)}
    if isinstance(reward, SpecialPrice):
        return {"kind": "special_price", "price": str(reward.price)}
    if isinstance(reward, MultiBuy):
        return {"kind": "multi_buy", "count": reward.count, "price": str(reward.price)}
    if isinstance(reward, NthItemOff):
        return {"kind": "nth_item_off", "nth": reward.nth, "percent": percent_text(reward.percent)}
    if isinstance(reward, BuyXGetY):
        return {"kind": "buy_x_get_y", "buy": reward.buy, "get": reward.get}
    if isinstance(reward, Bundle):
        return {
            "kind": "bundle",
            "price": str(reward.price),
            "parts": [
                {**_scope_dict(part.scope), "quantity": part.quantity} for part in reward.parts
            ],
        }
    return {
        "kind": "spend_tiers",
        "repeat": reward.repeat,
        "tiers": [{"threshold": str(t.threshold), "off": str(t.off)} for t in reward.tiers],
    }


def promotion_to_dict(promotion: Promotion) -> dict[str, Any]:
    w, caps = promotion.window, promotion.caps
    return {
        "id": promotion.id,
        "name": promotion.name,
        "reward": _reward_dict(promotion.reward),
        "scope": _scope_dict(promotion.scope),
        "window": {
            "starts": _iso(w.starts),
            "ends": _iso(w.ends),
            "weekdays": sorted(w.weekdays),
            "days_of_month": sorted(w.days_of_month),
            "from": _clock(w.from_time),
            "until": _clock(w.until_time),
        },
        "member_only": promotion.member_only,
        "tiers": sorted(promotion.tiers),
        "stackable": promotion.stackable,
        "group": promotion.group,
        "priority": promotion.priority,
        "caps": {
            "per_order": caps.per_order,
            "per_member": caps.per_member,
            "max_discount": None if caps.max_discount is None else str(caps.max_discount),
        },
        "reason": promotion.reason,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _clock(moment: time | None) -> str | None:
    return None if moment is None else moment.strftime("%H:%M")


def coupon_from_dict(data: Mapping[str, Any]) -> Coupon:
    r = Reader(data, "coupon")
    kind = r.value("kind", CouponKind, REQUIRED)
    return built(
        lambda: Coupon(
            id=r.text("id", REQUIRED),
            kind=kind,
            name=r.text("name", REQUIRED),
            valid_from=r.instant("valid_from", REQUIRED),
            valid_until=r.instant("valid_until", REQUIRED),
            amount=r.money("amount", ZERO),
            percent=r.percent("percent"),
            min_spend=r.money("min_spend", ZERO),
            max_discount=r.money("max_discount"),
            scope=_scope(r.child("scope")),
            sku=r.text("sku"),
            quantity=r.integer("quantity", 1),
            minutes=r.integer("minutes", 0),
            member_id=r.text("member_id"),
            tiers=r.words("tiers"),
            with_promotions=r.flag("with_promotions", True),
            with_coupons=r.flag("with_coupons", True),
            state=r.value("state", CouponState, CouponState.ISSUED),
            batch=r.text("batch", ""),
        ),
        "coupon",
    )


def coupon_to_dict(coupon: Coupon) -> dict[str, Any]:
    return {
        "id": coupon.id,
        "kind": coupon.kind.value,
        "name": coupon.name,
        "valid_from": coupon.valid_from.isoformat(),
        "valid_until": coupon.valid_until.isoformat(),
        "amount": str(coupon.amount),
        "percent": None if coupon.percent is None else percent_text(coupon.percent),
        "min_spend": str(coupon.min_spend),
        "max_discount": None if coupon.max_discount is None else str(coupon.max_discount),
        "scope": _scope_dict(coupon.scope),
        "sku": coupon.sku,
        "quantity": coupon.quantity,
        "minutes": coupon.minutes,
        "member_id": coupon.member_id,
        "tiers": sorted(coupon.tiers),
        "with_promotions": coupon.with_promotions,
        "with_coupons": coupon.with_coupons,
        "state": coupon.state.value,
        "batch": coupon.batch,
    }

"""The demo store's tiers, promotions, a coupon batch and some stored value.

Seeded inside the demo's transaction through the same repositories the till uses, so the
coupon signing key and the member-code secrets are made at seed time (random, never in the
repository). Promotions come from ``resources/demo/promotions.json``, the batch from
``resources/demo/coupon_batch.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from pos_app.domain.members import TierRule
from pos_app.domain.money import Money
from pos_app.domain.pricing import promotion_from_dict
from pos_app.persistence.models import MemberRow
from pos_app.persistence.repositories.coupons import CouponRepository
from pos_app.persistence.repositories.members import MemberRepository
from pos_app.persistence.repositories.promotions import PromotionRepository
from pos_app.persistence.repositories.stored_value import StoredValueRepository
from pos_app.resources import resources_dir

DEMO_TIERS = (
    TierRule("regular", "普通会员", member_prices=True, points_per_yuan=1),
    TierRule("silver", "银卡会员", member_prices=True, points_per_yuan=2),
    TierRule("gold", "金卡会员", member_prices=True, points_per_yuan=3),
)
DEMO_TERMINAL = "T01"
_TOP_UPS = (Money(200_00), Money(50_00), Money(500_00))
"""Opening stored value of the first members (card 886000000001 on)."""


@dataclass(frozen=True, slots=True)
class DemoPricing:
    tiers: int
    promotions: int
    coupons: int


def insert_pricing(connection: Connection, *, now: datetime) -> DemoPricing:
    demo = resources_dir() / "demo"
    with Session(bind=connection) as session:
        members = MemberRepository(session)
        for rule in DEMO_TIERS:
            members.put_tier(rule)
        data = json.loads((demo / "promotions.json").read_text("utf-8"))["promotions"]
        promotions = [(promotion_from_dict(item), bool(item.get("active", True)))
                      for item in data]
        PromotionRepository(session).upsert(promotions, now)
        first = list(session.execute(
            select(MemberRow.id).order_by(MemberRow.card_no).limit(20)).scalars())
        stored = StoredValueRepository(session)
        for member_id, amount in zip(first, _TOP_UPS, strict=False):
            stored.top_up(member_id, amount, terminal_code=DEMO_TERMINAL,
                          actor_id="demo", at=now)
        batch = json.loads((demo / "coupon_batch.json").read_text("utf-8"))
        bound = first[: int(batch["bound_to_first_members"])]
        owners = [*bound, *[None] * (int(batch["count"]) - len(bound))]
        terms = {**batch["terms"], "valid_from": now.isoformat(),
                 "valid_until": (now + timedelta(days=int(batch["valid_days"]))).isoformat()}
        codes = CouponRepository(session).issue_batch(
            batch["batch"], batch["name"], terms, len(owners), at=now, member_ids=owners)
        session.flush()
    return DemoPricing(len(DEMO_TIERS), len(promotions), len(codes))

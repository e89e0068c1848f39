"""Members and tiers: rows <-> ``Member`` and ``TierRule``; member-code steps; promotion uses.

"Once only" is the database's: a member code's time step is accepted by ``UPDATE members SET
totp_last_step = :step WHERE id = :id AND totp_last_step < :step`` touching one row, so the
same code shown at two tills at once is accepted at most once. Phone and card number are
unique columns: a second member with either fails with ``IntegrityError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.cart import CartStatus
from pos_app.domain.members import Member, TierRule
from pos_app.domain.money import Money
from pos_app.persistence.models import MemberPromotionUseRow, MemberRow, MemberTierRow, OrderRow

MEMBERS = cast(Table, MemberRow.__table__)
TIERS = cast(Table, MemberTierRow.__table__)
USES = cast(Table, MemberPromotionUseRow.__table__)
ORDERS = cast(Table, OrderRow.__table__)
CARD_PREFIX = "886"
DEFAULT_TIER = "regular"


class RecentPurchase(NamedTuple):
    order_number: str
    completed_at: datetime
    total: Money


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member with the balances kept on the row (for lists and export)."""

    member: Member
    stored_value: Money
    created_at: datetime


class MemberRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- lookups --------------------------------------------------------------------------
    def get(self, member_id: str) -> Member | None:
        return self._one(MEMBERS.c.id == member_id)

    def by_phone(self, phone: str) -> Member | None:
        return self._one(MEMBERS.c.phone == phone)

    def by_card(self, card_no: str) -> Member | None:
        return self._one(MEMBERS.c.card_no == card_no)

    def _one(self, where: object) -> Member | None:
        row = self._session.execute(
            select(MEMBERS.c.id, MEMBERS.c.phone, MEMBERS.c.tier, MEMBERS.c.name,
                   MEMBERS.c.card_no, MEMBERS.c.points).where(where)  # type: ignore[arg-type]
        ).first()
        if row is None:
            return None
        return Member(id=row.id, phone=row.phone, tier=row.tier, name=row.name,
                      card_number=row.card_no, points=int(row.points))

    def records(self) -> Iterator[MemberRecord]:
        """Every member by card number, with stored value and joining time (export)."""
        rows = self._session.execute(select(MEMBERS).order_by(MEMBERS.c.card_no)).mappings()
        for row in rows:
            member = Member(id=row["id"], phone=row["phone"], tier=row["tier"],
                            name=row["name"], card_number=row["card_no"],
                            points=int(row["points"]))
            yield MemberRecord(member, Money(int(row["stored_value_fen"])), row["created_at"])

    # --- tiers ----------------------------------------------------------------------------
    def tier_rule(self, tier: str) -> TierRule:
        """The tier's rule; a tier missing from ``member_tiers`` gets member prices and one
        point per yuan under its own name, so an unconfigured store still works."""
        row = self._session.execute(select(TIERS).where(TIERS.c.tier == tier)).mappings().first()
        if row is None:
            return TierRule(tier, tier)
        return TierRule(row["tier"], row["name"], bool(row["member_prices"]),
                        int(row["points_per_yuan"]))

    def tiers(self) -> list[TierRule]:
        rows = self._session.execute(select(TIERS).order_by(TIERS.c.points_per_yuan,
                                                            TIERS.c.tier)).mappings()
        return [TierRule(r["tier"], r["name"], bool(r["member_prices"]),
                         int(r["points_per_yuan"])) for r in rows]

    def put_tier(self, rule: TierRule) -> None:
        """Insert or replace a tier's rule."""
        values = {"name": rule.name, "member_prices": rule.member_prices,
                  "points_per_yuan": rule.points_per_yuan}
        changed = self._session.execute(update(TIERS).where(TIERS.c.tier == rule.tier)
                                        .values(**values))
        if changed.rowcount == 0:  # type: ignore[attr-defined]
            self._session.execute(insert(TIERS).values(tier=rule.tier, **values))

    # --- joining and editing ----------------------------------------------------------------
    def next_card_no(self) -> str:
        """The card number after the highest 886… one; two tills joining at once both get it
        and the unique column refuses the second (the service retries)."""
        highest = self._session.execute(
            select(func.max(MEMBERS.c.card_no)).where(MEMBERS.c.card_no.like(f"{CARD_PREFIX}%"))
        ).scalar_one()
        number = 0 if highest is None else int(str(highest)[len(CARD_PREFIX):] or 0)
        return f"{CARD_PREFIX}{number + 1:09d}"

    def add(self, member: Member, *, created_at: datetime, totp_secret: bytes | None = None,
            ) -> None:
        """Store a new member (points as given, stored value 0). Raises IntegrityError when
        the phone or card number is taken. Opening balances go through the ledgers."""
        if member.card_number is None:
            raise ValueError("a member needs a card number")
        self._session.execute(insert(MEMBERS).values(
            id=member.id, card_no=member.card_number, phone=member.phone, name=member.name,
            tier=member.tier, points=0, created_at=created_at, totp_secret=totp_secret,
            totp_last_step=0, stored_value_fen=0))
        self._session.flush()

    def update_details(self, member_id: str, *, phone: str, name: str, tier: str) -> bool:
        result = self._session.execute(update(MEMBERS).where(MEMBERS.c.id == member_id)
                                       .values(phone=phone, name=name, tier=tier))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    # --- member code ------------------------------------------------------------------------
    def code_secret(self, member_id: str) -> tuple[bytes | None, int]:
        """The member's TOTP secret (None when never made) and last accepted step."""
        row = self._session.execute(
            select(MEMBERS.c.totp_secret, MEMBERS.c.totp_last_step)
            .where(MEMBERS.c.id == member_id)).first()
        if row is None:
            return None, 0
        secret = None if row.totp_secret is None else bytes(row.totp_secret)
        return secret, int(row.totp_last_step)

    def set_code_secret(self, member_id: str, secret: bytes) -> None:
        self._session.execute(update(MEMBERS).where(MEMBERS.c.id == member_id)
                              .values(totp_secret=secret, totp_last_step=0))

    def accept_code_step(self, member_id: str, step: int) -> bool:
        """Accept ``step`` if it is after the last accepted one: True only if this call did."""
        result = self._session.execute(
            update(MEMBERS)
            .where(MEMBERS.c.id == member_id, MEMBERS.c.totp_last_step < step)
            .values(totp_last_step=step))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    # --- promotion caps and history ---------------------------------------------------------
    def promotion_uses(self, member_id: str) -> dict[str, int]:
        """Applications per promotion id over all the member's recorded orders."""
        rows = self._session.execute(
            select(USES.c.promotion_id, func.sum(USES.c.applications))
            .where(USES.c.member_id == member_id).group_by(USES.c.promotion_id))
        return {promotion_id: int(total) for promotion_id, total in rows}

    def record_promotion_uses(self, member_id: str, order_id: str,
                              uses: Sequence[tuple[str, int]]) -> None:
        """One row per promotion for this order (repeats summed, zeros skipped); recording the
        same order twice fails on the primary key."""
        totals: dict[str, int] = {}
        for promotion_id, applications in uses:
            totals[promotion_id] = totals.get(promotion_id, 0) + applications
        rows = [{"member_id": member_id, "promotion_id": p, "order_id": order_id,
                 "applications": n} for p, n in sorted(totals.items()) if n > 0]
        if rows:
            self._session.execute(insert(USES), rows)

    def recent_purchases(self, member_id: str, limit: int = 5) -> list[RecentPurchase]:
        rows = self._session.execute(
            select(ORDERS.c.order_number, ORDERS.c.completed_at, ORDERS.c.total_fen)
            .where(ORDERS.c.member_id == member_id,
                   ORDERS.c.status == CartStatus.COMPLETED.value,
                   ORDERS.c.kind == "sale", ORDERS.c.completed_at.is_not(None))
            .order_by(ORDERS.c.completed_at.desc()).limit(limit))
        return [RecentPurchase(number or "", at, Money(int(total))) for number, at, total in rows]

"""Points: the member row's balance and the append-only points ledger, moved together.

A redemption is ``UPDATE members SET points = points - :p WHERE id = :id AND points >= :p``
that must touch one row (the ``CHECK (points >= 0)`` backs it up); every movement writes a
ledger row with the signed points and the balance it left, in the same transaction.
Kinds: ``earn`` (+), ``redeem`` (-), ``reverse`` (a refund: - earned points taken back, or +
redeemed points given back), ``adjust`` (opening balances, corrections; signed).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from pos_app.persistence.models import MemberRow, PointsLedgerRow
from pos_app.persistence.repositories.stored_value import UnknownMember

MEMBERS = cast(Table, MemberRow.__table__)
LEDGER = cast(Table, PointsLedgerRow.__table__)


class PointsKind(StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    REVERSE = "reverse"
    ADJUST = "adjust"


class PointsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def balance(self, member_id: str) -> int:
        points = self._session.execute(
            select(MEMBERS.c.points).where(MEMBERS.c.id == member_id)).scalar()
        return 0 if points is None else int(points)

    def earn(self, member_id: str, points: int, order_id: str | None, at: datetime) -> int:
        """Add earned points; returns the new balance."""
        _positive(points)
        return self._add(PointsKind.EARN, member_id, points, order_id, at)

    def redeem(self, member_id: str, points: int, order_id: str | None, at: datetime) -> bool:
        """Take ``points`` if the balance covers them: True, or False and nothing written."""
        _positive(points)
        after = self._session.execute(
            update(MEMBERS).where(MEMBERS.c.id == member_id, MEMBERS.c.points >= points)
            .values(points=MEMBERS.c.points - points).returning(MEMBERS.c.points)).scalar()
        if after is None:
            return False
        self._write(PointsKind.REDEEM, member_id, -points, int(after), order_id, at)
        return True

    def reverse(self, member_id: str, points: int, order_id: str | None, at: datetime) -> int:
        """Take back ``points`` earned by a refunded sale, as many as the balance still holds
        (the member may have spent them): returns the points taken back."""
        _positive(points)
        current = self._session.execute(
            select(MEMBERS.c.points).where(MEMBERS.c.id == member_id).with_for_update()
        ).scalar()
        if current is None:
            raise UnknownMember(member_id)
        taken = min(points, int(current))
        if taken == 0:
            return 0
        after = self._session.execute(
            update(MEMBERS).where(MEMBERS.c.id == member_id, MEMBERS.c.points >= taken)
            .values(points=MEMBERS.c.points - taken).returning(MEMBERS.c.points)).scalar()
        if after is None:  # cannot happen under the row lock; never write a wrong ledger
            raise UnknownMember(member_id)
        self._write(PointsKind.REVERSE, member_id, -taken, int(after), order_id, at)
        return taken

    def give_back(self, member_id: str, points: int, order_id: str | None, at: datetime) -> int:
        """Return ``points`` redeemed on a refunded sale; returns the new balance."""
        _positive(points)
        return self._add(PointsKind.REVERSE, member_id, points, order_id, at)

    def adjust(self, member_id: str, points: int, at: datetime) -> bool:
        """Add (or, negative, take) ``points`` outside a sale; False if it would go below 0."""
        if points == 0:
            return True
        after = self._session.execute(
            update(MEMBERS).where(MEMBERS.c.id == member_id, MEMBERS.c.points + points >= 0)
            .values(points=MEMBERS.c.points + points).returning(MEMBERS.c.points)).scalar()
        if after is None:
            return False
        self._write(PointsKind.ADJUST, member_id, points, int(after), None, at)
        return True

    def ledger(self, member_id: str) -> list[tuple[PointsKind, int, int, str | None]]:
        """(kind, signed points, balance after, order id), oldest first."""
        rows = self._session.execute(
            select(LEDGER.c.kind, LEDGER.c.points, LEDGER.c.balance_after, LEDGER.c.order_id)
            .where(LEDGER.c.member_id == member_id).order_by(LEDGER.c.id))
        return [(PointsKind(k), int(p), int(b), o) for k, p, b, o in rows]

    def _add(self, kind: PointsKind, member_id: str, points: int, order_id: str | None,
             at: datetime) -> int:
        after = self._session.execute(
            update(MEMBERS).where(MEMBERS.c.id == member_id)
            .values(points=MEMBERS.c.points + points).returning(MEMBERS.c.points)).scalar()
        if after is None:
            raise UnknownMember(member_id)
        self._write(kind, member_id, points, int(after), order_id, at)
        return int(after)

    def _write(self, kind: PointsKind, member_id: str, points: int, after: int,
               order_id: str | None, at: datetime) -> None:
        self._session.execute(insert(LEDGER).values(
            member_id=member_id, kind=kind.value, points=points, balance_after=after,
            order_id=order_id, at=at))


def _positive(points: int) -> None:
    if points <= 0:
        raise ValueError("points move in positive numbers; the method gives the sign")

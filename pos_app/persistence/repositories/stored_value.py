"""Stored value (预存款): the member row's balance and its append-only ledger, moved together.

"Once only" and "never negative" are the database's: a payment is ``UPDATE members SET
stored_value_fen = stored_value_fen - :a WHERE id = :id AND stored_value_fen >= :a`` that must
touch one row, with ``RETURNING`` the balance it left; only then is the ledger row written
(with that balance), in the same transaction. Two tills paying from one account at once
cannot both succeed beyond the balance, and the ledger always sums to the balance (the
``CHECK (stored_value_fen >= 0)`` backs this up).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, case, func, insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.members import LedgerEntry, LedgerKind
from pos_app.domain.money import ZERO, Money
from pos_app.errors import PosError
from pos_app.persistence.models import MemberRow, StoredValueLedgerRow

MEMBERS = cast(Table, MemberRow.__table__)
LEDGER = cast(Table, StoredValueLedgerRow.__table__)


class UnknownMember(PosError):
    """A balance was moved for a member id that is not in the database."""


class StoredValueRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def balance(self, member_id: str) -> Money:
        """The member's balance (zero for an unknown member)."""
        fen = self._session.execute(
            select(MEMBERS.c.stored_value_fen).where(MEMBERS.c.id == member_id)).scalar()
        return ZERO if fen is None else Money(int(fen))

    def top_up(self, member_id: str, amount: Money, *, order_id: str | None = None,
               terminal_code: str, actor_id: str, at: datetime) -> Money:
        """Add ``amount`` (positive); returns the new balance."""
        return self._credit(LedgerKind.TOP_UP, member_id, amount, order_id=order_id,
                            terminal_code=terminal_code, actor_id=actor_id, at=at)

    def refund(self, member_id: str, amount: Money, *, order_id: str | None,
               terminal_code: str, actor_id: str, at: datetime) -> Money:
        """Give ``amount`` back to the account (a refunded sale paid with stored value)."""
        return self._credit(LedgerKind.REFUND, member_id, amount, order_id=order_id,
                            terminal_code=terminal_code, actor_id=actor_id, at=at)

    def pay(self, member_id: str, amount: Money, *, order_id: str | None,
            terminal_code: str, actor_id: str, at: datetime) -> bool:
        """Take ``amount`` if the balance covers it: True and a ledger row, or False and
        nothing written."""
        _positive(amount)
        after = self._session.execute(
            update(MEMBERS)
            .where(MEMBERS.c.id == member_id, MEMBERS.c.stored_value_fen >= amount.fen)
            .values(stored_value_fen=MEMBERS.c.stored_value_fen - amount.fen)
            .returning(MEMBERS.c.stored_value_fen)).scalar()
        if after is None:
            return False
        self._write(LedgerKind.PAY, member_id, amount, int(after), order_id=order_id,
                    terminal_code=terminal_code, actor_id=actor_id, at=at)
        return True

    def paid_for_order(self, order_id: str) -> Money:
        """Paid from stored value for ``order_id`` less what was refunded to it."""
        signed = case((LEDGER.c.kind == LedgerKind.PAY.value, LEDGER.c.amount_fen),
                      else_=-LEDGER.c.amount_fen)
        fen = self._session.execute(
            select(func.coalesce(func.sum(signed), 0))
            .where(LEDGER.c.order_id == order_id,
                   LEDGER.c.kind.in_([LedgerKind.PAY.value, LedgerKind.REFUND.value]))
        ).scalar_one()
        return Money(int(fen))

    def ledger(self, member_id: str) -> list[LedgerEntry]:
        """The member's movements, oldest first."""
        rows = self._session.execute(
            select(LEDGER).where(LEDGER.c.member_id == member_id).order_by(LEDGER.c.id)
        ).mappings()
        return [LedgerEntry(str(r["id"]), r["member_id"], LedgerKind(r["kind"]),
                            Money(int(r["amount_fen"])), r["at"], r["order_id"] or "")
                for r in rows]

    def _credit(self, kind: LedgerKind, member_id: str, amount: Money, *,
                order_id: str | None, terminal_code: str, actor_id: str,
                at: datetime) -> Money:
        _positive(amount)
        after = self._session.execute(
            update(MEMBERS).where(MEMBERS.c.id == member_id)
            .values(stored_value_fen=MEMBERS.c.stored_value_fen + amount.fen)
            .returning(MEMBERS.c.stored_value_fen)).scalar()
        if after is None:
            raise UnknownMember(member_id)
        self._write(kind, member_id, amount, int(after), order_id=order_id,
                    terminal_code=terminal_code, actor_id=actor_id, at=at)
        return Money(int(after))

    def _write(self, kind: LedgerKind, member_id: str, amount: Money, after: int, *,
               order_id: str | None, terminal_code: str, actor_id: str, at: datetime) -> None:
        self._session.execute(insert(LEDGER).values(
            member_id=member_id, kind=kind.value, amount_fen=amount.fen,
            balance_after_fen=after, order_id=order_id, terminal_code=terminal_code,
            actor_id=actor_id, at=at))


def _positive(amount: Money) -> None:
    if amount.fen <= 0:
        raise ValueError("stored value moves a positive amount")

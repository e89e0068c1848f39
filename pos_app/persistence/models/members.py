"""Member tiers, the stored-value (预存款) ledger, the points ledger and per-member
promotion uses. ``members`` itself is ``MemberRow`` in ``models.sales``.

Both ledgers are append-only: a row is never updated or deleted. The balances they explain
live on the member row (``stored_value_fen``, ``points``) and change only with a conditional
``UPDATE`` in the same transaction as the ledger row, so the database keeps them
non-negative under concurrent terminals and the ledger always sums to the balance.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.persistence.models.base import Base, UtcDateTime

_ID = BigInteger().with_variant(Integer, "sqlite")


class MemberTierRow(Base):
    __tablename__ = "member_tiers"
    tier: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    member_prices: Mapped[bool] = mapped_column(default=True)
    points_per_yuan: Mapped[int] = mapped_column(Integer, default=1)
    __table_args__ = (
        CheckConstraint("points_per_yuan >= 0", name="points_per_yuan_not_negative"),
    )


class StoredValueLedgerRow(Base):
    """One stored-value movement; ``amount_fen`` is positive, ``kind`` (LedgerKind) gives
    the sign; ``balance_after_fen`` is the member's balance once it was applied."""

    __tablename__ = "stored_value_ledger"
    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    balance_after_fen: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    terminal_code: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("balance_after_fen >= 0", name="balance_not_negative"),
    )


class PointsLedgerRow(Base):
    """One points movement, signed: earn and reverse-of-redeem add, redeem and
    reverse-of-earn subtract. ``kind``: earn, redeem, reverse, adjust."""

    __tablename__ = "points_ledger"
    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    __table_args__ = (CheckConstraint("balance_after >= 0", name="balance_not_negative"),)


class MemberPromotionUseRow(Base):
    """How many times a promotion applied to a member's order (for ``caps.per_member``);
    one row per (member, promotion, order): recording an order twice fails."""

    __tablename__ = "member_promotion_uses"
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), primary_key=True)
    promotion_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    applications: Mapped[int] = mapped_column(Integer)
    __table_args__ = (CheckConstraint("applications > 0", name="applications_positive"),)

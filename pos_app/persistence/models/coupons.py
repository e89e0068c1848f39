"""Coupons: signing keys, batches and the coupons themselves.

A coupon is redeemed once only by ``UPDATE coupons SET state='redeemed' … WHERE id=:id AND
state='issued'`` touching exactly one row. ``terms`` is the JSON of ``coupon_to_dict``
without ``id``, ``state`` and ``batch`` (those are columns). Keys are random, made at first
use and stored only here: never in the repository, a log or a repr.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.persistence.models.base import Base, UtcDateTime


class CouponKeyRow(Base):
    __tablename__ = "coupon_keys"
    key_id: Mapped[str] = mapped_column(String(4), primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"CouponKeyRow(key_id={self.key_id!r}, active={self.active!r}, secret=***)"


class CouponBatchRow(Base):
    __tablename__ = "coupon_batches"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    terms: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(ForeignKey("coupon_keys.key_id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    count: Mapped[int] = mapped_column(Integer)


class CouponRow(Base):
    __tablename__ = "coupons"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    batch: Mapped[str | None] = mapped_column(ForeignKey("coupon_batches.code"), default=None)
    serial: Mapped[int | None] = mapped_column(BigInteger, default=None)
    kind: Mapped[str] = mapped_column(String(16))
    terms: Mapped[str] = mapped_column(Text)
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("members.id"), default=None, index=True
    )
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime())
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(12), default="issued")
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    redeemed_order_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    redeemed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    __table_args__ = (
        CheckConstraint("state IN ('issued', 'redeemed', 'void')", name="state_known"),
        UniqueConstraint("batch", "serial", name="uq_coupons_batch_serial"),
    )

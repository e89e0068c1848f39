"""What an order was priced with: the coupons presented to it and the savings by line."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.persistence.models.base import Base


class OrderCouponRow(Base):
    """A coupon presented to an open cart, in the order it was presented."""

    __tablename__ = "order_coupons"
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    coupon_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int]


class OrderAdjustmentRow(Base):
    """One saving of a completed sale: line, amount, reason key and its parameters (JSON),
    and the promotion, coupon or member price that gave it. ``kind`` "entitlement" rows
    (free parking) have no line and no amount."""

    __tablename__ = "order_adjustments"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    line_id: Mapped[str | None] = mapped_column(String(36), default=None)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))

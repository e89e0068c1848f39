"""Refunds of wallet payments: stored before the first refund call, one row per refund number.

The ``out_refund_no`` (WeChat) / ``out_request_no`` (Alipay) is made once and reused for every
retry of the same refund (brief §2.6, §4.5: "一笔退款失败后重新提交，要采用原来的退款单号").
``(attempt_id, purpose)`` is unique, so a sale cancelled twice refunds a tender once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.persistence.models.base import Base, UtcDateTime


class PaymentRefundRow(Base):
    __tablename__ = "payment_refunds"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("payment_attempts.id"), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    out_trade_no: Mapped[str] = mapped_column(String(32))
    out_refund_no: Mapped[str] = mapped_column(String(32), unique=True)
    provider: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))
    provider_code: Mapped[str | None] = mapped_column(String(40), default=None)
    tries: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    __table_args__ = (
        UniqueConstraint("attempt_id", "purpose", name="uq_payment_refunds_attempt_purpose"),
        Index("ix_payment_refunds_state", "state"),
    )

"""Electronic payment attempts: stored before the first provider call, one row per trade no."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.persistence.models.base import Base, UtcDateTime


class PaymentAttemptRow(Base):
    """Holds the hash of the customer's payment code, never the code itself."""

    __tablename__ = "payment_attempts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)
    provider: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    state: Mapped[str] = mapped_column(String(16))
    last_event: Mapped[str | None] = mapped_column(String(32), default=None)
    resubmits: Mapped[int] = mapped_column(default=0)
    reverse_tries: Mapped[int] = mapped_column(default=0)
    provider_trade_no: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    __table_args__ = (Index("ix_payment_attempts_state", "state"),)

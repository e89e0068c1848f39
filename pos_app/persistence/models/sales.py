"""Members, orders (open carts, completed sales, returns), lines, payments, shifts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.persistence.models.base import Base, UtcDateTime


class MemberRow(Base):
    __tablename__ = "members"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    card_no: Mapped[str] = mapped_column(String(32), unique=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    tier: Mapped[str] = mapped_column(String(16), default="regular")
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Migration 0006: the member code's secret (never logged) and last accepted TOTP step,
    # and the stored-value balance; the CHECKs keep both balances non-negative.
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary(64), default=None)
    totp_last_step: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    stored_value_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    __table_args__ = (
        CheckConstraint("stored_value_fen >= 0", name="stored_value_not_negative"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    def __repr__(self) -> str:
        return f"MemberRow(id={self.id!r}, card_no={self.card_no!r}, tier={self.tier!r})"


class OrderRow(Base):
    """A cart while open or suspended; a sale or return once completed."""

    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id"))
    cashier_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"), default=None)
    kind: Mapped[str] = mapped_column(String(8), default="sale")
    status: Mapped[str] = mapped_column(String(12))
    order_number: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    subtotal_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    savings_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    change_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    priced_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # Migration 0009: a return order (kind "return") names the sale it gives back.
    original_order_id: Mapped[str | None] = mapped_column(
        ForeignKey("orders.id"), index=True, default=None)
    __table_args__ = (
        Index("ix_orders_terminal_status", "terminal_id", "status"),
        # Migration 0010: the sales report reads a store's orders completed in a range.
        Index("ix_orders_store_completed", "store_id", "completed_at"),
    )


class OrderLineRow(Base):
    __tablename__ = "order_lines"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int]
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int]
    grams: Mapped[int | None] = mapped_column(default=None)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    tax_rate_bp: Mapped[int]
    voided: Mapped[bool] = mapped_column(default=False)
    category: Mapped[str] = mapped_column(String(32), default="", server_default="")
    member_price_fen: Mapped[int | None] = mapped_column(BigInteger, default=None)
    label_priced: Mapped[bool] = mapped_column(default=False, server_default=false())
    discount_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Migration 0009: a return line names the sale line it gives back; a sale line counts
    # the pieces given back so far (the CHECK keeps them within the line).
    original_line_id: Mapped[str | None] = mapped_column(
        ForeignKey("order_lines.id"), default=None)
    returned_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    __table_args__ = (
        CheckConstraint(
            "returned_quantity >= 0 AND (returned_quantity = 0 OR returned_quantity <= quantity)",
            name="returned_within_quantity"),
    )


class PaymentRow(Base):
    __tablename__ = "payments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    tendered_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    change_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    out_trade_no: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    provider: Mapped[str | None] = mapped_column(String(16), default=None)
    reference: Mapped[str | None] = mapped_column(String(36), default=None)
    """Bank card: the terminal's approval code; stored value and points: the member id."""
    points: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    """The wallet of an electronic tender (added by migration 0004)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    original_payment_id: Mapped[str | None] = mapped_column(
        ForeignKey("payments.id"), index=True, default=None)
    """A refund row (on a return order): the sale's tender it gives back to (0009)."""


class ShiftRow(Base):
    __tablename__ = "shifts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id"))
    cashier_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    opening_float_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    counted_fen: Mapped[int | None] = mapped_column(BigInteger, default=None)

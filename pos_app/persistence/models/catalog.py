"""Categories, products, barcodes (several per product), stock."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.persistence.models.base import Base


class CategoryRow(Base):
    __tablename__ = "categories"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("categories.id"), default=None)


class ProductRow(Base):
    __tablename__ = "products"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    pinyin: Mapped[str] = mapped_column(String(60), index=True)
    unit: Mapped[str] = mapped_column(String(8))
    list_price_fen: Mapped[int] = mapped_column(BigInteger)
    member_price_fen: Mapped[int | None] = mapped_column(BigInteger, default=None)
    tax_rate_bp: Mapped[int] = mapped_column(default=1300)
    category_id: Mapped[str] = mapped_column(ForeignKey("categories.id"), index=True)
    weighed: Mapped[bool] = mapped_column(default=False)
    min_age: Mapped[int | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)
    plu: Mapped[str | None] = mapped_column(String(8), unique=True, default=None)


class BarcodeRow(Base):
    __tablename__ = "barcodes"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    __table_args__ = (Index("ix_barcodes_product_id", "product_id"),)


class StockRow(Base):
    """On-hand quantity: pieces, or grams for weighed goods. May go negative (sold before
    received); the count is corrected by stock-taking, never by refusing a sale."""

    __tablename__ = "stock"
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)

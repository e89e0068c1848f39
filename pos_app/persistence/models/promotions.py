"""Automatic promotions (JSON of ``promotion_to_dict``) and the pricing version.

``pricing_version`` holds one row (id 1) whose ``version`` goes up in the same transaction as
any change to ``promotions``, so a till can keep its ``RuleIndex`` until the number moves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.persistence.models.base import Base, UtcDateTime


class PromotionRow(Base):
    __tablename__ = "promotions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PricingVersionRow(Base):
    __tablename__ = "pricing_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)

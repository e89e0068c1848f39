"""Frozen snapshots of a member and their coupons for the till, the customer screen and the
CLI. Phone numbers are masked (138****1234); secrets never appear here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pos_app.domain.money import Money
from pos_app.domain.pricing import Coupon, CouponKind
from pos_app.persistence.repositories.members import RecentPurchase

__all__ = ["CouponView", "MemberView", "RecentPurchase", "coupon_view", "mask_phone"]


@dataclass(frozen=True, slots=True)
class CouponView:
    """A coupon as a person sees it: ``summary_key`` and ``params`` are a message of
    ``pricing.json`` (``coupon.cash`` "{name} (cash coupon ¥{amount})", …;
    ``entitlement.parking`` for parking); ``code`` is what to scan or type."""

    id: str
    name: str
    kind: CouponKind
    summary_key: str
    params: Mapping[str, str] = field(default_factory=dict)
    valid_until: datetime | None = None
    code: str = ""


@dataclass(frozen=True, slots=True)
class MemberView:
    id: str
    name: str
    phone: str
    """Masked: 138****1234."""
    card_no: str
    tier: str
    tier_name: str
    points: int
    stored_value: Money
    coupons: tuple[CouponView, ...] = ()
    recent_purchases: tuple[RecentPurchase, ...] = ()
    """(order number, completed at, total), newest first, at most five."""


def mask_phone(phone: str) -> str:
    """138****1234: the first three and last four digits of a mobile number."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def coupon_view(coupon: Coupon, code: str = "") -> CouponView:
    params = {
        "name": coupon.name,
        "amount": coupon.amount.yuan_text(),
        "percent": "" if coupon.percent is None else f"{coupon.percent.normalize():f}",
        "min_spend": coupon.min_spend.yuan_text(),
        "sku": coupon.sku or "",
        "quantity": str(coupon.quantity),
        "minutes": str(coupon.minutes),
    }
    key = ("entitlement.parking" if coupon.kind is CouponKind.PARKING
           else f"coupon.{coupon.kind.value}")
    return CouponView(coupon.id, coupon.name, coupon.kind, key, params, coupon.valid_until,
                      code or coupon.id)

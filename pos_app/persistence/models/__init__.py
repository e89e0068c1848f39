"""All rows, imported together so the metadata is complete for Alembic and tests."""

from pos_app.persistence.models.base import Base
from pos_app.persistence.models.catalog import BarcodeRow, CategoryRow, ProductRow, StockRow
from pos_app.persistence.models.coupons import CouponBatchRow, CouponKeyRow, CouponRow
from pos_app.persistence.models.faces import FaceConsentRow, FaceEmbeddingRow, FaceProcessingRow
from pos_app.persistence.models.journal import AuditRow, EventRow, PrintJobRow
from pos_app.persistence.models.members import (
    MemberPromotionUseRow,
    MemberTierRow,
    PointsLedgerRow,
    StoredValueLedgerRow,
)
from pos_app.persistence.models.order_pricing import OrderAdjustmentRow, OrderCouponRow
from pos_app.persistence.models.payment_attempts import PaymentAttemptRow
from pos_app.persistence.models.payment_refunds import PaymentRefundRow
from pos_app.persistence.models.promotions import PricingVersionRow, PromotionRow
from pos_app.persistence.models.sales import (
    MemberRow,
    OrderLineRow,
    OrderRow,
    PaymentRow,
    ShiftRow,
)
from pos_app.persistence.models.store import StoreRow, TerminalRow, UserRow

__all__ = [
    "AuditRow", "BarcodeRow", "Base", "CategoryRow", "CouponBatchRow", "CouponKeyRow", "CouponRow",
    "EventRow", "FaceConsentRow", "FaceEmbeddingRow", "FaceProcessingRow", "MemberPromotionUseRow",
    "MemberRow", "MemberTierRow", "OrderAdjustmentRow", "OrderCouponRow", "OrderLineRow",
    "OrderRow", "PaymentAttemptRow", "PaymentRefundRow", "PaymentRow", "PointsLedgerRow",
    "PricingVersionRow", "PrintJobRow", "ProductRow", "PromotionRow", "ShiftRow", "StockRow",
    "StoreRow", "StoredValueLedgerRow", "TerminalRow", "UserRow",
]

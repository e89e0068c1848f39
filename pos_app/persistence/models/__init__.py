"""All rows, imported together so the metadata is complete for Alembic and tests."""

from pos_app.persistence.models.base import Base
from pos_app.persistence.models.catalog import BarcodeRow, CategoryRow, ProductRow, StockRow
from pos_app.persistence.models.faces import FaceConsentRow, FaceEmbeddingRow, FaceProcessingRow
from pos_app.persistence.models.journal import AuditRow, EventRow, PrintJobRow
from pos_app.persistence.models.payment_attempts import PaymentAttemptRow
from pos_app.persistence.models.payment_refunds import PaymentRefundRow
from pos_app.persistence.models.sales import (
    MemberRow,
    OrderLineRow,
    OrderRow,
    PaymentRow,
    ShiftRow,
)
from pos_app.persistence.models.store import StoreRow, TerminalRow, UserRow

__all__ = [
    "AuditRow", "BarcodeRow", "Base", "CategoryRow", "EventRow", "FaceConsentRow",
    "FaceEmbeddingRow", "FaceProcessingRow", "MemberRow", "OrderLineRow",
    "OrderRow", "PaymentAttemptRow", "PaymentRefundRow",
    "PaymentRow", "PrintJobRow", "ProductRow", "ShiftRow",
    "StockRow", "StoreRow", "TerminalRow", "UserRow",
]
